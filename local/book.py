"""A realistic, reproducible book of business and four quarters of NPS answers for the demo.

Accounts differ by segment, ARR, industry, region and lifecycle stage; each has contacts and a
CSM, CS lead and executive sponsor. Most accounts are stable, some decline (their later quarters
score lower), some improve, so the triggers have something real to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from shared.domain.accounts import Account, AccountTeam
from shared.domain.quarters import quarter_of

SEGMENTS = {  # share of accounts, ARR range, contacts range
    "enterprise": (0.2, (120_000, 900_000), (6, 12)),
    "mid-market": (0.35, (30_000, 120_000), (3, 6)),
    "smb": (0.45, (6_000, 30_000), (1, 3)),
}
INDUSTRIES = ["software", "fintech", "healthcare", "retail", "manufacturing", "education", "logistics"]
REGIONS = ["NA", "EMEA", "APAC", "LATAM"]
STAGES = ["onboarding", "adoption", "mature", "renewal"]
FIRST = ["Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi", "Liam"]
LAST = ["Okafor", "Schmidt", "Tanaka", "Rossi", "Novak", "Silva", "Berg", "Haddad", "Kim", "Walsh"]
NAME_A = [
    "North",
    "Blue",
    "Iron",
    "Bright",
    "Silver",
    "Red",
    "Cedar",
    "Atlas",
    "Nova",
    "Delta",
    "Summit",
    "Harbor",
]
NAME_B = ["Labs", "Systems", "Health", "Logistics", "Retail", "Capital", "Works", "Foods", "Energy", "Media"]
COMMENTS: dict[str, list[str | None]] = {
    "detractor": [
        "Support takes days to answer",
        "The new release broke our reporting",
        "Too expensive for what we use",
        "Onboarding was confusing",
        "Outages every week this quarter",
        "Missing SSO is a blocker",
    ],
    "passive": [
        "Does the job",
        "Good, but the UI is slow",
        "Fine overall, pricing is high",
        "Would like better integrations",
        None,
    ],
    "promoter": [
        "Great product, great team",
        "Our CSM is fantastic",
        "Saved us hours every week",
        "Would love a Salesforce integration",
        None,
    ],
}
TOUCHPOINTS = ["onboarding-complete", "support-resolution", "qbr"]


@dataclass(frozen=True)
class DemoAnswer:
    """One answer as a survey tool would post it in the generic format."""

    payload: dict[str, object]
    submitted_at: datetime


def quarters_ending(today: date, count: int = 4) -> list[tuple[datetime, datetime]]:
    """The last `count` calendar quarters up to and including today's, oldest first."""
    spans = []
    year, q = today.year, (today.month - 1) // 3 + 1
    for _ in range(count):
        start = datetime(year, 3 * (q - 1) + 1, 1, tzinfo=UTC)
        end = datetime(year + (q == 4), (3 * q) % 12 + 1, 1, tzinfo=UTC)
        spans.append((start, min(end, datetime.combine(today, datetime.min.time(), UTC))))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return spans[::-1]


def build_book(accounts: int, seed: int, today: date) -> list[tuple[Account, list[str], float, float]]:
    """Accounts with their contact ids, their base score and their per-quarter drift."""
    rng = random.Random(seed)
    csms = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(12)]
    leads = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(4)]
    sponsors = [f"{rng.choice(FIRST)} {rng.choice(LAST)} (VP)" for _ in range(6)]
    book = []
    names = set()
    for i in range(1, accounts + 1):
        segment = rng.choices(list(SEGMENTS), weights=[s[0] for s in SEGMENTS.values()])[0]
        _, (low, high), (c_low, c_high) = SEGMENTS[segment]
        arr = round(rng.uniform(low, high), -2)
        name = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}"
        while name in names:
            name = f"{name} {rng.choice(['Group', 'Inc', 'Co', 'Holdings'])}"
        names.add(name)
        lead = i % len(leads)
        account = Account(
            account_id=f"acct-{i:03d}",
            name=name,
            segment=segment,
            arr=arr,
            seats=int(arr / rng.uniform(400, 900)),
            industry=rng.choice(INDUSTRIES),
            region=rng.choice(REGIONS),
            lifecycle_stage=rng.choice(STAGES),
            team=AccountTeam(
                csm=csms[i % len(csms)], cs_lead=leads[lead], executive_sponsor=sponsors[i % len(sponsors)]
            ),
            renewal_date=today + timedelta(days=rng.randint(20, 400)),
        )
        contacts = [f"{account.account_id}-c{j:02d}" for j in range(1, rng.randint(c_low, c_high) + 1)]
        base = rng.gauss(7.6, 1.3)
        trajectory = rng.random()
        drift = -1.3 if trajectory < 0.15 else (0.6 if trajectory > 0.85 else 0.0)
        book.append((account, contacts, base, drift))
    return book


def answers(
    book: list[tuple[Account, list[str], float, float]], total: int, seed: int, today: date
) -> list[DemoAnswer]:
    """About `total` answers over the last four quarters, in the order they were submitted."""
    rng = random.Random(seed + 1)
    quarters = quarters_ending(today)
    contacts = sum(len(c) for _, c, _, _ in book)
    rate = total / (contacts * len(quarters))
    result: list[DemoAnswer] = []
    for account, people, base, drift in book:
        for index, (start, end) in enumerate(quarters):
            mean = base + drift * max(0, index - 1)
            for contact in people:
                for _ in range(_draws(rng, rate)):
                    score = max(0, min(10, round(rng.gauss(mean, 1.6))))
                    at = start + (end - start) * rng.random()
                    transactional = rng.random() < 0.12
                    band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    payload: dict[str, object] = {
                        "response_id": f"demo-{len(result) + 1:05d}",
                        "account_id": account.account_id,
                        "contact_id": contact,
                        "score": score,
                        "submitted_at": at.isoformat(timespec="seconds"),
                        "kind": "transactional" if transactional else "relational",
                        "comment": rng.choice(COMMENTS[band]),
                    }
                    if transactional:
                        payload["touchpoint"] = rng.choice(TOUCHPOINTS)
                    result.append(DemoAnswer({k: v for k, v in payload.items() if v is not None}, at))
    result.sort(key=lambda a: a.submitted_at)
    return result


def _draws(rng: random.Random, rate: float) -> int:
    """How many times a contact answers in a quarter: rate on average, rarely twice."""
    whole, part = int(rate), rate - int(rate)
    return whole + (rng.random() < part)


def signals_for(
    book: list[tuple[Account, list[str], float, float]], today: date, seed: int
) -> list[dict[str, object]]:
    """Usage, support and engagement per account and quarter, plus this quarter's commercial facts,
    following each account's NPS trajectory: most declining accounts also lose usage in the latest
    quarter, some see tickets climb, a few stop engaging; improving ones grow. So every combined rule
    fires for some accounts and not for others."""
    rng = random.Random(seed + 3)
    spans = quarters_ending(today)
    signals: list[dict[str, object]] = []
    for account, _, base, drift in book:
        seats = max(account.seats, 5)
        level = min(max(rng.gauss(0.55 + 0.05 * (base - 7.6), 0.12), 0.1), 0.95)
        tickets = max(0, round(rng.gauss(seats / 8, seats / 25)))
        engaged = rng.random() > 0.15
        for index, (start, end) in enumerate(spans):
            latest = index == len(spans) - 1
            if latest and drift < 0 and rng.random() < 0.7:
                level *= rng.uniform(0.5, 0.75)  # usage falls with the NPS: the strong churn signal
            elif latest and drift > 0:
                level = min(level * 1.15, 0.98)
            if latest and drift < 0 and rng.random() < 0.6:
                tickets = round(tickets * rng.uniform(1.4, 2.0)) + 3
            quarter = quarter_of(start)
            as_of = end.isoformat().replace("+00:00", "Z")
            sev1 = min(tickets, rng.randint(0, 2) if drift < 0 else 0)
            facts: list[tuple[str, dict[str, object]]] = [
                ("usage", {"active_users": round(seats * level), "seats": seats}),
                (
                    "support",
                    {
                        "tickets": tickets,
                        "sev1": sev1,
                        "escalations": min(tickets, sev1),
                        "mean_resolution_hours": round(rng.uniform(4, 60), 1),
                    },
                ),
                (
                    "engagement",
                    {
                        "meetings": rng.randint(1, 4) if engaged else 0,
                        "outreach_replies": rng.randint(1, 6) if engaged else rng.randint(0, 1),
                        "email_opens": rng.randint(5, 30) if engaged else rng.randint(0, 3),
                    },
                ),
            ]
            if latest:
                facts.append(("commercial", _commercial(account)))
            for kind, values in facts:
                signals.append(
                    {
                        "account_id": account.account_id,
                        "quarter": quarter,
                        "kind": kind,
                        "as_of": as_of,
                        "values": values,
                    }
                )
    return signals


def _commercial(account: Account) -> dict[str, object]:
    return {
        "arr": account.arr,
        "seats": account.seats,
        "renewal_date": account.renewal_date.isoformat() if account.renewal_date else None,
        "segment": account.segment,
        "industry": account.industry,
        "region": account.region,
        "lifecycle_stage": account.lifecycle_stage,
        "product_lines": ["core"],
        "csm": account.team.csm,
        "cs_lead": account.team.cs_lead,
        "executive_sponsor": account.team.executive_sponsor,
    }

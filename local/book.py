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

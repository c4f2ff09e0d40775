"""What a CS lead wants on Monday morning, read from the tables and the CRM sink."""

from __future__ import annotations

from collections import Counter
from datetime import date

from local.book import quarters_ending
from shared.domain.accounts import Account
from shared.domain.cases import Case, CaseStatus
from shared.domain.models import SurveyKind
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.quarters import quarter_of
from shared.domain.risk import AccountRisk, account_risk
from shared.domain.thresholds import Thresholds
from shared.store.rollups import RollupRepository

PROGRAM = "customer"
OPEN = {CaseStatus.OPEN, CaseStatus.CONTACTED, CaseStatus.ESCALATED, CaseStatus.REOPENED}


def monday_report(
    today: date,
    accounts: list[Account],
    cases: list[Case],
    rollups: RollupRepository,
    crm: Counter[str],
    thresholds: Thresholds,
    top: int = 15,
) -> str:
    quarters = [quarter_of(start) for start, _ in quarters_ending(today)]
    by_quarter = {q: rollups.quarter_portfolio(q, PROGRAM, SurveyKind.RELATIONAL) for q in quarters}
    lines = ["", "PORTFOLIO NPS (relational, one vote per contact per quarter, 95% margin of error)"]
    portfolio = {
        q: nps_of(sum(by_quarter[q].values(), BandCounts()), thresholds.min_sample) for q in quarters
    }
    for quarter in quarters:
        lines.append(f"  {quarter}  {portfolio[quarter]}")
    prior = next((p.nps for p in reversed(portfolio.values()) if p.nps is not None), 0.0)

    open_by_account = Counter(c.account_id for c in cases if c.status in OPEN)
    ranked = _ranked(accounts, quarters, by_quarter, open_by_account, thresholds, prior)
    directory = {a.account_id: a for a in accounts}
    trend_header = "NPS by quarter " + " → ".join(q[-2:] for q in quarters)
    lines += [
        "",
        f"ACCOUNTS BY RISK (top {top} of {len(ranked)}; NPS(n) per quarter, "
        "small samples shrunk to the portfolio)",
        f"  {'risk':>5}  {'account':<30} {'segment':<11} {'ARR':>9}  {trend_header:<40} cases  CSM",
    ]
    for risk in ranked[:top]:
        account = directory[risk.account_id]
        trend = " → ".join(_short(by_quarter[q].get(risk.account_id), thresholds) for q in quarters)
        lines.append(
            f"  {risk.risk:5.1f}  {account.name[:22] + ' ' + account.account_id:<30} {account.segment:<11} "
            f"{account.arr:>9,.0f}  {trend:<40} {risk.open_cases:>5}  {account.team.csm}"
        )

    lines += [
        "",
        f"CASES OPENED: {len(cases)}  "
        + ", ".join(f"{rule} {n}" for rule, n in Counter(c.rule for c in cases).most_common()),
    ]
    owners = Counter(c.owner for c in cases)
    lines.append("  by owner: " + ", ".join(f"{owner} {n}" for owner, n in owners.most_common(6)))
    lines.append("  due first:")
    for case in sorted((c for c in cases if c.status in OPEN), key=lambda c: c.due_at)[:8]:
        owner_account = directory.get(case.account_id)
        lines.append(
            f"    {case.due_at:%a %d %b %H:%M} SLA {case.sla_hours:>3} h  {case.owner:<16} "
            f"{(owner_account.name if owner_account else case.account_id)[:24]:<24} {case.summary[:70]}"
        )

    lines += [
        "",
        "CRM RECEIVED (EventBridge bus → CRM outbox): "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(crm.items())),
    ]
    return "\n".join(lines)


def _ranked(
    accounts: list[Account],
    quarters: list[str],
    by_quarter: dict[str, dict[str, BandCounts]],
    open_cases: Counter[str],
    thresholds: Thresholds,
    prior_nps: float,
) -> list[AccountRisk]:
    risks = []
    for account in accounts:
        stats = [
            nps_of(by_quarter[q].get(account.account_id, BandCounts()), thresholds.min_sample)
            for q in quarters
        ]
        risks.append(account_risk(account.account_id, stats, open_cases[account.account_id], prior_nps))
    arr = {a.account_id: a.arr for a in accounts}
    return sorted(risks, key=lambda r: (r.risk, arr[r.account_id]), reverse=True)


def _short(counts: BandCounts | None, thresholds: Thresholds) -> str:
    stat: NpsStat = nps_of(counts or BandCounts(), thresholds.min_sample)
    return "  -  " if stat.nps is None else f"{stat.nps:+.0f}({stat.n})"

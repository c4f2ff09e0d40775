"""What a CS lead wants on Monday morning, read from the tables and the CRM sink."""

from __future__ import annotations

from collections import Counter
from datetime import date

from local.book import quarters_ending
from shared.domain.accounts import Account
from shared.domain.cases import Case
from shared.domain.models import DEFAULT_PROGRAM
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.quarters import quarter_of
from shared.domain.thresholds import Thresholds
from shared.services.accounts_overview import OPEN_STATUSES, accounts_overview
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

PROGRAM = DEFAULT_PROGRAM


def monday_report(
    today: date,
    accounts: list[Account],
    cases: list[Case],
    rollups: RollupRepository,
    signals: SignalRepository,
    crm: Counter[str],
    thresholds: Thresholds,
    top: int = 15,
) -> str:
    quarters = [quarter_of(start) for start, _ in quarters_ending(today)]
    by_quarter = rollups.relational_portfolios(quarters, PROGRAM)
    lines = ["", "PORTFOLIO NPS (relational, one vote per contact per quarter, 95% margin of error)"]
    portfolio = {
        q: nps_of(sum(by_quarter[q].values(), BandCounts()), thresholds.min_sample) for q in quarters
    }
    for quarter in quarters:
        lines.append(f"  {quarter}  {portfolio[quarter]}")

    ranked = accounts_overview(accounts, quarters, cases, rollups, signals, thresholds, PROGRAM)
    directory = {a.account_id: a for a in accounts}
    trend_header = "NPS(n) by quarter " + " → ".join(q[-2:] for q in quarters)
    lines += [
        "",
        f"ACCOUNTS BY RISK (top {top} of {len(ranked)}; health 0-100 from usage, support, NPS, engagement)",
        f"  {'risk':>5} {'health':>6}  {'account':<30} {'segment':<11} {'ARR':>9}  {trend_header:<40} "
        "rules fired / CSM",
    ]
    for row in ranked[:top]:
        account = row.account
        trend = " → ".join(_short(q.nps) for q in row.nps_by_quarter)
        health = f"{row.health.score:6.0f}" if row.health.score is not None else "     -"
        fired = ", ".join(row.rules_fired) or "-"
        name = f"{account.name[:22]} {account.account_id}"
        lines.append(
            f"  {row.risk:5.1f} {health}  {name:<30} {account.segment:<11} "
            f"{account.arr:>9,.0f}  {trend:<40} {fired[:60]} / {account.team.csm}"
        )

    lines += [
        "",
        f"CASES OPENED: {len(cases)}  "
        + ", ".join(f"{rule} {n}" for rule, n in Counter(c.rule for c in cases).most_common()),
    ]
    owners = Counter(c.owner for c in cases)
    lines.append("  by owner: " + ", ".join(f"{owner} {n}" for owner, n in owners.most_common(6)))
    lines.append("  due first:")
    for case in sorted((c for c in cases if c.status in OPEN_STATUSES), key=lambda c: c.due_at)[:8]:
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


def _short(stat: NpsStat) -> str:
    return "  -  " if stat.nps is None else f"{stat.nps:+.0f}({stat.n})"

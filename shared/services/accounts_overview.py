"""The Monday-morning list: accounts ranked by risk, each with its health and inputs, its NPS for
the last four quarters with margin of error, the rules that fired and the open cases with owners."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account
from shared.domain.cases import Case, CaseStatus
from shared.domain.health import Health, health_of
from shared.domain.models import DEFAULT_PROGRAM
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.quarters import previous_quarter, quarters_ending
from shared.domain.risk import account_risk
from shared.domain.signals import QuarterSignals
from shared.domain.thresholds import Thresholds
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

OPEN_STATUSES = {CaseStatus.OPEN, CaseStatus.CONTACTED, CaseStatus.ESCALATED, CaseStatus.REOPENED}
QUARTERS_SHOWN = 4  # the NPS trend: the quarter asked for and the three before it


class QuarterNps(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    nps: NpsStat


class OpenCase(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    rule: str
    owner: str
    due_at: str
    summary: str


class AccountOverview(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account: Account
    risk: float  # 0 (healthy) .. 100 (act now)
    health: Health
    signals: QuarterSignals
    nps_by_quarter: list[QuarterNps]  # oldest first
    rules_fired: list[str]  # this quarter's, distinct
    open_cases: list[OpenCase]


def accounts_overview(
    accounts: list[Account],
    quarters: list[str],
    cases: list[Case],
    rollups: RollupRepository,
    signals: SignalRepository,
    thresholds: Thresholds,
    program: str = DEFAULT_PROGRAM,
) -> list[AccountOverview]:
    """`quarters` oldest first; the last is the current one. Riskiest first, then by ARR."""
    current, before = quarters[-1], previous_quarter(quarters[-1])
    by_quarter = rollups.relational_portfolios([before, *quarters], program)
    portfolio = nps_of(sum(by_quarter[current].values(), BandCounts()), thresholds.min_sample)
    prior = portfolio.nps if portfolio.nps is not None else 0.0
    cases_by_account: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        cases_by_account[case.account_id].append(case)

    rows = []
    for account in accounts:
        stats = {
            q: nps_of(by_quarter[q].get(account.account_id, BandCounts()), thresholds.min_sample)
            for q in by_quarter
        }
        known = signals.for_quarters(account.account_id, before, current)
        now_signals, before_signals = known[current], known[before]
        health = health_of(
            stats[current], now_signals, stats[before], before_signals, account.segment, thresholds
        )
        account_cases = cases_by_account[account.account_id]
        open_cases = sorted((c for c in account_cases if c.status in OPEN_STATUSES), key=lambda c: c.due_at)
        risk = account_risk(
            account.account_id, [stats[q] for q in quarters], len(open_cases), prior, health.score
        )
        rows.append(
            AccountOverview(
                account=account,
                risk=risk.risk,
                health=health,
                signals=now_signals,
                nps_by_quarter=[QuarterNps(quarter=q, nps=stats[q]) for q in quarters],
                rules_fired=sorted({c.rule for c in account_cases if c.quarter == current}),
                open_cases=[
                    OpenCase(
                        case_id=c.case_id,
                        rule=c.rule,
                        owner=c.owner,
                        due_at=c.due_at.isoformat(),
                        summary=c.summary,
                    )
                    for c in open_cases
                ],
            )
        )
    return sorted(rows, key=lambda r: (r.risk, r.account.arr), reverse=True)


@dataclass(frozen=True)
class AccountList:
    """The account list as the API serves it, read from the stores."""

    accounts: AccountRepository
    cases: CaseRepository
    rollups: RollupRepository
    signals: SignalRepository
    thresholds: Thresholds

    def overview(self, quarter: str | None, limit: int, now: datetime) -> list[AccountOverview]:
        """The `limit` riskiest accounts as of `quarter` (the current one when not given), with the
        NPS trend of the last four quarters."""
        quarters = quarters_ending(quarter, QUARTERS_SHOWN, now)
        ranked = accounts_overview(
            self.accounts.all(), quarters, self.cases.all(), self.rollups, self.signals, self.thresholds
        )
        return ranked[:limit]

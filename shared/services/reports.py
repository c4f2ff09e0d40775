"""The reports, read from the stores: the revenue link, portfolio NPS with significance, and one
account's QBR pack. The arithmetic is in shared/domain/reports.py and qbr.py; this gathers the facts.

Reads per report: the roll-ups' by_quarter index once per quarter, one signals Query per account,
and the cases (all of them for the revenue link; one account's for a QBR).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account
from shared.domain.case_metrics import CaseMetrics, case_metrics
from shared.domain.cases import Case
from shared.domain.health import Health, health_of
from shared.domain.models import DEFAULT_PROGRAM, Band
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.qbr import Agenda, LoopRecord, agenda_for, loop_record
from shared.domain.quarters import previous_quarter, quarters_ending
from shared.domain.reports import (
    ALL,
    AccountQuarter,
    AccountVotes,
    Difference,
    NpsBesideNrr,
    RevenueRow,
    WeightedNps,
    Weighting,
    account_band,
    nps_beside_nrr,
    nps_difference,
    revenue_rows,
    weighted_nps,
)
from shared.domain.signals import QuarterSignals
from shared.domain.thresholds import Thresholds
from shared.services.accounts_overview import OPEN_STATUSES, QUARTERS_SHOWN
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

GROUPINGS = ("segment", "industry", "region", "lifecycle_stage")


class RevenueReport(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarters: list[str]
    by_band: list[RevenueRow]
    save_rates: list[CaseMetrics]  # the closed loop's own figures (shared/domain/case_metrics.py)
    nps_beside_nrr: list[NpsBesideNrr]


def revenue_report(
    accounts: list[Account],
    quarters: list[str],
    cases: list[Case],
    rollups: RollupRepository,
    signals: SignalRepository,
    program: str = DEFAULT_PROGRAM,
) -> RevenueReport:
    """`quarters` oldest first. The quarter before the first is read too, for start ARR and NPS movement."""
    before = previous_quarter(quarters[0])
    votes = rollups.relational_portfolios([before, *quarters], program)
    facts = []
    for account in accounts:
        known = signals.for_quarters(account.account_id, before, quarters[-1])
        for quarter in [before, *quarters]:
            facts.append(_account_quarter(account, quarter, votes[quarter], known))
    segment_of = {a.account_id: a.segment for a in accounts}
    in_range = [f for f in facts if f.quarter in quarters]
    return RevenueReport(
        quarters=quarters,
        by_band=revenue_rows(in_range),
        save_rates=case_metrics([c for c in cases if c.quarter in quarters], segment_of),
        nps_beside_nrr=nps_beside_nrr(facts, [before, *quarters]),
    )


def _account_quarter(
    account: Account, quarter: str, votes: dict[str, BandCounts], known: dict[str, QuarterSignals]
) -> AccountQuarter:
    now, then = known[quarter], known[previous_quarter(quarter)]
    end = now.commercial.arr if now.commercial else None
    start = then.commercial.arr if then.commercial else (end if end is not None else account.arr)
    outcome = now.outcome
    return AccountQuarter(
        account_id=account.account_id,
        quarter=quarter,
        segment=account.segment,
        counts=votes.get(account.account_id, BandCounts()),
        start_arr=start,
        end_arr=end,
        has_outcome=outcome is not None,
        renewed=outcome.renewed if outcome else None,
        churned=outcome.churned if outcome else None,
        expansion_arr=outcome.expansion_arr if outcome else 0.0,
        references_given=outcome.references_given if outcome else 0,
    )


# --- portfolio NPS -----------------------------------------------------------------------------------


class GroupNps(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    group: str  # ALL for the portfolio
    accounts: int  # with votes
    unweighted: WeightedNps
    arr_weighted: WeightedNps
    seat_weighted: WeightedNps


class NpsReport(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarters: list[str]
    grouped_by: str
    groups: list[GroupNps]  # per quarter: the portfolio first, then each group
    # Unweighted two-sample tests: every pair of groups in the last quarter, and each group (and the
    # portfolio) against itself a quarter earlier.
    between_groups: list[Difference]
    quarter_over_quarter: list[Difference]


def nps_report(
    accounts: list[Account],
    quarters: list[str],
    rollups: RollupRepository,
    thresholds: Thresholds,
    grouped_by: str = "segment",
    program: str = DEFAULT_PROGRAM,
) -> NpsReport:
    if grouped_by not in GROUPINGS:
        raise ValueError(f"grouped_by must be one of {GROUPINGS}")
    votes = rollups.relational_portfolios(quarters, program)
    groups: list[GroupNps] = []
    for quarter in quarters:
        members: dict[str, list[AccountVotes]] = defaultdict(list)
        for account in accounts:
            counts = votes[quarter].get(account.account_id)
            if counts is None or counts.n == 0:
                continue
            entry = AccountVotes(counts=counts, arr=account.arr, seats=account.seats)
            members[ALL].append(entry)
            members[str(getattr(account, grouped_by))].append(entry)
        for name in sorted(members, key=lambda g: (g != ALL, g)):
            groups.append(_group_nps(quarter, name, members[name], thresholds.min_sample))
    by_key = {(g.quarter, g.group): g for g in groups}
    last = quarters[-1]
    latest = [g for g in groups if g.quarter == last and g.group != ALL]
    between = [
        d
        for a, b in combinations(latest, 2)
        if (d := nps_difference(a.group, a.unweighted, b.group, b.unweighted)) is not None
    ]
    over: list[Difference] = []
    if len(quarters) > 1:
        before = quarters[-2]
        for group in (g for g in groups if g.quarter == last):
            earlier = by_key.get((before, group.group))
            if earlier is None:
                continue
            d = nps_difference(
                f"{group.group} {last}", group.unweighted, f"{group.group} {before}", earlier.unweighted
            )
            if d is not None:
                over.append(d)
    return NpsReport(
        quarters=quarters,
        grouped_by=grouped_by,
        groups=groups,
        between_groups=between,
        quarter_over_quarter=over,
    )


def _group_nps(quarter: str, name: str, members: list[AccountVotes], min_sample: int) -> GroupNps:
    return GroupNps(
        quarter=quarter,
        group=name,
        accounts=len(members),
        unweighted=weighted_nps(members, Weighting.UNWEIGHTED, min_sample),
        arr_weighted=weighted_nps(members, Weighting.ARR, min_sample),
        seat_weighted=weighted_nps(members, Weighting.SEATS, min_sample),
    )


# --- the QBR pack ------------------------------------------------------------------------------------


class QbrQuarter(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    nps: NpsStat
    band: Band | None
    segment_benchmark: NpsStat  # the account's segment, every account's votes pooled


class QbrCase(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    rule: str
    quarter: str
    status: str
    owner: str
    opened_at: str
    due_at: str
    summary: str


class QbrPack(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account: Account
    quarter: str
    quarters: list[QbrQuarter]  # the last four, oldest first
    band: Band | None  # the latest quarter with votes
    health: Health
    signals: QuarterSignals
    open_cases: list[QbrCase]
    closed_cases: list[QbrCase]
    you_said_we_did: list[LoopRecord]
    agenda: Agenda


def qbr_pack(
    account: Account,
    accounts: list[Account],
    quarters: list[str],
    cases: list[Case],
    rollups: RollupRepository,
    signals: SignalRepository,
    thresholds: Thresholds,
    program: str = DEFAULT_PROGRAM,
) -> QbrPack:
    """`quarters`: the last four, oldest first; `accounts`: the directory (for the segment benchmark);
    `cases`: this account's."""
    current, before = quarters[-1], previous_quarter(quarters[-1])
    votes = rollups.relational_portfolios([before, *quarters], program)
    peers = {a.account_id for a in accounts if a.segment == account.segment}
    rows = []
    for quarter in quarters:
        own = votes[quarter].get(account.account_id, BandCounts())
        segment = sum((c for a, c in votes[quarter].items() if a in peers), BandCounts())
        rows.append(
            QbrQuarter(
                quarter=quarter,
                nps=nps_of(own, thresholds.min_sample),
                band=account_band(own),
                segment_benchmark=nps_of(segment, thresholds.min_sample),
            )
        )
    known = signals.for_quarters(account.account_id, before, current)
    previous_stat = nps_of(votes[before].get(account.account_id, BandCounts()), thresholds.min_sample)
    health = health_of(
        rows[-1].nps, known[current], previous_stat, known[before], account.segment, thresholds
    )
    band = next((row.band for row in reversed(rows) if row.band is not None), None)
    ordered = sorted(cases, key=lambda c: c.opened_at)
    open_cases = [c for c in ordered if c.status in OPEN_STATUSES]
    themes = sorted({t for c in ordered for t in c.evidence.get("themes", []) if t != "praise"})
    outcome = known[current].outcome
    return QbrPack(
        account=account,
        quarter=current,
        quarters=rows,
        band=band,
        health=health,
        signals=known[current],
        open_cases=[_qbr_case(c) for c in open_cases],
        closed_cases=[_qbr_case(c) for c in ordered if c.status not in OPEN_STATUSES],
        you_said_we_did=[r for c in ordered if (r := loop_record(c)) is not None],
        agenda=agenda_for(
            band,
            sorted(open_cases, key=lambda c: c.due_at),  # the most urgent first
            themes,
            health,
            outcome.references_given if outcome else 0,
        ),
    )


def _qbr_case(case: Case) -> QbrCase:
    return QbrCase(
        case_id=case.case_id,
        rule=case.rule,
        quarter=case.quarter,
        status=case.status.value,
        owner=case.owner,
        opened_at=case.opened_at.isoformat(),
        due_at=case.due_at.isoformat(),
        summary=case.summary,
    )


# --- the service, as the API calls it ----------------------------------------------------------------


class AccountNotFound(LookupError):
    """No account with this id in the directory."""


@dataclass(frozen=True)
class Reports:
    """The reports as the API serves them, each ending at `quarter` (the current one when not given)."""

    accounts: AccountRepository
    cases: CaseRepository
    rollups: RollupRepository
    signals: SignalRepository
    thresholds: Thresholds

    def revenue(self, quarter: str | None, quarters: int, now: datetime) -> RevenueReport:
        """The revenue link over the last `quarters` quarters."""
        return revenue_report(
            self.accounts.all(),
            quarters_ending(quarter, quarters, now),
            self.cases.all(),
            self.rollups,
            self.signals,
        )

    def nps(self, quarter: str | None, quarters: int, by: str, now: datetime) -> NpsReport:
        """Portfolio and group NPS over the last `quarters` quarters, grouped `by` an account field."""
        return nps_report(
            self.accounts.all(), quarters_ending(quarter, quarters, now), self.rollups, self.thresholds, by
        )

    def qbr(self, account_id: str, quarter: str | None, now: datetime) -> QbrPack:
        """One account's QBR pack over the last four quarters; AccountNotFound if there is no such account."""
        account = self.accounts.get(account_id)
        if account is None:
            raise AccountNotFound(account_id)
        return qbr_pack(
            account,
            self.accounts.all(),
            quarters_ending(quarter, QUARTERS_SHOWN, now),
            self.cases.for_account(account_id),
            self.rollups,
            self.signals,
            self.thresholds,
        )

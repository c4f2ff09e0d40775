"""The quarterly refresh, pure: an account's quarter snapshot, segment benchmarks (unweighted,
ARR-weighted and seat-weighted NPS with their margin of error), the recalibration of the threshold
set, and the backtest of two sets over the same snapshots.

Weighted NPS is the portfolio report's (shared/domain/reports.py weighted_nps: each account's weight
shared by its voters, the margin of error over Kish's effective sample size), by segment here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from statistics import median

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.account_rules import AccountQuarterFacts, account_rules
from shared.domain.accounts import Account, arr_tier
from shared.domain.nps import BandCounts, NpsStat, change_exceeds_noise, nps_of
from shared.domain.reports import AccountVotes, WeightedNps, Weighting, weighted_nps
from shared.domain.signals import QUARTER_PATTERN, QuarterSignals
from shared.domain.thresholds import ThresholdChange, Thresholds
from shared.domain.triggers import TriggerRule

DIMENSIONS = ("portfolio", "segment", "arr_tier", "industry", "region", "lifecycle_stage", "product_line")
UNKNOWN = "unknown"


class AccountSnapshot(BaseModel):
    """One account at the close of a quarter: its NPS, health and the inputs behind them."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    quarter: str = Field(pattern=QUARTER_PATTERN)
    program: str
    account_id: str
    account: Account | None
    product_lines: list[str] = Field(default_factory=list)
    counts: BandCounts
    previous_counts: BandCounts
    nps: NpsStat
    previous_nps: NpsStat
    health: float | None
    health_missing: list[str] = Field(default_factory=list)
    signals: QuarterSignals
    previous_signals: QuarterSignals
    thresholds_version: str

    def facts(self, min_sample: int) -> AccountQuarterFacts:
        """The account rules' input, the NPS recomputed for the set being tried (its min_sample)."""
        return AccountQuarterFacts(
            account=self.account,
            account_id=self.account_id,
            quarter=self.quarter,
            program=self.program,
            current=nps_of(self.counts, min_sample),
            previous=nps_of(self.previous_counts, min_sample),
            signals=self.signals,
            previous_signals=self.previous_signals,
            source=f"backtest:{self.quarter}",
        )


class SegmentBenchmark(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    dimension: str
    value: str
    accounts: int  # with at least one vote
    n: int
    unweighted: NpsStat
    arr_weighted: WeightedNps
    seat_weighted: WeightedNps


def _values(snapshot: AccountSnapshot, dimension: str, thresholds: Thresholds) -> list[str]:
    account = snapshot.account
    if dimension == "portfolio":
        return ["all"]
    if dimension == "product_line":
        return sorted(set(snapshot.product_lines)) or [UNKNOWN]
    if account is None:
        return [UNKNOWN]
    if dimension == "arr_tier":
        return [arr_tier(account.arr, thresholds.tier_1_min_arr, thresholds.tier_2_min_arr).value]
    return [str(getattr(account, dimension)) or UNKNOWN]


def segment_benchmarks(
    snapshots: Iterable[AccountSnapshot], thresholds: Thresholds
) -> list[SegmentBenchmark]:
    """For every dimension and value: the accounts' votes as unweighted, ARR- and seat-weighted NPS."""
    grouped: dict[tuple[str, str], list[AccountSnapshot]] = defaultdict(list)
    for snapshot in snapshots:
        if snapshot.counts.n == 0:
            continue
        for dimension in DIMENSIONS:
            for value in _values(snapshot, dimension, thresholds):
                grouped[(dimension, value)].append(snapshot)
    benchmarks = []
    for (dimension, value), members in sorted(grouped.items()):
        pooled = sum((m.counts for m in members), BandCounts())
        votes = [
            AccountVotes(
                counts=m.counts,
                arr=m.account.arr if m.account else 0.0,
                seats=m.account.seats if m.account else 0,
            )
            for m in members
        ]
        benchmarks.append(
            SegmentBenchmark(
                dimension=dimension,
                value=value,
                accounts=len(members),
                n=pooled.n,
                unweighted=nps_of(pooled, thresholds.min_sample),
                arr_weighted=weighted_nps(votes, Weighting.ARR, thresholds.min_sample),
                seat_weighted=weighted_nps(votes, Weighting.SEATS, thresholds.min_sample),
            )
        )
    return benchmarks


# --- recalibration ---------------------------------------------------------------------------------


class ThresholdSet(BaseModel):
    """A versioned threshold set and why each recalibrated value is what it is."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    version: str
    quarter: str  # the closed quarter whose data it was recalibrated on
    based_on: str  # the version it was recalibrated from
    thresholds: Thresholds
    changes: list[ThresholdChange]


# Below this many accounts with enough votes in both quarters, the data says too little to move a
# threshold: the configured value stays.
MIN_ACCOUNTS_FOR_RECALIBRATION = 20
# Recalibrated point thresholds are rounded up to this step so sets read as decisions, not noise.
POINTS_STEP = 5.0


def recalibrate(snapshots: list[AccountSnapshot], current: Thresholds, quarter: str) -> ThresholdSet:
    """A new set from `current`: every value kept unless the quarter's data gives a reason, recorded.

    The one data-driven rule: the NPS-drop threshold (trigger 2, and the drop half of triggers 3 and
    4) must be above the typical noise of an account's quarter-over-quarter change; when the median
    account's 95% noise (the two quarters' margins of error in quadrature) exceeds the threshold,
    most drops that fire it are sampling noise, so it rises to that noise (rounded up to 5 points).
    It is never lowered: the configured value is a business decision the data cannot contradict
    by being quiet."""
    noises = []
    for snapshot in snapshots:
        now, before = (nps_of(c, current.min_sample) for c in (snapshot.counts, snapshot.previous_counts))
        if now.n >= current.nps_drop_min_votes and before.n >= current.nps_drop_min_votes:
            assert now.margin_of_error is not None and before.margin_of_error is not None
            noises.append(math.hypot(now.margin_of_error, before.margin_of_error))
    changes = [_drop_threshold(noises, current)]
    new_values = {c.name: c.new for c in changes if c.changed}
    version = f"{quarter}-refresh"
    thresholds = current.model_copy(update=new_values | {"version": version})
    Thresholds.model_validate(thresholds.model_dump())  # the new set obeys the model's constraints
    return ThresholdSet(
        version=version, quarter=quarter, based_on=current.version, thresholds=thresholds, changes=changes
    )


def _drop_threshold(noises: list[float], current: Thresholds) -> ThresholdChange:
    old = current.nps_drop_points
    if len(noises) < MIN_ACCOUNTS_FOR_RECALIBRATION:
        return ThresholdChange(
            name="nps_drop_points",
            old=old,
            new=old,
            changed=False,
            reason=f"kept: {len(noises)} accounts with at least {current.nps_drop_min_votes} votes in both "
            f"quarters, fewer than the {MIN_ACCOUNTS_FOR_RECALIBRATION} needed to say anything",
        )
    typical = round(median(noises), 2)
    if typical <= old:
        return ThresholdChange(
            name="nps_drop_points",
            old=old,
            new=old,
            changed=False,
            reason=f"kept: the median account's quarter-over-quarter noise is {typical} points "
            f"({len(noises)} accounts), within the {old}-point threshold",
        )
    new = math.ceil(typical / POINTS_STEP) * POINTS_STEP
    return ThresholdChange(
        name="nps_drop_points",
        old=old,
        new=new,
        changed=True,
        reason=f"raised: the median account's quarter-over-quarter noise is {typical} points "
        f"({len(noises)} accounts), above the {old}-point threshold, so most drops it caught were noise",
    )


# --- backtest --------------------------------------------------------------------------------------


class BacktestFiring(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    rule: str
    account_id: str
    quarter: str
    dedupe_key: str
    summary: str


class Backtest(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    old_version: str
    new_version: str
    accounts: int
    old: list[BacktestFiring]
    new: list[BacktestFiring]
    only_old: list[str]  # dedupe keys the old set fired and the new one would not
    only_new: list[str]
    by_rule: dict[str, dict[str, int]]  # rule -> {"old": n, "new": n}


def fired(snapshots: Iterable[AccountSnapshot], thresholds: Thresholds) -> list[BacktestFiring]:
    """What the account-level rules (trigger 2's NPS drop and triggers 3, 4, 6, 7) fire over the
    snapshots under one set, in a stable order."""
    firings = []
    for snapshot in snapshots:
        facts = snapshot.facts(thresholds.min_sample)
        firings += _drop_review(facts, thresholds)
        firings += [
            BacktestFiring(
                rule=f.rule.value,
                account_id=f.account_id,
                quarter=f.quarter,
                dedupe_key=f.dedupe_key,
                summary=f.summary,
            )
            for f in account_rules(facts, thresholds)
        ]
    return sorted(firings, key=lambda f: f.dedupe_key)


def _drop_review(facts: AccountQuarterFacts, thresholds: Thresholds) -> list[BacktestFiring]:
    current, previous = facts.current, facts.previous
    if current.nps is None or previous.nps is None or current.n < thresholds.nps_drop_min_votes:
        return []
    drop = previous.nps - current.nps
    if drop <= thresholds.nps_drop_points:
        return []
    noise = "exceeds the noise" if change_exceeds_noise(current, previous) else "within the margin of error"
    return [
        BacktestFiring(
            rule=TriggerRule.NPS_DROP_REVIEW.value,
            account_id=facts.account_id,
            quarter=facts.quarter,
            dedupe_key=f"{TriggerRule.NPS_DROP_REVIEW}#{facts.account_id}#{facts.quarter}#{facts.program}",
            summary=f"Account NPS down {drop:.0f} points ({previous.nps:+.0f} → {current.nps:+.0f}); {noise}",
        )
    ]


def backtest(snapshots: list[AccountSnapshot], old: Thresholds, new: Thresholds, quarter: str) -> Backtest:
    """Both sets over the same snapshots. Deterministic: the same snapshots give the same result."""
    ordered = sorted(snapshots, key=lambda s: s.account_id)
    old_fired, new_fired = fired(ordered, old), fired(ordered, new)
    old_keys, new_keys = {f.dedupe_key for f in old_fired}, {f.dedupe_key for f in new_fired}
    by_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"old": 0, "new": 0})
    for side, firings in (("old", old_fired), ("new", new_fired)):
        for firing in firings:
            by_rule[firing.rule][side] += 1
    return Backtest(
        quarter=quarter,
        old_version=old.version,
        new_version=new.version,
        accounts=len(ordered),
        old=old_fired,
        new=new_fired,
        only_old=sorted(old_keys - new_keys),
        only_new=sorted(new_keys - old_keys),
        by_rule=dict(sorted(by_rule.items())),
    )

"""The quarterly refresh's steps (statemachines/quarterly_refresh.asl.json), each idempotent per
quarter: close the quarter, segment benchmarks, recalibrate the thresholds, backtest; and `replay`,
the same rules over stored history with a given set and no side effects.

Re-running a quarter is safe: snapshots and the quarter's threshold set are written once (the first
close stands), benchmarks and the backtest are derived from them, and ThresholdsRefreshed carries an
event id derived from the new version, so consumers see one refresh per quarter however often it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.domain.accounts import Account
from shared.domain.health import health_of
from shared.domain.models import DEFAULT_PROGRAM, SurveyKind
from shared.domain.nps import nps_of
from shared.domain.quarters import next_quarter, previous_quarter, quarter_of
from shared.domain.refresh import (
    AccountSnapshot,
    BacktestFiring,
    backtest,
    fired,
    recalibrate,
    segment_benchmarks,
)
from shared.domain.rollup import RollupKey
from shared.domain.signals import QUARTER_PATTERN
from shared.domain.thresholds import ThresholdChange, Thresholds
from shared.events import DetailType
from shared.events.data import ThresholdsRefreshedData
from shared.events.publish import envelope, put_events_entry
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.refresh import RefreshRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

# The account-level NPS is the customer program's relational NPS (as in the trigger rules).
PROGRAM = DEFAULT_PROGRAM


class QuarterClosed(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    accounts: int
    written: int  # snapshots written by this run
    kept: int  # snapshots an earlier run wrote (left as they were)


class BenchmarksComputed(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    benchmarks: int


class ThresholdsRecalibrated(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    version: str
    based_on: str
    changes: list[ThresholdChange]
    created: bool  # False on a re-run: the stored set stands


class RefreshStep(BaseModel):
    """One step of statemachines/quarterly_refresh.asl.json, as the state machine passes it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    step: Literal["close", "benchmarks", "recalibrate", "backtest"]
    scheduled_at: AwareDatetime  # the schedule's time: the quarter and the event time come from it
    quarter: str | None = Field(default=None, pattern=QUARTER_PATTERN)  # set by the close step


def quarter_to_close(scheduled_at: datetime) -> str:
    """The schedule fires at a quarter's start: the quarter to close is the one before it."""
    return previous_quarter(quarter_of(scheduled_at))


@dataclass(frozen=True)
class QuarterlyRefresh:
    refresh: RefreshRepository
    accounts: AccountRepository
    rollups: RollupRepository
    signals: SignalRepository
    publisher: EventPublisher
    defaults: Thresholds  # the configured set: the base until a refresh stores one
    bus_name: str

    def run(self, request: RefreshStep) -> BaseModel:
        """The step the state machine asks for; every step after close works on close's quarter."""
        if request.step == "close":
            return self.close(quarter_to_close(request.scheduled_at))
        if request.quarter is None:
            raise ValueError(f"the {request.step} step needs the quarter the close step returned")
        if request.step == "benchmarks":
            return self.benchmark(request.quarter)
        if request.step == "recalibrate":
            return self.recalibrate(request.quarter)
        return self.backtest(request.quarter, request.scheduled_at)

    def close(self, quarter: str) -> QuarterClosed:
        """Snapshot every account's NPS, health and inputs: every account of the directory and every
        account with votes in the quarter."""
        directory = {account.account_id: account for account in self.accounts.all()}
        voted = self.rollups.quarter_portfolio(quarter, PROGRAM, SurveyKind.RELATIONAL)
        written = 0
        account_ids = sorted(directory.keys() | voted.keys())
        for account_id in account_ids:
            snapshot = self.snapshot(account_id, directory.get(account_id), quarter, self.defaults)
            written += self.refresh.put_snapshot(snapshot)
        return QuarterClosed(
            quarter=quarter, accounts=len(account_ids), written=written, kept=len(account_ids) - written
        )

    def snapshot(
        self, account_id: str, account: Account | None, quarter: str, thresholds: Thresholds
    ) -> AccountSnapshot:
        before = previous_quarter(quarter)
        counts = self.rollups.counts(
            RollupKey(account_id=account_id, quarter=quarter, program=PROGRAM, kind=SurveyKind.RELATIONAL)
        )
        previous_counts = self.rollups.counts(
            RollupKey(account_id=account_id, quarter=before, program=PROGRAM, kind=SurveyKind.RELATIONAL)
        )
        known = self.signals.for_quarters(account_id, before, quarter)
        signals, previous_signals = known[quarter], known[before]
        nps, previous_nps = (
            nps_of(counts, thresholds.min_sample),
            nps_of(previous_counts, thresholds.min_sample),
        )
        health = health_of(
            nps, signals, previous_nps, previous_signals, account.segment if account else None, thresholds
        )
        return AccountSnapshot(
            quarter=quarter,
            program=PROGRAM,
            account_id=account_id,
            account=account,
            product_lines=list(signals.commercial.product_lines) if signals.commercial else [],
            counts=counts,
            previous_counts=previous_counts,
            nps=nps,
            previous_nps=previous_nps,
            health=health.score,
            health_missing=health.missing,
            signals=signals,
            previous_signals=previous_signals,
            thresholds_version=thresholds.version,
        )

    def benchmark(self, quarter: str) -> BenchmarksComputed:
        benchmarks = segment_benchmarks(self.refresh.snapshots(quarter), self.defaults)
        self.refresh.put_benchmarks(quarter, benchmarks)
        return BenchmarksComputed(quarter=quarter, benchmarks=len(benchmarks))

    def recalibrate(self, quarter: str) -> ThresholdsRecalibrated:
        version = f"{quarter}-refresh"
        stored = self.refresh.threshold_set(version)
        if stored is None:
            candidate = recalibrate(self.refresh.snapshots(quarter), self._base(quarter), quarter)
            created = self.refresh.put_threshold_set(candidate)
            stored = candidate if created else self.refresh.threshold_set(version)
        else:
            created = False
        assert stored is not None
        return ThresholdsRecalibrated(
            quarter=quarter,
            version=stored.version,
            based_on=stored.based_on,
            changes=stored.changes,
            created=created,
        )

    def backtest(self, quarter: str, now: datetime) -> ThresholdsRefreshedData:
        """The quarter's snapshots through the set it was recalibrated from and the new one; the
        result stored and announced (ThresholdsRefreshed)."""
        new = self.refresh.threshold_set(f"{quarter}-refresh")
        if new is None:
            raise LookupError(f"{quarter} has no recalibrated threshold set: run its recalibration first")
        old = self._version(new.based_on)
        result = backtest(self.refresh.snapshots(quarter), old, new.thresholds, quarter)
        self.refresh.put_backtest(result)
        data = ThresholdsRefreshedData(
            quarter=quarter,
            version=new.version,
            based_on=new.based_on,
            changes=new.changes,
            accounts=result.accounts,
            fired_old=len(result.old),
            fired_new=len(result.new),
            only_old=result.only_old,
            only_new=result.only_new,
        )
        event = envelope(
            DetailType.THRESHOLDS_REFRESHED,
            subject=new.version,
            occurred_at=now,
            correlation_id=f"refresh:{quarter}",
            account_id="_portfolio",
            program=PROGRAM,
            data=data,
        )
        self.publisher.publish([put_events_entry(event, self.bus_name)])
        return data

    def _base(self, quarter: str) -> Thresholds:
        """The set a quarter is recalibrated from: the latest earlier refresh's, else the configured."""
        earlier = [s for s in self.refresh.threshold_sets() if s.quarter < quarter]
        return earlier[-1].thresholds if earlier else self.defaults

    def _version(self, version: str) -> Thresholds:
        if version == self.defaults.version:
            return self.defaults
        stored = self.refresh.threshold_set(version)
        if stored is None:
            raise LookupError(f"threshold set {version} is neither stored nor the configured one")
        return stored.thresholds


class ReplayResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    thresholds_version: str
    quarters: list[str]
    accounts: int
    fired: list[BacktestFiring]
    by_rule: dict[str, int]


def replay(service: QuarterlyRefresh, first: str, last: str, thresholds: Thresholds) -> ReplayResult:
    """Stored history (roll-ups, signals, the directory) quarter by quarter from `first` to `last`,
    through `thresholds`: what it would have fired. Reads only: nothing is written or published."""
    directory = {account.account_id: account for account in service.accounts.all()}
    firings: list[BacktestFiring] = []
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        voted = service.rollups.quarter_portfolio(quarter, PROGRAM, SurveyKind.RELATIONAL)
        snapshots = [
            service.snapshot(account_id, directory.get(account_id), quarter, thresholds)
            for account_id in sorted(directory.keys() | voted.keys())
        ]
        firings += fired(snapshots, thresholds)
        quarter = next_quarter(quarter)
    by_rule: dict[str, int] = {}
    for firing in firings:
        by_rule[firing.rule] = by_rule.get(firing.rule, 0) + 1
    return ReplayResult(
        thresholds_version=thresholds.version,
        quarters=quarters,
        accounts=len(directory),
        fired=firings,
        by_rule=dict(sorted(by_rule.items())),
    )

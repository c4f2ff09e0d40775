"""Signals in: store them (latest as_of wins), then run the combined account rules for every
account·quarter they touched, so a rule that needs NPS and a signal fires whichever comes second."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.account_rules import AccountQuarterFacts, account_rules
from shared.domain.accounts import Account, AccountTeam
from shared.domain.cases import case_from_firing
from shared.domain.models import DEFAULT_PROGRAM, SurveyKind
from shared.domain.nps import NpsStat, nps_of
from shared.domain.quarters import next_quarter, previous_quarter, quarter_of
from shared.domain.rollup import RollupKey
from shared.domain.signals import Commercial, Signal
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerFiring
from shared.events.publish import account_health_changed_entry, case_opened_entry
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

# Signals are about the account; the NPS they combine with is the customer program's relational NPS.
ACCOUNT_PROGRAM = DEFAULT_PROGRAM


class SignalsTaken(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    stored: int
    stale: int  # older than what was stored for the same account·quarter·kind: nothing changed
    opened: list[str]  # case ids


@dataclass(frozen=True)
class AccountSignals:
    signals: SignalRepository
    accounts: AccountRepository
    rollups: RollupRepository
    cases: CaseRepository
    publisher: EventPublisher
    thresholds: Thresholds
    bus_name: str

    def take(self, batch: list[Signal], now: datetime, evaluate_from: str | None = None) -> SignalsTaken:
        """Store the batch; run the account rules for each account·quarter it changed, from the
        quarter `evaluate_from` on if given (older ones are history: stored, no cases opened)."""
        stored = [signal for signal in batch if self.signals.put(signal)]
        current = quarter_of(now)
        for signal in stored:
            # History (an earlier quarter's facts) is kept per quarter but never rewinds the profile.
            if isinstance(signal.values, Commercial) and signal.quarter >= current:
                self._learn_commercial(signal.account_id, signal.values)
        # A quarter's facts are compared with the quarter before: a signal can complete a rule of
        # its own quarter or of the next one (up to the current quarter), whichever came second.
        touched: dict[tuple[str, str], set[str]] = defaultdict(set)
        for signal in stored:
            for quarter in {signal.quarter, next_quarter(signal.quarter)}:
                if quarter <= current and (evaluate_from is None or quarter >= evaluate_from):
                    touched[(signal.account_id, quarter)].add(signal.kind.value)
        # The account·quarters whose own signals changed, so their health did: the latest as_of.
        changed_health: dict[tuple[str, str], datetime] = {}
        for signal in stored:
            key = (signal.account_id, signal.quarter)
            changed_health[key] = max(signal.as_of, changed_health.get(key, signal.as_of))
        opened: list[str] = []
        entries = []
        for (account_id, quarter), kinds in sorted(touched.items()):
            account = self.accounts.get(account_id)
            source = f"signal:{'+'.join(sorted(kinds))}:{quarter}"
            facts = self.facts(account, account_id, quarter, source)
            for firing in account_rules(facts, self.thresholds):
                opening = self.cases.open(case_from_firing(firing, account, now))
                if opening is not None:
                    opened.append(opening.case.case_id)
                    entries.append(case_opened_entry(opening.case, ACCOUNT_PROGRAM, source, self.bus_name))
            if (account_id, quarter) in changed_health:
                as_of = changed_health[(account_id, quarter)]
                entries.append(
                    account_health_changed_entry(facts, kinds, as_of, self.thresholds, self.bus_name, now)
                )
        self.publisher.publish(entries)
        return SignalsTaken(stored=len(stored), stale=len(batch) - len(stored), opened=opened)

    def evaluate(
        self, account: Account | None, account_id: str, quarter: str, source: str
    ) -> list[TriggerFiring]:
        return account_rules(self.facts(account, account_id, quarter, source), self.thresholds)

    def facts(
        self, account: Account | None, account_id: str, quarter: str, source: str
    ) -> AccountQuarterFacts:
        return read_facts(self.signals, self.rollups, self.thresholds, account, account_id, quarter, source)

    def _learn_commercial(self, account_id: str, facts: Commercial) -> None:
        """Commercial facts are also the account's profile: ARR, seats, renewal and its team."""
        known = self.accounts.get(account_id)
        self.accounts.put(
            Account(
                account_id=account_id,
                name=known.name if known else account_id,
                segment=facts.segment,
                arr=facts.arr,
                seats=facts.seats,
                industry=facts.industry,
                region=facts.region,
                lifecycle_stage=facts.lifecycle_stage,
                team=AccountTeam(
                    csm=facts.csm, cs_lead=facts.cs_lead, executive_sponsor=facts.executive_sponsor
                ),
                renewal_date=facts.renewal_date,
            )
        )


def read_facts(
    signals: SignalRepository,
    rollups: RollupRepository,
    thresholds: Thresholds,
    account: Account | None,
    account_id: str,
    quarter: str,
    source: str,
) -> AccountQuarterFacts:
    """An account·quarter as the combined rules and its health read it: the customer program's
    relational NPS for the quarter and the one before, and their signals (two reads and one Query)."""
    before = previous_quarter(quarter)

    def nps(q: str) -> NpsStat:
        key = RollupKey(account_id=account_id, quarter=q, program=ACCOUNT_PROGRAM, kind=SurveyKind.RELATIONAL)
        return nps_of(rollups.counts(key), thresholds.min_sample)

    known = signals.for_quarters(account_id, before, quarter)
    return AccountQuarterFacts(
        account=account,
        account_id=account_id,
        quarter=quarter,
        program=ACCOUNT_PROGRAM,
        current=nps(quarter),
        previous=nps(before),
        signals=known[quarter],
        previous_signals=known[before],
        source=source,
    )

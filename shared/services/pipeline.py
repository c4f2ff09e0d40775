"""The response pipeline's steps (statemachines/response_pipeline.asl.json), in the order they run:
for each, the input the state machine passes it, the output it returns and the service that turns
one into the other. docs/pipeline.md sets them beside the ASL paths that feed them, and
tests/unit/test_pipeline_contract.py ties every path the ASL reads to these models.

The steps fill an outbox: each returns the events it established after those of the steps before
it, and the state machine publishes the outbox with one direct EventBridge PutEvents at the end.
A service is built once per function by shared/wiring/pipeline.py and called once per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, computed_field

from shared.domain.accounts import Account
from shared.domain.cases import case_from_firing
from shared.domain.contact_history import ContactScores
from shared.domain.models import Band, CanonicalResponse, SurveyKind
from shared.domain.nps import NpsStat, nps_of
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.rollup import VoteChange, rollup_key_of, vote_of
from shared.domain.scoring import Play, band_for, play_for
from shared.domain.sentiment import Sentiment, TextAnalyzer
from shared.domain.themes import Theme
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerContext, TriggerFiring, evaluate
from shared.events import DetailType, EventEnvelope
from shared.events.data import AccountNpsChangedData, ResponseScoredData
from shared.events.publish import case_opened_entry, envelope, put_events_entry

if TYPE_CHECKING:
    # Only their types: one Lambda function runs one step, and its cold start should not load the
    # others' repositories (shared/wiring/pipeline.py builds each step with its own).
    from shared.store.accounts import AccountRepository
    from shared.store.cases import CaseRepository
    from shared.store.rollups import RollupRepository
    from shared.store.signals import SignalRepository

Entry = dict[str, Any]


class ResponseStep(BaseModel):
    """What every step gets: the response, and its key (the correlation id in every step's logs)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    response_key: str
    response: CanonicalResponse


# --- Score: band, play, quarter, themes and sentiment ---------------------------------------------


class Scored(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    band: Band
    play: Play
    quarter: str
    themes: list[Theme]
    sentiment: Sentiment | None = None  # None when the answer has no comment
    sentiment_score: float | None = None
    events: list[Entry]


@dataclass(frozen=True)
class Score:
    analyzer: TextAnalyzer
    bus_name: str

    def __call__(self, step: ResponseStep) -> Scored:
        response = step.response
        band, play, quarter = (
            band_for(response.score),
            play_for(response.score),
            quarter_of(response.submitted_at),
        )
        tags = [tag for tag in response.properties.get("tags", "").split(",") if tag]
        analysis = self.analyzer.analyze(response.comment, tags)
        themes = analysis.themes
        data = ResponseScoredData(
            response_key=response.key,
            contact_id=response.contact_id,
            score=response.score,
            band=band,
            play=play,
            quarter=quarter,
            kind=response.kind.value,
            touchpoint=response.touchpoint,
            comment=response.comment,
            themes=themes,
            sentiment=analysis.sentiment,
            sentiment_score=analysis.sentiment_score,
        )
        event = _event(DetailType.RESPONSE_SCORED, response.revision_key, response, data)
        return Scored(
            band=band,
            play=play,
            quarter=quarter,
            themes=themes,
            sentiment=analysis.sentiment,
            sentiment_score=analysis.sentiment_score,
            events=[put_events_entry(event, self.bus_name)],
        )


# --- Aggregate: the contact's vote in the account·quarter roll-up -----------------------------------


class AggregateStep(ResponseStep):
    outbox: list[Entry]  # the events earlier steps produced, published together at the end


class Aggregated(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    change: VoteChange
    current: NpsStat
    previous: NpsStat
    history: ContactScores  # the contact's recent scores, this one included
    events: list[Entry]


@dataclass(frozen=True)
class Aggregate:
    rollups: RollupRepository
    thresholds: Thresholds
    bus_name: str

    def __call__(self, step: AggregateStep) -> Aggregated:
        response, rollups = step.response, self.rollups
        key = rollup_key_of(response)
        change, counts = rollups.record_vote(key, vote_of(response))
        previous_key = key.model_copy(update={"quarter": previous_quarter(key.quarter)})
        current, previous = (
            nps_of(counts, self.thresholds.min_sample),
            nps_of(rollups.settled_counts(previous_key), self.thresholds.min_sample),
        )
        events = list(step.outbox)
        # A vote an earlier try counted is announced again, under the same event id: that try may
        # have failed before its events were published. (Its figures are the counters as they are now.)
        if change.moves_counters or change.counted_before:
            data = AccountNpsChangedData(
                quarter=key.quarter,
                kind=key.kind.value,
                nps=current,
                previous_quarter=previous_key.quarter,
                previous_nps=previous,
                promoters=counts.promoters,
                passives=counts.passives,
                detractors=counts.detractors,
            )
            # One event per vote that moved the counters: the response (revision) key makes it unique.
            event = _event(DetailType.ACCOUNT_NPS_CHANGED, response.revision_key, response, data)
            events.append(put_events_entry(event, self.bus_name))
        history = rollups.record_contact_score(
            response.account_id, response.contact_id, response.key, response.score, response.submitted_at
        )
        return Aggregated(change=change, current=current, previous=previous, history=history, events=events)


# --- EvaluateTriggers: every rule the response can fire ------------------------------------------


class EvaluateStep(ResponseStep):
    current: NpsStat
    previous: NpsStat
    themes: list[Theme]
    history: ContactScores
    sentiment: Sentiment | None = None  # the comment's, from Score (None: no comment)


class Evaluated(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account: Account | None
    firings: list[TriggerFiring]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fired(self) -> bool:
        return bool(self.firings)


@dataclass(frozen=True)
class EvaluateTriggers:
    """Every rule this response can fire: its own (1 detractor, 6 declining scores, 7 plays), its
    account's quarter (2 NPS drop; 3, 4, 6, 7 combined with signals, which may have come first) and
    its themes across accounts (5). Theme mentions are recorded here, where the account's ARR is known."""

    accounts: AccountRepository
    signals: SignalRepository
    rollups: RollupRepository
    thresholds: Thresholds

    def __call__(self, step: EvaluateStep) -> Evaluated:
        from shared.domain.account_rules import (
            AccountQuarterFacts,
            ResponseFacts,
            account_rules,
            response_rules,
            theme_routing,
        )

        response, thresholds = step.response, self.thresholds
        account = self.accounts.get(response.account_id)
        quarter = quarter_of(response.submitted_at)
        known = self.signals.for_quarters(response.account_id, previous_quarter(quarter), quarter)
        quarter_signals, earlier_signals = known[quarter], known[previous_quarter(quarter)]
        context = TriggerContext(
            response=response, account=account, current=step.current, previous=step.previous
        )
        firings = evaluate(context, thresholds)
        if response.kind is SurveyKind.RELATIONAL:
            facts = AccountQuarterFacts(
                account=account,
                account_id=response.account_id,
                quarter=quarter,
                program=response.program,
                current=step.current,
                previous=step.previous,
                signals=quarter_signals,
                previous_signals=earlier_signals,
                source=response.key,
            )
            firings += account_rules(facts, thresholds)
        response_facts = ResponseFacts(
            response=response,
            account=account,
            themes=step.themes,
            sentiment=step.sentiment,
            history=step.history,
            signals=quarter_signals,
            previous_signals=earlier_signals,
        )
        firings += response_rules(response_facts, thresholds)
        for theme in step.themes:
            news = self.rollups.record_theme_mention(
                quarter,
                theme.value,
                response.account_id,
                account.arr if account else None,
                response.comment,
                response.key,
            )
            if news is None:
                continue  # this account raised the theme before: the accounts behind it are unchanged
            routed = theme_routing(theme, quarter, *news, thresholds, source=response.key)
            if routed is not None:
                firings.append(routed)
        return Evaluated(account=account, firings=firings)


# --- OpenCases: one tracked case per firing -------------------------------------------------------


class OpenCasesStep(ResponseStep):
    account: Account | None
    firings: list[TriggerFiring]
    outbox: list[Entry]


class CasesOpened(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    opened: list[str]
    events: list[Entry]


@dataclass(frozen=True)
class OpenCases:
    cases: CaseRepository
    bus_name: str

    def __call__(self, step: OpenCasesStep, now: datetime) -> CasesOpened:
        opened: list[str] = []
        events = list(step.outbox)
        for firing in step.firings:
            case = case_from_firing(firing, step.account, now)
            opening = self.cases.open(case, attempt=step.response.revision_key)
            if opening is None:
                continue  # this rule already fired for this account and quarter
            if opening.written:
                opened.append(opening.case.case_id)
            events.append(
                case_opened_entry(opening.case, step.response.program, step.response.key, self.bus_name)
            )
        return CasesOpened(opened=opened, events=events)


def _event(
    detail_type: DetailType,
    subject: str,
    response: CanonicalResponse,
    data: BaseModel,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    return envelope(
        detail_type,
        subject=subject,
        occurred_at=occurred_at or response.submitted_at,
        correlation_id=response.key,
        account_id=response.account_id,
        program=response.program,
        data=data,
    )

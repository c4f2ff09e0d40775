"""The response pipeline's steps: each a function of the step input and its collaborators.

The steps fill an outbox: each returns the events it established after those of the steps before
it, and the state machine publishes the outbox with one direct EventBridge PutEvents at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from shared.domain.accounts import Account
from shared.domain.cases import case_from_firing
from shared.domain.models import Band, CanonicalResponse
from shared.domain.nps import NpsStat, nps_of
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.rollup import VoteChange, rollup_key_of, vote_of
from shared.domain.scoring import Play, band_for, play_for
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerContext, TriggerFiring, evaluate
from shared.events import DetailType, EventEnvelope, envelope, put_events_entry
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository

Entry = dict[str, Any]


class Scored(BaseModel):
    model_config = ConfigDict(frozen=True)

    band: Band
    play: Play
    quarter: str
    events: list[Entry]


class ResponseScoredData(BaseModel):
    response_key: str
    contact_id: str
    score: int
    band: Band
    play: Play
    quarter: str
    kind: str
    touchpoint: str | None
    comment: str | None


def score(response: CanonicalResponse, bus_name: str) -> Scored:
    band, play, quarter = (
        band_for(response.score),
        play_for(response.score),
        quarter_of(response.submitted_at),
    )
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
    )
    event = _event(DetailType.RESPONSE_SCORED, response.revision_key, response, data)
    return Scored(band=band, play=play, quarter=quarter, events=[put_events_entry(event, bus_name)])


class Aggregated(BaseModel):
    model_config = ConfigDict(frozen=True)

    change: VoteChange
    current: NpsStat
    previous: NpsStat
    events: list[Entry]


class AccountNpsChangedData(BaseModel):
    quarter: str
    kind: str
    nps: NpsStat
    previous_quarter: str
    previous_nps: NpsStat
    promoters: int
    passives: int
    detractors: int


def aggregate(
    response: CanonicalResponse,
    outbox: list[Entry],
    rollups: RollupRepository,
    thresholds: Thresholds,
    bus_name: str,
) -> Aggregated:
    key = rollup_key_of(response)
    change, counts = rollups.record_vote(key, vote_of(response))
    previous_key = key.model_copy(update={"quarter": previous_quarter(key.quarter)})
    current, previous = (
        nps_of(counts, thresholds.min_sample),
        nps_of(rollups.counts(previous_key), thresholds.min_sample),
    )
    events = list(outbox)
    if change.moves_counters:
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
        events.append(put_events_entry(event, bus_name))
    return Aggregated(change=change, current=current, previous=previous, events=events)


class Evaluated(BaseModel):
    model_config = ConfigDict(frozen=True)

    account: Account | None
    firings: list[TriggerFiring]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fired(self) -> bool:
        return bool(self.firings)


def evaluate_triggers(
    response: CanonicalResponse,
    current: NpsStat,
    previous: NpsStat,
    accounts: AccountRepository,
    thresholds: Thresholds,
) -> Evaluated:
    account = accounts.get(response.account_id)
    context = TriggerContext(response=response, account=account, current=current, previous=previous)
    return Evaluated(account=account, firings=evaluate(context, thresholds))


class CasesOpened(BaseModel):
    model_config = ConfigDict(frozen=True)

    opened: list[str]
    events: list[Entry]


def open_cases(
    response: CanonicalResponse,
    firings: list[TriggerFiring],
    account: Account | None,
    outbox: list[Entry],
    cases: CaseRepository,
    bus_name: str,
    now: datetime,
) -> CasesOpened:
    opened: list[str] = []
    events = list(outbox)
    for firing in firings:
        case = case_from_firing(firing, account, now)
        if not cases.open(case):
            continue  # this rule already fired for this account and quarter
        opened.append(case.case_id)
        event = _event(DetailType.CASE_OPENED, case.case_id, response, case, occurred_at=now)
        events.append(put_events_entry(event, bus_name))
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

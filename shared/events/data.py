"""The data model of every event that is not a domain object itself (a case is
shared/domain/cases.py Case, a renewal checkpoint and an expansion play are domain models too).
Each is registered in shared/events/catalog.py CATALOG with its version."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.health import Health
from shared.domain.models import Band
from shared.domain.nps import NpsStat
from shared.domain.scoring import Play
from shared.domain.sentiment import Sentiment
from shared.domain.surveys import SuppressionReason
from shared.domain.themes import Theme
from shared.domain.thresholds import ThresholdChange


# An answer scored: one per response revision (the pipeline's Score step).
class ResponseScoredData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    response_key: str
    contact_id: str
    score: int
    band: Band
    play: Play
    quarter: str
    kind: str
    touchpoint: str | None
    comment: str | None
    themes: list[Theme]
    sentiment: Sentiment | None = None
    sentiment_score: float | None = None


# A vote moved an account·quarter's NPS (the pipeline's Aggregate step).
class AccountNpsChangedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    quarter: str
    kind: str
    nps: NpsStat
    previous_quarter: str
    previous_nps: NpsStat
    promoters: int
    passives: int
    detractors: int


class AccountHealthChangedData(BaseModel):
    """An account·quarter's health after signals changed it (shared/domain/health.py: usage 40%,
    support 20%, NPS 20%, engagement 20% by default), with its inputs and the gaps, so a CRM never
    shows a guess as a measure."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    score: float | None = Field(ge=0, le=100)  # None when every input is missing
    health: Health
    signal_kinds: list[str]  # the kinds of signal whose arrival changed it


class SurveyRequestedData(BaseModel):
    """Ask this contact, through this vendor connection, about this touchpoint."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    request_id: str
    account_id: str
    contact_id: str
    email: str
    program: str
    kind: str  # relational | transactional
    touchpoint: str
    due_at: datetime
    connection: str  # which vendor connection sends it (the API destination's)
    delay_seconds: int = Field(ge=0)  # Delighted's `delay`: wait this long before sending
    source: str  # what asked for it: the planner, a case id, a renewal
    properties: dict[str, str]  # passed to the vendor, and back to us with the answer


class SurveySuppressedData(BaseModel):
    """A survey that was due and not sent, and the fatigue rule that stopped it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    request_id: str
    account_id: str
    contact_id: str
    program: str
    touchpoint: str
    due_at: datetime
    reason: SuppressionReason
    detail: str
    source: str


class ThresholdsRefreshedData(BaseModel):
    """The quarterly refresh's result: the new threshold set and what it would have changed."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    version: str
    based_on: str
    changes: list[ThresholdChange]
    accounts: int
    fired_old: int
    fired_new: int
    only_old: list[str]
    only_new: list[str]

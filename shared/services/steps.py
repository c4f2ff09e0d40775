"""Step inputs as the state machine passes them (see statemachines/response_pipeline.asl.json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account
from shared.domain.contact_history import ContactScores
from shared.domain.models import CanonicalResponse
from shared.domain.nps import NpsStat
from shared.domain.sentiment import Sentiment
from shared.domain.themes import Theme
from shared.domain.triggers import TriggerFiring


class ResponseStep(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    response_key: str  # the correlation id in every step's logs
    response: CanonicalResponse


class AggregateStep(ResponseStep):
    outbox: list[dict[str, Any]]  # the events earlier steps produced, published together at the end


class EvaluateStep(ResponseStep):
    current: NpsStat
    previous: NpsStat
    themes: list[Theme]
    history: ContactScores
    sentiment: Sentiment | None = None  # the comment's, from Score (None: no comment)


class OpenCasesStep(ResponseStep):
    account: Account | None
    firings: list[TriggerFiring]
    outbox: list[dict[str, Any]]

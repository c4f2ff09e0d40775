"""Step inputs as the state machine passes them (see statemachines/response_pipeline.asl.json)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account
from shared.domain.models import CanonicalResponse
from shared.domain.nps import NpsStat
from shared.domain.triggers import TriggerFiring


class ResponseStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    response_key: str  # the correlation id in every step's logs
    response: CanonicalResponse


class EvaluateStep(ResponseStep):
    current: NpsStat
    previous: NpsStat


class OpenCasesStep(ResponseStep):
    account: Account | None
    firings: list[TriggerFiring]

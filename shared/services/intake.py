"""Intake: store a response once, then start its pipeline run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.domain.models import CanonicalResponse
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository


class IntakeStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


class IntakeResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: IntakeStatus
    response_key: str


def accept(
    response: CanonicalResponse, responses: ResponseRepository, pipeline: PipelineStarter, now: datetime
) -> IntakeResult:
    if not responses.put_new(response, received_at=now):
        return IntakeResult(status=IntakeStatus.DUPLICATE, response_key=response.key)
    try:
        pipeline.start(response)
    except Exception:
        # Undo the write so the vendor's retry of this delivery is taken as new, not as a duplicate.
        responses.delete(response.key)
        raise
    return IntakeResult(status=IntakeStatus.ACCEPTED, response_key=response.key)

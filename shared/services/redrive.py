"""Redrive: run the responses that ended on the pipeline's failure path through it again."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.models import CanonicalResponse
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository


class RedriveResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    restarted: list[str]  # execution names


def redrive_failed(responses: ResponseRepository, pipeline: PipelineStarter) -> RedriveResult:
    """Run every response that ended on the pipeline's failure path through it again. Safe to repeat:
    each step is idempotent (one vote per contact, one case per firing, event ids from facts)."""
    restarted = []
    for item in responses.failed():
        response = CanonicalResponse.model_validate(item["response"])
        attempt = responses.next_redrive(response.key)
        restarted.append(pipeline.start(response, attempt=attempt).rsplit(":", 1)[-1])
    return RedriveResult(restarted=restarted)

"""Redrive: run the responses that ended on the pipeline's failure path through it again, and put
dead-lettered events back on their way (shared/store/dead_letters.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.models import CanonicalResponse
from shared.store.dead_letters import DeadLetterQueue, DeadLetters
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository


class RedriveResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    restarted: list[str]  # execution names
    dead_letters: dict[str, int] = {}  # DLQ name → events put back on their way


def redrive_failed(responses: ResponseRepository, pipeline: PipelineStarter) -> RedriveResult:
    """Run every response that ended on the pipeline's failure path through it again. Safe to repeat:
    each step is idempotent (one vote per contact, one case per firing, event ids from facts)."""
    restarted = []
    for item in responses.failed():
        response = CanonicalResponse.model_validate(item["response"])
        attempt = responses.next_redrive(response.key)
        restarted.append(pipeline.start(response, attempt=attempt).rsplit(":", 1)[-1])
    return RedriveResult(restarted=restarted)


def redrive_all(
    responses: ResponseRepository,
    pipeline: PipelineStarter,
    dead_letters: DeadLetters,
    queues: list[DeadLetterQueue],
) -> RedriveResult:
    """What an operator runs once the cause is fixed (a CRM's credentials, a bug): failed responses
    through the pipeline again, then every dead-lettered event back to where it failed."""
    failed = redrive_failed(responses, pipeline)
    moved = {queue.name: dead_letters.redrive(queue) for queue in queues}
    return RedriveResult(restarted=failed.restarted, dead_letters=moved)

"""Intake: store a response (or a newer revision of it) once, then start its pipeline run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.domain.models import CanonicalResponse
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository, Revision
from shared.vendors.generic import GenericResponse, to_canonical


class IntakeStatus(StrEnum):
    ACCEPTED = "accepted"  # new: stored and running through the pipeline
    REVISED = "revised"  # a newer revision of a stored response: stored and running through again
    DUPLICATE = "duplicate"  # taken before: nothing written
    STALE = "stale"  # older than the stored revision: nothing written
    QUARANTINED = "quarantined"  # account unknown yet: held until the contact directory knows it
    IGNORED = "ignored"  # a real delivery without an NPS answer (a decline, an unanswered survey)
    PING = "ping"  # the vendor's test delivery


class IntakeResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: IntakeStatus
    response_key: str | None = None
    reason: str | None = None

    @property
    def http_status(self) -> int:
        """202 where work was started or kept for later, 200 where there was nothing to do."""
        taken = {IntakeStatus.ACCEPTED, IntakeStatus.REVISED, IntakeStatus.QUARANTINED}
        return 202 if self.status in taken else 200


def accept(
    response: CanonicalResponse,
    responses: ResponseRepository,
    pipeline: PipelineStarter,
    now: datetime,
    event_id: str | None = None,
) -> IntakeResult:
    """Store and run a response once. With the vendor's event id, a later event for a stored
    response is a revision: taken if it is newer, whatever order the events arrive in."""
    if responses.put_new(response, received_at=now, event_id=event_id):
        try:
            pipeline.start(response)
        except Exception:
            # Undo the write so the vendor's retry of this delivery is taken as new, not as a duplicate.
            responses.delete(response.key)
            raise
        return IntakeResult(status=IntakeStatus.ACCEPTED, response_key=response.key)
    if event_id is None:
        return IntakeResult(status=IntakeStatus.DUPLICATE, response_key=response.key)
    revision = responses.revise(response, received_at=now, event_id=event_id)
    if revision is not Revision.REVISED:
        return IntakeResult(status=IntakeStatus(revision.value), response_key=response.key)
    try:
        pipeline.start(response)
    except Exception as error:
        # The revision is stored and its event id taken, so a retry would be a duplicate: park it
        # on the failure index instead, where redrive finds it.
        responses.park(response.key, f"pipeline start failed: {error}", now)
    return IntakeResult(status=IntakeStatus.REVISED, response_key=response.key)


@dataclass(frozen=True)
class Intake:
    """POST /v1/responses: a response in the generic format, stored once and run."""

    responses: ResponseRepository
    pipeline: PipelineStarter

    def submit(self, response: GenericResponse, now: datetime) -> IntakeResult:
        return accept(to_canonical(response), self.responses, self.pipeline, now)

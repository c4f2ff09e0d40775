"""The one event envelope every npsops event travels in, and the catalog of detail types.

Consumers (CRMs, Slack, queues) match on `detail-type` and read `detail`, which is an EventEnvelope.
The envelope's `event_id` is derived from what happened, so a redelivered or replayed event carries
the same id and consumers can deduplicate on it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

BUS_NAME = "npsops"
SOURCE = "npsops"
ENVELOPE_VERSION = "1"


class DetailType(StrEnum):
    RESPONSE_SCORED = "ResponseScored"
    ACCOUNT_NPS_CHANGED = "AccountNpsChanged"
    CASE_OPENED = "CaseOpened"


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    envelope_version: str = ENVELOPE_VERSION
    event_id: str
    detail_type: DetailType
    occurred_at: datetime
    correlation_id: str  # the response key, from intake to the last event
    account_id: str
    program: str
    data: dict[str, Any]


def envelope(
    detail_type: DetailType,
    subject: str,
    occurred_at: datetime,
    correlation_id: str,
    account_id: str,
    program: str,
    data: BaseModel,
) -> EventEnvelope:
    return EventEnvelope(
        event_id=f"{detail_type}:{subject}",
        detail_type=detail_type,
        occurred_at=occurred_at,
        correlation_id=correlation_id,
        account_id=account_id,
        program=program,
        data=data.model_dump(mode="json"),
    )


def put_events_entry(event: EventEnvelope, bus_name: str) -> dict[str, Any]:
    """A PutEvents entry. Step Functions' optimised integration serialises the Detail object."""
    return {
        "EventBusName": bus_name,
        "Source": SOURCE,
        "DetailType": event.detail_type.value,
        "Detail": event.model_dump(mode="json"),
    }


class RuleSpec(BaseModel):
    """A bus rule, defined once for CDK and the local runtime."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    pattern: dict[str, Any]


# Every npsops event goes to the CRM outbox queue; CRM-specific rules (HubSpot, Salesforce, Slack)
# sit beside it and filter by detail type.
CRM_OUTBOX_RULE = RuleSpec(
    name="crm-outbox",
    description="Every npsops event to the CRM outbox queue",
    pattern={"source": [SOURCE]},
)
RULES = (CRM_OUTBOX_RULE,)

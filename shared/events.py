"""The one event envelope every npsops event travels in, and the detail types it can carry.

Consumers (CRMs, Slack, queues) match on `detail-type` and read `detail`, which is an EventEnvelope.
The envelope's `event_id` is derived from what happened, so a redelivered or replayed event carries
the same id and consumers can deduplicate on it. Each detail type's `data` has one pydantic model and
a version, registered in shared/event_catalog.py CATALOG (read its docstring to add a detail type).
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
    ACCOUNT_HEALTH_CHANGED = "AccountHealthChanged"
    CASE_ESCALATED = "CaseEscalated"
    CASE_CONTACTED = "CaseContacted"
    CASE_RESOLVED = "CaseResolved"
    CASE_RECOVERED = "CaseRecovered"
    CASE_REOPENED = "CaseReopened"
    RENEWAL_CHECKPOINT_REACHED = "RenewalCheckpointReached"
    EXPANSION_OPPORTUNITY = "ExpansionOpportunity"
    SURVEY_REQUESTED = "SurveyRequested"
    SURVEY_SUPPRESSED = "SurveySuppressed"
    THRESHOLDS_REFRESHED = "ThresholdsRefreshed"


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    envelope_version: str = ENVELOPE_VERSION
    event_id: str
    detail_type: DetailType
    data_version: str  # the version of `data`'s model (shared/event_catalog.py), bumped on any change
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
    # Imported here: the catalog imports the data models, whose modules import this one.
    from shared.event_catalog import CATALOG

    entry = CATALOG.entry(detail_type)
    if not isinstance(data, entry.model):
        raise TypeError(
            f"{detail_type} carries {entry.model.__name__} (shared/event_catalog.py), "
            f"not {type(data).__name__}"
        )
    return EventEnvelope(
        event_id=f"{detail_type}:{subject}",
        detail_type=detail_type,
        data_version=entry.version,
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

    model_config = ConfigDict(frozen=True, defer_build=True)

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

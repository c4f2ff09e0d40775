"""The one event envelope every npsops event travels in, the detail types it can carry, and the
bus rules defined once for CDK and the local runtime.

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
    data_version: str  # the version of `data`'s model (shared/events/catalog.py), bumped on any change
    occurred_at: datetime
    correlation_id: str  # the response key, from intake to the last event
    account_id: str
    program: str
    data: dict[str, Any]


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

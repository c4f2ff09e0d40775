"""Settings, validated once at cold start from the environment. A missing setting fails loudly.

Every function reads the same environment (`_read`); each settings class declares the fields its
functions need, and pydantic ignores the rest, so a function missing a setting it needs fails at cold
start naming it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.surveys import FatiguePolicy
from shared.domain.thresholds import Thresholds
from shared.store.schema import TABLES

# Connection secrets live under this Secrets Manager prefix, so the functions' IAM policy can name it.
SECRETS_PREFIX = "npsops/connections/"


class Settings(BaseModel):
    # Deferred: a function builds only the settings class it validates (at cold start, in from_env).
    model_config = ConfigDict(frozen=True, defer_build=True)

    responses_table: str = Field(min_length=3)
    rollups_table: str = Field(min_length=3)
    cases_table: str = Field(min_length=3)
    accounts_table: str = Field(min_length=3)
    connections_table: str = Field(min_length=3)
    contacts_table: str = Field(min_length=3)
    quarantine_table: str = Field(min_length=3)
    signals_table: str = Field(min_length=3)
    renewals_table: str = Field(min_length=3)
    event_bus_name: str = Field(min_length=1)
    # Where events the bus refused are parked for redrive (shared/store/bus.py); every function that
    # publishes has it, and without it such an event fails the request instead.
    unpublished_events_queue_url: str | None = None
    thresholds: Thresholds

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        return cls.model_validate(_read(env or os.environ))


class IntakeSettings(Settings):
    pipeline_arn: str = Field(min_length=20)
    max_body_bytes: int = Field(ge=1024)


class ImportSettings(Settings):
    """The bulk-import functions: the common settings and the bucket holding uploads and imports."""

    imports_bucket: str = Field(min_length=3, max_length=63)


class SurveySettings(Settings):
    """The survey planner and the quarterly refresh: their tables, the fatigue rules, and the vendor
    connection SurveyRequested names (the API destination configured for it)."""

    surveys_table: str = Field(min_length=3)
    refresh_table: str = Field(min_length=3)
    survey_connection: str = Field(min_length=1)
    fatigue: FatiguePolicy


class RenewalSettings(SurveySettings):
    """The renewal escalation's functions: the common settings and the workflow they start and resume."""

    renewal_escalation_arn: str = Field(min_length=20)


class PrivacySettings(Settings):
    """The privacy API: every table that may hold a contact's data, and the audit of its requests."""

    surveys_table: str = Field(min_length=3)
    audit_table: str = Field(min_length=3)


def _read(env: Mapping[str, str]) -> dict[str, object]:
    tables = {f"{spec.logical_name.lower()}_table": env.get(spec.env_var) for spec in TABLES}
    return tables | {
        "event_bus_name": env.get("EVENT_BUS_NAME"),
        "unpublished_events_queue_url": env.get("UNPUBLISHED_EVENTS_QUEUE_URL"),
        # The versioned threshold set as JSON; absent means the documented defaults
        # (docs/cs-leads.md#thresholds-and-their-defaults).
        "thresholds": json.loads(env.get("THRESHOLDS_JSON") or "{}"),
        # The fatigue rules as JSON, the same way.
        "fatigue": json.loads(env.get("FATIGUE_POLICY_JSON") or "{}"),
        "pipeline_arn": env.get("PIPELINE_ARN"),
        "max_body_bytes": env.get("MAX_BODY_BYTES"),
        "imports_bucket": env.get("IMPORTS_BUCKET"),
        "survey_connection": env.get("SURVEY_CONNECTION"),
        "renewal_escalation_arn": env.get("RENEWAL_ESCALATION_ARN"),
    }

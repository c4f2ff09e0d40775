"""Settings, validated once at cold start from the environment. A missing setting fails loudly."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.surveys import FatiguePolicy
from shared.domain.thresholds import Thresholds
from shared.store.schema import (
    ACCOUNTS,
    AUDIT,
    CASES,
    CONNECTIONS,
    CONTACTS,
    QUARANTINE,
    REFRESH,
    RENEWALS,
    RESPONSES,
    ROLLUPS,
    SIGNALS,
    SURVEYS,
)

# Connection secrets live under this Secrets Manager prefix, so the functions' IAM policy can name it.
SECRETS_PREFIX = "npsops/connections/"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

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
    thresholds: Thresholds

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        return cls.model_validate(_read(env or os.environ))


class IntakeSettings(Settings):
    pipeline_arn: str = Field(min_length=20)
    max_body_bytes: int = Field(ge=1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IntakeSettings:
        env = env or os.environ
        return cls.model_validate(
            _read(env)
            | {"pipeline_arn": env.get("PIPELINE_ARN"), "max_body_bytes": env.get("MAX_BODY_BYTES")}
        )


class ImportSettings(Settings):
    """The bulk-import functions: the common settings and the bucket holding uploads and imports."""

    imports_bucket: str = Field(min_length=3, max_length=63)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ImportSettings:
        env = env or os.environ
        return cls.model_validate(_read(env) | {"imports_bucket": env.get("IMPORTS_BUCKET")})


class SurveySettings(Settings):
    """The survey planner and the quarterly refresh: their tables, the fatigue rules, and the vendor
    connection SurveyRequested names (the API destination configured for it)."""

    surveys_table: str = Field(min_length=3)
    refresh_table: str = Field(min_length=3)
    survey_connection: str = Field(min_length=1)
    fatigue: FatiguePolicy

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SurveySettings:
        env = env or os.environ
        return cls.model_validate(
            _read(env)
            | {
                "surveys_table": env.get(SURVEYS.env_var),
                "refresh_table": env.get(REFRESH.env_var),
                "survey_connection": env.get("SURVEY_CONNECTION"),
                # As JSON, like THRESHOLDS_JSON; absent means the documented defaults (DESIGN.md §3).
                "fatigue": json.loads(env.get("FATIGUE_POLICY_JSON") or "{}"),
            }
        )


class RenewalSettings(SurveySettings):
    """The renewal escalation's functions: the common settings and the workflow they start and resume."""

    renewal_escalation_arn: str = Field(min_length=20)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RenewalSettings:
        env = env or os.environ
        surveys = SurveySettings.from_env(env).model_dump()
        return cls.model_validate(surveys | {"renewal_escalation_arn": env.get("RENEWAL_ESCALATION_ARN")})


class PrivacySettings(Settings):
    """The privacy API: every table that may hold a contact's data, and the audit of its requests."""

    surveys_table: str = Field(min_length=3)
    audit_table: str = Field(min_length=3)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PrivacySettings:
        env = env or os.environ
        return cls.model_validate(
            _read(env) | {"surveys_table": env.get(SURVEYS.env_var), "audit_table": env.get(AUDIT.env_var)}
        )


def _read(env: Mapping[str, str]) -> dict[str, object]:
    return {
        "responses_table": env.get(RESPONSES.env_var),
        "rollups_table": env.get(ROLLUPS.env_var),
        "cases_table": env.get(CASES.env_var),
        "accounts_table": env.get(ACCOUNTS.env_var),
        "connections_table": env.get(CONNECTIONS.env_var),
        "contacts_table": env.get(CONTACTS.env_var),
        "quarantine_table": env.get(QUARANTINE.env_var),
        "signals_table": env.get(SIGNALS.env_var),
        "renewals_table": env.get(RENEWALS.env_var),
        "event_bus_name": env.get("EVENT_BUS_NAME"),
        # The versioned threshold set as JSON; absent means the documented defaults (DESIGN.md §3).
        "thresholds": json.loads(env.get("THRESHOLDS_JSON") or "{}"),
    }

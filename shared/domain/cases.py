"""Cases: the tracked action a firing asks for, with an owner and an SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.accounts import UNKNOWN_TEAM, Account
from shared.domain.triggers import OwnerRole, TriggerFiring


class CaseStatus(StrEnum):
    OPEN = "open"
    CONTACTED = "contacted"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    RECOVERED = "recovered"
    REOPENED = "reopened"


class StatusChange(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: CaseStatus
    at: datetime
    by: str
    note: str | None = None


class FollowUp(BaseModel):
    """The survey a resolved detractor case asks its contact, and the answer once it came."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    contact_id: str
    requested_at: datetime
    due_at: datetime
    score: int | None = None
    answered_at: datetime | None = None


class Case(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    rule: str
    account_id: str
    quarter: str
    owner: str
    owner_role: OwnerRole
    status: CaseStatus
    sla_hours: int
    opened_at: datetime
    due_at: datetime
    summary: str
    evidence: dict[str, Any]
    response_id: str
    contact_id: str | None = None
    history: list[StatusChange]
    # The closed loop (shared/domain/case_flow.py): how far up the ladder, when first contacted,
    # whether the first-contact SLA was kept, what was found and done, and the follow-up.
    escalation_level: int = Field(default=0, ge=0, le=2)
    first_contact_at: datetime | None = None
    sla_breached: bool = False
    resolved_at: datetime | None = None
    root_cause: str | None = None
    action_taken: str | None = None
    outcome: str | None = None
    follow_up: FollowUp | None = None
    follow_up_scores: list[int] = Field(default_factory=list)
    recovered_at: datetime | None = None
    # Optimistic concurrency: each saved change bumps it, and a save expects the version it read.
    version: int = Field(default=0, ge=0)


def case_from_firing(firing: TriggerFiring, account: Account | None, now: datetime) -> Case:
    team = account.team if account else UNKNOWN_TEAM
    owner = firing.owner or getattr(team, firing.owner_role.value)
    return Case(
        # The dedupe key is the id: a firing seen twice maps to the one case.
        case_id=firing.dedupe_key,
        rule=firing.rule.value,
        account_id=firing.account_id,
        quarter=firing.quarter,
        owner=owner,
        owner_role=firing.owner_role,
        status=CaseStatus.OPEN,
        sla_hours=firing.sla_hours,
        opened_at=now,
        due_at=now + timedelta(hours=firing.sla_hours),
        summary=firing.summary,
        evidence=firing.evidence | {"thresholds_version": firing.thresholds_version},
        response_id=firing.response_id,
        contact_id=firing.contact_id,
        history=[StatusChange(status=CaseStatus.OPEN, at=now, by="npsops", note=firing.summary)],
    )

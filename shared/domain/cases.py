"""Cases: the tracked action a firing asks for, with an owner and an SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

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
    model_config = ConfigDict(frozen=True)

    status: CaseStatus
    at: datetime
    by: str
    note: str | None = None


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

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

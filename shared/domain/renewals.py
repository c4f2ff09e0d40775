"""The pre-renewal escalation's policy (docs/cs-leads.md#the-pre-renewal-escalation), one renewal
of one account at a time.

    window opens (renewal - 90 d) ─► checkpoint 1: ask the pre-renewal survey, wait for the answer
      ─► checkpoint 2: < 7 recovery plan (CS lead) · 7 watch · ≥ 8 expansion · no answer: risk, CSM outreach
      ─► checkpoint 3 (renewal - 30 d): still at risk → executive sponsor, with the options

Pure: the plan's dates come from the renewal date and the policy; decisions from the answer, the
recovery case and health. The workflow (statemachines/renewal_escalation.asl.json) runs them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.accounts import Account
from shared.domain.cases import Case, CaseStatus
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule

EXECUTIVE_OPTIONS = ("expanded support", "roadmap alignment", "contract restructuring")


class Decision(StrEnum):
    RECOVERY_PLAN = "recovery-plan"  # < 7: escalate to CS leadership
    WATCH = "watch"  # 7: watch and monitor
    EXPANSION = "expansion"  # >= 8: expansion opportunity
    NO_ANSWER = "no-answer"  # a risk signal: CSM outreach


class RenewalPlan(BaseModel):
    """One execution's input: the renewal and the times of its checkpoints. The workflow waits on
    these timestamps, so the local runtime's simulated clock can run a whole cycle in seconds."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    renewal_date: date
    started_at: datetime
    answer_by: datetime
    answer_seconds: int = Field(ge=1)
    final_check_at: datetime
    execution_name: str

    @property
    def subject(self) -> str:
        return f"{self.account_id}#{self.renewal_date}"


class Answer(BaseModel):
    """What the response pipeline hands the waiting execution when the pre-renewal answer arrives."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    response_id: str
    contact_id: str
    score: int = Field(ge=0, le=10)
    submitted_at: datetime


class RenewalCheckpoint(BaseModel):
    """RenewalCheckpointReached's data: which checkpoint of which renewal, and what it found."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    renewal_date: str
    checkpoint: int
    execution: str
    decision: Decision | None = None
    at_risk: list[str] = []
    ended: str | None = None
    contacts_asked: int | None = None  # checkpoint 1: how many of the account's contacts were asked


def in_window(account: Account, today: date, policy: Thresholds) -> bool:
    renewal = account.renewal_date
    return renewal is not None and renewal - timedelta(days=policy.renewal_window_days) <= today < renewal


def renewal_plan(account: Account, now: datetime, policy: Thresholds, name: str) -> RenewalPlan:
    """The plan for the account's current renewal, entering its window at `now`. An account that
    enters late (inside the last 30 days) gets checkpoint 3 as soon as checkpoint 2 is done."""
    assert account.renewal_date is not None
    answer_by = now + timedelta(days=policy.renewal_answer_days)
    final = datetime.combine(account.renewal_date, time(9), UTC) - timedelta(
        days=policy.renewal_final_check_days
    )
    return RenewalPlan(
        account_id=account.account_id,
        renewal_date=account.renewal_date,
        started_at=now,
        answer_by=answer_by,
        answer_seconds=int((answer_by - now).total_seconds()),
        final_check_at=max(final, answer_by),
        execution_name=name,
    )


def decide(answer: Answer | None) -> Decision:
    if answer is None:
        return Decision.NO_ANSWER
    if answer.score < 7:
        return Decision.RECOVERY_PLAN
    return Decision.WATCH if answer.score == 7 else Decision.EXPANSION


def checkpoint2_firing(
    plan: RenewalPlan, decision: Decision, answer: Answer | None, quarter: str, policy: Thresholds
) -> TriggerFiring | None:
    """The case or play checkpoint 2 opens; None for "watch" (an event, nobody's task yet)."""
    evidence: dict[str, Any] = {"renewal_date": str(plan.renewal_date), "decision": str(decision)}
    if answer is not None:
        evidence |= {
            "score": answer.score,
            "contact_id": answer.contact_id,
            "response_id": answer.response_id,
        }
    days = (plan.renewal_date - (answer.submitted_at if answer else plan.answer_by).date()).days
    if decision is Decision.RECOVERY_PLAN:
        assert answer is not None
        return _firing(
            TriggerRule.RENEWAL_RECOVERY_PLAN,
            plan,
            quarter,
            OwnerRole.CS_LEAD,
            policy.renewal_recovery_sla_hours,
            f"Pre-renewal answer {answer.score}/10, renewal in {days} days: recovery plan with CS leadership",
            evidence,
            answer,
            policy.version,
        )
    if decision is Decision.EXPANSION:
        assert answer is not None
        return _firing(
            TriggerRule.RENEWAL_EXPANSION,
            plan,
            quarter,
            OwnerRole.CSM,
            policy.expansion_promoter_sla_hours,
            f"Pre-renewal answer {answer.score}/10: expansion opportunity before the renewal",
            evidence,
            answer,
            policy.version,
        )
    if decision is Decision.NO_ANSWER:
        return _firing(
            TriggerRule.RENEWAL_NO_ANSWER,
            plan,
            quarter,
            OwnerRole.CSM,
            policy.renewal_recovery_sla_hours,
            f"No pre-renewal answer by {plan.answer_by.date()}, renewal in {days} days: reach out",
            evidence,
            None,
            policy.version,
        )
    return None


def still_at_risk(
    decision: Decision, recovery: Case | None, health: float | None, policy: Thresholds
) -> list[str]:
    """Why the account is still at risk at checkpoint 3; empty when it is not."""
    reasons = []
    unverified = recovery is None or recovery.status is not CaseStatus.RECOVERED
    if decision in (Decision.RECOVERY_PLAN, Decision.NO_ANSWER) and unverified:
        state = "no recovery case" if recovery is None else f"recovery case {recovery.status}"
        reasons.append(f"recovery not verified ({state})")
    if health is not None and health < policy.renewal_min_health:
        reasons.append(f"health {health:.0f} below {policy.renewal_min_health:.0f}")
    return reasons


def executive_firing(
    plan: RenewalPlan, reasons: list[str], quarter: str, policy: Thresholds
) -> TriggerFiring:
    return _firing(
        TriggerRule.RENEWAL_EXECUTIVE_ESCALATION,
        plan,
        quarter,
        OwnerRole.EXECUTIVE_SPONSOR,
        policy.renewal_executive_sla_hours,
        f"Renewal on {plan.renewal_date} still at risk ({'; '.join(reasons)}): executive sponsor to "
        f"choose among {', '.join(EXECUTIVE_OPTIONS)}",
        {"renewal_date": str(plan.renewal_date), "reasons": reasons, "options": list(EXECUTIVE_OPTIONS)},
        None,
        policy.version,
    )


def _firing(
    rule: TriggerRule,
    plan: RenewalPlan,
    quarter: str,
    role: OwnerRole,
    sla_hours: int,
    summary: str,
    evidence: dict[str, Any],
    answer: Answer | None,
    thresholds_version: str,
) -> TriggerFiring:
    return TriggerFiring(
        rule=rule,
        # Once per renewal: a restarted execution for the same renewal opens nothing twice.
        dedupe_key=f"{rule}#{plan.subject}",
        account_id=plan.account_id,
        quarter=quarter,
        owner_role=role,
        sla_hours=sla_hours,
        summary=summary,
        evidence=evidence,
        response_id=answer.response_id if answer else plan.execution_name,
        contact_id=answer.contact_id if answer else None,
        thresholds_version=thresholds_version,
    )

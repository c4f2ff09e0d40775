"""The closed loop: what may happen to a case, and when.

    open ──contact──► contacted ──resolve──► resolved ──follow-up answer──► recovered
      │                                                               └──► reopened: contact, resolve again
      └─(first-contact SLA missed)─► escalated: CSM → CS lead → executive sponsor, each with a fresh SLA

The SLA is the time to first contact (docs/cs-leads.md#cases-and-the-closed-loop: outreach within
24-48 h). Acknowledging a case says someone has it, but only a logged contact stops the ladder.
Resolving a detractor case asks the contact again (a follow-up survey); its answer verifies the
recovery or reopens the case.

Pure: every function takes the case and the time and returns the changed case (version + 1), or
raises CaseActionRefused for a step the case's status does not allow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain.accounts import AccountTeam
from shared.domain.cases import Case, CaseStatus, FollowUp, StatusChange
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerRule

LADDER = (OwnerRole.CSM, OwnerRole.CS_LEAD, OwnerRole.EXECUTIVE_SPONSOR)
# Statuses in which the first-contact SLA is running.
AWAITING_CONTACT = frozenset({CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.REOPENED})
# Statuses in which someone still has work to do.
ACTIVE = AWAITING_CONTACT | {CaseStatus.CONTACTED}
# Cases that began with a low answer from one contact: resolving them asks that contact again.
FOLLOWED_UP = frozenset({TriggerRule.DETRACTOR_RECOVERY, TriggerRule.RENEWAL_RECOVERY_PLAN})


def awaits_sweep(case: Case) -> bool:
    """Whether the SLA sweep has anything left to do with the case: it waits for a first contact and
    is not yet with the executive sponsor, the top of the ladder."""
    return case.status in AWAITING_CONTACT and case.escalation_level < len(LADDER) - 1


class CaseActionRefused(ValueError):
    """The case's status does not allow this step (a 409 to whoever asked)."""


def acknowledge(case: Case, by: str, now: datetime) -> Case:
    _require(case, ACTIVE, "acknowledge")
    return _changed(case, case.status, by, now, f"acknowledged by {by}")


def log_contact(case: Case, by: str, note: str, now: datetime) -> Case:
    _require(case, ACTIVE, "log a contact on")
    return _changed(
        case,
        CaseStatus.CONTACTED,
        by,
        now,
        note,
        first_contact_at=case.first_contact_at or now,
        sla_breached=case.sla_breached or _late(case, now),
    )


def resolve(case: Case, by: str, root_cause: str, action: str, now: datetime, policy: Thresholds) -> Case:
    """Resolved with what was found and done. A case opened by a low answer asks its contact again."""
    _require(case, ACTIVE, "resolve")
    follow_up = None
    if case.rule in FOLLOWED_UP and case.contact_id:
        due = now + timedelta(days=policy.follow_up_delay_days)
        follow_up = FollowUp(contact_id=case.contact_id, requested_at=now, due_at=due)
    return _changed(
        case,
        CaseStatus.RESOLVED,
        by,
        now,
        f"root cause: {root_cause}; action: {action}",
        first_contact_at=case.first_contact_at or now,
        sla_breached=case.sla_breached or (case.first_contact_at is None and _late(case, now)),
        resolved_at=now,
        root_cause=root_cause,
        action_taken=action,
        follow_up=follow_up,
        outcome="awaiting the follow-up survey" if follow_up else "resolved",
    )


def escalate_if_overdue(case: Case, team: AccountTeam, now: datetime) -> Case | None:
    """One step up the ladder when the first-contact SLA has passed; None when nothing is due or
    the case is already with the executive sponsor."""
    if case.status not in AWAITING_CONTACT or now <= case.due_at or case.escalation_level >= len(LADDER) - 1:
        return None
    level = case.escalation_level + 1
    role = LADDER[level]
    owner = str(getattr(team, role.value))
    return _changed(
        case,
        CaseStatus.ESCALATED,
        "npsops",
        now,
        f"no contact within {case.sla_hours} h: escalated from {case.owner} to {owner} ({role})",
        escalation_level=level,
        owner=owner,
        owner_role=role,
        due_at=now + timedelta(hours=case.sla_hours),
        sla_breached=True,
    )


def follow_up_answered(case: Case, score: int, at: datetime, policy: Thresholds) -> Case:
    """The follow-up's answer: recovered at `recovery_min_score` or `recovery_min_gain` points up on
    the score that opened the case; otherwise reopened, with a fresh SLA."""
    if case.status is not CaseStatus.RESOLVED or case.follow_up is None:
        raise CaseActionRefused(f"case {case.case_id} is {case.status}, not awaiting a follow-up answer")
    before = int(case.evidence.get("score", 0))
    answered = case.follow_up.model_copy(update={"score": score, "answered_at": at})
    scores = [*case.follow_up_scores, score]
    if score >= policy.recovery_min_score or score - before >= policy.recovery_min_gain:
        return _changed(
            case,
            CaseStatus.RECOVERED,
            "npsops",
            at,
            f"follow-up {score}/10 (was {before}): recovered",
            follow_up=answered,
            follow_up_scores=scores,
            recovered_at=at,
            outcome=f"recovered: {before} → {score}",
        )
    return _changed(
        case,
        CaseStatus.REOPENED,
        "npsops",
        at,
        f"follow-up {score}/10 (was {before}): not recovered, reopened",
        follow_up=answered,
        follow_up_scores=scores,
        due_at=at + timedelta(hours=case.sla_hours),
        outcome=f"reopened: {before} → {score}",
    )


def _require(case: Case, allowed: frozenset[CaseStatus], action: str) -> None:
    if case.status not in allowed:
        raise CaseActionRefused(f"cannot {action} case {case.case_id}: it is {case.status}")


def _late(case: Case, now: datetime) -> bool:
    return now > case.due_at


def _changed(case: Case, status: CaseStatus, by: str, now: datetime, note: str, **changes: object) -> Case:
    entry = StatusChange(status=status, at=now, by=by, note=note)
    update = {"status": status, "history": [*case.history, entry], "version": case.version + 1}
    return case.model_copy(update=update | changes)

"""The closed loop's rules: transitions, the SLA ladder, follow-up recovery, metrics, QBR records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain import case_flow
from shared.domain.accounts import AccountTeam
from shared.domain.case_flow import CaseActionRefused
from shared.domain.case_metrics import case_metrics
from shared.domain.cases import Case, CaseStatus, StatusChange
from shared.domain.qbr import loop_record
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerRule

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
TEAM = AccountTeam(csm="Ana", cs_lead="Ben", executive_sponsor="Cleo")
POLICY = Thresholds()


def case(
    rule: TriggerRule = TriggerRule.DETRACTOR_RECOVERY, score: int = 3, sla: int = 48, **changes: object
) -> Case:
    opened = Case(
        case_id=f"{rule}#acct-1#2026-Q4#c-1",
        rule=rule,
        account_id="acct-1",
        quarter="2026-Q4",
        owner="Ana",
        owner_role=OwnerRole.CSM,
        status=CaseStatus.OPEN,
        sla_hours=sla,
        opened_at=T0,
        due_at=T0 + timedelta(hours=sla),
        summary="Detractor 3/10",
        evidence={"score": score, "comment": "Support takes days to answer"},
        response_id="generic-r-1",
        contact_id="c-1",
        history=[StatusChange(status=CaseStatus.OPEN, at=T0, by="npsops")],
    )
    return opened.model_copy(update=changes)


def test_a_contact_in_time_keeps_the_sla_and_each_change_is_a_new_version() -> None:
    contacted = case_flow.log_contact(case(), "Ana", "Called, heard them out", T0 + timedelta(hours=47))
    assert contacted.status is CaseStatus.CONTACTED and contacted.version == 1
    assert contacted.first_contact_at == T0 + timedelta(hours=47) and not contacted.sla_breached
    assert [h.status for h in contacted.history] == [CaseStatus.OPEN, CaseStatus.CONTACTED]


def test_a_late_contact_is_a_missed_sla() -> None:
    assert case_flow.log_contact(case(), "Ana", "Called", T0 + timedelta(hours=49)).sla_breached


def test_acknowledging_keeps_the_status_and_the_sla_running() -> None:
    held = case_flow.acknowledge(case(), "Ana", T0 + timedelta(hours=1))
    assert held.status is CaseStatus.OPEN and held.history[-1].note == "acknowledged by Ana"
    assert case_flow.escalate_if_overdue(held, TEAM, T0 + timedelta(hours=49)) is not None


@pytest.mark.parametrize(
    ("hours", "owner", "role", "level"),
    [(48, None, None, 0), (49, "Ben", OwnerRole.CS_LEAD, 1)],
    ids=["at-the-due-time", "an-hour-late"],
)
def test_the_ladder_starts_only_after_the_due_time(
    hours: int, owner: str | None, role: OwnerRole | None, level: int
) -> None:
    escalated = case_flow.escalate_if_overdue(case(), TEAM, T0 + timedelta(hours=hours))
    if owner is None:
        assert escalated is None
        return
    assert escalated is not None
    assert (escalated.owner, escalated.owner_role, escalated.escalation_level) == (owner, role, level)
    assert escalated.status is CaseStatus.ESCALATED and escalated.sla_breached
    assert escalated.due_at == T0 + timedelta(hours=hours + 48)  # a fresh SLA of its own length


def test_the_ladder_climbs_to_the_executive_sponsor_and_stops_there() -> None:
    first = case_flow.escalate_if_overdue(case(), TEAM, T0 + timedelta(hours=49))
    assert first is not None
    second = case_flow.escalate_if_overdue(first, TEAM, first.due_at + timedelta(minutes=1))
    assert second is not None and second.owner == "Cleo" and second.escalation_level == 2
    assert case_flow.escalate_if_overdue(second, TEAM, second.due_at + timedelta(days=9)) is None
    # So the sweep's index no longer holds it, while a case lower down the ladder stays in it.
    assert case_flow.awaits_sweep(first) and not case_flow.awaits_sweep(second)


def test_a_contacted_case_does_not_escalate() -> None:
    contacted = case_flow.log_contact(case(), "Ana", "Called", T0 + timedelta(hours=2))
    assert case_flow.escalate_if_overdue(contacted, TEAM, T0 + timedelta(days=30)) is None


def test_resolving_a_detractor_case_asks_its_contact_again_later() -> None:
    resolved = case_flow.resolve(case(), "Ana", "slow tier-2 queue", "dedicated support engineer", T0, POLICY)
    assert resolved.status is CaseStatus.RESOLVED and resolved.root_cause == "slow tier-2 queue"
    assert resolved.follow_up is not None and resolved.follow_up.contact_id == "c-1"
    assert resolved.follow_up.due_at == T0 + timedelta(days=POLICY.follow_up_delay_days)


def test_resolving_a_case_without_a_low_answer_asks_nobody() -> None:
    review = case(rule=TriggerRule.NPS_DROP_REVIEW)
    assert case_flow.resolve(review, "Ana", "onboarding gap", "training", T0, POLICY).follow_up is None


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (3, 7, CaseStatus.RECOVERED),  # at the recovery score
        (3, 6, CaseStatus.RECOVERED),  # 3 points up
        (3, 5, CaseStatus.REOPENED),  # 2 points up, below 7
        (5, 6, CaseStatus.REOPENED),
        (0, 3, CaseStatus.RECOVERED),
    ],
)
def test_the_follow_up_answer_recovers_or_reopens(before: int, after: int, status: CaseStatus) -> None:
    resolved = case_flow.resolve(case(score=before), "Ana", "cause", "action", T0, POLICY)
    answered = case_flow.follow_up_answered(resolved, after, T0 + timedelta(days=15), POLICY)
    assert answered.status is status and answered.follow_up_scores == [after]
    if status is CaseStatus.REOPENED:
        assert answered.due_at == T0 + timedelta(days=15, hours=48)
        again = case_flow.log_contact(answered, "Ana", "Called again", T0 + timedelta(days=15, hours=1))
        assert again.status is CaseStatus.CONTACTED  # the loop goes round again
    else:
        assert answered.recovered_at == T0 + timedelta(days=15)


@pytest.mark.parametrize(
    ("start", "step"),
    [
        (CaseStatus.RESOLVED, lambda c: case_flow.log_contact(c, "Ana", "x", T0)),
        (CaseStatus.RECOVERED, lambda c: case_flow.resolve(c, "Ana", "x", "y", T0, POLICY)),
        (CaseStatus.OPEN, lambda c: case_flow.follow_up_answered(c, 9, T0, POLICY)),
        (CaseStatus.RECOVERED, lambda c: case_flow.acknowledge(c, "Ana", T0)),
    ],
)
def test_steps_the_status_does_not_allow_are_refused(start: CaseStatus, step: object) -> None:
    with pytest.raises(CaseActionRefused):
        step(case(status=start))  # type: ignore[operator]


def test_metrics_per_quarter_and_segment_by_hand() -> None:
    # Two detractor cases followed up (one recovered after 16 days, one reopened), one review case
    # contacted late: save rate 1/2; contacts after 2 h, 10 h and 50 h → median 10 h; SLAs kept 2/3.
    recovered = case_flow.resolve(
        case_flow.log_contact(case(), "Ana", "call", T0 + timedelta(hours=2)),
        "Ana",
        "c",
        "a",
        T0 + timedelta(days=1),
        POLICY,
    )
    recovered = case_flow.follow_up_answered(recovered, 9, T0 + timedelta(days=16), POLICY)
    reopened = case_flow.resolve(
        case_flow.log_contact(
            case(case_id="d2", account_id="acct-2"), "Ana", "call", T0 + timedelta(hours=10)
        ),
        "Ana",
        "c",
        "a",
        T0 + timedelta(days=1),
        POLICY,
    )
    reopened = case_flow.follow_up_answered(reopened, 4, T0 + timedelta(days=16), POLICY)
    late = case_flow.log_contact(
        case(rule=TriggerRule.NPS_DROP_REVIEW, case_id="r1"), "Ana", "call", T0 + timedelta(hours=50)
    )
    rows = {
        (m.quarter, m.segment): m
        for m in case_metrics([recovered, reopened, late], {"acct-1": "enterprise", "acct-2": "smb"})
    }
    everything = rows[("2026-Q4", "all")]
    assert (everything.cases, everything.followed_up, everything.recovered, everything.save_rate) == (
        3,
        2,
        1,
        0.5,
    )
    assert everything.median_hours_to_first_contact == 10.0 and everything.median_days_to_recovery == 16.0
    assert (everything.sla_decided, everything.sla_kept) == (3, 2)
    assert rows[("2026-Q4", "smb")].save_rate == 0.0 and rows[("2026-Q4", "enterprise")].save_rate == 1.0


def test_the_save_rate_counts_detractor_cases_whose_follow_up_was_answered() -> None:
    """The one save rate, shared by the closed loop and the revenue report."""

    def resolved(case_id: str, rule: TriggerRule = TriggerRule.DETRACTOR_RECOVERY) -> Case:
        return case_flow.resolve(case(rule=rule, case_id=case_id), "Ana", "cause", "action", T0, POLICY)

    later = T0 + timedelta(days=14)
    cases = [
        case_flow.follow_up_answered(resolved("saved"), 9, later, POLICY),
        resolved("awaiting"),  # its follow-up not answered yet: neither saved nor lost
        case_flow.follow_up_answered(resolved("lost"), 4, later, POLICY),  # reopened: not saved
        case(case_id="open"),  # not resolved yet
        case_flow.follow_up_answered(resolved("plan", TriggerRule.RENEWAL_RECOVERY_PLAN), 9, later, POLICY),
    ]
    [everything, smb] = case_metrics(cases, {"acct-1": "smb"})
    assert (everything.segment, everything.detractor_cases, everything.followed_up) == ("all", 4, 2)
    assert (everything.recovered, everything.save_rate) == (1, 0.5) and smb.save_rate == 0.5


def test_you_said_we_did_from_a_resolved_case() -> None:
    resolved = case_flow.resolve(case(), "Ana", "slow tier-2 queue", "dedicated support engineer", T0, POLICY)
    record = loop_record(case_flow.follow_up_answered(resolved, 9, T0 + timedelta(days=14), POLICY))
    assert record is not None
    assert record.you_said == "Support takes days to answer (scored 3)"
    assert (record.we_did, record.root_cause) == ("dedicated support engineer", "slow tier-2 queue")
    assert record.outcome == "recovered: 3 → 9"

"""The pre-renewal escalation's policy: the window, the plan's dates, checkpoint 2's branches and
checkpoint 3's "still at risk"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.domain.accounts import Account, AccountTeam
from shared.domain.cases import CaseStatus
from shared.domain.renewals import (
    Answer,
    Decision,
    checkpoint2_firing,
    decide,
    executive_firing,
    in_window,
    renewal_plan,
    still_at_risk,
)
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerRule
from tests.unit.test_case_flow import case

POLICY = Thresholds()
NOW = datetime(2026, 11, 23, 5, tzinfo=UTC)


def account(renewal: date | None) -> Account:
    team = AccountTeam(csm="Ana", cs_lead="Ben", executive_sponsor="Cleo")
    return Account(
        account_id="acct-1",
        name="One",
        segment="enterprise",
        arr=250_000,
        industry="fintech",
        region="emea",
        lifecycle_stage="renewal",
        team=team,
        renewal_date=renewal,
    )


@pytest.mark.parametrize(
    ("days_to_renewal", "inside"),
    [(91, False), (90, True), (30, True), (1, True), (0, False), (None, False)],
)
def test_the_window_opens_90_days_before_the_renewal(days_to_renewal: int | None, inside: bool) -> None:
    renewal = NOW.date() + timedelta(days=days_to_renewal) if days_to_renewal is not None else None
    assert in_window(account(renewal), NOW.date(), POLICY) is inside


def test_a_60_day_window_is_configurable_and_61_is_outside_it() -> None:
    sixty = Thresholds(renewal_window_days=60)
    assert not in_window(account(NOW.date() + timedelta(days=61)), NOW.date(), sixty)
    with pytest.raises(ValueError):
        Thresholds(renewal_window_days=45)


def test_the_plan_waits_three_weeks_for_the_answer_and_checks_30_days_before_renewal() -> None:
    renewal = NOW.date() + timedelta(days=90)
    plan = renewal_plan(account(renewal), NOW, POLICY, "renewal-acct-1")
    assert plan.answer_by == NOW + timedelta(days=21) and plan.answer_seconds == 21 * 86400
    assert plan.final_check_at == datetime(2027, 1, 22, 9, tzinfo=UTC)  # renewal 2027-02-21 less 30 days


def test_an_account_entering_late_gets_its_final_check_after_the_answer_window() -> None:
    plan = renewal_plan(account(NOW.date() + timedelta(days=20)), NOW, POLICY, "renewal-acct-1")
    assert plan.final_check_at == plan.answer_by


def answer(score: int) -> Answer:
    return Answer(response_id="generic-pr-1", contact_id="c-1", score=score, submitted_at=NOW)


@pytest.mark.parametrize(
    ("score", "decision", "rule", "role"),
    [
        (0, Decision.RECOVERY_PLAN, TriggerRule.RENEWAL_RECOVERY_PLAN, OwnerRole.CS_LEAD),
        (6, Decision.RECOVERY_PLAN, TriggerRule.RENEWAL_RECOVERY_PLAN, OwnerRole.CS_LEAD),
        (7, Decision.WATCH, None, None),
        (8, Decision.EXPANSION, TriggerRule.RENEWAL_EXPANSION, OwnerRole.CSM),
        (10, Decision.EXPANSION, TriggerRule.RENEWAL_EXPANSION, OwnerRole.CSM),
        (None, Decision.NO_ANSWER, TriggerRule.RENEWAL_NO_ANSWER, OwnerRole.CSM),
    ],
)
def test_checkpoint_2_branches_on_the_answer(
    score: int | None, decision: Decision, rule: TriggerRule | None, role: OwnerRole | None
) -> None:
    given = answer(score) if score is not None else None
    assert decide(given) is decision
    plan = renewal_plan(account(NOW.date() + timedelta(days=90)), NOW, POLICY, "renewal-acct-1")
    firing = checkpoint2_firing(plan, decision, given, "2026-Q4", POLICY)
    if rule is None:
        assert firing is None
        return
    assert firing is not None and (firing.rule, firing.owner_role) == (rule, role)
    assert firing.dedupe_key == f"{rule}#acct-1#{plan.renewal_date}"  # once per renewal


def test_checkpoint_3_is_at_risk_until_the_recovery_is_verified_or_while_health_is_low() -> None:
    recovered = case(status=CaseStatus.RECOVERED)
    assert still_at_risk(Decision.RECOVERY_PLAN, None, 80.0, POLICY) == [
        "recovery not verified (no recovery case)"
    ]
    assert still_at_risk(Decision.RECOVERY_PLAN, case(), 80.0, POLICY) == [
        "recovery not verified (recovery case open)"
    ]
    assert still_at_risk(Decision.RECOVERY_PLAN, recovered, 80.0, POLICY) == []
    assert still_at_risk(Decision.EXPANSION, None, 59.9, POLICY) == ["health 60 below 60"]
    assert still_at_risk(Decision.WATCH, None, 60.0, POLICY) == []
    assert still_at_risk(Decision.WATCH, None, None, POLICY) == []  # no health known: no health reason


def test_the_executive_escalation_offers_the_three_options() -> None:
    plan = renewal_plan(account(NOW.date() + timedelta(days=90)), NOW, POLICY, "renewal-acct-1")
    firing = executive_firing(plan, ["health 41 below 60"], "2027-Q1", POLICY)
    assert firing.owner_role is OwnerRole.EXECUTIVE_SPONSOR
    assert firing.evidence["options"] == ["expanded support", "roadmap alignment", "contract restructuring"]

"""Fatigue control at its boundaries: each rule's last allowed survey and first suppressed one, every
suppression with its reason, and the priorities that decide which of two due surveys wins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.domain.surveys import (
    Decision,
    FatiguePolicy,
    SentSurvey,
    SuppressionReason,
    SurveyCandidate,
    Touchpoint,
    decide,
    is_relational_day,
    onboarding_dues,
    quarter_start,
    relational_due,
)

POLICY = FatiguePolicy()  # 3 a rolling year, 60 days apart, 10 an account a month
DAY = date(2026, 11, 23)


def candidate(
    touchpoint: Touchpoint = Touchpoint.RELATIONAL,
    contact: str = "c-1",
    account: str = "a-1",
    due: date = DAY,
) -> SurveyCandidate:
    return SurveyCandidate(
        account_id=account, contact_id=contact, email=f"{contact}@example.com", touchpoint=touchpoint, due=due
    )


def sent(days_ago: int, contact: str = "c-1", account: str = "a-1") -> SentSurvey:
    return SentSurvey(
        contact_id=contact, account_id=account, touchpoint=Touchpoint.QBR, due=DAY - timedelta(days=days_ago)
    )


def test_defaults_are_the_issues() -> None:
    assert (POLICY.max_per_contact_per_year, POLICY.min_gap_days) == (3, 60)


@pytest.mark.parametrize(("gap", "planned"), [(59, False), (60, True)])
def test_minimum_gap_boundary(gap: int, planned: bool) -> None:
    [decision] = decide([candidate()], [sent(gap)], POLICY)
    if planned:
        assert decision.decision is Decision.PLANNED and decision.reason is None
    else:
        assert decision.decision is Decision.SUPPRESSED
        assert decision.reason is SuppressionReason.MIN_GAP
        assert decision.detail == f"last survey {DAY - timedelta(days=59)} (59 days ago, minimum 60)"


@pytest.mark.parametrize(("oldest", "planned"), [(364, False), (365, True)])
def test_yearly_limit_counts_a_rolling_365_days(oldest: int, planned: bool) -> None:
    """Three surveys 60+ days apart; the fourth is allowed only once the oldest is 365 days back."""
    history = [sent(oldest), sent(200), sent(100)]
    [decision] = decide([candidate()], history, POLICY)
    assert (decision.decision is Decision.PLANNED) is planned
    if not planned:
        assert decision.reason is SuppressionReason.YEARLY_LIMIT
        assert decision.detail == f"3 surveys in the 365 days to {DAY} (limit 3)"


def test_account_monthly_cap_boundary() -> None:
    policy = FatiguePolicy(max_per_account_per_month=2)
    others = [
        SentSurvey(contact_id=f"o-{i}", account_id="a-1", touchpoint=Touchpoint.QBR, due=date(2026, 11, 1))
        for i in range(2)
    ]
    [capped] = decide([candidate()], others, policy)
    assert capped.reason is SuppressionReason.ACCOUNT_MONTHLY_CAP
    assert capped.detail == "2 surveys for a-1 in 2026-11 (cap 2)"
    # Last month's do not count, nor another account's.
    earlier = [s.model_copy(update={"due": date(2026, 10, 31)}) for s in others]
    assert decide([candidate()], earlier, policy)[0].decision is Decision.PLANNED
    assert decide([candidate(account="a-2")], others, policy)[0].decision is Decision.PLANNED


def test_the_cap_counts_the_surveys_planned_in_the_same_run() -> None:
    policy = FatiguePolicy(max_per_account_per_month=2)
    decisions = decide([candidate(contact=f"c-{i}") for i in range(3)], [], policy)
    assert [d.decision for d in decisions] == [Decision.PLANNED, Decision.PLANNED, Decision.SUPPRESSED]
    assert decisions[2].reason is SuppressionReason.ACCOUNT_MONTHLY_CAP


def test_pre_renewal_and_case_follow_up_win_over_the_others() -> None:
    due = [candidate(Touchpoint.RELATIONAL), candidate(Touchpoint.QBR), candidate(Touchpoint.PRE_RENEWAL)]
    decisions = {d.candidate.touchpoint: d for d in decide(due, [], POLICY)}
    assert decisions[Touchpoint.PRE_RENEWAL].decision is Decision.PLANNED
    for loser in (Touchpoint.QBR, Touchpoint.RELATIONAL):
        assert decisions[loser].reason is SuppressionReason.LOWER_PRIORITY
        assert decisions[loser].detail == "pre-renewal survey for this contact won"
    follow_up = decide(
        [candidate(Touchpoint.SUPPORT_RESOLVED), candidate(Touchpoint.CASE_FOLLOW_UP)], [], POLICY
    )
    assert [(d.candidate.touchpoint, d.decision) for d in follow_up] == [
        (Touchpoint.CASE_FOLLOW_UP, Decision.PLANNED),
        (Touchpoint.SUPPORT_RESOLVED, Decision.SUPPRESSED),
    ]


def test_a_case_follow_up_may_come_sooner_than_the_gap_but_not_past_the_yearly_limit() -> None:
    assert decide([candidate(Touchpoint.CASE_FOLLOW_UP)], [sent(14)], POLICY)[0].decision is Decision.PLANNED
    [limited] = decide([candidate(Touchpoint.CASE_FOLLOW_UP)], [sent(14), sent(100), sent(200)], POLICY)
    assert limited.reason is SuppressionReason.YEARLY_LIMIT


def test_no_email_is_a_recorded_reason_not_a_silent_drop() -> None:
    no_email = candidate().model_copy(update={"email": None})
    [decision] = decide([no_email], [], POLICY)
    assert decision.reason is SuppressionReason.NO_EMAIL


def test_every_candidate_gets_exactly_one_decision() -> None:
    due = [candidate(t, contact=f"c-{i % 3}") for i, t in enumerate(Touchpoint)]
    decisions = decide(due, [sent(10, contact="c-2")], POLICY)
    assert sorted(d.candidate.request_id for d in decisions) == sorted(c.request_id for c in due)
    assert all((d.decision is Decision.SUPPRESSED) == (d.reason is not None) for d in decisions)


def test_the_relational_day_is_stable_and_within_the_spread() -> None:
    start = quarter_start(DAY)
    assert start == date(2026, 10, 1)
    days = {relational_due(f"c-{i}", start, POLICY) for i in range(200)}
    assert min(days) >= start and max(days) < start + timedelta(days=POLICY.relational_spread_days)
    assert len(days) > 30  # spread, not everyone on day one
    due = relational_due("c-7", start, POLICY)
    assert relational_due("c-7", start, POLICY) == due and is_relational_day("c-7", due, POLICY)


def test_onboarding_milestones_are_30_and_90_days_after_start() -> None:
    assert onboarding_dues(date(2026, 1, 1), POLICY) == {
        Touchpoint.DAYS_30: date(2026, 1, 31),
        Touchpoint.DAYS_90: date(2026, 4, 1),
    }


def test_a_request_id_names_contact_touchpoint_and_due_date() -> None:
    assert candidate(Touchpoint.QBR).request_id == "customer#c-1#qbr#2026-11-23"

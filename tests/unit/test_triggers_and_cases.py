from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.accounts import Account, AccountTeam
from shared.domain.cases import CaseStatus, case_from_firing
from shared.domain.models import CanonicalResponse, SurveyKind
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerContext, TriggerRule, evaluate

TEAM = AccountTeam(csm="Ava CSM", cs_lead="Ben Lead", executive_sponsor="Cy VP")
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def account(arr: float) -> Account:
    return Account(
        account_id="acme",
        name="Acme",
        segment="enterprise",
        arr=arr,
        industry="retail",
        region="EMEA",
        lifecycle_stage="mature",
        team=TEAM,
    )


def response(score: int, kind: SurveyKind = SurveyKind.RELATIONAL) -> CanonicalResponse:
    return CanonicalResponse(
        response_id="r-1",
        account_id="acme",
        contact_id="c-1",
        score=score,
        kind=kind,
        submitted_at=datetime(2026, 11, 2, tzinfo=UTC),
        comment="slow support",
    )


def stat(p: int, pa: int, d: int) -> NpsStat:
    return nps_of(BandCounts(promoters=p, passives=pa, detractors=d), 10)


STEADY = stat(5, 3, 2)  # +30


def context(
    score: int,
    current: NpsStat = STEADY,
    previous: NpsStat = STEADY,
    arr: float = 50_000,
    kind: SurveyKind = SurveyKind.RELATIONAL,
) -> TriggerContext:
    return TriggerContext(
        response=response(score, kind), account=account(arr), current=current, previous=previous
    )


@pytest.mark.parametrize(("arr", "sla"), [(250_000, 24), (100_000, 24), (99_999, 48), (5_000, 48)])
def test_a_detractor_opens_a_recovery_case_with_the_tier_sla(arr: float, sla: int) -> None:
    [firing] = evaluate(context(4, arr=arr), Thresholds())
    assert firing.rule is TriggerRule.DETRACTOR_RECOVERY
    assert firing.sla_hours == sla
    assert firing.dedupe_key == "detractor-recovery#acme#2026-Q4#c-1"
    case = case_from_firing(firing, account(arr), NOW)
    assert case.owner == "Ava CSM" and case.status is CaseStatus.OPEN
    assert case.due_at == NOW + timedelta(hours=sla)
    assert case.evidence["score"] == 4 and case.evidence["thresholds_version"] == "defaults-v1"


@pytest.mark.parametrize("score", [7, 8, 9, 10])
def test_passives_and_promoters_open_no_recovery_case(score: int) -> None:
    assert evaluate(context(score), Thresholds()) == []


def test_an_unknown_account_still_gets_a_case_owned_by_unassigned() -> None:
    firing = evaluate(
        TriggerContext(response=response(2), account=None, current=STEADY, previous=STEADY), Thresholds()
    )[0]
    assert firing.sla_hours == 48
    assert case_from_firing(firing, None, NOW).owner == "unassigned"


def test_nps_down_more_than_ten_points_asks_for_csm_review_with_its_evidence() -> None:
    previous, current = stat(6, 2, 2), stat(3, 3, 4)  # +40 -> -10
    firings = evaluate(context(9, current=current, previous=previous), Thresholds())
    [review] = [f for f in firings if f.rule is TriggerRule.NPS_DROP_REVIEW]
    assert review.evidence["drop_points"] == 50
    assert review.evidence["n"] == 10 and review.evidence["previous_n"] == 10
    assert review.evidence["margin_of_error"] == current.margin_of_error
    assert isinstance(review.evidence["exceeds_noise"], bool)
    assert review.dedupe_key == "nps-drop-review#acme#2026-Q4#customer"


def test_a_drop_of_exactly_the_threshold_does_not_fire() -> None:
    previous, current = stat(4, 4, 2), stat(3, 4, 3)  # +20 -> +0: 20 points
    assert not [
        f
        for f in evaluate(context(9, current, previous), Thresholds(nps_drop_points=20))
        if f.rule is TriggerRule.NPS_DROP_REVIEW
    ]
    assert [
        f
        for f in evaluate(context(9, current, previous), Thresholds(nps_drop_points=19.9))
        if f.rule is TriggerRule.NPS_DROP_REVIEW
    ]


def test_too_few_votes_this_quarter_or_transactional_answers_do_not_fire_the_drop_rule() -> None:
    previous, early = stat(6, 2, 2), stat(0, 0, 2)
    assert not [
        f
        for f in evaluate(context(9, early, previous), Thresholds())
        if f.rule is TriggerRule.NPS_DROP_REVIEW
    ]
    transactional = context(9, stat(3, 3, 4), previous, kind=SurveyKind.TRANSACTIONAL)
    assert not [f for f in evaluate(transactional, Thresholds()) if f.rule is TriggerRule.NPS_DROP_REVIEW]


def test_thresholds_refuse_inverted_tiers() -> None:
    with pytest.raises(ValueError):
        Thresholds(tier_1_min_arr=10, tier_2_min_arr=20)

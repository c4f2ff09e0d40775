from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.account_rules import (
    PORTFOLIO_ACCOUNT_ID,
    AccountQuarterFacts,
    ResponseFacts,
    account_rules,
    response_rules,
    theme_routing,
)
from shared.domain.accounts import Account, AccountTeam
from shared.domain.cases import case_from_firing
from shared.domain.contact_history import ContactScores, declining_run, with_score
from shared.domain.models import CanonicalResponse
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.signals import Engagement, QuarterSignals, Support, Usage
from shared.domain.themes import Theme
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule

TEAM = AccountTeam(csm="Ava CSM", cs_lead="Ben Lead", executive_sponsor="Cy VP")
ACME = Account(
    account_id="acme",
    name="Acme",
    segment="enterprise",
    arr=250_000,
    industry="retail",
    region="EMEA",
    lifecycle_stage="mature",
    team=TEAM,
)
T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)


def stat(p: int, pa: int, d: int) -> NpsStat:
    return nps_of(BandCounts(promoters=p, passives=pa, detractors=d), 10)


PLUS_30 = stat(5, 3, 2)  # n=10
DROP_10 = stat(40, 40, 20)  # +20 on n=100: exactly 10 points below +30
DROP_11 = stat(40, 39, 21)  # +19: 11 points below
STEADY = stat(15, 9, 6)  # +30 on n=30


def usage(active: int) -> Usage:
    return Usage(active_users=active, seats=100)


def facts(
    current: NpsStat = PLUS_30,
    previous: NpsStat = PLUS_30,
    signals: QuarterSignals | None = None,
    previous_signals: QuarterSignals | None = None,
    source: str = "signal:usage:2026-Q4",
) -> AccountQuarterFacts:
    return AccountQuarterFacts(
        account=ACME,
        account_id="acme",
        quarter="2026-Q4",
        program="customer",
        current=current,
        previous=previous,
        signals=signals or QuarterSignals(),
        previous_signals=previous_signals or QuarterSignals(),
        source=source,
    )


def fired(firings: list[TriggerFiring], rule: TriggerRule) -> TriggerFiring | None:
    matching = [firing for firing in firings if firing.rule is rule]
    assert len(matching) <= 1
    return matching[0] if matching else None


# --- trigger 3: churn risk -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "usage_now", "fires"),
    [
        (DROP_11, 79, True),  # NPS -11, usage -21%
        (DROP_10, 79, False),  # NPS drop of exactly 10 does not fire
        (DROP_11, 80, False),  # usage -20% exactly does not fire
        (DROP_10, 80, False),
        (STEADY, 50, False),  # usage collapse alone is not this rule
        (stat(0, 1, 1), 50, False),  # NPS -50 but on 2 votes: below nps_drop_min_votes
    ],
)
def test_churn_risk_at_its_boundaries(current: NpsStat, usage_now: int, fires: bool) -> None:
    signals = QuarterSignals(usage=usage(usage_now))
    firing = fired(
        account_rules(
            facts(current, signals=signals, previous_signals=QuarterSignals(usage=usage(100))), Thresholds()
        ),
        TriggerRule.CHURN_RISK,
    )
    assert (firing is not None) is fires


def test_churn_risk_is_an_immediate_csm_intervention_with_its_evidence() -> None:
    firing = fired(
        account_rules(
            facts(
                DROP_11,
                signals=QuarterSignals(usage=usage(79)),
                previous_signals=QuarterSignals(usage=usage(100)),
            ),
            Thresholds(),
        ),
        TriggerRule.CHURN_RISK,
    )
    assert firing is not None
    assert firing.owner_role is OwnerRole.CSM and firing.sla_hours == 24
    assert firing.dedupe_key == "churn-risk#acme#2026-Q4#customer"
    assert firing.response_id == "signal:usage:2026-Q4" and firing.thresholds_version == "defaults-v1"
    evidence = firing.evidence
    assert evidence["n"] == 100 and evidence["previous_n"] == 10
    assert evidence["margin_of_error"] == DROP_11.margin_of_error
    assert evidence["previous_margin_of_error"] == PLUS_30.margin_of_error
    assert evidence["exceeds_noise"] is False  # 11 points on n=10 before is well inside the noise
    assert evidence["drop_points"] == 11 and evidence["usage_change_pct"] == -21.0
    assert evidence["usage_level"] == 79 and evidence["previous_usage_level"] == 100
    assert evidence["arr"] == 250_000
    case = case_from_firing(firing, ACME, T0)
    assert case.owner == "Ava CSM" and case.case_id == firing.dedupe_key


def test_a_large_drop_on_large_samples_exceeds_the_noise() -> None:
    firing = fired(
        account_rules(
            facts(
                stat(20, 30, 50),  # -30 on n=100
                stat(60, 30, 10),  # +50 on n=100
                signals=QuarterSignals(usage=usage(50)),
                previous_signals=QuarterSignals(usage=usage(100)),
            ),
            Thresholds(),
        ),
        TriggerRule.CHURN_RISK,
    )
    assert firing is not None and firing.evidence["exceeds_noise"] is True


# --- trigger 4: support escalation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "tickets_before", "tickets_now", "fires"),
    [
        (DROP_11, 100, 131, True),  # +31%
        (DROP_11, 100, 130, False),  # +30% exactly does not fire
        (DROP_10, 100, 131, False),  # NPS -10 exactly does not fire
        (STEADY, 100, 300, False),
        (DROP_11, 0, 3, True),  # from none: support_tickets_from_zero_min
        (DROP_11, 0, 2, False),
    ],
)
def test_support_escalation_at_its_boundaries(
    current: NpsStat, tickets_before: int, tickets_now: int, fires: bool
) -> None:
    firing = fired(
        account_rules(
            facts(
                current,
                signals=QuarterSignals(support=Support(tickets=tickets_now)),
                previous_signals=QuarterSignals(support=Support(tickets=tickets_before)),
            ),
            Thresholds(),
        ),
        TriggerRule.SUPPORT_ESCALATION,
    )
    assert (firing is not None) is fires
    if firing:
        assert firing.owner_role is OwnerRole.CS_LEAD and firing.sla_hours == 48
        assert firing.dedupe_key == "support-escalation#acme#2026-Q4#customer"
        assert firing.evidence["tickets"] == tickets_now
        assert {"n", "margin_of_error", "exceeds_noise"} <= firing.evidence.keys()


# --- trigger 6: retention risk -------------------------------------------------------------------------

LOW_0 = stat(3, 4, 3)  # NPS 0 on n=10
LOW_MINUS = stat(2, 4, 4)  # -20
JUST_ABOVE = stat(4, 3, 3)  # +10


@pytest.mark.parametrize(
    ("current", "usage_index", "fires"),
    [
        (LOW_0, 70, True),  # both at their limits
        (LOW_MINUS, 95, True),
        (LOW_0, 69.9, False),
        (JUST_ABOVE, 95, False),
        (stat(0, 1, 1), 95, False),  # -50 on 2 votes: below low_nps_min_votes
    ],
)
def test_retention_risk_at_its_boundaries(current: NpsStat, usage_index: float, fires: bool) -> None:
    signals = QuarterSignals(usage=Usage(active_users=0, seats=0, usage_index=usage_index))
    firing = fired(account_rules(facts(current, current, signals), Thresholds()), TriggerRule.RETENTION_RISK)
    assert (firing is not None) is fires
    if firing:
        assert firing.owner_role is OwnerRole.CSM
        assert firing.dedupe_key == "retention-risk#acme#2026-Q4#customer"
        assert firing.evidence["usage_level"] == usage_index
        assert firing.evidence["n"] == current.n and firing.evidence["exceeds_noise"] is False
        assert firing.evidence["below_threshold_beyond_noise"] is False  # NPS 0 ±~30 at n=10


# --- trigger 7: silent detractor -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "meetings", "replies", "fires"),
    [
        (LOW_0, 0, 1, True),
        (LOW_MINUS, 0, 0, True),
        (LOW_0, 0, 2, False),
        (LOW_0, 1, 0, False),
        (JUST_ABOVE, 0, 0, False),
    ],
)
def test_silent_detractor_at_its_boundaries(
    current: NpsStat, meetings: int, replies: int, fires: bool
) -> None:
    signals = QuarterSignals(
        engagement=Engagement(meetings=meetings, outreach_replies=replies, email_opens=40)
    )
    firing = fired(
        account_rules(facts(current, current, signals), Thresholds()), TriggerRule.SILENT_DETRACTOR
    )
    assert (firing is not None) is fires
    if firing:
        assert firing.dedupe_key == "silent-detractor#acme#2026-Q4#customer"
        assert firing.evidence["meetings"] == meetings and firing.evidence["n"] == 10


# --- combined rules with a missing input ---------------------------------------------------------------

EVERYTHING_BAD = QuarterSignals(
    usage=Usage(active_users=0, seats=0, usage_index=90),
    support=Support(tickets=200),
    engagement=Engagement(meetings=0, outreach_replies=0, email_opens=0),
)
BEFORE = QuarterSignals(usage=Usage(active_users=0, seats=0, usage_index=100), support=Support(tickets=10))


def test_the_combined_rules_fire_together_when_every_input_is_in() -> None:
    rules = {
        f.rule
        for f in account_rules(
            facts(stat(2, 3, 5), signals=EVERYTHING_BAD, previous_signals=BEFORE), Thresholds()
        )
    }
    assert rules == {
        TriggerRule.SUPPORT_ESCALATION,
        TriggerRule.RETENTION_RISK,
        TriggerRule.SILENT_DETRACTOR,
    }  # usage 100 -> 90 is -10%: no churn risk


@pytest.mark.parametrize(
    ("signals", "previous_signals"),
    [
        (QuarterSignals(), BEFORE),  # nothing this quarter yet
        (EVERYTHING_BAD, QuarterSignals()),  # no previous quarter to compare with
        (QuarterSignals(), QuarterSignals()),
    ],
)
def test_missing_signals_fire_no_combined_rule_that_needs_them(
    signals: QuarterSignals, previous_signals: QuarterSignals
) -> None:
    firings = account_rules(
        facts(stat(2, 3, 5), signals=signals, previous_signals=previous_signals), Thresholds()
    )
    assert fired(firings, TriggerRule.CHURN_RISK) is None
    assert fired(firings, TriggerRule.SUPPORT_ESCALATION) is None
    if signals == QuarterSignals():
        assert firings == []


def test_without_nps_no_combined_rule_fires() -> None:
    assert account_rules(facts(stat(0, 0, 0), PLUS_30, EVERYTHING_BAD, BEFORE), Thresholds()) == []


def test_a_combined_rule_fires_whichever_input_comes_second_with_one_dedupe_key() -> None:
    signals = QuarterSignals(usage=usage(50))
    previous = QuarterSignals(usage=usage(100))
    # The response came second: the signal was already stored.
    on_response = account_rules(
        facts(DROP_11, signals=signals, previous_signals=previous, source="generic-r9"), Thresholds()
    )
    # The signal came second: the NPS had already dropped.
    on_signal = account_rules(facts(DROP_11, signals=signals, previous_signals=previous), Thresholds())
    first, second = fired(on_response, TriggerRule.CHURN_RISK), fired(on_signal, TriggerRule.CHURN_RISK)
    assert first is not None and second is not None
    assert first.dedupe_key == second.dedupe_key
    assert (first.response_id, second.response_id) == ("generic-r9", "signal:usage:2026-Q4")


def test_thresholds_move_the_boundaries() -> None:
    thresholds = Thresholds(churn_usage_drop_pct=50, version="strict-v2")
    signals, previous = QuarterSignals(usage=usage(60)), QuarterSignals(usage=usage(100))
    assert (
        fired(
            account_rules(facts(DROP_11, signals=signals, previous_signals=previous), thresholds),
            TriggerRule.CHURN_RISK,
        )
        is None
    )
    firing = fired(
        account_rules(
            facts(DROP_11, signals=QuarterSignals(usage=usage(49)), previous_signals=previous), thresholds
        ),
        TriggerRule.CHURN_RISK,
    )
    assert firing is not None and firing.thresholds_version == "strict-v2"


# --- contact history -----------------------------------------------------------------------------------


def history(*scores: int) -> ContactScores:
    result = ContactScores(contact_id="c-1", account_id="acme")
    for i, score in enumerate(scores):
        result = with_score(result, f"generic-r{i}", score, T0 + timedelta(days=30 * i))
    return result


def test_with_score_keeps_time_order_and_the_newest_five() -> None:
    held = history(9, 8, 7, 6, 5)
    late = with_score(held, "generic-late", 2, T0 + timedelta(days=45))  # between r1 and r2
    assert [s.score for s in late.scores] == [8, 2, 7, 6, 5]
    too_old = with_score(held, "generic-old", 0, T0 - timedelta(days=1))
    assert too_old.scores == held.scores


def test_with_score_is_idempotent_per_response_and_takes_a_revised_score() -> None:
    held = history(8, 6)
    assert with_score(held, "generic-r1", 6, T0 + timedelta(days=30)) is held
    revised = with_score(held, "generic-r1", 4, T0 + timedelta(days=30))
    assert [s.score for s in revised.scores] == [8, 4]


@pytest.mark.parametrize(
    ("scores", "length", "min_step", "run"),
    [
        ((8, 6, 4), 3, 1, [8, 6, 4]),
        ((8, 6, 6), 3, 1, None),
        ((8, 6), 3, 1, None),  # only two surveys
        ((10, 9, 8, 6, 4), 3, 1, [8, 6, 4]),
        ((4, 6, 8, 7, 6), 3, 1, [8, 7, 6]),
        ((8, 7, 6), 3, 2, None),
        ((8, 6, 4), 3, 2, [8, 6, 4]),
        ((9, 8, 7, 6), 4, 1, [9, 8, 7, 6]),
    ],
)
def test_declining_run(scores: tuple[int, ...], length: int, min_step: int, run: list[int] | None) -> None:
    assert declining_run(history(*scores), length, min_step) == run


# --- response rules ------------------------------------------------------------------------------------


def response(
    score: int, key: str = "r-new", at: datetime | None = None, comment: str | None = None
) -> CanonicalResponse:
    return CanonicalResponse(
        response_id=key,
        account_id="acme",
        contact_id="c-1",
        score=score,
        comment=comment,
        submitted_at=at or T0 + timedelta(days=60),
    )


def response_facts(
    answer: CanonicalResponse,
    past: ContactScores | None = None,
    themes: list[Theme] | None = None,
    usage_now: int = 100,
    usage_before: int = 100,
) -> ResponseFacts:
    return ResponseFacts(
        response=answer,
        account=ACME,
        themes=themes or [],
        history=past or ContactScores(contact_id="c-1", account_id="acme"),
        signals=QuarterSignals(usage=usage(usage_now)),
        previous_signals=QuarterSignals(usage=usage(usage_before)),
    )


@pytest.mark.parametrize(
    ("past", "score", "fires"),
    [
        ((8, 6), 4, True),  # 8 -> 6 -> 4
        ((8, 6), 6, False),  # 8 -> 6 -> 6
        ((8,), 4, False),  # only two surveys
        ((), 4, False),
        ((9, 8, 6), 5, True),
        ((8, 6), 5, True),  # a step of 1 is enough by default
    ],
)
def test_declining_scores_at_its_boundaries(past: tuple[int, ...], score: int, fires: bool) -> None:
    firing = fired(
        response_rules(response_facts(response(score), history(*past)), Thresholds()),
        TriggerRule.DECLINING_SCORES,
    )
    assert (firing is not None) is fires
    if firing:
        assert firing.owner_role is OwnerRole.CSM and firing.contact_id == "c-1"
        assert firing.dedupe_key == "declining-scores#acme#2026-Q4#c-1"
        assert firing.evidence["scores"][-1] == score and firing.response_id == "generic-r-new"


def test_declining_scores_counts_this_answer_once_even_if_the_history_already_has_it() -> None:
    answer = response(4)
    past = with_score(history(8, 6), answer.key, 4, answer.submitted_at)
    firing = fired(response_rules(response_facts(answer, past), Thresholds()), TriggerRule.DECLINING_SCORES)
    assert firing is not None and firing.evidence["scores"] == [8, 6, 4]


def test_a_late_answer_outside_the_run_does_not_fire_it_again() -> None:
    past = history(8, 6, 4)  # the run fired when its last answer came
    late = response(9, key="r-late", at=T0 - timedelta(days=400))
    assert (
        fired(response_rules(response_facts(late, past), Thresholds()), TriggerRule.DECLINING_SCORES) is None
    )


def test_the_history_must_be_the_responses_contact() -> None:
    with pytest.raises(ValueError, match="contact"):
        response_rules(
            response_facts(response(4), ContactScores(contact_id="c-2", account_id="acme")), Thresholds()
        )


@pytest.mark.parametrize(
    ("score", "usage_now", "fires"),
    [
        (7, 89, True),  # usage -11%
        (8, 89, True),
        (8, 90, False),  # -10% exactly does not fire
        (6, 50, False),  # a detractor is trigger 1's
        (9, 50, False),
        (8, 100, False),
    ],
)
def test_at_risk_passive_at_its_boundaries(score: int, usage_now: int, fires: bool) -> None:
    firing = fired(
        response_rules(response_facts(response(score), usage_now=usage_now), Thresholds()),
        TriggerRule.AT_RISK_PASSIVE,
    )
    assert (firing is not None) is fires
    if firing:
        assert firing.dedupe_key == "at-risk-passive#acme#2026-Q4#c-1"
        assert firing.evidence["usage_change_pct"] == usage_now - 100
        assert firing.owner_role is OwnerRole.CSM


def test_at_risk_passive_needs_both_quarters_of_usage() -> None:
    facts_without = response_facts(response(7)).model_copy(update={"previous_signals": QuarterSignals()})
    assert response_rules(facts_without, Thresholds()) == []


@pytest.mark.parametrize(
    ("score", "themes", "fires"),
    [
        (9, [Theme.MISSING_FEATURE], True),
        (10, [Theme.INTEGRATION, Theme.MISSING_FEATURE], True),
        (8, [Theme.MISSING_FEATURE], False),
        (10, [Theme.PRAISE], False),
    ],
)
def test_expansion_promoter(score: int, themes: list[Theme], fires: bool) -> None:
    answer = response(score, comment="Would love a Salesforce integration")
    firing = fired(
        response_rules(response_facts(answer, themes=themes), Thresholds()), TriggerRule.EXPANSION_PROMOTER
    )
    assert (firing is not None) is fires
    if firing:
        assert firing.owner_role is OwnerRole.CSM and firing.evidence["play"] == "expansion"
        assert firing.evidence["comment"] == "Would love a Salesforce integration"
        assert firing.dedupe_key == "expansion-promoter#acme#2026-Q4#c-1"


# --- trigger 5: theme routing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accounts", "fires"),
    [
        ({"a": 10_000.0, "b": 20_000.0}, False),  # two accounts do not route
        ({"a": 10_000.0, "b": 20_000.0, "c": 5_000.0}, True),
    ],
)
def test_theme_routing_at_its_boundary(accounts: dict[str, float], fires: bool) -> None:
    firing = theme_routing(Theme.INTEGRATION, "2026-Q4", accounts, ["integration issues"], Thresholds())
    assert (firing is not None) is fires


def test_theme_routing_carries_quotes_arr_and_the_owning_team() -> None:
    quotes = [f"quote {i}" for i in range(8)] + ["quote 1", "  "]
    accounts = {"b": 20_000.0, "a": 10_000.0, "c": 20_000.0}
    firing = theme_routing(Theme.SUPPORT_RESPONSIVENESS, "2026-Q4", accounts, quotes, Thresholds())
    assert firing is not None
    assert firing.dedupe_key == "theme-routing#support_responsiveness#2026-Q4"
    assert firing.account_id == PORTFOLIO_ACCOUNT_ID and firing.owner_role is OwnerRole.CS_LEAD
    assert firing.response_id == "theme:support_responsiveness:2026-Q4"
    evidence: dict[str, Any] = firing.evidence
    assert evidence["owning_team"] == "support"
    assert evidence["quotes"] == ["quote 0", "quote 1", "quote 2", "quote 3", "quote 4"]
    assert evidence["arr_at_risk"] == 50_000 and evidence["account_count"] == 3
    assert [a["account_id"] for a in evidence["accounts"]] == ["b", "c", "a"]  # by ARR, then id


def test_praise_routes_to_marketing_with_nothing_at_risk() -> None:
    firing = theme_routing(
        Theme.PRAISE, "2026-Q4", {"a": 1.0, "b": 2.0, "c": 3.0}, [], Thresholds(), source="sweep:2026-Q4"
    )
    assert firing is not None and firing.evidence["owning_team"] == "marketing"
    assert firing.evidence["arr_at_risk"] == 0.0 and firing.evidence["arr_total"] == 6.0
    assert firing.response_id == "sweep:2026-Q4"


def test_theme_routing_refuses_a_bad_quarter() -> None:
    with pytest.raises(ValueError):
        theme_routing(Theme.PRICING, "Q4-2026", {"a": 1.0}, [], Thresholds())


def test_account_facts_refuse_a_bad_quarter() -> None:
    with pytest.raises(ValueError):
        AccountQuarterFacts.model_validate(facts().model_dump() | {"quarter": "2026-Q0"})

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.health import health_of
from shared.domain.nps import BandCounts, NpsStat, nps_of
from shared.domain.signals import (
    Commercial,
    Engagement,
    Outcome,
    QuarterSignals,
    Signal,
    SignalKind,
    Support,
    Usage,
    percent_change,
    usage_level,
)
from shared.domain.thresholds import HealthWeights, Thresholds

AS_OF = datetime(2026, 11, 2, 9, tzinfo=UTC)


def stat(p: int, pa: int, d: int) -> NpsStat:
    return nps_of(BandCounts(promoters=p, passives=pa, detractors=d), 10)


def signal(kind: str, values: dict[str, Any], /, **overrides: Any) -> Signal:
    raw: dict[str, Any] = {
        "account_id": "acme",
        "quarter": "2026-Q4",
        "kind": kind,
        "as_of": AS_OF,
        "values": values,
    }
    return Signal.model_validate(raw | overrides)


COMMERCIAL = {
    "arr": 120_000,
    "seats": 200,
    "renewal_date": "2027-03-31",
    "segment": "enterprise",
    "industry": "retail",
    "region": "EMEA",
    "lifecycle_stage": "mature",
    "product_lines": ["analytics", "core"],
    "csm": "Ava CSM",
    "cs_lead": "Ben Lead",
    "executive_sponsor": "Cy VP",
}


# --- signals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "values", "model"),
    [
        ("usage", {"active_users": 80, "seats": 100}, Usage),
        ("support", {"tickets": 12, "sev1": 1, "sev2": 2, "escalations": 1}, Support),
        ("engagement", {"meetings": 2, "outreach_replies": 3, "email_opens": 9}, Engagement),
        ("commercial", COMMERCIAL, Commercial),
        ("outcome", {"renewed": True, "expansion_arr": 20_000}, Outcome),
    ],
)
def test_a_signal_parses_its_values_by_its_kind_and_round_trips(
    kind: str, values: dict[str, Any], model: type
) -> None:
    parsed = signal(kind, values)
    assert isinstance(parsed.values, model) and parsed.kind is SignalKind(kind)
    assert Signal.model_validate(parsed.model_dump(mode="json")) == parsed


def test_commercial_values_keep_their_dates_and_product_lines() -> None:
    values = signal("commercial", COMMERCIAL).values
    assert isinstance(values, Commercial)
    assert values.renewal_date == date(2027, 3, 31) and values.product_lines == ["analytics", "core"]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("usage", {"tickets": 3}),  # support values under the usage kind
        ("support", {"active_users": 1, "seats": 2}),
        ("engagement", {}),
        ("outcome", {"meetings": 1, "outreach_replies": 0, "email_opens": 0}),
    ],
)
def test_a_signal_refuses_values_of_another_kind(kind: str, values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as raised:
        signal(kind, values)
    assert all(error["loc"][0] == "values" for error in raised.value.errors())


def test_a_signal_refuses_a_model_of_another_kind() -> None:
    with pytest.raises(ValidationError, match="not usage values"):
        Signal(
            account_id="acme",
            quarter="2026-Q4",
            kind=SignalKind.USAGE,
            as_of=AS_OF,
            values=Support(tickets=1),
        )


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("usage", {"active_users": -1, "seats": 10}),
        ("usage", {"active_users": 1, "seats": -10}),
        ("usage", {"active_users": 1, "seats": 10, "usage_index": 101}),
        ("support", {"tickets": -1}),
        ("support", {"tickets": 2, "sev1": 2, "sev2": 1}),  # more severe tickets than tickets
        ("support", {"tickets": 2, "escalations": 3}),
        ("support", {"tickets": 2, "mean_resolution_hours": -1}),
        ("engagement", {"meetings": -1, "outreach_replies": 0, "email_opens": 0}),
        ("commercial", COMMERCIAL | {"arr": -5}),
        ("commercial", COMMERCIAL | {"csm": ""}),
        ("commercial", COMMERCIAL | {"segment": "x" * 201}),
        ("outcome", {"renewed": True, "churned": True}),
        ("outcome", {"references_given": -1}),
        ("usage", {"active_users": 1, "seats": 10, "surprise": 1}),  # extra fields are refused
    ],
)
def test_a_signal_refuses_impossible_values(kind: str, values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        signal(kind, values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"quarter": "2026-Q5"},
        {"quarter": "2026Q1"},
        {"quarter": "26-Q1"},
        {"account_id": "acme#1"},
        {"as_of": datetime(2026, 11, 2)},  # naive: whose 9 o'clock?
        {"kind": "weather"},
        {"extra": 1},
    ],
)
def test_a_signal_refuses_a_bad_envelope(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        signal("usage", {"active_users": 1, "seats": 10}, **overrides)


def test_signals_are_frozen() -> None:
    parsed = signal("usage", {"active_users": 1, "seats": 10})
    with pytest.raises(ValidationError):
        parsed.quarter = "2026-Q3"  # type: ignore[misc]


def test_the_latest_as_of_per_kind_wins_whatever_the_arrival_order() -> None:
    early = signal("usage", {"active_users": 10, "seats": 100}, as_of=AS_OF)
    corrected = signal("usage", {"active_users": 60, "seats": 100}, as_of=AS_OF + timedelta(days=3))
    stale_resend = signal("usage", {"active_users": 20, "seats": 100}, as_of=AS_OF - timedelta(days=1))
    tickets = signal("support", {"tickets": 4})
    for order in ([early, corrected, stale_resend, tickets], [corrected, tickets, stale_resend, early]):
        signals = QuarterSignals.from_signals(order)
        assert signals.usage == Usage(active_users=60, seats=100)
        assert signals.support == Support(tickets=4)
        assert signals.engagement is None and signals.commercial is None and signals.outcome is None


def test_quarter_signals_refuse_signals_from_two_accounts_or_quarters() -> None:
    with pytest.raises(ValueError, match="more than one"):
        QuarterSignals.from_signals(
            [signal("support", {"tickets": 1}), signal("support", {"tickets": 1}, quarter="2026-Q3")]
        )
    assert QuarterSignals.from_signals([]) == QuarterSignals()


@pytest.mark.parametrize(
    ("usage", "level"),
    [
        (Usage(active_users=80, seats=100), 80.0),
        (Usage(active_users=80, seats=100, usage_index=55.5), 55.5),  # the tool's own index wins
        (Usage(active_users=3, seats=0), None),
        (Usage(active_users=3, seats=0, usage_index=12), 12.0),
        (Usage(active_users=120, seats=100), 120.0),
    ],
)
def test_usage_level(usage: Usage, level: float | None) -> None:
    assert usage_level(usage) == level


@pytest.mark.parametrize(
    ("previous", "current", "change"),
    [
        (100, 80, -20.0),
        (80, 64, -20.0),
        (100, 131, 31.0),
        (3, 1, -66.6667),
        (0, 5, None),
        (None, 5, None),
        (5, None, None),
    ],
)
def test_percent_change(previous: float | None, current: float | None, change: float | None) -> None:
    assert percent_change(previous, current) == change


# --- health --------------------------------------------------------------------------------------------

USAGE_80 = Usage(active_users=80, seats=100)
NPS_PLUS_20 = stat(4, 4, 2)  # +20 -> component 60
ENGAGEMENT_50 = Engagement(meetings=3, outreach_replies=0, email_opens=0)  # meetings only: 50
# penalties: volume 10 tickets per 100 seats = 1 per 10 seats -> 5; sev1 15; sev2 2 x 5; escalation 10;
# slow resolution (60 h > 48 h) 15 -> 100 - 55 = 45
SUPPORT_45 = Support(tickets=10, sev1=1, sev2=2, escalations=1, mean_resolution_hours=60)
ENGAGEMENT_90 = Engagement(meetings=3, outreach_replies=5, email_opens=10)  # 50 + 30 + 10
ALL = QuarterSignals(usage=USAGE_80, support=SUPPORT_45, engagement=ENGAGEMENT_90)


def test_a_missing_input_is_flagged_and_its_weight_spread_over_the_others() -> None:
    # (0.4*80 + 0.2*60 + 0.2*50) / 0.8 = 54 / 0.8 = 67.5
    health = health_of(
        NPS_PLUS_20,
        QuarterSignals(usage=USAGE_80, engagement=ENGAGEMENT_50),
        None,
        None,
        None,
        Thresholds(),
    )
    assert health.score == 67.5
    assert health.components == {"usage": 80.0, "support": None, "nps": 60.0, "engagement": 50.0}
    assert health.missing == ["support"]
    assert health.weights_used == {"usage": 0.5, "support": 0.0, "nps": 0.25, "engagement": 0.25}
    assert health.weights_segment == "default"


def test_every_input_present_uses_the_design_weights() -> None:
    # 0.4*80 + 0.2*45 + 0.2*60 + 0.2*90 = 32 + 9 + 12 + 18 = 71
    health = health_of(NPS_PLUS_20, ALL, None, None, "enterprise", Thresholds())
    assert health.components == {"usage": 80.0, "support": 45.0, "nps": 60.0, "engagement": 90.0}
    assert health.score == 71.0 and health.missing == [] and health.flags == []


def test_weights_are_configurable_per_segment_with_a_default_for_the_rest() -> None:
    thresholds = Thresholds(
        health_weights={
            "default": HealthWeights(),
            "smb": HealthWeights(usage=0.6, support=0.1, nps=0.2, engagement=0.1),
        }
    )
    # 0.6*80 + 0.1*45 + 0.2*60 + 0.1*90 = 48 + 4.5 + 12 + 9 = 73.5
    smb = health_of(NPS_PLUS_20, ALL, None, None, "smb", thresholds)
    assert smb.score == 73.5 and smb.weights_segment == "smb"
    other = health_of(NPS_PLUS_20, ALL, None, None, "mid-market", thresholds)
    assert other.score == 71.0 and other.weights_segment == "default"


def test_health_weights_must_sum_to_one_and_a_default_entry_must_exist() -> None:
    with pytest.raises(ValidationError):
        HealthWeights(usage=40, support=20, nps=20, engagement=20)
    with pytest.raises(ValidationError):
        HealthWeights(usage=0.5)
    with pytest.raises(ValidationError):
        Thresholds(health_weights={"smb": HealthWeights()})
    assert (
        Thresholds.model_validate(
            {"health_weights": {"default": {"usage": 0.25, "support": 0.25, "nps": 0.25, "engagement": 0.25}}}
        )
        .health_weights["default"]
        .usage
        == 0.25
    )


def test_with_every_input_missing_there_is_no_score() -> None:
    health = health_of(None, QuarterSignals(), None, None, None, Thresholds())
    assert health.score is None
    assert health.missing == ["usage", "support", "nps", "engagement"]
    assert set(health.weights_used.values()) == {0.0}
    empty_nps = health_of(stat(0, 0, 0), QuarterSignals(), None, None, None, Thresholds())
    assert empty_nps.missing == ["usage", "support", "nps", "engagement"]


def test_usage_without_seats_or_index_is_missing() -> None:
    health = health_of(
        None, QuarterSignals(usage=Usage(active_users=5, seats=0)), None, None, None, Thresholds()
    )
    assert health.missing == ["usage", "support", "nps", "engagement"]


def test_usage_is_capped_at_full_adoption() -> None:
    signals = QuarterSignals(usage=Usage(active_users=150, seats=100))
    health = health_of(None, signals, None, None, None, Thresholds())
    assert health.components["usage"] == 100.0 and health.score == 100.0


def test_an_nps_under_the_minimum_sample_counts_but_is_flagged() -> None:
    small = stat(1, 1, 1)  # NPS 0 on n=3 -> 50
    health = health_of(small, QuarterSignals(), None, None, None, Thresholds())
    assert health.components["nps"] == 50.0 and health.score == 50.0
    assert health.flags == ["nps: insufficient sample (n=3)"]


@pytest.mark.parametrize(
    ("support", "signals_seats", "component"),
    [
        (Support(tickets=0), 100, 100.0),
        (Support(tickets=20), 100, 90.0),  # 2 per 10 seats -> 10
        (Support(tickets=20), 1000, 99.0),  # the same tickets from a ten times larger account
        (Support(tickets=20, sev1=10), 100, 0.0),  # floored at 0
        (Support(tickets=1, mean_resolution_hours=48), 100, 99.5),  # at the limit: not slow
        (Support(tickets=1, mean_resolution_hours=48.5), 100, 84.5),
    ],
)
def test_support_component(support: Support, signals_seats: int, component: float) -> None:
    signals = QuarterSignals(usage=Usage(active_users=0, seats=signals_seats), support=support)
    assert health_of(None, signals, None, None, None, Thresholds()).components["support"] == component


def test_support_without_a_seat_count_scores_severity_only_and_says_so() -> None:
    signals = QuarterSignals(support=Support(tickets=40, sev2=1))
    health = health_of(None, signals, None, None, None, Thresholds())
    assert health.components["support"] == 95.0
    assert health.flags == ["support: no seat count, ticket volume not scored"]
    commercial = Commercial.model_validate(COMMERCIAL | {"seats": 400})
    with_crm_seats = QuarterSignals(support=Support(tickets=40, sev2=1), commercial=commercial)
    # 40 tickets on 400 CRM seats: 1 per 10 seats -> 5, sev2 -> 5
    assert health_of(None, with_crm_seats, None, None, None, Thresholds()).components["support"] == 90.0


@pytest.mark.parametrize(
    ("engagement", "component"),
    [
        (Engagement(meetings=0, outreach_replies=0, email_opens=0), 0.0),
        (Engagement(meetings=1, outreach_replies=0, email_opens=0), 16.67),
        (Engagement(meetings=9, outreach_replies=50, email_opens=500), 100.0),  # saturates
        (Engagement(meetings=0, outreach_replies=5, email_opens=20), 50.0),
    ],
)
def test_engagement_component(engagement: Engagement, component: float) -> None:
    signals = QuarterSignals(engagement=engagement)
    assert health_of(None, signals, None, None, None, Thresholds()).components["engagement"] == component


def test_changes_quarter_over_quarter() -> None:
    previous = QuarterSignals(
        usage=Usage(active_users=100, seats=100),
        support=Support(tickets=8),
        engagement=ENGAGEMENT_90,
    )
    now = QuarterSignals(usage=USAGE_80, support=Support(tickets=10), engagement=ENGAGEMENT_50)
    health = health_of(NPS_PLUS_20, now, stat(5, 3, 2), previous, None, Thresholds())
    assert health.changes == {
        "usage": -20.0,  # 100 -> 80
        "support": -1.0,  # volume only: 8 tickets on 100 seats cost 4, 10 cost 5: 96 -> 95
        "nps": -5.0,  # +30 -> +20 is 65 -> 60
        "engagement": -40.0,  # 90 -> 50
        "usage_level_pct": -20.0,
        "tickets_pct": 25.0,
        "nps_points": -10.0,
    }


def test_changes_are_none_without_a_previous_quarter() -> None:
    health = health_of(NPS_PLUS_20, ALL, None, None, None, Thresholds())
    assert set(health.changes.values()) == {None}

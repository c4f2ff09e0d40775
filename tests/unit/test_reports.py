"""Report arithmetic against small cases computed by hand (the working is in the comments)."""

import math

import pytest

from shared.domain.models import Band
from shared.domain.nps import BandCounts
from shared.domain.reports import (
    ALL,
    AccountQuarter,
    AccountVotes,
    WeightedNps,
    Weighting,
    account_band,
    nps_beside_nrr,
    nps_difference,
    revenue_row,
    revenue_rows,
    weighted_nps,
)


def counts(p: int, pa: int, d: int) -> BandCounts:
    return BandCounts(promoters=p, passives=pa, detractors=d)


@pytest.mark.parametrize(
    ("votes", "band"),
    [
        (counts(2, 1, 0), Band.PROMOTER),  # +67
        (counts(1, 1, 0), Band.PROMOTER),  # +50: the boundary is a promoter account
        (counts(1, 0, 0), Band.PROMOTER),  # one 9-10 voter keeps their band
        (counts(1, 0, 1), Band.PASSIVE),  # 0: not below zero
        (counts(0, 1, 0), Band.PASSIVE),
        (counts(2, 1, 1), Band.PASSIVE),  # +25
        (counts(0, 1, 1), Band.DETRACTOR),  # -50
        (counts(0, 0, 0), None),
    ],
)
def test_account_band(votes: BandCounts, band: Band | None) -> None:
    assert account_band(votes) is band


def fact(
    account: str, start: float | None, end: float | None, segment: str = "enterprise", **outcome: object
) -> AccountQuarter:
    return AccountQuarter.model_validate(
        {
            "account_id": account,
            "quarter": "2026-Q3",
            "segment": segment,
            "counts": counts(2, 0, 0),
            "start_arr": start,
            "end_arr": end,
            "has_outcome": bool(outcome),
        }
        | outcome
    )


PROMOTERS = [
    fact("a", 100, 100, renewed=True, expansion_arr=20, references_given=1),
    fact("b", 200, 150, renewed=True),  # contracted by 50
    fact("c", 100, None, churned=True),
    fact("d", 50, 50),  # no outcome signal: in the ARR base, not in the rates
]


def test_revenue_row_by_hand() -> None:
    row = revenue_row("2026-Q3", "enterprise", Band.PROMOTER, PROMOTERS)
    assert (row.accounts, row.with_outcome, row.renewed, row.churned) == (4, 3, 2, 1)
    assert row.renewal_rate == 0.6667  # 2 renewed / 3 decided
    assert row.churn_rate == 0.3333  # 1 churned / 3 with an outcome
    assert row.expansion_rate == 0.3333  # a expanded / 3
    assert row.average_expansion_arr == 20
    # start 100+200+100+50 = 450; churned 100 (c); contraction 200-150 = 50; expansion 20
    assert (row.start_arr, row.churned_arr, row.contraction_arr, row.expansion_arr) == (450, 100, 50, 20)
    assert row.grr == 0.6667  # (450-100-50)/450 = 300/450
    assert row.nrr == 0.7111  # (300+20)/450
    assert (row.references_given, row.reference_yield) == (1, 0.3333)


def test_revenue_rows_group_by_quarter_segment_and_band_with_the_portfolio_first() -> None:
    detractor = fact("e", 80, 80, segment="smb", churned=True).model_copy(update={"counts": counts(0, 0, 2)})
    no_votes = fact("f", 10, 10).model_copy(update={"counts": counts(0, 0, 0)})
    rows = revenue_rows([*PROMOTERS, detractor, no_votes])
    assert [(r.segment, r.band, r.accounts) for r in rows] == [
        (ALL, Band.PROMOTER, 4),
        (ALL, Band.DETRACTOR, 1),
        ("enterprise", Band.PROMOTER, 4),
        ("smb", Band.DETRACTOR, 1),
    ]
    smb = rows[-1]
    assert (smb.renewal_rate, smb.churn_rate, smb.grr, smb.nrr, smb.reference_yield) == (0, 1, 0, 0, 0)


def test_rates_with_nothing_to_divide_are_none() -> None:
    row = revenue_row("2026-Q3", "smb", Band.PASSIVE, [fact("x", None, None)])
    assert (row.renewal_rate, row.churn_rate, row.expansion_rate, row.grr, row.nrr) == (None,) * 5
    assert row.average_expansion_arr is None


def test_nps_movement_beside_nrr() -> None:
    before = fact("a", 100, 100).model_copy(update={"quarter": "2026-Q2", "counts": counts(1, 1, 0)})
    now = fact("a", 100, 120, expansion_arr=20).model_copy(update={"counts": counts(1, 0, 1)})
    rows = nps_beside_nrr([before, now], ["2026-Q2", "2026-Q3"])
    # NPS +50 (1P 1Pa) -> 0 (1P 1D): -50 points; NRR (100 + 20) / 100
    assert [(r.segment, r.nps, r.nps_change, r.nrr) for r in rows] == [
        (ALL, 0, -50, 1.2),
        ("enterprise", 0, -50, 1.2),
    ]


X = AccountVotes(counts=counts(3, 1, 0), arr=100, seats=10)  # NPS +75
Y = AccountVotes(counts=counts(0, 1, 1), arr=300, seats=10)  # NPS -50


def test_unweighted_nps_is_the_pooled_nps_with_its_trinomial_margin() -> None:
    stat = weighted_nps([X, Y], Weighting.UNWEIGHTED, min_sample=10)
    # 3P 2Pa 1D of 6: NPS (3-1)/6 = +33.33; Var = 3/6 + 1/6 - (2/6)^2 = 0.5556; MoE = 1.96*sqrt(0.5556/6)
    assert stat.nps == 33.33 and stat.effective_n == 6 and stat.n == 6
    assert stat.margin_of_error == pytest.approx(1.96 * math.sqrt((4 / 6 - 1 / 9) / 6) * 100, abs=0.01)
    assert stat.insufficient_sample


def test_arr_weighted_nps_by_hand() -> None:
    stat = weighted_nps([X, Y], Weighting.ARR, min_sample=3)
    # p_P = (100*3/4 + 300*0)/400 = 0.1875; p_D = (100*0 + 300*1/2)/400 = 0.375 -> NPS -18.75
    # Var = 0.5625 - 0.1875^2 = 0.52734; n_eff = 400^2 / (100^2/4 + 300^2/2) = 160000/47500 = 3.3684
    assert stat.nps == -18.75
    assert stat.effective_n == 3.37
    assert stat.margin_of_error == pytest.approx(
        1.96 * math.sqrt(0.52734375 / (160000 / 47500)) * 100, abs=0.01
    )
    assert not stat.insufficient_sample


def test_seat_weighted_nps_gives_each_account_the_same_say_here() -> None:
    stat = weighted_nps([X, Y, AccountVotes(counts=counts(0, 0, 0), arr=50, seats=99)], Weighting.SEATS, 10)
    # (3/4 - 0)/2 - (0 + 1/2)/2 = 0.375 - 0.25 -> +12.5; n_eff = 20^2 / (10^2/4 + 10^2/2) = 5.33
    assert (stat.nps, stat.effective_n) == (12.5, 5.33)


def test_no_votes_no_nps() -> None:
    stat = weighted_nps([AccountVotes(counts=counts(0, 0, 0), arr=1, seats=1)], Weighting.ARR, 10)
    assert (stat.nps, stat.margin_of_error, stat.n) == (None, None, 0)


def unweighted(p: int, pa: int, d: int) -> WeightedNps:
    return weighted_nps([AccountVotes(counts=counts(p, pa, d), arr=1, seats=1)], Weighting.UNWEIGHTED, 1)


def test_significant_difference_known_value() -> None:
    # +30 (50/30/20 of 100, Var 0.61) against 0 (30/40/30 of 100, Var 0.60):
    # z = 0.30 / sqrt(0.0061 + 0.0060) = 0.30 / 0.11 = 2.7273; p = erfc(2.7273/sqrt 2) = 0.00639
    diff = nps_difference("a", unweighted(50, 30, 20), "b", unweighted(30, 40, 30))
    assert diff is not None
    assert (diff.difference, diff.z, diff.significant) == (30, 2.7273, True)
    assert diff.p_value == pytest.approx(0.00639, abs=0.00001)


def test_difference_within_the_noise_known_value() -> None:
    # +10 (40/30/30, Var 0.69) against 0 (35/30/35, Var 0.70), n=100 each:
    # z = 0.10 / sqrt(0.0069 + 0.0070) = 0.10 / 0.11790 = 0.8482; p = 0.3963
    diff = nps_difference("a", unweighted(40, 30, 30), "b", unweighted(35, 30, 35))
    assert diff is not None
    assert (diff.z, diff.significant) == (0.8482, False)
    assert diff.p_value == pytest.approx(0.3963, abs=0.0001)
    reverse = nps_difference("b", unweighted(35, 30, 35), "a", unweighted(40, 30, 30))
    assert reverse is not None and reverse.z == -0.8482


def test_no_test_without_votes_or_variance() -> None:
    assert nps_difference("a", unweighted(0, 0, 0), "b", unweighted(1, 1, 1)) is None
    assert nps_difference("a", unweighted(5, 0, 0), "b", unweighted(0, 0, 5)) is None

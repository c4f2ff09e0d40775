import math

import pytest

from shared.domain.models import Band
from shared.domain.nps import BandCounts, change_exceeds_noise, nps_of
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.scoring import Play, band_for, play_for


@pytest.mark.parametrize(
    ("score", "band", "play"),
    [
        (0, Band.DETRACTOR, Play.RECOVERY),
        (6, Band.DETRACTOR, Play.RECOVERY),
        (7, Band.PASSIVE, Play.WATCH),
        (8, Band.PASSIVE, Play.NUDGE),
        (9, Band.PROMOTER, Play.EXPANSION_AND_ADVOCACY),
        (10, Band.PROMOTER, Play.EXPANSION_AND_ADVOCACY),
    ],
)
def test_bands_and_plays_at_every_boundary(score: int, band: Band, play: Play) -> None:
    assert band_for(score) is band
    assert play_for(score) is play


@pytest.mark.parametrize("score", [-1, 11])
def test_scores_outside_0_to_10_are_refused(score: int) -> None:
    with pytest.raises(ValueError):
        band_for(score)


def test_nps_and_margin_of_error_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS 30; Var = .5 + .2 - .3² = .61
    stat = nps_of(BandCounts(promoters=50, passives=30, detractors=20), min_sample=30)
    assert stat.n == 100
    assert stat.nps == 30
    assert stat.margin_of_error == pytest.approx(1.96 * math.sqrt(0.61 / 100) * 100, abs=0.01)
    assert not stat.insufficient_sample
    assert str(stat) == "+30 ±15 (n=100)"


def test_small_samples_are_marked_and_empty_ones_have_no_nps() -> None:
    assert nps_of(BandCounts(promoters=3), min_sample=10).insufficient_sample
    empty = nps_of(BandCounts(), min_sample=10)
    assert empty.nps is None and empty.margin_of_error is None and empty.n == 0


def test_all_promoters_has_zero_variance() -> None:
    stat = nps_of(BandCounts(promoters=12), min_sample=10)
    assert stat.nps == 100 and stat.margin_of_error == 0


def test_a_drop_exceeds_the_noise_only_beyond_the_combined_margin() -> None:
    before = nps_of(BandCounts(promoters=60, passives=30, detractors=10), 10)  # +50 ±~12
    small_drop = nps_of(BandCounts(promoters=55, passives=30, detractors=15), 10)  # +40
    big_drop = nps_of(BandCounts(promoters=30, passives=30, detractors=40), 10)  # -10
    assert not change_exceeds_noise(small_drop, before)
    assert change_exceeds_noise(big_drop, before)


def test_quarters() -> None:
    from datetime import UTC, datetime

    assert quarter_of(datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == "2026-Q1"
    assert quarter_of(datetime(2026, 4, 1, tzinfo=UTC)) == "2026-Q2"
    assert previous_quarter("2026-Q1") == "2025-Q4"
    assert previous_quarter("2026-Q3") == "2026-Q2"
    with pytest.raises(ValueError):
        previous_quarter("2026-Q5")

from datetime import UTC, datetime, timedelta

from shared.domain.models import Band
from shared.domain.nps import BandCounts
from shared.domain.rollup import Vote, vote_change

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def vote(response_id: str, band: Band, at: datetime = T0, revised: datetime | None = None) -> Vote:
    return Vote(
        contact_id="c-1",
        response_id=response_id,
        band=band,
        score=5,
        submitted_at=at,
        revised_at=revised or at,
    )


def test_a_first_vote_adds_one() -> None:
    change = vote_change(None, vote("r1", Band.DETRACTOR))
    assert change.replaces_vote
    assert change.as_delta() == BandCounts.model_construct(promoters=0, passives=0, detractors=1)


def test_the_same_response_again_changes_nothing_and_is_known_as_counted_before() -> None:
    change = vote_change(vote("r1", Band.DETRACTOR), vote("r1", Band.DETRACTOR))
    assert not change.replaces_vote and change.as_delta() is None
    assert change.counted_before  # an earlier try of this response counted it: announce it again


def test_a_later_answer_moves_the_vote_between_bands() -> None:
    change = vote_change(vote("r1", Band.DETRACTOR), vote("r2", Band.PROMOTER, T0 + timedelta(days=3)))
    assert change.replaces_vote
    assert change.as_delta() == BandCounts.model_construct(promoters=1, passives=0, detractors=-1)


def test_a_later_answer_in_the_same_band_replaces_the_vote_without_moving_counters() -> None:
    change = vote_change(vote("r1", Band.PASSIVE), vote("r2", Band.PASSIVE, T0 + timedelta(days=1)))
    assert change.replaces_vote and change.as_delta() is None


def test_an_older_answer_arriving_late_never_replaces_the_latest() -> None:
    change = vote_change(vote("r2", Band.PROMOTER, T0 + timedelta(days=3)), vote("r1", Band.DETRACTOR))
    assert not change.replaces_vote and change.as_delta() is None and not change.counted_before


def test_a_newer_revision_of_the_counted_response_moves_its_vote_once() -> None:
    counted = vote("r1", Band.DETRACTOR)
    revised = vote("r1", Band.PROMOTER, revised=T0 + timedelta(minutes=10))
    change = vote_change(counted, revised)
    assert change.replaces_vote
    assert change.as_delta() == BandCounts.model_construct(promoters=1, passives=0, detractors=-1)
    assert vote_change(revised, revised).as_delta() is None  # the same revision redelivered
    late = vote_change(revised, counted)  # the older revision arriving late: not this vote
    assert not late.replaces_vote and not late.counted_before

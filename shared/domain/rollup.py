"""Account·quarter roll-up: one vote per contact, their latest response in the quarter.

Counters are moved by deltas, so the store can apply them with one atomic ADD. A contact's vote only
moves when a newer response, or a newer revision of the counted one, arrives; anything older that
arrives late changes nothing, so revisions move the counters exactly once in any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.models import Band, CanonicalResponse, SurveyKind
from shared.domain.nps import BandCounts
from shared.domain.quarters import quarter_of
from shared.domain.scoring import band_for


class RollupKey(BaseModel):
    """Relational and transactional NPS, and each program, are counted apart."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    quarter: str
    program: str
    kind: SurveyKind


class Vote(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    contact_id: str
    response_id: str
    band: Band
    score: int
    submitted_at: datetime
    revised_at: datetime  # the vendor's time of the response revision this vote counts


def rollup_key_of(response: CanonicalResponse) -> RollupKey:
    return RollupKey(
        account_id=response.account_id,
        quarter=quarter_of(response.submitted_at),
        program=response.program,
        kind=response.kind,
    )


def vote_of(response: CanonicalResponse) -> Vote:
    return Vote(
        contact_id=response.contact_id,
        response_id=response.key,
        band=band_for(response.score),
        score=response.score,
        submitted_at=response.submitted_at,
        revised_at=response.revision_time,
    )


class VoteChange(BaseModel):
    """What a new response does to the counters: a vote added, moved between bands, or nothing."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    replaces_vote: bool = False
    remove: Band | None = None
    add: Band | None = None
    # The stored vote is this very one: an earlier try of the same response counted it (a write whose
    # answer was lost, a retried step, a redriven execution), and may have failed before announcing it.
    counted_before: bool = False

    @property
    def moves_counters(self) -> bool:
        return self.add is not None and self.add != self.remove

    def as_delta(self) -> BandCounts | None:
        """Counter increments, or None where nothing moves. Negative values are allowed here."""
        if not self.moves_counters:
            return None
        delta = {band: 0 for band in Band}
        if self.add is not None:
            delta[self.add] += 1
        if self.remove is not None:
            delta[self.remove] -= 1
        return BandCounts.model_construct(
            promoters=delta[Band.PROMOTER], passives=delta[Band.PASSIVE], detractors=delta[Band.DETRACTOR]
        )


def vote_change(previous: Vote | None, new: Vote) -> VoteChange:
    if previous is None:
        return VoteChange(replaces_vote=True, add=new.band)
    if previous.response_id == new.response_id:
        if new.revised_at == previous.revised_at:
            return VoteChange(counted_before=True)
        if new.revised_at < previous.revised_at:
            return VoteChange()  # an older revision arriving late
        return VoteChange(replaces_vote=True, remove=previous.band, add=new.band)
    if (new.submitted_at, new.response_id) <= (previous.submitted_at, previous.response_id):
        return VoteChange()  # an older answer never replaces the latest one
    return VoteChange(replaces_vote=True, remove=previous.band, add=new.band)


def latest_votes(votes: Iterable[Vote]) -> list[Vote]:
    """Each contact's vote after all of these, in first-seen order: counting only these is the same as
    counting every vote one by one, since a vote only ever moves to a later answer (or revision)."""
    latest: dict[str, Vote] = {}
    for vote in votes:
        if vote_change(latest.get(vote.contact_id), vote).replaces_vote:
            latest[vote.contact_id] = vote
    return list(latest.values())


def counts_of(votes: Iterable[Vote]) -> BandCounts:
    """The counters these votes make: each contact's latest vote, counted once (the reconciliation's
    recomputation of a roll-up from its stored responses)."""
    bands = [vote.band for vote in latest_votes(votes)]
    return BandCounts(
        promoters=bands.count(Band.PROMOTER),
        passives=bands.count(Band.PASSIVE),
        detractors=bands.count(Band.DETRACTOR),
    )

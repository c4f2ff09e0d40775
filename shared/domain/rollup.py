"""Account·quarter roll-up: one vote per contact, their latest response in the quarter.

Counters are moved by deltas, so the store can apply them with one atomic ADD. A contact's vote only
moves when a newer response arrives; a late, older response changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.models import Band, SurveyKind
from shared.domain.nps import BandCounts


class RollupKey(BaseModel):
    """Relational and transactional NPS, and each program, are counted apart."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    quarter: str
    program: str
    kind: SurveyKind


class Vote(BaseModel):
    model_config = ConfigDict(frozen=True)

    contact_id: str
    response_id: str
    band: Band
    score: int
    submitted_at: datetime


class VoteChange(BaseModel):
    """What a new response does to the counters: a vote added, moved between bands, or nothing."""

    model_config = ConfigDict(frozen=True)

    replaces_vote: bool = False
    remove: Band | None = None
    add: Band | None = None

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
        return VoteChange()  # already counted: redelivery or retry
    if (new.submitted_at, new.response_id) <= (previous.submitted_at, previous.response_id):
        return VoteChange()  # an older answer never replaces the latest one
    return VoteChange(replaces_vote=True, remove=previous.band, add=new.band)

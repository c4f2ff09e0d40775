"""A contact's most recent scores, newest last: enough to see a decline over consecutive surveys
(docs/cs-leads.md#triggers, trigger 6: 8 → 6 → 4) without reading the contact's whole response history."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from shared.domain.models import Identifier

MAX_SCORES = 5  # covers the longest configurable declining run (Thresholds.declining_run_length <= 5)


class ScoredAt(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    response_key: str = Field(min_length=1, max_length=200)  # CanonicalResponse.key
    score: StrictInt = Field(ge=0, le=10)
    submitted_at: AwareDatetime


class ContactScores(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    contact_id: Identifier
    account_id: Identifier
    scores: list[ScoredAt] = Field(default_factory=list, max_length=MAX_SCORES)  # oldest first


def with_score(history: ContactScores, response_key: str, score: int, at: datetime) -> ContactScores:
    """The history with this answer placed in time order, keeping the newest MAX_SCORES.

    Idempotent per response_key: the same answer seen again changes nothing. A revision of an answer
    already held (same key, another score) replaces its score in place; the caller passes revisions in
    the order the roll-up counts them. An answer older than everything in a full history falls off."""
    entry = ScoredAt(response_key=response_key, score=score, submitted_at=at)
    held = [s for s in history.scores if s.response_key == response_key]
    if held and held[0].score == score and held[0].submitted_at == entry.submitted_at:
        return history
    others = [s for s in history.scores if s.response_key != response_key]
    # Stable: an answer at the same instant as one held goes after it.
    position = sum(1 for s in others if s.submitted_at <= entry.submitted_at)
    scores = [*others[:position], entry, *others[position:]][-MAX_SCORES:]
    return history.model_copy(update={"scores": scores})


def declining_entries(history: ContactScores, length: int = 3, min_step: int = 1) -> list[ScoredAt] | None:
    """The last `length` answers if each score is lower than the one before by at least `min_step`."""
    if length < 2:
        raise ValueError("a run needs at least two scores")
    run = history.scores[-length:]
    if len(run) < length:
        return None
    if all(earlier.score - later.score >= min_step for earlier, later in pairwise(run)):
        return run
    return None


def declining_run(history: ContactScores, length: int = 3, min_step: int = 1) -> list[int] | None:
    """The last `length` scores, oldest first, if each is lower than the one before by at least
    `min_step` (8 → 6 → 4); None otherwise, or when there are fewer than `length` answers."""
    run = declining_entries(history, length, min_step)
    return None if run is None else [entry.score for entry in run]

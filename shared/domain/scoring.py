"""Bands and plays by score (docs/cs-leads.md#scores-bands-and-plays)."""

from __future__ import annotations

from enum import StrEnum

from shared.domain.models import Band


class Play(StrEnum):
    EXPANSION_AND_ADVOCACY = "expansion-and-advocacy"  # 9-10
    NUDGE = "nudge"  # 8: "what would make us a 9?"
    WATCH = "watch"  # 7
    RECOVERY = "recovery"  # 0-6: outreach within 24-48 h, escalation ladder


def band_for(score: int) -> Band:
    if not 0 <= score <= 10:
        raise ValueError(f"score must be 0..10, got {score}")
    if score >= 9:
        return Band.PROMOTER
    if score >= 7:
        return Band.PASSIVE
    return Band.DETRACTOR


def play_for(score: int) -> Play:
    band = band_for(score)
    if band is Band.PROMOTER:
        return Play.EXPANSION_AND_ADVOCACY
    if band is Band.DETRACTOR:
        return Play.RECOVERY
    return Play.NUDGE if score == 8 else Play.WATCH

"""What a comment says and how it feels: one TextAnalyzer interface, two implementations.

- `LexiconAnalyzer` (here, the embedded default): VADER's lexicon-and-rules sentiment, which needs no
  network and no model download, plus the keyword theme taxonomy (shared/domain/themes.py).
- `ComprehendAnalyzer` (shared/store/comprehend.py, on AWS): Amazon Comprehend's DetectSentiment,
  and its key phrases mapped onto the same taxonomy.

VADER was tuned on social media, where "support" is a kind word and "ok" a happy one. In a B2B survey
comment "support" is a department and "ok" is lukewarm, and the words that carry the complaint
("issues", "expensive", "slow", "outage") are missing from its lexicon. `B2B_LEXICON` adjusts those
words (VADER's scale: -4..+4); everything else is VADER's own.

A sentiment is negative or positive when VADER's compound score is beyond ±`threshold` (0.05 is
VADER's documented cut-off), neutral in between. The score kept is the compound, -1..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.themes import KeywordThemes, Theme, ThemeClassifier

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class TextAnalysis(BaseModel):
    """The sentiment and themes of one comment (and its vendor tags)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    sentiment: Sentiment | None  # None when there is no comment to read
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)  # -1 (negative) .. 1 (positive)
    themes: list[Theme]


class TextAnalyzer(Protocol):
    def analyze(self, comment: str | None, tags: list[str]) -> TextAnalysis: ...


# Word -> valence on VADER's -4..+4 scale, for the vocabulary of B2B feedback (see module docstring).
B2B_LEXICON: dict[str, float] = {
    "support": 0.0, "supported": 0.0, "supports": 0.0, "ok": 0.0, "okay": 0.0, "fine": 0.4,
    "like": 0.0, "resolve": 1.0, "resolved": 1.0,
    "issue": -1.4, "issues": -1.6, "bug": -1.6, "bugs": -1.8, "buggy": -2.0, "glitch": -1.5,
    "glitches": -1.6, "unresolved": -1.8, "ongoing": -0.3, "expensive": -1.5, "overpriced": -2.2,
    "pricey": -1.2, "slow": -1.5, "slower": -1.5, "slowness": -1.6, "sluggish": -1.6, "laggy": -1.6,
    "lag": -1.2, "outage": -2.2, "outages": -2.3, "downtime": -2.0, "crash": -2.0, "crashes": -2.2,
    "crashing": -2.2, "clunky": -1.6, "cumbersome": -1.6, "unintuitive": -1.6, "confusing": -1.5,
    "missing": -1.0, "lacks": -1.2, "lacking": -1.3, "unreliable": -2.0, "unresponsive": -2.0,
    "timeout": -1.4, "timeouts": -1.6, "flaky": -1.8, "broken": -2.2, "nightmare": -2.8,
    "painful": -2.0, "workaround": -0.8, "workarounds": -1.0, "churn": -1.5, "cancel": -1.2,
    "frustrating": -2.2, "waiting": -0.8, "wait": -0.6, "delays": -1.4, "delayed": -1.3,
    "unanswered": -1.6, "complicated": -1.2, "wish": 0.0,
    "reliable": 1.8, "intuitive": 1.8, "seamless": 2.0, "responsive": 1.5, "smooth": 1.5,
}  # fmt: skip

DEFAULT_THRESHOLD = 0.05


def sentiment_of(compound: float, threshold: float = DEFAULT_THRESHOLD) -> Sentiment:
    if compound >= threshold:
        return Sentiment.POSITIVE
    if compound <= -threshold:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


class LexiconAnalyzer:
    """The embedded TextAnalyzer: VADER with the B2B lexicon, and a ThemeClassifier for themes."""

    def __init__(
        self,
        themes: ThemeClassifier | None = None,
        lexicon: Mapping[str, float] = B2B_LEXICON,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self._themes = themes or KeywordThemes()
        self._lexicon = lexicon
        self._vader: SentimentIntensityAnalyzer | None = None
        self._threshold = threshold

    @property
    def vader(self) -> SentimentIntensityAnalyzer:
        """VADER, made on the first comment: it parses its 7,500-word lexicon file (about a tenth of
        the score function's cold start, bench/cold_start.py), which a response without a comment
        never needs."""
        if self._vader is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
            self._vader.lexicon.update(self._lexicon)
        return self._vader

    def analyze(self, comment: str | None, tags: list[str]) -> TextAnalysis:
        themes = self._themes.themes(comment, tags)
        if not comment or not comment.strip():
            return TextAnalysis(sentiment=None, sentiment_score=None, themes=themes)
        # VADER reads "haven't" but not the typographic apostrophe of phones and word processors.
        text = comment.replace("\u2019", "'").replace("\u2018", "'")
        compound = float(self.vader.polarity_scores(text)["compound"])
        return TextAnalysis(
            sentiment=sentiment_of(compound, self._threshold), sentiment_score=compound, themes=themes
        )

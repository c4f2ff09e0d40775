"""The TextAnalyzer on AWS: Amazon Comprehend's DetectSentiment, and DetectKeyPhrases mapped onto the
theme taxonomy; and the choice between it and the embedded analyzer, made by configuration.

Why key phrases and not a custom classifier: a custom classifier needs a labelled training set per
customer and a paid endpoint running all day; key phrases ("integration issues", "the renewal quote")
are short noun phrases that the same keyword taxonomy reads, so the taxonomy stays the one place a
theme is defined, on AWS and locally. Vendor tags are read as the keyword classifier reads them.

Comprehend's MIXED (praise and complaint in one comment) is resolved to whichever of its positive and
negative scores is larger: "works fine, but the integration keeps breaking" is a complaint to act on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from shared.domain.sentiment import LexiconAnalyzer, Sentiment, TextAnalysis, TextAnalyzer
from shared.domain.themes import DEFAULT_TAXONOMY, KeywordThemes, Theme, ThemeClassifier
from shared.store.dynamo import translated_errors

# Comprehend's synchronous APIs take at most 5,000 bytes of UTF-8 text.
MAX_TEXT_BYTES = 5000
# Comprehend's own error codes where a retry may succeed (the pipeline step's Retry does it).
_TRANSIENT = {"ThrottlingException", "TooManyRequestsException", "InternalServerException"}


class AnalyzerKind(StrEnum):
    LEXICON = "lexicon"  # embedded, no network: the default and the local runtime's
    COMPREHEND = "comprehend"  # on AWS (infra sets TEXT_ANALYZER=comprehend on the score function)


class ComprehendAnalyzer:
    def __init__(
        self, client: Any = None, language: str = "en", themes: ThemeClassifier | None = None
    ) -> None:
        self._client = client
        self._language = language
        self._themes = themes or KeywordThemes()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _comprehend()
        return self._client

    def analyze(self, comment: str | None, tags: list[str]) -> TextAnalysis:
        if not comment or not comment.strip():
            return TextAnalysis(sentiment=None, sentiment_score=None, themes=self._themes.themes(None, tags))
        text = _truncated(comment)
        with translated_errors(_TRANSIENT):
            found = self.client.detect_sentiment(Text=text, LanguageCode=self._language)
            phrases = self.client.detect_key_phrases(Text=text, LanguageCode=self._language)
        scores = found["SentimentScore"]
        balance = float(scores["Positive"]) - float(scores["Negative"])
        phrase_texts = [phrase["Text"] for phrase in phrases.get("KeyPhrases", [])]
        return TextAnalysis(
            sentiment=_sentiment(found["Sentiment"], balance),
            sentiment_score=round(max(-1.0, min(1.0, balance)), 4),
            # Each phrase is read on its own so keywords never match across two phrases.
            themes=self._themes.themes(None, [*phrase_texts, *tags]),
        )


def _sentiment(label: str, balance: float) -> Sentiment:
    if label == "MIXED":
        return Sentiment.NEGATIVE if balance < 0 else Sentiment.POSITIVE
    return Sentiment(label.lower())


def _truncated(text: str) -> str:
    encoded = text.encode()
    if len(encoded) <= MAX_TEXT_BYTES:
        return text
    return encoded[:MAX_TEXT_BYTES].decode(errors="ignore")  # never half a character


@cache
def _comprehend() -> Any:
    return boto3.client("comprehend", config=Config(retries={"mode": "standard", "max_attempts": 3}))


def taxonomy_of(configured: str | None) -> dict[Theme, list[str]]:
    """The default taxonomy with the configured themes' keyword lists in place of their defaults:
    THEME_TAXONOMY_JSON = {"integration": ["netsuite", "erp connect*", ...], ...}. A name that is not
    a theme, or a list that is not strings, fails at cold start."""
    taxonomy = dict(DEFAULT_TAXONOMY)
    for name, keywords in json.loads(configured or "{}").items():
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            raise ValueError(f"THEME_TAXONOMY_JSON[{name!r}] must be a list of keywords")
        taxonomy[Theme(name)] = keywords
    return taxonomy


def text_analyzer(env: Mapping[str, str] | None = None) -> TextAnalyzer:
    """The analyzer the configuration names: TEXT_ANALYZER=lexicon|comprehend (absent: lexicon, the
    embedded one), COMPREHEND_LANGUAGE (default en), THEME_TAXONOMY_JSON (taxonomy_of). An unknown
    name fails at cold start."""
    env = os.environ if env is None else env
    kind = AnalyzerKind(env.get("TEXT_ANALYZER") or AnalyzerKind.LEXICON)
    themes = KeywordThemes(taxonomy_of(env.get("THEME_TAXONOMY_JSON")))
    if kind is AnalyzerKind.COMPREHEND:
        return ComprehendAnalyzer(language=env.get("COMPREHEND_LANGUAGE") or "en", themes=themes)
    return LexiconAnalyzer(themes=themes)

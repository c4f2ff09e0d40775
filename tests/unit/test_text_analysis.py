"""The text analyzer: the embedded lexicon analyzer, Comprehend's (on a stubbed boto3 client), the
configuration that picks one, and the at-risk passive the issue names."""

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from shared.domain.account_rules import ResponseFacts, at_risk_passive
from shared.domain.contact_history import ContactScores
from shared.domain.models import CanonicalResponse
from shared.domain.sentiment import LexiconAnalyzer, Sentiment, sentiment_of
from shared.domain.signals import QuarterSignals
from shared.domain.themes import KeywordThemes, Theme
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerRule
from shared.store.comprehend import MAX_TEXT_BYTES, ComprehendAnalyzer, text_analyzer
from shared.store.dynamo import StoreUnavailable

ISSUE_PASSIVE = (
    "The platform works fine, but we've had ongoing integration issues that haven't been resolved."
)
LEXICON = LexiconAnalyzer()


def test_the_issue_passive_is_negative_about_integration() -> None:
    analysis = LEXICON.analyze(ISSUE_PASSIVE, [])
    assert analysis.sentiment is Sentiment.NEGATIVE
    assert analysis.sentiment_score is not None and analysis.sentiment_score < -0.05
    assert analysis.themes == [Theme.INTEGRATION]


@pytest.mark.parametrize(
    ("comment", "sentiment", "themes"),
    [
        ("Our tickets sit unanswered for a week.", Sentiment.NEGATIVE, [Theme.SUPPORT_RESPONSIVENESS]),
        ("Too expensive for what we get out of it.", Sentiment.NEGATIVE, [Theme.PRICING]),
        ("Great product, the team loves it.", Sentiment.POSITIVE, [Theme.PRAISE]),
        ("Onboarding was smooth and the training sessions were excellent.", Sentiment.POSITIVE,
         [Theme.ONBOARDING, Theme.PRAISE]),
        ("We use it every day.", Sentiment.NEUTRAL, []),
        # Typographic apostrophes (phones, word processors) negate as the plain ones do.
        ("Our issues haven\u2019t been resolved.", Sentiment.NEGATIVE, []),
    ],
)  # fmt: skip
def test_lexicon_analyzer_cases(comment: str, sentiment: Sentiment, themes: list[Theme]) -> None:
    analysis = LEXICON.analyze(comment, [])
    assert (analysis.sentiment, analysis.themes) == (sentiment, themes)


def test_no_comment_has_no_sentiment_but_tags_still_give_themes() -> None:
    for comment in (None, "", "   "):
        analysis = LEXICON.analyze(comment, ["pricing"])
        assert (analysis.sentiment, analysis.sentiment_score, analysis.themes) == (
            None,
            None,
            [Theme.PRICING],
        )


def test_the_taxonomy_is_configuration() -> None:
    analyzer = LexiconAnalyzer(themes=KeywordThemes({Theme.INTEGRATION: ["netsuite"]}, tag_aliases={}))
    assert analyzer.analyze("NetSuite sync broke again", []).themes == [Theme.INTEGRATION]
    assert analyzer.analyze("Too expensive", []).themes == []


def test_sentiment_cut_offs() -> None:
    assert [sentiment_of(x) for x in (0.05, 0.049, -0.049, -0.05)] == [
        Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEUTRAL, Sentiment.NEGATIVE,
    ]  # fmt: skip


# --- Comprehend, on a stubbed client -------------------------------------------------------------


def _client() -> Any:
    return boto3.client(
        "comprehend", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _stubbed(sentiment: str, scores: dict[str, float], phrases: list[str], text: str) -> tuple[Any, Stubber]:
    client = _client()
    stubber = Stubber(client)
    stubber.add_response(
        "detect_sentiment",
        {"Sentiment": sentiment, "SentimentScore": scores},
        {"Text": text, "LanguageCode": "en"},
    )
    stubber.add_response(
        "detect_key_phrases",
        {"KeyPhrases": [{"Text": p, "Score": 0.99, "BeginOffset": 0, "EndOffset": len(p)} for p in phrases]},
        {"Text": text, "LanguageCode": "en"},
    )
    return client, stubber


def test_comprehend_mixed_leaning_negative_with_key_phrases_mapped_to_the_taxonomy() -> None:
    scores = {"Positive": 0.21, "Negative": 0.46, "Neutral": 0.08, "Mixed": 0.25}
    client, stubber = _stubbed("MIXED", scores, ["The platform", "ongoing integration issues"], ISSUE_PASSIVE)
    with stubber:
        analysis = ComprehendAnalyzer(client).analyze(ISSUE_PASSIVE, ["Renewal quote"])
    stubber.assert_no_pending_responses()
    assert analysis.sentiment is Sentiment.NEGATIVE
    assert analysis.sentiment_score == pytest.approx(-0.25)
    assert analysis.themes == [Theme.PRICING, Theme.INTEGRATION]


def test_comprehend_positive() -> None:
    text = "Excellent support team"
    scores = {"Positive": 0.97, "Negative": 0.01, "Neutral": 0.02, "Mixed": 0.0}
    client, stubber = _stubbed("POSITIVE", scores, ["Excellent support team"], text)
    with stubber:
        analysis = ComprehendAnalyzer(client).analyze(text, [])
    assert (analysis.sentiment, analysis.sentiment_score) == (Sentiment.POSITIVE, pytest.approx(0.96))
    assert Theme.PRAISE in analysis.themes


def test_comprehend_is_not_called_without_a_comment_and_long_text_is_cut_at_its_byte_limit() -> None:
    client = _client()
    with Stubber(client):  # any call would fail: no response queued
        assert ComprehendAnalyzer(client).analyze(None, []).sentiment is None
    long_text = "é" * 3000  # 6,000 bytes
    cut = "é" * (MAX_TEXT_BYTES // 2)
    scores = {"Positive": 0.1, "Negative": 0.1, "Neutral": 0.8, "Mixed": 0.0}
    client, stubber = _stubbed("NEUTRAL", scores, [], cut)
    with stubber:
        assert ComprehendAnalyzer(client).analyze(long_text, []).sentiment is Sentiment.NEUTRAL


def test_comprehend_throttling_is_retryable() -> None:
    client = _client()
    stubber = Stubber(client)
    stubber.add_client_error("detect_sentiment", service_error_code="ThrottlingException")
    with stubber, pytest.raises(StoreUnavailable):
        ComprehendAnalyzer(client).analyze("slow", [])


def test_the_taxonomy_is_configured_per_theme_at_cold_start() -> None:
    analyzer = text_analyzer({"THEME_TAXONOMY_JSON": '{"integration": ["netsuite"]}'})
    assert analyzer.analyze("The NetSuite link is flaky", []).themes == [Theme.INTEGRATION]
    assert analyzer.analyze("The API is flaky", []).themes == []  # integration's defaults replaced
    assert analyzer.analyze("Too expensive", []).themes == [Theme.PRICING]  # other themes keep theirs
    with pytest.raises(ValueError):
        text_analyzer({"THEME_TAXONOMY_JSON": '{"weather": ["rain"]}'})
    with pytest.raises(ValueError):
        text_analyzer({"THEME_TAXONOMY_JSON": '{"pricing": "cost"}'})


def test_configuration_picks_the_analyzer() -> None:
    assert isinstance(text_analyzer({}), LexiconAnalyzer)
    assert isinstance(text_analyzer({"TEXT_ANALYZER": "comprehend"}), ComprehendAnalyzer)
    with pytest.raises(ValueError):
        text_analyzer({"TEXT_ANALYZER": "gpt"})


# --- the at-risk passive ---------------------------------------------------------------------------


def _passive_facts(score: int, comment: str) -> ResponseFacts:
    response = CanonicalResponse(
        response_id="r-1",
        account_id="acme",
        contact_id="c-1",
        score=score,
        comment=comment,
        submitted_at=datetime(2026, 10, 5, tzinfo=UTC),
    )
    analysis = LEXICON.analyze(comment, [])
    return ResponseFacts(
        response=response,
        account=None,
        themes=analysis.themes,
        sentiment=analysis.sentiment,
        history=ContactScores(account_id="acme", contact_id="c-1"),
        signals=QuarterSignals(),
        previous_signals=QuarterSignals(),
    )


def test_the_issue_passive_counts_as_an_at_risk_passive_without_any_usage_signal() -> None:
    firing = at_risk_passive(_passive_facts(7, ISSUE_PASSIVE), Thresholds())
    assert firing is not None and firing.rule is TriggerRule.AT_RISK_PASSIVE
    assert firing.evidence["sentiment"] == "negative" and firing.evidence["themes"] == ["integration"]
    assert "comment is negative (integration)" in firing.summary


def test_a_content_passive_or_a_negative_promoter_is_not_an_at_risk_passive() -> None:
    assert at_risk_passive(_passive_facts(8, "Works well for us, thanks."), Thresholds()) is None
    assert at_risk_passive(_passive_facts(9, ISSUE_PASSIVE), Thresholds()) is None

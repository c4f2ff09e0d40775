import pytest

from shared.domain.themes import (
    DEFAULT_TAXONOMY,
    OWNING_TEAM,
    KeywordThemes,
    Theme,
    ThemeClassifier,
)

UX, FEATURE, PRICE, SUPPORT, INTEGRATION, ONBOARDING, RELIABILITY, PRAISE = (
    Theme.PRODUCT_USABILITY,
    Theme.MISSING_FEATURE,
    Theme.PRICING,
    Theme.SUPPORT_RESPONSIVENESS,
    Theme.INTEGRATION,
    Theme.ONBOARDING,
    Theme.RELIABILITY_PERFORMANCE,
    Theme.PRAISE,
)
CLASSIFIER: ThemeClassifier = KeywordThemes()


@pytest.mark.parametrize(
    ("comment", "themes"),
    [
        # The demo's comments (local/book.py COMMENTS).
        ("Support takes days to answer", [SUPPORT]),
        ("The new release broke our reporting", [RELIABILITY]),
        ("Too expensive for what we use", [PRICE]),
        ("Onboarding was confusing", [ONBOARDING]),
        ("Outages every week this quarter", [RELIABILITY]),
        ("Missing SSO is a blocker", [FEATURE]),
        ("Does the job", []),
        ("Good, but the UI is slow", [UX, RELIABILITY]),
        ("Fine overall, pricing is high", [PRICE]),
        ("Would like better integrations", [FEATURE, INTEGRATION]),
        ("Great product, great team", [PRAISE]),
        ("Our CSM is fantastic", [PRAISE]),
        ("Saved us hours every week", [PRAISE]),
        ("Would love a Salesforce integration", [FEATURE, INTEGRATION]),
        (None, []),
        ("", []),
        # Beyond the demo.
        (
            "The platform works fine, but we've had ongoing integration issues that haven't been resolved.",
            [INTEGRATION],
        ),
        ("Not great, the dashboard keeps crashing", [RELIABILITY]),
        ("It would be great if we could export to Excel", [FEATURE]),
        ("Slow support and the API times out", [SUPPORT, INTEGRATION, RELIABILITY]),
        ("The implementation team got us live in two weeks, love it", [ONBOARDING, PRAISE]),
        ("Hard to find anything in the new navigation", [UX]),
        ("We're paying for seats we don\u2019t use", [PRICE]),
        ("No complaints, great team", [PRAISE]),
        ("I wouldn't recommend it to a peer", []),
        ("Our CSM is great but support takes forever to respond to tickets", [SUPPORT, PRAISE]),
        ("PRICING went up 30% at renewal", [PRICE]),
        ("Three weeks and still no response on our SLA breach", [SUPPORT]),
        ("The webhook sync drops events, data loss twice this month", [INTEGRATION, RELIABILITY]),
        ("Clunky interface and a steep learning curve for new hires", [UX]),
    ],
)
def test_keyword_themes_classify_realistic_comments(comment: str | None, themes: list[Theme]) -> None:
    assert CLASSIFIER.themes(comment, []) == themes


@pytest.mark.parametrize(
    ("tags", "themes"),
    [
        (["pricing"], [PRICE]),
        (["Integration"], [INTEGRATION]),
        (["missing-feature"], [FEATURE]),
        (["Support Responsiveness"], [SUPPORT]),
        (["bug"], [RELIABILITY]),  # a keyword
        (["ux", "support"], [UX, SUPPORT]),  # aliases
        (["vip", "q4-campaign"], []),
    ],
)
def test_vendor_tags_that_name_a_theme_count(tags: list[str], themes: list[Theme]) -> None:
    assert CLASSIFIER.themes(None, tags) == themes


def test_comment_and_tags_combine_without_duplicates_in_theme_order() -> None:
    assert CLASSIFIER.themes("Too expensive and slow", ["pricing", "praise"]) == [PRICE, RELIABILITY, PRAISE]


def test_a_custom_taxonomy_replaces_the_default() -> None:
    classifier = KeywordThemes({Theme.INTEGRATION: ["netsuite", "erp connect*"]}, tag_aliases={})
    assert classifier.themes("Need the ERP connector for NetSuite", []) == [INTEGRATION]
    assert classifier.themes("Too expensive", []) == []


def test_every_theme_has_keywords_and_an_owning_team() -> None:
    assert set(DEFAULT_TAXONOMY) == set(Theme) == set(OWNING_TEAM)
    assert {OWNING_TEAM[t] for t in (FEATURE, UX, INTEGRATION, RELIABILITY)} == {"product"}
    assert OWNING_TEAM[SUPPORT] == "support" and OWNING_TEAM[PRICE] == "finance"
    assert OWNING_TEAM[ONBOARDING] == "onboarding" and OWNING_TEAM[PRAISE] == "marketing"

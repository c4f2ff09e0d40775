"""What a response talks about, behind an interface: the keyword classifier here is the default, and a
model-backed one can replace it without touching the rules that read themes (trigger 5, expansion
promoters).

Themes are topics, not sentiment: "the UI is slow" is about usability and performance whatever the
score. Praise is the exception, because it is the one theme whose owner (advocacy) wants only good news.

Matching, and why:
- case-insensitive, on whole words; a keyword ending in `*` matches any word it starts
  (`integrat*` finds integrate, integration, integrations); spaces in a phrase match any whitespace;
- where keywords overlap, the longest match wins, so "slow support" is support responsiveness rather
  than also performance, and "would be great if" is a feature request rather than praise;
- a praise keyword right after a negation ("not great", "wouldn't recommend") does not count;
- a vendor tag counts when it names a theme ("pricing", "Integration", "missing-feature"), is a known
  alias ("bug", "ux"), or contains a keyword.

A keyword's pattern is compiled the first time a text contains its first word (a plain substring test,
which the pattern cannot match without): compiling the whole taxonomy at cold start was a fifth of the
score function's import (bench/cold_start.py), and most comments name few of its 246 keywords.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Protocol


class Theme(StrEnum):
    PRODUCT_USABILITY = "product_usability"
    MISSING_FEATURE = "missing_feature"
    PRICING = "pricing"
    SUPPORT_RESPONSIVENESS = "support_responsiveness"
    INTEGRATION = "integration"
    ONBOARDING = "onboarding"
    RELIABILITY_PERFORMANCE = "reliability_performance"
    PRAISE = "praise"


# Who a theme is routed to when enough accounts raise it (trigger 5).
OWNING_TEAM: dict[Theme, str] = {
    Theme.PRODUCT_USABILITY: "product",
    Theme.MISSING_FEATURE: "product",
    Theme.INTEGRATION: "product",
    Theme.RELIABILITY_PERFORMANCE: "product",
    Theme.SUPPORT_RESPONSIVENESS: "support",
    Theme.PRICING: "finance",
    Theme.ONBOARDING: "onboarding",
    Theme.PRAISE: "marketing",
}


class ThemeClassifier(Protocol):
    def themes(self, comment: str | None, tags: list[str]) -> list[Theme]: ...


DEFAULT_TAXONOMY: dict[Theme, list[str]] = {
    Theme.PRODUCT_USABILITY: [
        "usability", "ui", "ux", "user interface", "interface", "user experience", "hard to use",
        "difficult to use", "hard to find", "hard to navigate", "hard to figure out", "navigat*",
        "not intuitive", "unintuitive", "counterintuitive", "clunky", "cumbersome", "confusing ui",
        "confusing interface", "confusing to use", "too many clicks", "learning curve", "layout",
        "new design", "redesign", "not user friendly", "not user-friendly", "complicated",
    ],
    Theme.MISSING_FEATURE: [
        "missing", "lack", "lacks", "lacking", "wish*", "would like", "would love", "we'd like",
        "we'd love", "i'd like", "i'd love", "would be nice", "would be great if", "would be helpful",
        "it would help if", "feature request*", "need a", "needs a", "need an", "needs an",
        "need to be able", "doesn't have", "does not have", "doesn't support", "does not support",
        "don't support", "no support for", "no way to", "please add", "add support for", "roadmap",
        "if only", "should have", "should support", "ability to", "option to", "feature gap*",
        "limitation*",
    ],
    Theme.PRICING: [
        "pric*", "expensive", "overpriced", "cost*", "cheap*", "afford*", "budget*", "billing",
        "invoic*", "discount*", "value for money", "too much money", "renewal quote", "licens*",
        "per seat", "per-seat", "fee", "fees", "pay for", "paying for", "roi",
    ],
    Theme.SUPPORT_RESPONSIVENESS: [
        "support takes", "support took", "support is slow", "support was slow", "slow support",
        "support team is slow", "slow to respond", "slow to reply", "slow to answer", "slow response*",
        "response time*", "days to answer", "days to respond", "days to reply", "days to get",
        "takes days", "took days", "takes weeks", "took weeks", "no response", "no reply",
        "never heard back", "never got back", "didn't hear back", "haven't heard back", "never answer*",
        "waiting on support", "waiting for support", "waiting for a response", "waiting for an answer",
        "support ticket*", "ticket*", "sla", "slas", "escalat*", "unanswered", "unresponsive",
        "hard to reach", "can't reach", "cannot reach", "support queue", "help desk", "helpdesk",
    ],
    Theme.INTEGRATION: [
        "integrat*", "api", "apis", "webhook*", "connector*", "sync*", "salesforce", "hubspot",
        "zapier", "plugin*", "plug-in*", "third-party", "third party",
    ],
    Theme.ONBOARDING: [
        "onboard*", "implementation", "implement*", "getting started", "get started", "setup",
        "set up", "set-up", "kickoff", "kick-off", "training", "trained", "ramp up", "ramp-up",
        "ramping up", "migrat*", "go-live", "go live", "went live", "rollout", "roll out", "roll-out",
        "time to value",
    ],
    Theme.RELIABILITY_PERFORMANCE: [
        "slow", "slowness", "sluggish", "laggy", "lag", "lagging", "latency", "outage*", "downtime",
        "went down", "goes down", "is down", "was down", "keeps going down", "crash*", "bug", "bugs",
        "buggy", "broke", "broken", "breaks", "breaking", "error*", "timeout*", "times out", "timed out",
        "unstable", "instability", "unreliable", "reliab*", "performance", "load time*", "loading",
        "freez*", "froze", "glitch*", "incident*", "uptime", "data loss", "lost data", "stability",
        "regression*",
    ],
    Theme.PRAISE: [
        "great", "fantastic", "excellent", "amazing", "awesome", "outstanding", "superb", "wonderful",
        "brilliant", "love it", "love the", "love this", "love using", "love working", "loving", "loved",
        "the best", "best tool", "best product", "recommend*", "happy", "delighted", "pleased",
        "impressed", "helpful", "saved us", "saves us", "saving us", "game changer", "game-changer",
        "easy to use", "intuitive", "a pleasure", "thank you", "thanks", "kudos", "top notch", "top-notch",
    ],
}  # fmt: skip

# Vendor tags that name a theme without being one of its keywords.
DEFAULT_TAG_ALIASES: dict[str, Theme] = {
    "usability": Theme.PRODUCT_USABILITY,
    "ux": Theme.PRODUCT_USABILITY,
    "ui": Theme.PRODUCT_USABILITY,
    "user_experience": Theme.PRODUCT_USABILITY,
    "design": Theme.PRODUCT_USABILITY,
    "feature": Theme.MISSING_FEATURE,
    "features": Theme.MISSING_FEATURE,
    "feature_request": Theme.MISSING_FEATURE,
    "price": Theme.PRICING,
    "value": Theme.PRICING,
    "support": Theme.SUPPORT_RESPONSIVENESS,
    "customer_support": Theme.SUPPORT_RESPONSIVENESS,
    "integrations": Theme.INTEGRATION,
    "performance": Theme.RELIABILITY_PERFORMANCE,
    "reliability": Theme.RELIABILITY_PERFORMANCE,
    "speed": Theme.RELIABILITY_PERFORMANCE,
    "compliment": Theme.PRAISE,
    "testimonial": Theme.PRAISE,
}

_THEME_VALUES = frozenset(theme.value for theme in Theme)
# A negation at most two words before a praise keyword, in the same clause (a comma ends it:
# "no complaints, great team" is praise).
_NEGATION = re.compile(
    r"\b(?:not|never|no|hardly|isn't|wasn't|aren't|weren't|don't|doesn't|didn't|won't|wouldn't|"
    r"can't|couldn't|nothing)\b(?:\s+[\w']+){0,2}\s*$"
)


@cache
def _pattern(keyword: str) -> re.Pattern[str]:
    words = []
    for word in keyword.lower().split():
        words.append(re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word))
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


def _needle(keyword: str) -> str:
    """Text that every match of the keyword's pattern contains: its first word, without a `*`."""
    return keyword.lower().split()[0].removesuffix("*")


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


class KeywordThemes:
    """The default ThemeClassifier: a keyword taxonomy per theme (see the module docstring)."""

    def __init__(
        self,
        taxonomy: Mapping[Theme, list[str]] = DEFAULT_TAXONOMY,
        tag_aliases: Mapping[str, Theme] = DEFAULT_TAG_ALIASES,
    ) -> None:
        self._keywords = [
            (theme, _needle(keyword), keyword) for theme, keywords in taxonomy.items() for keyword in keywords
        ]
        self._tag_aliases = {_tag_key(tag): theme for tag, theme in tag_aliases.items()}

    def themes(self, comment: str | None, tags: list[str]) -> list[Theme]:
        found: set[Theme] = set(self._in_text(comment)) if comment else set()
        for tag in tags:
            key = _tag_key(tag)
            if key in _THEME_VALUES:
                found.add(Theme(key))
            elif key in self._tag_aliases:
                found.add(self._tag_aliases[key])
            else:
                found.update(self._in_text(tag))
        return [theme for theme in Theme if theme in found]

    def _in_text(self, text: str) -> set[Theme]:
        text = _normalise(text)
        candidates: list[tuple[int, int, Theme]] = []
        for theme, needle, keyword in self._keywords:
            if needle not in text:
                continue
            for match in _pattern(keyword).finditer(text):
                if theme is Theme.PRAISE and _NEGATION.search(text[: match.start()]):
                    continue
                candidates.append((match.start(), match.end(), theme))
        # Longest match first; a shorter one overlapping an accepted span is part of that phrase.
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken: list[tuple[int, int]] = []
        found: set[Theme] = set()
        for start, end, theme in candidates:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.add(theme)
        return found


def _tag_key(tag: str) -> str:
    return re.sub(r"[\s\-]+", "_", _normalise(tag).strip())

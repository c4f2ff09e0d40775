"""Triggers 3-7 (docs/cs-leads.md#triggers) as small pure rules over an account·quarter's NPS and signals.

Three entry points, by what the caller has in hand:

- `account_rules(facts)`: the combined account-level rules (3 churn risk, 4 support escalation,
  6 retention risk, 7 silent detractor). They read NPS *and* signals, which arrive independently, so
  the caller evaluates them both when a response is counted and when a signal is stored: a combined
  rule fires on whichever of its inputs comes second, and its dedupe key makes it fire once.
- `response_rules(facts)`: the rules about one answer and its contact (6 declining scores, 7 at-risk
  passive, 7 expansion promoter).
- `theme_routing(...)`: trigger 5, over a quarter's theme counts across accounts (a sweep).

`TriggerFiring.response_id` names what the evaluation was run for: the response key when a response
arrived, else the caller's `source` (e.g. "signal:usage:2026-Q4" for a stored signal, or
"theme:pricing:2026-Q4" for theme routing). Dedupe keys never include it.

The NPS the account rules read is the account's relational NPS for `program`: transactional answers
are about one touchpoint and would skew the account's level (as in trigger 2).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.accounts import Account
from shared.domain.contact_history import ContactScores, declining_entries, with_score
from shared.domain.health import Health, health_of
from shared.domain.models import CanonicalResponse
from shared.domain.nps import NpsStat, change_exceeds_noise
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.sentiment import Sentiment
from shared.domain.signals import QUARTER_PATTERN, QuarterSignals, percent_change, usage_level
from shared.domain.themes import OWNING_TEAM, Theme
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule

# Theme routing is about the portfolio, not one account. Account ids start with a letter or digit
# (models.Identifier), so this one can never collide with a real account.
PORTFOLIO_ACCOUNT_ID = "_portfolio"


class AccountQuarterFacts(BaseModel):
    """One account·quarter as the combined rules see it; gathered by the caller, no I/O here."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    account: Account | None
    account_id: str = Field(min_length=1)
    quarter: str = Field(pattern=QUARTER_PATTERN)
    program: str = Field(min_length=1)
    current: NpsStat  # the account's relational NPS for the program this quarter
    previous: NpsStat  # the same a quarter earlier
    signals: QuarterSignals
    previous_signals: QuarterSignals
    source: str = Field(min_length=1)  # what this evaluation is for: a response key or "signal:<kind>:<q>"

    def health(self, thresholds: Thresholds) -> Health:
        """The account·quarter's health from the same facts the rules read."""
        segment = self.account.segment if self.account else None
        return health_of(
            self.current, self.signals, self.previous, self.previous_signals, segment, thresholds
        )


class ResponseFacts(BaseModel):
    """One answer with what the response rules read about its contact and account."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    response: CanonicalResponse
    account: Account | None
    themes: list[Theme]
    sentiment: Sentiment | None = None  # the comment's (None: no comment, or not analysed)
    history: ContactScores  # the contact's recent scores, with or without this answer (it is added)
    signals: QuarterSignals  # the account's signals in the answer's quarter
    previous_signals: QuarterSignals  # ... and the quarter before


# --- combined account rules (3, 4, 6, 7 silent detractor) -------------------------------------------


def account_rules(facts: AccountQuarterFacts, thresholds: Thresholds) -> list[TriggerFiring]:
    firings = [
        churn_risk(facts, thresholds),
        support_escalation(facts, thresholds),
        retention_risk(facts, thresholds),
        silent_detractor(facts, thresholds),
    ]
    return [firing for firing in firings if firing is not None]


def churn_risk(facts: AccountQuarterFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 3: NPS down more than the drop threshold and usage level down more than
    `churn_usage_drop_pct` in the same quarter -> immediate CSM intervention."""
    drop = _nps_drop(facts, thresholds)
    usage = _usage_change(facts.signals, facts.previous_signals)
    change = usage["usage_change_pct"]
    if drop is None or change is None or change >= -thresholds.churn_usage_drop_pct:
        return None
    return _account_firing(
        TriggerRule.CHURN_RISK,
        facts,
        thresholds,
        OwnerRole.CSM,
        thresholds.churn_risk_sla_hours,
        f"Churn risk: NPS down {drop:.0f} points and usage down {-change:.0f}% "
        f"({_nps_change_text(facts)}); intervene now",
        _nps_evidence(facts, thresholds)
        | usage
        | {"drop_points": round(drop, 2), "usage_drop_threshold_pct": thresholds.churn_usage_drop_pct},
    )


def support_escalation(facts: AccountQuarterFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 4: NPS down more than the drop threshold and support tickets up more than
    `support_tickets_rise_pct` -> product/support escalation owned by the CS lead. A quarter with no
    tickets before has no percentage: `support_tickets_from_zero_min` tickets after it count as a rise."""
    drop = _nps_drop(facts, thresholds)
    now, before = facts.signals.support, facts.previous_signals.support
    if drop is None or now is None or before is None:
        return None
    change = percent_change(before.tickets, now.tickets)
    if change is None:
        if now.tickets < thresholds.support_tickets_from_zero_min:
            return None
    elif change <= thresholds.support_tickets_rise_pct:
        return None
    rise = "from none" if change is None else f"up {change:.0f}%"
    return _account_firing(
        TriggerRule.SUPPORT_ESCALATION,
        facts,
        thresholds,
        OwnerRole.CS_LEAD,
        thresholds.support_escalation_sla_hours,
        f"Support escalation: NPS down {drop:.0f} points and tickets {rise} "
        f"({before.tickets} → {now.tickets}); review with product and support",
        _nps_evidence(facts, thresholds)
        | {
            "drop_points": round(drop, 2),
            "tickets": now.tickets,
            "previous_tickets": before.tickets,
            "tickets_change_pct": change,
            "tickets_rise_threshold_pct": thresholds.support_tickets_rise_pct,
            "sev1": now.sev1,
            "sev2": now.sev2,
            "escalations": now.escalations,
            "mean_resolution_hours": now.mean_resolution_hours,
        },
    )


def retention_risk(facts: AccountQuarterFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 6: usage level at least `retention_risk_min_usage_level` while the account NPS is at
    most `retention_risk_max_nps`: they depend on us and do not like us, so the renewal is less safe
    than usage alone says -> CSM review."""
    nps = _low_nps(facts, thresholds.retention_risk_max_nps, thresholds)
    level = usage_level(facts.signals.usage) if facts.signals.usage else None
    if nps is None or level is None or level < thresholds.retention_risk_min_usage_level:
        return None
    return _account_firing(
        TriggerRule.RETENTION_RISK,
        facts,
        thresholds,
        OwnerRole.CSM,
        thresholds.retention_risk_sla_hours,
        f"Retention risk: usage level {level:.0f} with account NPS {nps:+.0f}; "
        "find out why a heavy user is unhappy",
        _nps_evidence(facts, thresholds)
        | _level_evidence(facts, thresholds.retention_risk_max_nps)
        | {"usage_level": round(level, 2), "min_usage_level": thresholds.retention_risk_min_usage_level},
    )


def silent_detractor(facts: AccountQuarterFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 7: account NPS at most `silent_detractor_max_nps` and, in the quarter, at most
    `silent_detractor_max_meetings` meetings and `silent_detractor_max_replies` outreach replies:
    unhappy and not talking to us -> CSM re-engagement play."""
    nps = _low_nps(facts, thresholds.silent_detractor_max_nps, thresholds)
    engagement = facts.signals.engagement
    if nps is None or engagement is None:
        return None
    if engagement.meetings > thresholds.silent_detractor_max_meetings:
        return None
    if engagement.outreach_replies > thresholds.silent_detractor_max_replies:
        return None
    return _account_firing(
        TriggerRule.SILENT_DETRACTOR,
        facts,
        thresholds,
        OwnerRole.CSM,
        thresholds.silent_detractor_sla_hours,
        f"Silent detractor: account NPS {nps:+.0f} with {engagement.meetings} meetings and "
        f"{engagement.outreach_replies} replies this quarter; re-engage",
        _nps_evidence(facts, thresholds)
        | _level_evidence(facts, thresholds.silent_detractor_max_nps)
        | {
            "meetings": engagement.meetings,
            "outreach_replies": engagement.outreach_replies,
            "email_opens": engagement.email_opens,
            "max_meetings": thresholds.silent_detractor_max_meetings,
            "max_replies": thresholds.silent_detractor_max_replies,
        },
    )


# --- response rules (6 declining scores, 7 at-risk passive, 7 expansion promoter) -------------------


def response_rules(facts: ResponseFacts, thresholds: Thresholds) -> list[TriggerFiring]:
    firings = [
        declining_scores(facts, thresholds),
        at_risk_passive(facts, thresholds),
        expansion_promoter(facts, thresholds),
    ]
    return [firing for firing in firings if firing is not None]


def declining_scores(facts: ResponseFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 6: the contact's last `declining_run_length` scores each lower than the one before by
    at least `declining_min_step` (8 → 6 → 4) -> CSM review. Fires only when this answer is part of
    the run, in the quarter of the run's newest answer."""
    response = facts.response
    history = facts.history
    if (history.contact_id, history.account_id) != (response.contact_id, response.account_id):
        raise ValueError("the history is not this response's contact")
    history = with_score(history, response.key, response.score, response.submitted_at)
    run = declining_entries(history, thresholds.declining_run_length, thresholds.declining_min_step)
    if run is None or response.key not in {entry.response_key for entry in run}:
        return None
    quarter = quarter_of(run[-1].submitted_at)
    scores = [entry.score for entry in run]
    return TriggerFiring(
        rule=TriggerRule.DECLINING_SCORES,
        dedupe_key=f"{TriggerRule.DECLINING_SCORES}#{response.account_id}#{quarter}#{response.contact_id}",
        account_id=response.account_id,
        quarter=quarter,
        owner_role=OwnerRole.CSM,
        sla_hours=thresholds.declining_scores_sla_hours,
        summary=f"{response.contact_id}'s scores falling: {' → '.join(map(str, scores))}; review",
        evidence={
            "scores": scores,
            "response_keys": [entry.response_key for entry in run],
            "submitted_at": [entry.submitted_at.isoformat() for entry in run],
            "run_length": thresholds.declining_run_length,
            "min_step": thresholds.declining_min_step,
            "comment": response.comment,
        },
        response_id=response.key,
        contact_id=response.contact_id,
        thresholds_version=thresholds.version,
    )


def at_risk_passive(facts: ResponseFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 7: a 7 or 8 while the account's usage level falls more than
    `at_risk_passive_usage_drop_pct` quarter over quarter, or whose comment is negative (the score
    says "fine", the words say why not) -> CSM play before they become detractors."""
    response = facts.response
    if not 7 <= response.score <= 8:
        return None
    usage = _usage_change(facts.signals, facts.previous_signals)
    change = usage["usage_change_pct"]
    usage_falling = change is not None and change < -thresholds.at_risk_passive_usage_drop_pct
    negative = facts.sentiment is Sentiment.NEGATIVE
    if not usage_falling and not negative:
        return None
    reasons = []
    if usage_falling:
        assert change is not None
        reasons.append(f"usage fell {-change:.0f}%")
    if negative:
        themes = ", ".join(theme.value for theme in facts.themes)
        reasons.append("their comment is negative" + (f" ({themes})" if themes else ""))
    return _contact_firing(
        TriggerRule.AT_RISK_PASSIVE,
        facts,
        thresholds.at_risk_passive_sla_hours,
        f"At-risk passive: {response.contact_id} scored {response.score} and {' and '.join(reasons)}; "
        "re-engage before they become a detractor",
        usage
        | {
            "usage_drop_threshold_pct": thresholds.at_risk_passive_usage_drop_pct,
            "sentiment": facts.sentiment.value if facts.sentiment else None,
        },
        thresholds,
    )


def expansion_promoter(facts: ResponseFacts, thresholds: Thresholds) -> TriggerFiring | None:
    """Trigger 7: a 9 or 10 who asks for a feature -> CSM expansion play (the feature may be in a
    higher plan or on the roadmap)."""
    response = facts.response
    if response.score < 9 or Theme.MISSING_FEATURE not in facts.themes:
        return None
    return _contact_firing(
        TriggerRule.EXPANSION_PROMOTER,
        facts,
        thresholds.expansion_promoter_sla_hours,
        f"Expansion promoter: {response.contact_id} scored {response.score} and asks for a feature",
        {"play": "expansion"},
        thresholds,
    )


# --- theme routing (5) -------------------------------------------------------------------------------


def theme_routing(
    theme: Theme,
    quarter: str,
    accounts: dict[str, float],
    quotes: list[str],
    thresholds: Thresholds,
    *,
    source: str | None = None,
) -> TriggerFiring | None:
    """Trigger 5: the same theme from at least `theme_min_accounts` distinct accounts in a quarter
    -> routed to the theme's owning team (in the evidence; the CS lead is accountable for the hand-off),
    with up to `theme_max_quotes` quotes and the ARR of the accounts raising it.

    `accounts`: account id → ARR. `source` defaults to "theme:<theme>:<quarter>"."""
    if not _is_quarter(quarter):
        raise ValueError(f"not a quarter: {quarter!r}")
    if len(accounts) < thresholds.theme_min_accounts:
        return None
    ranked = sorted(accounts.items(), key=lambda item: (-item[1], item[0]))
    arr_total = round(sum(accounts.values()), 2)
    kept: list[str] = []
    for quote in quotes:
        text = quote.strip()
        if text and text not in kept:
            kept.append(text)
    kept = kept[: thresholds.theme_max_quotes]
    team = OWNING_TEAM[theme]
    return TriggerFiring(
        rule=TriggerRule.THEME_ROUTING,
        dedupe_key=f"{TriggerRule.THEME_ROUTING}#{theme}#{quarter}",
        account_id=PORTFOLIO_ACCOUNT_ID,
        quarter=quarter,
        owner_role=OwnerRole.CS_LEAD,
        sla_hours=thresholds.theme_routing_sla_hours,
        summary=f"'{theme}' raised by {len(accounts)} accounts ({arr_total:,.0f} ARR): route to {team}",
        evidence={
            "theme": theme.value,
            "owning_team": team,
            "accounts": [{"account_id": account_id, "arr": arr} for account_id, arr in ranked],
            "account_count": len(accounts),
            "min_accounts": thresholds.theme_min_accounts,
            "quotes": kept,
            "arr_total": arr_total,
            # Praise puts nothing at risk; every other theme is a reason to leave.
            "arr_at_risk": 0.0 if theme is Theme.PRAISE else arr_total,
        },
        response_id=source or f"theme:{theme}:{quarter}",
        thresholds_version=thresholds.version,
        owner=f"{team} team",
    )


# --- helpers -----------------------------------------------------------------------------------------


def _nps_drop(facts: AccountQuarterFacts, thresholds: Thresholds) -> float | None:
    """The quarter-over-quarter NPS drop when it exceeds trigger 2's threshold (with as many votes)."""
    current, previous = facts.current, facts.previous
    if current.nps is None or previous.nps is None or current.n < thresholds.nps_drop_min_votes:
        return None
    drop = previous.nps - current.nps
    return drop if drop > thresholds.nps_drop_points else None


def _low_nps(facts: AccountQuarterFacts, max_nps: float, thresholds: Thresholds) -> float | None:
    """The account NPS when it is at most `max_nps` on at least `low_nps_min_votes` votes."""
    current = facts.current
    if current.nps is None or current.n < thresholds.low_nps_min_votes or current.nps > max_nps:
        return None
    return current.nps


def _nps_evidence(facts: AccountQuarterFacts, thresholds: Thresholds) -> dict[str, Any]:
    current, previous = facts.current, facts.previous
    return {
        "quarter": facts.quarter,
        "previous_quarter": previous_quarter(facts.quarter),
        "program": facts.program,
        "nps": current.nps,
        "n": current.n,
        "margin_of_error": current.margin_of_error,
        "insufficient_sample": current.insufficient_sample,
        "previous_nps": previous.nps,
        "previous_n": previous.n,
        "previous_margin_of_error": previous.margin_of_error,
        # Whether the quarter-over-quarter change is larger than the noise of the two samples.
        "exceeds_noise": change_exceeds_noise(current, previous),
        "threshold_points": thresholds.nps_drop_points,
        "arr": _arr(facts.account, facts.signals),
    }


def _level_evidence(facts: AccountQuarterFacts, max_nps: float) -> dict[str, Any]:
    """For rules on the NPS level: whether it is under the limit by more than its margin of error."""
    current = facts.current
    assert current.nps is not None and current.margin_of_error is not None
    return {
        "max_nps": max_nps,
        "margin_points": round(max_nps - current.nps, 2),
        "below_threshold_beyond_noise": current.nps + current.margin_of_error <= max_nps,
    }


def _usage_change(signals: QuarterSignals, previous: QuarterSignals) -> dict[str, float | None]:
    level = usage_level(signals.usage) if signals.usage else None
    before = usage_level(previous.usage) if previous.usage else None
    return {
        "usage_level": None if level is None else round(level, 2),
        "previous_usage_level": None if before is None else round(before, 2),
        "usage_change_pct": percent_change(before, level),
    }


def _nps_change_text(facts: AccountQuarterFacts) -> str:
    assert facts.current.nps is not None and facts.previous.nps is not None
    return f"{facts.previous.nps:+.0f} → {facts.current.nps:+.0f}"


def _account_firing(
    rule: TriggerRule,
    facts: AccountQuarterFacts,
    thresholds: Thresholds,
    owner: OwnerRole,
    sla_hours: int,
    summary: str,
    evidence: dict[str, Any],
) -> TriggerFiring:
    return TriggerFiring(
        rule=rule,
        # The NPS these rules read is the program's, so a program's firing never blocks another's.
        dedupe_key=f"{rule}#{facts.account_id}#{facts.quarter}#{facts.program}",
        account_id=facts.account_id,
        quarter=facts.quarter,
        owner_role=owner,
        sla_hours=sla_hours,
        summary=summary,
        evidence=evidence,
        response_id=facts.source,
        thresholds_version=thresholds.version,
    )


def _contact_firing(
    rule: TriggerRule,
    facts: ResponseFacts,
    sla_hours: int,
    summary: str,
    evidence: dict[str, Any],
    thresholds: Thresholds,
) -> TriggerFiring:
    response = facts.response
    quarter = quarter_of(response.submitted_at)
    return TriggerFiring(
        rule=rule,
        dedupe_key=f"{rule}#{response.account_id}#{quarter}#{response.contact_id}",
        account_id=response.account_id,
        quarter=quarter,
        owner_role=OwnerRole.CSM,
        sla_hours=sla_hours,
        summary=summary,
        evidence={
            "score": response.score,
            "comment": response.comment,
            "themes": [theme.value for theme in facts.themes],
            "kind": response.kind.value,
            "program": response.program,
            "arr": _arr(facts.account, facts.signals),
        }
        | evidence,
        response_id=response.key,
        contact_id=response.contact_id,
        thresholds_version=thresholds.version,
    )


def _arr(account: Account | None, signals: QuarterSignals) -> float | None:
    if account is not None:
        return account.arr
    return signals.commercial.arr if signals.commercial else None


def _is_quarter(quarter: str) -> bool:
    return re.fullmatch(QUARTER_PATTERN, quarter) is not None

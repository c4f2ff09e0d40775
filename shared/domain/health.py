"""Account health, 0-100 per account·quarter: usage 40% + support 20% + NPS 20% + engagement 20%
(docs/cs-leads.md#health), the weights configurable per segment (`Thresholds.health_weights`).

Each input is first turned into a 0-100 component, higher is healthier:

- **usage** = the usage level (the analytics tool's usage index, else active users per seat), capped
  at 100: more users than seats is full adoption, not extra health.
- **support** = 100 minus penalties, floored at 0. Volume is scaled to the account's size (tickets per
  10 seats, seats from the usage signal, else the CRM): ten tickets mean little from 2,000 seats and a
  lot from 20. Each sev1, sev2 and escalation costs a fixed amount whatever the size, because one
  outage hurts a small account as much as a large one; a mean resolution slower than the SLA-like limit
  costs a flat penalty. Without a seat count the volume penalty is skipped and flagged, rather than
  treating every account as ten seats.
- **nps** = (NPS + 100) / 2, so -100..100 maps onto 0..100 and an NPS of 0 sits at 50. An NPS under the
  minimum sample still counts (it is the best we know) but is flagged.
- **engagement** = meetings 50%, outreach replies 30%, email opens 20%, each saturating at its cap for
  the quarter: meetings say most about the relationship, opens least; past the cap more is not healthier.

A missing input's weight is spread over the others in proportion to their weights (the score is the
weighted mean of the components we have), and the gap is listed in `missing`, so a high score with
half its inputs missing never looks like a measured one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.nps import NpsStat
from shared.domain.signals import Engagement, QuarterSignals, Support, Usage, percent_change, usage_level
from shared.domain.thresholds import HealthWeights, Thresholds

COMPONENTS = ("usage", "support", "nps", "engagement")
DEFAULT_SEGMENT = "default"
# Inside the engagement component (see the module docstring for why this order).
ENGAGEMENT_MIX = {"meetings": 0.5, "replies": 0.3, "opens": 0.2}


class Health(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    score: float | None  # None when every input is missing
    components: dict[str, float | None]  # usage, support, nps, engagement: 0-100, None when missing
    weights_used: dict[str, float]  # effective weights after spreading the missing ones (0 when missing)
    weights_segment: str  # which entry of Thresholds.health_weights was used
    missing: list[str]  # the inputs we had nothing for, in COMPONENTS order
    flags: list[str]  # caveats on the inputs we had (insufficient sample, no seat count)
    # Quarter over quarter: "<component>" = component score delta (points); "usage_level_pct" and
    # "tickets_pct" = raw-input percent change; "nps_points" = NPS delta. None where either side is unknown.
    changes: dict[str, float | None]


def weights_for(segment: str | None, thresholds: Thresholds) -> tuple[str, HealthWeights]:
    key = segment if segment is not None and segment in thresholds.health_weights else DEFAULT_SEGMENT
    return key, thresholds.health_weights[key]


def health_of(
    nps: NpsStat | None,
    signals: QuarterSignals,
    previous_nps: NpsStat | None,
    previous_signals: QuarterSignals | None,
    segment: str | None,
    thresholds: Thresholds,
) -> Health:
    flags: list[str] = []
    components = _components(nps, signals, thresholds, flags)
    segment_key, weights = weights_for(segment, thresholds)
    configured = weights.as_dict()
    present = {name: configured[name] for name in COMPONENTS if components[name] is not None}
    total = sum(present.values())
    score: float | None = None
    weights_used = dict.fromkeys(COMPONENTS, 0.0)
    if total > 0:
        weights_used |= {name: round(weight / total, 4) for name, weight in present.items()}
        score = round(sum(weight * (components[name] or 0.0) for name, weight in present.items()) / total, 2)
    elif present:
        # The only inputs we have carry zero weight in this segment: nothing to score with.
        flags.append("inputs present carry no weight in this segment")

    previous = _components(previous_nps, previous_signals or QuarterSignals(), thresholds, [])
    changes: dict[str, float | None] = {name: _delta(previous[name], components[name]) for name in COMPONENTS}
    changes["usage_level_pct"] = percent_change(_level(previous_signals), _level(signals))
    changes["tickets_pct"] = percent_change(_tickets(previous_signals), _tickets(signals))
    changes["nps_points"] = _delta(previous_nps.nps if previous_nps else None, nps.nps if nps else None)
    return Health(
        score=score,
        components={name: None if value is None else round(value, 2) for name, value in components.items()},
        weights_used=weights_used,
        weights_segment=segment_key,
        missing=[name for name in COMPONENTS if components[name] is None],
        flags=flags,
        changes=changes,
    )


def usage_score(usage: Usage) -> float | None:
    level = usage_level(usage)
    return None if level is None else min(max(level, 0.0), 100.0)


def support_score(support: Support, seats: int | None, thresholds: Thresholds, flags: list[str]) -> float:
    penalty = (
        support.sev1 * thresholds.support_penalty_per_sev1
        + support.sev2 * thresholds.support_penalty_per_sev2
        + support.escalations * thresholds.support_penalty_per_escalation
    )
    if seats:
        penalty += support.tickets * 10 / seats * thresholds.support_penalty_per_ticket_per_10_seats
    elif support.tickets:
        flags.append("support: no seat count, ticket volume not scored")
    slow = thresholds.support_slow_resolution_hours
    if support.mean_resolution_hours is not None and support.mean_resolution_hours > slow:
        penalty += thresholds.support_penalty_slow_resolution
    return max(100.0 - penalty, 0.0)


def nps_score(nps: NpsStat, flags: list[str]) -> float | None:
    if nps.nps is None or nps.n == 0:
        return None
    if nps.insufficient_sample:
        flags.append(f"nps: insufficient sample (n={nps.n})")
    return (nps.nps + 100) / 2


def engagement_score(engagement: Engagement, thresholds: Thresholds) -> float:
    meetings = min(engagement.meetings / thresholds.engagement_meetings_cap, 1.0)
    replies = min(engagement.outreach_replies / thresholds.engagement_replies_cap, 1.0)
    opens = min(engagement.email_opens / thresholds.engagement_opens_cap, 1.0)
    mix = ENGAGEMENT_MIX
    return 100 * (mix["meetings"] * meetings + mix["replies"] * replies + mix["opens"] * opens)


def _components(
    nps: NpsStat | None, signals: QuarterSignals, thresholds: Thresholds, flags: list[str]
) -> dict[str, float | None]:
    seats = _seats(signals)
    return {
        "usage": usage_score(signals.usage) if signals.usage else None,
        "support": support_score(signals.support, seats, thresholds, flags) if signals.support else None,
        "nps": nps_score(nps, flags) if nps else None,
        "engagement": engagement_score(signals.engagement, thresholds) if signals.engagement else None,
    }


def _seats(signals: QuarterSignals) -> int | None:
    if signals.usage and signals.usage.seats:
        return signals.usage.seats
    if signals.commercial and signals.commercial.seats:
        return signals.commercial.seats
    return None


def _level(signals: QuarterSignals | None) -> float | None:
    return usage_level(signals.usage) if signals and signals.usage else None


def _tickets(signals: QuarterSignals | None) -> float | None:
    return float(signals.support.tickets) if signals and signals.support else None


def _delta(previous: float | None, current: float | None) -> float | None:
    return None if previous is None or current is None else round(current - previous, 2)

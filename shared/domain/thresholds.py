"""The versioned threshold set every rule reads. Its defaults are listed in
docs/cs-leads.md#thresholds-and-their-defaults; all are configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class HealthWeights(BaseModel):
    """How much each input counts in the 0-100 health score (shared/domain/health.py). Lives here, not
    in health.py, so the threshold set can hold one per segment without an import cycle."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    usage: float = Field(default=0.4, ge=0, le=1)
    support: float = Field(default=0.2, ge=0, le=1)
    nps: float = Field(default=0.2, ge=0, le=1)
    engagement: float = Field(default=0.2, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> HealthWeights:
        # Refused rather than normalised: 40/20/20/20 given as percents is a mistake to surface.
        if abs(self.usage + self.support + self.nps + self.engagement - 1.0) > 1e-6:
            raise ValueError("health weights must sum to 1")
        return self

    def as_dict(self) -> dict[str, float]:
        return {"usage": self.usage, "support": self.support, "nps": self.nps, "engagement": self.engagement}


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    version: str = "defaults-v1"
    # NPS below this n is shown as "insufficient sample".
    min_sample: int = Field(default=10, ge=1)
    # Trigger 2: account NPS down more than this many points quarter over quarter...
    nps_drop_points: float = Field(default=10.0, gt=0)
    # ...with at least this many votes this quarter, so one early answer cannot fire it.
    nps_drop_min_votes: int = Field(default=3, ge=1)
    nps_review_sla_hours: int = Field(default=72, ge=1)
    # Trigger 1: recovery outreach SLA, shorter for the top ARR tier.
    detractor_sla_hours_top_tier: int = Field(default=24, ge=1)
    detractor_sla_hours: int = Field(default=48, ge=1)
    tier_1_min_arr: float = Field(default=100_000, ge=0)
    tier_2_min_arr: float = Field(default=25_000, ge=0)

    # Health score (shared/domain/health.py). Weights per segment; "default" serves any other segment.
    health_weights: dict[str, HealthWeights] = Field(default_factory=lambda: {"default": HealthWeights()})
    # Support component: 100 minus these penalties, floored at 0. Volume is scaled to the account's size
    # (tickets per 10 seats in the quarter); severity and escalations count per incident, whatever the size.
    support_penalty_per_ticket_per_10_seats: float = Field(default=5.0, ge=0)
    support_penalty_per_sev1: float = Field(default=15.0, ge=0)
    support_penalty_per_sev2: float = Field(default=5.0, ge=0)
    support_penalty_per_escalation: float = Field(default=10.0, ge=0)
    # A mean resolution slower than this costs a flat penalty: waiting is what customers remember.
    support_slow_resolution_hours: float = Field(default=48.0, gt=0)
    support_penalty_slow_resolution: float = Field(default=15.0, ge=0)
    # Engagement component: each count saturates at its cap for the quarter (a monthly meeting, a reply
    # every couple of weeks, most newsletters opened); more is not healthier.
    engagement_meetings_cap: int = Field(default=3, ge=1)
    engagement_replies_cap: int = Field(default=5, ge=1)
    engagement_opens_cap: int = Field(default=20, ge=1)

    # Trigger 3 (churn risk): the NPS drop of trigger 2 and usage level down more than this percent
    # quarter over quarter -> immediate CSM intervention.
    churn_usage_drop_pct: float = Field(default=20.0, gt=0)
    churn_risk_sla_hours: int = Field(default=24, ge=1)
    # Trigger 4 (support escalation): the NPS drop of trigger 2 and support tickets up more than this
    # percent -> product/support escalation to the CS lead.
    support_tickets_rise_pct: float = Field(default=30.0, gt=0)
    # A rise from zero tickets has no percentage; this many tickets after a quarter of none counts as one.
    support_tickets_from_zero_min: int = Field(default=3, ge=1)
    support_escalation_sla_hours: int = Field(default=48, ge=1)
    # Trigger 5 (theme routing): the same theme from at least this many distinct accounts in a quarter.
    theme_min_accounts: int = Field(default=3, ge=1)
    theme_max_quotes: int = Field(default=5, ge=1)
    theme_routing_sla_hours: int = Field(default=120, ge=1)
    # Trigger 6 (retention risk): usage level at least this (0-100) while the account NPS is at most
    # this: they use us but do not like us -> the renewal is not as safe as usage says.
    retention_risk_min_usage_level: float = Field(default=70.0, ge=0, le=100)
    retention_risk_max_nps: float = Field(default=0.0, ge=-100, le=100)
    retention_risk_sla_hours: int = Field(default=72, ge=1)
    # Level rules (retention risk, silent detractor) need this many votes, like the drop rule.
    low_nps_min_votes: int = Field(default=3, ge=1)
    # Trigger 6 (declining scores): a contact's last N scores each lower than the one before by >= step.
    declining_run_length: int = Field(default=3, ge=2, le=5)
    declining_min_step: int = Field(default=1, ge=1, le=10)
    declining_scores_sla_hours: int = Field(default=72, ge=1)
    # Trigger 7 (silent detractor): account NPS at most this, and in the quarter at most this many
    # meetings and outreach replies: unhappy and not talking to us.
    silent_detractor_max_nps: float = Field(default=0.0, ge=-100, le=100)
    silent_detractor_max_meetings: int = Field(default=0, ge=0)
    silent_detractor_max_replies: int = Field(default=1, ge=0)
    silent_detractor_sla_hours: int = Field(default=72, ge=1)
    # Trigger 7 (at-risk passive): a 7-8 while the account's usage level falls more than this percent.
    at_risk_passive_usage_drop_pct: float = Field(default=10.0, gt=0)
    at_risk_passive_sla_hours: int = Field(default=120, ge=1)
    # Trigger 7 (expansion promoter): a 9-10 who asks for a feature -> expansion play.
    expansion_promoter_sla_hours: int = Field(default=120, ge=1)

    # Closed loop. A case not contacted by its due time climbs the ladder CSM -> CS lead -> executive
    # sponsor, each step with a fresh SLA of the case's own length.
    # Resolving a detractor case asks the contact again this many days later...
    follow_up_delay_days: int = Field(default=14, ge=1, le=180)
    # ...and the answer recovers the case when it is at least this, or this many points above the
    # score that opened it; otherwise the case reopens.
    recovery_min_score: int = Field(default=7, ge=0, le=10)
    recovery_min_gain: int = Field(default=3, ge=1, le=10)

    # Pre-renewal escalation: starts this many days before the renewal date...
    renewal_window_days: int = Field(default=90, ge=60, le=90)
    # ...waits this long for the pre-renewal answer (then "no answer" is the risk signal)...
    renewal_answer_days: int = Field(default=21, ge=1, le=45)
    # ...and checks again this many days before renewal (checkpoint 3).
    renewal_final_check_days: int = Field(default=30, ge=7, le=59)
    # Checkpoint 3: an account whose health is below this is still at risk.
    renewal_min_health: float = Field(default=60.0, ge=0, le=100)
    renewal_recovery_sla_hours: int = Field(default=48, ge=1)
    renewal_executive_sla_hours: int = Field(default=72, ge=1)

    @model_validator(mode="after")
    def _tiers_ordered(self) -> Thresholds:
        if self.tier_2_min_arr > self.tier_1_min_arr:
            raise ValueError("tier_2_min_arr must not exceed tier_1_min_arr")
        return self

    @model_validator(mode="after")
    def _default_health_weights(self) -> Thresholds:
        if "default" not in self.health_weights:
            raise ValueError('health_weights needs a "default" entry for segments without their own')
        return self


# One value of a threshold set as a refresh recalibrated it (shared/domain/refresh.py), and why.
class ThresholdChange(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    old: float
    new: float
    changed: bool
    reason: str

"""The versioned threshold set every rule reads. Defaults are DESIGN.md §3's; all are configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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

    @model_validator(mode="after")
    def _tiers_ordered(self) -> Thresholds:
        if self.tier_2_min_arr > self.tier_1_min_arr:
            raise ValueError("tier_2_min_arr must not exceed tier_1_min_arr")
        return self

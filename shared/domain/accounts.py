"""The account directory entry: who owns the relationship and how much it is worth."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ArrTier(StrEnum):
    TIER_1 = "tier-1"  # the top tier: shortest SLAs
    TIER_2 = "tier-2"
    TIER_3 = "tier-3"


class AccountTeam(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    csm: str
    cs_lead: str
    executive_sponsor: str


class Account(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    name: str
    segment: str
    arr: float = Field(ge=0)
    seats: int = Field(default=0, ge=0)
    industry: str
    region: str
    lifecycle_stage: str
    team: AccountTeam
    renewal_date: date | None = None


UNKNOWN_TEAM = AccountTeam(csm="unassigned", cs_lead="unassigned", executive_sponsor="unassigned")


def arr_tier(arr: float, tier_1_min_arr: float, tier_2_min_arr: float) -> ArrTier:
    if arr >= tier_1_min_arr:
        return ArrTier.TIER_1
    if arr >= tier_2_min_arr:
        return ArrTier.TIER_2
    return ArrTier.TIER_3

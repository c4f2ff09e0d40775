"""Trigger rules: pure functions from facts to firings. Each firing carries its evidence and the
key that makes it fire at most once (per account, quarter and rule; per contact for detractors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account, ArrTier, arr_tier
from shared.domain.models import Band, CanonicalResponse, SurveyKind
from shared.domain.nps import NpsStat, change_exceeds_noise
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.scoring import band_for
from shared.domain.thresholds import Thresholds


class TriggerRule(StrEnum):
    DETRACTOR_RECOVERY = "detractor-recovery"
    NPS_DROP_REVIEW = "nps-drop-review"
    # Triggers 3-7 of docs/cs-leads.md#triggers (shared/domain/account_rules.py).
    CHURN_RISK = "churn-risk"  # 3: NPS drop and usage drop in the same quarter
    SUPPORT_ESCALATION = "support-escalation"  # 4: NPS drop and support tickets up
    THEME_ROUTING = "theme-routing"  # 5: one theme from many accounts, routed to its owning team
    RETENTION_RISK = "retention-risk"  # 6: high usage, low NPS
    DECLINING_SCORES = "declining-scores"  # 6: a contact's scores falling survey after survey
    SILENT_DETRACTOR = "silent-detractor"  # 7: low NPS, low engagement
    AT_RISK_PASSIVE = "at-risk-passive"  # 7: a 7-8 while the account's usage falls
    EXPANSION_PROMOTER = "expansion-promoter"  # 7: a 9-10 who asks for a feature
    # The pre-renewal escalation's plays (shared/domain/renewals.py).
    RENEWAL_RECOVERY_PLAN = "renewal-recovery-plan"  # checkpoint 2: a pre-renewal answer below 7
    RENEWAL_EXPANSION = "renewal-expansion"  # checkpoint 2: 8 or more
    RENEWAL_NO_ANSWER = "renewal-no-answer"  # checkpoint 2: no answer is a risk signal
    RENEWAL_EXECUTIVE_ESCALATION = "renewal-executive-escalation"  # checkpoint 3: still at risk


class OwnerRole(StrEnum):
    CSM = "csm"
    CS_LEAD = "cs_lead"
    EXECUTIVE_SPONSOR = "executive_sponsor"


class TriggerFiring(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    rule: TriggerRule
    dedupe_key: str
    account_id: str
    quarter: str
    owner_role: OwnerRole
    sla_hours: int
    summary: str
    evidence: dict[str, Any]
    response_id: str
    contact_id: str | None = None
    thresholds_version: str
    # Who owns it when no account team does (theme routing goes to a team across accounts).
    owner: str | None = None


class TriggerContext(BaseModel):
    """Everything the rules read for one response; gathered by the pipeline, no I/O here."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    response: CanonicalResponse
    account: Account | None
    current: NpsStat  # this response's account·quarter roll-up, after it was counted
    previous: NpsStat  # the same roll-up a quarter earlier


def evaluate(context: TriggerContext, thresholds: Thresholds) -> list[TriggerFiring]:
    firings = [detractor_recovery(context, thresholds), nps_drop_review(context, thresholds)]
    return [firing for firing in firings if firing is not None]


def detractor_recovery(context: TriggerContext, thresholds: Thresholds) -> TriggerFiring | None:
    response = context.response
    if band_for(response.score) is not Band.DETRACTOR:
        return None
    quarter = quarter_of(response.submitted_at)
    tier = _tier(context.account, thresholds)
    top = tier is ArrTier.TIER_1
    sla = thresholds.detractor_sla_hours_top_tier if top else thresholds.detractor_sla_hours
    return TriggerFiring(
        rule=TriggerRule.DETRACTOR_RECOVERY,
        dedupe_key=f"{TriggerRule.DETRACTOR_RECOVERY}#{response.account_id}#{quarter}#{response.contact_id}",
        account_id=response.account_id,
        quarter=quarter,
        owner_role=OwnerRole.CSM,
        sla_hours=sla,
        summary=f"Detractor {response.score}/10 from {response.contact_id}: reach out within {sla} h",
        evidence={
            "score": response.score,
            "comment": response.comment,
            "arr_tier": tier.value if tier else None,
            "kind": response.kind.value,
            "touchpoint": response.touchpoint,
        },
        response_id=response.key,
        contact_id=response.contact_id,
        thresholds_version=thresholds.version,
    )


def nps_drop_review(context: TriggerContext, thresholds: Thresholds) -> TriggerFiring | None:
    """Account (relational) NPS down more than the threshold quarter over quarter."""
    response = context.response
    current, previous = context.current, context.previous
    if response.kind is not SurveyKind.RELATIONAL or current.nps is None or previous.nps is None:
        return None
    if current.n < thresholds.nps_drop_min_votes:
        return None
    drop = previous.nps - current.nps
    if drop <= thresholds.nps_drop_points:
        return None
    quarter = quarter_of(response.submitted_at)
    exceeds_noise = change_exceeds_noise(current, previous)
    return TriggerFiring(
        rule=TriggerRule.NPS_DROP_REVIEW,
        dedupe_key=f"{TriggerRule.NPS_DROP_REVIEW}#{response.account_id}#{quarter}#{response.program}",
        account_id=response.account_id,
        quarter=quarter,
        owner_role=OwnerRole.CSM,
        sla_hours=thresholds.nps_review_sla_hours,
        summary=(
            f"Account NPS down {drop:.0f} points ({previous.nps:+.0f} → {current.nps:+.0f}); "
            + ("exceeds the noise" if exceeds_noise else "within the margin of error")
        ),
        evidence={
            "quarter": quarter,
            "previous_quarter": previous_quarter(quarter),
            "nps": current.nps,
            "n": current.n,
            "margin_of_error": current.margin_of_error,
            "previous_nps": previous.nps,
            "previous_n": previous.n,
            "previous_margin_of_error": previous.margin_of_error,
            "drop_points": round(drop, 2),
            "threshold_points": thresholds.nps_drop_points,
            "exceeds_noise": exceeds_noise,
        },
        response_id=response.key,
        thresholds_version=thresholds.version,
    )


def _tier(account: Account | None, thresholds: Thresholds) -> ArrTier | None:
    if account is None:
        return None
    return arr_tier(account.arr, thresholds.tier_1_min_arr, thresholds.tier_2_min_arr)

"""An example of every event's data, for docs/events/ (local/event_docs.py) and the tests: each
names the same account, contact and answer, so the documents read as one story. Every detail type
of shared/events/catalog.py CATALOG has one (tests/unit/test_event_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from shared.domain.cases import Case, CaseStatus, StatusChange
from shared.domain.health import Health
from shared.domain.models import Band
from shared.domain.nps import BandCounts, nps_of
from shared.domain.renewals import Decision, RenewalCheckpoint
from shared.domain.scoring import Play
from shared.domain.surveys import SuppressionReason
from shared.domain.themes import Theme
from shared.domain.thresholds import ThresholdChange
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule
from shared.events import SOURCE, DetailType, EventEnvelope
from shared.events.catalog import CatalogEntry
from shared.events.data import (
    AccountHealthChangedData,
    AccountNpsChangedData,
    ResponseScoredData,
    SurveyRequestedData,
    SurveySuppressedData,
    ThresholdsRefreshedData,
)

# The instant every example happened at: examples are documents, they must not change on each run.
_EXAMPLE_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
_EXAMPLE_MIN_SAMPLE = 10
_EXAMPLE_DUE = datetime(2026, 11, 2, tzinfo=UTC)
EXAMPLE_REQUEST_ID = "customer#c-4411#relational#2026-11-02"


def _response_scored() -> ResponseScoredData:
    return ResponseScoredData(
        response_key="delighted-8812",
        contact_id="c-4411",
        score=4,
        band=Band.DETRACTOR,
        play=Play.RECOVERY,
        quarter="2026-Q4",
        kind="relational",
        touchpoint=None,
        comment="Support takes days to answer and the export keeps failing.",
        themes=[Theme.SUPPORT_RESPONSIVENESS, Theme.RELIABILITY_PERFORMANCE],
    )


def _account_nps_changed() -> AccountNpsChangedData:
    counts = BandCounts(promoters=1, passives=2, detractors=2)
    return AccountNpsChangedData(
        quarter="2026-Q4",
        kind="relational",
        nps=nps_of(counts, _EXAMPLE_MIN_SAMPLE),
        previous_quarter="2026-Q3",
        previous_nps=nps_of(BandCounts(promoters=2, passives=1, detractors=1), _EXAMPLE_MIN_SAMPLE),
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
    )


def _case_opened() -> Case:
    return Case(
        case_id="detractor-recovery:acct-021:2026-Q4:delighted-8812",
        rule="detractor-recovery",
        account_id="acct-021",
        quarter="2026-Q4",
        owner="Ben Kim",
        owner_role=OwnerRole.CSM,
        status=CaseStatus.OPEN,
        sla_hours=24,
        opened_at=_EXAMPLE_AT,
        due_at=_EXAMPLE_AT + timedelta(hours=24),
        summary="Detractor (4) from c-4411: recovery outreach within 24 h",
        evidence={"score": 4, "arr": 98700, "thresholds_version": "default"},
        response_id="delighted-8812",
        contact_id="c-4411",
        history=[StatusChange(status=CaseStatus.OPEN, at=_EXAMPLE_AT, by="npsops", note="opened")],
    )


_CASE_ID = "detractor-recovery#acct-021#2026-Q4#c-4411"


def _case_changed(status: CaseStatus) -> Callable[[], Case]:
    """A case after one step of the closed loop (shared/domain/case_flow.py)."""

    def example() -> Case:
        opened = _case_opened()
        at = _EXAMPLE_AT + timedelta(hours=30)
        return opened.model_copy(
            update={
                "case_id": _CASE_ID,
                "status": status,
                "version": 2,
                "history": [
                    *opened.history,
                    StatusChange(status=status, at=at, by="Ben Kim", note=str(status)),
                ],
            }
        )

    return example


def _renewal_checkpoint() -> RenewalCheckpoint:
    return RenewalCheckpoint(
        account_id="acct-021",
        renewal_date="2027-02-11",
        checkpoint=2,
        execution="renewal-acct-021-2027-02-11",
        decision=Decision.RECOVERY_PLAN,
    )


def _expansion_opportunity() -> TriggerFiring:
    return TriggerFiring(
        rule=TriggerRule.RENEWAL_EXPANSION,
        dedupe_key="renewal-expansion#acct-021#2027-02-11",
        account_id="acct-021",
        quarter="2026-Q4",
        owner_role=OwnerRole.CSM,
        sla_hours=120,
        summary="Pre-renewal answer 9/10: expansion opportunity before the renewal",
        evidence={"renewal_date": "2027-02-11", "decision": "expansion", "score": 9, "contact_id": "c-4411"},
        response_id="delighted-8812",
        contact_id="c-4411",
        thresholds_version="defaults-v1",
    )


def _account_health_changed() -> AccountHealthChangedData:
    health = Health(
        score=46.25,
        components={"usage": 35.0, "support": 60.0, "nps": 40.0, "engagement": None},
        weights_used={"usage": 0.5, "support": 0.25, "nps": 0.25, "engagement": 0.0},
        weights_segment="default",
        missing=["engagement"],
        flags=["nps: insufficient sample (n=5)"],
        changes={
            "usage": -18.0,
            "support": -10.0,
            "nps": -22.5,
            "engagement": None,
            "usage_level_pct": -34.0,
            "tickets_pct": 45.0,
            "nps_points": -45.0,
        },
    )
    return AccountHealthChangedData(
        quarter="2026-Q4", score=health.score, health=health, signal_kinds=["support", "usage"]
    )


_EXAMPLE_DUE = datetime(2026, 11, 2, tzinfo=UTC)


def example_survey_requested() -> SurveyRequestedData:
    return SurveyRequestedData(
        request_id=EXAMPLE_REQUEST_ID,
        account_id="acct-021",
        contact_id="c-4411",
        email="dana@example.com",
        program="customer",
        kind="relational",
        touchpoint="relational",
        due_at=_EXAMPLE_DUE,
        connection="delighted-main",
        delay_seconds=0,
        source="planner",
        properties={"account_id": "acct-021", "contact_id": "c-4411", "survey_request": EXAMPLE_REQUEST_ID},
    )


def example_survey_suppressed() -> SurveySuppressedData:
    return SurveySuppressedData(
        request_id=EXAMPLE_REQUEST_ID,
        account_id="acct-021",
        contact_id="c-4411",
        program="customer",
        touchpoint="relational",
        due_at=_EXAMPLE_DUE,
        reason=SuppressionReason.MIN_GAP,
        detail="last survey 2026-10-01 (32 days ago, minimum 60)",
        source="planner",
    )


def example_thresholds_refreshed() -> ThresholdsRefreshedData:
    change = ThresholdChange(
        name="nps_drop_points",
        old=10.0,
        new=35.0,
        changed=True,
        reason="raised: the median account's quarter-over-quarter noise is 31.4 points (48 accounts), "
        "above the 10.0-point threshold, so most drops it caught were noise",
    )
    return ThresholdsRefreshedData(
        quarter="2026-Q3",
        version="2026-Q3-refresh",
        based_on="defaults-v1",
        changes=[change],
        accounts=200,
        fired_old=41,
        fired_new=17,
        only_old=["nps-drop-review#acct-007#2026-Q3#customer"],
        only_new=[],
    )


_CHANGED_CASES = {
    DetailType.CASE_CONTACTED: CaseStatus.CONTACTED,
    DetailType.CASE_ESCALATED: CaseStatus.ESCALATED,
    DetailType.CASE_RESOLVED: CaseStatus.RESOLVED,
    DetailType.CASE_RECOVERED: CaseStatus.RECOVERED,
    DetailType.CASE_REOPENED: CaseStatus.REOPENED,
}

# Each detail type's example data and its subject (the event id is "<DetailType>:<subject>").
EXAMPLES: dict[DetailType, tuple[Callable[[], BaseModel], str]] = {
    DetailType.RESPONSE_SCORED: (_response_scored, "delighted-8812"),
    DetailType.ACCOUNT_NPS_CHANGED: (_account_nps_changed, "delighted-8812"),
    DetailType.CASE_OPENED: (_case_opened, "detractor-recovery:acct-021:2026-Q4:delighted-8812"),
    DetailType.ACCOUNT_HEALTH_CHANGED: (
        _account_health_changed,
        "acct-021:2026-Q4:2026-11-02T09:30:00+00:00",
    ),
    DetailType.SURVEY_REQUESTED: (example_survey_requested, EXAMPLE_REQUEST_ID),
    DetailType.SURVEY_SUPPRESSED: (example_survey_suppressed, EXAMPLE_REQUEST_ID),
    DetailType.THRESHOLDS_REFRESHED: (example_thresholds_refreshed, "2026-Q3-refresh"),
    **{detail: (_case_changed(status), f"{_CASE_ID}#v2") for detail, status in _CHANGED_CASES.items()},
    DetailType.RENEWAL_CHECKPOINT_REACHED: (_renewal_checkpoint, "acct-021#2027-02-11#2"),
    DetailType.EXPANSION_OPPORTUNITY: (_expansion_opportunity, "acct-021#2027-02-11"),
}


def example_data(detail_type: DetailType) -> BaseModel:
    """The example of a detail type's data: an instance of its catalog model."""
    build, _ = EXAMPLES[detail_type]
    return build()


def example_event(entry: CatalogEntry) -> dict[str, Any]:
    """The example as an EventBridge event, the way a rule target (a CRM, a queue) receives it."""
    detail = EventEnvelope(
        event_id=f"{entry.detail_type}:{EXAMPLES[entry.detail_type][1]}",
        detail_type=entry.detail_type,
        data_version=entry.version,
        occurred_at=_EXAMPLE_AT,
        correlation_id="delighted-8812",
        account_id="acct-021",
        program="customer",
        data=example_data(entry.detail_type).model_dump(mode="json"),
    )
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": entry.detail_type.value,
        "source": SOURCE,
        "account": "123456789012",
        "time": _EXAMPLE_AT.isoformat().replace("+00:00", "Z"),
        "region": "us-east-1",
        "resources": [],
        "detail": detail.model_dump(mode="json"),
    }

"""The event catalog: every detail type npsops emits, its data model and the model's version.

Adding a detail type (or changing one) is three steps:

1. `shared/events.py`: add the `DetailType` member (its value is the EventBridge detail-type).
2. Here, in `CATALOG`: register it with its pydantic data model, version "1", a one-line
   description and an example of its data. Changing a registered model (a field added, removed,
   renamed, retyped or re-constrained) needs the version bumped ("1" → "2"): consumers read
   `detail.data_version` and the EventBridge schema registry keeps one schema version per bump.
3. `make events` (`npsops events schemas`): writes docs/events/<DetailType>.schema.json and
   <DetailType>.example.json and records the model's fingerprint for that version in
   docs/events/fingerprints.json. A recorded fingerprint is never overwritten: a changed model under
   the same version is refused, and tests/unit/test_event_contract.py fails saying what to do
   (for a version not released yet, delete its fingerprint line instead of bumping).

Publish with `envelope(detail_type, ..., data=<an instance of the registered model>)`: an
unregistered detail type, or data of another model, raises at once rather than reaching a CRM.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from shared.domain.cases import Case, CaseStatus, StatusChange
from shared.domain.health import Health
from shared.domain.models import Band
from shared.domain.nps import BandCounts, nps_of
from shared.domain.renewals import Decision, RenewalCheckpoint
from shared.domain.scoring import Play
from shared.domain.themes import Theme
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule
from shared.events import BUS_NAME, ENVELOPE_VERSION, SOURCE, DetailType, EventEnvelope

if TYPE_CHECKING:
    from shared.event_data import AccountHealthChangedData
    from shared.services.pipeline import AccountNpsChangedData, ResponseScoredData

SCHEMA_REGISTRY = BUS_NAME
JSON_SCHEMA_DRAFT4 = "http://json-schema.org/draft-04/schema#"
# The instant every example happened at: examples are documents, they must not change on each run.
_EXAMPLE_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
_EXAMPLE_MIN_SAMPLE = 10
# The example survey request (shared/services/surveys.py builds its examples with it): their subject.
EXAMPLE_REQUEST_ID = "customer#c-4411#relational#2026-11-02"


@dataclass(frozen=True)
class CatalogEntry:
    detail_type: DetailType
    # The data model, or "module:Name" for one imported only when read: every publisher loads the
    # catalog (shared/events.py envelope), and a function should not load every other event's
    # module (the refresh, the survey planner) at its first event.
    data_model: type[BaseModel] | str
    version: str  # of `model`: bump it on any change to the model's schema
    description: str
    example: Callable[[], BaseModel]  # an instance of `model`, for docs/events and the tests
    subject: str  # the example's subject: the event id is "<DetailType>:<subject>"

    @property
    def model(self) -> type[BaseModel]:
        if isinstance(self.data_model, str):
            module, name = self.data_model.split(":")
            return cast(type[BaseModel], getattr(import_module(module), name))
        return self.data_model

    @property
    def schema_name(self) -> str:
        """The schema's name in the EventBridge schema registry (its versions are the registry's)."""
        return f"{SOURCE}@{self.detail_type.value}"

    def data_schema(self) -> dict[str, Any]:
        # Serialization mode: `data` is what model_dump(mode="json") writes, not what it accepts.
        return self.model.model_json_schema(mode="serialization")

    def fingerprint(self) -> str:
        canonical = json.dumps(self.data_schema(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class Catalog:
    def __init__(self, *entries: CatalogEntry) -> None:
        self._entries = {entry.detail_type: entry for entry in entries}
        if len(self._entries) != len(entries):
            raise ValueError("a detail type is registered twice in CATALOG")

    def entry(self, detail_type: DetailType) -> CatalogEntry:
        try:
            return self._entries[detail_type]
        except KeyError:
            raise KeyError(
                f"{detail_type} has no data model in shared/event_catalog.py CATALOG: register it "
                "(model, version, description, example), then run `make events`"
            ) from None

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self._entries.values())

    def missing(self) -> list[DetailType]:
        return [member for member in DetailType if member not in self._entries]


def _response_scored() -> ResponseScoredData:
    from shared.services.pipeline import ResponseScoredData

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
    from shared.services.pipeline import AccountNpsChangedData

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
    from shared.event_data import AccountHealthChangedData

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


# The examples of the survey planner's and the refresh's events live beside their models.
def _survey_requested() -> BaseModel:
    from shared.services.surveys import example_survey_requested

    return example_survey_requested()


def _survey_suppressed() -> BaseModel:
    from shared.services.surveys import example_survey_suppressed

    return example_survey_suppressed()


def _thresholds_refreshed() -> BaseModel:
    from shared.services.refresh import example_thresholds_refreshed

    return example_thresholds_refreshed()


CATALOG = Catalog(
    CatalogEntry(
        DetailType.RESPONSE_SCORED,
        "shared.services.pipeline:ResponseScoredData",
        "1",
        "An answer scored: band, play, quarter and themes (one per response revision).",
        _response_scored,
        "delighted-8812",
    ),
    CatalogEntry(
        DetailType.ACCOUNT_NPS_CHANGED,
        "shared.services.pipeline:AccountNpsChangedData",
        "1",
        "A vote moved an account's quarter NPS: the new NPS, the quarter before, with n and margin of error.",
        _account_nps_changed,
        "delighted-8812",
    ),
    CatalogEntry(
        DetailType.CASE_OPENED,
        Case,
        "1",
        "A trigger fired and opened a tracked case with an owner and an SLA.",
        _case_opened,
        "detractor-recovery:acct-021:2026-Q4:delighted-8812",
    ),
    CatalogEntry(
        DetailType.ACCOUNT_HEALTH_CHANGED,
        "shared.event_data:AccountHealthChangedData",
        "1",
        "Signals changed an account·quarter's health score (0-100) and its inputs.",
        _account_health_changed,
        "acct-021:2026-Q4:2026-11-02T09:30:00+00:00",
    ),
    CatalogEntry(
        DetailType.SURVEY_REQUESTED,
        "shared.services.surveys:SurveyRequestedData",
        "1",
        "A survey passed the fatigue rules: send it to this contact through this vendor connection.",
        _survey_requested,
        EXAMPLE_REQUEST_ID,
    ),
    CatalogEntry(
        DetailType.SURVEY_SUPPRESSED,
        "shared.services.surveys:SurveySuppressedData",
        "1",
        "A survey was due and not sent: the fatigue rule that stopped it (recorded and counted).",
        _survey_suppressed,
        EXAMPLE_REQUEST_ID,
    ),
    CatalogEntry(
        DetailType.THRESHOLDS_REFRESHED,
        "shared.services.refresh:ThresholdsRefreshedData",
        "1",
        "The quarterly refresh stored a new threshold set: why each value is what it is, and the backtest.",
        _thresholds_refreshed,
        "2026-Q3-refresh",
    ),
    *(
        CatalogEntry(detail_type, Case, "1", description, _case_changed(status), f"{_CASE_ID}#v2")
        for detail_type, status, description in (
            (
                DetailType.CASE_CONTACTED,
                CaseStatus.CONTACTED,
                "The case's owner logged a contact: the first-contact SLA is met or missed.",
            ),
            (
                DetailType.CASE_ESCALATED,
                CaseStatus.ESCALATED,
                "No contact within the SLA: the case moved up the ladder CSM → CS lead → executive sponsor.",
            ),
            (
                DetailType.CASE_RESOLVED,
                CaseStatus.RESOLVED,
                "Resolved with root cause and action; a case opened by a low answer asks a follow-up survey.",
            ),
            (
                DetailType.CASE_RECOVERED,
                CaseStatus.RECOVERED,
                "The follow-up answer verified the recovery (7 or more, or 3 points up).",
            ),
            (
                DetailType.CASE_REOPENED,
                CaseStatus.REOPENED,
                "The follow-up answer did not show a recovery: the case is open again with a fresh SLA.",
            ),
        )
    ),
    CatalogEntry(
        DetailType.RENEWAL_CHECKPOINT_REACHED,
        RenewalCheckpoint,
        "1",
        "A pre-renewal escalation reached a checkpoint (1 survey asked, 2 decided, 3 final check; 0 ended).",
        _renewal_checkpoint,
        "acct-021#2027-02-11#2",
    ),
    CatalogEntry(
        DetailType.EXPANSION_OPPORTUNITY,
        TriggerFiring,
        "1",
        "A pre-renewal answer of 8 or more: an expansion play for the CSM before the renewal.",
        _expansion_opportunity,
        "acct-021#2027-02-11",
    ),
)


def example_event(entry: CatalogEntry) -> dict[str, Any]:
    """The example as an EventBridge event, the way a rule target (a CRM, a queue) receives it."""
    detail = EventEnvelope(
        event_id=f"{entry.detail_type}:{entry.subject}",
        detail_type=entry.detail_type,
        data_version=entry.version,
        occurred_at=_EXAMPLE_AT,
        correlation_id="delighted-8812",
        account_id="acct-021",
        program="customer",
        data=entry.example().model_dump(mode="json"),
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


def event_schema(entry: CatalogEntry) -> dict[str, Any]:
    """The whole EventBridge event of one detail type as JSON Schema draft 4, the dialect the
    EventBridge schema registry reads (its code bindings and discovery use it)."""
    data = _draft4(entry.data_schema())
    definitions = data.pop("definitions", {})
    envelope = EventEnvelope.model_json_schema(mode="serialization")
    properties = dict(envelope["properties"])
    properties["detail_type"] = {"type": "string", "enum": [entry.detail_type.value]}
    properties["data_version"] = {"type": "string", "enum": [entry.version]}
    properties["envelope_version"] = {"type": "string", "enum": [ENVELOPE_VERSION]}
    properties["data"] = data
    detail = {
        "type": "object",
        "title": f"{entry.detail_type.value}Envelope",
        "properties": properties,
        "required": sorted(set(envelope["required"]) | {"envelope_version"}),
        "additionalProperties": False,
    }
    return {
        "$schema": JSON_SCHEMA_DRAFT4,
        "title": entry.detail_type.value,
        "description": entry.description,
        "type": "object",
        "properties": {
            "version": {"type": "string"},
            "id": {"type": "string"},
            "detail-type": {"type": "string", "enum": [entry.detail_type.value]},
            "source": {"type": "string", "enum": [SOURCE]},
            "account": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "region": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}},
            "detail": detail,
        },
        "required": ["detail-type", "source", "detail"],
        "definitions": definitions,
        "x-npsops-data-version": entry.version,
    }


def _draft4(node: Any) -> Any:
    """pydantic writes JSON Schema 2020-12; the registry's dialect is draft 4: `$defs` are
    `definitions`, `const` is a one-value `enum`, exclusive bounds are booleans beside the bound."""
    if isinstance(node, list):
        return [_draft4(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$defs":
            converted["definitions"] = _draft4(value)
        elif key == "$ref" and isinstance(value, str):
            converted["$ref"] = value.replace("#/$defs/", "#/definitions/")
        elif key == "const":
            converted["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            converted["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            converted[key] = True
        else:
            converted[key] = _draft4(value)
    return converted

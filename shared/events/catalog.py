"""The event catalog: every detail type npsops emits, its data model and the model's version.

Adding a detail type (or changing one) is four steps:

1. shared/events/envelope.py: add the `DetailType` member (its value is the EventBridge detail-type).
2. shared/events/data.py: its pydantic data model (or a domain model, as a case is), and here, in
   `CATALOG`: register it with the model, version "1" and a one-line description. Changing a
   registered model (a field added, removed, renamed, retyped or re-constrained) needs the version
   bumped ("1" → "2"): consumers read `detail.data_version` and the EventBridge schema registry
   keeps one schema version per bump.
3. local/event_docs.py `EXAMPLES`: an example of its data, for docs/events/ and the tests.
4. `make events` (`npsops events schemas`): writes docs/events/<DetailType>.schema.json and
   <DetailType>.example.json and records the model's fingerprint for that version in
   docs/events/fingerprints.json. A recorded fingerprint is never overwritten: a changed model under
   the same version is refused, and tests/unit/test_event_contract.py fails saying what to do
   (for a version not released yet, delete its fingerprint line instead of bumping).

Publish with `envelope(detail_type, ..., data=<an instance of the registered model>)`
(shared/events/publish.py): an unregistered detail type, or data of another model, raises at once
rather than reaching a CRM.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from shared.domain.cases import Case
from shared.domain.renewals import RenewalCheckpoint
from shared.domain.triggers import TriggerFiring
from shared.events.data import (
    AccountHealthChangedData,
    AccountNpsChangedData,
    ResponseScoredData,
    SurveyRequestedData,
    SurveySuppressedData,
    ThresholdsRefreshedData,
)
from shared.events.envelope import BUS_NAME, ENVELOPE_VERSION, SOURCE, DetailType, EventEnvelope

SCHEMA_REGISTRY = BUS_NAME
JSON_SCHEMA_DRAFT4 = "http://json-schema.org/draft-04/schema#"


@dataclass(frozen=True)
class CatalogEntry:
    detail_type: DetailType
    model: type[BaseModel]
    version: str  # of `model`: bump it on any change to the model's schema
    description: str

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
                f"{detail_type} has no data model in shared/events/catalog.py CATALOG: register it "
                "(model, version, description) and its example in local/event_docs.py, then run "
                "`make events`"
            ) from None

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self._entries.values())

    def missing(self) -> list[DetailType]:
        return [member for member in DetailType if member not in self._entries]


CATALOG = Catalog(
    CatalogEntry(
        DetailType.RESPONSE_SCORED,
        ResponseScoredData,
        "1",
        "An answer scored: band, play, quarter and themes (one per response revision).",
    ),
    CatalogEntry(
        DetailType.ACCOUNT_NPS_CHANGED,
        AccountNpsChangedData,
        "1",
        "A vote moved an account's quarter NPS: the new NPS, the quarter before, with n and margin of error.",
    ),
    CatalogEntry(
        DetailType.CASE_OPENED,
        Case,
        "1",
        "A trigger fired and opened a tracked case with an owner and an SLA.",
    ),
    CatalogEntry(
        DetailType.ACCOUNT_HEALTH_CHANGED,
        AccountHealthChangedData,
        # 2: its description no longer cites a design file outside the repository (same fields).
        "2",
        "Signals changed an account·quarter's health score (0-100) and its inputs.",
    ),
    CatalogEntry(
        DetailType.SURVEY_REQUESTED,
        SurveyRequestedData,
        "1",
        "A survey passed the fatigue rules: send it to this contact through this vendor connection.",
    ),
    CatalogEntry(
        DetailType.SURVEY_SUPPRESSED,
        SurveySuppressedData,
        "1",
        "A survey was due and not sent: the fatigue rule that stopped it (recorded and counted).",
    ),
    CatalogEntry(
        DetailType.THRESHOLDS_REFRESHED,
        ThresholdsRefreshedData,
        "1",
        "The quarterly refresh stored a new threshold set: why each value is what it is, and the backtest.",
    ),
    CatalogEntry(
        DetailType.CASE_CONTACTED,
        Case,
        "1",
        "The case's owner logged a contact: the first-contact SLA is met or missed.",
    ),
    CatalogEntry(
        DetailType.CASE_ESCALATED,
        Case,
        "1",
        "No contact within the SLA: the case moved up the ladder CSM → CS lead → executive sponsor.",
    ),
    CatalogEntry(
        DetailType.CASE_RESOLVED,
        Case,
        "1",
        "Resolved with root cause and action; a case opened by a low answer asks a follow-up survey.",
    ),
    CatalogEntry(
        DetailType.CASE_RECOVERED,
        Case,
        "1",
        "The follow-up answer verified the recovery (7 or more, or 3 points up).",
    ),
    CatalogEntry(
        DetailType.CASE_REOPENED,
        Case,
        "1",
        "The follow-up answer did not show a recovery: the case is open again with a fresh SLA.",
    ),
    CatalogEntry(
        DetailType.RENEWAL_CHECKPOINT_REACHED,
        RenewalCheckpoint,
        "1",
        "A pre-renewal escalation reached a checkpoint (1 survey asked, 2 decided, 3 final check; 0 ended).",
    ),
    CatalogEntry(
        DetailType.EXPANSION_OPPORTUNITY,
        TriggerFiring,
        "1",
        "A pre-renewal answer of 8 or more: an expansion play for the CSM before the renewal.",
    ),
)


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

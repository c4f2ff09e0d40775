"""The event contract: every detail type has a registered model, a published schema and an example,
and no model changes under a version consumers already read. Each failure says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel, Field

from local.event_docs import (
    DOCS,
    FINGERPRINTS,
    VersionNotBumped,
    changed_without_bump,
    fingerprint_key,
    recorded_fingerprints,
    rendered,
    write,
)
from local.event_examples import EXAMPLES, example_data, example_event
from shared.events import DetailType
from shared.events.catalog import CATALOG, Catalog, CatalogEntry, event_schema
from shared.events.publish import envelope

FIX = "run `make events` (npsops events schemas) and commit docs/events/"


def test_every_detail_type_has_a_model_in_the_catalog() -> None:
    assert CATALOG.missing() == [], (
        f"{[t.value for t in CATALOG.missing()]} have no entry in shared/events/catalog.py CATALOG: "
        "register each with its pydantic data model, version '1' and a description"
    )


def test_every_detail_type_has_an_example_for_the_docs() -> None:
    missing = [t.value for t in DetailType if t not in EXAMPLES]
    assert missing == [], f"{missing}: add an example to local/event_examples.py EXAMPLES"
    for entry in CATALOG:
        assert isinstance(example_data(entry.detail_type), entry.model)


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.detail_type.value)
def test_every_detail_type_has_its_schema_and_example_in_docs(entry: CatalogEntry) -> None:
    files = rendered()
    for name in (f"{entry.detail_type.value}.schema.json", f"{entry.detail_type.value}.example.json"):
        path = DOCS / name
        assert path.is_file(), f"docs/events/{name} is missing: {FIX}"
        assert path.read_text() == files[name], f"docs/events/{name} is out of date: {FIX}"


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.detail_type.value)
def test_no_model_changed_without_a_version_bump(entry: CatalogEntry) -> None:
    recorded = recorded_fingerprints()
    key = fingerprint_key(entry)
    assert key in recorded, f"{key} has no recorded fingerprint in docs/events/{FINGERPRINTS}: {FIX}"
    assert recorded[key] == entry.fingerprint(), changed_without_bump()


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.detail_type.value)
def test_the_example_is_valid_against_the_published_schema(entry: CatalogEntry) -> None:
    schema = event_schema(entry)
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(example_event(entry))


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.detail_type.value)
def test_the_schema_refuses_another_detail_types_data(entry: CatalogEntry) -> None:
    """The schema is tight enough to tell one data model from another (detail types may share one:
    every case event carries the case)."""
    validator = jsonschema.Draft4Validator(event_schema(entry))
    for other in CATALOG:
        if other.model is entry.model:
            continue
        event = example_event(entry)
        event["detail"]["data"] = example_event(other)["detail"]["data"]
        assert not validator.is_valid(event), f"{entry.detail_type}'s schema took {other.detail_type}'s data"


class Before(BaseModel):
    score: int


class After(BaseModel):
    score: int = Field(ge=0, le=10)  # a constraint added: the schema changed


def _catalog(model: type[BaseModel], version: str) -> Catalog:
    return Catalog(CatalogEntry(DetailType.RESPONSE_SCORED, model, version, "test"))


def test_a_changed_model_under_the_same_version_is_refused_until_bumped(tmp_path: Path) -> None:
    write(_catalog(Before, "1"), tmp_path)
    assert changed_without_bump(_catalog(After, "1"), tmp_path) != []
    with pytest.raises(VersionNotBumped, match="bump its version"):
        write(_catalog(After, "1"), tmp_path)
    assert json.loads((tmp_path / FINGERPRINTS).read_text()).keys() == {"ResponseScored@1"}

    write(_catalog(After, "2"), tmp_path)  # bumped: both versions stay recorded
    fingerprints = json.loads((tmp_path / FINGERPRINTS).read_text())
    assert fingerprints.keys() == {"ResponseScored@1", "ResponseScored@2"}
    assert fingerprints["ResponseScored@1"] != fingerprints["ResponseScored@2"]
    assert changed_without_bump(_catalog(After, "2"), tmp_path) == []


def test_envelope_carries_the_data_version_and_refuses_another_model() -> None:
    entry = CATALOG.entry(DetailType.RESPONSE_SCORED)
    at = example_event(entry)["detail"]["occurred_at"]
    event = envelope(
        DetailType.RESPONSE_SCORED, "r-1", at, "r-1", "acme", "customer", example_data(entry.detail_type)
    )
    assert event.data_version == entry.version and event.envelope_version == "1"
    with pytest.raises(TypeError, match="ResponseScoredData"):
        envelope(DetailType.RESPONSE_SCORED, "r-1", at, "r-1", "acme", "customer", Before(score=3))

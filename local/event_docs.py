"""docs/events/: one JSON Schema and one example event per detail type of shared/events/catalog.py
CATALOG (the examples are local/event_examples.py), and the fingerprint of every (detail type,
version) ever published.

`npsops events schemas` (or `make events`) writes them; tests/unit/test_event_contract.py checks
that they are up to date and that no model changed under a published version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local.event_examples import example_event
from shared.events.catalog import CATALOG, Catalog, CatalogEntry, event_schema

DOCS = Path(__file__).resolve().parents[1] / "docs" / "events"
FINGERPRINTS = "fingerprints.json"


class VersionNotBumped(Exception):
    pass


def fingerprint_key(entry: CatalogEntry) -> str:
    return f"{entry.detail_type.value}@{entry.version}"


def rendered(catalog: Catalog = CATALOG) -> dict[str, str]:
    """Every schema and example file's name and content, as `write` would write them."""
    files: dict[str, str] = {}
    for entry in catalog:
        files[f"{entry.detail_type.value}.schema.json"] = _json(event_schema(entry))
        files[f"{entry.detail_type.value}.example.json"] = _json(example_event(entry))
    return files


def recorded_fingerprints(docs: Path = DOCS) -> dict[str, str]:
    path = docs / FINGERPRINTS
    return dict(json.loads(path.read_text())) if path.is_file() else {}


def changed_without_bump(catalog: Catalog = CATALOG, docs: Path = DOCS) -> list[str]:
    """What an engineer must fix: a model whose schema changed under a version already recorded."""
    recorded = recorded_fingerprints(docs)
    return [
        f"{entry.detail_type.value}: {entry.model.__name__}'s schema changed under version "
        f"{entry.version} (recorded {recorded[fingerprint_key(entry)][:12]}, now "
        f"{entry.fingerprint()[:12]}): bump its version in shared/events/catalog.py CATALOG, then "
        f"run `make events` (a version never released yet: delete its line from "
        f"docs/events/{FINGERPRINTS} instead)"
        for entry in catalog
        if fingerprint_key(entry) in recorded and recorded[fingerprint_key(entry)] != entry.fingerprint()
    ]


def write(catalog: Catalog = CATALOG, docs: Path = DOCS) -> list[str]:
    """Write docs/events/; returns the files that changed. Refuses (writing nothing) when a model
    changed under a recorded version: consumers of that version would break silently."""
    problems = changed_without_bump(catalog, docs)
    if problems:
        raise VersionNotBumped("\n".join(problems))
    files = rendered(catalog)
    # Append-only: every version ever published keeps its fingerprint.
    fingerprints = recorded_fingerprints(docs) | {fingerprint_key(e): e.fingerprint() for e in catalog}
    files[FINGERPRINTS] = _json(dict(sorted(fingerprints.items())))
    docs.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, content in files.items():
        path = docs / name
        if not path.is_file() or path.read_text() != content:
            path.write_text(content)
            changed.append(name)
    return changed


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    for name in write():
        print(f"wrote docs/events/{name}")

"""docs/openapi.json is generated from the API functions' routes and models; it must stay current.
Generated in a child process: importing a handler runs its cold start, which must not leak here."""

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any


@cache
def generated() -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "local.cli", "openapi"], capture_output=True, text=True, check=True
    )
    return dict(json.loads(run.stdout))


def test_the_published_openapi_document_matches_the_code() -> None:
    published = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    assert published == generated(), "run `make openapi` and commit docs/openapi.json"


def test_the_document_describes_the_generic_format() -> None:
    document = generated()
    assert "/v1/responses" in document["paths"]
    schema = document["components"]["schemas"]["GenericResponse"]
    assert {"response_id", "account_id", "contact_id", "score", "submitted_at"} <= set(schema["required"])
    assert schema["properties"]["score"]["maximum"] == 10


def test_every_catalog_route_has_a_handler_and_every_handler_a_route() -> None:
    """API Gateway sends each function only its catalog routes (functions/catalog.py), by routeKey
    (functions/api.py): each needs a handler, and a handler no route reaches would be dead code. The
    document lists the handlers' routes."""
    from functions.catalog import API_FUNCTIONS

    documented = {f"{method.upper()} {path}" for path, ops in generated()["paths"].items() for method in ops}
    assert documented == {f"{r.method} {r.path}" for spec in API_FUNCTIONS for r in spec.routes}

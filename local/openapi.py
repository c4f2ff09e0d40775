"""The HTTP API's OpenAPI document, generated from the routes and models of every API function's
handler (functions/catalog.py API_FUNCTIONS), merged into one document."""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

from local.aws import REGION, function_environment

# The handler validates its settings at import; the document does not depend on their values.
_PLACEHOLDER_PIPELINE = f"arn:aws:states:{REGION}:123456789012:stateMachine:response-pipeline"


def intake_openapi() -> dict[str, Any]:
    placeholders = function_environment() | {
        "PIPELINE_ARN": _PLACEHOLDER_PIPELINE,
        "AWS_DEFAULT_REGION": REGION,
    }
    for key, value in placeholders.items():
        os.environ.setdefault(key, value)
    from functions.catalog import API_FUNCTIONS

    merged: dict[str, Any] = {}
    for spec in API_FUNCTIONS:
        app = importlib.import_module(spec.module).app
        document = json.loads(
            app.get_openapi_json_schema(
                title="npsops API",
                version="1.0.0",
                description="Survey responses in; NPS operations out. Routes under /v1/webhooks/ are "
                "authenticated by the vendor's signature; /v1/connections, /v1/contacts and "
                "/v1/quarantine need IAM (SigV4) credentials.",
            )
        )
        if not merged:
            merged = document
            continue
        merged["paths"] |= document.get("paths", {})
        schemas = merged.setdefault("components", {}).setdefault("schemas", {})
        schemas |= document.get("components", {}).get("schemas", {})
    return merged

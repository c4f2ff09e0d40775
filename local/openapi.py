"""The intake API's OpenAPI document, generated from the intake handler's routes and models."""

from __future__ import annotations

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
    from functions.intake.handler import app

    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="npsops intake API", version="1.0.0", description="Survey responses in; NPS operations out."
        )
    )
    return document

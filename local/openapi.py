"""The intake API's OpenAPI document, generated from the intake handler's routes and models."""

from __future__ import annotations

import json
import os
from typing import Any

_PLACEHOLDER_ENV = {
    "RESPONSES_TABLE": "npsops-responses",
    "ROLLUPS_TABLE": "npsops-rollups",
    "CASES_TABLE": "npsops-cases",
    "ACCOUNTS_TABLE": "npsops-accounts",
    "EVENT_BUS_NAME": "npsops",
    "MAX_BODY_BYTES": "65536",
    "PIPELINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:response-pipeline",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def intake_openapi() -> dict[str, Any]:
    # The handler validates its settings at import; the document does not depend on their values.
    for key, value in _PLACEHOLDER_ENV.items():
        os.environ.setdefault(key, value)
    from functions.intake.handler import app

    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="npsops intake API", version="1.0.0", description="Survey responses in; NPS operations out."
        )
    )
    return document

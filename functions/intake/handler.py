"""Intake API: POST /v1/responses (the generic format). Validate, store once, start the pipeline."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api import Api, Response, field_of, proxy_result, too_large
from shared.config import IntakeSettings
from shared.domain.models import CanonicalResponse
from shared.observability import lambda_handler, logger, metrics
from shared.services.intake import IntakeResult
from shared.vendors.generic import GenericResponse
from shared.wiring.intake import intake

settings = IntakeSettings.from_env()
responses = intake(settings)


def invalid_response(errors: list[dict[str, Any]]) -> Response[dict[str, Any]]:
    problems = [_problem(e) for e in errors]
    not_json = any(p["type"] == "json_invalid" for p in problems)
    body = {
        "error": "body is not valid JSON" if not_json else "invalid response",
        "problems": problems,
    }
    metrics.add_metric(name="ResponsesRejected", unit=MetricUnit.Count, value=1)
    return Response(400 if not_json else 422, body)


app = Api(on_invalid=invalid_response)
# What the generic body becomes: validated on every request, so its validator is built during init.
CanonicalResponse.model_rebuild()


@app.post("/v1/responses", summary="Submit one NPS response in the generic format")
def post_response(response: GenericResponse) -> Response[IntakeResult]:
    result = responses.submit(response, now=datetime.now(UTC))
    logger.append_keys(correlation_id=result.response_key)
    metrics.add_metric(name=f"Responses{result.status.title()}", unit=MetricUnit.Count, value=1)
    return Response(result.http_status, result)


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":
        nested = "recursion limit" in str(error.get("msg"))
        message = "the body is nested too deeply" if nested else "the body must be a JSON object"
        return {"field": "body", "type": "json_invalid", "message": message}
    return {"field": field_of(error) or "body", "type": error.get("type"), "message": error.get("msg")}


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = event.get("body") or ""
    if len(body.encode()) > settings.max_body_bytes:
        # API Gateway accepts up to 10 MB; no NPS response is anywhere near this size.
        return too_large(settings.max_body_bytes)
    if event.get("isBase64Encoded") and not _utf8(body):  # API Gateway base64-encodes what is not UTF-8
        return proxy_result(Response(400, {"error": "the body must be UTF-8 encoded JSON"}))
    return app.resolve(event)


def _utf8(encoded: str) -> bool:
    try:
        base64.b64decode(encoded).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return True

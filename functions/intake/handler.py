"""Intake API: POST /v1/responses (the generic format). Validate, store once, start the pipeline."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import IntakeSettings
from shared.domain.models import CanonicalResponse
from shared.observability import lambda_handler, logger, metrics
from shared.services.intake import IntakeResult, accept
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository
from shared.vendors.generic import GenericResponse, to_canonical

settings = IntakeSettings.from_env()
responses = ResponseRepository(settings.responses_table)
pipeline = PipelineStarter(settings.pipeline_arn)
app = APIGatewayHttpResolver(enable_validation=True)
# Validated on every request: their validators are built during init, not on the first call.
GenericResponse.model_rebuild()
CanonicalResponse.model_rebuild()


@app.post("/v1/responses", summary="Submit one NPS response in the generic format")
def post_response(response: GenericResponse) -> Response[IntakeResult]:
    result = accept(to_canonical(response), responses, pipeline, now=datetime.now(UTC))
    logger.append_keys(correlation_id=result.response_key)
    metrics.add_metric(name=f"Responses{result.status.title()}", unit=MetricUnit.Count, value=1)
    return Response(status_code=result.http_status, content_type=content_types.APPLICATION_JSON, body=result)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[dict[str, Any]]:
    problems = [_problem(e) for e in error.errors()]
    not_json = any(p["type"] == "json_invalid" for p in problems)
    body = {
        "error": "body is not valid JSON" if not_json else "invalid response",
        "problems": problems,
    }
    metrics.add_metric(name="ResponsesRejected", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=400 if not_json else 422, content_type=content_types.APPLICATION_JSON, body=body
    )


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":  # its location is a character offset, not a field
        return {"field": "body", "type": "json_invalid", "message": "the body must be a JSON object"}
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    return {"field": ".".join(location) or "body", "type": error.get("type"), "message": error.get("msg")}


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = event.get("body") or ""
    if len(body.encode()) > settings.max_body_bytes:
        # API Gateway accepts up to 10 MB; no NPS response is anywhere near this size.
        return _too_large()
    if (problem := _unreadable(body, bool(event.get("isBase64Encoded")))) is not None:
        return _bad_request(problem)
    return app.resolve(event, context)


def _unreadable(body: str, base64_encoded: bool) -> str | None:
    """What the validating resolver cannot report as a 4xx itself: a body that is not UTF-8 (API
    Gateway then base64-encodes it), or JSON nested so deep that parsing it exhausts the stack."""
    if base64_encoded:
        try:
            base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "the body must be UTF-8 encoded JSON"
    else:
        try:
            json.loads(body)
        except RecursionError:
            return "the body is nested too deeply"
        except ValueError:
            pass  # not JSON: the resolver answers that with its own 400
    return None


def _bad_request(problem: str) -> dict[str, Any]:
    message = json.dumps({"error": problem})
    return {"statusCode": 400, "headers": {"Content-Type": "application/json"}, "body": message}


def _too_large() -> dict[str, Any]:
    message = f'{{"error": "body larger than {settings.max_body_bytes} bytes"}}'
    return {"statusCode": 413, "headers": {"Content-Type": "application/json"}, "body": message}

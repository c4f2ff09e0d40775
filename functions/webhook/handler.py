"""Vendor webhooks: POST /v1/webhooks/{connection_id}. The vendor's signature authenticates the
delivery; the connection says which vendor it is and how to read it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api import TEXT, Api, RawRequest, Response, too_large
from shared.config import IntakeSettings
from shared.domain.models import CanonicalResponse
from shared.observability import lambda_handler, logger, metrics
from shared.services.intake import IntakeResult
from shared.services.webhooks import (
    SecretNotFound,
    UnknownConnection,
    VendorApiRefused,
    VendorApiUnavailable,
)
from shared.vendors.base import Delivery, PayloadError, SignatureError
from shared.wiring import connections

settings = IntakeSettings.from_env()
webhooks = connections.webhooks(settings)
app = Api()
# What every delivery is parsed into: its validator is built during init, not on the first call.
CanonicalResponse.model_rebuild()


@app.route("HEAD", "/v1/webhooks/{connection_id}")
def probe(connection_id: str) -> Response[str]:
    """SurveyMonkey checks that a webhook URL answers HEAD before it will send to it."""
    return Response(200, "", TEXT)


@app.post("/v1/webhooks/{connection_id}")
def deliver(connection_id: str, request: RawRequest) -> Response[IntakeResult]:
    delivery = Delivery(body=request.body, headers=request.headers, received_at=datetime.now(UTC))
    result = webhooks.receive(connection_id, delivery, now=delivery.received_at)
    logger.append_keys(correlation_id=result.response_key, connection_id=connection_id)
    metrics.add_metric(name=f"Webhook{result.status.title()}", unit=MetricUnit.Count, value=1)
    return Response(result.http_status, result)


def _error(status: int, error: str, **detail: Any) -> Response[dict[str, Any]]:
    metrics.add_metric(name=f"WebhookRefused{status}", unit=MetricUnit.Count, value=1)
    return Response(status, {"error": error} | detail)


@app.exception_handler(SignatureError)
def bad_signature(error: SignatureError) -> Response[dict[str, Any]]:
    logger.warning("webhook signature refused", extra={"reason": str(error)})
    return _error(401, f"signature refused: {error}")


@app.exception_handler(PayloadError)
def bad_payload(error: PayloadError) -> Response[dict[str, Any]]:
    status = 400 if error.undecodable else 422
    return _error(status, "invalid delivery", problems=[{"field": error.field, "message": error.message}])


@app.exception_handler(UnknownConnection)
def unknown_connection(error: UnknownConnection) -> Response[dict[str, Any]]:
    return _error(404, f"no connection {error}")


@app.exception_handler(SecretNotFound)
def missing_secret(error: SecretNotFound) -> Response[dict[str, Any]]:
    # The connection exists but its secret does not: nothing can be verified, so nothing is taken.
    logger.error("connection secret missing", extra={"secret": str(error)})
    return _error(503, "this connection's secret is not set up")


@app.exception_handler(VendorApiUnavailable)
def vendor_api_down(error: VendorApiUnavailable) -> Response[dict[str, Any]]:
    # 503 makes the vendor redeliver later; nothing was written.
    logger.warning("vendor API unavailable", extra={"reason": str(error)})
    return _error(503, "the vendor's API did not answer; deliver again later")


@app.exception_handler(VendorApiRefused)
def vendor_api_refused(error: VendorApiRefused) -> Response[dict[str, Any]]:
    logger.error("vendor API refused", extra={"reason": str(error)})
    return _error(502, f"the vendor's API refused the details request: {error}")


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = event.get("body") or ""
    if len(body) > settings.max_body_bytes * 2:  # base64 or not, far beyond any survey answer
        return too_large(settings.max_body_bytes)
    return app.resolve(event)

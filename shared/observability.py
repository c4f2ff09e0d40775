"""Logger, Metrics and Tracer, created once per execution environment and shared by every handler."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "npsops"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="npsops")
tracer = Tracer(service=SERVICE)

Handler = Callable[[dict[str, Any], Any], Any]


def lambda_handler(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Every handler's entry: JSON logs carrying the response key as correlation id, metrics
    flushed per invocation, an X-Ray segment around the call."""

    def wrap(handler: Handler) -> Handler:
        traced = tracer.capture_lambda_handler(handler)
        measured = metrics.log_metrics(traced)
        return logger.inject_lambda_context(
            measured, correlation_id_path=correlation_id_path, clear_state=True
        )

    return wrap

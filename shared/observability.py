"""Logger, Metrics and Tracer, created once per execution environment and shared by every handler."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

SERVICE = "npsops"


def tracing_on() -> bool:
    """Powertools' own switch. Off (locally, in tests), the X-Ray SDK is never imported: it was
    over 40% of every handler's cold start (bench/cold_start.py), and a disabled Tracer imports it."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true")


def _tracer() -> Tracer | None:
    if not tracing_on():
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="npsops")
tracer = _tracer()

Handler = Callable[[dict[str, Any], Any], Any]


def lambda_handler(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Every handler's entry: JSON logs carrying the response key as correlation id, metrics
    flushed per invocation, an X-Ray segment around the call."""

    def wrap(handler: Handler) -> Handler:
        traced = tracer.capture_lambda_handler(handler) if tracer is not None else handler
        measured = metrics.log_metrics(traced)
        return logger.inject_lambda_context(
            measured, correlation_id_path=correlation_id_path, clear_state=True
        )

    return wrap

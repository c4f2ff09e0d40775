"""Scheduled (daily): recompute every roll-up from the stored responses, repair drift, report it
(shared/services/reconcile.py)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.schedules import ScheduledEvent
from shared.config import Settings
from shared.observability import lambda_handler, logger, metrics
from shared.wiring.reconcile import reconciliation

reconcile = reconciliation(Settings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ScheduledEvent.model_rebuild()


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ScheduledEvent.model_validate(event)  # a schedule's firing; the work does not depend on its time
    report = reconcile(repair=True)
    metrics.add_metric(name="RollupsDrifted", unit=MetricUnit.Count, value=len(report.drifted))
    if report.drifted:  # drift means a counter moved without its response, or the reverse: look why
        logger.warning(
            "roll-up drift repaired", extra={"drifted": [d.model_dump(mode="json") for d in report.drifted]}
        )
    return report.model_dump(mode="json")

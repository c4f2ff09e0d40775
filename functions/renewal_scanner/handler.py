"""Scheduled (daily): start one renewal escalation per account entering its renewal window, once
per renewal; end those whose renewal date moved or whose account renewed or churned."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.schedules import ScheduledEvent
from shared.config import RenewalSettings
from shared.observability import lambda_handler, metrics
from shared.wiring.closed_loop import renewal_desk

desk = renewal_desk(RenewalSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ScheduledEvent.model_rebuild()


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scanned = desk.scan(ScheduledEvent.model_validate(event).scheduled_at)
    metrics.add_metric(name="RenewalEscalationsStarted", unit=MetricUnit.Count, value=len(scanned.started))
    return scanned.model_dump(mode="json")

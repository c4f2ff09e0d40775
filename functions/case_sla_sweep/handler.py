"""Scheduled (hourly, functions/schedules.py): escalate every case whose first-contact SLA has
passed, one step up the ladder CSM → CS lead → executive sponsor."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.schedules import ScheduledEvent
from shared.config import SurveySettings
from shared.observability import lambda_handler, metrics
from shared.wiring.closed_loop import case_desk

desk = case_desk(SurveySettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ScheduledEvent.model_rebuild()


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    swept = desk.sweep(ScheduledEvent.model_validate(event).scheduled_at)
    metrics.add_metric(name="SlaBreaches", unit=MetricUnit.Count, value=len(swept.escalated))
    return swept.model_dump(mode="json")

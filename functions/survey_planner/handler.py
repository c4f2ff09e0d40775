"""Scheduled (daily): plan the day's surveys under the fatigue rules (shared/services/surveys.py)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.schedules import ScheduledEvent
from shared.config import SurveySettings
from shared.observability import lambda_handler, metrics
from shared.wiring.closed_loop import survey_planner

planner = survey_planner(SurveySettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ScheduledEvent.model_rebuild()


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled_at = ScheduledEvent.model_validate(event).scheduled_at
    # The day is the schedule's, not the clock's: a late retry plans the day it was due for.
    plan = planner.plan_day(scheduled_at.date(), scheduled_at)
    metrics.add_metric(name="SurveysPlanned", unit=MetricUnit.Count, value=plan.planned)
    metrics.add_metric(name="SurveysSuppressed", unit=MetricUnit.Count, value=sum(plan.suppressed.values()))
    return plan.model_dump(mode="json")

"""Pipeline step: open one case per firing, at most once per firing."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import open_cases
from shared.services.steps import OpenCasesStep
from shared.store.cases import CaseRepository

settings = Settings.from_env()
cases = CaseRepository(settings.cases_table)

# The event every invocation parses: its validator is built during init, not on the first call.
OpenCasesStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = OpenCasesStep.model_validate(event)
    opened = open_cases(
        step.response,
        step.firings,
        step.account,
        step.outbox,
        cases,
        settings.event_bus_name,
        now=datetime.now(UTC),
    )
    if opened.opened:
        metrics.add_metric(name="CasesOpened", unit=MetricUnit.Count, value=len(opened.opened))
    return opened.model_dump(mode="json")

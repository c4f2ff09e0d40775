"""Pipeline step: open one case per firing, at most once per firing."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import OpenCasesStep
from shared.wiring.pipeline import open_cases

run = open_cases(Settings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
OpenCasesStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    opened = run(OpenCasesStep.model_validate(event), now=datetime.now(UTC))
    if opened.opened:
        metrics.add_metric(name="CasesOpened", unit=MetricUnit.Count, value=len(opened.opened))
    return opened.model_dump(mode="json")

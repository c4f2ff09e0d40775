"""Pipeline step: band, play, quarter, sentiment and themes of a response."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import ResponseStep
from shared.wiring.pipeline import score

run = score(Settings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ResponseStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scored = run(ResponseStep.model_validate(event))
    metrics.add_metric(name=f"Responses{scored.band.title()}", unit=MetricUnit.Count, value=1)
    return scored.model_dump(mode="json")

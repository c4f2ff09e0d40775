"""Pipeline step: band, play, quarter, sentiment and themes of a response."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import score
from shared.services.steps import ResponseStep
from shared.store.comprehend import text_analyzer

settings = Settings.from_env()
# Sentiment and themes: the embedded lexicon analyzer, or Amazon Comprehend where TEXT_ANALYZER says so.
analyzer = text_analyzer()

# The event every invocation parses: its validator is built during init, not on the first call.
ResponseStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = ResponseStep.model_validate(event)
    scored = score(step.response, settings.event_bus_name, analyzer)
    metrics.add_metric(name=f"Responses{scored.band.title()}", unit=MetricUnit.Count, value=1)
    return scored.model_dump(mode="json")

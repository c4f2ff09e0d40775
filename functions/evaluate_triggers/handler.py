"""Pipeline step: run the trigger rules over the response, its account, its roll-up and signals."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import EvaluateStep
from shared.wiring.pipeline import evaluate_triggers

run = evaluate_triggers(Settings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
EvaluateStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    evaluated = run(EvaluateStep.model_validate(event))
    for firing in evaluated.firings:
        metrics.add_metric(name=f"Trigger-{firing.rule}", unit=MetricUnit.Count, value=1)
    return evaluated.model_dump(mode="json")

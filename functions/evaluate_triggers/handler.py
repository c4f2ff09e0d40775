"""Pipeline step: run the trigger rules over the response, its account, its roll-up and signals."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler, metrics
from shared.services.pipeline import evaluate_triggers
from shared.services.steps import EvaluateStep
from shared.store.accounts import AccountRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

settings = Settings.from_env()
accounts = AccountRepository(settings.accounts_table)
signals = SignalRepository(settings.signals_table)
rollups = RollupRepository(settings.rollups_table)

# The event every invocation parses: its validator is built during init, not on the first call.
EvaluateStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = EvaluateStep.model_validate(event)
    evaluated = evaluate_triggers(
        step.response,
        step.current,
        step.previous,
        step.themes,
        step.history,
        accounts,
        signals,
        rollups,
        settings.thresholds,
        sentiment=step.sentiment,
    )
    for firing in evaluated.firings:
        metrics.add_metric(name=f"Trigger-{firing.rule}", unit=MetricUnit.Count, value=1)
    return evaluated.model_dump(mode="json")

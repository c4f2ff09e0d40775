"""Pipeline step: count the contact's vote in the account·quarter roll-up."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import Settings
from shared.observability import lambda_handler
from shared.services.pipeline import AggregateStep
from shared.wiring.pipeline import aggregate

run = aggregate(Settings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
AggregateStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run(AggregateStep.model_validate(event)).model_dump(mode="json")

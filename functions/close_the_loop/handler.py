"""Pipeline step, only for answers to surveys npsops asked for: a case follow-up's answer recovers
or reopens its case; a pre-renewal answer resumes the renewal escalation waiting for it."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import RenewalSettings
from shared.observability import lambda_handler
from shared.services.pipeline import ResponseStep
from shared.wiring.closed_loop import close_the_loop

run = close_the_loop(RenewalSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ResponseStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run(ResponseStep.model_validate(event)).model_dump(mode="json")

"""The quarterly refresh's steps (statemachines/quarterly_refresh.asl.json), one service call each."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import SurveySettings
from shared.observability import lambda_handler
from shared.services.refresh import RefreshStep
from shared.wiring.refresh import quarterly_refresh

refresh = quarterly_refresh(SurveySettings.from_env())


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refresh.run(RefreshStep.model_validate(event)).model_dump(mode="json")

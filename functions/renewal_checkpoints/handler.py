"""Renewal escalation steps (statemachines/renewal_escalation.asl.json): checkpoint 1 asks for the
pre-renewal answer, 2 branches on it, 3 escalates to the executive sponsor if still at risk."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import RenewalSettings
from shared.observability import lambda_handler
from shared.services.renewals import CheckpointRequest
from shared.wiring.closed_loop import renewal_desk

desk = renewal_desk(RenewalSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
CheckpointRequest.model_rebuild()


@lambda_handler(correlation_id_path="plan.execution_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return desk.checkpoint(CheckpointRequest.model_validate(event)).model_dump(mode="json")

"""Pipeline step, only for answers to surveys npsops asked for: a case follow-up's answer recovers
or reopens its case; a pre-renewal answer resumes the renewal escalation waiting for it."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from shared.config import RenewalSettings
from shared.observability import lambda_handler
from shared.services.cases import case_desk
from shared.services.renewals import renewal_desk
from shared.services.steps import ResponseStep
from shared.services.surveys import survey_planner

settings = RenewalSettings.from_env()
planner = survey_planner(settings)
cases = case_desk(settings, planner)
renewals = renewal_desk(settings, planner)


class LoopClosed(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case: str | None  # the case the answer recovered or reopened
    case_status: str | None
    renewal_resumed: bool


# The event every invocation parses: its validator is built during init, not on the first call.
ResponseStep.model_rebuild()


@lambda_handler(correlation_id_path="response_key")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = ResponseStep.model_validate(event).response
    case = cases.follow_up_answered(response)
    closed = LoopClosed(
        case=case.case_id if case else None,
        case_status=case.status.value if case else None,
        renewal_resumed=renewals.resume(response),
    )
    return closed.model_dump(mode="json")

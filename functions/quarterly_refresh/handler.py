"""The quarterly refresh's steps (statemachines/quarterly_refresh.asl.json), one service call each."""

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.config import SurveySettings
from shared.domain.signals import QUARTER_PATTERN
from shared.observability import lambda_handler
from shared.services.refresh import quarter_to_close, quarterly_refresh

refresh = quarterly_refresh(SurveySettings.from_env())


class RefreshStep(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    step: Literal["close", "benchmarks", "recalibrate", "backtest"]
    scheduled_at: AwareDatetime  # the schedule's time: the quarter and the event time come from it
    quarter: str | None = Field(default=None, pattern=QUARTER_PATTERN)  # set by the close step


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = RefreshStep.model_validate(event)
    if request.step == "close":
        return refresh.close(quarter_to_close(request.scheduled_at)).model_dump(mode="json")
    if request.quarter is None:
        raise ValueError(f"the {request.step} step needs the quarter the close step returned")
    if request.step == "benchmarks":
        return refresh.benchmark(request.quarter).model_dump(mode="json")
    if request.step == "recalibrate":
        return refresh.recalibrate(request.quarter).model_dump(mode="json")
    return refresh.backtest(request.quarter, request.scheduled_at).model_dump(mode="json")

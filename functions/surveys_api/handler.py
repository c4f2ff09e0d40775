"""Internal API (IAM-authenticated on AWS): milestones in, survey requests out.

PUT /v1/surveys/milestones  {"milestones": [Milestone, ...]}  each asks for its survey(s): decided
                            today if due, else kept pending for the daily planner of its day
GET /v1/surveys             every request, planned, suppressed (with why) or pending; counts by day
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from functions.api import Api
from shared.config import SurveySettings
from shared.domain.surveys import Milestone
from shared.observability import lambda_handler
from shared.services.surveys import SurveyOutcome, SurveysReport
from shared.wiring.closed_loop import survey_planner

settings = SurveySettings.from_env()
planner = survey_planner(settings)
app = Api()


class MilestonesRequest(BaseModel):
    """Taken whole or not at all: one bad milestone refuses the batch, naming it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    milestones: list[Milestone] = Field(min_length=1, max_length=500)


class MilestonesTaken(BaseModel):
    model_config = ConfigDict(defer_build=True)

    requests: list[SurveyOutcome]


@app.put("/v1/surveys/milestones", summary="Milestones that ask for a survey; fatigue rules decide")
def put_milestones(request: MilestonesRequest) -> MilestonesTaken:
    return MilestonesTaken(requests=planner.take_milestones(request.milestones, datetime.now(UTC)))


@app.get("/v1/surveys", summary="Every survey request: planned, suppressed and why, pending")
def get_surveys() -> SurveysReport:
    return planner.report()


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

"""Internal API (IAM-authenticated on AWS): the closed loop's cases.

GET  /v1/cases                      ?owner=&account_id=&status=   one's cases, oldest due first
GET  /v1/cases/metrics              save rate, time to first contact and recovery, SLAs kept
GET  /v1/cases/{case_id}            one case with its history
POST /v1/cases/{case_id}/actions    {"action": "acknowledge" | "contact" | "resolve", "by", ...}

Case ids hold '#' (rule#account#quarter#contact): URL-encode them in paths (%23); API Gateway
decodes path parameters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from functions.api import Api, HttpError, not_found
from shared.config import SurveySettings
from shared.domain.case_metrics import CaseMetrics
from shared.domain.cases import Case, CaseStatus
from shared.observability import lambda_handler, metrics
from shared.services.cases import CaseAction, CaseActionRefused, CaseConflict, CaseNotFound
from shared.wiring.closed_loop import case_desk

desk = case_desk(SurveySettings.from_env())
app = Api()


@app.get("/v1/cases", summary="Cases by owner or account, oldest due first")
def list_cases(
    owner: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
    account_id: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
    status: CaseStatus | None = None,
) -> list[Case]:
    return desk.find(owner, account_id, status)


@app.get("/v1/cases/metrics", summary="Save rate, time to first contact and recovery, SLAs kept")
def get_metrics() -> list[CaseMetrics]:
    return desk.metrics()


@app.get("/v1/cases/{case_id}", summary="One case with its status history")
def get_case(case_id: str) -> Case:
    try:
        return desk.get(case_id)
    except CaseNotFound as missing:
        raise not_found(f"no case {missing}") from missing


@app.post("/v1/cases/{case_id}/actions", summary="Acknowledge, log a contact, or resolve a case")
def act(case_id: str, action: CaseAction) -> Case:
    try:
        case = desk.act(case_id, action, datetime.now(UTC))
    except CaseNotFound as missing:
        raise not_found(f"no case {missing}") from missing
    except (CaseActionRefused, CaseConflict) as refused:
        raise HttpError(409, str(refused)) from refused
    metrics.add_metric(name=f"Case{action.action.title()}", unit=MetricUnit.Count, value=1)
    return case


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

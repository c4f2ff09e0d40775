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
from shared.domain.case_flow import CaseActionRefused
from shared.domain.case_metrics import CaseMetrics, case_metrics
from shared.domain.cases import Case, CaseStatus
from shared.observability import lambda_handler, metrics
from shared.services.cases import CaseAction, CaseNotFound, case_desk
from shared.services.surveys import survey_planner
from shared.store.cases import CaseConflict

settings = SurveySettings.from_env()
desk = case_desk(settings, survey_planner(settings))
app = Api()


@app.get("/v1/cases", summary="Cases by owner or account, oldest due first")
def list_cases(
    owner: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
    account_id: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
    status: CaseStatus | None = None,
) -> list[Case]:
    if owner:
        found = desk.cases.for_owner(owner)
    elif account_id:
        found = desk.cases.for_account(account_id)
    else:
        found = desk.cases.all()
    return sorted((c for c in found if status is None or c.status is status), key=lambda c: c.due_at)


@app.get("/v1/cases/metrics", summary="Save rate, time to first contact and recovery, SLAs kept")
def get_metrics() -> list[CaseMetrics]:
    segments = {a.account_id: a.segment for a in desk.accounts.all()}
    return case_metrics(desk.cases.all(), segments)


@app.get("/v1/cases/{case_id}", summary="One case with its status history")
def get_case(case_id: str) -> Case:
    case = desk.cases.get(case_id)
    if case is None:
        raise not_found(f"no case {case_id}")
    return case


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

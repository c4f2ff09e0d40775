"""Internal API (IAM-authenticated on AWS): the insight reports, as JSON.

GET /v1/reports/revenue             ?quarter=2026-Q4&quarters=4   the revenue link by account NPS band
GET /v1/reports/nps                 ?quarter=&quarters=4&by=segment   portfolio and group NPS, weighted,
                                                                  with margins and significance
GET /v1/accounts/{account_id}/qbr   ?quarter=                      one account's QBR pack (the local CLI
                                                                  renders it as HTML with a chart)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from functions.api import Api, not_found
from shared.config import Settings
from shared.domain.models import Identifier
from shared.domain.signals import QUARTER_PATTERN
from shared.observability import lambda_handler
from shared.services.reports import AccountNotFound, NpsReport, QbrPack, RevenueReport
from shared.wiring.reports import reports

settings = Settings.from_env()
reporting = reports(settings)
app = Api()

QuarterParam = Annotated[str | None, Field(pattern=QUARTER_PATTERN)]
QuartersParam = Annotated[int, Field(ge=1, le=12)]


@app.get("/v1/reports/revenue", summary="Renewal, churn, expansion, GRR and NRR by account NPS band")
def get_revenue(quarter: QuarterParam = None, quarters: QuartersParam = 4) -> RevenueReport:
    return reporting.revenue(quarter, quarters, now=datetime.now(UTC))


@app.get("/v1/reports/nps", summary="Portfolio and group NPS: unweighted, ARR- and seat-weighted")
def get_nps(
    quarter: QuarterParam = None,
    quarters: QuartersParam = 4,
    by: Literal["segment", "industry", "region", "lifecycle_stage"] = "segment",
) -> NpsReport:
    return reporting.nps(quarter, quarters, by, now=datetime.now(UTC))


@app.get("/v1/accounts/{account_id}/qbr", summary="One account's QBR pack")
def get_qbr(account_id: Identifier, quarter: QuarterParam = None) -> QbrPack:
    try:
        return reporting.qbr(account_id, quarter, now=datetime.now(UTC))
    except AccountNotFound as missing:
        raise not_found(f"no account {missing}") from missing


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

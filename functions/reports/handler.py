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
from shared.domain.quarters import quarter_of, quarters_up_to
from shared.domain.signals import QUARTER_PATTERN
from shared.observability import lambda_handler
from shared.services.reports import NpsReport, QbrPack, RevenueReport, nps_report, qbr_pack, revenue_report
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

settings = Settings.from_env()
accounts = AccountRepository(settings.accounts_table)
cases = CaseRepository(settings.cases_table)
rollups = RollupRepository(settings.rollups_table)
signals = SignalRepository(settings.signals_table)
app = Api()

QuarterParam = Annotated[str | None, Field(pattern=QUARTER_PATTERN)]
QuartersParam = Annotated[int, Field(ge=1, le=12)]


def _quarters(quarter: str | None, count: int) -> list[str]:
    return quarters_up_to(quarter or quarter_of(datetime.now(UTC)), count)


@app.get("/v1/reports/revenue", summary="Renewal, churn, expansion, GRR and NRR by account NPS band")
def get_revenue(quarter: QuarterParam = None, quarters: QuartersParam = 4) -> RevenueReport:
    return revenue_report(accounts.all(), _quarters(quarter, quarters), cases.all(), rollups, signals)


@app.get("/v1/reports/nps", summary="Portfolio and group NPS: unweighted, ARR- and seat-weighted")
def get_nps(
    quarter: QuarterParam = None,
    quarters: QuartersParam = 4,
    by: Literal["segment", "industry", "region", "lifecycle_stage"] = "segment",
) -> NpsReport:
    return nps_report(accounts.all(), _quarters(quarter, quarters), rollups, settings.thresholds, by)


@app.get("/v1/accounts/{account_id}/qbr", summary="One account's QBR pack")
def get_qbr(account_id: Identifier, quarter: QuarterParam = None) -> QbrPack:
    account = accounts.get(account_id)
    if account is None:
        raise not_found(f"no account {account_id}")
    return qbr_pack(
        account,
        accounts.all(),
        _quarters(quarter, 4),
        cases.for_account(account_id),
        rollups,
        signals,
        settings.thresholds,
    )


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

"""Internal API (IAM-authenticated on AWS): account signals in, the risk-ranked account list out.

PUT /v1/signals     {"signals": [Signal, ...]}  usage, support, engagement, commercial, outcome
GET /v1/accounts    ?quarter=2026-Q4&limit=50   the Monday-morning list
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from functions.api import Api
from shared.config import Settings
from shared.domain.signals import QUARTER_PATTERN, Signal
from shared.observability import lambda_handler, metrics
from shared.services.accounts_overview import AccountOverview
from shared.services.signals import SignalsTaken
from shared.wiring.accounts import account_list, account_signals

settings = Settings.from_env()
signals = account_signals(settings)
accounts = account_list(settings)
app = Api()


class SignalsRequest(BaseModel):
    """A batch is taken whole or not at all: one bad signal refuses the batch, naming it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    signals: list[Signal] = Field(min_length=1, max_length=500)


@app.put("/v1/signals", summary="Store account signals; late and corrected data replace earlier values")
def put_signals(request: SignalsRequest) -> SignalsTaken:
    taken = signals.take(request.signals, now=datetime.now(UTC))
    metrics.add_metric(name="SignalsStored", unit=MetricUnit.Count, value=taken.stored)
    return taken


@app.get("/v1/accounts", summary="Accounts ranked by risk, with health, NPS trend and open cases")
def get_accounts(
    quarter: Annotated[str | None, Field(pattern=QUARTER_PATTERN)] = None,
    limit: Annotated[int, Field(ge=1, le=1000)] = 50,
) -> list[AccountOverview]:
    return accounts.overview(quarter, limit, now=datetime.now(UTC))


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

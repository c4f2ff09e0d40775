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
from shared.domain.quarters import quarter_of, quarters_up_to
from shared.domain.signals import QUARTER_PATTERN, Signal
from shared.observability import lambda_handler, metrics
from shared.services.accounts_overview import AccountOverview, accounts_overview
from shared.services.signals import AccountSignals, SignalsTaken
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

settings = Settings.from_env()
account_signals = AccountSignals(
    signals=SignalRepository(settings.signals_table),
    accounts=AccountRepository(settings.accounts_table),
    rollups=RollupRepository(settings.rollups_table),
    cases=CaseRepository(settings.cases_table),
    publisher=EventPublisher(settings.unpublished_events_queue_url),
    thresholds=settings.thresholds,
    bus_name=settings.event_bus_name,
)
app = Api()


class SignalsRequest(BaseModel):
    """A batch is taken whole or not at all: one bad signal refuses the batch, naming it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    signals: list[Signal] = Field(min_length=1, max_length=500)


@app.put("/v1/signals", summary="Store account signals; late and corrected data replace earlier values")
def put_signals(request: SignalsRequest) -> SignalsTaken:
    taken = account_signals.take(request.signals, now=datetime.now(UTC))
    metrics.add_metric(name="SignalsStored", unit=MetricUnit.Count, value=taken.stored)
    return taken


@app.get("/v1/accounts", summary="Accounts ranked by risk, with health, NPS trend and open cases")
def get_accounts(
    quarter: Annotated[str | None, Field(pattern=QUARTER_PATTERN)] = None,
    limit: Annotated[int, Field(ge=1, le=1000)] = 50,
) -> list[AccountOverview]:
    quarters = quarters_up_to(quarter or quarter_of(datetime.now(UTC)), 4)
    ranked = accounts_overview(
        account_signals.accounts.all(),
        quarters,
        account_signals.cases.all(),
        account_signals.rollups,
        account_signals.signals,
        settings.thresholds,
    )
    return ranked[:limit]


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

"""Bulk import step: one chunk of rows into stored responses and roll-up votes, or into signals."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import ImportSettings
from shared.observability import lambda_handler, metrics
from shared.services.bulk_import import ChunkRequest, ImportContent, import_chunk, import_signal_chunk
from shared.store.import_files import ImportFiles
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository

if TYPE_CHECKING:
    from shared.services.signals import AccountSignals

settings = ImportSettings.from_env()
files = ImportFiles(settings.imports_bucket)
responses = ResponseRepository(settings.responses_table)
rollups = RollupRepository(settings.rollups_table)


@cache
def account_signals() -> AccountSignals:
    """The signals service, made for the first signal chunk: a response import never loads the
    signal rules it brings (bench/cold_start.py)."""
    from shared.services.signals import AccountSignals
    from shared.store.accounts import AccountRepository
    from shared.store.bus import EventPublisher
    from shared.store.cases import CaseRepository
    from shared.store.signals import SignalRepository

    return AccountSignals(
        signals=SignalRepository(settings.signals_table),
        accounts=AccountRepository(settings.accounts_table),
        rollups=rollups,
        cases=CaseRepository(settings.cases_table),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        thresholds=settings.thresholds,
        bus_name=settings.event_bus_name,
    )


# The event every invocation parses: its validator is built during init, not on the first call.
ChunkRequest.model_rebuild()


@lambda_handler(correlation_id_path="import.import_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ChunkRequest.model_validate(event)
    now = datetime.now(UTC)
    if request.import_spec.content is ImportContent.SIGNALS:
        result = import_signal_chunk(request, files, account_signals(), now)
        metrics.add_metric(name="SignalsImported", unit=MetricUnit.Count, value=result.imported)
    else:
        result = import_chunk(request, files, responses, rollups, now)
        metrics.add_metric(name="ResponsesImported", unit=MetricUnit.Count, value=result.imported)
    metrics.add_metric(name="ImportRowsRefused", unit=MetricUnit.Count, value=result.errors)
    return result.model_dump(mode="json")

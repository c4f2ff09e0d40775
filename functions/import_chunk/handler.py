"""Bulk import step: one chunk of rows into stored responses and roll-up votes, or into signals."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import ImportSettings
from shared.observability import lambda_handler, metrics
from shared.services.bulk_import import ChunkRequest, ImportContent
from shared.wiring.imports import chunk_importer

import_chunk = chunk_importer(ImportSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ChunkRequest.model_rebuild()


@lambda_handler(correlation_id_path="import.import_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ChunkRequest.model_validate(event)
    result = import_chunk(request, datetime.now(UTC))
    signals = request.import_spec.content is ImportContent.SIGNALS
    imported = "SignalsImported" if signals else "ResponsesImported"
    metrics.add_metric(name=imported, unit=MetricUnit.Count, value=result.imported)
    metrics.add_metric(name="ImportRowsRefused", unit=MetricUnit.Count, value=result.errors)
    return result.model_dump(mode="json")

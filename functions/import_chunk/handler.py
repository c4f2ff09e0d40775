"""Bulk import step: one chunk of rows into stored responses and roll-up votes."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import ImportSettings
from shared.observability import lambda_handler, metrics
from shared.services.bulk_import import ChunkRequest, import_chunk
from shared.store.import_files import ImportFiles
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository

settings = ImportSettings.from_env()
files = ImportFiles(settings.imports_bucket)
responses = ResponseRepository(settings.responses_table)
rollups = RollupRepository(settings.rollups_table)


@lambda_handler(correlation_id_path="import.import_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = import_chunk(ChunkRequest.model_validate(event), files, responses, rollups, datetime.now(UTC))
    metrics.add_metric(name="ResponsesImported", unit=MetricUnit.Count, value=result.imported)
    metrics.add_metric(name="ImportRowsRefused", unit=MetricUnit.Count, value=result.errors)
    return result.model_dump(mode="json")

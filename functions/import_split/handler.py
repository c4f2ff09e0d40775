"""Bulk import step: stream the uploaded file from S3 into chunk objects of numbered rows."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import ImportSettings
from shared.observability import lambda_handler, logger, metrics
from shared.services.bulk_import import ImportRequest
from shared.wiring.imports import splitter

split = splitter(ImportSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
ImportRequest.model_rebuild()


@lambda_handler(correlation_id_path="import_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = split(ImportRequest.model_validate(event))
    logger.append_keys(correlation_id=result.import_spec.import_id)
    metrics.add_metric(name="ImportRowsRead", unit=MetricUnit.Count, value=result.rows)
    return result.model_dump(mode="json", by_alias=True)

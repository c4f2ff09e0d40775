"""Bulk import step: add up the chunks' counts and write the error report."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import ImportSettings
from shared.observability import lambda_handler
from shared.services.bulk_import import SummarizeRequest
from shared.wiring.imports import summarizer

summarize = summarizer(ImportSettings.from_env())

# The event every invocation parses: its validator is built during init, not on the first call.
SummarizeRequest.model_rebuild()


@lambda_handler(correlation_id_path="import.import_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return summarize(SummarizeRequest.model_validate(event)).model_dump(mode="json")

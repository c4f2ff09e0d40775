"""CRM mapping: the Slack message of each event, as the enrichment step of the Slack pipe
(SQS → this → the Slack API destination). Input transformers cannot escape free text; this can."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.crm.slack import message
from shared.observability import lambda_handler, logger, metrics


@lambda_handler()
def handler(event: Any, context: LambdaContext) -> list[dict[str, Any]]:
    """EventBridge Pipes hands a batch of SQS records, each body an EventBridge event; each element
    returned goes to the target as one request body, in order. A failure fails the batch, which SQS
    redelivers and, after its maximum receives, parks in the Slack DLQ."""
    bodies = []
    for record in event:
        delivered = json.loads(record["body"])
        logger.set_correlation_id(delivered["detail"]["correlation_id"])  # the response key
        bodies.append(message(delivered))
    metrics.add_metric(name="SlackMessagesMapped", unit=MetricUnit.Count, value=len(bodies))
    return bodies

"""Redrive, as an operator runs it (`npsops redrive` on the embedded runtime, `--aws STACK` on a
deployed stack): named by the table, the state machine and the bus it works on, which each caller
reads from where it is (the local settings, or the stack's outputs)."""

from __future__ import annotations

from shared.services.redrive import RedriveResult, redrive_all
from shared.store.bus import EventPublisher
from shared.store.dead_letters import DeadLetterQueue, DeadLetters
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository


def redrive_on(
    responses_table: str, pipeline_arn: str, bus_name: str, queues: list[DeadLetterQueue]
) -> RedriveResult:
    """Failed responses through the pipeline again, then every dead letter back on its way."""
    return redrive_all(
        ResponseRepository(responses_table),
        PipelineStarter(pipeline_arn),
        DeadLetters(EventPublisher(), bus_name),
        queues,
    )

"""`npsops redrive --aws STACK`: the same redrive as `npsops redrive` on a serve, against a deployed
stack, with the caller's AWS credentials; the stack's outputs say where everything is."""

from __future__ import annotations

from typing import Any

import boto3

from shared.crm import destinations
from shared.store.dead_letters import DeadLetterQueue, unpublished_events
from shared.wiring.redrive import redrive_on


def dead_letter_queues(outputs: dict[str, str]) -> list[DeadLetterQueue]:
    """The event path's DLQs the stack has (the CRMs its configuration switched on)."""
    queues = [
        unpublished_events(outputs["UnpublishedEventsQueueUrl"]),
        DeadLetterQueue(
            "CrmOutboxDlq", outputs["CrmOutboxDlqUrl"], source_queue_url=outputs["CrmOutboxQueueUrl"]
        ),
    ]
    for destination in destinations():
        key = f"CrmDlq{destination.name.title()}Url"
        if key in outputs:
            queues.append(DeadLetterQueue(key, outputs[key], redrive_source=destination.redrive_source))
    return queues


def redrive_stack(stack_name: str) -> dict[str, Any]:
    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    result = redrive_on(
        outputs["ResponsesTableName"],
        outputs["PipelineArn"],
        outputs["EventBusName"],
        dead_letter_queues(outputs),
    )
    return result.model_dump()

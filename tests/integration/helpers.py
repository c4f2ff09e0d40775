from __future__ import annotations

import json
from typing import Any

import boto3

from local import moto_patches
from local.aws import EmbeddedAws
from shared.config import Settings
from tests.conftest import api_event


def post(aws: EmbeddedAws, body: str | bytes | dict[str, Any]) -> tuple[int, dict[str, Any]]:
    result = aws.invoke(aws.intake, api_event(body))
    return int(result["statusCode"]), json.loads(result["body"])


def settle(timeout: float = 60) -> None:
    assert moto_patches.executions.wait_below(1, timeout), "executions still running"


def item_count(table: str) -> int:
    return int(boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def settings() -> Settings:
    return Settings.from_env()


def executions(aws: EmbeddedAws) -> list[dict[str, Any]]:
    return list(boto3.client("stepfunctions").list_executions(stateMachineArn=aws.pipeline_arn)["executions"])


def history_states(execution_arn: str) -> list[tuple[str, str | None]]:
    events = boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)[
        "events"
    ]
    rows = []
    for event in events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        rows.append((event["type"], details.get("name") or details.get("error")))
    return rows


def crm_messages(aws: EmbeddedAws) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    received: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=aws.crm_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return received
        received += [json.loads(m["Body"]) for m in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=aws.crm_queue_url, ReceiptHandle=message["ReceiptHandle"])

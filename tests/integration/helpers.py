from __future__ import annotations

import json
from typing import Any

import boto3

from local import moto_patches
from local.aws import EmbeddedAws
from local.executions import history, list_executions
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
    return list_executions(aws.pipeline_arn)


def history_states(execution_arn: str) -> list[tuple[str, str | None]]:
    """(event type, state name or error) for each history event."""
    return [(str(e["type"]), e["state"] or e["error"]) for e in history(execution_arn)]


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


def call(
    aws: EmbeddedAws,
    method: str,
    path: str,
    body: bytes | dict[str, Any] = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """A request through the API route that API Gateway would pick, to the function behind it."""
    from functions.catalog import route_for
    from local.gateway import api_gateway_event

    route_path = path.split("?", 1)[0]
    found = route_for(method, route_path)
    assert found is not None, f"no route {method} {route_path}"
    function, route = found
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    event = api_gateway_event(method, path, headers or {}, raw, "203.0.113.9", route)
    result = aws.invoke(function, event)
    text = result.get("body") or ""
    return int(result["statusCode"]), json.loads(text) if text.startswith(("{", "[")) else text

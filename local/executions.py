"""The local stand-in for the Step Functions console: list executions and read one's history."""

from __future__ import annotations

import json
from typing import Any

import boto3

from local.aws import REGION


def execution_arn(state_machine_arn: str, name: str) -> str:
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"


def list_executions(
    state_machine_arn: str, status: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn, "maxResults": 1000}
    if status:
        kwargs["statusFilter"] = status
    found: list[Any] = []
    for page in sfn.get_paginator("list_executions").paginate(**kwargs):
        found += page["executions"]
    found.sort(key=lambda e: e["startDate"], reverse=True)
    return [
        {
            "name": e["name"],
            "status": e["status"],
            "started": e["startDate"].isoformat(),
            "arn": e["executionArn"],
        }
        for e in found[:limit]
    ]


def history(execution_arn: str) -> list[dict[str, Any]]:
    """The execution's events, each reduced to what an operator reads: type, state, error."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    rows = []
    for event in events:
        details: dict[str, Any] = next(
            (dict(v) for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {}
        )
        rows.append(
            {
                "id": event["id"],
                "at": event["timestamp"].isoformat(),
                "type": event["type"],
                "state": details.get("name"),
                "error": details.get("error"),
                "cause": _short(details.get("cause")),
            }
        )
    return rows


def _short(cause: str | None) -> str | None:
    if not cause:
        return None
    try:
        parsed = json.loads(cause)
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            return str(parsed["errorMessage"])[:200]
    except ValueError:
        pass
    return cause[:200]

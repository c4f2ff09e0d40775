"""local/ patches moto internals; moto is pinned exactly. This fails the moment an upgrade moves one."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from local.moto_patches import PATCH_POINTS, resolve


@pytest.mark.parametrize(("module", "attribute"), PATCH_POINTS, ids=[f"{m}:{a}" for m, a in PATCH_POINTS])
def test_every_patch_point_still_exists(module: str, attribute: str) -> None:
    assert resolve(module, attribute) is not None


def test_moto_is_pinned_to_the_version_the_patches_were_written_for() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    pinned = re.search(r'"moto\[[^\]]*\]==([^"]+)"', pyproject)
    assert pinned is not None, "moto must be pinned with == in pyproject.toml"
    assert version("moto") == pinned.group(1)


def test_lambda_invoke_through_the_api_runs_the_real_handler(aws: object) -> None:
    import json

    import boto3

    step = {
        "response_key": "generic-r-1",
        "response": {
            "response_id": "r-1",
            "account_id": "a",
            "contact_id": "c",
            "score": 8,
            "submitted_at": "2026-11-02T09:00:00Z",
        },
    }
    reply = boto3.client("lambda").invoke(FunctionName="npsops-score", Payload=json.dumps(step))
    assert json.loads(reply["Payload"].read())["play"] == "nudge"
    failed = boto3.client("lambda").invoke(FunctionName="npsops-score", Payload=json.dumps({"response": {}}))
    assert failed["FunctionError"] and json.loads(failed["Payload"].read())["errorType"] == "ValidationError"


def test_item_results_serialised_as_json_read_back_as_moto_serialised_them(aws: object) -> None:
    """Patch 15: the json.dumps fast path and moto's shape-driven serialiser give botocore the same item."""
    import boto3
    from moto.dynamodb.responses import DynamoHandler

    from local.moto_patches import JSON_SERIALISED_DYNAMODB_ACTIONS

    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="patch-points",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    item: dict[str, Any] = {
        "pk": {"S": "k-é ✓"},
        "n": {"N": "-12.5"},
        "flag": {"BOOL": True},
        "none": {"NULL": True},
        "tags": {"SS": ["a", "b"]},
        "nums": {"NS": ["1", "2"]},
        "list": {"L": [{"S": "x"}, {"M": {"deep": {"N": "1"}}}]},
        "map": {"M": {"votes": {"M": {"c-1": {"N": "9"}}}}},
    }
    dynamodb.put_item(TableName="patch-points", Item=item)
    fast = dynamodb.get_item(TableName="patch-points", Key={"pk": item["pk"]}, ConsistentRead=True)["Item"]
    assert "GetItem" in JSON_SERIALISED_DYNAMODB_ACTIONS
    fast_path = DynamoHandler.serialized
    try:
        # moto's own serialiser: the patched method falls back to it for anything but a plain result
        DynamoHandler.serialized = lambda self, result: fast_path(self, _NotPlain(result))  # type: ignore
        slow = dynamodb.get_item(TableName="patch-points", Key={"pk": item["pk"]}, ConsistentRead=True)[
            "Item"
        ]
    finally:
        DynamoHandler.serialized = fast_path  # type: ignore[method-assign]
    assert fast == slow
    assert fast["map"]["M"]["votes"]["M"]["c-1"] == {"N": "9"} and set(fast["tags"]["SS"]) == {"a", "b"}


class _NotPlain:
    """An action result of a type the fast path does not take (neither DynamoResult nor ActionResult)."""

    def __init__(self, wrapped: object) -> None:
        self._wrapped = wrapped
        self.result = wrapped.result  # type: ignore[attr-defined]

    def execute_result(self, context: object) -> object:
        return self._wrapped.execute_result(context)  # type: ignore[attr-defined]


def test_two_add_clauses_are_still_refused_and_one_with_many_actions_accepted(aws: object) -> None:
    """Patch 12: counting actions at the root gives moto's verdicts; patch 17: the size limit holds."""
    import boto3
    from botocore.exceptions import ClientError

    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="patch-counts",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    key = {"pk": {"S": "a"}}
    one = {":one": {"N": "1"}}
    dynamodb.update_item(
        TableName="patch-counts",
        Key=key,
        UpdateExpression="ADD a :one, b :one, c :one",
        ExpressionAttributeValues=one,
    )
    with pytest.raises(ClientError, match="ADD"):
        dynamodb.update_item(
            TableName="patch-counts",
            Key=key,
            UpdateExpression="ADD a :one ADD b :one",
            ExpressionAttributeValues=one,
        )
    with pytest.raises(ClientError, match="overlap"):  # patch 18: overlapping paths still refused
        dynamodb.update_item(
            TableName="patch-counts",
            Key=key,
            UpdateExpression="SET m = :one ADD m.x :one",
            ExpressionAttributeValues=one,
        )
    counted = dynamodb.get_item(TableName="patch-counts", Key=key)["Item"]
    assert (counted["a"], counted["b"], counted["c"]) == ({"N": "1"},) * 3
    with pytest.raises(ClientError, match=r"(?i)item size"):
        dynamodb.put_item(
            TableName="patch-counts",
            Item={"pk": {"S": "big"}, **{f"s{i}": {"S": "x" * 50_000} for i in range(9)}},
        )
    assert "Item" not in dynamodb.get_item(TableName="patch-counts", Key={"pk": {"S": "big"}})

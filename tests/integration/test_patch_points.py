"""local/ patches moto internals; moto is pinned exactly. This fails the moment an upgrade moves one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from local import moto_patches
from local.moto_patches import PATCH_POINTS, correctness, resolve, speed

# A test of a speed patch's own workings (local/moto_patches/speed.py), meaningless on stock moto:
# `make test-stock-moto` switches them off (NPSOPS_MOTO_SPEED_PATCHES=0).
speed_patch = pytest.mark.skipif(
    not moto_patches.speed_patches_enabled(), reason="the speed patches are switched off"
)


@pytest.mark.parametrize(("module", "attribute"), PATCH_POINTS, ids=[f"{m}:{a}" for m, a in PATCH_POINTS])
def test_every_patch_point_still_exists(module: str, attribute: str) -> None:
    assert resolve(module, attribute) is not None


def test_moto_is_pinned_to_the_version_the_patches_were_written_for() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    pinned = re.search(r'"moto\[[^\]]*\]==([^"]+)"', pyproject)
    assert pinned is not None, "moto must be pinned with == in pyproject.toml"
    assert version("moto") == pinned.group(1)


@pytest.mark.parametrize("distribution", ["botocore", "boto3"])
def test_botocore_is_pinned_beside_moto(distribution: str) -> None:
    """Patches 16 and 22 replace botocore's own code, and moto is released against one botocore."""
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    pinned = re.search(rf'"{distribution}==([^"]+)"', pyproject)
    assert pinned is not None, f"{distribution} must be pinned with == in pyproject.toml"
    assert version(distribution) == pinned.group(1)


@pytest.mark.parametrize(
    ("value", "enabled"), [(None, True), ("1", True), ("0", False), ("off", False), (" False ", False)]
)
def test_the_switch_reads_the_environment(
    value: str | None, enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv(moto_patches.SPEED_PATCHES_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(moto_patches.SPEED_PATCHES_ENV_VAR, value)
    assert moto_patches.speed_patches_enabled() is enabled


def test_the_correctness_patches_are_applied_and_the_speed_ones_unless_switched_off(aws: object) -> None:
    """`make test-stock-moto` runs this too: there, moto is stock but for the correctness patches."""
    from moto.awslambda.models import LambdaFunction
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.dynamodb.responses import DynamoHandler

    on = moto_patches.speed_patches_enabled()
    assert moto_patches.applied == [
        patch.__name__ for patch in correctness.PATCHES + (speed.PATCHES if on else ())
    ]
    assert LambdaFunction._invoke_lambda.__module__ == correctness.__name__
    assert hasattr(DynamoHandler.call_action, "__wrapped__")  # the item lock
    assert (BotocoreStubber.process_request.__module__ == speed.__name__) is on
    assert (DynamoHandler.serialized.__module__ == speed.__name__) is on


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


@speed_patch
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


def _table_with_an_index(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "gpk", "gsk")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def test_an_index_query_finds_what_moto_finds_reading_every_item(aws: object, monkeypatch: Any) -> None:
    """Patch 11 on an index: the prefiltered partition gives moto's answer, in moto's order."""
    import boto3

    from local import moto_patches

    dynamodb = boto3.client("dynamodb")
    _table_with_an_index(dynamodb, "patch-index")
    for i in range(40):
        item = {"pk": {"S": f"p{i % 7}"}, "sk": {"S": f"s{i:02}"}, "n": {"N": str(i)}}
        if i % 5:  # a sparse index: some items have no index key at all
            item |= {"gpk": {"S": f"g{i % 3}"}, "gsk": {"S": f"k{(i * 7) % 11}"}}
        dynamodb.put_item(TableName="patch-index", Item=item)
    queries: list[dict[str, Any]] = [
        {"KeyConditionExpression": "gpk = :g", "ExpressionAttributeValues": {":g": {"S": "g1"}}},
        {
            "KeyConditionExpression": "gpk = :g AND gsk <= :k",
            "ExpressionAttributeValues": {":g": {"S": "g2"}, ":k": {"S": "k5"}},
            "ScanIndexForward": False,
        },
        {
            "KeyConditionExpression": "gpk = :g",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":g": {"S": "g0"}, ":n": {"N": "10"}},
            "Limit": 3,
        },
        {"KeyConditionExpression": "gpk = :g", "ExpressionAttributeValues": {":g": {"S": "none"}}},
        {
            "KeyConditionExpression": "gpk = :g AND gsk = :k",
            "ExpressionAttributeValues": {":g": {"S": "g1"}, ":k": {"S": "k3"}},
        },
        {
            "KeyConditionExpression": "gpk = :g AND gsk = :k",
            "ExpressionAttributeValues": {":g": {"S": "g1"}, ":k": {"S": "k3"}},
            "Limit": 1,
        },
    ]

    def run(query: dict[str, Any]) -> dict[str, Any]:
        reply = dynamodb.query(TableName="patch-index", IndexName="by_g", **query)
        return {k: reply.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")}

    prefiltered = [run(q) for q in queries]
    monkeypatch.setattr(moto_patches, "index_partition", lambda *conditions: None)
    assert prefiltered == [run(q) for q in queries]
    assert prefiltered[0]["Count"] > 5 and prefiltered[3]["Count"] == 0 and prefiltered[4]["Count"] >= 1


def test_results_read_before_a_write_keep_what_they_read(aws: object) -> None:
    """Patch 20: query, scan and UPDATED_OLD results are not copies of the live items, yet a later
    update does not reach them (they are JSON by then)."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    _table_with_an_index(dynamodb, "patch-results")
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    dynamodb.put_item(TableName="patch-results", Item=key | {"m": {"M": {"x": {"N": "1"}}}})
    queried = dynamodb.query(
        TableName="patch-results",
        KeyConditionExpression="pk = :a",
        ExpressionAttributeValues={":a": {"S": "a"}},
    )["Items"]
    scanned = dynamodb.scan(TableName="patch-results")["Items"]
    old = dynamodb.update_item(
        TableName="patch-results",
        Key=key,
        UpdateExpression="SET m.x = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
        ReturnValues="UPDATED_OLD",
    )["Attributes"]
    dynamodb.update_item(
        TableName="patch-results",
        Key=key,
        UpdateExpression="SET m.x = :three",
        ExpressionAttributeValues={":three": {"N": "3"}},
    )
    assert queried[0]["m"] == scanned[0]["m"] == {"M": {"x": {"N": "1"}}}
    assert old == {"m": {"M": {"x": {"N": "1"}}}}
    stored = dynamodb.get_item(TableName="patch-results", Key=key)["Item"]
    assert stored["m"] == {"M": {"x": {"N": "3"}}}


def test_a_cached_update_expression_takes_each_request_s_values(aws: object) -> None:
    """Patch 21: the same expression, parsed once, with different values and names each time."""
    import boto3

    from local.moto_patches import copy_expression_tree

    dynamodb = boto3.client("dynamodb")
    _table_with_an_index(dynamodb, "patch-expressions")
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    for name, step in (("x", "1"), ("y", "5"), ("x", "2")):
        dynamodb.update_item(
            TableName="patch-expressions",
            Key=key,
            UpdateExpression=(
                "SET #n = if_not_exists(#n, :zero) + :step, l = list_append(if_not_exists(l, :e), :s)"
            ),
            ExpressionAttributeNames={"#n": name},
            ExpressionAttributeValues={
                ":zero": {"N": "0"},
                ":step": {"N": step},
                ":e": {"L": []},
                ":s": {"L": [{"S": name}]},
            },
        )
    stored = dynamodb.get_item(TableName="patch-expressions", Key=key)["Item"]
    assert (stored["x"], stored["y"]) == ({"N": "3"}, {"N": "5"})
    assert stored["l"] == {"L": [{"S": "x"}, {"S": "y"}, {"S": "x"}]}

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    tree = UpdateExpressionParser.make("SET a.b[1] = :v REMOVE c ADD d :one")
    copied = copy_expression_tree(tree)

    def shape(node: Any) -> Any:
        if not hasattr(node, "children"):
            return node
        return (type(node).__name__, tuple(shape(c) for c in node.children or ()))

    assert copied is not tree and shape(copied) == shape(tree)
    assert ":v" in str(shape(tree))  # the leaves are compared too

    def nodes(node: Any) -> list[Any]:
        children = [c for c in getattr(node, "children", None) or [] if hasattr(c, "children")]
        return [node, *[n for c in children for n in nodes(c)]]

    originals = {id(n) for n in nodes(tree)}
    for node in nodes(copied)[1:]:  # every parent link points into the copy, none into the original
        assert node.parent is not None and id(node.parent) not in originals


@speed_patch
def test_requests_carry_the_key_and_region_and_real_signatures_when_moto_checks_them(
    aws: object, monkeypatch: Any
) -> None:
    """Patch 22: the Authorization header names the key and scope; S3 and moto's IAM mode still sign."""
    import moto.settings
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    credentials = Credentials("AKIDLOCAL", "secret", "token")

    def authorization(signer: type[SigV4Auth]) -> str:
        request = AWSRequest(method="POST", url="https://dynamodb.us-east-1.amazonaws.com/", data=b"{}")
        signer(credentials, "dynamodb", "us-east-1").add_auth(request)
        assert request.headers["X-Amz-Security-Token"] == "token" and "X-Amz-Date" in request.headers
        return str(request.headers["Authorization"])

    unsigned = authorization(SigV4Auth)
    assert unsigned.startswith("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/")
    assert "/us-east-1/dynamodb/aws4_request" in unsigned and unsigned.endswith("0" * 64)
    assert not authorization(S3SigV4Auth).endswith("0" * 64)
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    assert not authorization(SigV4Auth).endswith("0" * 64)


@speed_patch
def test_value_sizes_are_moto_s() -> None:
    """Patch 23: one walk gives moto's size for every attribute type, nested."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    from local import moto_patches

    moto_patches.install()
    moto_size = moto_patches.replaced["DynamoType.size"]
    values: list[dict[str, Any]] = [
        {"S": "héllo ✓"},
        {"N": "-12.50"},
        {"B": b"\x00\x01"},
        {"BOOL": False},
        {"NULL": True},
        {"SS": ["a", "bé"]},
        {"NS": ["1", "2.5"]},
        {"BS": [b"ab", b"c"]},
        {"L": [{"S": "x"}, {"M": {"k": {"N": "1"}, "l": {"L": [{"SS": ["q"]}]}}}]},
        {"M": {"votes": {"M": {"c-1": {"M": {"score": {"N": "9"}, "at": {"S": "2026-11"}}}}}}},
    ]
    for value in values:
        assert DynamoType(value).size() == moto_size(DynamoType(value)) > 0, value


def test_state_copies_are_deep_and_equal_and_anything_pickle_refuses_is_still_copied() -> None:
    """Patch 8: a pickle round trip copies Step Functions state as deepcopy would."""
    from local.moto_patches import json_copy

    shared = {"k": [1, 2.5, None, True, "é"]}
    state: dict[str, Any] = {"a": shared, "b": shared, "c": [{"d": {}}], "t": (1, 2)}
    copied = json_copy(state)
    assert copied == state and copied["a"] is not shared and copied["a"] is copied["b"]
    copied["c"][0]["d"]["x"] = 1
    assert state["c"][0]["d"] == {}
    local_function = lambda: None  # noqa: E731 - pickle refuses a lambda; deepcopy keeps it
    refused = json_copy({"f": local_function, "l": [1]})
    assert refused["f"] is local_function and refused["l"] == [1]


def test_sqs_sends_keep_moto_s_deduplication_and_delays(aws: object) -> None:
    """Patch 24: content-based deduplication on FIFO queues only, delays checked, counts right."""
    import boto3
    from botocore.exceptions import ClientError

    sqs = boto3.client("sqs")
    fifo = sqs.create_queue(
        QueueName="patch-dedup.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    standard = sqs.create_queue(QueueName="patch-standard")["QueueUrl"]
    for _ in range(2):
        sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
        sqs.send_message(QueueUrl=standard, MessageBody="same")
    sqs.send_message(QueueUrl=standard, MessageBody="later", DelaySeconds=60)
    with pytest.raises(ClientError, match="DelaySeconds"):
        sqs.send_message(QueueUrl=standard, MessageBody="too late", DelaySeconds=901)

    def counts(url: str) -> tuple[str, str]:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]
        )["Attributes"]
        return attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesDelayed"]

    assert counts(fifo) == ("1", "0")
    assert counts(standard) == ("2", "1")


@speed_patch
def test_dynamodb_requests_answered_directly_as_through_werkzeug(aws: object, monkeypatch: Any) -> None:
    """Patch 25: the same requests give the same answers and the same errors either way."""
    import boto3
    from botocore.exceptions import ClientError
    from moto.core.botocore_stubber import BotocoreStubber

    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="direct",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )

    def answers(run: str) -> list[Any]:
        key: dict[str, Any] = {"pk": {"S": f"p-{run}"}, "sk": {"S": "s"}}
        item: dict[str, Any] = key | {"blob": {"B": b"\x00\xff"}, "n": {"N": "1"}, "text": {"S": "é ✓"}}
        calls: list[Callable[[], Any]] = [
            lambda: dynamodb.put_item(
                TableName="direct", Item=item, ConditionExpression="attribute_not_exists(pk)"
            ),
            lambda: dynamodb.put_item(
                TableName="direct", Item=item, ConditionExpression="attribute_not_exists(pk)"
            ),
            lambda: dynamodb.update_item(
                TableName="direct",
                Key=key,
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "2"}},
                ReturnValues="ALL_NEW",
            ),
            lambda: dynamodb.get_item(TableName="direct", Key=key, ConsistentRead=True),
            lambda: dynamodb.query(
                TableName="direct",
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": key["pk"]},
            ),
            lambda: dynamodb.update_item(TableName="direct", Key=key, UpdateExpression="ADD n :missing"),
            lambda: dynamodb.get_item(TableName="no-such-table", Key=key),
        ]
        seen: list[Any] = []
        for call in calls:
            try:
                reply = call()
                reply.pop("ResponseMetadata")
                seen.append(json.loads(json.dumps(reply, default=repr).replace(run, "<run>")))
            except ClientError as error:
                seen.append((error.response["Error"], error.response["ResponseMetadata"]["HTTPStatusCode"]))
        return seen

    import moto.core.botocore_stubber as stubber

    built: list[object] = []
    normalize_request = stubber.normalize_request

    def spied(request: Any) -> Any:
        built.append(request)
        return normalize_request(request)

    monkeypatch.setattr(stubber, "normalize_request", spied)
    direct = answers("first")
    assert built == []  # no werkzeug request was built for them
    assert BotocoreStubber.process_request is not moto_patches.replaced["BotocoreStubber.process_request"]
    monkeypatch.setattr(
        BotocoreStubber, "process_request", moto_patches.replaced["BotocoreStubber.process_request"]
    )
    assert answers("second") == direct
    assert direct[3]["Item"]["blob"] == {"B": repr(b"\x00\xff")} and direct[1][1] == 400

"""What every repository shares: the client, item (de)serialisation and error translation."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Throttling and service faults: the caller (a Step Functions Retry) should try again.
_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}


class StoreUnavailable(Exception):
    """DynamoDB is throttling or failing: safe to retry."""


class StoreError(Exception):
    """A DynamoDB call failed for a reason a retry will not fix."""


@cache
def client() -> Any:
    # Created once per execution environment, reused across invocations.
    return boto3.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 3}))


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_to_dynamo(v)) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def translated_errors(transient: Collection[str] = _TRANSIENT) -> Iterator[None]:
    """AWS errors as the store's own: StoreUnavailable where a retry may succeed (the `transient`
    error codes, DynamoDB's by default), StoreError where it will not."""
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code in transient:
            raise StoreUnavailable(code) from error
        raise StoreError(f"{code}: {error}") from error
    except BotoCoreError as error:
        raise StoreUnavailable(str(error)) from error


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def put_if_absent(table: str, item: dict[str, Any]) -> bool:
    """Write an item once, keyed by its "pk". False (and nothing changed) when it already exists."""
    return put_if(table, item, "attribute_not_exists(pk)")


def put_new(table: str, item: dict[str, Any], key: str = "pk") -> dict[str, Any] | None:
    """Write the item unless one with its key exists. None when written; else the stored item,
    which DynamoDB returns with the failed condition (no read), so the caller can tell whose it is."""
    with translated_errors():
        try:
            client().put_item(
                TableName=table,
                Item=to_item(item),
                ConditionExpression=f"attribute_not_exists({key})",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return from_item(error.response.get("Item", {}))  # type: ignore[arg-type]
    return None


def put_if(table: str, item: dict[str, Any], condition: str, values: dict[str, Any] | None = None) -> bool:
    """Put the item where `condition` holds (`values` as plain values). False, and nothing changed,
    where it does not: the callers' way to make a write idempotent or order-independent."""
    request: dict[str, Any] = {"TableName": table, "Item": to_item(item), "ConditionExpression": condition}
    if values:
        request["ExpressionAttributeValues"] = to_item(values)
    with translated_errors():
        try:
            client().put_item(**request)
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
    return True


def index_items(table: str, index: str, attribute: str, value: str) -> Iterator[dict[str, Any]]:
    """Every item of one partition of an index whose partition key is a string, deserialised."""
    return items(
        "query",
        TableName=table,
        IndexName=index,
        KeyConditionExpression="#k = :v",
        ExpressionAttributeNames={"#k": attribute},
        ExpressionAttributeValues={":v": {"S": value}},
    )


def items(operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a query or scan, page by page, deserialised."""
    with translated_errors():
        while True:
            page = getattr(client(), operation)(**kwargs)
            yield from (from_item(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

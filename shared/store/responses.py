"""The Responses table: the response as received, and its pipeline status."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from shared.domain.models import CanonicalResponse
from shared.store.dynamo import client, from_item, items, put_if_absent, translated_errors

STATUS_RECEIVED = "received"
FAILED_INDEX_VALUE = "FAILED"  # written by the pipeline's failure path (statemachines/)


class ResponseRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put_new(self, response: CanonicalResponse, received_at: datetime) -> bool:
        """Store a response once. False when the id is already stored: nothing is changed then."""
        item = {
            "pk": response.key,
            "response": response.model_dump(mode="json"),
            "status": STATUS_RECEIVED,
            "received_at": received_at.isoformat(),
        }
        return put_if_absent(self._table, item)

    def delete(self, key: str) -> None:
        with translated_errors():
            client().delete_item(TableName=self._table, Key={"pk": {"S": key}})

    def get(self, key: str) -> dict[str, Any] | None:
        with translated_errors():
            item = client().get_item(TableName=self._table, Key={"pk": {"S": key}}, ConsistentRead=True)
        return from_item(item["Item"]) if "Item" in item else None

    def failed(self) -> list[dict[str, Any]]:
        """Responses whose pipeline run ended on the failure path, oldest first."""
        return list(
            items(
                "query",
                TableName=self._table,
                IndexName="failed",
                KeyConditionExpression="failed_status = :f",
                ExpressionAttributeValues={":f": {"S": FAILED_INDEX_VALUE}},
            )
        )

    def next_redrive(self, key: str) -> int:
        """Count one more redrive of a failed response; returns its number (1, 2, ...)."""
        with translated_errors():
            updated = client().update_item(
                TableName=self._table,
                Key={"pk": {"S": key}},
                UpdateExpression="ADD redrives :one",
                ConditionExpression="failed_status = :f",
                ExpressionAttributeValues={":one": {"N": "1"}, ":f": {"S": FAILED_INDEX_VALUE}},
                ReturnValues="UPDATED_NEW",
            )
        return int(updated["Attributes"]["redrives"]["N"])

    def count_by_status(self) -> Counter[str]:
        found = items(
            "scan",
            TableName=self._table,
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        )
        return Counter(str(item.get("status", "unknown")) for item in found)

"""The Responses table: the response as received, and its pipeline status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from botocore.exceptions import ClientError

from shared.domain.models import CanonicalResponse
from shared.store.dynamo import (
    client,
    error_code,
    from_item,
    index_items,
    items,
    put_if_absent,
    to_item,
    translated_errors,
)

STATUS_RECEIVED = "received"
# History loaded by a bulk import: stored and counted in its roll-up, never run through the pipeline.
STATUS_IMPORTED = "imported"
FAILED_INDEX_VALUE = "FAILED"  # written by the pipeline's failure path (statemachines/)


class Revision(StrEnum):
    REVISED = "revised"  # a newer revision of the stored response: stored, run it through
    DUPLICATE = "duplicate"  # this vendor event was taken already: a redelivery
    STALE = "stale"  # an older revision arriving after a newer one: nothing to change


def _revision_ms(response: CanonicalResponse) -> int:
    # A number, not an ISO string: ISO strings with and without fractions do not sort as times.
    return int(response.revision_time.timestamp() * 1000)


class ResponseRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put_new(
        self, response: CanonicalResponse, received_at: datetime, event_id: str | None = None
    ) -> bool:
        """Store a response once. False when the id is already stored: nothing is changed then."""
        item: dict[str, Any] = {
            "pk": response.key,
            "response": response.model_dump(mode="json"),
            "status": STATUS_RECEIVED,
            "received_at": received_at.isoformat(),
            "revision_ms": _revision_ms(response),
        }
        if event_id is not None:
            item["event_ids"] = {event_id}
        return put_if_absent(self._table, item)

    def put_imported(self, response: CanonicalResponse, received_at: datetime, import_row: str) -> bool:
        """Store a response from a bulk import once, with status imported and where it came from
        (`import_row`: the import's id and the row's number in the file).

        True when this row of this import stored it: now, or in an earlier attempt at the same rows,
        so a retried chunk counts its rows as it did the first time. False when anything else stored
        it first (a live webhook, another import, an earlier row of the same file with the same id):
        nothing is changed then. The stored item comes back with the failed condition
        (ReturnValuesOnConditionCheckFailure), so telling these apart costs no read.
        """
        item: dict[str, Any] = {
            "pk": response.key,
            "response": response.model_dump(mode="json"),
            "status": STATUS_IMPORTED,
            "received_at": received_at.isoformat(),
            "revision_ms": _revision_ms(response),
            "import_row": import_row,
        }
        with translated_errors():
            try:
                client().put_item(
                    TableName=self._table,
                    Item=to_item(item),
                    ConditionExpression="attribute_not_exists(pk)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                stored = from_item(cast(dict[str, Any], error.response.get("Item", {})))
                return bool(stored.get("import_row") == import_row)
        return True

    def revise(self, response: CanonicalResponse, received_at: datetime, event_id: str) -> Revision:
        """Store a later revision of a stored response, in one conditional write: only if this vendor
        event is new and the revision is newer than the stored one, so any order of delivery ends
        with the newest revision stored and each revision taken once."""
        values = to_item(
            {
                ":r": response.model_dump(mode="json"),
                ":t": _revision_ms(response),
                ":s": STATUS_RECEIVED,
                ":at": received_at.isoformat(),
                ":e": {event_id},
                ":eid": event_id,
            }
        )
        with translated_errors():
            try:
                client().update_item(
                    TableName=self._table,
                    Key={"pk": {"S": response.key}},
                    UpdateExpression="SET #r = :r, revision_ms = :t, #s = :s, received_at = :at "
                    "ADD event_ids :e",
                    ConditionExpression="attribute_exists(pk) AND NOT contains(event_ids, :eid) "
                    "AND revision_ms < :t",
                    ExpressionAttributeNames={"#r": "response", "#s": "status"},
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                stored = self.get(response.key) or {}
                return Revision.DUPLICATE if event_id in stored.get("event_ids", set()) else Revision.STALE
        return Revision.REVISED

    def park(self, key: str, cause: str, at: datetime) -> None:
        """Put a stored response on the failure index, as the pipeline's failure path does."""
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key={"pk": {"S": key}},
                UpdateExpression="SET #s = :failed, failed_status = :index, failed_at = :at, "
                "failure_error = :error, failure_cause = :cause",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":failed": "failed",
                        ":index": FAILED_INDEX_VALUE,
                        ":at": at.isoformat(),
                        ":error": "PipelineNotStarted",
                        ":cause": cause,
                    }
                ),
            )

    def delete(self, key: str) -> None:
        with translated_errors():
            client().delete_item(TableName=self._table, Key={"pk": {"S": key}})

    def get(self, key: str) -> dict[str, Any] | None:
        with translated_errors():
            item = client().get_item(TableName=self._table, Key={"pk": {"S": key}}, ConsistentRead=True)
        return from_item(item["Item"]) if "Item" in item else None

    def failed(self) -> list[dict[str, Any]]:
        """Responses whose pipeline run ended on the failure path, oldest first."""
        return list(index_items(self._table, "failed", "failed_status", FAILED_INDEX_VALUE))

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

    def all(self) -> Iterator[dict[str, Any]]:
        """Every stored response with its status, for a reconciliation or an erasure (a full scan)."""
        return items("scan", TableName=self._table, ConsistentRead=True)

    def for_contact(self, contact_id: str) -> list[dict[str, Any]]:
        """Every stored response of the contact: a Scan with a filter, for the privacy export and
        erasure only. Rare operator requests do not pay for a contact index that every response
        write (the hot path) would pay for forever."""
        return list(
            items(
                "scan",
                TableName=self._table,
                ConsistentRead=True,
                FilterExpression="#r.contact_id = :c",
                ExpressionAttributeNames={"#r": "response"},
                ExpressionAttributeValues={":c": {"S": contact_id}},
            )
        )

    def strip(self, key: str, fields: tuple[str, ...]) -> None:
        """Remove these fields from the stored response (a privacy erasure); the rest is untouched."""
        names = {"#r": "response"} | {f"#f{i}": name for i, name in enumerate(fields)}
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key={"pk": {"S": key}},
                UpdateExpression="REMOVE " + ", ".join(f"#r.#f{i}" for i in range(len(fields))),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
            )

    def count_by_status(self) -> Counter[str]:
        found = items(
            "scan",
            TableName=self._table,
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        )
        return Counter(str(item.get("status", "unknown")) for item in found)

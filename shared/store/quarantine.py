"""The Quarantine table: answers whose account is not known yet, waiting for the directory.

An answer is filed under every key that could later name its contact (pk), so learning the
contact by any of them finds it; each copy lists all its keys so a release removes them together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.store.dynamo import client, items, put_if, to_item, translated_errors


class QuarantineRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def hold(
        self, keys: list[str], response_key: str, record: dict[str, Any], revision_ms: int, at: datetime
    ) -> None:
        """File the answer under each key; a later revision replaces an older one, never the reverse."""
        item = record | {
            "sk": response_key,
            "keys": keys,
            "revision_ms": revision_ms,
            "held_at": at.isoformat(),
        }
        for key in keys:
            put_if(
                self._table,
                item | {"pk": key},
                "attribute_not_exists(sk) OR revision_ms < :t",
                {":t": revision_ms},
            )

    def waiting_for(self, key: str) -> list[dict[str, Any]]:
        return list(
            items(
                "query",
                TableName=self._table,
                KeyConditionExpression="pk = :k",
                ExpressionAttributeValues={":k": {"S": key}},
            )
        )

    def all(self) -> list[dict[str, Any]]:
        """Every held answer once (not once per key), oldest first."""
        unique = {item["sk"]: item for item in items("scan", TableName=self._table)}
        return sorted(unique.values(), key=lambda item: str(item["held_at"]))

    def release(self, held: dict[str, Any]) -> None:
        for key in held["keys"]:
            with translated_errors():
                client().delete_item(TableName=self._table, Key=to_item({"pk": key, "sk": held["sk"]}))

"""The Connections table: one item per connected survey source."""

from __future__ import annotations

from shared.store.dynamo import client, from_item, items, to_item, translated_errors
from shared.vendors.base import Connection


class ConnectionRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put(self, connection: Connection) -> None:
        with translated_errors():
            client().put_item(
                TableName=self._table,
                Item=to_item({"pk": connection.connection_id} | connection.model_dump(mode="json")),
            )

    def get(self, connection_id: str) -> Connection | None:
        with translated_errors():
            found = client().get_item(TableName=self._table, Key={"pk": {"S": connection_id}})
        return _connection(from_item(found["Item"])) if "Item" in found else None

    def all(self) -> list[Connection]:
        return sorted(
            (_connection(item) for item in items("scan", TableName=self._table)),
            key=lambda c: c.connection_id,
        )

    def delete(self, connection_id: str) -> bool:
        with translated_errors():
            removed = client().delete_item(
                TableName=self._table, Key={"pk": {"S": connection_id}}, ReturnValues="ALL_OLD"
            )
        return "Attributes" in removed


def _connection(item: dict[str, object]) -> Connection:
    item.pop("pk", None)
    return Connection.model_validate(item)

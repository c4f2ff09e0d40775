"""The Audit table: every export and erasure of a contact's data (pk CONTACT#id, sk time#action)."""

from __future__ import annotations

from typing import Any

from shared.domain.privacy import AuditEntry, audit_sort_key
from shared.store.dynamo import StoreError, items, put_if, to_item


def _pk(contact_id: str) -> str:
    return f"CONTACT#{contact_id}"


class AuditRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def record(self, entry: AuditEntry) -> None:
        """Append the entry; an entry is never overwritten (two at the same instant would be one
        request recorded twice, which is refused rather than lost silently)."""
        item: dict[str, Any] = {
            "pk": _pk(entry.contact_id),
            "sk": audit_sort_key(entry.at, entry.action),
        } | entry.model_dump(mode="json")
        if not put_if(self._table, item, "attribute_not_exists(sk)"):
            raise StoreError(f"an audit entry {item['sk']} of {entry.contact_id} exists already")

    def for_contact(self, contact_id: str) -> list[AuditEntry]:
        """The contact's audit trail, oldest first."""
        found = items(
            "query",
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": _pk(contact_id)}),
            ConsistentRead=True,
        )
        return [
            AuditEntry.model_validate({k: v for k, v in i.items() if k not in ("pk", "sk")}) for i in found
        ]

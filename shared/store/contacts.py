"""The Contacts table: the contact directory, one item per way of naming a person."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.domain.contacts import Contact
from shared.store.dynamo import client, from_item, index_items, items, to_item, translated_errors


class ContactRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put(self, contact: Contact) -> None:
        """Learn or correct a contact: every key names the same person (last write wins)."""
        record = contact.model_dump(mode="json")
        with translated_errors():
            for key in contact.lookup_keys:
                client().put_item(TableName=self._table, Item=to_item({"pk": key} | record))

    def all(self) -> list[Contact]:
        """Every contact once (a Scan; each person has an item per lookup key): the survey planner's list."""
        return _people(items("scan", TableName=self._table))

    def for_account(self, account_id: str) -> list[Contact]:
        """An account's contacts once each, from the by_account index."""
        return _people(index_items(self._table, "by_account", "account_id", account_id))

    def delete(self, contact: Contact) -> int:
        """Forget the person under every key that names them; returns how many keys there were."""
        with translated_errors():
            for key in contact.lookup_keys:
                client().delete_item(TableName=self._table, Key={"pk": {"S": key}})
        return len(contact.lookup_keys)

    def find(self, keys: list[str]) -> Contact | None:
        """The first key the directory knows, in the order given."""
        for key in keys:
            with translated_errors():
                found = client().get_item(TableName=self._table, Key={"pk": {"S": key}})
            if "Item" in found:
                item = from_item(found["Item"])
                item.pop("pk")
                return Contact.model_validate(item)
        return None


def _people(found: Iterable[dict[str, Any]]) -> list[Contact]:
    """One Contact per person (a person has an item per lookup key), by contact id."""
    people: dict[str, Contact] = {}
    for item in found:
        item.pop("pk")
        contact = Contact.model_validate(item)
        people[contact.contact_id] = contact
    return [people[contact_id] for contact_id in sorted(people)]

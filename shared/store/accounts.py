"""The Accounts table: the directory of accounts and their teams."""

from __future__ import annotations

from shared.domain.accounts import Account
from shared.store.dynamo import client, from_item, items, to_item, translated_errors


class AccountRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put(self, account: Account) -> None:
        item = to_item({"pk": account.account_id} | account.model_dump(mode="json"))
        with translated_errors():
            client().put_item(TableName=self._table, Item=item)

    def get(self, account_id: str) -> Account | None:
        with translated_errors():
            found = client().get_item(TableName=self._table, Key={"pk": {"S": account_id}})
        return _account(from_item(found["Item"])) if "Item" in found else None

    def all(self) -> list[Account]:
        return [_account(item) for item in items("scan", TableName=self._table)]


def _account(item: dict[str, object]) -> Account:
    item.pop("pk", None)
    return Account.model_validate(item)

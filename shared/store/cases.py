"""The Cases table: one item per case, keyed by the firing that opened it."""

from __future__ import annotations

from shared.domain.cases import Case
from shared.store.dynamo import items, put_if_absent


class CaseRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def open(self, case: Case) -> bool:
        """Open a case once. False when a case for the same firing exists: it is left as it is."""
        return put_if_absent(self._table, {"pk": case.case_id} | case.model_dump(mode="json"))

    def for_owner(self, owner: str) -> list[Case]:
        return self._query("by_owner", "owner", owner)

    def for_account(self, account_id: str) -> list[Case]:
        return self._query("by_account", "account_id", account_id)

    def all(self) -> list[Case]:
        return [Case.model_validate(item) for item in items("scan", TableName=self._table)]

    def _query(self, index: str, attribute: str, value: str) -> list[Case]:
        found = items(
            "query",
            TableName=self._table,
            IndexName=index,
            KeyConditionExpression="#a = :v",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": {"S": value}},
        )
        return [Case.model_validate(item) for item in found]

"""The Cases table: one item per case, keyed by the firing that opened it.

Changes are saved with optimistic concurrency (the version the change was made from), so two people
acting on one case at once cannot overwrite each other. Cases the SLA sweep may still escalate (waiting
for a first contact, below the top of the ladder) carry a sparse `awaiting` attribute: the sweep reads
them from an index by due time, never the table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from shared.domain.case_flow import awaits_sweep
from shared.domain.cases import Case
from shared.store.dynamo import (
    client,
    from_item,
    index_items,
    items,
    put_if,
    put_new,
    translated_errors,
)

AWAITING = "awaiting"
OPENED_BY = "opened_by"  # the attempt that wrote the case, where its caller names one


class Opened(NamedTuple):
    """A case to announce as opened, and whether this call wrote it (False: an earlier try of the
    same attempt did, and may have failed before its CaseOpened event was published)."""

    case: Case
    written: bool


class CaseConflict(Exception):
    """The case changed since it was read: read it again and retry the action."""


class CaseRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def open(self, case: Case, attempt: str | None = None) -> Opened | None:
        """Open a case once; returns the case to announce as opened, or None.

        A case for the same firing that stands is left as it is. It is announced again when an
        earlier try of the same `attempt` (the response pipeline's: the response revision) wrote it
        and nothing has changed it since: that try may have failed before its CaseOpened event was
        published (a lost answer, a retried task, a redriven execution). The stored case is
        announced, so the event repeats the first one, id and content. Without an attempt, a
        standing case is never announced again."""
        item = _item(case) | ({OPENED_BY: attempt} if attempt else {})
        stored = put_new(self._table, item)
        if stored is None:
            return Opened(case, written=True)
        standing = _case(stored)
        if attempt and stored.get(OPENED_BY) == attempt and standing.version == 0:
            return Opened(standing, written=False)
        return None

    def get(self, case_id: str) -> Case | None:
        with translated_errors():
            found = client().get_item(TableName=self._table, Key={"pk": {"S": case_id}}, ConsistentRead=True)
        return _case(from_item(found["Item"])) if "Item" in found else None

    def save(self, case: Case) -> None:
        """Store a changed case (version n + 1) if the stored one is still version n."""
        condition = "attribute_exists(pk) AND (attribute_not_exists(version) OR version = :read)"
        if not put_if(self._table, _item(case), condition, {":read": case.version - 1}):
            raise CaseConflict(f"case {case.case_id} changed since it was read")

    def awaiting_contact(self, due_before: datetime) -> list[Case]:
        """Cases waiting for a first contact whose SLA is due by then, from the sparse index."""
        found = items(
            "query",
            TableName=self._table,
            IndexName="awaiting_contact",
            KeyConditionExpression="#a = :y AND due_at <= :due",
            ExpressionAttributeNames={"#a": AWAITING},
            ExpressionAttributeValues={":y": {"S": "Y"}, ":due": {"S": _as_stored(due_before)}},
        )
        return [_case(item) for item in found]

    def for_owner(self, owner: str) -> list[Case]:
        return self._query("by_owner", "owner", owner)

    def for_account(self, account_id: str) -> list[Case]:
        return self._query("by_account", "account_id", account_id)

    def all(self) -> list[Case]:
        return [_case(item) for item in items("scan", TableName=self._table)]

    def _query(self, index: str, attribute: str, value: str) -> list[Case]:
        return [_case(item) for item in index_items(self._table, index, attribute, value)]


def _as_stored(moment: datetime) -> str:
    """A UTC time as pydantic stores it ("...Z"), so index comparisons are between like strings."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _item(case: Case) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": case.case_id} | case.model_dump(mode="json")
    if awaits_sweep(case):
        item[AWAITING] = "Y"
    return item


def _case(item: dict[str, Any]) -> Case:
    return Case.model_validate({k: v for k, v in item.items() if k not in ("pk", AWAITING, OPENED_BY)})

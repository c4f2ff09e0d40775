"""The Renewals table: one item per account and renewal date (pk ACCOUNT#id, sk RENEWAL#date).

The scanner writes it once (a conditional put), which is what makes "one execution per renewal"
hold however often the scanner runs. While checkpoint 1 waits for the pre-renewal answer, the item
holds the task token that the response pipeline hands the answer back with.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import Any

from shared.domain.renewals import RenewalPlan
from shared.store.dynamo import client, from_item, items, put_if_absent, to_item, translated_errors


class RenewalStatus(StrEnum):
    RUNNING = "running"
    ENDED = "ended"  # stopped: the date moved, or the account renewed or churned first
    FINISHED = "finished"


def _key(account_id: str, renewal_date: str) -> dict[str, Any]:
    return {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": f"RENEWAL#{renewal_date}"}}


class RenewalRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def start_once(self, plan: RenewalPlan) -> bool:
        """Record the renewal's escalation; False when this renewal already has one."""
        item = {
            "pk": f"ACCOUNT#{plan.account_id}",
            "sk": f"RENEWAL#{plan.renewal_date}",
            "status": RenewalStatus.RUNNING.value,
            "plan": plan.model_dump(mode="json"),
        }
        return put_if_absent(self._table, item)

    def for_account(self, account_id: str) -> list[dict[str, Any]]:
        """Every renewal item of the account: {"plan", "status", "task_token"?, ...}."""
        return list(
            items(
                "query",
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :renewal)",
                ExpressionAttributeValues={
                    ":pk": {"S": f"ACCOUNT#{account_id}"},
                    ":renewal": {"S": "RENEWAL#"},
                },
            )
        )

    def running(self) -> dict[str, list[RenewalPlan]]:
        """Every running escalation by account: one Scan of a small table (one item per renewal), so
        the daily scanner need not query each account in the directory."""
        found = items(
            "scan",
            TableName=self._table,
            FilterExpression="#s = :running",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":running": {"S": RenewalStatus.RUNNING.value}},
        )
        by_account: dict[str, list[RenewalPlan]] = defaultdict(list)
        for item in found:
            plan = RenewalPlan.model_validate(item["plan"])
            by_account[plan.account_id].append(plan)
        return by_account

    def waiting_token(self, account_id: str) -> tuple[RenewalPlan, str] | None:
        """The running renewal waiting for its pre-renewal answer, and its task token."""
        for item in self.for_account(account_id):
            if item["status"] == RenewalStatus.RUNNING and item.get("task_token"):
                return RenewalPlan.model_validate(item["plan"]), str(item["task_token"])
        return None

    def set_token(self, plan: RenewalPlan, token: str | None) -> None:
        """Checkpoint 1 waits with this token; None once it stopped waiting (answered, timed out)."""
        expression = "SET task_token = :t" if token else "REMOVE task_token"
        values = {"ExpressionAttributeValues": to_item({":t": token})} if token else {}
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key=_key(plan.account_id, str(plan.renewal_date)),
                UpdateExpression=expression,
                **values,
            )

    def set_status(self, plan: RenewalPlan, status: RenewalStatus, note: str) -> None:
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key=_key(plan.account_id, str(plan.renewal_date)),
                UpdateExpression="SET #s = :s, note = :n REMOVE task_token",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item({":s": status.value, ":n": note}),
            )

    def get(self, account_id: str, renewal_date: str) -> dict[str, Any] | None:
        with translated_errors():
            found = client().get_item(TableName=self._table, Key=_key(account_id, renewal_date))
        return from_item(found["Item"]) if "Item" in found else None

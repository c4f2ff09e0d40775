"""The Rollups table: per account·quarter band counters and the contact votes behind them.

A vote and its counter delta are written in one transaction, conditioned on the vote item being
what was read. That keeps "one vote per contact" exact under retries, redeliveries and concurrent
responses for the same account, while the counters themselves only ever move by atomic ADD.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.domain.nps import BandCounts
from shared.domain.rollup import RollupKey, Vote, VoteChange, vote_change
from shared.store.dynamo import (
    StoreUnavailable,
    client,
    error_code,
    from_item,
    items,
    to_item,
    translated_errors,
)

_MAX_ATTEMPTS = 10  # optimistic retries when another response for the same contact lands at once


def _pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def _counter_sk(key: RollupKey) -> str:
    return f"Q#{key.quarter}#{key.program}#{key.kind}"


def _vote_sk(key: RollupKey, contact_id: str) -> str:
    return f"VOTE#{key.quarter}#{key.program}#{key.kind}#{contact_id}"


def _counts(item: dict[str, Any]) -> BandCounts:
    return BandCounts(
        promoters=int(item.get("promoters", 0)),
        passives=int(item.get("passives", 0)),
        detractors=int(item.get("detractors", 0)),
    )


class RollupRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def record_vote(self, key: RollupKey, vote: Vote) -> VoteChange:
        vote_key = {"pk": {"S": _pk(key.account_id)}, "sk": {"S": _vote_sk(key, vote.contact_id)}}
        for _ in range(_MAX_ATTEMPTS):
            with translated_errors():
                found = client().get_item(TableName=self._table, Key=vote_key, ConsistentRead=True)
            previous = Vote.model_validate(from_item(found["Item"])) if "Item" in found else None
            change = vote_change(previous, vote)
            if not change.replaces_vote:
                return change
            if self._write_vote(key, vote, previous, change):
                return change
        raise StoreUnavailable(f"vote for {vote.contact_id} kept changing under us")

    def _write_vote(self, key: RollupKey, vote: Vote, previous: Vote | None, change: VoteChange) -> bool:
        item = to_item(
            {"pk": _pk(key.account_id), "sk": _vote_sk(key, vote.contact_id)} | vote.model_dump(mode="json")
        )
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "response_id = :seen"
            put["ExpressionAttributeValues"] = {":seen": {"S": previous.response_id}}
        operations: list[dict[str, Any]] = [{"Put": put}]
        delta = change.as_delta()
        if delta is not None:
            operations.append({"Update": self._counter_update(key, delta)})
        with translated_errors():
            try:
                client().transact_write_items(TransactItems=operations)
            except ClientError as error:
                if error_code(error) == "TransactionCanceledException":
                    return False  # the vote moved since we read it: read again
                raise
        return True

    def _counter_update(self, key: RollupKey, delta: BandCounts) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": _pk(key.account_id)}, "sk": {"S": _counter_sk(key)}},
            "UpdateExpression": (
                "ADD promoters :p, passives :pa, detractors :d "
                "SET gsi1pk = :g, gsi1sk = :a, account_id = :a, quarter = :q, program = :pr, kind = :k"
            ),
            "ExpressionAttributeValues": {
                ":p": {"N": str(delta.promoters)},
                ":pa": {"N": str(delta.passives)},
                ":d": {"N": str(delta.detractors)},
                ":g": {"S": _counter_sk(key)},
                ":a": {"S": key.account_id},
                ":q": {"S": key.quarter},
                ":pr": {"S": key.program},
                ":k": {"S": key.kind.value},
            },
        }

    def counts(self, key: RollupKey) -> BandCounts:
        with translated_errors():
            found = client().get_item(
                TableName=self._table,
                Key={"pk": {"S": _pk(key.account_id)}, "sk": {"S": _counter_sk(key)}},
                ConsistentRead=True,
            )
        return _counts(from_item(found["Item"])) if "Item" in found else BandCounts()

    def account_history(self, account_id: str, program: str, kind: str) -> dict[str, BandCounts]:
        """Counts by quarter for one account, oldest quarter first."""
        found = items(
            "query",
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :q)",
            ExpressionAttributeValues={":pk": {"S": _pk(account_id)}, ":q": {"S": "Q#"}},
        )
        return {
            item["quarter"]: _counts(item)
            for item in found
            if item.get("program") == program and item.get("kind") == kind
        }

    def quarter_portfolio(self, quarter: str, program: str, kind: str) -> dict[str, BandCounts]:
        """Counts by account for one quarter, read from the by_quarter index."""
        found = items(
            "query",
            TableName=self._table,
            IndexName="by_quarter",
            KeyConditionExpression="gsi1pk = :g",
            ExpressionAttributeValues={":g": {"S": f"Q#{quarter}#{program}#{kind}"}},
        )
        return {item["account_id"]: _counts(item) for item in found}



"""The Rollups table: one item per account·quarter·program·kind with its band counters and the
contact votes behind them.

One vote per contact: the item keeps each contact's counted vote in a `votes` map, and a new vote
and its counter delta are written in one conditional UpdateItem (SET the vote, ADD the deltas),
conditioned on the vote being what was read. That makes the count exact under retries,
redeliveries and concurrent responses for the same account, with one atomic write and no
transaction. An item holds a few thousand contacts' votes (400 KB), ample for B2B accounts.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.domain.models import Band, SurveyKind
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
_COUNTER = {Band.PROMOTER: "promoters", Band.PASSIVE: "passives", Band.DETRACTOR: "detractors"}
_COUNTERS = ", ".join(_COUNTER.values())


def _key(key: RollupKey) -> dict[str, Any]:
    return {"pk": {"S": f"ACCOUNT#{key.account_id}"}, "sk": {"S": _sort_key(key)}}


def _sort_key(key: RollupKey) -> str:
    return f"Q#{key.quarter}#{key.program}#{key.kind}"


def _counts(item: dict[str, Any]) -> BandCounts:
    return BandCounts(
        promoters=int(item.get("promoters", 0)),
        passives=int(item.get("passives", 0)),
        detractors=int(item.get("detractors", 0)),
    )


class RollupRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def record_vote(self, key: RollupKey, vote: Vote) -> tuple[VoteChange, BandCounts]:
        """Count the vote if it is the contact's latest; returns what changed and the counts after."""
        for _ in range(_MAX_ATTEMPTS):
            with translated_errors():
                found = client().get_item(
                    TableName=self._table,
                    Key=_key(key),
                    ConsistentRead=True,
                    ProjectionExpression=f"votes.#c, {_COUNTERS}",
                    ExpressionAttributeNames={"#c": vote.contact_id},
                )
            # Only record_vote creates these items, and always with a vote: an item means a map.
            item = from_item(found.get("Item", {}))
            stored = item.get("votes", {}).get(vote.contact_id)
            previous = Vote.model_validate(stored) if stored else None
            change = vote_change(previous, vote)
            if not change.replaces_vote:
                return change, _counts(item)
            written = self._write_vote(key, vote, previous, change, item_exists=bool(item))
            if written is not None:
                return change, _counts(item | written)
        raise StoreUnavailable(f"the vote of {vote.contact_id} kept changing under us")

    def _write_vote(
        self, key: RollupKey, vote: Vote, previous: Vote | None, change: VoteChange, item_exists: bool
    ) -> dict[str, Any] | None:
        """One UpdateItem: SET the contact's vote, ADD only the counters that move. The expressions
        are kept minimal on purpose: the item's fixed attributes are written once, with its first vote."""
        values: dict[str, Any] = to_item({":vote": vote.model_dump(mode="json")})
        names = {"#c": vote.contact_id}
        adds = []
        delta = change.as_delta()
        for counter in _COUNTER.values() if delta else ():
            if step := getattr(delta, counter):
                adds.append(f"{counter} :{counter}")
                values[f":{counter}"] = {"N": str(step)}
        sets = ["votes.#c = :vote"]
        if previous is not None:
            # The vote read, exactly: the response and its revision (revisions replace it too).
            condition = "votes.#c.response_id = :seen AND votes.#c.revised_at = :seen_rev"
            seen = previous.model_dump(mode="json")
            values[":seen"] = {"S": seen["response_id"]}
            values[":seen_rev"] = {"S": seen["revised_at"]}
        elif item_exists:
            condition = "attribute_not_exists(votes.#c)"
        else:
            # The item's first vote creates it; a racing first vote makes this fail and retry.
            condition = "attribute_not_exists(pk)"
            sets = [
                "votes = :votes",
                "gsi1pk = :g",
                "gsi1sk = :a",
                "account_id = :a",
                "quarter = :q",
                "program = :pr",
                "kind = :k",
            ]
            values = values | to_item(
                {
                    ":g": _sort_key(key),
                    ":a": key.account_id,
                    ":q": key.quarter,
                    ":pr": key.program,
                    ":k": key.kind.value,
                }
            )
            values[":votes"] = {"M": {vote.contact_id: values.pop(":vote")}}
            names = {}
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": _key(key),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ReturnValues": "UPDATED_NEW",
        }
        if names:
            request["ExpressionAttributeNames"] = names
        with translated_errors():
            try:
                updated = client().update_item(**request)
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return None  # the vote moved since we read it: read again
                raise
        # UPDATED_NEW returns only the counters that moved; the ones read before stand for the rest.
        return from_item(updated["Attributes"])

    def counts(self, key: RollupKey) -> BandCounts:
        with translated_errors():
            found = client().get_item(
                TableName=self._table, Key=_key(key), ConsistentRead=True, ProjectionExpression=_COUNTERS
            )
        return _counts(from_item(found.get("Item", {})))

    def quarter_portfolio(self, quarter: str, program: str, kind: SurveyKind) -> dict[str, BandCounts]:
        """Counts by account for one quarter, read from the by_quarter index."""
        index_key = _sort_key(RollupKey(account_id="*", quarter=quarter, program=program, kind=kind))
        found = items(
            "query",
            TableName=self._table,
            IndexName="by_quarter",
            KeyConditionExpression="gsi1pk = :g",
            ExpressionAttributeValues={":g": {"S": index_key}},
            ProjectionExpression=f"account_id, {_COUNTERS}",
        )
        return {item["account_id"]: _counts(item) for item in found}

"""The Rollups table: one item per account·quarter·program·kind with its band counters and the
contact votes behind them.

One vote per contact: the item keeps each contact's counted vote in a `votes` map, and a new vote
and its counter delta are written in one conditional UpdateItem (SET the vote, ADD the deltas),
conditioned on the vote being what was read. That makes the count exact under retries,
redeliveries and concurrent responses for the same account, with one atomic write and no
transaction. An item holds a few thousand contacts' votes (400 KB), ample for B2B accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from botocore.exceptions import ClientError

from shared.domain.contact_history import ContactScores, with_score
from shared.domain.models import Band, SurveyKind
from shared.domain.nps import BandCounts
from shared.domain.rollup import RollupKey, Vote, VoteChange, counts_of, latest_votes, vote_change
from shared.store.dynamo import (
    StoreUnavailable,
    client,
    error_code,
    from_item,
    items,
    put_if,
    put_new,
    to_item,
    translated_errors,
)

_MAX_ATTEMPTS = 10  # optimistic retries when another response for the same contact lands at once
# Votes per UpdateItem in record_votes: each adds ~70 bytes to the condition expression, whose limit
# is 4 KB.
_MAX_VOTES_PER_WRITE = 40
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


# What an item holds besides its votes and counters, written once with its first vote.
_FIXED_ATTRIBUTE_SETS = (
    "gsi1pk = :g",
    "gsi1sk = :a",
    "account_id = :a",
    "quarter = :q",
    "program = :pr",
    "kind = :k",
)


def _fixed_attribute_values(key: RollupKey) -> dict[str, Any]:
    return to_item(
        {
            ":g": _sort_key(key),
            ":a": key.account_id,
            ":q": key.quarter,
            ":pr": key.program,
            ":k": key.kind.value,
        }
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
            sets = ["votes = :votes", *_FIXED_ATTRIBUTE_SETS]
            values = values | _fixed_attribute_values(key)
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

    def record_votes(self, key: RollupKey, votes: Iterable[Vote]) -> int:
        """Count many votes in one account·quarter, exactly as record_vote would one at a time, with
        one read and one write per 40 contacts instead of one each: for bulk imports, where one
        account's quarter gets hundreds of answers at once (and DynamoDB bills an update by the size
        of the whole item). Returns how many contacts' votes moved."""
        latest = latest_votes(votes)
        return sum(
            self._record_group(key, latest[start : start + _MAX_VOTES_PER_WRITE])
            for start in range(0, len(latest), _MAX_VOTES_PER_WRITE)
        )

    def _record_group(self, key: RollupKey, votes: list[Vote]) -> int:
        """Write first, as if the item were new (a first import creates most of its items): one request.
        When the item exists, or a vote moved, the failed condition hands back the item as it is
        (ReturnValuesOnConditionCheckFailure), and that is the read the next write is conditioned on:
        no GetItem at all."""
        item: dict[str, Any] = {}
        for _ in range(_MAX_ATTEMPTS):
            stored = item.get("votes", {})
            moving = []
            for index, vote in enumerate(votes):
                seen = stored.get(vote.contact_id)
                previous = Vote.model_validate(seen) if seen else None
                if (change := vote_change(previous, vote)).replaces_vote:
                    moving.append((index, vote, previous, change))
            if not moving:
                return 0
            current = self._write_votes(key, moving, item_exists=bool(item))
            if current is None:
                return len(moving)
            item = current
        raise StoreUnavailable(f"the votes in {_sort_key(key)} of {key.account_id} kept changing under us")

    def _write_votes(
        self, key: RollupKey, moving: list[tuple[int, Vote, Vote | None, VoteChange]], item_exists: bool
    ) -> dict[str, Any] | None:
        """One UpdateItem for a group: SET each moving vote, ADD the counters' net deltas, on the
        condition that every vote is still the one read. None when written; else the item as the
        failed condition found it."""
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        sets, conditions = [], []
        deltas = dict.fromkeys(_COUNTER.values(), 0)
        for index, vote, previous, change in moving:
            name, value = f"#c{index}", f":v{index}"
            values[value] = to_item({value: vote.model_dump(mode="json")})[value]
            names[name] = vote.contact_id
            sets.append(f"votes.{name} = {value}")
            if previous is None:
                conditions.append(f"attribute_not_exists(votes.{name})")
            else:
                seen = previous.model_dump(mode="json")
                values[f":s{index}"], values[f":r{index}"] = (
                    {"S": seen["response_id"]},
                    {"S": seen["revised_at"]},
                )
                conditions.append(
                    f"votes.{name}.response_id = :s{index} AND votes.{name}.revised_at = :r{index}"
                )
            if delta := change.as_delta():
                for counter in deltas:
                    deltas[counter] += getattr(delta, counter)
        if not item_exists:
            # The first votes create the item; a racing first vote makes this fail and read again.
            votes_map = {names[f"#c{index}"]: values.pop(f":v{index}") for index, *_ in moving}
            values = values | _fixed_attribute_values(key) | {":votes": {"M": votes_map}}
            sets = ["votes = :votes", *_FIXED_ATTRIBUTE_SETS]
            conditions, names = ["attribute_not_exists(pk)"], {}
        adds = [f"{counter} :{counter}" for counter, step in deltas.items() if step]
        values |= {f":{counter}": {"N": str(step)} for counter, step in deltas.items() if step}
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": _key(key),
            "UpdateExpression": "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else ""),
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeValues": values,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        with translated_errors():
            try:
                client().update_item(**request, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return from_item(cast(dict[str, Any], error.response.get("Item", {})))
                raise
        return None

    def counts(self, key: RollupKey) -> BandCounts:
        with translated_errors():
            found = client().get_item(
                TableName=self._table, Key=_key(key), ConsistentRead=True, ProjectionExpression=_COUNTERS
            )
        return _counts(from_item(found.get("Item", {})))

    def settled_counts(self, key: RollupKey) -> BandCounts:
        """The counts from the by_quarter index: eventually consistent, and billed by the index
        item's few attributes rather than the whole item with its votes (which `counts` reads). For
        a quarter that is over, whose counts a second's delay cannot change."""
        found = items(
            "query",
            TableName=self._table,
            IndexName="by_quarter",
            KeyConditionExpression="gsi1pk = :g AND gsi1sk = :a",
            ExpressionAttributeValues={":g": {"S": _sort_key(key)}, ":a": {"S": key.account_id}},
            ProjectionExpression=_COUNTERS,
        )
        return _counts(next(iter(found), {}))

    def all_counts(self) -> dict[RollupKey, BandCounts]:
        """Every account·quarter roll-up's counters (a full scan), for the reconciliation. Keys are
        read from pk and sk, so an item holding counters only is found too."""
        found = items(
            "scan",
            TableName=self._table,
            ConsistentRead=True,
            FilterExpression="begins_with(pk, :a) AND begins_with(sk, :q)",
            ExpressionAttributeValues={":a": {"S": "ACCOUNT#"}, ":q": {"S": "Q#"}},
            ProjectionExpression=f"pk, sk, {_COUNTERS}",
        )
        counts = {}
        for item in found:
            _, quarter, program, kind = str(item["sk"]).split("#", 3)
            key = RollupKey(
                account_id=str(item["pk"]).removeprefix("ACCOUNT#"),
                quarter=quarter,
                program=program,
                kind=kind,
            )
            counts[key] = _counts(item)
        return counts

    def replace_votes(self, key: RollupKey, votes: list[Vote], seen: BandCounts) -> bool:
        """Set the roll-up to exactly these votes and the counters they make (the reconciliation's
        repair), if its counters are still `seen`: a response counted meanwhile makes this a no-op
        (False), and the next run looks again."""
        expected = counts_of(votes)
        values = _fixed_attribute_values(key) | to_item(
            {
                ":votes": {v.contact_id: v.model_dump(mode="json") for v in votes},
                ":p": expected.promoters,
                ":s": expected.passives,
                ":d": expected.detractors,
                ":sp": seen.promoters,
                ":ss": seen.passives,
                ":sd": seen.detractors,
                ":zero": 0,
            }
        )
        unchanged = " AND ".join(
            f"((attribute_not_exists({c}) AND :{s} = :zero) OR {c} = :{s})"
            for c, s in (("promoters", "sp"), ("passives", "ss"), ("detractors", "sd"))
        )
        with translated_errors():
            try:
                client().update_item(
                    TableName=self._table,
                    Key=_key(key),
                    UpdateExpression="SET votes = :votes, promoters = :p, passives = :s, detractors = :d, "
                    + ", ".join(_FIXED_ATTRIBUTE_SETS),
                    ConditionExpression=f"attribute_not_exists(pk) OR ({unchanged})",
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

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

    def relational_portfolios(
        self, quarters: Iterable[str], program: str
    ) -> dict[str, dict[str, BandCounts]]:
        """Each quarter's relational counts by account (quarters read once each, in order)."""
        return {q: self.quarter_portfolio(q, program, SurveyKind.RELATIONAL) for q in dict.fromkeys(quarters)}

    def theme_mentions_of(self, response_keys: set[str]) -> list[dict[str, Any]]:
        """The theme mentions these responses made that still carry a quote (a Scan with a filter:
        for a privacy erasure or export only, rare enough not to need an index)."""
        if not response_keys:
            return []
        found = items(
            "scan",
            TableName=self._table,
            ConsistentRead=True,
            FilterExpression="begins_with(pk, :t) AND attribute_exists(quote)",
            ExpressionAttributeValues={":t": {"S": "THEME#"}},
            ProjectionExpression="pk, sk, quote, response_key",
        )
        return [m for m in found if m.get("response_key") in response_keys]

    def forget_quote(self, mention: dict[str, Any]) -> None:
        """Remove a theme mention's quote; the mention (the account raised the theme) still counts."""
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key=to_item({"pk": mention["pk"], "sk": mention["sk"]}),
                UpdateExpression="REMOVE quote",
                ConditionExpression="attribute_exists(pk)",
            )

    # A contact's recent scores (trigger 6, declining scores), one item per contact: pk ACCOUNT#id,
    # sk CONTACT#id, written with optimistic concurrency on its version.

    def record_contact_score(
        self, account_id: str, contact_id: str, response_key: str, score: int, at: datetime
    ) -> ContactScores:
        key = {"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contact_id}"}
        for _ in range(_MAX_ATTEMPTS):
            with translated_errors():
                found = from_item(
                    client()
                    .get_item(TableName=self._table, Key=to_item(key), ConsistentRead=True)
                    .get("Item", {})
                )
            known = ContactScores.model_validate(found["history"]) if found else None
            history = with_score(
                known or ContactScores(contact_id=contact_id, account_id=account_id), response_key, score, at
            )
            if history == known:
                return history  # a retry or redelivery: already recorded
            version = int(found.get("version", 0))
            item = {"history": history.model_dump(mode="json"), "version": version + 1}
            unchanged = "attribute_not_exists(pk) OR version = :v"
            if put_if(self._table, key | item, unchanged, {":v": version}):
                return history
            # another answer of this contact landed at once: read again
        raise StoreUnavailable(f"the score history of {contact_id} kept changing under us")

    # Theme mentions (trigger 5): one item per theme, quarter and account (pk THEME#quarter#theme,
    # sk the account), so counting distinct accounts is one query and a mention is idempotent.

    def record_theme_mention(
        self,
        quarter: str,
        theme: str,
        account_id: str,
        arr: float | None,
        quote: str | None,
        response_key: str,
    ) -> tuple[dict[str, float], list[str]] | None:
        """Note that the account raised the theme. When that is news (the account's first mention
        this quarter, or a retry of the response that made it), returns every account that raised it
        (with its ARR) and their quotes; None when another response of the account raised it before,
        since the accounts behind the theme are unchanged then."""
        pk = f"THEME#{quarter}#{theme}"
        mention = {"pk": pk, "sk": account_id, "arr": arr or 0, "quote": quote, "response_key": response_key}
        # Most mentions repeat an account's earlier one: a read, a fifth of a write's price, finds
        # those, and only news is written (conditionally: two first mentions may race).
        with translated_errors():
            found = client().get_item(
                TableName=self._table,
                Key=to_item({"pk": pk, "sk": account_id}),
                ConsistentRead=True,
                ProjectionExpression="response_key",
            )
        first = from_item(found.get("Item", {})).get("response_key") or self._first_mention(mention)
        if first != response_key:
            return None
        mentions = list(
            items(
                "query",
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                ConsistentRead=True,
            )
        )
        accounts = {str(m["sk"]): float(m.get("arr", 0)) for m in mentions}
        return accounts, [str(m["quote"]) for m in mentions if m.get("quote")]

    def _first_mention(self, mention: dict[str, Any]) -> str:
        """Write the mention unless one exists; returns the response key of the one that stands."""
        stored = put_new(self._table, mention, key="sk")
        return str((mention if stored is None else stored)["response_key"])

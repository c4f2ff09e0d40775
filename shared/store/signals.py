"""The Signals table: one item per account·quarter·kind, the latest as_of of its source.

Late and corrected data replace earlier values in one conditional put: the write only lands when
its as_of is at least the stored one, so replays and out-of-order deliveries leave the newest.
"""

from __future__ import annotations

from collections import defaultdict

from shared.domain.signals import QuarterSignals, Signal
from shared.store.dynamo import items, put_if


def _pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


class SignalRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put(self, signal: Signal) -> bool:
        """Store the signal unless a newer one (later as_of) is stored. False when it was older."""
        as_of_ms = int(signal.as_of.timestamp() * 1000)
        item = {
            "pk": _pk(signal.account_id),
            "sk": f"Q#{signal.quarter}#{signal.kind}",
            "as_of_ms": as_of_ms,
            "signal": signal.model_dump(mode="json"),
        }
        return put_if(self._table, item, "attribute_not_exists(pk) OR as_of_ms <= :t", {":t": as_of_ms})

    def for_quarter(self, account_id: str, quarter: str) -> QuarterSignals:
        return self.for_quarters(account_id, quarter, quarter)[quarter]

    def for_quarters(self, account_id: str, first: str, last: str) -> dict[str, QuarterSignals]:
        """Each quarter's signals from `first` to `last`, in one Query (quarters sort as text)."""
        found = items(
            "query",
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": {"S": _pk(account_id)},
                ":from": {"S": f"Q#{first}#"},
                ":to": {"S": f"Q#{last}#~"},  # '~' sorts after every kind name
            },
        )
        by_quarter: dict[str, list[Signal]] = defaultdict(list)
        for item in found:
            signal = Signal.model_validate(item["signal"])
            by_quarter[signal.quarter].append(signal)
        return defaultdict(QuarterSignals, {q: QuarterSignals.from_signals(s) for q, s in by_quarter.items()})

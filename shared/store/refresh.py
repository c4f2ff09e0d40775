"""The Refresh table: each closed quarter (pk QUARTER#q) with its account snapshots, segment
benchmarks and backtest, and the versioned threshold sets (pk THRESHOLDS, sk the version).

Snapshots and threshold sets are written once (conditional puts): re-running a quarter's refresh
finds them and leaves the first close standing, so a re-run cannot rewrite history with late data.
Benchmarks and the backtest are derived from those and written whole, so a re-run writes the same.
Each is stored as its model's JSON (a string attribute): None values survive, as they must (an NPS
of no votes is None), and the model, not the item, is the schema.
"""

from __future__ import annotations

from typing import Any

from shared.domain.refresh import AccountSnapshot, Backtest, SegmentBenchmark, ThresholdSet
from shared.store.dynamo import client, from_item, items, put_if, to_item, translated_errors

THRESHOLDS_PK = "THRESHOLDS"


def _quarter_pk(quarter: str) -> str:
    return f"QUARTER#{quarter}"


class RefreshRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put_snapshot(self, snapshot: AccountSnapshot) -> bool:
        """False when the quarter already has this account's snapshot (it is kept)."""
        item = {
            "pk": _quarter_pk(snapshot.quarter),
            "sk": f"ACCOUNT#{snapshot.program}#{snapshot.account_id}",
            "snapshot": snapshot.model_dump_json(),
        }
        return put_if(self._table, item, "attribute_not_exists(pk)")

    def snapshots(self, quarter: str) -> list[AccountSnapshot]:
        return [
            AccountSnapshot.model_validate_json(item["snapshot"]) for item in self._query(quarter, "ACCOUNT#")
        ]

    def put_benchmarks(self, quarter: str, benchmarks: list[SegmentBenchmark]) -> None:
        with translated_errors():
            for benchmark in benchmarks:
                item = {
                    "pk": _quarter_pk(quarter),
                    "sk": f"BENCHMARK#{benchmark.dimension}#{benchmark.value}",
                    "benchmark": benchmark.model_dump_json(),
                }
                client().put_item(TableName=self._table, Item=to_item(item))

    def benchmarks(self, quarter: str) -> list[SegmentBenchmark]:
        return [
            SegmentBenchmark.model_validate_json(i["benchmark"]) for i in self._query(quarter, "BENCHMARK#")
        ]

    def put_threshold_set(self, threshold_set: ThresholdSet) -> bool:
        """False when the version exists already (a re-run): the stored set stands."""
        item = {
            "pk": THRESHOLDS_PK,
            "sk": threshold_set.version,
            "set": threshold_set.model_dump_json(),
        }
        return put_if(self._table, item, "attribute_not_exists(pk)")

    def threshold_set(self, version: str) -> ThresholdSet | None:
        with translated_errors():
            found = client().get_item(
                TableName=self._table, Key=to_item({"pk": THRESHOLDS_PK, "sk": version}), ConsistentRead=True
            )
        if "Item" not in found:
            return None
        return ThresholdSet.model_validate_json(from_item(found["Item"])["set"])

    def threshold_sets(self) -> list[ThresholdSet]:
        """Every stored set, oldest first (versions start with their quarter, which sorts in time)."""
        found = items(
            "query",
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": THRESHOLDS_PK}),
            ConsistentRead=True,
        )
        return [ThresholdSet.model_validate_json(item["set"]) for item in found]

    def put_backtest(self, result: Backtest) -> None:
        item = {
            "pk": _quarter_pk(result.quarter),
            "sk": "BACKTEST",
            "backtest": result.model_dump_json(),
        }
        with translated_errors():
            client().put_item(TableName=self._table, Item=to_item(item))

    def backtest(self, quarter: str) -> Backtest | None:
        found = self._query(quarter, "BACKTEST")
        return Backtest.model_validate_json(found[0]["backtest"]) if found else None

    def _query(self, quarter: str, prefix: str) -> list[dict[str, Any]]:
        return list(
            items(
                "query",
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues=to_item({":pk": _quarter_pk(quarter), ":prefix": prefix}),
                ConsistentRead=True,
            )
        )

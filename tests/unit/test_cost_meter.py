"""The cost benchmark's billing rules (bench/cost_per_million.py): what DynamoDB bills for an index,
and which execution history events a state machine's log level keeps."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bench.cost_per_million import index_write_units, item_size
from shared.store.schema import ROLLUPS, Index
from statemachines import logged_at


def _table(*indexes: Index) -> Any:
    """A table as moto holds it: its global indexes with their key attributes and projection."""
    return SimpleNamespace(
        global_indexes=[
            SimpleNamespace(
                schema_key_attrs=[k for k in (i.partition_key, i.sort_key) if k],
                table_key_attrs=["pk", "sk"],
                projection=i.projection,
            )
            for i in indexes
        ]
    )


BY_OWNER = Index("by_owner", "owner", "opened_at")
AWAITING = Index("awaiting", "awaiting", "due_at")
CASE = {"pk": {"S": "case-1"}, "sk": {"S": "-"}, "owner": {"S": "ava"}, "opened_at": {"S": "2026-11-23"}}


def test_an_item_entering_an_index_writes_one_index_item() -> None:
    assert index_write_units(_table(BY_OWNER), {}, CASE) == 1


def test_a_sparse_index_costs_nothing_for_items_without_its_keys() -> None:
    assert index_write_units(_table(AWAITING), {}, CASE) == 0


def test_a_change_the_index_does_not_hold_writes_nothing_there() -> None:
    narrow = Index("by_owner", "owner", "opened_at", included=())
    changed = CASE | {"note": {"S": "called back"}}
    assert index_write_units(_table(narrow), CASE, changed) == 0
    assert index_write_units(_table(BY_OWNER), CASE, changed) == 1  # ALL holds the note


def test_a_moved_index_key_deletes_the_old_index_item_and_writes_the_new() -> None:
    assert index_write_units(_table(BY_OWNER), CASE, CASE | {"owner": {"S": "ben"}}) == 2


def test_leaving_a_sparse_index_deletes_its_item() -> None:
    waiting = CASE | {"awaiting": {"S": "csm"}, "due_at": {"S": "2026-11-24"}}
    assert index_write_units(_table(AWAITING), waiting, CASE) == 1


def test_an_index_item_is_billed_by_its_projected_size() -> None:
    votes = {"M": {f"contact-{n}": {"S": "x" * 100} for n in range(30)}}  # ~3.5 KB of votes
    counter = {
        "pk": {"S": "ACCOUNT#a"},
        "sk": {"S": "Q#2026-Q4#customer#relational"},
        "gsi1pk": {"S": "Q#2026-Q4"},
        "gsi1sk": {"S": "a"},
        "account_id": {"S": "a"},
        "promoters": {"N": "3"},
        "votes": votes,
    }
    after = counter | {"promoters": {"N": "4"}}
    everything = Index("by_quarter", "gsi1pk", "gsi1sk")
    (by_quarter,) = ROLLUPS.indexes
    assert item_size(counter) > 3 * 1024
    assert index_write_units(_table(everything), counter, after) == 4
    assert index_write_units(_table(by_quarter), counter, after) == 1  # the counters, not the votes


@pytest.mark.parametrize(
    ("level", "event_type", "logged"),
    [
        ("ALL", "TaskStateEntered", True),
        ("ERROR", "TaskStateEntered", False),
        ("ERROR", "LambdaFunctionFailed", True),
        ("ERROR", "TaskTimedOut", True),
        ("ERROR", "FailStateEntered", True),
        ("ERROR", "ExecutionSucceeded", False),
        ("FATAL", "LambdaFunctionFailed", False),
        ("FATAL", "ExecutionFailed", True),
        ("OFF", "ExecutionFailed", False),
    ],
)
def test_log_levels_keep_the_events_step_functions_documents(
    level: Any, event_type: str, logged: bool
) -> None:
    assert logged_at(level, event_type) is logged

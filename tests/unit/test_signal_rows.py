"""Signals file rows into signals: flat CSV cells or nested values, every reason a row is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.domain.import_formats import MissingColumns, csv_rows, json_lines_rows
from shared.domain.signal_rows import SignalColumns, parse_signal_row
from shared.domain.signals import Commercial, Outcome, Signal, Support, Usage

SCOPE = {"account_id": "acct-7", "quarter": "2026-Q4", "as_of": "2026-11-20T08:00:00Z"}


def parsed(fields: dict[str, Any]) -> Signal:
    outcome = parse_signal_row(fields)
    assert isinstance(outcome, Signal), outcome
    return outcome


def refused(fields: dict[str, Any]) -> dict[str, str]:
    outcome = parse_signal_row(fields)
    assert isinstance(outcome, list), outcome
    return {error.field: error.reason for error in outcome}


def test_a_flat_usage_row_reads_its_cells_as_numbers() -> None:
    signal = parsed(SCOPE | {"kind": "usage", "active_users": " 40 ", "seats": "50", "usage_index": ""})
    assert signal.values == Usage(active_users=40, seats=50)
    assert signal.as_of == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_cells_of_other_kinds_are_ignored_so_one_csv_holds_every_kind() -> None:
    row = SCOPE | {"kind": "support", "tickets": "9", "sev1": "1", "active_users": "40", "arr": "9000"}
    assert parsed(row).values == Support(tickets=9, sev1=1)


def test_a_commercial_row_splits_product_lines_and_reads_the_renewal_date() -> None:
    row = SCOPE | {
        "kind": "COMMERCIAL",  # kinds are read case-insensitively
        "arr": "120000.50",
        "seats": "80",
        "renewal_date": "2027-03-31",
        "segment": "enterprise",
        "industry": "fintech",
        "region": "emea",
        "lifecycle_stage": "adoption",
        "product_lines": "core; analytics ;",
        "csm": "Ana",
        "cs_lead": "Ben",
        "executive_sponsor": "Cleo",
    }
    values = parsed(row).values
    assert isinstance(values, Commercial)
    assert values.product_lines == ["core", "analytics"] and values.renewal_date == date(2027, 3, 31)
    assert values.arr == 120000.5


def test_nested_values_as_the_signals_api_takes_them() -> None:
    row = SCOPE | {"kind": "outcome", "values": {"renewed": True, "expansion_arr": 5000}}
    assert parsed(row).values == Outcome(renewed=True, expansion_arr=5000)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
        ("2026-11-20T09:00:00", datetime(2026, 11, 20, 9, tzinfo=UTC)),  # zone-less: UTC
        (1795000000, datetime.fromtimestamp(1795000000, UTC)),
    ],
)
def test_as_of_reads_like_an_answers_time(as_of: Any, expected: datetime) -> None:
    assert parsed(SCOPE | {"as_of": as_of, "kind": "usage", "active_users": 1, "seats": 2}).as_of == expected


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"account_id": ""}, "account_id", "missing: account_id is required"),
        ({"account_id": "has space"}, "account_id", "letters, digits"),
        ({"quarter": "2026-Q5"}, "quarter", "like 2026-Q4, got '2026-Q5'"),
        ({"as_of": "20/11/2026"}, "as_of", "as_of must be an ISO 8601 time"),
        ({"kind": "usgae"}, "kind", "kind must be one of"),
        ({"seats": "-1"}, "seats", "greater than or equal to 0"),
        ({"seats": "many"}, "seats", "valid integer"),
        ({"seats": ""}, "seats", "missing: seats is required"),
        ({"usage_index": "140"}, "usage_index", "less than or equal to 100"),
        ({"values": "40 of 50"}, "values", "values must be an object of usage values"),
        ({"values": {"active_users": 1, "seats": 2, "dau": 3}}, "dau", "Extra inputs"),
    ],
)
def test_a_bad_row_is_refused_naming_its_column(change: dict[str, Any], field: str, phrase: str) -> None:
    reasons = refused(SCOPE | {"kind": "usage", "active_users": "40", "seats": "50"} | change)
    assert phrase in reasons[field], reasons


def test_every_reason_at_once_and_no_values_reason_without_a_kind() -> None:
    reasons = refused({"account_id": "acct-7", "quarter": "Q4", "kind": "nps", "as_of": "soon"})
    assert set(reasons) == {"quarter", "kind", "as_of"}


def test_a_rule_between_values_is_reported_on_values() -> None:
    reasons = refused(SCOPE | {"kind": "support", "tickets": "2", "sev1": "2", "sev2": "1"})
    assert reasons == {"values": "sev1 + sev2 must not exceed tickets"}


def test_a_csv_header_without_a_scope_column_is_refused_at_the_header() -> None:
    lines = ["account_id,quarter,as_of,active_users,seats\n", "a,2026-Q4,2026-11-01,1,2\n"]
    with pytest.raises(MissingColumns, match="kind"):
        list(csv_rows(lines, SignalColumns()))


def test_csv_and_json_lines_keep_only_the_signal_columns() -> None:
    csv_lines = [
        "account_id,quarter,kind,as_of,seats,active_users,notes\n",
        "a,2026-Q4,usage,2026-11-01,2,1,x\n",
    ]
    [row] = list(csv_rows(csv_lines, SignalColumns()))
    assert "notes" not in row["fields"] and isinstance(parse_signal_row(row["fields"]), Signal)
    json_line = '{"account_id": "a", "quarter": "2026-Q4", "kind": "usage", "as_of": "2026-11-01", '
    json_line += '"values": {"active_users": 1, "seats": 2}, "source": "warehouse"}'
    [row] = list(json_lines_rows([json_line], SignalColumns()))
    assert "source" not in row["fields"] and isinstance(parse_signal_row(row["fields"]), Signal)

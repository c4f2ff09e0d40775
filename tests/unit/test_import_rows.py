"""A history file's rows into canonical responses: the mapping, lenient parsing, refusals with reasons,
the CSV and JSON-lines readers with their row numbers, and the votes a chunk counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.import_formats import MissingColumns, SourceFormat, csv_rows, json_lines_rows
from shared.domain.import_rows import (
    ColumnMapping,
    FieldError,
    ImportDefaults,
    parse_row,
    parse_score,
    parse_timestamp,
)
from shared.domain.models import Band, CanonicalResponse, SurveyKind
from shared.domain.rollup import Vote, latest_votes
from shared.services.bulk_import import import_id_for, sidecar_key, spec_digest

GOOD = {
    "response_id": "r-1",
    "account_id": "acme",
    "contact_id": "c-1",
    "score": "9",
    "submitted_at": "2025-03-01T09:30:00+01:00",
}
DEFAULTS = ImportDefaults(vendor="delighted")


def parsed(fields: dict[str, Any], mapping: ColumnMapping | None = None) -> CanonicalResponse:
    outcome = parse_row(fields, mapping or ColumnMapping(), DEFAULTS)
    assert isinstance(outcome, CanonicalResponse), outcome
    return outcome


def refused(fields: dict[str, Any], mapping: ColumnMapping | None = None) -> dict[str, str]:
    outcome = parse_row(fields, mapping or ColumnMapping(), DEFAULTS)
    assert isinstance(outcome, list), outcome
    return {error.field: error.reason for error in outcome}


# The mapping ----------------------------------------------------------------------------------------


def test_canonical_column_names_need_no_mapping_and_the_key_is_the_vendors() -> None:
    response = parsed(GOOD)
    assert response.key == "delighted-r-1"  # the same key the vendor's live webhooks store
    assert response.score == 9 and response.program == "customer" and response.kind is SurveyKind.RELATIONAL
    assert response.submitted_at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def test_a_mapping_reads_the_vendors_column_names_and_copies_properties() -> None:
    mapping = ColumnMapping(
        response_id="Response ID",
        account_id="Company",
        contact_id="Person",
        score="NPS",
        submitted_at="Created",
        properties={"plan": "Plan"},
    )
    row = {"Response ID": "9001", "Company": "acme", "Person": "p-7", "NPS": "3", "Created": "1740823200"}
    response = parsed(row | {"Plan": "enterprise", "Ignored": "x"}, mapping)
    assert (response.response_id, response.account_id, response.contact_id) == ("9001", "acme", "p-7")
    assert response.properties == {"plan": "enterprise"}
    assert mapping.columns() >= {"Response ID", "Company", "Plan"}


def test_a_mapping_refuses_fields_that_do_not_exist() -> None:
    with pytest.raises(ValueError, match="nps_score"):
        ColumnMapping.model_validate({"nps_score": "Score"})


def test_the_rows_program_and_kind_win_over_the_imports_defaults() -> None:
    defaults = ImportDefaults(vendor="generic", program="employee", kind=SurveyKind.TRANSACTIONAL)
    from_defaults = parse_row(GOOD, ColumnMapping(), defaults)
    from_row = parse_row(GOOD | {"program": "partner", "kind": "Relational"}, ColumnMapping(), defaults)
    assert isinstance(from_defaults, CanonicalResponse) and isinstance(from_row, CanonicalResponse)
    assert (from_defaults.program, from_defaults.kind) == ("employee", SurveyKind.TRANSACTIONAL)
    assert (from_row.program, from_row.kind) == ("partner", SurveyKind.RELATIONAL)


# Lenient where harmless ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "score"), [("7", 7), (" 7 ", 7), ("7.0", 7), (7, 7), (7.0, 7), ("0", 0), (10, 10)]
)
def test_scores_as_text_or_whole_floats_are_read(value: object, score: int) -> None:
    assert parse_score(value) == score


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01T09:30:00+01:00", datetime(2025, 3, 1, 8, 30, tzinfo=UTC)),
        ("2025-03-01T09:30:00Z", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        ("2025-03-01 09:30:00", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),  # no zone: UTC
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
        ("1740821400", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),  # Unix seconds
        (1740821400, datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        (1740821400.5, datetime(2025, 3, 1, 9, 30, 0, 500000, tzinfo=UTC)),
        ("1740821400000", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),  # milliseconds
    ],
)
def test_times_in_iso_with_or_without_zone_or_unix_seconds_are_read(
    value: object, expected: datetime
) -> None:
    assert parse_timestamp(value) == expected


def test_empty_cells_are_missing_and_json_number_ids_are_text() -> None:
    response = parsed(GOOD | {"response_id": 1042, "comment": "   ", "touchpoint": ""})
    assert response.response_id == "1042" and response.comment is None and response.touchpoint is None
    assert parsed(GOOD | {"response_id": 1042.0}).response_id == "1042"


# Strict where a guess would skew NPS -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["11", 11, "-1", "ten", "7.5", 7.5, True, "", "nan", float("inf")])
def test_scores_outside_0_to_10_or_not_whole_are_refused(value: object) -> None:
    reasons = refused(GOOD | {"score": value})
    assert set(reasons) == {"score"}
    assert "score" in reasons["score"]


def test_every_reason_of_a_row_is_given_at_once_by_the_files_column_name() -> None:
    mapping = ColumnMapping(account_id="Company", score="NPS", submitted_at="When", contact_id="Who")
    row = {
        "response_id": "r-1",
        "Company": "",
        "NPS": "ten",
        "When": "yesterday",
        "Who": "c d",
        "kind": "weekly",
    }
    reasons = refused(row, mapping)
    assert set(reasons) == {"Company", "NPS", "When", "Who", "kind"}
    assert reasons["Company"] == "missing: account_id is required"
    assert reasons["NPS"] == "score must be a whole number from 0 to 10, got 'ten'"
    assert "ISO 8601" in reasons["When"] and "'yesterday'" in reasons["When"]
    assert "letters, digits" in reasons["Who"] and "'c d'" in reasons["Who"]
    assert "relational or transactional" in reasons["kind"]


@pytest.mark.parametrize("missing", ["response_id", "account_id", "contact_id", "score", "submitted_at"])
def test_each_required_field_missing_is_refused(missing: str) -> None:
    row = dict(GOOD)
    del row[missing]
    assert refused(row) == {missing: f"missing: {missing} is required"}


def test_a_comment_over_the_limit_is_refused_with_the_limit() -> None:
    assert refused(GOOD | {"comment": "x" * 5001})["comment"].startswith(
        "comment is longer than 5000 characters"
    )


def test_a_nested_value_is_refused_where_text_is_expected() -> None:
    assert refused(GOOD | {"account_id": {"id": 1}}) == {"account_id": "expected text, got {'id': 1}"}


def test_field_errors_are_plain_data() -> None:
    assert FieldError(field="score", reason="x").model_dump() == {"field": "score", "reason": "x"}


# Reading the file: row numbers ----------------------------------------------------------------------

HEADER = "response_id,account_id,contact_id,score,submitted_at,comment\n"


def rows_of(text: str, mapping: ColumnMapping | None = None) -> list[dict[str, Any]]:
    return list(csv_rows(text.splitlines(keepends=True), mapping or ColumnMapping()))


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    text = HEADER + 'r-1,a,c,9,2025-01-01,"two\nlines"\n\nr-2,a,c,8,2025-01-02,ok\n'
    rows = rows_of(text)
    # The header is row 1; a quoted line break stays inside its row; a blank row keeps its number.
    assert [row["row"] for row in rows] == [2, 4]
    assert rows[0]["fields"]["comment"] == "two\nlines"


def test_csv_rows_keep_only_the_mapped_columns() -> None:
    rows = rows_of("response_id,account_id,contact_id,score,submitted_at,Secret\nr,a,c,9,2025-01-01,x\n")
    assert "Secret" not in rows[0]["fields"]


def test_a_row_csv_cannot_read_is_an_error_of_its_own() -> None:
    text = HEADER + 'r-1,a,c,9,2025-01-01,ok,EXTRA\nr-2,a,c,8,2025-01-02,fine\nr-3,a,"c,7,2025-01-03,x\n'
    rows = rows_of(text)
    assert rows[0] == {
        "row": 2,
        "field": "(row)",
        "reason": "7 values but the header has 6 columns (a comma in an unquoted cell?)",
    }
    assert rows[1]["row"] == 3 and "fields" in rows[1]
    assert rows[2]["row"] == 4 and rows[2]["reason"].startswith("unreadable CSV (line 4)")


def test_a_header_without_a_required_column_stops_the_import_before_any_row() -> None:
    with pytest.raises(MissingColumns, match=r"score \(column 'NPS'\)"):
        rows_of(HEADER + "r,a,c,9,2025-01-01,x\n", ColumnMapping(score="NPS"))


def test_json_lines_are_numbered_by_line_and_read_nested_columns() -> None:
    lines = [
        '{"id": "r-1", "person": {"account": "acme"}, "score": 9}\n',
        "\n",
        "[1, 2]\n",
        "{not json\n",
    ]
    rows = list(json_lines_rows(lines, ColumnMapping(response_id="id", account_id="person.account")))
    assert rows[0] == {"row": 1, "fields": {"id": "r-1", "person.account": "acme", "score": 9}}
    assert rows[1] == {"row": 3, "field": "(row)", "reason": "not a JSON object"}
    assert rows[2]["row"] == 4 and rows[2]["reason"].startswith("not valid JSON")


def test_the_format_is_known_by_the_extension() -> None:
    assert SourceFormat.of("uploads/x.jsonl") is SourceFormat.JSON_LINES
    assert SourceFormat.of("x.NDJSON") is SourceFormat.JSON_LINES
    assert SourceFormat.of("x.csv") is SourceFormat.CSV


# Import ids and votes -------------------------------------------------------------------------------


def test_an_import_id_is_the_same_for_the_same_content_imported_the_same_way() -> None:
    digest = spec_digest(ColumnMapping(), DEFAULTS)
    first = import_id_for("uploads/Vendor History 2025.csv", "abc123", digest)
    assert first == import_id_for("elsewhere/Vendor History 2025.csv", "abc123", digest)
    assert first.startswith("Vendor-History-2025-") and len(first) <= 80
    assert first != import_id_for("Vendor History 2025.csv", "abc124", digest)  # other content
    other_way = spec_digest(ColumnMapping(score="NPS"), DEFAULTS)
    assert first != import_id_for("Vendor History 2025.csv", "abc123", other_way)
    assert spec_digest(ColumnMapping(), ImportDefaults(vendor="typeform")) != digest


def test_a_mapping_can_be_uploaded_beside_the_file() -> None:
    assert sidecar_key("uploads/2025/history.csv") == "uploads/2025/history.mapping.json"


T0 = datetime(2025, 2, 1, tzinfo=UTC)


def vote(contact: str, response: str, days: int, band: Band = Band.PASSIVE) -> Vote:
    at = T0 + timedelta(days=days)
    return Vote(contact_id=contact, response_id=response, band=band, score=7, submitted_at=at, revised_at=at)


def test_a_chunks_votes_reduce_to_each_contacts_latest_in_any_order() -> None:
    votes = [vote("c-1", "r-2", 5), vote("c-2", "r-3", 1), vote("c-1", "r-1", 1), vote("c-1", "r-4", 9)]
    assert latest_votes(votes) == [votes[3], votes[1]]
    assert latest_votes(reversed(votes)) == [votes[3], votes[1]]  # first seen: c-1, then c-2

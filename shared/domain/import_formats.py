"""A history file's text into numbered rows: what Split writes into chunks.

Each row is a JSON-ready dict, either `{"row": n, "fields": {column: value}}` with only the columns
the import reads, or `{"row": n, "field": "(row)", "reason": why}` for a row that cannot even be read
(broken CSV quoting, a line that is not a JSON object). Row numbers are what a person opening the
file sees: for CSV the spreadsheet row (the header is row 1, so the first answer is row 2, and a
comment with line breaks inside its quotes is still one row); for JSON lines the line number. Blank
rows are skipped but keep their numbers.

Pure: it reads any iterable of text lines (a file, a stream from S3, a list in a test).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any, Protocol

WHOLE_ROW = "(row)"  # the report's field for a row that could not be read at all


class SourceFormat(StrEnum):
    CSV = "csv"
    JSON_LINES = "jsonl"

    @classmethod
    def of(cls, name: str) -> SourceFormat:
        """By the file's extension: .jsonl / .ndjson are JSON lines, anything else is CSV."""
        lowered = name.lower()
        return cls.JSON_LINES if lowered.endswith((".jsonl", ".ndjson", ".jsonl.txt")) else cls.CSV


class Columns(Protocol):
    """What a file's rows are read for: a response mapping (ColumnMapping) or the signal columns."""

    def columns(self) -> set[str]: ...

    def missing_required(self, header: list[str]) -> list[str]: ...


class MissingColumns(ValueError):
    """The CSV header lacks a column the mapping needs for a required field: every row would fail."""

    def __init__(self, missing: list[str], header: list[str]) -> None:
        super().__init__(
            f"the file has no column for {', '.join(missing)}; its columns are {header}. "
            "Rename them, or (for responses) map them with --map field=Column or a mapping file."
        )


def csv_rows(lines: Iterable[str], mapping: Columns) -> Iterator[dict[str, Any]]:
    """The rows of a CSV file after its header row. Raises MissingColumns at the header if a
    required field has no column: better one clear error than the same error on every row."""
    columns = mapping.columns()
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    row = 0
    ended_on_line = 0
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # strict: a stray quote is an error here instead of a silently merged row. The reader
            # goes on from the next line, so one bad row costs only itself (and the lines it spans).
            first, ended_on_line = ended_on_line + 1, reader.line_num
            reason = f"unreadable CSV ({_lines(first, ended_on_line)}): {error}"
            yield {"row": row, "field": WHOLE_ROW, "reason": reason}
            continue
        ended_on_line = reader.line_num
        if header is None:
            header = [name.strip() for name in record]
            if missing := mapping.missing_required(header):
                raise MissingColumns(missing, header)
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            # More values than columns: a comma outside quotes has shifted the cells, and none of
            # them can be trusted. Fewer values are read as empty trailing cells.
            yield {
                "row": row,
                "field": WHOLE_ROW,
                "reason": f"{len(record)} values but the header has {len(header)} columns "
                "(a comma in an unquoted cell?)",
            }
            continue
        fields = {name: value for name, value in zip(header, record, strict=False) if name in columns}
        yield {"row": row, "fields": fields}


def json_lines_rows(lines: Iterable[str], mapping: Columns) -> Iterator[dict[str, Any]]:
    """The rows of a JSON-lines file: one JSON object a line. A column may be a dotted path into
    nested objects ("person.email"), as vendors' JSON exports nest them."""
    columns = mapping.columns()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            yield {"row": number, "field": WHOLE_ROW, "reason": f"not valid JSON: {error}"}
            continue
        if not isinstance(value, dict):
            yield {"row": number, "field": WHOLE_ROW, "reason": "not a JSON object"}
            continue
        fields = {column: found for column in columns if (found := _lookup(value, column)) is not None}
        yield {"row": number, "fields": fields}


def _lookup(value: dict[str, Any], column: str) -> Any:
    if column in value:
        return value[column]
    found: Any = value
    for part in column.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def _lines(first: int, last: int) -> str:
    return f"line {last}" if first >= last else f"lines {first}-{last}"

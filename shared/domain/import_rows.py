"""One row of an imported response history (a vendor's CSV or JSON-lines export) into a canonical
response, or the reasons it cannot be one.

Lenient where a history export is harmlessly loose, strict where a guess would skew NPS:
- a score may be "7", " 7 ", "7.0" or 7.0; never 7.5, 11, "ten" or true;
- a time may be ISO 8601 with a zone, ISO 8601 without one (taken as UTC: exports rarely say, and a
  few hours only move an answer between quarters on the last evening of a quarter), a date alone
  (midnight UTC), or Unix seconds (or milliseconds: no time in seconds is that large);
- empty cells are missing values; ids that arrive as JSON numbers are taken as text.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.models import DEFAULT_PROGRAM, CanonicalResponse, Identifier, SurveyKind

# The canonical fields a file's columns can map to, in the order the error report lists them.
CANONICAL_FIELDS = (
    "response_id",
    "account_id",
    "contact_id",
    "contact_email",
    "score",
    "comment",
    "submitted_at",
    "kind",
    "touchpoint",
    "program",
    "survey_id",
    "product_line",
)
REQUIRED_FIELDS = ("response_id", "account_id", "contact_id", "score", "submitted_at")

# Unix times at or above this are milliseconds: in seconds it would be the year 5138.
_MILLISECONDS_FROM = 100_000_000_000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class ColumnMapping(BaseModel):
    """Which column of the file holds each canonical field. Identity by default, so a file whose
    header already uses the canonical names needs no mapping. `properties` copies further columns
    into the response's properties (name in npsops → column in the file)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    response_id: str = Field(default="response_id", min_length=1)
    account_id: str = Field(default="account_id", min_length=1)
    contact_id: str = Field(default="contact_id", min_length=1)
    contact_email: str = Field(default="contact_email", min_length=1)
    score: str = Field(default="score", min_length=1)
    comment: str = Field(default="comment", min_length=1)
    submitted_at: str = Field(default="submitted_at", min_length=1)
    kind: str = Field(default="kind", min_length=1)
    touchpoint: str = Field(default="touchpoint", min_length=1)
    program: str = Field(default="program", min_length=1)
    survey_id: str = Field(default="survey_id", min_length=1)
    product_line: str = Field(default="product_line", min_length=1)
    properties: dict[str, str] = Field(default_factory=dict, max_length=50)

    def column(self, field: str) -> str:
        return str(getattr(self, field))

    def columns(self) -> set[str]:
        """Every column the import reads; the others are dropped when the file is split."""
        return {self.column(f) for f in CANONICAL_FIELDS} | set(self.properties.values())

    def missing_required(self, header: list[str]) -> list[str]:
        """Required fields whose column is not in a CSV header, as `field (column 'X')`."""
        present = set(header)
        return [
            f"{field} (column {self.column(field)!r})"
            for field in REQUIRED_FIELDS
            if self.column(field) not in present
        ]


class ImportDefaults(BaseModel):
    """What every row of one import shares, or falls back to when its own cell is empty."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    # The vendor whose ids the file carries: the key is {vendor}-{response_id}, the same key that
    # vendor's live webhooks store, so history and live answers never count twice.
    vendor: Identifier = "generic"
    program: Identifier = DEFAULT_PROGRAM
    kind: SurveyKind = SurveyKind.RELATIONAL


class FieldError(BaseModel):
    """Why a row was refused: the file's column (or "(row)" for the whole row) and the reason."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    field: str
    reason: str


class RowError(FieldError):
    row: int = Field(ge=1)


def parse_row(
    fields: Mapping[str, Any], mapping: ColumnMapping, defaults: ImportDefaults
) -> CanonicalResponse | list[FieldError]:
    """The canonical response a row stands for, or every reason it cannot be one."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {"vendor": defaults.vendor}
    for field in CANONICAL_FIELDS:
        column = mapping.column(field)
        raw = _cell(fields, column)
        if raw is None:
            if field in REQUIRED_FIELDS:
                errors.append(FieldError(field=column, reason=f"missing: {field} is required"))
            continue
        try:
            values[field] = _CONVERTERS.get(field, _text)(raw)
        except ValueError as error:
            errors.append(FieldError(field=column, reason=str(error)))
    values.setdefault("program", defaults.program)
    values.setdefault("kind", defaults.kind)
    properties: dict[str, str] = {}
    for name, column in mapping.properties.items():
        if (raw := _cell(fields, column)) is None:
            continue
        try:
            properties[name] = _text(raw)
        except ValueError as error:
            errors.append(FieldError(field=column, reason=str(error)))
    if properties:
        values["properties"] = properties
    try:
        response = CanonicalResponse(**values)
    except ValidationError as invalid:
        # Every reason at once, so one pass over the report fixes the row; a field already refused
        # above is not reported again as missing.
        refused = {error.field for error in errors}
        errors += [
            problem
            for problem in (_field_error(error, mapping) for error in invalid.errors())
            if problem.field not in refused
        ]
        return errors
    return errors or response


def _cell(fields: Mapping[str, Any], column: str) -> Any:
    return _blank_to_none(fields.get(column))


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _text(value: Any) -> str:
    """Ids and text. JSON numbers are taken as their digits (an id of 1042.0 is "1042")."""
    if isinstance(value, bool | dict | list):
        raise ValueError(f"expected text, got {_shown(value)}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_score(value: Any) -> int:
    """0-10 as a whole number: 7, 7.0, "7" and "7.0" are all 7."""
    reason = f"score must be a whole number from 0 to 10, got {_shown(value)}"
    if isinstance(value, bool):
        raise ValueError(reason)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(reason)
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        try:
            number = Decimal(value.strip())
        except InvalidOperation as error:
            raise ValueError(reason) from error
    else:
        raise ValueError(reason)
    if number != number.to_integral_value() or not 0 <= number <= 10:
        raise ValueError(reason)
    return int(number)


def parse_timestamp(value: Any, field: str = "submitted_at") -> datetime:
    """ISO 8601 (with a zone; without one it is UTC), a date (midnight UTC), or Unix seconds or
    milliseconds, as a number or as digits."""
    reason = (
        f"{field} must be an ISO 8601 time (2026-03-01T09:30:00+01:00; without a zone it is "
        f"taken as UTC) or Unix seconds, got {_shown(value)}"
    )
    if isinstance(value, bool):
        raise ValueError(reason)
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value.strip())):
        try:
            seconds = float(value)
        except ValueError as error:
            raise ValueError(reason) from error
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(reason)
        if seconds >= _MILLISECONDS_FROM:
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise ValueError(reason) from error
    if not isinstance(value, str):
        raise ValueError(reason)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(reason) from error
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_kind(value: Any) -> SurveyKind:
    try:
        return SurveyKind(str(value).strip().lower())
    except ValueError as error:
        raise ValueError(f"kind must be relational or transactional, got {_shown(value)}") from error


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "score": parse_score,
    "submitted_at": parse_timestamp,
    "kind": parse_kind,
}

# pydantic's messages, in words a person fixing a spreadsheet understands.
_REASONS = {
    "string_pattern_mismatch": "may hold only letters, digits and . _ : @ + - and must start with a "
    "letter or digit",
    "string_too_long": "is too long",
}


def _field_error(error: Any, mapping: ColumnMapping) -> FieldError:
    location = error.get("loc", ())
    field = str(location[0]) if location else ""
    column = mapping.column(field) if field in CANONICAL_FIELDS else "(row)"
    if field == "properties" and len(location) > 1:
        column = mapping.properties.get(str(location[1]), column)
    limit = (error.get("ctx") or {}).get("max_length")
    detail = _REASONS.get(error.get("type", ""), error.get("msg", "is invalid"))
    if error.get("type") == "string_too_long" and limit:
        detail = f"is longer than {limit} characters"
    return FieldError(field=column, reason=f"{field or 'row'} {detail}, got {_shown(error.get('input'))}")


def _shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

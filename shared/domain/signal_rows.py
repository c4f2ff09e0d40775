"""One row of a signals file (a warehouse or CRM export, CSV or JSON lines) into a Signal, or the
reasons it cannot be one.

A row names its account, quarter, kind and as_of, and holds the kind's values either flat, one
column per value (`active_users`, `seats`, ... as a CSV has them), or nested in a `values` object
(as the signals API takes them, one JSON object a line). Cells of values that are not the row's kind
are ignored: one CSV can hold every kind, each row filling the columns of its own. `product_lines`
is a list in JSON, or `;`-separated in a cell. as_of reads like an answer's submitted_at (ISO 8601,
zone-less as UTC, a date, or Unix time).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from shared.domain.import_rows import FieldError, parse_timestamp
from shared.domain.signals import VALUES_BY_KIND, Signal, SignalKind

SCOPE_COLUMNS = ("account_id", "quarter", "kind", "as_of")
NESTED_VALUES = "values"
LIST_SEPARATOR = ";"
_PATTERN_REASONS = {
    "quarter": "quarter must be a year and quarter like 2026-Q4",
    "account_id": "account_id may hold only letters, digits and . _ : @ + -",
}
VALUE_COLUMNS = tuple(dict.fromkeys(name for model in VALUES_BY_KIND.values() for name in model.model_fields))


class SignalColumns:
    """The columns a signals import reads: the canonical names (signals files need no mapping)."""

    def columns(self) -> set[str]:
        return {*SCOPE_COLUMNS, NESTED_VALUES, *VALUE_COLUMNS}

    def missing_required(self, header: list[str]) -> list[str]:
        return [f"{column} (column {column!r})" for column in SCOPE_COLUMNS if column not in header]


def parse_signal_row(fields: Mapping[str, Any]) -> Signal | list[FieldError]:
    """The signal a row stands for, or every reason it cannot be one."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for column in SCOPE_COLUMNS:
        raw = _blank_to_none(fields.get(column))
        if raw is None:
            errors.append(FieldError(field=column, reason=f"missing: {column} is required"))
        elif column == "as_of":
            try:
                values[column] = parse_timestamp(raw, column)
            except ValueError as error:
                errors.append(FieldError(field=column, reason=str(error)))
        else:
            values[column] = raw
    kind = _kind(values.get("kind"))
    if "kind" in values and kind is None:
        errors.append(FieldError(field="kind", reason=f"kind must be one of {[k.value for k in SignalKind]}"))
        values.pop("kind")
    if kind is not None:
        values["kind"] = kind
        nested = _values(fields, kind)
        if isinstance(nested, dict):
            values[NESTED_VALUES] = nested
        else:
            reason = f"values must be an object of {kind} values"
            errors.append(FieldError(field=NESTED_VALUES, reason=reason))
    if errors:
        # The rest is checked too, so one pass over the report fixes the row (values cannot be
        # checked without a kind: not "missing" again).
        refused = {error.field for error in errors} | ({NESTED_VALUES} - values.keys())
        return errors + [e for e in _validation_errors(values) if e.field not in refused]
    try:
        return Signal.model_validate(values)
    except ValidationError as invalid:
        return _field_errors(invalid)


def _kind(raw: Any) -> SignalKind | None:
    try:
        return SignalKind(str(raw).strip().lower()) if raw is not None else None
    except ValueError:
        return None


def _values(fields: Mapping[str, Any], kind: SignalKind) -> Any:
    nested = fields.get(NESTED_VALUES)
    if nested is not None:
        return nested  # as given: Signal refuses what is not an object of the kind's values
    found: dict[str, Any] = {}
    for name, field in VALUES_BY_KIND[kind].model_fields.items():
        raw = _blank_to_none(fields.get(name))
        if raw is None:
            continue
        is_list = getattr(field.annotation, "__origin__", None) is list
        if is_list and isinstance(raw, str):
            raw = [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]
        found[name] = raw
    return found


def _validation_errors(values: dict[str, Any]) -> list[FieldError]:
    try:
        Signal.model_validate(values)
    except ValidationError as invalid:
        return [e for e in _field_errors(invalid) if e.field not in SCOPE_COLUMNS or e.field in values]
    return []


def _field_errors(invalid: ValidationError) -> list[FieldError]:
    """Pydantic's errors named by the file's column: a value's own name (`seats`), not its path
    through the kind's model (`values.Usage.seats`)."""
    errors: list[FieldError] = []
    for error in invalid.errors():
        names = [str(part) for part in error["loc"] if isinstance(part, str)]
        column = names[-1] if names else NESTED_VALUES
        if column in {kind.title() for kind in VALUES_BY_KIND} or not names:
            column = NESTED_VALUES
        reason = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            reason = f"missing: {column} is required"
        elif error["type"] == "string_pattern_mismatch":
            reason = _PATTERN_REASONS.get(column, reason) + f", got {error['input']!r}"
        errors.append(FieldError(field=column, reason=reason))
    return errors


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value

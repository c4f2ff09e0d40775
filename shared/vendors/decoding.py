"""What every vendor module needs to read a delivery: body decoding, scores, timestamps, signatures.

Vendors label bodies wrongly (form data sent as JSON and the reverse), send scores as strings and
timestamps in four shapes, so the tolerant reading lives here, once, and every module refuses the
same things the same way: a `PayloadError` naming the field.

`verify` functions raise only `SignatureError`: a delivery that cannot be authenticated is refused
before anything in it is trusted, whatever else is wrong with it.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import unquote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.vendors.base import Connection, Delivery, Identity, PayloadError, SignatureError

# The Identifier pattern of shared.domain.models: response ids end up in keys and execution names.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$")
_IDENTIFIER_MAX = 64
_EVENT_ID_MAX = 200
_COMMENT_MAX = 5000
# `a[b][c]` in form bodies (Rails/PHP style nesting, as Wootric sends it).
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_FORM_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
# "2016-08-04 13:57:26 -0700": ISO but for the space before the offset.
_SPACED_OFFSET = re.compile(r"^(.*\d)\s+([+-]\d{2}:?\d{2}|Z|UTC|GMT)$", re.IGNORECASE)
_UNIX_SECONDS = re.compile(r"^\d+(\.\d+)?$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


# --- bodies ---------------------------------------------------------------------------------------


def decode_body(body: bytes) -> dict[str, Any]:
    """A JSON object if the body starts with `{`, else form fields (`a[b]=v` nested into dicts).

    Decided from the bytes, never from Content-Type: vendors get that header wrong both ways."""
    try:
        text = body.decode("utf-8").lstrip("\ufeff \t\r\n")
    except UnicodeDecodeError as error:
        raise PayloadError("body", "not UTF-8", undecodable=True) from error
    if not text:
        raise PayloadError("body", "empty", undecodable=True)
    if text.startswith("{"):
        try:
            decoded = json.loads(text)
        except ValueError as error:
            raise PayloadError("body", f"invalid JSON: {error}", undecodable=True) from error
        if not isinstance(decoded, dict):  # cannot happen for text starting with "{"; keeps mypy honest
            raise PayloadError("body", "not a JSON object", undecodable=True)
        return decoded
    return _decode_form(text)


def _decode_form(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    # Pairs are stripped: Wootric's documented example has a line break after every `&`.
    for pair in (piece.strip() for piece in text.split("&")):
        if not pair:
            continue
        raw_key, equals, raw_value = pair.partition("=")
        if not equals:
            raise PayloadError("body", "neither a JSON object nor form fields", undecodable=True)
        key, value = unquote_plus(raw_key), unquote_plus(raw_value)
        match = _FORM_KEY.match(key)
        if match is None:
            raise PayloadError("body", f"malformed form key {key!r}", undecodable=True)
        path = [match.group(1), *_FORM_SEGMENT.findall(match.group(2))]
        _put(fields, path, value, key)
    if not fields:
        raise PayloadError("body", "no form fields", undecodable=True)
    return fields


def _put(fields: dict[str, Any], path: list[str], value: str, key: str) -> None:
    node = fields
    for name in path[:-1]:
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise PayloadError("body", f"form key {key!r} conflicts with another", undecodable=True)
        node = child
    last = path[-1]
    if last == "":  # `a[]=x`: a list
        raise PayloadError("body", f"form key {key!r}: lists are not supported", undecodable=True)
    if last in node:
        # A signed body with a repeated key means whatever the reader picks: refuse it instead.
        raise PayloadError("body", f"form key {key!r} repeated or conflicting", undecodable=True)
    node[last] = value


# --- values ---------------------------------------------------------------------------------------


def parse_score(value: object, field: str) -> int | None:
    """0-10 from an int, an integral float or a string of one; None when not answered."""
    if value is None:
        return None
    number: float
    if isinstance(value, bool):
        raise PayloadError(field, f"not a score: {value!r}")
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        if not value.strip():
            return None
        if not _DECIMAL.match(value.strip()):  # float() would also take "1e1", "1_0", "nan"
            raise PayloadError(field, f"not a score: {value!r}")
        number = float(value.strip())
    else:
        raise PayloadError(field, f"not a score: {value!r}")
    if not (isinstance(number, int) or number.is_integer()) or not 0 <= number <= 10:
        raise PayloadError(field, f"not a score from 0 to 10: {value!r}")
    return int(number)


def parse_timestamp(value: object, field: str, naive_zone: str = "UTC") -> datetime:
    """A UTC datetime from Unix seconds, ISO 8601, "YYYY-MM-DD HH:MM:SS -0700", or a zone-less form
    read in `naive_zone` (Qualtrics sends local times without saying which zone)."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if not isinstance(value, str) or not value.strip():
            raise PayloadError(field, f"not a timestamp: {value!r}")
        text = value.strip()
        if _UNIX_SECONDS.match(text):
            return datetime.fromtimestamp(float(text), UTC)
        spaced = _SPACED_OFFSET.match(text)
        if spaced:
            offset = spaced.group(2).upper()
            text = spaced.group(1) + ("+00:00" if offset in ("Z", "UTC", "GMT") else offset)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise PayloadError(field, f"not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_zone(naive_zone))
    return parsed.astimezone(UTC)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PayloadError("connection.naive_timezone", f"unknown time zone {name!r}") from None


def identifier(value: object, field: str) -> str:
    """A vendor id as an Identifier (numbers accepted: Wootric ids are JSON integers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise PayloadError(field, "missing")
    if len(value) > _IDENTIFIER_MAX or not _IDENTIFIER.match(value):
        raise PayloadError(field, f"not a usable id: {value[:80]!r}")
    return value


def event_id(value: object, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(field, "missing")
    if len(value) > _EVENT_ID_MAX:
        raise PayloadError(field, f"longer than {_EVENT_ID_MAX} characters")
    return value


def text(value: object, field: str) -> str | None:
    """Free text; blank is None. Cut at the model's limit rather than refusing a real answer."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(field, f"not text: {value!r}")
    stripped = value.strip()
    return stripped[:_COMMENT_MAX] or None


def mapping(value: object, field: str, *, optional: bool = False) -> dict[str, Any]:
    """An object at `field`; with optional=True, a missing or null one is empty."""
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(field, "missing" if value is None else "not an object")
    return value


def items(value: object, field: str) -> list[Any]:
    """A list at `field`; missing or null is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(field, "not a list")
    return value


def properties(values: Mapping[str, object]) -> dict[str, str]:
    """Custom properties as strings; nested and null values are dropped (they are not properties)."""
    result: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            result[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            result[key] = str(value)
    return result


def identity(
    props: Mapping[str, str],
    connection: Connection,
    *,
    email: str | None = None,
    contact_id: str | None = None,
) -> Identity:
    """The account and contact from the properties the connection names; the connection's property
    wins over a vendor's own external-id field because the user chose it."""
    return Identity(
        account_id=props.get(connection.account_property) or None,
        contact_id=props.get(connection.contact_property) or contact_id or None,
        email=email or None,
    )


def string_or_none(value: object) -> str | None:
    """An optional id-like value (a string or a number) as a string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int):
        return str(value) or None
    return None


def required_question(question: str | None) -> str:
    """Vendors whose answers are keyed by question id cannot find the score without it."""
    if not question:
        raise PayloadError("connection.nps_question", "not set: which question is the NPS one?")
    return question


# --- signatures -----------------------------------------------------------------------------------


def header(delivery: Delivery, name: str) -> str:
    value = delivery.header(name)
    if value is None or not value.strip():
        raise SignatureError(f"missing {name}")
    return value.strip()


def check_signature(expected: str, given: str) -> None:
    """Constant-time comparison (bytes: compare_digest refuses non-ASCII str)."""
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError("signature does not match")

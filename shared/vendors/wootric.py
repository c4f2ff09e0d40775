"""Wootric (InMoment): a `response` or a `decline`, as JSON or as bracket-nested form fields.

Wootric sends both encodings under either Content-Type, so the body decides. Declines (the survey
was dismissed) carry no score. Timestamps come with the sender's local offset.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime

import shared.vendors.decoding as d
from shared.vendors.base import Answer, Connection, Delivery, Ignored, Parsed, PayloadError

SIGNATURE_HEADER = "X-Wootric-Signature"
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """`sha1=<hex HMAC-SHA1(secret, raw body)>`; no timestamp is signed."""
    given = d.header(delivery, SIGNATURE_HEADER)
    expected = "sha1=" + hmac.new(secret.encode(), delivery.body, hashlib.sha1).hexdigest()
    d.check_signature(expected, given.lower())


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    try:
        payload = d.decode_body(delivery.body)
    except PayloadError:
        if _is_decline(delivery.body):
            return Ignored(reason="declined")
        raise
    if "decline" in payload:
        return Ignored(reason="declined")
    mode = payload.get("survey_mode")
    if mode is not None and str(mode).upper() != "NPS":  # CES and CSAT surveys use the same hook
        return Ignored(reason=f"wootric {mode!r} survey, not NPS")

    response = d.mapping(payload.get("response"), "response")
    response_id = d.identifier(response.get("id"), "response.id")
    submitted_at = d.parse_timestamp(response.get("created_at"), "response.created_at")
    updated = response.get("updated_at")
    revised_at = d.parse_timestamp(updated, "response.updated_at") if updated else submitted_at
    props = d.properties(
        d.mapping(response.get("end_user_properties"), "response.end_user_properties", optional=True)
    )
    return Answer(
        response_id=response_id,
        # Wootric sends no delivery id. A redelivery repeats the response's id and updated_at; an
        # edited response has a new updated_at. Normalised to UTC so both encodings agree.
        event_id=f"{response_id}:{revised_at.isoformat()}",
        revised_at=revised_at,
        submitted_at=submitted_at,
        score=d.parse_score(response.get("score"), "response.score"),
        comment=d.text(response.get("text"), "response.text"),
        identity=d.identity(
            props,
            connection,
            email=d.text(response.get("email"), "response.email"),
            contact_id=d.string_or_none(response.get("external_id")),
        ),
        survey_id=d.string_or_none(response.get("survey_id")),
        properties=props,
    )


def _is_decline(body: bytes) -> bool:
    """Wootric's documented decline has a trailing comma, so it is not JSON. Read leniently only to
    recognise it: nothing from a body that failed to decode is ever used as an answer."""
    try:
        lenient = json.loads(_TRAILING_COMMA.sub(r"\1", body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(lenient, dict) and "decline" in lenient

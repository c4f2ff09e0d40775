"""Delighted: `survey_response.created` / `.updated` events carrying the whole response.

The comment often comes in a later `.updated` event; both carry the same `event_data.id`, and
`updated_at` orders them. Redeliveries repeat `event_id`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import shared.vendors.decoding as d
from shared.vendors.base import Answer, Connection, Delivery, Ignored, Parsed

SIGNATURE_HEADER = "X-Delighted-Webhook-Signature"
EVENTS = frozenset({"survey_response.created", "survey_response.updated"})


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """`sha256=<hex HMAC-SHA256(secret, raw body)>`. Delighted signs no timestamp: no replay window."""
    given = d.header(delivery, SIGNATURE_HEADER)
    expected = "sha256=" + hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    d.check_signature(expected, given.lower())


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    payload = d.decode_body(delivery.body)
    event_type = payload.get("event_type")
    if event_type not in EVENTS:
        return Ignored(reason=f"delighted event {event_type!r} carries no response")
    data = d.mapping(payload.get("event_data"), "event_data")
    survey_type = data.get("survey_type")
    if survey_type is not None and survey_type != "nps":  # CSAT, CES, ... share the webhook
        return Ignored(reason=f"delighted {survey_type!r} survey, not NPS")

    submitted_at = d.parse_timestamp(data.get("created_at"), "event_data.created_at")
    updated = data.get("updated_at")
    revised_at = (
        submitted_at if updated in (None, "") else d.parse_timestamp(updated, "event_data.updated_at")
    )
    person = d.mapping(data.get("person"), "event_data.person", optional=True)
    props = d.properties(
        d.mapping(data.get("person_properties"), "event_data.person_properties", optional=True)
    )
    # person.id is Delighted's own id for the person, not the customer's: it is not a contact id
    # (taken as one it could match another customer's contact in the directory).
    return Answer(
        response_id=d.identifier(data.get("id"), "event_data.id"),
        event_id=d.event_id(payload.get("event_id"), "event_id"),
        revised_at=revised_at,
        submitted_at=submitted_at,
        score=d.parse_score(data.get("score"), "event_data.score"),
        comment=d.text(data.get("comment"), "event_data.comment"),
        identity=d.identity(props, connection, email=d.text(person.get("email"), "event_data.person.email")),
        properties=props,
        tags=[tag for tag in d.items(data.get("tags"), "event_data.tags") if isinstance(tag, str)],
    )

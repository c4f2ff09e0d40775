"""Formbricks: `responseCreated`, `responseUpdated`*, `responseFinished` for one `data.id`.

Answers (and hidden fields) are in `data.data` keyed by question id; each event carries the answers
so far, so an early event may have no score yet. Signed as Standard Webhooks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime
from typing import Any

import shared.vendors.decoding as d
from shared.vendors.base import (
    Answer,
    Connection,
    Delivery,
    Ignored,
    Parsed,
    PayloadError,
    Ping,
    SignatureError,
)

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENTS = frozenset({"responseCreated", "responseUpdated", "responseFinished"})


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """Standard Webhooks: any `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` in the
    space-separated list matches (several are sent while a secret rotates). The timestamp is signed,
    so a captured delivery replays only within the tolerance."""
    message_id = d.header(delivery, ID_HEADER)
    timestamp = d.header(delivery, TIMESTAMP_HEADER)
    signatures = d.header(delivery, SIGNATURE_HEADER)
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError(f"invalid {TIMESTAMP_HEADER}") from None
    if abs(now.timestamp() - sent) > tolerance_seconds:
        raise SignatureError(f"{TIMESTAMP_HEADER} outside the {tolerance_seconds} s tolerance")
    signed = f"{message_id}.{timestamp}.".encode() + delivery.body
    expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(expected.encode(), signature.encode()):
            return
    raise SignatureError("signature does not match")


def _key(secret: str) -> bytes:
    """The key is the base64 after `whsec_` (the reference libraries also take it without)."""
    try:
        return base64.b64decode(secret.strip().removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the stored secret is not a whsec_ base64 key") from None


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    payload = d.decode_body(delivery.body)
    event = payload.get("event")
    if event == "testEndpoint":
        return Ping(reason="formbricks testEndpoint")
    if event not in EVENTS:
        return Ignored(reason=f"formbricks event {event!r} carries no response")
    data = d.mapping(payload.get("data"), "data")
    answers = d.mapping(data.get("data"), "data.data", optional=True)
    nps_question = d.required_question(connection.nps_question)
    comment_question = connection.comment_question

    attributes = d.mapping(data.get("contactAttributes"), "data.contactAttributes", optional=True)
    contact = d.mapping(data.get("contact"), "data.contact", optional=True)
    props = d.properties(attributes)
    # Hidden fields (from the survey link) land in data.data beside the answers: they may carry the
    # account, the contact or the email when the respondent is no Formbricks contact.
    for key in (connection.account_property, connection.contact_property, "email"):
        hidden = answers.get(key)
        if key not in props and isinstance(hidden, str | int) and not isinstance(hidden, bool):
            props[key] = str(hidden)
    # userId is the customer's own id for the contact; contact.id is Formbricks' and is not used
    # (it could match another customer's contact in the directory).
    user_id = d.string_or_none(contact.get("userId")) or props.get("userId")
    # Retries resend the same webhook-id; verify() has already required it on signed deliveries.
    delivery_id = delivery.header(ID_HEADER)
    if not delivery_id:
        raise PayloadError(ID_HEADER, "missing header")
    submitted_at = d.parse_timestamp(data.get("createdAt"), "data.createdAt")
    updated = data.get("updatedAt")
    return Answer(
        response_id=d.identifier(data.get("id"), "data.id"),
        event_id=d.event_id(delivery_id, ID_HEADER),
        revised_at=d.parse_timestamp(updated, "data.updatedAt") if updated else submitted_at,
        submitted_at=submitted_at,
        score=d.parse_score(answers.get(nps_question), f"data.data.{nps_question}"),
        comment=(
            d.text(answers.get(comment_question), f"data.data.{comment_question}")
            if comment_question
            else None
        ),
        identity=d.identity(props, connection, email=props.get("email"), contact_id=user_id),
        survey_id=d.string_or_none(data.get("surveyId")),
        properties=props,
        tags=_tags(data.get("tags")),
    )


def _tags(value: object) -> list[str]:
    """Tags are names or `{id, name}` objects depending on the Formbricks version."""
    tags: list[str] = []
    for tag in d.items(value, "data.tags"):
        name: Any = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name:
            tags.append(name)
    return tags

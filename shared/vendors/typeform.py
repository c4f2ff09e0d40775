"""Typeform: one `form_response` event per submitted form, the answers as a typed array.

Typeform retries for hours on 408/423/429/503 with the same `event_id`; `form_response.token` is
the response. Answers name their question by `field.id` and (usually) `field.ref`; the connection
may name the NPS and comment questions by either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

import shared.vendors.decoding as d
from shared.vendors.base import Answer, Connection, Delivery, Ignored, Parsed

SIGNATURE_HEADER = "Typeform-Signature"


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """`sha256=<base64 HMAC-SHA256(secret, raw body)>`; no timestamp is signed."""
    given = d.header(delivery, SIGNATURE_HEADER)
    digest = hmac.new(secret.encode(), delivery.body, hashlib.sha256).digest()
    d.check_signature("sha256=" + base64.b64encode(digest).decode(), given)


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    payload = d.decode_body(delivery.body)
    if payload.get("event_type") != "form_response":
        return Ignored(reason=f"typeform event {payload.get('event_type')!r} carries no response")
    form = d.mapping(payload.get("form_response"), "form_response")
    answers = d.items(form.get("answers"), "form_response.answers")
    for index, answer in enumerate(answers):
        d.mapping(answer, f"form_response.answers[{index}]")
        d.mapping(answer.get("field"), f"form_response.answers[{index}].field")

    refs = _refs(form)
    score_at = _find(answers, refs, connection.nps_question, nps_default=True)
    comment_at = _find(answers, refs, connection.comment_question)
    score = None
    if score_at is not None:
        kind = answers[score_at].get("type")
        score = d.parse_score(_value(answers[score_at]), f"form_response.answers[{score_at}].{kind}")
    comment = None
    if comment_at is not None:
        kind = answers[comment_at].get("type")
        comment = d.text(_value(answers[comment_at]), f"form_response.answers[{comment_at}].{kind}")

    hidden = d.mapping(form.get("hidden"), "form_response.hidden", optional=True)
    props = d.properties(hidden)
    # The hidden field is what the sender put in the link; an email question is what was typed.
    typed_email = next((a.get("email") for a in answers if a.get("type") == "email"), None)
    email = props.get("email") or (typed_email if isinstance(typed_email, str) else None)
    submitted_at = d.parse_timestamp(form.get("submitted_at"), "form_response.submitted_at")
    return Answer(
        response_id=d.identifier(form.get("token"), "form_response.token"),
        event_id=d.event_id(payload.get("event_id"), "event_id"),
        revised_at=submitted_at,  # a Typeform response is submitted once and never revised
        submitted_at=submitted_at,
        score=score,
        comment=comment,
        identity=d.identity(props, connection, email=email),
        survey_id=d.string_or_none(form.get("form_id")),
        properties=props,
    )


def _refs(form: dict[str, Any]) -> dict[str, str]:
    """Field id -> ref from the form definition: older deliveries name answers by id only."""
    definition = form.get("definition")
    fields = definition.get("fields") if isinstance(definition, dict) else None
    return {
        field["id"]: field["ref"]
        for field in (fields if isinstance(fields, list) else [])
        if isinstance(field, dict) and isinstance(field.get("id"), str) and isinstance(field.get("ref"), str)
    }


def _find(
    answers: list[dict[str, Any]], refs: dict[str, str], question: str | None, *, nps_default: bool = False
) -> int | None:
    """The index of the answer to `question` (by field id or ref). Without a configured question the
    NPS score is the answer to Typeform's own `nps` field type, when the form has one."""
    for index, answer in enumerate(answers):
        field = answer["field"]
        field_id = field.get("id")
        names = (field_id, field.get("ref") or (refs.get(field_id) if isinstance(field_id, str) else None))
        if question is not None and question in names:
            return index
        if question is None and nps_default and field.get("type") == "nps":
            return index
    return None


def _value(answer: dict[str, Any]) -> object:
    """The typed value: `{"type": "number", "number": 9}`, `{"type": "choice", "choice": {"label": ..}}`."""
    kind = answer.get("type")
    value = answer.get(kind) if isinstance(kind, str) else None
    if isinstance(value, dict):
        return value.get("label")
    return value

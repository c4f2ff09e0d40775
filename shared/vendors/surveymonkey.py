"""SurveyMonkey (thin): the webhook names a response; its answers come from GET .../details.

Several events arrive per response (created, updated, completed); each becomes a `Notification`
and the details fetched for it say where the response stands. The NPS question is answered with a
`choice_id`, mapped to 0-10 by the connection's `choice_scores`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any
from urllib.parse import quote

import shared.vendors.decoding as d
from shared.vendors.base import Answer, Connection, Delivery, Ignored, Notification, Parsed, PayloadError

SIGNATURE_HEADER = "Sm-Signature"
# Events after which the details hold answers. created: nothing is answered yet; deleted,
# disqualified, overquota: nothing to count (and a deleted response's details are gone).
EVENTS = frozenset({"response_completed", "response_updated"})


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """`base64(HMAC-SHA1(key, raw body))`, the key being `"<api key>&<api secret>"` as stored."""
    given = d.header(delivery, SIGNATURE_HEADER)
    digest = hmac.new(secret.encode(), delivery.body, hashlib.sha1).digest()
    d.check_signature(base64.b64encode(digest).decode(), given)


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    payload = d.decode_body(delivery.body)
    if payload.get("object_type") != "response":
        return Ignored(reason=f"surveymonkey {payload.get('object_type')!r} event, not a response")
    event_type = payload.get("event_type")
    if event_type not in EVENTS:
        return Ignored(reason=f"surveymonkey {event_type!r}: no answers to read")
    resources = d.mapping(payload.get("resources"), "resources")
    return Notification(
        response_id=d.identifier(payload.get("object_id"), "object_id"),
        survey_id=d.identifier(resources.get("survey_id"), "resources.survey_id"),
        event_id=d.event_id(payload.get("event_id"), "event_id"),
        revised_at=d.parse_timestamp(payload.get("event_datetime"), "event_datetime"),
    )


def details_path(notification: Notification) -> str:
    survey, response = quote(notification.survey_id, safe=""), quote(notification.response_id, safe="")
    return f"/v3/surveys/{survey}/responses/{response}/details"


def parse_details(details: dict[str, object], notification: Notification, connection: Connection) -> Answer:
    found = details.get("id")
    if found is not None and str(found) != notification.response_id:
        raise PayloadError("id", f"details of response {found!r}, not {notification.response_id!r}")
    nps_question = d.required_question(connection.nps_question)
    score = None
    for path, answer in _answers(details, nps_question):
        choice = answer.get("choice_id")
        if choice is None:
            continue
        if str(choice) not in connection.choice_scores:
            raise PayloadError(f"{path}.choice_id", f"choice {choice} has no score in choice_scores")
        score = connection.choice_scores[str(choice)]
        break
    comment = None
    if connection.comment_question:
        for path, answer in _answers(details, connection.comment_question):
            comment = d.text(answer.get("text"), f"{path}.text")
            if comment:
                break

    props = d.properties(d.mapping(details.get("custom_variables"), "custom_variables", optional=True))
    submitted_at = d.parse_timestamp(details.get("date_created"), "date_created")
    modified = details.get("date_modified")
    return Answer(
        response_id=notification.response_id,
        event_id=notification.event_id,
        revised_at=d.parse_timestamp(modified, "date_modified") if modified else submitted_at,
        submitted_at=submitted_at,
        score=score,
        comment=comment,
        identity=d.identity(props, connection, email=_email(details)),
        survey_id=notification.survey_id,
        properties=props,
    )


def _answers(details: dict[str, object], question: str) -> list[tuple[str, dict[str, Any]]]:
    """The answers to one question, each with its path for error messages."""
    found: list[tuple[str, dict[str, Any]]] = []
    for p, page in enumerate(d.items(details.get("pages"), "pages")):
        page = d.mapping(page, f"pages[{p}]")
        for q, asked in enumerate(d.items(page.get("questions"), f"pages[{p}].questions")):
            asked = d.mapping(asked, f"pages[{p}].questions[{q}]")
            if str(asked.get("id")) != question:
                continue
            for a, answer in enumerate(d.items(asked.get("answers"), f"pages[{p}].questions[{q}].answers")):
                path = f"pages[{p}].questions[{q}].answers[{a}]"
                found.append((path, d.mapping(answer, path)))
    return found


def _email(details: dict[str, object]) -> str | None:
    """Email collectors put the recipient's address in metadata.contact.email.value."""
    metadata = details.get("metadata")
    contact = metadata.get("contact") if isinstance(metadata, dict) else None
    email = contact.get("email") if isinstance(contact, dict) else None
    value = email.get("value") if isinstance(email, dict) else None
    return value if isinstance(value, str) and value else None

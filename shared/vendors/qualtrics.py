"""Qualtrics (thin): an event subscription posts `Topic`, `MSG` (a JSON string) and `HMAC`.

Qualtrics documents the body as x-www-form-urlencoded; a JSON object with the same three fields is
accepted too (MSG still a string: the HMAC is over its exact text). MSG names the response; the
answers come from GET /API/v3/surveys/{SurveyID}/responses/{ResponseID}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

import shared.vendors.decoding as d
from shared.vendors.base import (
    Answer,
    Connection,
    Delivery,
    Ignored,
    Notification,
    Parsed,
    PayloadError,
    SignatureError,
)

# Keys of a response's `values` that are Qualtrics' own, not embedded data (custom properties).
_QUESTION = re.compile(r"^QID\d")
_METADATA = frozenset(
    {
        "startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished",
        "recordedDate", "_recordId", "locationLatitude", "locationLongitude", "distributionChannel",
        "userLanguage", "externalDataReference", "RecipientEmail", "recipientEmail",
        "RecipientFirstName", "recipientFirstName", "RecipientLastName", "recipientLastName",
    }
)  # fmt: skip


def verify(delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None:
    """`HMAC` = hex(HMAC-SHA512(shared key, MSG as decoded)). Only MSG is signed: Topic is not, so
    nothing but MSG is trusted for anything that matters (Topic only tells events apart)."""
    try:
        fields = d.decode_body(delivery.body)
    except PayloadError:
        raise SignatureError("missing HMAC") from None
    given, message = fields.get("HMAC"), fields.get("MSG")
    if not isinstance(given, str) or not given:
        raise SignatureError("missing HMAC")
    if not isinstance(message, str):
        raise SignatureError("missing MSG")
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha512).hexdigest()
    d.check_signature(expected, given.strip().lower())


def parse(delivery: Delivery, connection: Connection) -> Parsed:
    fields = d.decode_body(delivery.body)
    topic = fields.get("Topic")
    if not isinstance(topic, str) or not topic:
        raise PayloadError("Topic", "missing")
    message = _message(fields.get("MSG"))
    status = message.get("Status")
    if status != "Complete":
        return Ignored(reason=f"qualtrics response status {status!r}, not Complete")
    response_id = d.identifier(message.get("ResponseID"), "MSG.ResponseID")
    # Qualtrics sends no delivery id, and a response completes once: its id and the topic name the
    # event, so a redelivery repeats it while another subscribed topic about it does not.
    return Notification(
        response_id=response_id,
        survey_id=d.identifier(message.get("SurveyID"), "MSG.SurveyID"),
        event_id=d.event_id(f"{response_id}:{topic}", "Topic"),
        revised_at=d.parse_timestamp(
            message.get("CompletedDate"), "MSG.CompletedDate", connection.naive_timezone
        ),
    )


def _message(value: object) -> dict[str, Any]:
    if not isinstance(value, str):
        raise PayloadError("MSG", "missing" if value is None else "not a JSON string")
    try:
        message = json.loads(value)
    except ValueError as error:
        raise PayloadError("MSG", f"invalid JSON: {error}") from error
    return d.mapping(message, "MSG")


def details_path(notification: Notification) -> str:
    survey, response = quote(notification.survey_id, safe=""), quote(notification.response_id, safe="")
    return f"/API/v3/surveys/{survey}/responses/{response}"


def parse_details(details: dict[str, object], notification: Notification, connection: Connection) -> Answer:
    result = d.mapping(details.get("result"), "result")
    found = result.get("responseId")
    if found is not None and found != notification.response_id:
        raise PayloadError("result.responseId", f"{found!r}, not {notification.response_id!r}")
    values = d.mapping(result.get("values"), "result.values")
    nps_question = d.required_question(connection.nps_question)
    comment_question = connection.comment_question

    zone = connection.naive_timezone
    recorded = "recordedDate" if values.get("recordedDate") else "endDate"
    submitted_at = (
        d.parse_timestamp(values[recorded], f"result.values.{recorded}", zone)
        if values.get(recorded)
        else notification.revised_at
    )
    embedded = {
        key: value
        for key, value in values.items()
        if isinstance(value, str)
        and key not in _METADATA
        and key not in (nps_question, comment_question)
        and not _QUESTION.match(key)
    }
    props = d.properties(embedded)
    email = values.get("RecipientEmail") or values.get("recipientEmail")
    return Answer(
        response_id=notification.response_id,
        event_id=notification.event_id,
        # CompletedDate is read in a configured zone that may be wrong: never before the submission.
        revised_at=max(notification.revised_at, submitted_at),
        submitted_at=submitted_at,
        score=d.parse_score(values.get(nps_question), f"result.values.{nps_question}"),
        comment=(
            d.text(values.get(comment_question), f"result.values.{comment_question}")
            if comment_question
            else None
        ),
        identity=d.identity(
            props,
            connection,
            email=d.text(email, "result.values.RecipientEmail"),
            contact_id=d.string_or_none(values.get("externalDataReference")),
        ),
        survey_id=notification.survey_id,
        properties=props,
    )

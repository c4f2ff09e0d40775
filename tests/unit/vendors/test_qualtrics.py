from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.vendors import qualtrics
from shared.vendors.base import Answer, Identity, Ignored, Notification, PayloadError, Vendor
from tests.unit.vendors.support import (
    DELETE,
    QUALTRICS_TOPIC,
    connection,
    delivery,
    qualtrics_form,
    sample,
    sample_json,
    with_,
)

CONNECTION = connection(Vendor.QUALTRICS, nps_question="QID1", comment_question="QID2_TEXT")
MSG = sample_json("qualtrics-1.json")
NOTIFICATION = Notification(
    response_id="R_1l9mcVuXubb4aGm",
    survey_id="SV_22VlHYNeldrrrkp",
    event_id=f"R_1l9mcVuXubb4aGm:{QUALTRICS_TOPIC}",
    revised_at=datetime(2019, 6, 26, 13, 28, 11, tzinfo=UTC),
)
VALUES: dict[str, Any] = {
    "QID1": 9,
    "QID1_NPS_GROUP": 3,
    "QID2_TEXT": "  Great onboarding ",
    "QID3_1": "other question",
    "recordedDate": "2019-06-26T13:28:12Z",
    "startDate": "2019-06-26T13:25:01Z",
    "endDate": "2019-06-26T13:28:11Z",
    "status": 0,
    "progress": 100,
    "finished": 1,
    "distributionChannel": "email",
    "externalDataReference": "c-42",
    "RecipientEmail": "pat@acme.test",
    "account_id": "acme",
    "plan": "Enterprise",
}
DETAILS: dict[str, Any] = {"result": {"responseId": "R_1l9mcVuXubb4aGm", "values": VALUES}}


def form(msg: dict[str, Any] | str, topic: str = QUALTRICS_TOPIC) -> bytes:
    return qualtrics_form(msg if isinstance(msg, str) else json.dumps(msg), "00", topic)


def test_documented_sample() -> None:
    parsed = qualtrics.parse(delivery(sample("qualtrics-1.form-urlencoded.txt")), CONNECTION)
    assert parsed == NOTIFICATION


def test_the_json_shape_of_the_same_fields() -> None:
    raw = json.dumps({"Topic": QUALTRICS_TOPIC, "MSG": json.dumps(MSG), "HMAC": "00"}).encode()
    assert qualtrics.parse(delivery(raw, {"Content-Type": "application/json"}), CONNECTION) == NOTIFICATION


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", datetime(2019, 6, 26, 13, 28, 11, tzinfo=UTC)),
        ("America/Denver", datetime(2019, 6, 26, 19, 28, 11, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2019, 6, 26, 11, 28, 11, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2019, 6, 26, 7, 58, 11, tzinfo=UTC)),
    ],
)
def test_completed_date_is_read_in_the_connection_zone(zone: str, expected: datetime) -> None:
    settings = CONNECTION.model_copy(update={"naive_timezone": zone})
    parsed = qualtrics.parse(delivery(sample("qualtrics-1.form-urlencoded.txt")), settings)
    assert isinstance(parsed, Notification) and parsed.revised_at == expected


def test_a_redelivery_has_the_same_event_id_and_another_survey_another() -> None:
    other = qualtrics.parse(delivery(form(sample_json("qualtrics-2.json"))), CONNECTION)
    assert isinstance(other, Notification)
    assert other.event_id == f"R_0B7IcnXszjEUHLP:{QUALTRICS_TOPIC}"
    assert qualtrics.parse(delivery(form(MSG)), CONNECTION) == NOTIFICATION


@pytest.mark.parametrize("status", ["Partial", "Deleted", None])
def test_incomplete_responses_are_ignored(status: str | None) -> None:
    assert isinstance(qualtrics.parse(delivery(form(with_(MSG, "Status", status))), CONNECTION), Ignored)


def test_details_path() -> None:
    assert (
        qualtrics.details_path(NOTIFICATION)
        == "/API/v3/surveys/SV_22VlHYNeldrrrkp/responses/R_1l9mcVuXubb4aGm"
    )


def test_details() -> None:
    assert qualtrics.parse_details(DETAILS, NOTIFICATION, CONNECTION) == Answer(
        response_id="R_1l9mcVuXubb4aGm",
        event_id=NOTIFICATION.event_id,
        revised_at=datetime(2019, 6, 26, 13, 28, 12, tzinfo=UTC),  # never before the recorded date
        submitted_at=datetime(2019, 6, 26, 13, 28, 12, tzinfo=UTC),
        score=9,
        comment="Great onboarding",
        identity=Identity(account_id="acme", contact_id="c-42", email="pat@acme.test"),
        survey_id="SV_22VlHYNeldrrrkp",
        properties={"account_id": "acme", "plan": "Enterprise"},  # embedded data only
    )


@pytest.mark.parametrize(("value", "score"), [("9", 9), (0, 0), ("10", 10), (None, None), (DELETE, None)])
def test_details_scores(value: object, score: int | None) -> None:
    details = with_(DETAILS, "result.values.QID1", value)
    assert qualtrics.parse_details(details, NOTIFICATION, CONNECTION).score == score


def test_details_contact_property_wins_over_external_reference() -> None:
    details = with_(DETAILS, "result.values.contact_id", "crm-7")
    assert qualtrics.parse_details(details, NOTIFICATION, CONNECTION).identity.contact_id == "crm-7"


@pytest.mark.parametrize(
    ("msg", "field"),
    [
        (with_(MSG, "ResponseID", DELETE), "MSG.ResponseID"),
        (with_(MSG, "ResponseID", "R 1"), "MSG.ResponseID"),
        (with_(MSG, "SurveyID", None), "MSG.SurveyID"),
        (with_(MSG, "CompletedDate", "yesterday"), "MSG.CompletedDate"),
        ('{"Status": "Complete",', "MSG"),
        ("[1, 2]", "MSG"),
    ],
)
def test_malformed_messages_name_the_field(msg: dict[str, Any] | str, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        qualtrics.parse(delivery(form(msg)), CONNECTION)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b"MSG=%7B%7D&HMAC=00", "Topic"), (b"Topic=t&HMAC=00", "MSG"), (b'{"Topic": "t", "MSG": {}}', "MSG")],
)
def test_malformed_bodies_name_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        qualtrics.parse(delivery(raw), CONNECTION)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("result", DELETE, "result"),
        ("result.values", None, "result.values"),
        ("result.responseId", "R_other", "result.responseId"),
        ("result.values.QID1", "ten", "result.values.QID1"),
        ("result.values.QID1", 12, "result.values.QID1"),
        ("result.values.QID2_TEXT", 5, "result.values.QID2_TEXT"),
        ("result.values.recordedDate", "late", "result.values.recordedDate"),
    ],
)
def test_malformed_details_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        qualtrics.parse_details(with_(DETAILS, path, value), NOTIFICATION, CONNECTION)
    assert error.value.field == field

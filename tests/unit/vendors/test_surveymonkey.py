from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.vendors import surveymonkey
from shared.vendors.base import Answer, Identity, Ignored, Notification, PayloadError, Vendor
from tests.unit.vendors.support import DELETE, body, connection, delivery, sample, sample_json, with_

NPS_QUESTION = "319352786"
CHOICE = "3057839051"
CONNECTION = connection(
    Vendor.SURVEYMONKEY,
    nps_question=NPS_QUESTION,
    comment_question="319352800",
    choice_scores={CHOICE: 9, "3057839050": 8},
    account_property="custvar_1",
)
NOTIFICATION = Notification(
    response_id="5007154402",
    survey_id="105724755",
    event_id="123456789",
    revised_at=datetime(2015, 12, 28, 21, 59, 40, tzinfo=UTC),
)
DETAILS = sample_json("surveymonkey-3.json")
EVENT = sample_json("surveymonkey-1.json")


@pytest.mark.parametrize("name", ["surveymonkey-1.json", "surveymonkey-2.json"])
def test_documented_notifications(name: str) -> None:
    assert surveymonkey.parse(delivery(sample(name)), CONNECTION) == Notification(
        response_id="123456",
        survey_id="123456789",
        event_id="123456789",
        revised_at=datetime(2016, 1, 1, 21, 56, 31, 182613, tzinfo=UTC),
    )


@pytest.mark.parametrize("event_type", ["response_completed", "response_updated"])
def test_answer_bearing_events_notify(event_type: str) -> None:
    parsed = surveymonkey.parse(delivery(body(with_(EVENT, "event_type", event_type))), CONNECTION)
    assert isinstance(parsed, Notification)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("event_type", "response_created"),  # nothing answered yet
        ("event_type", "response_deleted"),
        ("event_type", "response_disqualified"),
        ("object_type", "collector"),
    ],
)
def test_other_events_are_ignored(path: str, value: str) -> None:
    assert isinstance(surveymonkey.parse(delivery(body(with_(EVENT, path, value))), CONNECTION), Ignored)


def test_details_path() -> None:
    assert surveymonkey.details_path(NOTIFICATION) == "/v3/surveys/105724755/responses/5007154402/details"


def test_documented_details() -> None:
    assert surveymonkey.parse_details(DETAILS, NOTIFICATION, CONNECTION) == Answer(
        response_id="5007154402",
        event_id="123456789",
        revised_at=datetime(2015, 12, 28, 21, 59, 38, tzinfo=UTC),
        submitted_at=datetime(2015, 12, 28, 21, 57, 14, tzinfo=UTC),
        score=9,
        identity=Identity(account_id="one"),
        survey_id="105724755",
        properties={"custvar_1": "one", "custvar_2": "two"},
    )


def with_questions(*questions: dict[str, Any]) -> dict[str, Any]:
    return with_(DETAILS, "pages", [{"id": "103332310", "questions": list(questions)}])


def test_comment_email_and_an_unfinished_response() -> None:
    details = with_questions(
        {"id": "319352800", "answers": [{"text": "  Faster support, please "}]},
        {"id": NPS_QUESTION, "answers": [{"choice_id": "3057839050"}]},
    )
    details = with_(with_(details, "response_status", "partial"), "date_modified", DELETE)
    details = with_(details, "metadata", {"contact": {"email": {"type": "string", "value": "pat@acme.test"}}})
    answer = surveymonkey.parse_details(details, NOTIFICATION, CONNECTION)
    assert (answer.score, answer.comment) == (8, "Faster support, please")
    assert answer.identity == Identity(account_id="one", email="pat@acme.test")
    assert answer.revised_at == answer.submitted_at


def test_the_nps_question_not_answered_yet() -> None:
    details = with_questions({"id": "319352800", "answers": [{"text": "no score"}]})
    assert surveymonkey.parse_details(details, NOTIFICATION, CONNECTION).score is None


def test_an_unmapped_choice_names_the_choice() -> None:
    details = with_questions({"id": NPS_QUESTION, "answers": [{"choice_id": "999"}]})
    with pytest.raises(PayloadError, match="choice 999") as error:
        surveymonkey.parse_details(details, NOTIFICATION, CONNECTION)
    assert error.value.field == "pages[0].questions[0].answers[0].choice_id"


def test_without_a_configured_question_the_connection_is_named() -> None:
    with pytest.raises(PayloadError) as error:
        surveymonkey.parse_details(
            DETAILS, NOTIFICATION, CONNECTION.model_copy(update={"nps_question": None})
        )
    assert error.value.field == "connection.nps_question"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("object_id", DELETE, "object_id"),
        ("object_id", "../../users/me", "object_id"),
        ("resources", DELETE, "resources"),
        ("resources.survey_id", None, "resources.survey_id"),
        ("event_id", "", "event_id"),
        ("event_datetime", "new year's day", "event_datetime"),
    ],
)
def test_malformed_notifications_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        surveymonkey.parse(delivery(body(with_(EVENT, path, value))), CONNECTION)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("id", "5007154403", "id"),
        ("pages", {"id": 1}, "pages"),
        ("pages.0.questions", "x", "pages[0].questions"),
        ("pages.0.questions.0.answers.0", "x", "pages[0].questions[0].answers[0]"),
        ("date_created", DELETE, "date_created"),
        ("date_modified", "later", "date_modified"),
        ("custom_variables", ["x"], "custom_variables"),
    ],
)
def test_malformed_details_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        surveymonkey.parse_details(with_(DETAILS, path, value), NOTIFICATION, CONNECTION)
    assert error.value.field == field

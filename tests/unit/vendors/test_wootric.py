from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from shared.vendors import wootric
from shared.vendors.base import Answer, Identity, Ignored, Parsed, PayloadError, Vendor
from tests.unit.vendors.support import DELETE, body, connection, delivery, sample, sample_json, with_

CONNECTION = connection(Vendor.WOOTRIC, account_property="pricing_plan")
SAMPLE = sample_json("wootric-1.json")
FORM = sample("wootric-3.form-urlencoded.txt")
PROPERTIES = {"pricing_plan": "Enterprise", "product_plan": "Web App"}
JSON_TIME = datetime(2016, 8, 4, 20, 57, 26, 558000, tzinfo=UTC)
FORM_TIME = datetime(2016, 8, 4, 20, 57, 26, tzinfo=UTC)


def parse(raw: bytes, content_type: str | None = None) -> Parsed:
    return wootric.parse(delivery(raw, {"Content-Type": content_type} if content_type else {}), CONNECTION)


def test_documented_json_sample() -> None:
    assert parse(sample("wootric-1.json")) == Answer(
        response_id="1128",
        event_id="1128:2016-08-04T20:57:26.558000+00:00",
        revised_at=JSON_TIME,
        submitted_at=JSON_TIME,
        score=7,
        comment=None,
        identity=Identity(account_id="Enterprise", contact_id="123abc", email="nps@example.com"),
        survey_id="1146",
        properties=PROPERTIES,
    )


def test_documented_form_sample() -> None:
    assert parse(FORM) == Answer(
        response_id="1128",
        event_id="1128:2016-08-04T20:57:26+00:00",
        revised_at=FORM_TIME,
        submitted_at=FORM_TIME,
        score=7,  # "7" in the form
        comment=None,  # empty text
        identity=Identity(account_id="Enterprise"),
        survey_id="1146",
        properties=PROPERTIES,
    )


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (sample("wootric-1.json"), "application/x-www-form-urlencoded"),
        (sample("wootric-1.json"), "text/plain"),
        (FORM, "application/json"),
    ],
    ids=["json-labelled-form", "json-as-text", "form-labelled-json"],
)
def test_the_body_decides_not_the_content_type(raw: bytes, content_type: str) -> None:
    assert parse(raw, content_type) == parse(raw)
    assert isinstance(parse(raw, content_type), Answer)


def test_form_with_comment_email_and_external_id() -> None:
    extra = "&response[text]=" + quote("Great app, slow exports") + "&response[email]=pat%40acme.test"
    raw = FORM.replace(b"response[text]=&\n", b"") + (extra + "&response[external_id]=c-42").encode()
    answer = parse(raw)
    assert isinstance(answer, Answer)
    assert answer.comment == "Great app, slow exports"
    assert answer.identity == Identity(account_id="Enterprise", contact_id="c-42", email="pat@acme.test")


@pytest.mark.parametrize(
    "raw",
    [
        sample("wootric-2.decline.json.txt"),  # as documented: a trailing comma, not JSON
        sample("wootric-2.decline.json.txt").replace(b'-07:00",\n  }', b'-07:00"\n  }'),  # valid JSON
        b"decline[id]=19&decline[email]=nps%40example.com&event_name=created",  # form-encoded
    ],
    ids=["documented", "valid-json", "form"],
)
def test_declines_are_ignored(raw: bytes) -> None:
    assert parse(raw) == Ignored(reason="declined")


def test_an_invalid_body_that_is_no_decline_is_refused() -> None:
    with pytest.raises(PayloadError) as error:
        parse(b'{"response": {"id": 1,},}')
    assert error.value.field == "body" and error.value.undecodable


def test_string_score_and_an_edit_makes_a_new_event() -> None:
    edited = with_(with_(SAMPLE, "response.score", "9"), "response.updated_at", "2016-08-05T09:00:00-07:00")
    answer = parse(body(edited))
    assert isinstance(answer, Answer) and answer.score == 9
    assert answer.event_id == "1128:2016-08-05T16:00:00+00:00" and answer.submitted_at == JSON_TIME


def test_other_survey_modes_are_ignored() -> None:
    assert isinstance(parse(body(with_(SAMPLE, "survey_mode", "CES"))), Ignored)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("response", DELETE, "response"),
        ("response.id", DELETE, "response.id"),
        ("response.id", True, "response.id"),
        ("response.score", "eleven", "response.score"),
        ("response.score", 7.5, "response.score"),
        ("response.text", 5, "response.text"),
        ("response.created_at", "2016-08-04 at 1pm", "response.created_at"),
        ("response.updated_at", "later", "response.updated_at"),
        ("response.end_user_properties", "plan", "response.end_user_properties"),
    ],
)
def test_malformed_deliveries_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        parse(body(with_(SAMPLE, path, value)))
    assert error.value.field == field


def test_malformed_form_delivery_names_the_field() -> None:
    with pytest.raises(PayloadError) as error:
        parse(FORM.replace(b"response[score]=7", b"response[score]=seven"))
    assert error.value.field == "response.score"

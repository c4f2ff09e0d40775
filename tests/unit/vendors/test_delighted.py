from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.vendors import delighted
from shared.vendors.base import Answer, Identity, Ignored, PayloadError, Vendor
from tests.unit.vendors.support import DELETE, body, connection, delivery, sample, sample_json, with_

CONNECTION = connection(Vendor.DELIGHTED)
EVENT_ID = "b8d057c59327541d7ec2104c0a9a255ad1997fb00831b9c6bbf09561e6d5cbd0"
SAMPLE = sample_json("delighted-1.json")


def parse(raw: bytes) -> object:
    return delighted.parse(delivery(raw), CONNECTION)


@pytest.mark.parametrize(
    ("name", "created", "updated"),
    [
        (
            "delighted-1.json",
            datetime(2018, 9, 20, 20, 20, 18, tzinfo=UTC),
            datetime(2018, 9, 20, 20, 30, 18, tzinfo=UTC),
        ),
        (
            "delighted-2.json",
            datetime(2016, 12, 24, 14, 23, 29, tzinfo=UTC),
            datetime(2016, 12, 24, 14, 33, 29, tzinfo=UTC),
        ),
    ],
)
def test_documented_samples(name: str, created: datetime, updated: datetime) -> None:
    assert parse(sample(name)) == Answer(
        response_id="5435",
        event_id=EVENT_ID,
        revised_at=updated,
        submitted_at=created,
        score=9,
        comment="Your service is fast and flawless!",
        identity=Identity(email="charlie_gravis@example.com"),
    )


def test_person_properties_name_the_account_and_contact() -> None:
    document = with_(
        SAMPLE,
        "event_data.person_properties",
        {"Account": "acme", "contact_id": "c-42", "Plan": "Pro", "Seats": 12, "Deep": {"a": 1}, "Gone": None},
    )
    answer = delighted.parse(
        delivery(body(document)), connection(Vendor.DELIGHTED, account_property="Account")
    )
    assert isinstance(answer, Answer)
    assert answer.identity == Identity(
        account_id="acme", contact_id="c-42", email="charlie_gravis@example.com"
    )
    assert answer.properties == {"Account": "acme", "contact_id": "c-42", "Plan": "Pro", "Seats": "12"}


def test_strings_for_score_and_times_and_a_created_event_without_updated_at() -> None:
    document = with_(with_(SAMPLE, "event_data.score", "6"), "event_data.created_at", "1537474818")
    document = with_(
        with_(document, "event_data.updated_at", DELETE), "event_type", "survey_response.created"
    )
    document = with_(with_(document, "event_data.comment", ""), "event_data.tags", ["vip", {"x": 1}])
    answer = parse(body(document))
    assert isinstance(answer, Answer)
    assert answer.score == 6 and answer.comment is None and answer.tags == ["vip"]
    assert answer.submitted_at == answer.revised_at == datetime(2018, 9, 20, 20, 20, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("event_data.survey_type", "csat"),
        ("event_type", "survey_response.deleted"),
        ("event_type", "unsubscribe"),
    ],
)
def test_other_surveys_and_events_are_ignored(path: str, value: str) -> None:
    assert isinstance(parse(body(with_(SAMPLE, path, value))), Ignored)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("event_data.id", DELETE, "event_data.id"),
        ("event_data.id", "54 35", "event_data.id"),
        ("event_data", [1], "event_data"),
        ("event_data.score", 11, "event_data.score"),
        ("event_data.score", "nine", "event_data.score"),
        ("event_data.created_at", "soon", "event_data.created_at"),
        ("event_data.updated_at", "later", "event_data.updated_at"),
        ("event_data.person", "someone", "event_data.person"),
        ("event_data.person_properties", ["a"], "event_data.person_properties"),
        ("event_id", DELETE, "event_id"),
        ("event_id", "x" * 201, "event_id"),
    ],
)
def test_malformed_deliveries_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        parse(body(with_(SAMPLE, path, value)))
    assert error.value.field == field


def test_a_json_body_sent_as_form_content_type_is_still_json() -> None:
    sent = delivery(sample("delighted-1.json"), {"Content-Type": "application/x-www-form-urlencoded"})
    assert isinstance(delighted.parse(sent, CONNECTION), Answer)

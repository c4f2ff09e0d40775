from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.vendors import formbricks
from shared.vendors.base import Answer, Identity, Ignored, Parsed, PayloadError, Ping, SignatureError, Vendor
from tests.unit.vendors.support import (
    DELETE,
    FORMBRICKS_SECRET,
    NOW,
    body,
    connection,
    delivery,
    sample,
    sample_json,
    signed,
    with_,
)

CONNECTION = connection(Vendor.FORMBRICKS, nps_question="nps", comment_question="visit_reason")
SAMPLE = sample_json("formbricks-3.json")
CREATED = datetime(2025, 7, 24, 7, 47, 29, 507000, tzinfo=UTC)
HEADERS = {"webhook-id": "msg_2xYz", "webhook-timestamp": "1753343276", "webhook-signature": "v1,x"}


def parse(raw: bytes, **overrides: Any) -> Parsed:
    settings = CONNECTION.model_copy(update=overrides) if overrides else CONNECTION
    return formbricks.parse(delivery(raw, HEADERS), settings)


@pytest.mark.parametrize(
    ("name", "updated", "comment"),
    [
        ("formbricks-1.json", datetime(2025, 7, 24, 7, 47, 29, 507000, tzinfo=UTC), None),
        ("formbricks-2.json", datetime(2025, 7, 24, 7, 47, 33, 696000, tzinfo=UTC), "Just browsing"),
        ("formbricks-3.json", datetime(2025, 7, 24, 7, 47, 56, 116000, tzinfo=UTC), None),
    ],
)
def test_documented_samples(name: str, updated: datetime, comment: str | None) -> None:
    assert parse(sample(name)) == Answer(
        response_id="responseId",
        event_id="msg_2xYz",
        revised_at=updated,
        submitted_at=CREATED,
        score=None,  # the samples answer no NPS question
        comment=comment,
        identity=Identity(),
        survey_id="surveyId",
    )


@pytest.mark.parametrize(("value", "score"), [(9, 9), ("9", 9), (0, 0), ("", None)])
def test_scores_as_numbers_or_strings(value: object, score: int | None) -> None:
    answer = parse(body(with_(SAMPLE, "data.data.nps", value)))
    assert isinstance(answer, Answer) and answer.score == score


def test_contact_attributes_and_contact() -> None:
    document = with_(
        SAMPLE, "data.contactAttributes", {"email": "pat@acme.test", "account_id": "acme", "seats": 3}
    )
    document = with_(document, "data.contact", {"id": "cm_internal", "userId": "u-7"})
    document = with_(document, "data.tags", [{"id": "t1", "name": "vip"}, "beta"])
    answer = parse(body(document))
    assert isinstance(answer, Answer)
    assert answer.identity == Identity(account_id="acme", contact_id="u-7", email="pat@acme.test")
    assert answer.properties == {"email": "pat@acme.test", "account_id": "acme", "seats": "3"}
    assert answer.tags == ["vip", "beta"]


def test_hidden_fields_in_data_name_the_account_and_contact() -> None:
    hidden = {"nps": 3, "account_id": "acme", "contact_id": "c-42", "email": "pat@acme.test", "other": "x"}
    answer = parse(body(with_(SAMPLE, "data.data", hidden)))
    assert isinstance(answer, Answer)
    assert answer.identity == Identity(account_id="acme", contact_id="c-42", email="pat@acme.test")


def test_the_test_ping() -> None:
    assert isinstance(parse(b'{"event":"testEndpoint"}'), Ping)


def test_other_events_are_ignored() -> None:
    assert isinstance(parse(body(with_(SAMPLE, "event", "surveyClosed"))), Ignored)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("data", DELETE, "data"),
        ("data.id", DELETE, "data.id"),
        ("data.id", "response id", "data.id"),
        ("data.data", "x", "data.data"),
        ("data.data.nps", 11, "data.data.nps"),
        ("data.data.nps", "very likely", "data.data.nps"),
        ("data.data.visit_reason", ["a"], "data.data.visit_reason"),
        ("data.contactAttributes", "x", "data.contactAttributes"),
        ("data.createdAt", "now", "data.createdAt"),
        ("data.updatedAt", "later", "data.updatedAt"),
    ],
)
def test_malformed_deliveries_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        parse(body(with_(SAMPLE, path, value)))
    assert error.value.field == field


def test_the_delivery_id_is_required_to_parse() -> None:
    with pytest.raises(PayloadError) as error:
        formbricks.parse(delivery(sample("formbricks-3.json")), CONNECTION)
    assert error.value.field == "webhook-id"


def test_without_a_configured_question_the_connection_is_named() -> None:
    with pytest.raises(PayloadError) as error:
        parse(sample("formbricks-3.json"), nps_question=None)
    assert error.value.field == "connection.nps_question"


# --- replay window and signature list ------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(0, True), (300, True), (-300, True), (301, False), (-301, False), (86400, False)],
)
def test_signed_timestamps_outside_the_tolerance_are_replays(age: int, accepted: bool) -> None:
    sent = signed(
        Vendor.FORMBRICKS, sample("formbricks-3.json"), FORMBRICKS_SECRET, at=NOW - timedelta(seconds=age)
    )
    if accepted:
        formbricks.verify(sent, FORMBRICKS_SECRET, NOW, 300)
    else:
        with pytest.raises(SignatureError, match="tolerance"):
            formbricks.verify(sent, FORMBRICKS_SECRET, NOW, 300)


def test_any_v1_signature_in_the_list_passes() -> None:
    sent = signed(Vendor.FORMBRICKS, sample("formbricks-3.json"), FORMBRICKS_SECRET)
    good = sent.headers["webhook-signature"]
    bogus = "v1," + base64.b64encode(b"x" * 32).decode()
    rotated = sent.model_copy(
        update={"headers": sent.headers | {"webhook-signature": f"{bogus} {good} v1a,abc"}}
    )
    formbricks.verify(rotated, FORMBRICKS_SECRET, NOW, 300)
    other_version = sent.model_copy(update={"headers": sent.headers | {"webhook-signature": "v2" + good[2:]}})
    with pytest.raises(SignatureError, match=r"^signature does not match$"):
        formbricks.verify(other_version, FORMBRICKS_SECRET, NOW, 300)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_each_header_is_required(missing: str) -> None:
    sent = signed(Vendor.FORMBRICKS, sample("formbricks-3.json"), FORMBRICKS_SECRET)
    headers = {name: value for name, value in sent.headers.items() if name != missing}
    with pytest.raises(SignatureError, match=rf"^missing {missing}$"):
        formbricks.verify(delivery(sent.body, headers), FORMBRICKS_SECRET, NOW, 300)


def test_a_bad_timestamp_and_a_bad_secret_are_signature_errors() -> None:
    sent = signed(Vendor.FORMBRICKS, sample("formbricks-3.json"), FORMBRICKS_SECRET)
    bad_time = delivery(sent.body, sent.headers | {"webhook-timestamp": "yesterday"})
    with pytest.raises(SignatureError, match="invalid webhook-timestamp"):
        formbricks.verify(bad_time, FORMBRICKS_SECRET, NOW, 300)
    with pytest.raises(SignatureError, match="not a whsec_ base64 key"):
        formbricks.verify(sent, "whsec_not base64!", NOW, 300)

"""Vendor webhooks on the embedded AWS: signed deliveries in, through the pipeline; unsigned,
malformed and unresolvable ones handled as a vendor and a CS team would expect."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from local.aws import EmbeddedAws
from local.fake_vendor_api import FakeVendorApi
from shared.domain.models import SurveyKind
from shared.domain.rollup import RollupKey
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from shared.vendors.base import Vendor
from tests.integration.helpers import call, executions, item_count, settings, settle
from tests.unit.vendors.support import FORMBRICKS_SECRET, SECRET, sample, sample_json, signed, with_

DELIGHTED_PROPS = {"account_id": "acct-007", "contact_id": "c-charlie"}


def connect(
    aws: EmbeddedAws, connection_id: str, vendor: Vendor, secret: str = SECRET, **settings: Any
) -> None:
    request = {"settings": {"vendor": vendor.value} | settings, "signing_key": secret, "api_token": "tok-1"}
    status, body = call(aws, "PUT", f"/v1/connections/{connection_id}", request)
    assert status == 200, body


def deliver(
    aws: EmbeddedAws, connection_id: str, vendor: Vendor, raw: bytes, secret: str = SECRET
) -> tuple[int, Any]:
    sent = signed(vendor, raw, secret, at=datetime.now(UTC))  # Formbricks signs the time: now, here
    return call(aws, "POST", f"/v1/webhooks/{connection_id}", sent.body, sent.headers)


def delighted(
    event_type: str, event_id: str, score: int | str, updated_at: int, comment: str | None
) -> bytes:
    document = sample_json("delighted-1.json")
    for path, value in [
        ("event_type", event_type),
        ("event_id", event_id),
        ("event_data.score", score),
        ("event_data.comment", comment),
        ("event_data.created_at", 1793520000),  # 2026-11-02
        ("event_data.updated_at", updated_at),
        ("event_data.person_properties", DELIGHTED_PROPS),
    ]:
        document = with_(document, path, value)
    return json.dumps(document).encode()


def bands(account_id: str = "acct-007") -> tuple[int, int, int]:
    key = RollupKey(account_id=account_id, quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)
    counts = RollupRepository(settings().rollups_table).counts(key)
    return counts.promoters, counts.passives, counts.detractors


def test_a_signed_delighted_answer_runs_through_the_pipeline(aws: EmbeddedAws) -> None:
    connect(aws, "delighted-main", Vendor.DELIGHTED)
    status, body = deliver(
        aws,
        "delighted-main",
        Vendor.DELIGHTED,
        delighted("survey_response.created", "e1", 4, 1793520000, None),
    )
    assert (status, body["status"], body["response_key"]) == (202, "accepted", "delighted-5435")
    settle()
    stored = ResponseRepository(settings().responses_table).get("delighted-5435")
    assert stored is not None and stored["status"] == "processed"
    assert stored["response"]["account_id"] == "acct-007" and stored["response"]["contact_id"] == "c-charlie"
    assert bands() == (0, 0, 1)


@pytest.mark.parametrize(
    ("case", "headers", "secret"),
    [("unsigned", {}, None), ("wrong secret", None, "not-the-secret")],
)
def test_unsigned_or_badly_signed_deliveries_are_refused_and_write_nothing(
    aws: EmbeddedAws, case: str, headers: dict[str, str] | None, secret: str | None
) -> None:
    connect(aws, "delighted-main", Vendor.DELIGHTED)
    raw = delighted("survey_response.created", "e1", 4, 1793520000, None)
    sent = signed(Vendor.DELIGHTED, raw, secret or SECRET)
    status, body = call(
        aws, "POST", "/v1/webhooks/delighted-main", raw, sent.headers if headers is None else headers
    )
    assert status == 401 and "signature" in body["error"], case
    assert item_count(settings().responses_table) == 0 and executions(aws) == []


def test_an_unknown_connection_is_404_and_a_malformed_body_is_422_naming_the_field(aws: EmbeddedAws) -> None:
    assert call(aws, "POST", "/v1/webhooks/nobody", b"{}")[0] == 404
    connect(aws, "delighted-main", Vendor.DELIGHTED)
    status, body = deliver(
        aws,
        "delighted-main",
        Vendor.DELIGHTED,
        delighted("survey_response.created", "e1", 11, 1793520000, None),
    )
    assert status == 422 and body["problems"][0]["field"].endswith("score")
    assert item_count(settings().responses_table) == 0


def test_updates_duplicated_and_out_of_order_move_the_counters_exactly_once(aws: EmbeddedAws) -> None:
    connect(aws, "delighted-main", Vendor.DELIGHTED)
    created = delighted("survey_response.created", "e-created", 4, 1793520000, None)
    commented = delighted("survey_response.updated", "e-comment", 4, 1793520060, "Support is slow")
    rescored = delighted("survey_response.updated", "e-rescore", 9, 1793520120, "Fixed, thanks!")
    statuses = [
        deliver(aws, "delighted-main", Vendor.DELIGHTED, raw)[1]["status"]
        for raw in (rescored, created, commented, rescored, created)
    ]
    # Older revisions are not stored, so their redelivery is stale again rather than a duplicate.
    assert statuses == ["accepted", "stale", "stale", "duplicate", "stale"]
    settle()
    assert bands() == (1, 0, 0)
    stored = ResponseRepository(settings().responses_table).get("delighted-5435")
    assert (
        stored is not None
        and stored["response"]["score"] == 9
        and stored["response"]["comment"] == "Fixed, thanks!"
    )

    # In arrival order this time, on another response: each revision moves the vote once.
    other = [
        raw.replace(b'"5435"', b'"5436"').replace(b'"e-', b'"f-') for raw in (created, commented, rescored)
    ]
    statuses = [deliver(aws, "delighted-main", Vendor.DELIGHTED, raw)[1]["status"] for raw in other + other]
    assert statuses == ["accepted", "revised", "revised", "duplicate", "duplicate", "duplicate"]
    settle()
    # Both responses are the same contact's: one vote, the newest revision of the latest response.
    assert bands() == (1, 0, 0)


def test_a_formbricks_test_ping_is_answered_and_writes_nothing(aws: EmbeddedAws) -> None:
    connect(aws, "formbricks", Vendor.FORMBRICKS, FORMBRICKS_SECRET, nps_question="nps")
    status, body = deliver(
        aws, "formbricks", Vendor.FORMBRICKS, b'{"event":"testEndpoint"}', FORMBRICKS_SECRET
    )
    assert (status, body["status"]) == (200, "ping")
    assert item_count(settings().responses_table) == 0


def test_a_head_probe_answers_200(aws: EmbeddedAws) -> None:
    assert call(aws, "HEAD", "/v1/webhooks/anything")[0] == 200


@pytest.fixture
def vendor_api() -> Iterator[FakeVendorApi]:
    with FakeVendorApi() as api:
        yield api


def test_a_thin_surveymonkey_notification_fetches_the_details_with_retries(
    aws: EmbeddedAws, vendor_api: FakeVendorApi
) -> None:
    connect(
        aws,
        "sm",
        Vendor.SURVEYMONKEY,
        nps_question="319352786",
        choice_scores={"3057839051": 3},
        api_base_url=vendor_api.url,
        account_property="account",
    )
    details = with_(
        sample_json("surveymonkey-3.json"), "custom_variables", {"account": "acct-007", "contact_id": "c-9"}
    )
    details = with_(details, "id", "123456")  # the sample's details are of another response
    details = with_(details, "date_created", "2026-11-02T10:00:00+00:00")
    details = with_(details, "date_modified", "2026-11-02T10:01:00+00:00")
    vendor_api.publish("/v3/surveys/123456789/responses/123456/details", details)
    vendor_api.failures_to_serve = 1  # the first fetch gets a 503: the client retries
    status, body = deliver(aws, "sm", Vendor.SURVEYMONKEY, sample("surveymonkey-1.json"))
    assert (status, body["status"], body["response_key"]) == (202, "accepted", "surveymonkey-123456")
    assert [path for path, _ in vendor_api.requests] == ["/v3/surveys/123456789/responses/123456/details"] * 2
    assert vendor_api.requests[-1][1]["Authorization"] == "Bearer tok-1"
    settle()
    assert bands() == (0, 0, 1)


def test_a_vendor_api_that_stays_down_gets_a_503_and_nothing_written(
    aws: EmbeddedAws, vendor_api: FakeVendorApi
) -> None:
    connect(aws, "sm", Vendor.SURVEYMONKEY, nps_question="319352786", api_base_url=vendor_api.url)
    vendor_api.failures_to_serve = 10
    status, _ = deliver(aws, "sm", Vendor.SURVEYMONKEY, sample("surveymonkey-1.json"))
    assert status == 503 and item_count(settings().responses_table) == 0


def test_an_unresolvable_answer_is_quarantined_then_released_when_the_directory_learns_the_contact(
    aws: EmbeddedAws,
) -> None:
    connect(aws, "wootric", Vendor.WOOTRIC)
    document = with_(sample_json("wootric-1.json"), "response.created_at", "2026-11-02T09:00:00-07:00")
    document = with_(document, "response.updated_at", "2026-11-02T09:00:00-07:00")
    document = with_(document, "response.score", 3)
    document = with_(document, "response.external_id", None)
    status, body = deliver(aws, "wootric", Vendor.WOOTRIC, json.dumps(document).encode())
    assert (status, body["status"]) == (202, "quarantined") and "nps@example.com" in body["reason"]
    assert item_count(settings().responses_table) == 0
    held = call(aws, "GET", "/v1/quarantine")[1]
    assert [h["sk"] for h in held] == ["wootric-1128"]

    contact = {"contact_id": "c-nps", "account_id": "acct-042", "email": "NPS@example.com"}
    status, learned = call(aws, "PUT", "/v1/contacts", {"contacts": [contact]})
    assert status == 200 and [r["status"] for r in learned["released"]] == ["accepted"]
    settle()
    assert call(aws, "GET", "/v1/quarantine")[1] == []
    assert bands("acct-042") == (0, 0, 1)
    # Delivered again now, it resolves directly and is a duplicate.
    assert deliver(aws, "wootric", Vendor.WOOTRIC, json.dumps(document).encode())[1]["status"] == "duplicate"


def test_a_connection_with_bad_settings_is_refused(aws: EmbeddedAws) -> None:
    status, body = call(
        aws, "PUT", "/v1/connections/x", {"settings": {"vendor": "surveygizmo"}, "signing_key": "k"}
    )
    assert status == 422 and body["problems"][0]["field"] == "vendor"
    assert call(aws, "GET", "/v1/connections")[1] == []

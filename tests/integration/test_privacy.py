"""Privacy on the embedded AWS: a contact's data exported, then erased everywhere while every score
and roll-up stays as it was; both audited, and a repeated erasure changes nothing but is audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from local.aws import EmbeddedAws, _table_name
from shared.config import PrivacySettings
from shared.domain.privacy import PrivacyAction
from shared.domain.surveys import Decision, SurveyCandidate, SurveyDecision, Touchpoint
from shared.store.audit import AuditRepository
from shared.store.dynamo import from_item
from shared.store.schema import AUDIT, ROLLUPS, TABLES
from shared.store.surveys import SurveyRepository
from shared.vendors.base import Vendor
from tests.conftest import response_body
from tests.integration.helpers import call, post, settings, settle
from tests.integration.test_webhooks import connect, deliver
from tests.unit.vendors.support import sample_json, with_

ANN = "c-ann"
WORK_EMAIL, PRIVATE_EMAIL, NAME = "ann@work.example", "ann.private@example.com", "Ann Example"
ANN_COMMENT = "Ongoing integration issues with our CRM sync, Ann speaking"
LATER_COMMENT = "Much better since the fix"
HELD_COMMENT = "Sent from my phone: awful week"
PROPERTY = "Head of Procurement"
PERSONAL = (WORK_EMAIL, PRIVATE_EMAIL, NAME, ANN_COMMENT, LATER_COMMENT, HELD_COMMENT, PROPERTY, "Ann")
BOB_COMMENT = "Integration issues again this week"


def scan(table: str) -> list[dict[str, Any]]:
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return [from_item(item) for page in pages for item in page["Items"]]


def rollups_without_quotes() -> list[dict[str, Any]]:
    """Every roll-up item (counters, votes, score histories, theme mentions) but the quotes."""
    found = [{k: v for k, v in i.items() if k != "quote"} for i in scan(_table_name(ROLLUPS))]
    return sorted(found, key=lambda item: (item["pk"], item["sk"]))


@pytest.fixture
def ann(aws: EmbeddedAws) -> None:
    """Ann in the directory, two answers with comments through the intake (a detractor's case, and a
    theme quoted with two other accounts' words), an answer held in quarantine, a survey request."""
    contact = {"contact_id": ANN, "account_id": "acct-001", "email": WORK_EMAIL, "name": NAME}
    assert call(aws, "PUT", "/v1/contacts", {"contacts": [contact]})[0] == 200
    answers = [
        ("ann-1", "acct-001", ANN, 3, ANN_COMMENT, "2026-11-02T09:00:00Z"),
        ("ann-2", "acct-001", ANN, 9, LATER_COMMENT, "2026-08-10T09:00:00Z"),
        ("bob-1", "acct-002", "c-bob", 5, BOB_COMMENT, "2026-11-03T09:00:00Z"),
        ("cy-1", "acct-003", "c-cy", 4, "So many integration issues", "2026-11-04T09:00:00Z"),
    ]
    for response_id, account, contact_id, score, comment, at in answers:
        extra = (
            {"contact_email": PRIVATE_EMAIL, "properties": {"title": PROPERTY}} if contact_id == ANN else {}
        )
        body = response_body(
            response_id=response_id,
            account_id=account,
            contact_id=contact_id,
            score=score,
            comment=comment,
            submitted_at=at,
        )
        assert post(aws, body | extra)[0] == 202
        settle()
    # From a phone, under her private address the directory does not know: held.
    connect(aws, "wootric", Vendor.WOOTRIC)
    document = sample_json("wootric-1.json")
    for path, value in [
        ("response.created_at", "2026-11-05T09:00:00Z"),
        ("response.updated_at", "2026-11-05T09:00:00Z"),
        ("response.email", PRIVATE_EMAIL),
        ("response.external_id", None),
        ("response.text", HELD_COMMENT),
    ]:
        document = with_(document, path, value)
    status, held = deliver(aws, "wootric", Vendor.WOOTRIC, json.dumps(document).encode())
    assert (status, held["status"]) == (202, "quarantined")
    candidate = SurveyCandidate(
        account_id="acct-001",
        contact_id=ANN,
        email=WORK_EMAIL,
        touchpoint=Touchpoint.QBR,
        due=date(2026, 12, 1),
    )
    planned = SurveyDecision(candidate=candidate, decision=Decision.PLANNED)
    assert SurveyRepository(PrivacySettings.from_env().surveys_table).record(planned, datetime.now(UTC))


def everything_stored() -> str:
    """Every item of every table but the audit (which the test reads on its own)."""
    return json.dumps([scan(_table_name(spec)) for spec in TABLES if spec is not AUDIT], default=str)


def test_an_export_holds_everything_stored_about_the_contact_and_is_audited(
    aws: EmbeddedAws, ann: None
) -> None:
    status, export = call(aws, "GET", f"/v1/contacts/{ANN}/export?by=DPO%20Dana")
    assert status == 200, export
    assert export["directory"] == {
        "contact_id": ANN,
        "account_id": "acct-001",
        "email": WORK_EMAIL,
        "name": NAME,
    }
    comments = sorted(r["response"]["comment"] for r in export["responses"])
    assert comments == sorted([ANN_COMMENT, LATER_COMMENT])
    assert {r["response"]["contact_email"] for r in export["responses"]} == {PRIVATE_EMAIL}
    assert [q["answer"]["comment"] for q in export["quarantined"]] == [HELD_COMMENT]
    recovery = [c for c in export["cases"] if c["rule"] == "detractor-recovery"]
    assert [c["evidence"]["comment"] for c in recovery] == [ANN_COMMENT]
    assert [r["candidate"]["email"] for r in export["survey_requests"]] == [WORK_EMAIL]

    trail = AuditRepository(PrivacySettings.from_env().audit_table).for_contact(ANN)
    assert [(e.action, e.by) for e in trail] == [(PrivacyAction.EXPORT, "DPO Dana")]
    assert trail[0].touched == {"Contacts": 1, "Responses": 2, "Quarantine": 1, "Cases": 1, "Surveys": 1}
    assert "Ann" not in trail[0].model_dump_json().replace(ANN, "")


def test_an_erasure_leaves_nothing_personal_and_every_count_as_it_was(aws: EmbeddedAws, ann: None) -> None:
    assert all(text in everything_stored() for text in PERSONAL)
    rollups_before = rollups_without_quotes()
    cases_before = {c["case_id"]: c for c in call(aws, "GET", "/v1/cases")[1]}

    status, erased = call(aws, "POST", f"/v1/contacts/{ANN}/erase", {"by": "DPO Dana"})
    assert status == 200, erased
    # The directory's two keys, both answers, the held one, her case and the theme case quoting her,
    # her theme mention's quote, the survey request's address.
    assert erased["changed"] == {
        "Cases": 2,
        "Rollups": 1,
        "Surveys": 1,
        "Quarantine": 1,
        "Responses": 2,
        "Contacts": 2,
    }

    stored = everything_stored()
    assert [text for text in PERSONAL if text in stored] == []
    assert BOB_COMMENT in stored  # only hers went
    assert rollups_without_quotes() == rollups_before  # counters, votes and score histories unchanged
    responses = scan(settings().responses_table)
    assert sorted((r["response"]["contact_id"], r["response"]["score"]) for r in responses)[:2] == [
        (ANN, 3),
        (ANN, 9),
    ]
    cases_after = {c["case_id"]: c for c in call(aws, "GET", "/v1/cases")[1]}
    assert cases_after.keys() == cases_before.keys()
    for case_id, case in cases_after.items():
        before = cases_before[case_id]
        assert (case["status"], case["evidence"].get("score")) == (
            before["status"],
            before["evidence"].get("score"),
        )

    status, again = call(aws, "POST", f"/v1/contacts/{ANN}/erase", {"by": "DPO Dana"})
    assert status == 200 and set(again["changed"].values()) == {0}
    assert everything_stored() == stored
    trail = AuditRepository(PrivacySettings.from_env().audit_table).for_contact(ANN)
    assert [e.action for e in trail] == [PrivacyAction.ERASE, PrivacyAction.ERASE]
    assert trail[0].touched == erased["changed"] and set(trail[1].touched.values()) == {0}


def test_an_unknown_contact_is_not_found_and_a_bad_request_changes_nothing(aws: EmbeddedAws) -> None:
    assert call(aws, "GET", "/v1/contacts/c-nobody/export?by=DPO")[0] == 404
    assert call(aws, "POST", "/v1/contacts/c-nobody/erase", {"by": "DPO"})[0] == 404
    status, refused = call(aws, "POST", "/v1/contacts/c-nobody/erase", {"who": "DPO"})
    assert status == 422 and refused["problems"]
    assert call(aws, "GET", "/v1/contacts/c-nobody/export")[0] == 422  # who asks is required
    assert call(aws, "POST", "/v1/contacts/-not-an-id/erase", {"by": "DPO"})[0] == 422
    assert scan(PrivacySettings.from_env().audit_table) == []

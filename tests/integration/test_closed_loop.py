"""The closed loop on the embedded AWS: a detractor's case through the cases API, the SLA ladder
run by its schedule, and the follow-up survey's answer recovering or reopening the case."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from local.aws import EmbeddedAws
from shared.config import SurveySettings
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.surveys import SurveyRepository
from tests.conftest import response_body
from tests.integration.helpers import call, crm_messages, post, settings, settle

CASE = "detractor-recovery#acct-001#2026-Q4#c-1"
PATH = f"/v1/cases/{quote(CASE, safe='')}"


@pytest.fixture
def detractor(aws: EmbeddedAws, directory: AccountRepository) -> dict[str, Any]:
    """A 3 from c-1 at a top-tier account: a recovery case with a 24 h SLA, owned by its CSM."""
    assert post(aws, response_body(score=3))[0] == 202
    settle()
    crm_messages(aws)  # what the answer published
    status, case = call(aws, "GET", PATH)
    assert status == 200
    return dict(case)


def act(aws: EmbeddedAws, **action: Any) -> tuple[int, Any]:
    return call(aws, "POST", f"{PATH}/actions", action)


def sweep(aws: EmbeddedAws, at: datetime) -> list[str]:
    return list(aws.fire_schedule("case-sla-sweep", at)["escalated"])


def test_ones_cases_are_listed_by_owner_oldest_due_first(aws: EmbeddedAws, detractor: dict[str, Any]) -> None:
    status, listed = call(aws, "GET", "/v1/cases?owner=Ava%20CSM&status=open")
    assert status == 200 and [c["case_id"] for c in listed] == [CASE]
    assert detractor["sla_hours"] == 24 and detractor["owner"] == "Ava CSM"
    assert call(aws, "GET", "/v1/cases?owner=Ben%20Lead")[1] == []


def test_the_sla_ladder_climbs_csm_cs_lead_executive_sponsor_once_per_missed_sla(
    aws: EmbeddedAws, detractor: dict[str, Any]
) -> None:
    opened = datetime.fromisoformat(detractor["opened_at"])
    assert sweep(aws, opened + timedelta(hours=23)) == []
    assert sweep(aws, opened + timedelta(hours=25)) == [CASE]
    assert sweep(aws, opened + timedelta(hours=26)) == []  # the CS lead has a fresh 24 h
    assert sweep(aws, opened + timedelta(hours=50)) == [CASE]
    assert sweep(aws, opened + timedelta(days=30)) == []  # the executive sponsor is the top
    case = CaseRepository(settings().cases_table).get(CASE)
    assert case is not None and case.owner == "Cy VP" and case.escalation_level == 2
    assert [h.status.value for h in case.history] == ["open", "escalated", "escalated"]
    escalations = [
        m["detail"]["data"]["owner"] for m in crm_messages(aws) if m["detail-type"] == "CaseEscalated"
    ]
    assert escalations == ["Ben Lead", "Cy VP"]


def test_a_contact_in_time_stops_the_ladder(aws: EmbeddedAws, detractor: dict[str, Any]) -> None:
    assert act(aws, action="acknowledge", by="Ava CSM")[0] == 200
    status, case = act(aws, action="contact", by="Ava CSM", note="Called; their tier-2 tickets wait days")
    assert status == 200 and case["status"] == "contacted" and case["sla_breached"] is False
    opened = datetime.fromisoformat(detractor["opened_at"])
    assert sweep(aws, opened + timedelta(days=5)) == []


@pytest.mark.parametrize(
    ("score", "status", "event"), [(8, "recovered", "CaseRecovered"), (5, "reopened", "CaseReopened")]
)
def test_the_follow_up_answer_recovers_or_reopens_the_case(
    aws: EmbeddedAws, detractor: dict[str, Any], score: int, status: str, event: str
) -> None:
    resolution = {"root_cause": "tier-2 queue understaffed", "action_taken": "named support engineer"}
    code, resolved = act(aws, action="resolve", by="Ava CSM", **resolution)
    assert code == 200 and resolved["status"] == "resolved"
    # The follow-up survey is asked through the planner, which applies the fatigue rules.
    surveys = SurveyRepository(SurveySettings.from_env().surveys_table).all()
    [request] = [r["candidate"] for r in surveys if r["candidate"]["touchpoint"] == "case-follow-up"]
    assert request["contact_id"] == "c-1" and request["properties"] == {"npsops_case_id": CASE}
    answer = response_body(
        response_id="fu-1",
        score=score,
        submitted_at=(datetime.fromisoformat(resolved["resolved_at"]) + timedelta(days=14)).isoformat(),
        touchpoint="case-follow-up",
        properties={"npsops_case_id": CASE},
    )
    assert post(aws, answer)[0] == 202
    settle()
    case = call(aws, "GET", PATH)[1]
    assert case["status"] == status and case["follow_up_scores"] == [score]
    assert [m["detail-type"] for m in crm_messages(aws) if m["detail-type"].startswith("Case")] == [
        "CaseResolved",
        event,
    ]
    # The same answer delivered again changes nothing.
    assert post(aws, answer)[0] == 200
    settle()
    assert call(aws, "GET", PATH)[1]["version"] == case["version"]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"action": "resolve", "by": "Ava CSM", "root_cause": "x"}, 422),  # no action_taken
        ({"action": "contact", "by": "Ava CSM"}, 422),  # no note
        ({"action": "close", "by": "Ava CSM"}, 422),
        ({"action": "acknowledge"}, 422),  # who?
    ],
)
def test_an_incomplete_action_is_refused_and_changes_nothing(
    aws: EmbeddedAws, detractor: dict[str, Any], action: dict[str, Any], code: int
) -> None:
    assert act(aws, **action)[0] == code
    assert call(aws, "GET", PATH)[1]["version"] == 0


def test_a_step_the_status_does_not_allow_is_a_conflict_and_an_unknown_case_is_not_found(
    aws: EmbeddedAws, detractor: dict[str, Any]
) -> None:
    assert act(aws, action="resolve", by="Ava CSM", root_cause="a", action_taken="b")[0] == 200
    status, body = act(aws, action="resolve", by="Ava CSM", root_cause="a", action_taken="b")
    assert status == 409 and "it is resolved" in body["error"]
    assert call(aws, "POST", "/v1/cases/nope/actions", {"action": "acknowledge", "by": "x"})[0] == 404


def test_the_metrics_count_the_loop(aws: EmbeddedAws, detractor: dict[str, Any]) -> None:
    act(aws, action="contact", by="Ava CSM", note="Called")
    status, rows = call(aws, "GET", "/v1/cases/metrics")
    everything = next(r for r in rows if r["segment"] == "all")
    assert status == 200 and everything["cases"] == 1 and everything["sla_kept"] == 1
    assert next(r for r in rows if r["segment"] == "enterprise")["cases"] == 1


def test_what_the_bus_refuses_is_parked_and_redrive_publishes_it_with_its_ids(
    aws: EmbeddedAws, detractor: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.events.models import EventsBackend

    put_events = EventsBackend.put_events
    monkeypatch.setattr(
        EventsBackend,
        "put_events",
        lambda self, entries: [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"} for _ in entries],
    )
    opened = datetime.fromisoformat(detractor["opened_at"])
    # The sweep escalates the case and the desk logs a contact; the bus takes none of their events.
    assert sweep(aws, opened + timedelta(hours=25)) == [CASE]
    assert act(aws, action="contact", by="Ben Lead", note="Called")[0] == 200
    assert crm_messages(aws) == []
    # A retry would find the work done: the sweep has nothing due, the contact is logged.
    assert sweep(aws, opened + timedelta(hours=25)) == []

    monkeypatch.setattr(EventsBackend, "put_events", put_events)  # the bus is back
    assert aws.redrive().dead_letters["UnpublishedEvents"] == 2
    delivered = crm_messages(aws)
    assert [(m["source"], m["detail-type"]) for m in delivered] == [
        ("npsops", "CaseEscalated"),
        ("npsops", "CaseContacted"),
    ]
    case = CaseRepository(settings().cases_table).get(CASE)
    assert case is not None
    assert delivered[-1]["detail"]["event_id"] == f"CaseContacted:{CASE}#v{case.version}"
    assert aws.redrive().dead_letters["UnpublishedEvents"] == 0

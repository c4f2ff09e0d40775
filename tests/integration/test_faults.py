"""Faults injected into the embedded AWS itself (moto's DynamoDB and EventBridge answer with AWS's own
errors), under the real handlers and the real ASL: every response is retried or parked for redrive,
never lost, and never counted twice. A failing CRM target (dead-lettered, then redriven) is covered in
tests/integration/test_crm_destinations.py."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from local.aws import EmbeddedAws
from shared.domain.models import SurveyKind
from shared.domain.rollup import RollupKey
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import crm_messages, executions, history_states, post, settings, settle

Q4 = RollupKey(account_id="acct-001", quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)


@dataclass
class Fault:
    """Answer `times` matching requests with `error`; `after_write`: do the work first, then fail
    (the write happened, the caller never heard: what a timeout looks like to it)."""

    matches: Callable[[str, dict[str, Any]], bool]
    error: str
    status: int = 400
    times: int = 1
    after_write: bool = False
    hits: int = 0


@dataclass
class DynamoFaults:
    faults: list[Fault] = field(default_factory=list)

    def answer(self, action: str, body: dict[str, Any], call: Callable[[], Any]) -> Any:
        for fault in self.faults:
            if fault.hits < fault.times and fault.matches(action, body):
                fault.hits += 1
                if fault.after_write:
                    call()
                payload = {"__type": f"com.amazonaws.dynamodb.v20120810#{fault.error}", "message": "injected"}
                return fault.status, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(payload)
        return call()


@pytest.fixture
def dynamodb_faults(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoFaults]:
    from moto.dynamodb.responses import DynamoHandler

    faults = DynamoFaults()
    call_action = DynamoHandler.call_action

    def faulty(self: Any) -> Any:
        return faults.answer(self._get_action(), getattr(self, "params", {}) or {}, lambda: call_action(self))

    monkeypatch.setattr(DynamoHandler, "call_action", faulty)
    yield faults


def rollup_update(action: str, body: dict[str, Any]) -> bool:
    return action == "UpdateItem" and body.get("TableName") == settings().rollups_table


def counts() -> tuple[int, int, int]:
    found = RollupRepository(settings().rollups_table).counts(Q4)
    return found.promoters, found.passives, found.detractors


def announced(aws: EmbeddedAws) -> set[str]:
    return {m["detail-type"] for m in crm_messages(aws)}


def status_of(key: str) -> str:
    stored = ResponseRepository(settings().responses_table).get(key)
    assert stored is not None, f"{key} was lost"
    return str(stored["status"])


def test_throttled_roll_up_writes_are_retried_and_the_vote_is_counted_once(
    aws: EmbeddedAws, directory: AccountRepository, dynamodb_faults: DynamoFaults
) -> None:
    throttle = Fault(rollup_update, "ProvisionedThroughputExceededException", times=4)
    dynamodb_faults.faults.append(throttle)
    assert post(aws, response_body(score=9))[0] == 202
    settle(timeout=90)
    assert throttle.hits == 4  # the SDK's retries, then the state machine's
    assert status_of("generic-r-1") == "processed"
    assert counts() == (1, 0, 0)


def test_a_roll_up_write_that_landed_but_whose_answer_was_lost_is_not_counted_again(
    aws: EmbeddedAws, directory: AccountRepository, dynamodb_faults: DynamoFaults
) -> None:
    lost = Fault(rollup_update, "InternalServerError", status=500, times=2, after_write=True)
    dynamodb_faults.faults.append(lost)
    post(aws, response_body(score=3))
    settle(timeout=90)
    assert lost.hits == 2
    assert status_of("generic-r-1") == "processed"
    assert counts() == (0, 0, 1)
    assert len(CaseRepository(settings().cases_table).all()) == 1
    # The retry found the vote counted: it is this response's, so its NPS change is still announced.
    assert announced(aws) >= {"ResponseScored", "AccountNpsChanged", "CaseOpened"}


def test_throttling_that_outlasts_every_retry_parks_the_response_and_redrive_counts_it_once(
    aws: EmbeddedAws, directory: AccountRepository, dynamodb_faults: DynamoFaults
) -> None:
    dynamodb_faults.faults.append(Fault(rollup_update, "ThrottlingException", times=1_000))
    post(aws, response_body(score=2))
    post(aws, response_body(response_id="r-2", contact_id="c-2", score=10))
    settle(timeout=120)
    assert {status_of("generic-r-1"), status_of("generic-r-2")} == {"failed"}
    assert counts() == (0, 0, 0)
    assert crm_messages(aws) == []

    dynamodb_faults.faults.clear()  # the throttling is over
    assert sorted(aws.redrive().restarted) == ["generic-r-1-redrive-1", "generic-r-2-redrive-1"]
    settle()
    assert {status_of("generic-r-1"), status_of("generic-r-2")} == {"processed"}
    assert counts() == (1, 0, 1)
    assert aws.redrive().restarted == []
    assert len(CaseRepository(settings().cases_table).all()) == 1


def test_a_put_events_partial_failure_is_retried_and_every_event_reaches_the_bus_with_its_id(
    aws: EmbeddedAws, directory: AccountRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.events.models import EventsBackend

    put_events = EventsBackend.put_events
    failed_once: list[str] = []

    def first_entry_fails_once(self: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if failed_once or not entries:
            return list(put_events(self, entries))
        failed_once.append(entries[0]["DetailType"])
        rest = list(put_events(self, entries[1:]))
        return [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}, *rest]

    monkeypatch.setattr(EventsBackend, "put_events", first_entry_fails_once)
    post(aws, response_body(score=1))
    settle(timeout=90)
    [execution] = executions(aws)
    history = history_states(str(execution["arn"]))
    assert ("TaskFailed", "EventBridge.FailedEntry") in history
    assert ("ExecutionSucceeded", None) in history
    assert status_of("generic-r-1") == "processed"
    delivered = crm_messages(aws)
    ids = Counter(m["detail"]["event_id"] for m in delivered)
    kinds = {m["detail-type"] for m in delivered}
    assert failed_once and failed_once[0] in kinds  # the entry that failed was published by the retry
    # EventBridge is at least once: the retry republishes the entries that had landed, under the
    # same event ids, so a consumer recognises them; no event id carries different content.
    by_id = {m["detail"]["event_id"]: m["detail"] for m in delivered}
    assert all(m["detail"] == by_id[m["detail"]["event_id"]] for m in delivered)
    assert max(ids.values()) <= 2
    assert counts() == (0, 0, 1)
    assert len(CaseRepository(settings().cases_table).all()) == 1


def test_a_lambda_task_that_raises_takes_the_failure_path_and_redrive_counts_the_vote_once(
    aws: EmbeddedAws, directory: AccountRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functions.evaluate_triggers.handler as evaluate_handler

    real = evaluate_handler.handler
    broken = {"on": True}

    def raising(event: dict[str, Any], context: Any) -> Any:
        if broken["on"]:
            raise RuntimeError("a bug in the trigger rules")
        return real(event, context)

    from local import moto_patches

    name = "npsops-evaluate-triggers"
    _, memory_mb, serial = moto_patches._handlers[name]
    monkeypatch.setitem(moto_patches._handlers, name, (raising, memory_mb, serial))
    post(aws, response_body(score=0))
    settle(timeout=90)
    [execution] = executions(aws)
    history = history_states(str(execution["arn"]))
    assert ("LambdaFunctionFailed", "RuntimeError") in history
    assert ("ExecutionFailed", "PipelineFailed") in history
    assert status_of("generic-r-1") == "failed"
    assert counts() == (0, 0, 1)  # Aggregate ran before the failing step

    assert crm_messages(aws) == []  # the failed execution never reached PublishEvents

    broken["on"] = False  # the fix is deployed
    assert aws.redrive().restarted == ["generic-r-1-redrive-1"]
    settle()
    assert status_of("generic-r-1") == "processed"
    assert counts() == (0, 0, 1)  # Aggregate ran again: the same vote, not a second one
    assert len(CaseRepository(settings().cases_table).all()) == 1
    # ... and announced it: the first execution's events were never published.
    assert announced(aws) >= {"ResponseScored", "AccountNpsChanged", "CaseOpened"}


def case_put(action: str, body: dict[str, Any]) -> bool:
    return action == "PutItem" and body.get("TableName") == settings().cases_table


def case_opened_ids(aws: EmbeddedAws) -> Counter[str]:
    opened = [m["detail"]["data"] for m in crm_messages(aws) if m["detail-type"] == "CaseOpened"]
    return Counter(case["case_id"] for case in opened)


def test_a_case_write_that_landed_but_whose_answer_was_lost_still_announces_the_case(
    aws: EmbeddedAws, directory: AccountRepository, dynamodb_faults: DynamoFaults
) -> None:
    lost = Fault(case_put, "InternalServerError", status=500, times=1, after_write=True)
    dynamodb_faults.faults.append(lost)
    post(aws, response_body(score=3))
    settle(timeout=90)
    assert lost.hits == 1
    [case] = CaseRepository(settings().cases_table).all()
    # The SDK's retry found the case it had written: that is this response's case, announced once.
    assert case_opened_ids(aws) == Counter({case.case_id: 1})


def test_the_publisher_parks_only_what_the_bus_refused_and_raises_where_it_cannot_park(
    aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.events.models import EventsBackend

    from shared.events import BUS_NAME
    from shared.store.bus import EventPublisher
    from shared.store.dynamo import StoreUnavailable

    put_events = EventsBackend.put_events

    def refuses_escalations(self: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        refused = {"ErrorCode": "ThrottlingException", "ErrorMessage": "injected"}
        taken = iter(put_events(self, [e for e in entries if e["DetailType"] != "CaseEscalated"]))
        return [refused if e["DetailType"] == "CaseEscalated" else next(taken) for e in entries]

    monkeypatch.setattr(EventsBackend, "put_events", refuses_escalations)
    entries = [
        {"EventBusName": BUS_NAME, "Source": "npsops", "DetailType": kind, "Detail": {"event_id": kind}}
        for kind in ("CaseOpened", "CaseEscalated", "CaseResolved")
    ]
    EventPublisher(aws.unpublished_queue_url).publish(entries)
    assert sorted(m["detail-type"] for m in crm_messages(aws)) == ["CaseOpened", "CaseResolved"]
    parked = boto3.client("sqs").receive_message(QueueUrl=aws.unpublished_queue_url, MaxNumberOfMessages=10)
    assert [json.loads(m["Body"]) for m in parked["Messages"]] == [
        {"source": "npsops", "detail-type": "CaseEscalated", "detail": {"event_id": "CaseEscalated"}}
    ]
    with pytest.raises(StoreUnavailable, match="1 events were not accepted by the bus"):
        EventPublisher().publish(entries)

"""The real ASL executed by moto's engine, with the real handlers: histories, retries, the failure path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import pytest

from local.aws import EmbeddedAws
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.dynamo import StoreUnavailable
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import crm_messages, executions, history_states, post, settings, settle

HAPPY_DETRACTOR_PATH = [
    "Score",
    "Aggregate",
    "AskedByNpsops",  # no: an answer to no survey npsops asked for
    "EvaluateTriggers",
    "AnyFirings",
    "OpenCases",
    "PublishEvents",
    "MarkProcessed",
    "Processed",
]


def entered(history: list[tuple[str, str | None]]) -> list[str | None]:
    return [name for kind, name in history if kind.endswith("StateEntered")]


def the_execution(aws: EmbeddedAws) -> str:
    [execution] = executions(aws)
    return str(execution["arn"])


def test_a_detractor_goes_through_every_state_opens_a_case_and_reaches_the_crm(
    aws: EmbeddedAws, directory: AccountRepository
) -> None:
    post(aws, response_body(score=3))
    settle()
    arn = the_execution(aws)
    history = history_states(arn)
    assert entered(history) == HAPPY_DETRACTOR_PATH
    assert ("ExecutionSucceeded", None) in history

    [case] = CaseRepository(settings().cases_table).for_owner("Ava CSM")
    assert case.rule == "detractor-recovery" and case.sla_hours == 24  # top ARR tier
    assert case.response_id == "generic-r-1"

    delivered = crm_messages(aws)
    assert sorted(m["detail-type"] for m in delivered) == [
        "AccountNpsChanged",
        "CaseOpened",
        "ResponseScored",
    ]
    assert {m["detail"]["correlation_id"] for m in delivered} == {"generic-r-1"}
    assert {m["detail"]["envelope_version"] for m in delivered} == {"1"}


def test_a_promoter_skips_the_cases_step(aws: EmbeddedAws, directory: AccountRepository) -> None:
    post(aws, response_body(score=10))
    settle()
    assert entered(history_states(the_execution(aws))) == [
        "Score",
        "Aggregate",
        "AskedByNpsops",
        "EvaluateTriggers",
        "AnyFirings",
        "NoCases",
        "PublishEvents",
        "MarkProcessed",
        "Processed",
    ]
    assert CaseRepository(settings().cases_table).all() == []
    assert sorted(m["detail-type"] for m in crm_messages(aws)) == ["AccountNpsChanged", "ResponseScored"]


class FlakyRollups:
    """The real repository, throttled for its first `failures` calls."""

    def __init__(self, real: RollupRepository, failures: int) -> None:
        self.real, self.failures = real, failures

    def record_vote(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise StoreUnavailable("ProvisionedThroughputExceededException")
        return self.real.record_vote(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # everything else, unthrottled
        return getattr(self.real, name)


@pytest.fixture
def flaky_rollups(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlakyRollups]:
    import functions.aggregate.handler as aggregate_handler  # imported once the environment is set

    flaky = FlakyRollups(aggregate_handler.run.rollups, failures=1)
    throttled = replace(aggregate_handler.run, rollups=cast(RollupRepository, flaky))
    monkeypatch.setattr(aggregate_handler, "run", throttled)
    yield flaky


def test_a_throttled_step_is_retried_and_the_response_still_lands(
    aws: EmbeddedAws, directory: AccountRepository, flaky_rollups: FlakyRollups
) -> None:
    post(aws, response_body(score=8))
    settle()
    history = history_states(the_execution(aws))
    assert ("LambdaFunctionFailed", "StoreUnavailable") in history
    assert entered(history).count("Aggregate") == 1  # a Retry stays inside the state
    # score, aggregate (twice), evaluate: a passive opens no case
    assert [kind for kind, _ in history].count("LambdaFunctionScheduled") == 3 + 1
    assert ("ExecutionSucceeded", None) in history
    stored = ResponseRepository(settings().responses_table).get("generic-r-1")
    assert stored is not None and stored["status"] == "processed"


def test_a_step_that_keeps_failing_takes_the_failure_path_and_keeps_the_response_for_redrive(
    aws: EmbeddedAws, directory: AccountRepository, flaky_rollups: FlakyRollups
) -> None:
    flaky_rollups.failures = 100
    post(aws, response_body(score=8))
    settle(timeout=90)
    history = history_states(the_execution(aws))
    assert entered(history) == ["Score", "Aggregate", "RecordFailure", "PipelineFailed"]
    assert [name for kind, name in history if kind == "LambdaFunctionFailed"] == ["StoreUnavailable"] * 4
    assert ("ExecutionFailed", "PipelineFailed") in history
    [failed] = ResponseRepository(settings().responses_table).failed()
    assert failed["pk"] == "generic-r-1" and failed["status"] == "failed"
    assert failed["failure_error"] == "StoreUnavailable"
    assert failed["response"]["score"] == 8  # everything needed to redrive it
    assert crm_messages(aws) == []  # nothing was published for a response that did not finish


def test_redrive_runs_a_failed_response_again_once_the_cause_is_fixed(
    aws: EmbeddedAws, directory: AccountRepository, flaky_rollups: FlakyRollups
) -> None:
    flaky_rollups.failures = 100
    post(aws, response_body(score=2))
    settle(timeout=90)
    flaky_rollups.failures = 0  # the throttling is over

    assert aws.redrive().restarted == ["generic-r-1-redrive-1"]
    settle()
    responses = ResponseRepository(settings().responses_table)
    stored = responses.get("generic-r-1")
    assert stored is not None and stored["status"] == "processed" and stored["redrives"] == 1
    assert responses.failed() == []
    assert aws.redrive().restarted == []  # nothing left to redrive
    assert len(CaseRepository(settings().cases_table).all()) == 1
    assert sorted(m["detail-type"] for m in crm_messages(aws)) == [
        "AccountNpsChanged",
        "CaseOpened",
        "ResponseScored",
    ]

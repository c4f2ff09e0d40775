"""The reconciliation job: roll-ups recomputed from the stored responses, drift reported and repaired,
roll-ups with a response still in flight left alone; fired by its schedule as on AWS."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from functions.schedules import SCHEDULES
from local.aws import EmbeddedAws
from shared.domain.models import SurveyKind
from shared.domain.rollup import RollupKey
from shared.services.reconcile import reconcile
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import post, settings, settle

Q4 = RollupKey(account_id="acct-001", quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)


def repositories() -> tuple[ResponseRepository, RollupRepository]:
    return ResponseRepository(settings().responses_table), RollupRepository(settings().rollups_table)


def counts(key: RollupKey = Q4) -> tuple[int, int, int]:
    found = RollupRepository(settings().rollups_table).counts(key)
    return found.promoters, found.passives, found.detractors


def nudge(counter: str, by: int, key: RollupKey = Q4) -> None:
    """A counter moved without its response: what a bug or a hand edit would leave."""
    boto3.client("dynamodb").update_item(
        TableName=settings().rollups_table,
        Key={
            "pk": {"S": f"ACCOUNT#{key.account_id}"},
            "sk": {"S": f"Q#{key.quarter}#{key.program}#{key.kind}"},
        },
        UpdateExpression=f"ADD {counter} :by",
        ExpressionAttributeValues={":by": {"N": str(by)}},
    )


@pytest.fixture
def three_answers(aws: EmbeddedAws) -> None:
    post(aws, response_body(response_id="r-1", contact_id="c-1", score=10))
    post(aws, response_body(response_id="r-2", contact_id="c-2", score=3))
    post(
        aws, response_body(response_id="r-3", contact_id="c-1", score=7, submitted_at="2026-11-03T09:00:00Z")
    )
    settle()


def test_counters_the_pipeline_kept_are_in_step_with_the_stored_responses(three_answers: None) -> None:
    report = reconcile(*repositories())
    assert report.in_step and report.drifted == []
    assert (report.roll_ups_checked, report.responses_counted) == (1, 3)
    assert counts() == (0, 1, 1)  # c-1's later 7 replaced their 10


def test_drift_is_reported_and_repaired_and_the_next_run_finds_none(three_answers: None) -> None:
    nudge("promoters", 2)
    nudge("detractors", -1)
    report = reconcile(*repositories())  # report only
    [drift] = report.drifted
    assert (drift.stored.promoters, drift.stored.passives, drift.stored.detractors) == (2, 1, 0)
    assert (drift.expected.promoters, drift.expected.passives, drift.expected.detractors) == (0, 1, 1)
    assert not drift.repaired and counts() == (2, 1, 0)

    [repaired] = reconcile(*repositories(), repair=True).drifted
    assert repaired.repaired and counts() == (0, 1, 1)
    assert reconcile(*repositories()).in_step


def test_a_roll_up_with_no_responses_left_is_zeroed(aws: EmbeddedAws) -> None:
    other = Q4.model_copy(update={"account_id": "acct-ghost"})
    nudge("promoters", 1, other)
    [drift] = reconcile(*repositories(), repair=True).drifted
    assert drift.account_id == "acct-ghost" and drift.repaired
    assert counts(other) == (0, 0, 0)


def test_a_roll_up_with_a_response_in_flight_is_left_alone(three_answers: None) -> None:
    responses, rollups = repositories()
    responses.park("generic-r-2", "a step failed", datetime(2026, 11, 5, tzinfo=UTC))
    nudge("passives", 5)
    report = reconcile(responses, rollups, repair=True)
    assert report.drifted == [] and report.unsettled == ["acct-001·2026-Q4·customer·relational"]
    assert counts() == (0, 6, 1)


def test_the_daily_schedule_runs_it_and_repairs(aws: EmbeddedAws, three_answers: None) -> None:
    assert "reconcile" in {spec.name for spec in SCHEDULES}
    nudge("detractors", 3)
    fired = aws.fire_schedule("reconcile", datetime(2026, 11, 6, 2, 30, tzinfo=UTC))
    assert [d["repaired"] for d in fired["drifted"]] == [True]
    assert counts() == (0, 1, 1)

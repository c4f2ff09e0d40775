"""Survey planning and the quarterly refresh on the embedded AWS, fired the way EventBridge Scheduler
fires them (EmbeddedAws.fire_schedule): planner idempotency per day, request_survey for the other
workflows, and the quarterly refresh workflow's history, re-run safety and stored results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from local.aws import EmbeddedAws
from local.executions import history, list_executions
from shared.config import SurveySettings
from shared.domain.accounts import Account, AccountTeam
from shared.domain.contacts import Contact
from shared.domain.models import Band, SurveyKind
from shared.domain.rollup import RollupKey, Vote
from shared.domain.surveys import Decision, SuppressionReason, SurveyCandidate, Touchpoint, relational_due
from shared.store.accounts import AccountRepository
from shared.store.contacts import ContactRepository
from shared.store.refresh import RefreshRepository
from shared.store.rollups import RollupRepository
from shared.store.surveys import SurveyRepository
from shared.wiring.closed_loop import survey_planner
from tests.integration.helpers import call, crm_messages

QUARTER_START = datetime(2026, 10, 1, 6, tzinfo=UTC)
TEAM = AccountTeam(csm="Ana", cs_lead="Lee", executive_sponsor="Eve")


def _settings() -> SurveySettings:
    return SurveySettings.from_env()


def _contacts(count: int, account: str = "acct-1") -> list[Contact]:
    directory = ContactRepository(_settings().contacts_table)
    people = [
        Contact(contact_id=f"c-{i}", account_id=account, email=f"c{i}@example.com") for i in range(count)
    ]
    for person in people:
        directory.put(person)
    return people


def _survey_events(aws: EmbeddedAws) -> list[dict[str, Any]]:
    return [m for m in crm_messages(aws) if m["detail-type"] in ("SurveyRequested", "SurveySuppressed")]


def test_the_planner_plans_each_contact_once_per_day_however_often_it_runs(aws: EmbeddedAws) -> None:
    people = _contacts(6)
    last_due = max(relational_due(p.contact_id, QUARTER_START.date(), _settings().fatigue) for p in people)
    at = datetime.combine(last_due, QUARTER_START.timetz())
    first = aws.fire_schedule("survey-planner", at)
    assert first["planned"] == 6 and first["suppressed"] == {} and first["already_decided"] == 0
    again = aws.fire_schedule("survey-planner", at)
    assert again["planned"] == 0 and again["already_decided"] == 6
    events = _survey_events(aws)
    assert len(events) == 6 and {e["detail-type"] for e in events} == {"SurveyRequested"}
    data = events[0]["detail"]["data"]
    assert data["connection"] == _settings().survey_connection and data["touchpoint"] == "relational"
    assert (
        data["email"].endswith("@example.com") and data["properties"]["survey_request"] == data["request_id"]
    )
    assert SurveyRepository(_settings().surveys_table).counts() == {at.date().isoformat(): {"planned": 6}}


def test_a_milestone_asked_for_later_is_decided_on_its_day_under_the_fatigue_rules(aws: EmbeddedAws) -> None:
    [person] = _contacts(1)
    planner = survey_planner(_settings())
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    follow_up = SurveyCandidate(  # no email: the planner takes the directory's
        account_id="acct-1",
        contact_id=person.contact_id,
        touchpoint=Touchpoint.QBR,
        due=date(2026, 11, 20),
        source="qbr:acct-1",
    )
    pending = planner.request_survey(follow_up, now)
    assert pending.decision is Decision.PENDING
    assert planner.request_survey(follow_up, now).decision is Decision.PENDING  # asked twice: one request
    # A survey today: planned. The QBR survey 18 days later breaks the 60-day gap: suppressed on its day.
    today = follow_up.model_copy(update={"touchpoint": Touchpoint.SUPPORT_RESOLVED, "due": now.date()})
    assert planner.request_survey(today, now).decision is Decision.PLANNED
    assert planner.request_survey(today, now).already_decided
    planned = [e["detail"]["data"] for e in _survey_events(aws) if e["detail-type"] == "SurveyRequested"]
    assert [(p["touchpoint"], p["email"]) for p in planned] == [("support-resolved", person.email)]
    result = aws.fire_schedule("survey-planner", datetime(2026, 11, 20, 6, tzinfo=UTC))
    # The contact's relational survey of the quarter is due by then too, and as close to the first.
    relational = relational_due(person.contact_id, QUARTER_START.date(), _settings().fatigue)
    assert relational <= date(2026, 11, 20) and relational > now.date() - timedelta(days=60)
    assert result["suppressed"] == {"min-gap": 2} and result["planned"] == 0
    stored = planner.request_survey(follow_up, now)
    assert (stored.decision, stored.reason) == (Decision.SUPPRESSED, SuppressionReason.MIN_GAP)
    assert stored.detail == "last survey 2026-11-02 (18 days ago, minimum 60)"
    suppressed = _survey_events(aws)
    assert sorted(e["detail"]["data"]["touchpoint"] for e in suppressed) == ["qbr", "relational"]
    assert {e["detail"]["data"]["reason"] for e in suppressed} == {"min-gap"}
    assert SurveyRepository(_settings().surveys_table).counts() == {
        "2026-11-02": {"planned": 1},  # the QBR request made that day is counted when decided
        "2026-11-20": {"suppressed_min_gap": 2},
    }


def _seed_quarter(quarters: dict[str, list[tuple[str, int]]]) -> None:
    """Accounts and their relational votes: quarter -> [(account, score per contact...)]."""
    settings = _settings()
    accounts, rollups = AccountRepository(settings.accounts_table), RollupRepository(settings.rollups_table)
    for i in range(3):
        accounts.put(
            Account(
                account_id=f"acct-{i}",
                name=f"Account {i}",
                segment="smb" if i else "enterprise",
                arr=10_000.0 * (i + 1),
                seats=10 * (i + 1),
                industry="retail",
                region="emea",
                lifecycle_stage="adopt",
                team=TEAM,
            )
        )
    for quarter, votes in quarters.items():
        year, q = int(quarter[:4]), int(quarter[-1])
        when = datetime(year, 3 * q - 1, 15, tzinfo=UTC)
        for n, (account_id, score) in enumerate(votes):
            band = Band.PROMOTER if score >= 9 else Band.PASSIVE if score >= 7 else Band.DETRACTOR
            rollups.record_vote(
                RollupKey(
                    account_id=account_id, quarter=quarter, program="customer", kind=SurveyKind.RELATIONAL
                ),
                Vote(
                    contact_id=f"{account_id}-c{n}",
                    response_id=f"r-{quarter}-{n}",
                    band=band,
                    score=score,
                    submitted_at=when,
                    revised_at=when,
                ),
            )


def test_the_quarterly_refresh_closes_benchmarks_recalibrates_and_backtests_once_per_quarter(
    aws: EmbeddedAws,
) -> None:
    _seed_quarter(
        {
            "2026-Q2": [("acct-0", 10), ("acct-0", 9), ("acct-0", 9), ("acct-1", 8), ("acct-1", 9)],
            "2026-Q3": [("acct-0", 3), ("acct-0", 9), ("acct-0", 5), ("acct-1", 10), ("acct-1", 6)],
        }
    )
    output = aws.fire_schedule("quarterly-refresh", QUARTER_START)
    assert output["quarter"]["Payload"] == {"quarter": "2026-Q3", "accounts": 3, "written": 3, "kept": 0}
    assert output["thresholds"]["Payload"]["version"] == "2026-Q3-refresh"
    assert output["thresholds"]["Payload"]["changes"][0]["reason"].startswith("kept:")
    backtest = output["backtest"]["Payload"]
    # acct-0: +100 → -33 on 3 votes: the drop rule fires under both sets (defaults kept).
    assert backtest["fired_old"] == backtest["fired_new"] >= 1

    [execution] = list_executions(aws.state_machine_arns["quarterly-refresh"])
    assert execution["name"] == "quarterly-refresh-20261001T060000Z" and execution["status"] == "SUCCEEDED"
    entered = [e["state"] for e in history(execution["arn"]) if e["type"] == "TaskStateEntered"]
    assert entered == ["CloseQuarter", "SegmentBenchmarks", "RecalibrateThresholds", "Backtest"]

    refresh = RefreshRepository(_settings().refresh_table)
    snapshots = {s.account_id: s for s in refresh.snapshots("2026-Q3")}
    assert (
        snapshots["acct-0"].nps.nps == pytest.approx(-33.33) and snapshots["acct-0"].previous_nps.nps == 100.0
    )
    portfolio = next(b for b in refresh.benchmarks("2026-Q3") if b.dimension == "portfolio")
    assert (portfolio.n, portfolio.unweighted.nps) == (5, -20.0)  # 2 promoters, 3 detractors

    # Late votes for the closed quarter, then a re-run of the same firing and a new execution for it:
    # the first close stands, nothing is written twice, the same refresh is announced once.
    _seed_quarter({"2026-Q3": [("acct-2", 0)]})
    assert aws.fire_schedule("quarterly-refresh", QUARTER_START) == output
    rerun = aws.fire_schedule("quarterly-refresh", QUARTER_START + timedelta(hours=1))
    assert rerun["quarter"]["Payload"] == {"quarter": "2026-Q3", "accounts": 3, "written": 0, "kept": 3}
    assert rerun["thresholds"]["Payload"]["created"] is False
    assert rerun["backtest"]["Payload"] == backtest
    assert {s.account_id: s for s in refresh.snapshots("2026-Q3")} == snapshots
    refreshed = [m for m in crm_messages(aws) if m["detail-type"] == "ThresholdsRefreshed"]
    assert {m["detail"]["event_id"] for m in refreshed} == {"ThresholdsRefreshed:2026-Q3-refresh"}


def test_an_unknown_schedule_is_named(aws: EmbeddedAws) -> None:
    with pytest.raises(KeyError, match="no schedule named"):
        aws.fire_schedule("nope", QUARTER_START)
    assert (
        boto3.client("stepfunctions").list_executions(
            stateMachineArn=aws.state_machine_arns["quarterly-refresh"]
        )["executions"]
        == []
    )


def _table_items() -> dict[str, int]:
    dynamodb = boto3.client("dynamodb")
    return {
        name: int(dynamodb.scan(TableName=name, Select="COUNT")["Count"])
        for name in dynamodb.list_tables()["TableNames"]
    }


def test_replay_reports_what_a_set_would_have_fired_and_writes_nothing(aws: EmbeddedAws) -> None:
    from local.surveys import replay_view
    from shared.domain.thresholds import Thresholds

    _seed_quarter(
        {
            "2026-Q2": [("acct-0", 10), ("acct-0", 9), ("acct-0", 9)],
            "2026-Q3": [("acct-0", 3), ("acct-0", 9), ("acct-0", 5)],
        }
    )
    crm_messages(aws)  # drain
    before = _table_items()
    strict = replay_view(date(2026, 4, 1), Thresholds(), date(2026, 9, 30))
    lenient = replay_view(
        date(2026, 4, 1), Thresholds(nps_drop_points=150, version="lenient"), date(2026, 9, 30)
    )
    assert strict["quarters"] == ["2026-Q2", "2026-Q3"] and strict["accounts"] == 3
    assert [(f["rule"], f["account_id"], f["quarter"]) for f in strict["fired"]] == [
        ("nps-drop-review", "acct-0", "2026-Q3")
    ]
    assert lenient["fired"] == [] and lenient["thresholds_version"] == "lenient"
    assert replay_view(date(2026, 4, 1), Thresholds(), date(2026, 9, 30)) == strict  # deterministic
    assert _table_items() == before and crm_messages(aws) == []
    assert call(aws, "GET", "/v1/surveys") == (200, {"requests": [], "counts_by_day": {}})


def test_a_refresh_step_with_bad_input_is_refused_and_writes_nothing(aws: EmbeddedAws) -> None:
    from pydantic import ValidationError

    from functions.catalog import QUARTERLY_REFRESH_STEP

    before = _table_items()
    with pytest.raises(ValidationError, match="step"):
        aws.invoke(
            QUARTERLY_REFRESH_STEP, {"step": "rewrite-history", "scheduled_at": "2026-10-01T03:00:00Z"}
        )
    with pytest.raises(ValidationError, match="scheduled_at"):
        aws.invoke(QUARTERLY_REFRESH_STEP, {"step": "close", "scheduled_at": "2026-10-01T03:00:00"})
    with pytest.raises(ValueError, match="needs the quarter"):
        aws.invoke(QUARTERLY_REFRESH_STEP, {"step": "backtest", "scheduled_at": "2026-10-01T03:00:00Z"})
    assert _table_items() == before


def test_milestones_ask_for_their_surveys_through_the_api(aws: EmbeddedAws) -> None:
    [person] = _contacts(1)
    today = datetime.now(UTC).date()
    started = today - timedelta(days=30)
    status, body = call(
        aws,
        "PUT",
        "/v1/surveys/milestones",
        {
            "milestones": [
                {
                    "account_id": "acct-1",
                    "contact_id": person.contact_id,
                    "kind": "started",
                    "on": str(started),
                },
                {"account_id": "acct-1", "contact_id": person.contact_id, "kind": "qbr", "on": str(today)},
            ]
        },
    )
    assert status == 200
    # The 30-day survey is due today and wins over the QBR (priority); the 90-day one waits.
    assert [(r["request_id"].split("#")[2], r["decision"], r["reason"]) for r in body["requests"]] == [
        ("30-days", "planned", None),
        ("90-days", "pending", None),
        ("qbr", "suppressed", "min-gap"),
    ]
    status, listed = call(aws, "GET", "/v1/surveys")
    assert status == 200 and len(listed["requests"]) == 3
    assert {r["touchpoint"]: r["decision"] for r in listed["requests"]} == {
        "30-days": "planned",
        "90-days": "pending",
        "qbr": "suppressed",
    }


def test_a_bad_milestone_refuses_the_batch_and_writes_nothing(aws: EmbeddedAws) -> None:
    before = _table_items()
    status, body = call(
        aws,
        "PUT",
        "/v1/surveys/milestones",
        {
            "milestones": [
                {"account_id": "acct-1", "contact_id": "c-1", "kind": "qbr", "on": "2026-11-23"},
                {"account_id": "acct-1", "contact_id": "c-1", "kind": "relational", "on": "2026-11-23"},
            ]
        },
    )
    assert status == 422
    assert [p["field"] for p in body["problems"]] == ["milestones.1.kind"]
    assert _table_items() == before

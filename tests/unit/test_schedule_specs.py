"""The schedule registry: names and expressions Scheduler accepts, the input targets get, and the
deterministic execution name of a state machine firing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from functions.catalog import SCORE, resolve_target
from functions.schedules import (
    SCHEDULES,
    ScheduledEvent,
    ScheduleSpec,
    execution_name,
    scheduled_event,
)
from statemachines import BULK_IMPORT


def test_every_registered_schedule_has_a_target_and_a_unique_name() -> None:
    assert len({s.name for s in SCHEDULES}) == len(SCHEDULES)
    for spec in SCHEDULES:
        assert resolve_target(spec).name == spec.target


@pytest.mark.parametrize("expression", ["cron(0 6 * * ? *)", "rate(1 day)", "rate(12 hours)"])
def test_scheduler_expressions_are_accepted(expression: str) -> None:
    assert ScheduleSpec("ok", expression, "d", SCORE.name).expression == expression


@pytest.mark.parametrize(
    ("name", "expression"), [("bad name", "rate(1 day)"), ("ok", "0 6 * * *"), ("ok", "")]
)
def test_bad_names_and_expressions_are_refused(name: str, expression: str) -> None:
    with pytest.raises(ValueError):
        ScheduleSpec(name, expression, "d", SCORE.name)


def test_the_target_input_is_the_scheduled_time_in_utc() -> None:
    at = datetime(2026, 11, 23, 7, 0, tzinfo=timezone(timedelta(hours=1)))
    event = scheduled_event(at)
    assert event == {"scheduled_at": "2026-11-23T06:00:00Z"}
    assert ScheduledEvent.model_validate(event).scheduled_at == datetime(2026, 11, 23, 6, tzinfo=UTC)
    with pytest.raises(ValueError):
        scheduled_event(datetime(2026, 11, 23))


def test_a_firing_has_one_execution_name_whatever_the_zone_it_is_given_in() -> None:
    spec = ScheduleSpec("quarterly", "rate(1 day)", "d", BULK_IMPORT.name)
    utc = datetime(2027, 1, 1, 6, tzinfo=UTC)
    assert execution_name(spec, utc) == "quarterly-20270101T060000Z"
    assert execution_name(spec, utc.astimezone(timezone(timedelta(hours=-5)))) == execution_name(spec, utc)
    assert execution_name(spec, utc + timedelta(days=1)) != execution_name(spec, utc)


def test_unknown_targets_are_named() -> None:
    with pytest.raises(KeyError, match="nowhere"):
        resolve_target(ScheduleSpec("x", "rate(1 day)", "d", "nowhere"))

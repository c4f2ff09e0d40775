"""Every EventBridge Scheduler schedule, defined once for the CDK stack (infra/constructs/schedules.py)
and the local runtime (local/aws.py EmbeddedAws.fire_schedule).

A schedule's target is a Lambda function (a FunctionSpec name in functions/catalog.py) or a state
machine (a StateMachineSpec name in statemachines/). The target receives `{"scheduled_at": "..."}`, the
time the schedule was due (Scheduler's <aws.scheduler.scheduled-time>): handlers take business time
from it and never read the clock, so a late retry or a local replay does the work of the due day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

# Scheduler substitutes this context attribute into the target input when the schedule fires.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
# Scheduler's own limits: names of 1-64 of these characters.
_NAME = re.compile(r"^[0-9a-zA-Z_.-]{1,64}$")
_EXPRESSION = re.compile(r"^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(.+\))$")


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    expression: str  # Scheduler syntax, evaluated in UTC: "cron(0 6 * * ? *)", "rate(1 day)"
    description: str
    target: str  # a FunctionSpec name or a StateMachineSpec name

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"schedule name {self.name!r}: 1-64 of 0-9 a-z A-Z _ . -")
        if not _EXPRESSION.match(self.expression):
            raise ValueError(f"schedule {self.name}: {self.expression!r} is not a cron(), rate() or at()")

    @property
    def input(self) -> dict[str, str]:
        """The target input as Scheduler is told to send it (the time is filled in when it fires)."""
        return {"scheduled_at": SCHEDULED_TIME}


class ScheduledEvent(BaseModel):
    """What a scheduled target receives. Handlers parse their event with this."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    scheduled_at: AwareDatetime


def scheduled_event(at: datetime) -> dict[str, str]:
    """The input a target receives when its schedule fires at `at` (as Scheduler renders it: UTC, Z)."""
    if at.tzinfo is None:
        raise ValueError("a schedule fires at an aware time")
    return {"scheduled_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def execution_name(spec: ScheduleSpec, at: datetime) -> str:
    """A state machine target's execution name for one firing: the same firing, the same name, so a
    re-run of that firing is recognised (StartExecution refuses a second execution of one name)."""
    return f"{spec.name}-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"[:80]


def schedule_named(name: str) -> ScheduleSpec:
    for spec in SCHEDULES:
        if spec.name == name:
            return spec
    raise KeyError(f"no schedule named {name!r}: {[s.name for s in SCHEDULES]}")


def describe(spec: ScheduleSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "expression": spec.expression,
        "target": spec.target,
        "description": spec.description,
    }


# The closed loop (hourly: SLAs are hours) and the pre-renewal escalation (daily).
CASE_SLA_SWEEP_HOURLY = ScheduleSpec(
    "case-sla-sweep",
    "cron(0 * * * ? *)",
    "Hourly: escalate cases whose first-contact SLA passed (SLAs are 24-72 hours)",
    "case-sla-sweep",
)
RENEWAL_SCANNER_DAILY = ScheduleSpec(
    "renewal-scanner",
    "cron(0 5 * * ? *)",
    "Daily: start a pre-renewal escalation for each account entering its renewal window",
    "renewal-scanner",
)

SURVEY_PLANNER_DAILY = ScheduleSpec(
    "survey-planner",
    "cron(0 6 * * ? *)",
    "Daily: plan the day's surveys (relational per quarter, due milestones) under the fatigue rules",
    "survey-planner",
)
# At 03:00 UTC on the first day of each quarter: the quarter before is over everywhere by then.
QUARTERLY_REFRESH_AT_QUARTER_START = ScheduleSpec(
    "quarterly-refresh",
    "cron(0 3 1 1,4,7,10 ? *)",
    "Quarter start: close the quarter, benchmarks, recalibrate thresholds, backtest",
    "quarterly-refresh",
)

# Daily, in the quiet hour: recompute the roll-ups from the stored responses, repair and report drift.
RECONCILE_DAILY = ScheduleSpec(
    "reconcile",
    "cron(30 2 * * ? *)",
    "Daily: recompute every account roll-up from the stored responses, repair and report drift",
    "reconcile",
)

SCHEDULES: tuple[ScheduleSpec, ...] = (
    CASE_SLA_SWEEP_HOURLY,
    RENEWAL_SCANNER_DAILY,
    SURVEY_PLANNER_DAILY,
    QUARTERLY_REFRESH_AT_QUARTER_START,
    RECONCILE_DAILY,
)

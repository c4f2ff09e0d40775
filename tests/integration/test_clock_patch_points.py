"""The simulated clock's patch points in moto (local/clock.py): fail loudly if an upgrade moves them."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

from local.clock import SimulatedClock


def test_the_patched_moto_methods_are_where_the_clock_expects_them() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as callback,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        CallbackEndpoint,
        CallbackOutcomeSuccess,
        CallbackOutcomeTimedOut,
    )

    assert list(inspect.signature(WaitFunction._wait_interval).parameters) == ["self", "env", "wait_seconds"]
    assert list(inspect.signature(Timestamp._get_wait_seconds).parameters) == ["self", "env"]
    wait_for_token = callback.StateTaskServiceCallback._eval_wait_for_task_token
    assert list(inspect.signature(wait_for_token).parameters) == [
        "self",
        "env",
        "timeout_seconds",
        "callback_endpoint",
        "heartbeat_endpoint",
    ]
    assert "timeout" in inspect.signature(CallbackEndpoint.wait).parameters
    assert hasattr(CallbackEndpoint, "get_outcome")
    assert list(inspect.signature(CallbackOutcomeSuccess).parameters) == ["callback_id", "output"]
    assert list(inspect.signature(CallbackOutcomeTimedOut).parameters) == ["callback_id"]


def test_the_clock_runs_at_its_speed_and_jumps_ahead() -> None:
    clock = SimulatedClock()
    start = datetime(2026, 11, 23, 5, tzinfo=UTC)
    clock.set(start, speed=86_400)  # a day a second
    assert start <= clock.now() < start + timedelta(hours=1)
    assert clock.real_seconds(86_400 * 2) == 2.0
    clock.advance(timedelta(days=30))
    assert clock.now() >= start + timedelta(days=30)


def test_a_clock_standing_still_moves_only_when_set_and_counts_what_it_wakes() -> None:
    """Speed 0: the demo's renewal days. A move past a waiter's time counts it as running at once,
    before its thread has noticed, and its own return does not count it twice."""
    from local.moto_patches import executions

    clock = SimulatedClock()
    start = datetime(2026, 11, 23, 5, tzinfo=UTC)
    clock.set(start, speed=0)
    assert clock.now() == start and clock.real_seconds(60) == float("inf") and clock.real_seconds(-1) == 0
    running = executions.running
    tomorrow = clock.park(start + timedelta(days=1))
    next_week = clock.park(start + timedelta(days=7))
    assert executions.running == running - 2  # waiting is not work in flight
    clock.set(start + timedelta(days=1), speed=0)
    assert tomorrow.woken and not next_week.woken and executions.running == running - 1
    clock.unpark(tomorrow)  # its thread goes on: already counted
    clock.unpark(next_week)  # stopped before its time: counted again on its way out
    assert executions.running == running

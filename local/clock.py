"""The simulated clock of the embedded AWS: how long-running workflows (the renewal escalation waits
weeks for an answer, then until 30 days before the renewal) run in seconds locally.

The clock reads an anchor time plus the real time elapsed since, times `speed`; `advance` jumps it.
moto's Step Functions engine asks it for the time: a Wait state waits until the clock reaches its
timestamp, and a task waiting for its token times out when the clock passes its TimeoutSeconds.
Both watch the clock in short real ticks, so a jump (tests) or a fast clock (`npsops demo`) moves
them on at once. At speed 1 with no jumps (the default) nothing changes. Scheduled functions get
their time from the schedule's firing (never the clock), so they stay in step with it.

A waiting execution is not work in flight: while it waits it is left out of the running count that
`settle` and shutdown wait on (local/moto_patches/ ExecutionCounter). A clock set or advanced past
what a waiter waits for counts that waiter as running again at once, before its thread has noticed,
so whoever moved the clock can wait for quiet and know the woken work is done (the demo's renewal
days). At speed 0 the clock stands still between moves: simulated days then take only the work
they hold, and what happens on which day no longer depends on how fast the machine is.

Patch points (guarded by tests/integration/test_patch_points.py):
- moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function.WaitFunction._wait_interval
- moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp.Timestamp._get_wait_seconds
- moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback
  .StateTaskServiceCallback._eval_wait_for_task_token
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from local import moto_patches


class Waiter:
    """An execution waiting for the clock to reach `until` (or for its task token)."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        self.woken = False  # by a move of the clock, which counted it as running again


class SimulatedClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anchor_real = time.monotonic()
        self._anchor = datetime.now(UTC)
        self._speed = 1.0
        self._waiters: set[Waiter] = set()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def _now(self) -> datetime:
        elapsed = time.monotonic() - self._anchor_real
        return self._anchor + timedelta(seconds=elapsed * self._speed)

    def set(self, at: datetime, speed: float = 1.0) -> None:
        """From now on the clock reads `at`, advancing `speed` simulated seconds per real second
        (0: standing still until the next move). Waiters whose time has come count as running."""
        if speed < 0:
            raise ValueError("speed must not be negative")
        with self._lock:
            self._anchor_real, self._anchor, self._speed = time.monotonic(), at.astimezone(UTC), speed
            for waiter in self._waiters:
                if not waiter.woken and waiter.until <= self._anchor:
                    waiter.woken = True
                    moto_patches.executions.started()

    def park(self, until: datetime) -> Waiter:
        """An execution starts waiting: out of the running count until it is woken or unparked."""
        waiter = Waiter(until)
        with self._lock:
            self._waiters.add(waiter)
            moto_patches.executions.ended()
        return waiter

    def unpark(self, waiter: Waiter) -> None:
        """The execution goes on (its time came, its token arrived, or it was stopped)."""
        with self._lock:
            self._waiters.discard(waiter)
            if not waiter.woken:
                moto_patches.executions.started()

    def reset(self) -> None:
        self.set(datetime.now(UTC), 1.0)

    def advance(self, by: timedelta) -> None:
        """Jump ahead: what waits for a time now passed goes on within a tick."""
        self.set(self.now() + by, self._speed)

    def real_seconds(self, simulated: float) -> float:
        if self._speed == 0:  # a clock standing still gets nowhere by itself
            return float("inf") if simulated > 0 else 0.0
        return max(0.0, simulated / self._speed)


CLOCK = SimulatedClock()
# How often a waiting execution looks at the clock (real seconds).
TICK_SECONDS = 0.02
T = TypeVar("T")
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    _waits_on_the_clock()
    _timestamps_on_the_clock()
    _task_token_timeouts_on_the_clock()


def _idle(until: datetime, wait: Callable[[], T]) -> T:
    """Leave the running count while waiting, and come back when done (or stopped)."""
    waiter = CLOCK.park(until)
    try:
        return wait()
    finally:
        CLOCK.unpark(waiter)


def _ticks_until(until: datetime, env: Any) -> Iterator[float]:
    """Real seconds to wait next, tick by tick, while the execution runs and the clock is short of `until`."""
    while env.is_running():
        remaining = (until - CLOCK.now()).total_seconds()
        if remaining <= 0:
            return
        yield min(TICK_SECONDS, CLOCK.real_seconds(remaining))


def _waits_on_the_clock() -> None:
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    def wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        until = CLOCK.now() + timedelta(seconds=wait_seconds)

        def wait() -> None:
            for tick in _ticks_until(until, env):
                time.sleep(tick)

        _idle(until, wait)

    WaitFunction._wait_interval = wait_interval  # type: ignore[method-assign]


def _timestamps_on_the_clock() -> None:
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp

    original = Timestamp._get_wait_seconds

    def wait_seconds(self: Any, env: Any) -> float:
        seconds_from_real_now = original(self, env)  # moto: the timestamp less the machine's clock
        return seconds_from_real_now - (CLOCK.now() - datetime.now(UTC)).total_seconds()

    Timestamp._get_wait_seconds = wait_seconds  # type: ignore[method-assign,assignment]


def _task_token_timeouts_on_the_clock() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as callback,
    )
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        CallbackOutcomeSuccess,
        CallbackOutcomeTimedOut,
    )

    task = callback.StateTaskServiceCallback
    original = task._eval_wait_for_task_token

    def wait_for_token(
        self: Any, env: Any, timeout_seconds: int, callback_endpoint: Any, heartbeat_endpoint: Any
    ) -> Any:
        if heartbeat_endpoint is not None:  # heartbeats are real time: none of ours has one
            return original(self, env, timeout_seconds, callback_endpoint, heartbeat_endpoint)
        timed_out = CallbackOutcomeTimedOut(callback_id=callback_endpoint.callback_id)
        # A stopped execution (StopExecution) ends the wait as a quiet success: nothing runs after
        # it, and the execution stays ABORTED (an error here would turn it FAILED).
        stopped = CallbackOutcomeSuccess(
            callback_id=callback_endpoint.callback_id, output='{"ended": "stopped"}'
        )
        if not env.is_running():
            return stopped
        until = CLOCK.now() + timedelta(seconds=timeout_seconds)

        def wait() -> Any:
            for tick in _ticks_until(until, env):
                outcome = callback_endpoint.wait(timeout=tick)
                if outcome is not None:
                    return outcome
            return callback_endpoint.get_outcome() or (timed_out if env.is_running() else stopped)

        return _idle(until, wait)

    task._eval_wait_for_task_token = wait_for_token  # type: ignore[method-assign]

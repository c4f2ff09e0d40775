"""The patches the embedded AWS needs from moto to be right: without them the pipeline would not run
(1), would lose writes (4) or could not tell when it has settled (5). Always applied.

Each keeps its number from the list in the package's docstring (local/moto_patches/__init__.py);
every patch point is in PATCH_POINTS, and tests/integration/test_patch_points.py fails if moto (pinned
exactly) moves one.

1. Lambda invoke runs the real handler in process: moto would start a docker container for it, and
   without docker answers every invoke with a canned reply. (A Step Functions Lambda task calling the
   handler without going through moto's Lambda API at all is speed patch 26.)
4. DynamoDB item operations are serialised, as DynamoDB serialises writes to an item and reads a
   consistent item: moto's backend is not thread-safe, and parallel executions would otherwise lose
   ADDs or read a map while it is being written.
5. Running executions are counted, so the runtime can apply back-pressure and wait for quiet (moto
   has no such count: `settle`, the demo's back-pressure and shutdown wait on it).
"""

from __future__ import annotations

import functools
import json
import threading
import traceback
from collections.abc import Callable
from typing import Any

from local.moto_patches._shared import public

PATCH_POINTS: tuple[tuple[str, str], ...] = (
    ("moto.awslambda.models", "LambdaFunction._invoke_lambda"),  # 1
    ("moto.dynamodb.responses", "DynamoHandler.call_action"),  # 4
    ("moto.stepfunctions.parser.backend.execution", "Execution.start"),  # 5
    ("moto.stepfunctions.parser.backend.execution", "BaseExecutionWorkerCommunication.terminated"),  # 5
)


Handler = Callable[[dict[str, Any], Any], Any]


class LambdaContext:
    """The parts of the Lambda context object that Powertools reads."""

    def __init__(self, function_name: str, memory_mb: int) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = "local"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class ExecutionCounter:
    def __init__(self) -> None:
        self._running = 0
        self._condition = threading.Condition()

    @property
    def running(self) -> int:
        return self._running

    def started(self) -> None:
        with self._condition:
            self._running += 1

    def ended(self) -> None:
        with self._condition:
            self._running -= 1
            self._condition.notify_all()

    def wait_below(self, limit: int, timeout: float | None = None) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._running < limit, timeout)


executions = ExecutionCounter()
_handlers: dict[str, tuple[Handler, int, threading.Lock | None]] = {}
dynamodb_lock = threading.RLock()


def call_handler(handler: Handler, event: dict[str, Any], context: LambdaContext) -> Any:
    """Run a handler as Lambda would. Metrics are off locally (POWERTOOLS_METRICS_DISABLED), but
    Powertools then never clears its metric set and prints it every 100 metrics: clear it here."""
    from shared.observability import metrics

    try:
        return handler(event, context)
    finally:
        metrics.clear_metrics()


def register_handler(function_name: str, handler: Handler, memory_mb: int, serial: bool = False) -> None:
    """`serial`: one invocation at a time, for handlers that keep the current request in module state."""
    _handlers[function_name] = (handler, memory_mb, threading.Lock() if serial else None)


def call_registered(function_name: str, event: dict[str, Any]) -> Any:
    """Call a registered handler with a Lambda context, as the Lambda runtime would."""
    if function_name not in _handlers:
        raise RuntimeError(f"no local handler registered for Lambda function {function_name}")
    handler, memory_mb, serial = _handlers[function_name]
    context = LambdaContext(function_name, memory_mb)
    if serial is None:
        return call_handler(handler, event, context)
    with serial:
        return call_handler(handler, event, context)


def _run_function(function_name: str, event: Any) -> tuple[str, bool]:
    """Invoke a registered handler from a JSON payload: (payload JSON, errored)."""
    payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
    try:
        # The package's call_registered: bench/cost_per_million.py replaces it there to meter every call.
        result = public().call_registered(function_name, payload)
    except Exception as error:  # the Lambda runtime's error shape: Step Functions reads errorType
        failure = {
            "errorType": type(error).__name__,
            "errorMessage": str(error),
            "stackTrace": traceback.format_exception(error)[-3:],
        }
        return json.dumps(failure), True
    return json.dumps(result), False


def _route_lambda_invoke() -> None:
    from moto.awslambda.models import LambdaFunction

    def invoke_in_process(self: Any, event: Any = None) -> tuple[str, bool, str]:
        result, errored = _run_function(self.function_name, event)
        return result, errored, ""

    LambdaFunction._invoke_lambda = invoke_in_process  # type: ignore[method-assign]


def _count_executions() -> None:
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

    start, terminated = Execution.start, BaseExecutionWorkerCommunication.terminated

    def counted_start(self: Any) -> None:
        executions.started()
        start(self)

    def counted_terminated(self: Any) -> None:
        try:
            terminated(self)
        finally:
            executions.ended()

    Execution.start = counted_start  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication.terminated = counted_terminated  # type: ignore[method-assign]


def _serialise_dynamodb_item_operations() -> None:
    from moto.dynamodb.responses import DynamoHandler

    # The whole request, serialising the answer included: moto answers with its live item objects.
    call_action = DynamoHandler.call_action

    @functools.wraps(call_action)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with dynamodb_lock:
            return call_action(self, *args, **kwargs)

    DynamoHandler.call_action = locked  # type: ignore[method-assign]


# In the order they are applied (the numbers of the package's list).
PATCHES: tuple[Callable[[], None], ...] = (
    _route_lambda_invoke,  # 1
    _count_executions,  # 5
    _serialise_dynamodb_item_operations,  # 4
)

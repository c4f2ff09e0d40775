"""What the embedded AWS needs moto to do differently, in two kinds:

- correctness.py: what the embedded AWS needs to be right. Lambda invoke runs the real handler in
  process (1); DynamoDB item operations are serialised, as DynamoDB serialises them (4); running
  executions are counted, for back-pressure and waiting for quiet (5). Always applied.
- speed.py: what only makes moto faster, with moto's answers (2, 3, 6 to 26: parse and compile once,
  copy less, read one partition, skip the werkzeug round trip and the signatures, ...). Applied
  unless NPSOPS_MOTO_SPEED_PATCHES=0 (or false, off, no): `make test-stock-moto` runs a slice of the
  integration tests that way, to show they change no answer.

Each patch keeps its number (each module's docstring says what it does and why); a patch that was
both (the Lambda routing) is split, its speed half being 26. Every patch point is in PATCH_POINTS,
and tests/integration/test_patch_points.py fails if moto (pinned exactly, with botocore) moves one.

Callers use this package, not its modules: its names are the ones the single moto_patches module had. Where a
bench or a test replaces one here (call_registered, index_partition), the patches look it up here.
"""

from __future__ import annotations

import os

from local.moto_patches import correctness, speed
from local.moto_patches._shared import replaced, resolve
from local.moto_patches.correctness import (
    ExecutionCounter,
    Handler,
    LambdaContext,
    _handlers,
    _run_function,
    call_handler,
    call_registered,
    dynamodb_lock,
    executions,
    register_handler,
)
from local.moto_patches.speed import (
    DYNAMODB_HOST,
    DYNAMODB_TARGET,
    JSON_SERIALISED_DYNAMODB_ACTIONS,
    copy_expression_tree,
    dynamo_size,
    fast_request_id,
    index_partition,
    json_copy,
)

__all__ = [
    "DYNAMODB_HOST",
    "DYNAMODB_TARGET",
    "JSON_SERIALISED_DYNAMODB_ACTIONS",
    "PATCH_POINTS",
    "SPEED_PATCHES_ENV_VAR",
    "ExecutionCounter",
    "Handler",
    "LambdaContext",
    "_handlers",
    "_run_function",
    "applied",
    "call_handler",
    "call_registered",
    "copy_expression_tree",
    "dynamo_size",
    "dynamodb_lock",
    "executions",
    "fast_request_id",
    "index_partition",
    "install",
    "json_copy",
    "register_handler",
    "replaced",
    "resolve",
    "speed_patches_enabled",
]

PATCH_POINTS: tuple[tuple[str, str], ...] = correctness.PATCH_POINTS + speed.PATCH_POINTS

SPEED_PATCHES_ENV_VAR = "NPSOPS_MOTO_SPEED_PATCHES"
_OFF = frozenset({"0", "false", "off", "no"})

# The names of the patches install() applied, in order: the correctness ones, then the speed ones.
applied: list[str] = []


def speed_patches_enabled() -> bool:
    """Whether install() applies the speed patches: yes unless NPSOPS_MOTO_SPEED_PATCHES says 0."""
    return os.environ.get(SPEED_PATCHES_ENV_VAR, "1").strip().lower() not in _OFF


def install() -> None:
    """Patch moto, once per process (moto's state is process-wide): the correctness patches always,
    the speed patches unless switched off. The switch is read here, at the first call."""
    if applied:
        return
    patches = correctness.PATCHES + (speed.PATCHES if speed_patches_enabled() else ())
    for patch in patches:
        patch()
        applied.append(patch.__name__)

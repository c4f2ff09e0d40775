"""The SQS client of the event path's queues: dead letters and events the bus refused."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def sqs() -> Any:
    return boto3.client("sqs")

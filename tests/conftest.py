"""Shared fixtures. Unit tests use none of these: they need no AWS and no sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

# The tests' calendar. Their fixtures are dated in 2026-Q4 and the system reads the clock for "this
# quarter" (signals, renewals, surveys, cases), so every test runs on this day with the clock
# ticking from it, whatever the date: written in 2026-Q4, they keep passing in 2027.
TESTS_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _tests_calendar() -> Iterator[None]:
    with time_machine.travel(TESTS_NOW, tick=True):
        yield


def api_event(body: str | bytes | dict[str, Any], path: str = "/v1/responses") -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the local gateway builds it."""
    from local.gateway import api_gateway_event

    raw = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
    return api_gateway_event("POST", path, {"Content-Type": "application/json"}, raw, "203.0.113.9")


def response_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "response_id": "r-1",
        "account_id": "acct-001",
        "contact_id": "c-1",
        "score": 4,
        "submitted_at": "2026-11-02T09:14:00+01:00",
        "comment": "Support takes days to answer",
    }
    return body | overrides


@pytest.fixture
def aws() -> Iterator[Any]:
    from local.aws import EmbeddedAws

    with EmbeddedAws() as embedded:
        yield embedded

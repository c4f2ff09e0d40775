"""A table of malformed and hostile requests to the open routes (the intake and the vendor webhooks):
each gets a clear 4xx with an error message, and nothing is written anywhere (every table of
shared/store/schema.py keeps its item count, and no execution starts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.aws import EmbeddedAws
from shared.store.schema import TABLES
from shared.vendors.base import Vendor
from tests.conftest import response_body
from tests.integration.helpers import call, executions, item_count
from tests.unit.vendors.support import FORMBRICKS_SECRET, SECRET, sample, signed

JSON = {"Content-Type": "application/json"}
GOOD = response_body()


@dataclass(frozen=True)
class Hostile:
    name: str
    body: bytes
    headers: dict[str, str]
    path: str = "/v1/responses"


def intake(name: str, body: Any, headers: dict[str, str] | None = None) -> Hostile:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Hostile(name, raw, headers or JSON)


def field(name: str, value: Any) -> Hostile:
    return intake(name, GOOD | {"response_id": "r-hostile"} | value)


def nested(depth: int) -> bytes:
    return b'{"comment": ' + b"[" * depth + b"]" * depth + b"}"


INTAKE_CASES = [
    intake("empty body", b""),
    intake("JSON null", b"null"),
    intake("JSON array", b"[]"),
    intake("JSON string", b'"a response"'),
    intake("JSON number", b"9"),
    intake("truncated JSON", json.dumps(GOOD).encode()[:-7]),
    intake("not JSON at all", b"score=9&account_id=acme"),
    intake("deeply nested arrays (100,000 levels)", nested(100_000)),
    intake("deeply nested objects (5,000 levels)", b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
    intake("oversized body (1 MB)", GOOD | {"comment": "x" * 1_000_000}),
    intake("just over the body limit", GOOD | {"comment": "x" * 65_600}),
    intake("object with 5,000 keys", {f"k{i}": i for i in range(5_000)}),
    field("score 11", {"score": 11}),
    field("score -1", {"score": -1}),
    field("score 7.5", {"score": 7.5}),
    field("score as a word", {"score": "ten"}),
    field("score as a numeric string", {"score": "9"}),
    field("score true", {"score": True}),
    field("score null", {"score": None}),
    field("score as a list", {"score": [9]}),
    field("score 10**30", {"score": 10**30}),
    intake("score NaN", json.dumps(GOOD).replace('"score": 4', '"score": NaN').encode()),
    intake("score Infinity", json.dumps(GOOD).replace('"score": 4', '"score": Infinity').encode()),
    intake("duplicate key, the last one out of range", json.dumps(GOOD)[:-1].encode() + b', "score": 11}'),
    intake("missing score", {k: v for k, v in GOOD.items() if k != "score"}),
    intake("missing account", {k: v for k, v in GOOD.items() if k != "account_id"}),
    intake("missing response id", {k: v for k, v in GOOD.items() if k != "response_id"}),
    field("empty response id", {"response_id": ""}),
    field("oversized response id", {"response_id": "r" * 10_000}),
    field("SQL injection in the account id", {"account_id": "acme'; DROP TABLE responses;--"}),
    field("NoSQL operator as the account id", {"account_id": {"$ne": None}}),
    field("path traversal in the contact id", {"contact_id": "../../etc/passwd"}),
    field("script tag in the contact id", {"contact_id": "<script>alert(1)</script>"}),
    field("NUL byte in the account id", {"account_id": "acme\u0000admin"}),
    field("right-to-left override in the contact id", {"contact_id": "c-1\u202egnp.exe"}),
    field("zero-width space in the account id", {"account_id": "acme\u200b"}),
    field("lone surrogate in the comment", {"comment": "\ud800"}),
    field("comment over 5,000 characters", {"comment": "é" * 5_001}),
    field("date that is not a date", {"submitted_at": "yesterday"}),
    field("date without a time zone", {"submitted_at": "2026-11-02T09:14:00"}),
    field("date out of range", {"submitted_at": "99999-01-01T00:00:00Z"}),
    field("unknown field", {"is_admin": True}),
    field("claims to be another vendor", {"vendor": "delighted"}),
    field("unknown survey kind", {"kind": "bogus"}),
    field("properties that are not strings", {"properties": {"seats": {"nested": [1, 2]}}}),
    field("60 properties", {"properties": {f"p{i}": "v" for i in range(60)}}),
    intake("body in UTF-16", json.dumps(GOOD).encode("utf-16")),
    intake(
        "wrong content type: XML",
        b"<response><score>9</score></response>",
        {"Content-Type": "application/xml"},
    ),
    intake(
        "wrong content type: form",
        b"response_id=r-9&score=9",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
]


def delighted_delivery() -> bytes:
    return sample("delighted-1.json")


WEBHOOK = "/v1/webhooks/hostile-delighted"
FORMBRICKS_WEBHOOK = "/v1/webhooks/hostile-formbricks"


def webhook_cases() -> list[Hostile]:
    raw = delighted_delivery()
    good = signed(Vendor.DELIGHTED, raw, SECRET, at=datetime.now(UTC))
    wrong_secret = signed(Vendor.DELIGHTED, raw, "not-the-secret", at=datetime.now(UTC))
    other_body = signed(
        Vendor.DELIGHTED, raw.replace(b'"score": ', b'"score":  '), SECRET, at=datetime.now(UTC)
    )
    formbricks = sample("formbricks-1.json")
    stale = signed(
        Vendor.FORMBRICKS, formbricks, FORMBRICKS_SECRET, at=datetime.now(UTC) - timedelta(minutes=10)
    )
    future = signed(
        Vendor.FORMBRICKS, formbricks, FORMBRICKS_SECRET, at=datetime.now(UTC) + timedelta(minutes=10)
    )
    return [
        Hostile("webhook without a signature", raw, JSON, WEBHOOK),
        Hostile("webhook signed with the wrong secret", raw, wrong_secret.headers, WEBHOOK),
        Hostile("webhook whose body was changed after signing", raw, other_body.headers, WEBHOOK),
        Hostile(
            "webhook with a garbage signature", raw, {k: "sha256=zz" for k in good.headers} | JSON, WEBHOOK
        ),
        Hostile("webhook to a connection that does not exist", good.body, good.headers, "/v1/webhooks/nope"),
        Hostile("webhook replayed 10 minutes later", stale.body, stale.headers, FORMBRICKS_WEBHOOK),
        Hostile("webhook signed 10 minutes in the future", future.body, future.headers, FORMBRICKS_WEBHOOK),
        Hostile("webhook signed but not JSON", b"{", signed(Vendor.DELIGHTED, b"{", SECRET).headers, WEBHOOK),
    ]


CASES = INTAKE_CASES + webhook_cases()


@pytest.fixture(scope="module")
def hostile_aws() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        for connection_id, vendor, secret in [
            ("hostile-delighted", Vendor.DELIGHTED, SECRET),
            ("hostile-formbricks", Vendor.FORMBRICKS, FORMBRICKS_SECRET),
        ]:
            request = {"settings": {"vendor": vendor.value}, "signing_key": secret, "api_token": "tok-1"}
            status, answer = call(aws, "PUT", f"/v1/connections/{connection_id}", request)
            assert status == 200, answer
        yield aws


def written(aws: EmbeddedAws) -> dict[str, int]:
    from local.aws import _table_name

    counts = {spec.logical_name: item_count(_table_name(spec)) for spec in TABLES}
    return counts | {"executions": len(executions(aws))}


def test_there_are_at_least_forty_hostile_cases() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_request_gets_a_clear_4xx_and_writes_nothing(
    hostile_aws: EmbeddedAws, case: Hostile
) -> None:
    before = written(hostile_aws)
    status, answer = call(hostile_aws, "POST", case.path, case.body, case.headers)
    assert 400 <= status < 500, (status, answer)
    # The reason, for the sender: our "error", or the resolver's "detail" (415 for a wrong content type).
    assert isinstance(answer, dict) and (answer.get("error") or answer.get("detail")), answer
    assert written(hostile_aws) == before

"""Helpers for the vendor tests: the documented samples, connections, and signing bodies as each
vendor does (written from the vendors' descriptions, not by calling the modules under test)."""

from __future__ import annotations

import base64
import copy
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shared.vendors.base import Connection, Delivery, Vendor

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vendors"
NOW = datetime(2025, 7, 24, 8, 0, tzinfo=UTC)
SECRET = "test-secret"
FORMBRICKS_SECRET = "whsec_" + base64.b64encode(b"npsops-formbricks-test-key-0001!").decode()
QUALTRICS_TOPIC = "sapdevelopment.surveyengine.completedResponse.SV_22VlHYNeldrrrkp"
DELETE = object()  # with_(): remove the key instead of setting it


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sample_json(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(sample(name))
    return loaded


def body(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode()


def with_(obj: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A deep copy of obj with the dotted path set to value (list indexes as numbers) or deleted."""
    changed = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node: Any = changed
    for name in parents:
        node = node[int(name)] if isinstance(node, list) else node[name]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return changed


def connection(vendor: Vendor, **overrides: Any) -> Connection:
    return Connection.model_validate(
        {"connection_id": f"{vendor}-1", "vendor": vendor, "secret_ref": "npsops/test"} | overrides
    )


def delivery(raw: bytes, headers: dict[str, str] | None = None, received_at: datetime = NOW) -> Delivery:
    return Delivery(body=raw, headers=headers or {}, received_at=received_at)


def _mac(algorithm: str, key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, algorithm).digest()


def qualtrics_form(msg: str, hmac_hex: str | None, topic: str = QUALTRICS_TOPIC) -> bytes:
    """A Qualtrics form body: Topic, MSG (a JSON string) and, when signing, HMAC."""
    fields = {"Topic": topic, "MSG": msg} | ({"HMAC": hmac_hex} if hmac_hex is not None else {})
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in fields.items()).encode()


def signed(
    vendor: Vendor, raw: bytes, secret: str, *, at: datetime = NOW, message_id: str = "msg_test_1"
) -> Delivery:
    """`raw` as the vendor sends it, signed with `secret`. Qualtrics signs inside the body: there
    `raw` is the MSG text, wrapped into a form body with its HMAC."""
    key = secret.encode()
    headers: dict[str, str] = {}
    if vendor is Vendor.DELIGHTED:
        headers["X-Delighted-Webhook-Signature"] = "sha256=" + _mac("sha256", key, raw).hex()
    elif vendor is Vendor.TYPEFORM:
        headers["Typeform-Signature"] = "sha256=" + base64.b64encode(_mac("sha256", key, raw)).decode()
    elif vendor is Vendor.SURVEYMONKEY:
        headers["Sm-Signature"] = base64.b64encode(_mac("sha1", key, raw)).decode()
    elif vendor is Vendor.WOOTRIC:
        headers["X-Wootric-Signature"] = "sha1=" + _mac("sha1", key, raw).hex()
    elif vendor is Vendor.QUALTRICS:
        raw = qualtrics_form(raw.decode(), _mac("sha512", key, raw).hex())
    elif vendor is Vendor.FORMBRICKS:
        timestamp = str(int(at.timestamp()))
        signing_key = base64.b64decode(secret.removeprefix("whsec_"))
        mac = _mac("sha256", signing_key, f"{message_id}.{timestamp}.".encode() + raw)
        headers |= {
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        }
    return delivery(raw, headers)

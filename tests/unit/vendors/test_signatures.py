"""Every vendor's signature check: right secret, unsigned, wrong secret, one byte changed, and the
vectors the vendors (or their specs) publish."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from shared.vendors import FORMATS
from shared.vendors.base import SignatureError, Vendor
from tests.unit.vendors.support import (
    FORMBRICKS_SECRET,
    NOW,
    SECRET,
    delivery,
    qualtrics_form,
    sample,
    sample_json,
    signed,
)

# A real body per vendor (Qualtrics: the MSG text, which is what its HMAC covers).
BODIES: dict[Vendor, bytes] = {
    Vendor.DELIGHTED: sample("delighted-1.json"),
    Vendor.TYPEFORM: sample("typeform-1.json"),
    Vendor.SURVEYMONKEY: sample("surveymonkey-1.json"),
    Vendor.QUALTRICS: sample("qualtrics-1.json").strip(),
    Vendor.WOOTRIC: sample("wootric-3.form-urlencoded.txt"),
    Vendor.FORMBRICKS: sample("formbricks-3.json"),
}
SECRETS = {vendor: FORMBRICKS_SECRET if vendor is Vendor.FORMBRICKS else SECRET for vendor in Vendor}
WRONG = {
    vendor: "whsec_" + base64.b64encode(b"another key").decode() if vendor is Vendor.FORMBRICKS else "wrong"
    for vendor in Vendor
}
MISSING = {
    Vendor.DELIGHTED: "missing X-Delighted-Webhook-Signature",
    Vendor.TYPEFORM: "missing Typeform-Signature",
    Vendor.SURVEYMONKEY: "missing Sm-Signature",
    Vendor.QUALTRICS: "missing HMAC",
    Vendor.WOOTRIC: "missing X-Wootric-Signature",
    Vendor.FORMBRICKS: "missing webhook-id",
}
ALL = pytest.mark.parametrize("vendor", list(Vendor))


def verify(vendor: Vendor, secret: str, raw: bytes, headers: dict[str, str]) -> None:
    FORMATS[vendor].verify(delivery(raw, headers), secret, NOW, 300)


@ALL
def test_the_right_secret_is_accepted(vendor: Vendor) -> None:
    sent = signed(vendor, BODIES[vendor], SECRETS[vendor])
    FORMATS[vendor].verify(sent, SECRETS[vendor], NOW, 300)


@ALL
def test_an_unsigned_delivery_is_refused(vendor: Vendor) -> None:
    raw = qualtrics_form(BODIES[vendor].decode(), None) if vendor is Vendor.QUALTRICS else BODIES[vendor]
    with pytest.raises(SignatureError, match=rf"^{MISSING[vendor]}$"):
        verify(vendor, SECRETS[vendor], raw, {})


@ALL
def test_the_wrong_secret_is_refused(vendor: Vendor) -> None:
    sent = signed(vendor, BODIES[vendor], WRONG[vendor])
    with pytest.raises(SignatureError, match=r"^signature does not match$"):
        FORMATS[vendor].verify(sent, SECRETS[vendor], NOW, 300)


@ALL
def test_one_changed_byte_is_refused(vendor: Vendor) -> None:
    sent = signed(vendor, BODIES[vendor], SECRETS[vendor])
    # Qualtrics signs only MSG: change a byte inside it (its ResponseID).
    position = sent.body.index(b"R_1l9") + 4 if vendor is Vendor.QUALTRICS else len(sent.body) // 2
    tampered = bytearray(sent.body)
    tampered[position] ^= 0x01
    with pytest.raises(SignatureError, match=r"^signature does not match$"):
        verify(vendor, SECRETS[vendor], bytes(tampered), sent.headers)


@ALL
def test_a_garbage_signature_is_refused_not_crashed_on(vendor: Vendor) -> None:
    sent = signed(vendor, BODIES[vendor], SECRETS[vendor])
    headers = {name: "v1,ünïcode ✓" if "signature" in name else value for name, value in sent.headers.items()}
    raw = sent.body
    if vendor is Vendor.QUALTRICS:
        raw = qualtrics_form(BODIES[vendor].decode(), "ünïcode ✓")
    with pytest.raises(SignatureError, match=r"^signature does not match$"):
        verify(vendor, SECRETS[vendor], raw, headers)


def test_typeform_published_vector() -> None:
    """Typeform's docs: secret 123456 over the compact JSON of their example payload."""
    document = sample_json("typeform-1.json")
    compact = json.dumps(document, separators=(",", ":")).encode()
    # The example is pure ASCII, so ensure_ascii makes no difference to the bytes.
    assert compact == json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    header = {"Typeform-Signature": "sha256=VsvwNrh0fT5VWF+05H3azXZXJyFkhHTtONMxIVm6PZ4="}
    verify(Vendor.TYPEFORM, "123456", compact, header)
    with pytest.raises(SignatureError):
        verify(Vendor.TYPEFORM, "1234567", compact, header)


def test_qualtrics_published_sample_verifies_with_its_key() -> None:
    raw = sample("qualtrics-1.form-urlencoded.txt")
    verify(Vendor.QUALTRICS, "kyma4ever", raw, {})
    with pytest.raises(SignatureError, match=r"^signature does not match$"):
        verify(Vendor.QUALTRICS, "kyma4never", raw, {})


def test_qualtrics_json_body_with_the_same_fields_verifies() -> None:
    msg = sample("qualtrics-1.json").decode().strip()
    digest = hmac.new(b"kyma4ever", msg.encode(), hashlib.sha512).hexdigest()
    raw = json.dumps({"Topic": "t", "MSG": msg, "HMAC": digest}).encode()
    verify(Vendor.QUALTRICS, "kyma4ever", raw, {})
    with pytest.raises(SignatureError, match=r"^missing MSG$"):
        verify(
            Vendor.QUALTRICS, "kyma4ever", json.dumps({"MSG": json.loads(msg), "HMAC": digest}).encode(), {}
        )


def test_qualtrics_undecodable_body_is_unsigned() -> None:
    with pytest.raises(SignatureError, match=r"^missing HMAC$"):
        verify(Vendor.QUALTRICS, "kyma4ever", b"\xff not a form", {})


@pytest.mark.parametrize(
    ("secret", "message_id", "timestamp", "raw", "signature"),
    [
        # The Standard Webhooks reference vector (standard-webhooks/standard-webhooks, libraries/
        # python/tests/test_webhooks.py, test_sign_function; the same in svix's own test suites).
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
        # Hand-built over the Formbricks sample, computed with `openssl dgst -sha256 -mac HMAC`.
        (
            FORMBRICKS_SECRET,
            "msg_npsops",
            1753343276,
            sample("formbricks-3.json"),
            "v1,2QQFwFNeW+DheSAO3AbleS/nAqv379nGjc+m739065A=",
        ),
    ],
    ids=["standard-webhooks", "hand-built"],
)
def test_standard_webhooks_vectors(
    secret: str, message_id: str, timestamp: int, raw: bytes, signature: str
) -> None:
    headers = {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}
    at = datetime.fromtimestamp(timestamp, UTC)
    FORMATS[Vendor.FORMBRICKS].verify(delivery(raw, headers), secret, at, 300)
    # The reference libraries take the secret without its prefix too.
    FORMATS[Vendor.FORMBRICKS].verify(delivery(raw, headers), secret.removeprefix("whsec_"), at, 300)

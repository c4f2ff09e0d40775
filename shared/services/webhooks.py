"""Vendor webhooks: verify, parse, fetch what thin vendors leave out, resolve the account, take it.

Order matters: nothing is read from the body before its signature checks out, and nothing is
written before the whole answer is known to be good.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from shared.domain.contacts import UNIDENTIFIED, lookup_keys
from shared.domain.models import CanonicalResponse, Identifier
from shared.services.intake import IntakeResult, IntakeStatus, accept
from shared.store.connections import ConnectionRepository
from shared.store.contacts import ContactRepository
from shared.store.executions import PipelineStarter
from shared.store.quarantine import QuarantineRepository
from shared.store.responses import ResponseRepository
from shared.store.secrets import SecretNotFound as SecretNotFound  # re-exported: the webhook answers 503
from shared.store.secrets import SecretStore
from shared.store.vendor_api import VendorApi
from shared.store.vendor_api import VendorApiRefused as VendorApiRefused  # re-exported: 502
from shared.store.vendor_api import VendorApiUnavailable as VendorApiUnavailable  # re-exported: 503
from shared.vendors import FORMATS, THIN_FORMATS
from shared.vendors.base import (
    Answer,
    Connection,
    Delivery,
    Ignored,
    Notification,
    PayloadError,
    Ping,
)


class UnknownConnection(Exception):
    """No connection with this id: the webhook URL is wrong (404)."""


@dataclass(frozen=True)
class VendorSecret:
    """The secret of a connection as stored: the signing key alone, or JSON with the signing key
    and, for thin vendors, the API token used to fetch response details."""

    signing_key: str
    api_token: str | None = None

    @classmethod
    def parse(cls, raw: str) -> VendorSecret:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return cls(signing_key=raw)
        if isinstance(value, dict) and "signing_key" in value:
            return cls(signing_key=str(value["signing_key"]), api_token=value.get("api_token"))
        return cls(signing_key=raw)


@dataclass(frozen=True)
class Webhooks:
    connections: ConnectionRepository
    secrets: SecretStore
    vendor_api: VendorApi
    contacts: ContactRepository
    quarantine: QuarantineRepository
    responses: ResponseRepository
    pipeline: PipelineStarter

    def receive(self, connection_id: str, delivery: Delivery, now: datetime) -> IntakeResult:
        connection = self.connections.get(connection_id)
        if connection is None:
            raise UnknownConnection(connection_id)
        vendor = FORMATS[connection.vendor]
        secret = VendorSecret.parse(self.secrets.value(connection.secret_ref))
        vendor.verify(delivery, secret.signing_key, now, connection.signature_tolerance_seconds)
        parsed = vendor.parse(delivery, connection)
        if isinstance(parsed, Ping):
            return IntakeResult(status=IntakeStatus.PING, reason=parsed.reason)
        if isinstance(parsed, Ignored):
            return IntakeResult(status=IntakeStatus.IGNORED, reason=parsed.reason)
        answer = self._details(parsed, connection, secret) if isinstance(parsed, Notification) else parsed
        return self.take(answer, connection, now)

    def take(self, answer: Answer, connection: Connection, now: datetime) -> IntakeResult:
        """Resolve the answer's account and accept it, or hold it in quarantine until it resolves."""
        if answer.score is None:
            return IntakeResult(status=IntakeStatus.IGNORED, reason="the NPS question is not answered yet")
        keys = lookup_keys(answer.identity.contact_id, answer.identity.email)
        known = self.contacts.find(keys)
        account_id = answer.identity.account_id or (known.account_id if known else None)
        if account_id is None:
            return self._hold(answer, connection, keys, now)
        contact_id = (
            answer.identity.contact_id
            or (known.contact_id if known else None)
            or answer.identity.email
            or f"anonymous-{answer.response_id}"  # nobody named: a vote of its own
        )
        response = to_canonical(answer, connection, account_id, contact_id)
        return accept(response, self.responses, self.pipeline, now, event_id=answer.event_id)

    def _details(self, notification: Notification, connection: Connection, secret: VendorSecret) -> Answer:
        vendor = THIN_FORMATS[connection.vendor]
        details = self.vendor_api.get(connection, vendor.details_path(notification), secret.api_token)
        return vendor.parse_details(details, notification, connection)

    def _hold(self, answer: Answer, connection: Connection, keys: list[str], now: datetime) -> IntakeResult:
        key = f"{connection.vendor}-{answer.response_id}"
        if keys:
            reason = (
                f"no '{connection.account_property}' property, and the contact directory does not "
                f"know {' or '.join(k.split('#', 1)[1] for k in keys)}"
            )
        else:
            reason = "the answer names no account, contact id or email"
        record = {
            "answer": answer.model_dump(mode="json"),
            "connection_id": connection.connection_id,
            "reason": reason,
        }
        revision_ms = int(answer.revised_at.timestamp() * 1000)
        self.quarantine.hold(keys or [UNIDENTIFIED], key, record, revision_ms, now)
        return IntakeResult(status=IntakeStatus.QUARANTINED, response_key=key, reason=reason)


def to_canonical(
    answer: Answer, connection: Connection, account_id: str, contact_id: str
) -> CanonicalResponse:
    """The vendor's answer as the canonical response. Ids the vendor or the directory gave that
    cannot be keys (see Identifier) are the sender's error: 422, nothing written."""
    properties = dict(list(answer.properties.items())[:49])
    if answer.tags:
        properties["tags"] = ",".join(answer.tags)
    try:
        return CanonicalResponse(
            vendor=connection.vendor.value,
            response_id=answer.response_id,
            program=connection.program,
            kind=connection.kind,
            survey_id=_identifier_or_none(answer.survey_id),
            account_id=account_id,
            contact_id=contact_id,
            contact_email=answer.identity.email,
            score=answer.score,
            comment=answer.comment,
            submitted_at=answer.submitted_at,
            revised_at=answer.revised_at,
            properties={k: v[:500] for k, v in properties.items()},
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise PayloadError(field, str(first["msg"])) from error


def _identifier_or_none(value: str | None) -> str | None:
    # Survey ids are informational: one that cannot be a key is dropped rather than refused.
    try:
        return _IDENTIFIER.validate_python(value) if value is not None else None
    except ValidationError:
        return None


_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)

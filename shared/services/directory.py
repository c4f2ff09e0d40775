"""The vendor connections, the contact directory, and the quarantine of answers waiting for it:
learning contacts releases the quarantined answers they resolve."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.contacts import Contact
from shared.services.intake import IntakeResult, IntakeStatus
from shared.services.webhooks import UnknownConnection, Webhooks
from shared.vendors.base import Answer, Connection

# What the quarantine listing shows of each held answer.
QUARANTINE_FIELDS = ("sk", "connection_id", "reason", "held_at", "answer")


class Learned(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    contacts: int
    released: list[IntakeResult]


@dataclass(frozen=True)
class Directory:
    """`secrets_prefix`: the Secrets Manager prefix the connections' secrets are stored under (which
    the functions' IAM policy names)."""

    webhooks: Webhooks
    secrets_prefix: str

    def connections(self) -> list[Connection]:
        return self.webhooks.connections.all()

    def connect(
        self, connection_id: str, settings: dict[str, Any], signing_key: str | None, api_token: str | None
    ) -> Connection:
        """Create or change a connection. Its secret, when given, goes to Secrets Manager under the
        connections' prefix; the connection keeps its name only. A ValidationError names what is
        wrong with the settings."""
        secret_name = f"{self.secrets_prefix}{connection_id}"
        connection = Connection.model_validate(
            {"secret_ref": secret_name} | settings | {"connection_id": connection_id}
        )
        if signing_key is not None:
            self.webhooks.secrets.put(
                secret_name, json.dumps({"signing_key": signing_key, "api_token": api_token})
            )
        self.webhooks.connections.put(connection)
        return connection

    def disconnect(self, connection_id: str) -> None:
        """Remove a connection; UnknownConnection if there is none."""
        if not self.webhooks.connections.delete(connection_id):
            raise UnknownConnection(connection_id)

    def learn(self, contacts: list[Contact], now: datetime) -> Learned:
        """Store the contacts, then take every held answer that one of them now resolves."""
        webhooks = self.webhooks
        released: list[IntakeResult] = []
        for contact in contacts:
            webhooks.contacts.put(contact)
        for contact in contacts:
            for key in contact.lookup_keys:
                for held in webhooks.quarantine.waiting_for(key):
                    connection = webhooks.connections.get(str(held["connection_id"]))
                    if connection is None:  # the connection was removed: keep the answer for review
                        continue
                    result = webhooks.take(Answer.model_validate(held["answer"]), connection, now)
                    if result.status is not IntakeStatus.QUARANTINED:
                        webhooks.quarantine.release(held)
                        released.append(result)
        return Learned(contacts=len(contacts), released=released)

    def quarantined(self) -> list[dict[str, Any]]:
        """Every held answer, with why it is held and since when."""
        return [{k: held[k] for k in QUARANTINE_FIELDS} for held in self.webhooks.quarantine.all()]

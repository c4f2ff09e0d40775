"""The contact directory: learning contacts, and releasing the quarantined answers they resolve."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.config import SECRETS_PREFIX
from shared.domain.contacts import Contact
from shared.services.intake import IntakeResult, IntakeStatus
from shared.services.webhooks import Webhooks
from shared.vendors.base import Answer, Connection


class Learned(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    contacts: int
    released: list[IntakeResult]


def connect(
    connection_id: str,
    settings: dict[str, Any],
    signing_key: str | None,
    api_token: str | None,
    webhooks: Webhooks,
) -> Connection:
    """Create or change a connection. Its secret, when given, goes to Secrets Manager under the
    connections' prefix (which the functions' IAM policy names); the connection keeps its name only."""
    secret_name = f"{SECRETS_PREFIX}{connection_id}"
    connection = Connection.model_validate(
        {"secret_ref": secret_name} | settings | {"connection_id": connection_id}
    )
    if signing_key is not None:
        webhooks.secrets.put(secret_name, json.dumps({"signing_key": signing_key, "api_token": api_token}))
    webhooks.connections.put(connection)
    return connection


def learn(contacts: list[Contact], webhooks: Webhooks, now: datetime) -> Learned:
    """Store the contacts, then take every held answer that one of them now resolves."""
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

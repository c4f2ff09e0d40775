"""The contact directory: learning contacts, and releasing the quarantined answers they resolve."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.contacts import Contact
from shared.services.intake import IntakeResult, IntakeStatus
from shared.services.webhooks import Webhooks
from shared.vendors.base import Answer


class Learned(BaseModel):
    model_config = ConfigDict(frozen=True)

    contacts: int
    released: list[IntakeResult]


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

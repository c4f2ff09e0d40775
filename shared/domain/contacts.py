"""The contact directory's rules: the ways a vendor may name a person, and who answered."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.models import Identifier

UNIDENTIFIED = "UNIDENTIFIED"  # the quarantine key of answers that name nobody at all


class Contact(BaseModel):
    """A person at a customer account, as the CRM knows them."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    contact_id: Identifier
    account_id: Identifier
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str | None = Field(default=None, max_length=200)

    @property
    def lookup_keys(self) -> list[str]:
        return lookup_keys(self.contact_id, self.email)


def lookup_keys(contact_id: str | None, email: str | None) -> list[str]:
    """Directory keys for a person, most specific first: the customer's own id, then the email
    (case-insensitive: vendors and CRMs disagree on case)."""
    keys = [f"EXT#{contact_id}"] if contact_id else []
    return keys + ([f"EMAIL#{email.strip().lower()}"] if email and email.strip() else [])

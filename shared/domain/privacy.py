"""A contact's personal data: what identifies a person, and what an erasure keeps.

An erasure keeps the contact id as a pseudonymous key: roll-up votes, score histories and cases are
keyed by it, so keeping it (and every score, band, account, quarter and timestamp) leaves every
count, NPS and trend exactly as it was. What identifies the person goes: their email and name, the
words they wrote (comments, quotes of them in case evidence and theme mentions) and the free-text
properties a vendor sent along. Pure: the service (shared/services/privacy.py) reads and writes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.domain.cases import Case
from shared.domain.models import Identifier

# What a stored response loses: the free text and the address (CanonicalResponse fields).
RESPONSE_PERSONAL_FIELDS = ("comment", "contact_email", "properties")
# Evidence keys that quote the person or name them (shared/domain/triggers.py, account_rules.py).
EVIDENCE_PERSONAL_KEYS = ("comment", "contact_email", "email", "name")


class PrivacyAction(StrEnum):
    EXPORT = "export"
    ERASE = "erase"


class AuditEntry(BaseModel):
    """One export or erasure: who asked, when, and how many items of each table it touched (read for
    an export, changed or deleted for an erasure). Holds no personal data beyond the contact id."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    contact_id: Identifier
    action: PrivacyAction
    by: str = Field(min_length=1, max_length=200)
    at: AwareDatetime
    touched: dict[str, int] = Field(default_factory=dict)


def stripped_response(response: dict[str, Any]) -> dict[str, Any] | None:
    """The stored response without its personal fields; None when it holds none (already erased)."""
    if not any(response.get(name) for name in RESPONSE_PERSONAL_FIELDS):
        return None
    return {k: v for k, v in response.items() if k not in RESPONSE_PERSONAL_FIELDS}


def scrubbed_case(case: Case, contact_id: str, quotes: set[str]) -> Case | None:
    """The case without the contact's words or address in its evidence, as its next version; None
    when there is nothing of theirs in it. The contact's own cases lose the comment (and any email
    or name); any case quoting them (a theme routed with quotes from many accounts) loses those
    quotes. Scores, counts, ARR and the case's history stay, so case metrics are unchanged."""
    evidence = dict(case.evidence)
    if case.contact_id == contact_id:
        for key in EVIDENCE_PERSONAL_KEYS:
            if evidence.get(key):
                evidence[key] = None
    if quotes and isinstance(evidence.get("quotes"), list):
        evidence["quotes"] = [q for q in evidence["quotes"] if str(q).strip() not in quotes]
    if evidence == case.evidence:
        return None
    return case.model_copy(update={"evidence": evidence, "version": case.version + 1})


def stripped_candidate(candidate: dict[str, Any]) -> dict[str, Any] | None:
    """A survey request's candidate without the address it was sent to; None when it has none."""
    if not candidate.get("email"):
        return None
    return {k: v for k, v in candidate.items() if k != "email"}


def comment_quotes(comments: list[str | None]) -> set[str]:
    """The texts a quote of these comments would carry (theme evidence keeps them stripped)."""
    return {text.strip() for text in comments if text and text.strip()}


def audit_sort_key(at: datetime, action: PrivacyAction) -> str:
    """Time first, so a contact's audit trail reads oldest first."""
    return f"{at.isoformat()}#{action}"

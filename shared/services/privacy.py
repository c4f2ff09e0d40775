"""A contact's data on request: export everything stored about them, or erase what identifies them.

Both are audited (shared/store/audit.py). An erasure keeps the contact id as the pseudonymous key and
every score, so roll-up counters, votes, score histories and case metrics are exactly as before; it
removes the directory entry, the words the person wrote and their address everywhere they are kept
(shared/domain/privacy.py says what). It is idempotent: a second erasure finds nothing left to change,
and is audited too.

The order of an erasure matters for a retry after a partial failure: the copies of the person's words
(case evidence, theme quotes) are found by matching the stored comments, so they are scrubbed before
the responses lose their comments, and the directory entry (which names the email the quarantine is
keyed by) goes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.cases import Case
from shared.domain.contacts import Contact, lookup_keys
from shared.domain.privacy import (
    RESPONSE_PERSONAL_FIELDS,
    AuditEntry,
    PrivacyAction,
    comment_quotes,
    scrubbed_case,
    stripped_candidate,
    stripped_response,
)
from shared.domain.surveys import Program
from shared.store.audit import AuditRepository
from shared.store.cases import CaseConflict, CaseRepository
from shared.store.contacts import ContactRepository
from shared.store.quarantine import QuarantineRepository
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from shared.store.schema import CASES, CONTACTS, QUARANTINE, RESPONSES, ROLLUPS, SURVEYS
from shared.store.surveys import SurveyRepository

_CASE_ATTEMPTS = 3  # a case changed by someone acting on it meanwhile is read again and scrubbed again


class ContactNotFound(LookupError):
    """Nothing is stored about the contact, and no earlier request about them was audited."""


class ContactExport(BaseModel):
    """Everything stored about a contact, as it is stored."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    contact_id: str
    directory: Contact | None
    responses: list[dict[str, Any]]  # the stored response with its status and times
    quarantined: list[dict[str, Any]]  # answers waiting for the directory
    cases: list[Case]  # cases opened about the contact
    survey_requests: list[dict[str, Any]]


class ErasureResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    contact_id: str
    changed: dict[str, int]  # items changed or deleted, by table; all zero on a repeated erasure
    audit: AuditEntry


@dataclass(frozen=True)
class _Found:
    """What the stores hold about a contact, as read."""

    contact: Contact | None
    responses: list[dict[str, Any]]
    quarantined: list[dict[str, Any]]
    survey_requests: list[dict[str, Any]]

    @property
    def anything(self) -> bool:
        return bool(self.contact or self.responses or self.quarantined or self.survey_requests)


@dataclass(frozen=True)
class PrivacyDesk:
    contacts: ContactRepository
    responses: ResponseRepository
    quarantine: QuarantineRepository
    cases: CaseRepository
    rollups: RollupRepository
    surveys: SurveyRepository
    audit: AuditRepository

    def export_contact(
        self, contact_id: str, by: str, now: datetime, program: str | None = None
    ) -> ContactExport:
        """Everything stored about the contact (responses and survey requests of one program, if
        given); the export is audited with what it read."""
        found = self._find(contact_id, program)
        cases = [c for c in self.cases.all() if c.contact_id == contact_id]
        if not (found.anything or cases or self.audit.for_contact(contact_id)):
            raise ContactNotFound(contact_id)
        export = ContactExport(
            contact_id=contact_id,
            directory=found.contact,
            responses=[_without_keys(r, "pk") for r in found.responses],
            quarantined=[_without_keys(q, "pk", "keys") for q in found.quarantined],
            cases=cases,
            survey_requests=[_without_keys(s, "pk") for s in found.survey_requests],
        )
        touched = {
            CONTACTS.logical_name: int(found.contact is not None),
            RESPONSES.logical_name: len(found.responses),
            QUARANTINE.logical_name: len(found.quarantined),
            CASES.logical_name: len(cases),
            SURVEYS.logical_name: len(found.survey_requests),
        }
        self.audit.record(
            AuditEntry(contact_id=contact_id, action=PrivacyAction.EXPORT, by=by, at=now, touched=touched)
        )
        return export

    def erase_contact(self, contact_id: str, by: str, now: datetime) -> ErasureResult:
        """Remove what identifies the contact everywhere, keep the scores under the contact id."""
        found = self._find(contact_id, None)
        if not found.anything and not self.audit.for_contact(contact_id):
            raise ContactNotFound(contact_id)
        comments = [r["response"].get("comment") for r in found.responses]
        comments += [q.get("answer", {}).get("comment") for q in found.quarantined]
        quotes = comment_quotes(comments)
        changed = {
            CASES.logical_name: self._scrub_cases(contact_id, quotes),
            ROLLUPS.logical_name: self._forget_theme_quotes(found.responses),
            SURVEYS.logical_name: self._forget_survey_emails(found.survey_requests),
            QUARANTINE.logical_name: self._release_quarantined(found.quarantined),
            RESPONSES.logical_name: self._strip_responses(found.responses),
            CONTACTS.logical_name: self.contacts.delete(found.contact) if found.contact else 0,
        }
        entry = AuditEntry(contact_id=contact_id, action=PrivacyAction.ERASE, by=by, at=now, touched=changed)
        self.audit.record(entry)
        return ErasureResult(contact_id=contact_id, changed=changed, audit=entry)

    def _find(self, contact_id: str, program: str | None) -> _Found:
        contact = self.contacts.find([f"EXT#{contact_id}"])
        responses = [
            r
            for r in self.responses.for_contact(contact_id)
            if program is None or r["response"].get("program") == program
        ]
        # The quarantine files an answer under each way it names the person: their id and every
        # address the directory or their answers know.
        emails = {r["response"].get("contact_email") for r in responses} | {
            contact.email if contact else None
        }
        keys = lookup_keys(contact_id, None) + [
            k for e in sorted(filter(None, emails)) for k in lookup_keys(None, e)
        ]
        quarantined = {q["sk"]: q for key in keys for q in self.quarantine.waiting_for(key)}
        programs = [program] if program else [p.value for p in Program]
        requests = [r for p in programs for r in self.surveys.for_contact(p, contact_id)]
        return _Found(contact, responses, list(quarantined.values()), requests)

    def _scrub_cases(self, contact_id: str, quotes: set[str]) -> int:
        changed = 0
        for case in self.cases.all():
            for _ in range(_CASE_ATTEMPTS):
                scrubbed = scrubbed_case(case, contact_id, quotes)
                if scrubbed is None:
                    break
                try:
                    self.cases.save(scrubbed)
                except CaseConflict:
                    case = self.cases.get(case.case_id) or case
                    continue
                changed += 1
                break
            else:
                raise CaseConflict(f"case {case.case_id} kept changing during the erasure")
        return changed

    def _forget_theme_quotes(self, responses: list[dict[str, Any]]) -> int:
        mentions = self.rollups.theme_mentions_of({str(r["pk"]) for r in responses})
        for mention in mentions:
            self.rollups.forget_quote(mention)
        return len(mentions)

    def _forget_survey_emails(self, requests: list[dict[str, Any]]) -> int:
        with_email = [r for r in requests if stripped_candidate(r.get("candidate", {})) is not None]
        for request in with_email:
            self.surveys.forget_email(request)
        return len(with_email)

    def _release_quarantined(self, held: list[dict[str, Any]]) -> int:
        # Deleted, not stripped: a held answer has not been counted anywhere, and without the
        # identity that would resolve it, it could never be.
        for answer in held:
            self.quarantine.release(answer)
        return len(held)

    def _strip_responses(self, responses: list[dict[str, Any]]) -> int:
        personal = [r for r in responses if stripped_response(r["response"]) is not None]
        for record in personal:
            self.responses.strip(str(record["pk"]), RESPONSE_PERSONAL_FIELDS)
        return len(personal)


def _without_keys(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: _json_ready(v) for k, v in item.items() if k not in names}


def _json_ready(value: Any) -> Any:
    # DynamoDB string sets (a response's event ids) come back as Python sets.
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value

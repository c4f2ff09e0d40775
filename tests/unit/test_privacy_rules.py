"""What an erasure removes and keeps (shared/domain/privacy.py): pure, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.cases import Case, CaseStatus, StatusChange
from shared.domain.privacy import (
    AuditEntry,
    PrivacyAction,
    audit_sort_key,
    comment_quotes,
    scrubbed_case,
    stripped_candidate,
    stripped_response,
)
from shared.domain.triggers import OwnerRole

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def case(evidence: dict[str, Any], contact_id: str | None = "c-ann", version: int = 2) -> Case:
    return Case(
        case_id="detractor-recovery#acct-001#2026-Q4#c-ann",
        rule="detractor-recovery",
        account_id="acct-001",
        quarter="2026-Q4",
        owner="Ava CSM",
        owner_role=OwnerRole.CSM,
        status=CaseStatus.OPEN,
        sla_hours=24,
        opened_at=AT,
        due_at=AT + timedelta(hours=24),
        summary="Detractor 3/10 from c-ann",
        evidence=evidence,
        response_id="generic-ann-1",
        contact_id=contact_id,
        history=[StatusChange(status=CaseStatus.OPEN, at=AT, by="npsops")],
        version=version,
    )


def test_a_response_loses_comment_email_and_properties_and_keeps_the_rest() -> None:
    stored = {
        "response_id": "ann-1",
        "account_id": "acct-001",
        "contact_id": "c-ann",
        "score": 3,
        "submitted_at": "2026-11-02T09:00:00Z",
        "comment": "Too slow",
        "contact_email": "ann@example.com",
        "properties": {"title": "Head of Procurement"},
    }
    assert stripped_response(stored) == {
        "response_id": "ann-1",
        "account_id": "acct-001",
        "contact_id": "c-ann",
        "score": 3,
        "submitted_at": "2026-11-02T09:00:00Z",
    }


def test_a_response_with_nothing_personal_left_needs_no_change() -> None:
    assert stripped_response({"contact_id": "c-ann", "score": 9, "comment": None, "properties": {}}) is None


def test_the_contacts_case_loses_the_comment_and_keeps_its_numbers_as_the_next_version() -> None:
    before = case({"score": 3, "comment": "Too slow", "arr_tier": "top", "contact_email": "ann@example.com"})
    after = scrubbed_case(before, "c-ann", set())
    assert after is not None
    assert after.evidence == {"score": 3, "comment": None, "arr_tier": "top", "contact_email": None}
    assert (after.version, after.status, after.history) == (3, before.status, before.history)
    assert scrubbed_case(after, "c-ann", set()) is None  # erasing again changes nothing


def test_someone_elses_case_is_left_alone() -> None:
    assert (
        scrubbed_case(case({"score": 3, "comment": "Too slow"}, contact_id="c-bob"), "c-ann", set()) is None
    )


def test_a_theme_case_loses_only_the_contacts_quotes() -> None:
    theme = case({"quotes": ["Too slow", "CRM sync breaks"], "account_count": 3}, contact_id=None)
    after = scrubbed_case(theme, "c-ann", comment_quotes(["  Too slow ", None, ""]))
    assert after is not None and after.evidence == {"quotes": ["CRM sync breaks"], "account_count": 3}


def test_a_survey_request_loses_its_address() -> None:
    candidate = {"contact_id": "c-ann", "email": "ann@example.com", "touchpoint": "qbr"}
    assert stripped_candidate(candidate) == {"contact_id": "c-ann", "touchpoint": "qbr"}
    assert stripped_candidate({"contact_id": "c-ann", "touchpoint": "qbr"}) is None


def test_an_audit_entry_needs_who_asked_and_sorts_by_time() -> None:
    with pytest.raises(ValidationError):
        AuditEntry(contact_id="c-ann", action=PrivacyAction.ERASE, by="", at=AT)
    with pytest.raises(ValidationError):
        AuditEntry(contact_id="c ann#1", action=PrivacyAction.ERASE, by="DPO", at=AT)
    keys = [audit_sort_key(AT + timedelta(seconds=s), PrivacyAction.ERASE) for s in (0, 1, 60)]
    assert keys == sorted(keys) and keys[0].endswith("#erase")

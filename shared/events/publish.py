"""Building events to publish: the envelope of one event, checked against the catalog, and the
PutEvents entry that carries it. Also the events more than one workflow publishes (a case opened
by a response, a signal or a renewal; an account's health)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from shared.domain.cases import Case
from shared.events.catalog import CATALOG
from shared.events.data import AccountHealthChangedData
from shared.events.envelope import SOURCE, DetailType, EventEnvelope

if TYPE_CHECKING:
    # Only its type: the account rules are the signal functions' and the renewal decisions', and a
    # pipeline step that publishes must not load them (tests/unit/test_cold_start_imports.py).
    from shared.domain.account_rules import AccountQuarterFacts
    from shared.domain.thresholds import Thresholds


def envelope(
    detail_type: DetailType,
    subject: str,
    occurred_at: datetime,
    correlation_id: str,
    account_id: str,
    program: str,
    data: BaseModel,
) -> EventEnvelope:
    """One event; its id "<DetailType>:<subject>" names what happened, so a repeat is the same event."""
    entry = CATALOG.entry(detail_type)
    if not isinstance(data, entry.model):
        raise TypeError(
            f"{detail_type} carries {entry.model.__name__} (shared/events/catalog.py), "
            f"not {type(data).__name__}"
        )
    return EventEnvelope(
        event_id=f"{detail_type}:{subject}",
        detail_type=detail_type,
        data_version=entry.version,
        occurred_at=occurred_at,
        correlation_id=correlation_id,
        account_id=account_id,
        program=program,
        data=data.model_dump(mode="json"),
    )


def put_events_entry(event: EventEnvelope, bus_name: str) -> dict[str, Any]:
    """A PutEvents entry. Step Functions' optimised integration serialises the Detail object."""
    return {
        "EventBusName": bus_name,
        "Source": SOURCE,
        "DetailType": event.detail_type.value,
        "Detail": event.model_dump(mode="json"),
    }


def case_opened_entry(case: Case, program: str, correlation_id: str, bus_name: str) -> dict[str, Any]:
    """The CaseOpened event of a newly opened case, whatever opened it (a response or a signal). It
    is the case's own: announcing the same case again gives the same event, id and content."""
    event = envelope(
        DetailType.CASE_OPENED,
        subject=case.case_id,
        occurred_at=case.opened_at,
        correlation_id=correlation_id,
        account_id=case.account_id,
        program=program,
        data=case,
    )
    return put_events_entry(event, bus_name)


def account_health_changed_entry(
    facts: AccountQuarterFacts,
    signal_kinds: set[str],
    as_of: datetime,
    thresholds: Thresholds,
    bus_name: str,
    now: datetime,
) -> dict[str, Any]:
    """The AccountHealthChanged event of an account·quarter whose signals just changed, from the
    facts the account rules read (no extra reads). Its id names the latest signal's as_of: the same
    signals delivered again publish the same event id, which consumers deduplicate on."""
    health = facts.health(thresholds)
    event = envelope(
        DetailType.ACCOUNT_HEALTH_CHANGED,
        subject=f"{facts.account_id}:{facts.quarter}:{as_of.isoformat()}",
        occurred_at=now,
        correlation_id=facts.source,
        account_id=facts.account_id,
        program=facts.program,
        data=AccountHealthChangedData(
            quarter=facts.quarter, score=health.score, health=health, signal_kinds=sorted(signal_kinds)
        ),
    )
    return put_events_entry(event, bus_name)

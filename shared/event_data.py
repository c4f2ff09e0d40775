"""Event data models that belong to no step's own module (the pipeline's live in
shared/services/pipeline.py, a case is shared/domain/cases.py Case). Registered in
shared/event_catalog.py CATALOG like every other. Also the CaseOpened entry, which the pipeline,
signals and the renewal escalation all publish: here rather than in the pipeline's module, so that
the functions opening cases outside the pipeline do not load its steps."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.account_rules import AccountQuarterFacts
from shared.domain.health import Health
from shared.domain.thresholds import Thresholds
from shared.events import DetailType, envelope, put_events_entry

if TYPE_CHECKING:
    from shared.domain.cases import Case


class AccountHealthChangedData(BaseModel):
    """An account·quarter's health after signals changed it (DESIGN.md §3: usage 40%, support 20%,
    NPS 20%, engagement 20%), with its inputs and the gaps, so a CRM never shows a guess as a measure."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    score: float | None = Field(ge=0, le=100)  # None when every input is missing
    health: Health
    signal_kinds: list[str]  # the kinds of signal whose arrival changed it


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

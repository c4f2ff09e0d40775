"""The case desk: people acting on cases (acknowledge, log a contact, resolve), the SLA sweep that
climbs the ladder, and the follow-up answers that verify a recovery. Each change is one saved
version of the case and one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.domain import case_flow
from shared.domain.accounts import UNKNOWN_TEAM, Account

# What an action can be refused with: a step the case cannot take, or a change that crossed
# another's (re-exported for the API, which answers both with 409).
from shared.domain.case_flow import CaseActionRefused as CaseActionRefused
from shared.domain.case_metrics import CaseMetrics, case_metrics
from shared.domain.cases import Case, CaseStatus
from shared.domain.models import DEFAULT_PROGRAM, CanonicalResponse
from shared.domain.surveys import SurveyCandidate, Touchpoint
from shared.domain.thresholds import Thresholds
from shared.events import DetailType
from shared.events.publish import envelope, put_events_entry
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.cases import CaseConflict, CaseRepository

# The property a follow-up survey carries (vendors echo custom properties back with the answer),
# by which the answer finds its case.
CASE_PROPERTY = "npsops_case_id"


class CaseNotFound(LookupError):
    pass


class CaseActionKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    CONTACT = "contact"
    RESOLVE = "resolve"


class CaseAction(BaseModel):
    """What a person does to a case: who, and for a contact its note, for a resolution the root
    cause and the action taken."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    action: CaseActionKind
    by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, min_length=1, max_length=2000)
    root_cause: str | None = Field(default=None, min_length=1, max_length=500)
    action_taken: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _what_the_action_needs(self) -> CaseAction:
        if self.action is CaseActionKind.CONTACT and not self.note:
            raise ValueError("a contact needs a note: what was said")
        if self.action is CaseActionKind.RESOLVE and not (self.root_cause and self.action_taken):
            raise ValueError("a resolution needs root_cause and action_taken")
        return self


class SurveyRequester(Protocol):
    """Who sends surveys npsops asks for (shared/services/surveys.py SurveyPlanner): it applies the
    fatigue rules, records what it planned or suppressed, and publishes SurveyRequested."""

    def request_survey(self, candidate: SurveyCandidate, now: datetime) -> object: ...


class SweepResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    checked: int
    escalated: list[str]


@dataclass(frozen=True)
class CaseDesk:
    cases: CaseRepository
    accounts: AccountRepository
    surveys: SurveyRequester
    publisher: EventPublisher
    thresholds: Thresholds
    bus_name: str

    def find(
        self, owner: str | None = None, account_id: str | None = None, status: CaseStatus | None = None
    ) -> list[Case]:
        """One owner's cases, or one account's, or all; of one status if given; oldest due first."""
        if owner:
            found = self.cases.for_owner(owner)
        elif account_id:
            found = self.cases.for_account(account_id)
        else:
            found = self.cases.all()
        return sorted((c for c in found if status is None or c.status is status), key=lambda c: c.due_at)

    def metrics(self) -> list[CaseMetrics]:
        """Save rate, time to first contact and to recovery, SLAs kept: overall and by segment."""
        segments = {a.account_id: a.segment for a in self.accounts.all()}
        return case_metrics(self.cases.all(), segments)

    def get(self, case_id: str) -> Case:
        case = self.cases.get(case_id)
        if case is None:
            raise CaseNotFound(case_id)
        return case

    def act(self, case_id: str, action: CaseAction, now: datetime) -> Case:
        case = self.get(case_id)
        if action.action is CaseActionKind.ACKNOWLEDGE:
            changed = case_flow.acknowledge(case, action.by, now)
            detail = None  # who holds it is history, not news for a CRM
        elif action.action is CaseActionKind.CONTACT:
            changed = case_flow.log_contact(case, action.by, action.note or "", now)
            detail = DetailType.CASE_CONTACTED
        else:
            changed = case_flow.resolve(
                case, action.by, action.root_cause or "", action.action_taken or "", now, self.thresholds
            )
            detail = DetailType.CASE_RESOLVED
        self.cases.save(changed)
        self.publisher.publish([self._entry(detail, changed, now)] if detail else [])
        if changed.follow_up is not None and changed.status is CaseStatus.RESOLVED:
            follow_up = SurveyCandidate(
                account_id=changed.account_id,
                contact_id=changed.follow_up.contact_id,
                touchpoint=Touchpoint.CASE_FOLLOW_UP,
                due=changed.follow_up.due_at.date(),
                source=changed.case_id,
                properties={CASE_PROPERTY: changed.case_id},
            )
            self.surveys.request_survey(follow_up, now)
        return changed

    def sweep(self, now: datetime) -> SweepResult:
        """Escalate every case whose first-contact SLA has passed one step up the ladder. A case
        someone changed meanwhile is left for the next sweep (it may have been contacted)."""
        due = self.cases.awaiting_contact(now)
        escalated, entries = [], []
        accounts: dict[str, Account | None] = {}
        for case in due:
            if case.account_id not in accounts:
                accounts[case.account_id] = self.accounts.get(case.account_id)
            account = accounts[case.account_id]
            changed = case_flow.escalate_if_overdue(case, account.team if account else UNKNOWN_TEAM, now)
            if changed is None:
                continue
            try:
                self.cases.save(changed)
            except CaseConflict:
                continue
            escalated.append(changed.case_id)
            entries.append(self._entry(DetailType.CASE_ESCALATED, changed, now))
        self.publisher.publish(entries)
        return SweepResult(checked=len(due), escalated=escalated)

    def follow_up_answered(self, response: CanonicalResponse) -> Case | None:
        """A follow-up survey's answer: recovers or reopens its case. None when the response is no
        follow-up, or its case no longer waits for one (an answer delivered twice changes nothing)."""
        case_id = response.properties.get(CASE_PROPERTY)
        case = self.cases.get(case_id) if case_id else None
        if case is None or case.status is not CaseStatus.RESOLVED or case.follow_up is None:
            return None
        changed = case_flow.follow_up_answered(case, response.score, response.submitted_at, self.thresholds)
        try:
            self.cases.save(changed)
        except CaseConflict:
            return None  # another delivery of this answer got there first
        recovered = changed.status is CaseStatus.RECOVERED
        detail = DetailType.CASE_RECOVERED if recovered else DetailType.CASE_REOPENED
        self.publisher.publish([self._entry(detail, changed, response.submitted_at)])
        return changed

    def _entry(self, detail: DetailType, case: Case, now: datetime) -> dict[str, Any]:
        event = envelope(
            detail,
            subject=f"{case.case_id}#v{case.version}",
            occurred_at=now,
            correlation_id=case.response_id,
            account_id=case.account_id,
            program=DEFAULT_PROGRAM,
            data=case,
        )
        return put_events_entry(event, self.bus_name)

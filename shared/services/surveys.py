"""Survey orchestration: the daily plan and `request_survey` for the other workflows.

Every request is decided once (shared/store/surveys.py keys it by contact, touchpoint and due date)
and published: SurveyRequested for a send (an EventBridge API destination hands it to the vendor),
SurveySuppressed with the fatigue rule that stopped it. A request for a later day is kept pending and
decided on its due day by the daily planner, against what has been sent by then.

Who asks for what: the planner itself plans the relational survey (once a quarter per contact, on a
day spread by contact) and decides the pending milestones; the other workflows ask through
`request_survey` (case follow-up from the closed loop, pre-renewal from the renewal escalation,
support resolved, QBR, onboarding complete, 30/90 days after start from whoever learns of them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict

from shared.domain.contacts import Contact, lookup_keys
from shared.domain.quarters import quarter_of
from shared.domain.surveys import (
    Decision,
    FatiguePolicy,
    Milestone,
    Program,
    SentSurvey,
    SuppressionReason,
    SurveyCandidate,
    SurveyDecision,
    Touchpoint,
    decide,
    milestone_candidates,
    quarter_start,
    relational_due,
)
from shared.events import DetailType
from shared.events.data import SurveyRequestedData, SurveySuppressedData
from shared.events.publish import envelope, put_events_entry
from shared.store.bus import EventPublisher
from shared.store.contacts import ContactRepository
from shared.store.surveys import SurveyRepository, sent_survey


class SurveyOutcome(BaseModel):
    """What became of a request: planned (sent), suppressed (with why), or pending (a later day)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    request_id: str
    decision: Decision
    reason: SuppressionReason | None = None
    detail: str | None = None
    already_decided: bool = False  # the same request was decided before; nothing was sent again


class PlanResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    day: date
    planned: int
    suppressed: dict[str, int]  # by reason
    already_decided: int  # candidates decided by an earlier run (a re-run of the day)


class SurveyRequestView(BaseModel):
    """One stored request, as `npsops surveys` and GET /v1/surveys show it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    due: date
    decision: Decision
    reason: SuppressionReason | None
    detail: str | None
    account_id: str
    contact_id: str
    program: str
    touchpoint: str
    source: str


class SurveysReport(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    requests: list[SurveyRequestView]
    counts_by_day: dict[str, dict[str, int]]  # decisions counted on the day they were made


def _due_at(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class SurveyPlanner:
    surveys: SurveyRepository
    contacts: ContactRepository
    publisher: EventPublisher
    policy: FatiguePolicy
    connection: str
    bus_name: str

    def request_survey(self, candidate: SurveyCandidate, now: datetime) -> SurveyOutcome:
        """Ask for one survey. Due later than today: kept pending for the planner of its due day. Due
        today or earlier: decided now against the fatigue rules, recorded and published. Asking
        again for the same contact, touchpoint and due date finds the first decision. Without an
        email, the contact directory's is used (none there: suppressed as no-email on its day)."""
        if candidate.email is None:
            known = self.contacts.find(lookup_keys(candidate.contact_id, None))
            candidate = candidate.model_copy(update={"email": known.email if known else None})
        if candidate.due > now.date():
            recorded = self.surveys.record(
                SurveyDecision(candidate=candidate, decision=Decision.PENDING), now
            )
            if recorded:
                return SurveyOutcome(request_id=candidate.request_id, decision=Decision.PENDING)
            return self._stored_outcome(candidate)
        decisions = self._decide({candidate.account_id: [candidate]}, now.date())
        if not decisions:
            return self._stored_outcome(candidate)
        self._record_and_publish(decisions, now)
        return self._stored_outcome(candidate, already=False)

    def take_milestones(self, milestones: list[Milestone], now: datetime) -> list[SurveyOutcome]:
        """Each milestone's survey(s) requested (a start asks for two: 30 and 90 days after it)."""
        return [
            self.request_survey(candidate, now)
            for milestone in milestones
            for candidate in milestone_candidates(milestone, self.policy)
        ]

    def report(self) -> SurveysReport:
        stored = self.surveys.all()
        requests = [
            SurveyRequestView(
                due=item["due"],
                decision=item["decision"],
                reason=item.get("reason"),
                detail=item.get("detail"),
                account_id=item["account_id"],
                contact_id=item["candidate"]["contact_id"],
                program=item["candidate"]["program"],
                touchpoint=item["candidate"]["touchpoint"],
                source=item["candidate"]["source"],
            )
            for item in stored
        ]
        return SurveysReport(requests=requests, counts_by_day=self.surveys.counts(stored))

    def plan_day(self, day: date, now: datetime) -> PlanResult:
        """The daily run: relational surveys due by `day` this quarter and pending milestones due by
        `day`, decided by account (so the account cap and the priorities see them together)."""
        candidates = self._relational(day, self.contacts.all()) + self.surveys.pending_until(day)
        by_account: dict[str, list[SurveyCandidate]] = defaultdict(list)
        for candidate in candidates:
            by_account[candidate.account_id].append(candidate)
        decisions = self._decide(by_account, day)
        recorded = self._record_and_publish(decisions, now)
        suppressed = Counter(d.reason.value for d in recorded if d.reason is not None)
        return PlanResult(
            day=day,
            planned=sum(1 for d in recorded if d.decision is Decision.PLANNED),
            suppressed=dict(sorted(suppressed.items())),
            already_decided=len(candidates) - len(recorded),
        )

    def _relational(self, day: date, contacts: list[Contact]) -> list[SurveyCandidate]:
        start = quarter_start(day)
        found = []
        for contact in contacts:
            due = relational_due(contact.contact_id, start, self.policy)
            if due <= day:
                found.append(
                    SurveyCandidate(
                        program=Program.CUSTOMER,
                        account_id=contact.account_id,
                        contact_id=contact.contact_id,
                        email=contact.email,
                        touchpoint=Touchpoint.RELATIONAL,
                        due=due,
                        properties={"quarter": quarter_of(_due_at(due))},
                    )
                )
        return found

    def _decide(self, by_account: dict[str, list[SurveyCandidate]], day: date) -> list[SurveyDecision]:
        """Fatigue decisions for the candidates not decided yet, account by account."""
        decisions: list[SurveyDecision] = []
        for account_id, candidates in sorted(by_account.items()):
            history: set[SentSurvey] = set()
            undecided = []
            stored: dict[tuple[str, str], dict[str, str]] = {}
            for program, contact_id in sorted({(c.program.value, c.contact_id) for c in candidates}):
                for item in self.surveys.for_contact(program, contact_id):
                    stored[(program, item["request_id"])] = item
                    if item["decision"] == Decision.PLANNED.value:
                        history.add(sent_survey(item))
            for candidate in candidates:
                held = stored.get((candidate.program.value, candidate.request_id))
                if held is None or held["decision"] == Decision.PENDING.value:
                    undecided.append(candidate)
            if not undecided:
                continue
            month_start = date(day.year, day.month, 1) - timedelta(days=31)
            history |= set(
                self.surveys.planned_for_account(account_id, month_start, day + timedelta(days=31))
            )
            decisions += decide(undecided, history, self.policy)
        return decisions

    def _record_and_publish(self, decisions: list[SurveyDecision], now: datetime) -> list[SurveyDecision]:
        recorded = [d for d in decisions if self.surveys.record(d, now)]
        self.publisher.publish([self._event(d, now) for d in recorded])
        return recorded

    def _event(self, decision: SurveyDecision, now: datetime) -> dict[str, object]:
        candidate = decision.candidate
        due_at = _due_at(candidate.due)
        data: BaseModel
        if decision.decision is Decision.PLANNED:
            assert candidate.email is not None  # decide() suppresses a contact without one
            detail_type = DetailType.SURVEY_REQUESTED
            data = SurveyRequestedData(
                request_id=candidate.request_id,
                account_id=candidate.account_id,
                contact_id=candidate.contact_id,
                email=candidate.email,
                program=candidate.program.value,
                kind=candidate.touchpoint.kind.value,
                touchpoint=candidate.touchpoint.value,
                due_at=due_at,
                connection=self.connection,
                delay_seconds=max(0, int((due_at - now).total_seconds())),
                source=candidate.source,
                properties=candidate.properties
                | {
                    "account_id": candidate.account_id,
                    "contact_id": candidate.contact_id,
                    "touchpoint": candidate.touchpoint.value,
                    "program": candidate.program.value,
                    "survey_request": candidate.request_id,
                },
            )
        else:
            assert decision.reason is not None and decision.detail is not None
            detail_type = DetailType.SURVEY_SUPPRESSED
            data = SurveySuppressedData(
                request_id=candidate.request_id,
                account_id=candidate.account_id,
                contact_id=candidate.contact_id,
                program=candidate.program.value,
                touchpoint=candidate.touchpoint.value,
                due_at=due_at,
                reason=decision.reason,
                detail=decision.detail,
                source=candidate.source,
            )
        event = envelope(
            detail_type,
            subject=candidate.request_id,
            occurred_at=now,
            correlation_id=candidate.request_id,
            account_id=candidate.account_id,
            program=candidate.program.value,
            data=data,
        )
        return put_events_entry(event, self.bus_name)

    def _stored_outcome(self, candidate: SurveyCandidate, already: bool = True) -> SurveyOutcome:
        for item in self.surveys.for_contact(candidate.program.value, candidate.contact_id):
            if item["request_id"] == candidate.request_id:
                reason = item.get("reason")
                return SurveyOutcome(
                    request_id=candidate.request_id,
                    decision=Decision(item["decision"]),
                    reason=SuppressionReason(reason) if reason else None,
                    detail=item.get("detail"),
                    already_decided=already and item["decision"] != Decision.PENDING.value,
                )
        raise LookupError(f"survey request {candidate.request_id} was not stored")

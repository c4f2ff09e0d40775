"""The pre-renewal escalation: the daily scanner that starts (and ends) one execution per renewal,
the workflow's checkpoint steps, and the hand-back of the pre-renewal answer from the response
pipeline to the execution waiting for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from shared.domain.accounts import Account
from shared.domain.cases import Case, case_from_firing
from shared.domain.models import DEFAULT_PROGRAM, CanonicalResponse
from shared.domain.quarters import quarter_of
from shared.domain.renewals import (
    Answer,
    Decision,
    RenewalCheckpoint,
    RenewalPlan,
    checkpoint2_firing,
    decide,
    executive_firing,
    in_window,
    renewal_plan,
    still_at_risk,
)
from shared.domain.surveys import SurveyCandidate, Touchpoint
from shared.domain.thresholds import Thresholds
from shared.domain.triggers import TriggerFiring, TriggerRule
from shared.events import DetailType
from shared.events.publish import case_opened_entry, envelope, put_events_entry
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.cases import CaseRepository
from shared.store.contacts import ContactRepository
from shared.store.executions import Workflows, execution_name
from shared.store.renewals import RenewalRepository, RenewalStatus
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

if TYPE_CHECKING:
    from shared.services.cases import SurveyRequester

# The property the pre-renewal survey carries, echoed back with the answer.
RENEWAL_PROPERTY = "npsops_renewal"


class Step(StrEnum):
    REQUEST_SURVEY = "request-survey"  # checkpoint 1
    DECIDE = "decide"  # checkpoint 2
    FINAL_CHECK = "final-check"  # checkpoint 3


class CheckpointRequest(BaseModel):
    """A task of statemachines/renewal_escalation.asl.json. `answer` is the pre-renewal answer, or
    {"no_answer": true} when checkpoint 1 timed out."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    step: Step
    plan: RenewalPlan
    task_token: str | None = None
    answer: dict[str, Any] | None = None
    decision: Decision | None = None


class CheckpointResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    current: bool  # False: the renewal moved, renewed or churned; the execution ends
    decision: Decision | None = None
    at_risk: list[str] = []
    opened: list[str] = []


class ScanResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    started: list[str]
    ended: list[str]


@dataclass(frozen=True)
class RenewalDesk:
    accounts: AccountRepository
    contacts: ContactRepository
    surveys: SurveyRequester
    signals: SignalRepository
    rollups: RollupRepository
    cases: CaseRepository
    renewals: RenewalRepository
    workflows: Workflows
    publisher: EventPublisher
    thresholds: Thresholds
    bus_name: str

    # The scanner ----------------------------------------------------------------------------

    def scan(self, now: datetime) -> ScanResult:
        """Start one execution per account entering its renewal window, once per renewal; end those
        whose renewal moved, or whose account renewed or churned."""
        started, ended, entries = [], [], []
        running = self.renewals.running()
        for account in self.accounts.all():
            window = in_window(account, now.date(), self.thresholds)
            if not window and account.account_id not in running:
                continue  # nothing to start or end: no reads for it
            why_not = self._not_current(account, None, now)  # one read of the quarter's outcome
            escalating = False
            for plan in running.get(account.account_id, []):
                reason = _moved(account, plan) or why_not
                if reason:
                    self.workflows.stop(plan.execution_name, reason)
                    self.renewals.set_status(plan, RenewalStatus.ENDED, reason)
                    ended.append(plan.execution_name)
                    entries.append(self._checkpoint_entry(plan, 0, now, ended=reason))
                else:
                    escalating = True
            if why_not or not window or escalating:
                continue  # escalating: this renewal's execution runs already, no write needed to know it
            assert account.renewal_date is not None
            name = execution_name(f"renewal-{account.account_id}-{account.renewal_date}")
            plan = renewal_plan(account, now, self.thresholds, name)
            if self.renewals.start_once(plan):
                self.workflows.start(name, {"plan": plan.model_dump(mode="json")})
                started.append(name)
        self.publisher.publish(entries)
        return ScanResult(started=started, ended=ended)

    # The workflow's steps -------------------------------------------------------------------

    def checkpoint(self, request: CheckpointRequest) -> CheckpointResult:
        plan = request.plan
        if request.step is Step.REQUEST_SURVEY:
            return self._request_survey(plan, request.task_token)
        if request.step is Step.DECIDE:
            return self._decide(plan, _answer(request.answer))
        return self._final_check(plan, request.decision or Decision.NO_ANSWER)

    def _request_survey(self, plan: RenewalPlan, token: str | None) -> CheckpointResult:
        """Checkpoint 1: ask for the pre-renewal answer and leave the token to resume with."""
        assert token, "checkpoint 1 runs as a waitForTaskToken task"
        now = plan.started_at
        reason = self._not_current(self.accounts.get(plan.account_id), plan, now)
        if reason:
            # The task waits for its token: hand it back at once, as ended.
            self.renewals.set_status(plan, RenewalStatus.ENDED, reason)
            self.workflows.resume(token, {"ended": reason})
            return CheckpointResult(current=False)
        self.renewals.set_token(plan, token)
        asked = 0
        for contact in self.contacts.for_account(plan.account_id):
            candidate = SurveyCandidate(
                account_id=plan.account_id,
                contact_id=contact.contact_id,
                email=contact.email,
                touchpoint=Touchpoint.PRE_RENEWAL,
                due=now.date(),
                source=f"renewal:{plan.execution_name}",
                properties={RENEWAL_PROPERTY: plan.execution_name},
            )
            self.surveys.request_survey(candidate, now)
            asked += 1
        # With nobody to ask, the answer window runs out: "no answer" is the risk signal it is.
        self.publisher.publish([self._checkpoint_entry(plan, 1, now, asked=asked)])
        return CheckpointResult(current=True)

    def _decide(self, plan: RenewalPlan, answer: Answer | None) -> CheckpointResult:
        """Checkpoint 2: the branch by the answer, and the case or play it opens."""
        now = answer.submitted_at if answer else plan.answer_by
        self.renewals.set_token(plan, None)
        account = self.accounts.get(plan.account_id)
        reason = self._not_current(account, plan, now)
        if reason:
            self.renewals.set_status(plan, RenewalStatus.ENDED, reason)
            return CheckpointResult(current=False)
        decision = decide(answer)
        firing = checkpoint2_firing(plan, decision, answer, quarter_of(now), self.thresholds)
        entries = [self._checkpoint_entry(plan, 2, now, decision=decision)]
        opened = self._open(firing, account, now, entries)
        if decision is Decision.EXPANSION and firing is not None:
            entries.append(self._entry(DetailType.EXPANSION_OPPORTUNITY, plan.subject, plan, now, firing))
        self.publisher.publish(entries)
        return CheckpointResult(current=True, decision=decision, opened=opened)

    def _final_check(self, plan: RenewalPlan, decision: Decision) -> CheckpointResult:
        """Checkpoint 3: still at risk (recovery not verified, health low) → executive sponsor."""
        now = plan.final_check_at
        account = self.accounts.get(plan.account_id)
        reason = self._not_current(account, plan, now)
        if reason:
            self.renewals.set_status(plan, RenewalStatus.ENDED, reason)
            return CheckpointResult(current=False)
        reasons = still_at_risk(
            decision, self._recovery_case(plan, decision), self._health(account, now), self.thresholds
        )
        entries = [self._checkpoint_entry(plan, 3, now, decision=decision, at_risk=reasons)]
        opened = self._open(
            executive_firing(plan, reasons, quarter_of(now), self.thresholds) if reasons else None,
            account,
            now,
            entries,
        )
        self.publisher.publish(entries)
        self.renewals.set_status(plan, RenewalStatus.FINISHED, "; ".join(reasons) or "not at risk")
        return CheckpointResult(current=True, decision=decision, at_risk=reasons, opened=opened)

    # The pre-renewal answer -----------------------------------------------------------------

    def resume(self, response: CanonicalResponse) -> bool:
        """Hand the account's pre-renewal answer to the execution waiting for it. False when none
        waits (answered already, timed out, or this answer was no pre-renewal answer)."""
        if response.touchpoint != Touchpoint.PRE_RENEWAL and RENEWAL_PROPERTY not in response.properties:
            return False
        waiting = self.renewals.waiting_token(response.account_id)
        if waiting is None:
            return False
        plan, token = waiting
        answer = Answer(
            response_id=response.key,
            contact_id=response.contact_id,
            score=response.score,
            submitted_at=response.submitted_at,
        )
        resumed = self.workflows.resume(token, answer.model_dump(mode="json"))
        self.renewals.set_token(plan, None)
        return resumed

    # Helpers --------------------------------------------------------------------------------

    def _not_current(self, account: Account | None, plan: RenewalPlan | None, now: datetime) -> str | None:
        """Why this renewal is no longer the one to escalate, or None while it is."""
        if account is None:
            return "the account left the directory"
        moved = _moved(account, plan) if plan is not None else None
        if moved:
            return moved
        outcome = self.signals.for_quarter(account.account_id, quarter_of(now)).outcome
        if outcome is not None and outcome.renewed:
            return "the account renewed"
        if outcome is not None and outcome.churned:
            return "the account churned"
        return None

    def _recovery_case(self, plan: RenewalPlan, decision: Decision) -> Case | None:
        rule = {
            Decision.RECOVERY_PLAN: TriggerRule.RENEWAL_RECOVERY_PLAN,
            Decision.NO_ANSWER: TriggerRule.RENEWAL_NO_ANSWER,
        }.get(decision)
        return self.cases.get(f"{rule}#{plan.subject}") if rule else None

    def _health(self, account: Account | None, now: datetime) -> float | None:
        if account is None:
            return None
        # Imported here, like the case opening below: only the decisions read health and open cases,
        # and the daily scanner, which shares this desk, should not load the signal rules to start.
        from shared.services.signals import read_facts

        source = f"renewal:{account.account_id}"
        facts = read_facts(
            self.signals, self.rollups, self.thresholds, account, account.account_id, quarter_of(now), source
        )
        return facts.health(self.thresholds).score

    def _open(
        self,
        firing: TriggerFiring | None,
        account: Account | None,
        now: datetime,
        entries: list[dict[str, Any]],
    ) -> list[str]:
        if firing is None:
            return []
        opening = self.cases.open(case_from_firing(firing, account, now))
        if opening is None:
            return []
        entries.append(case_opened_entry(opening.case, DEFAULT_PROGRAM, firing.response_id, self.bus_name))
        return [opening.case.case_id]

    def _checkpoint_entry(
        self,
        plan: RenewalPlan,
        checkpoint: int,
        now: datetime,
        decision: Decision | None = None,
        at_risk: list[str] | None = None,
        ended: str | None = None,
        asked: int | None = None,
    ) -> dict[str, Any]:
        data = RenewalCheckpoint(
            account_id=plan.account_id,
            renewal_date=str(plan.renewal_date),
            checkpoint=checkpoint,
            execution=plan.execution_name,
            decision=decision,
            at_risk=at_risk or [],
            ended=ended,
            contacts_asked=asked,
        )
        return self._entry(
            DetailType.RENEWAL_CHECKPOINT_REACHED, f"{plan.subject}#{checkpoint}", plan, now, data
        )

    def _entry(
        self, detail: DetailType, subject: str, plan: RenewalPlan, now: datetime, data: BaseModel
    ) -> dict[str, Any]:
        """An event of this renewal: its execution is the correlation id."""
        event = envelope(
            detail,
            subject=subject,
            occurred_at=now,
            correlation_id=plan.execution_name,
            account_id=plan.account_id,
            program=DEFAULT_PROGRAM,
            data=data,
        )
        return put_events_entry(event, self.bus_name)


def _answer(given: dict[str, Any] | None) -> Answer | None:
    if not given or given.get("no_answer") or "score" not in given:
        return None
    return Answer.model_validate(given)


def _moved(account: Account, plan: RenewalPlan) -> str | None:
    if account.renewal_date != plan.renewal_date:
        return f"the renewal moved from {plan.renewal_date} to {account.renewal_date}"
    return None

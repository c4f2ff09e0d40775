"""Survey planning and fatigue control: which surveys are due for a contact on a day, and which of them
may be sent without asking too often. Pure: the caller passes the day, the contacts and what was sent.

Every candidate ends in a decision: planned, or suppressed with the rule that stopped it. Candidates
are decided in priority order (pre-renewal and case follow-up first), each decision counting
against the next, so when two are due the more important one wins and the other is suppressed with
the reason "lower priority than ...", never silently dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.models import DEFAULT_PROGRAM, Identifier, SurveyKind


class Program(StrEnum):
    """Customer NPS, employee NPS (eNPS) and partner NPS: the same machinery under another id."""

    CUSTOMER = DEFAULT_PROGRAM
    EMPLOYEE = "employee"
    PARTNER = "partner"


class Touchpoint(StrEnum):
    RELATIONAL = "relational"  # once a quarter per contact
    PRE_RENEWAL = "pre-renewal"
    CASE_FOLLOW_UP = "case-follow-up"
    SUPPORT_RESOLVED = "support-resolved"
    QBR = "qbr"
    ONBOARDING_COMPLETE = "onboarding-complete"
    DAYS_30 = "30-days"
    DAYS_90 = "90-days"

    @property
    def kind(self) -> SurveyKind:
        return SurveyKind.RELATIONAL if self is Touchpoint.RELATIONAL else SurveyKind.TRANSACTIONAL


# Lower wins. Pre-renewal and case follow-up first: they decide a renewal and close a case; the
# relational survey is last because it comes round again next quarter.
PRIORITY: dict[Touchpoint, int] = {
    Touchpoint.PRE_RENEWAL: 0,
    Touchpoint.CASE_FOLLOW_UP: 1,
    Touchpoint.SUPPORT_RESOLVED: 2,
    Touchpoint.QBR: 3,
    Touchpoint.ONBOARDING_COMPLETE: 4,
    Touchpoint.DAYS_30: 5,
    Touchpoint.DAYS_90: 6,
    Touchpoint.RELATIONAL: 7,
}


class SuppressionReason(StrEnum):
    YEARLY_LIMIT = "yearly-limit"  # max surveys per contact per rolling year
    MIN_GAP = "min-gap"  # too soon after the contact's last survey
    ACCOUNT_MONTHLY_CAP = "account-monthly-cap"
    LOWER_PRIORITY = "lower-priority"  # another survey for the contact won this run
    NO_EMAIL = "no-email"  # nobody to send it to


class Decision(StrEnum):
    PLANNED = "planned"
    SUPPRESSED = "suppressed"
    PENDING = "pending"  # registered for a later due date; decided on that day


class FatiguePolicy(BaseModel):
    """Server-side fatigue rules (docs/cs-leads.md#surveys-and-fatigue: at most 3 a year, a minimum gap,
    an account cap)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    max_per_contact_per_year: int = Field(default=3, ge=1, le=12)
    min_gap_days: int = Field(default=60, ge=0, le=365)
    max_per_account_per_month: int = Field(default=10, ge=1)
    # The case follow-up asks the contact whether the fix worked: it may come sooner than the gap, but
    # still counts towards the yearly limit and the account cap.
    gap_exempt: tuple[Touchpoint, ...] = (Touchpoint.CASE_FOLLOW_UP,)
    # Relational surveys go out on a day of the quarter spread by contact over this many days, so a
    # quarter does not start with every contact asked at once.
    relational_spread_days: int = Field(default=60, ge=1, le=90)
    # Onboarding milestones: days after the account's start.
    days_after_start: tuple[int, int] = (30, 90)


class SurveyCandidate(BaseModel):
    """A survey that is due for a contact."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    program: Program = Program.CUSTOMER
    account_id: Identifier
    contact_id: Identifier
    email: str | None = Field(default=None, max_length=254)
    touchpoint: Touchpoint
    due: date
    # What asked for it: "planner", a case id, "renewal:<account>", ...
    source: str = Field(default="planner", min_length=1, max_length=200)
    properties: dict[str, str] = Field(default_factory=dict, max_length=20)

    @property
    def request_id(self) -> str:
        """One request per contact, touchpoint and due date: the idempotency key."""
        return f"{self.program}#{self.contact_id}#{self.touchpoint}#{self.due.isoformat()}"


class SentSurvey(BaseModel):
    """A survey already planned for a contact or the account (what fatigue counts)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    contact_id: str
    account_id: str
    touchpoint: Touchpoint
    due: date


class SurveyDecision(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    candidate: SurveyCandidate
    decision: Decision
    reason: SuppressionReason | None = None
    detail: str | None = None


def decide(
    candidates: Iterable[SurveyCandidate],
    history: Iterable[SentSurvey],
    policy: FatiguePolicy,
) -> list[SurveyDecision]:
    """Each candidate planned or suppressed, in priority order (then due date, then contact), every
    plan counting against the candidates after it. `history`: what was planned before, for these
    contacts and their accounts (the last year is enough)."""
    sent = list(history)
    decisions: list[SurveyDecision] = []
    winners: dict[tuple[str, str], SurveyCandidate] = {}
    ordered = sorted(candidates, key=lambda c: (PRIORITY[c.touchpoint], c.due, c.contact_id, c.touchpoint))
    for candidate in ordered:
        reason, detail = _suppression(candidate, sent, winners, policy)
        if reason is None:
            sent.append(
                SentSurvey(
                    contact_id=candidate.contact_id,
                    account_id=candidate.account_id,
                    touchpoint=candidate.touchpoint,
                    due=candidate.due,
                )
            )
            winners[(candidate.program, candidate.contact_id)] = candidate
            decisions.append(SurveyDecision(candidate=candidate, decision=Decision.PLANNED))
        else:
            decisions.append(
                SurveyDecision(
                    candidate=candidate, decision=Decision.SUPPRESSED, reason=reason, detail=detail
                )
            )
    return decisions


def _suppression(
    candidate: SurveyCandidate,
    sent: list[SentSurvey],
    winners: dict[tuple[str, str], SurveyCandidate],
    policy: FatiguePolicy,
) -> tuple[SuppressionReason | None, str | None]:
    if not candidate.email:
        return SuppressionReason.NO_EMAIL, "the contact directory has no email for this contact"
    winner = winners.get((candidate.program, candidate.contact_id))
    if winner is not None:
        return SuppressionReason.LOWER_PRIORITY, f"{winner.touchpoint} survey for this contact won"
    day = candidate.due
    year_ago = day - timedelta(days=365)
    own = [s for s in sent if s.contact_id == candidate.contact_id and year_ago < s.due <= day]
    if len(own) >= policy.max_per_contact_per_year:
        return (
            SuppressionReason.YEARLY_LIMIT,
            f"{len(own)} surveys in the 365 days to {day} (limit {policy.max_per_contact_per_year})",
        )
    if candidate.touchpoint not in policy.gap_exempt and own:
        last = max(s.due for s in own)
        gap = (day - last).days
        if gap < policy.min_gap_days:
            return (
                SuppressionReason.MIN_GAP,
                f"last survey {last} ({gap} days ago, minimum {policy.min_gap_days})",
            )
    month = (day.year, day.month)
    account = [s for s in sent if s.account_id == candidate.account_id and (s.due.year, s.due.month) == month]
    if len(account) >= policy.max_per_account_per_month:
        return (
            SuppressionReason.ACCOUNT_MONTHLY_CAP,
            f"{len(account)} surveys for {candidate.account_id} in {day:%Y-%m} "
            f"(cap {policy.max_per_account_per_month})",
        )
    return None, None


# --- what is due ----------------------------------------------------------------------------------


def relational_due(contact_id: str, quarter_start: date, policy: FatiguePolicy) -> date:
    """The contact's relational survey day in the quarter starting `quarter_start`: spread over the
    first `relational_spread_days` by a stable hash of the contact (the same day on every run)."""
    digest = hashlib.sha256(contact_id.encode()).digest()
    return quarter_start + timedelta(days=int.from_bytes(digest[:4], "big") % policy.relational_spread_days)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def is_relational_day(contact_id: str, day: date, policy: FatiguePolicy) -> bool:
    return relational_due(contact_id, quarter_start(day), policy) == day


def pre_renewal_due(renewal: date, window_days: int) -> date:
    """The pre-renewal survey goes out when the renewal escalation starts: `window_days` before."""
    return renewal - timedelta(days=window_days)


def onboarding_dues(start: date, policy: FatiguePolicy) -> dict[Touchpoint, date]:
    first, second = policy.days_after_start
    return {
        Touchpoint.DAYS_30: start + timedelta(days=first),
        Touchpoint.DAYS_90: start + timedelta(days=second),
    }


# --- milestones reported by other systems (CRM, help desk, calendar) -------------------------------


class MilestoneKind(StrEnum):
    STARTED = "started"  # the account (or contact) started: 30 and 90 days after it
    ONBOARDING_COMPLETE = "onboarding-complete"
    SUPPORT_RESOLVED = "support-resolved"
    QBR = "qbr"


class Milestone(BaseModel):
    """Something that happened (or is booked: a QBR date) to a contact, which asks for a survey."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    program: Program = Program.CUSTOMER
    account_id: Identifier
    contact_id: Identifier
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    kind: MilestoneKind
    on: date  # when it happened, or the QBR's date
    reference: str | None = Field(default=None, min_length=1, max_length=200)  # ticket id, meeting id


def milestone_candidates(milestone: Milestone, policy: FatiguePolicy) -> list[SurveyCandidate]:
    """The surveys a milestone asks for: one on its day, or 30 and 90 days after a start."""
    if milestone.kind is MilestoneKind.STARTED:
        dues = onboarding_dues(milestone.on, policy)
    else:
        dues = {Touchpoint(milestone.kind.value): milestone.on}
    source = f"milestone:{milestone.kind}" + (f":{milestone.reference}" if milestone.reference else "")
    return [
        SurveyCandidate(
            program=milestone.program,
            account_id=milestone.account_id,
            contact_id=milestone.contact_id,
            email=milestone.email,
            touchpoint=touchpoint,
            due=due,
            source=source[:200],
            properties={"milestone": milestone.kind.value},
        )
        for touchpoint, due in sorted(dues.items(), key=lambda item: item[1])
    ]

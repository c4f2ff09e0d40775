"""The non-NPS signals about an account, one fact set per account, quarter and kind.

Signals come from other systems (product analytics, the help desk, the CRM, billing) on their own
schedule, often late and sometimes corrected. Each carries `as_of`, the source's own time of the data
it holds: for one account, quarter and kind the signal with the latest `as_of` is the truth, whatever
order they arrive in, so a correction replaces what it corrects and a stale resend changes nothing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.models import Identifier

QUARTER_PATTERN = r"^\d{4}-Q[1-4]$"
Quarter = Annotated[str, Field(pattern=QUARTER_PATTERN)]
# Names and labels from the CRM: present, and bounded so one bad row cannot bloat an item.
Label = Annotated[str, Field(min_length=1, max_length=200)]


class SignalKind(StrEnum):
    USAGE = "usage"
    SUPPORT = "support"
    ENGAGEMENT = "engagement"
    COMMERCIAL = "commercial"
    OUTCOME = "outcome"


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Usage(_Facts):
    """Product usage in the quarter. `usage_index`, when the analytics tool has one, is its own 0-100
    measure and wins over active users per seat."""

    active_users: int = Field(ge=0)
    seats: int = Field(ge=0)
    usage_index: float | None = Field(default=None, ge=0, le=100)


class Support(_Facts):
    """Help-desk tickets opened in the quarter."""

    tickets: int = Field(ge=0)
    sev1: int = Field(default=0, ge=0)
    sev2: int = Field(default=0, ge=0)
    escalations: int = Field(default=0, ge=0)
    mean_resolution_hours: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _parts_within_tickets(self) -> Support:
        if self.sev1 + self.sev2 > self.tickets:
            raise ValueError("sev1 + sev2 must not exceed tickets")
        if self.escalations > self.tickets:
            raise ValueError("escalations must not exceed tickets")
        return self


class Engagement(_Facts):
    """Touches with the account's people in the quarter."""

    meetings: int = Field(ge=0)
    outreach_replies: int = Field(ge=0)
    email_opens: int = Field(ge=0)


class Commercial(_Facts):
    """The CRM's view of the account as of the quarter."""

    arr: float = Field(ge=0)
    seats: int = Field(ge=0)
    renewal_date: date | None = None
    segment: Label
    industry: Label
    region: Label
    lifecycle_stage: Label
    product_lines: list[Identifier] = Field(default_factory=list, max_length=50)
    csm: Label
    cs_lead: Label
    executive_sponsor: Label


class Outcome(_Facts):
    """What the quarter ended in: renewal, churn, expansion, advocacy."""

    renewed: bool | None = None
    churned: bool | None = None
    expansion_arr: float = Field(default=0, ge=0)
    references_given: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _renewed_or_churned(self) -> Outcome:
        if self.renewed and self.churned:
            raise ValueError("an account cannot both renew and churn in one quarter")
        return self


SignalValues = Usage | Support | Engagement | Commercial | Outcome

VALUES_BY_KIND: dict[SignalKind, type[_Facts]] = {
    SignalKind.USAGE: Usage,
    SignalKind.SUPPORT: Support,
    SignalKind.ENGAGEMENT: Engagement,
    SignalKind.COMMERCIAL: Commercial,
    SignalKind.OUTCOME: Outcome,
}


class Signal(BaseModel):
    """One fact set for one account, quarter and kind. `values` is parsed by `kind`, so a payload that
    names the wrong kind is refused with the kind's own field errors, never guessed."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    account_id: Identifier
    quarter: Quarter
    kind: SignalKind
    as_of: AwareDatetime  # the source's own time of this data: the latest as_of wins
    values: SignalValues

    @field_validator("values", mode="before")
    @classmethod
    def _parse_by_kind(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")  # absent when `kind` itself failed: its error is reported
        if isinstance(kind, SignalKind) and isinstance(value, dict):
            return VALUES_BY_KIND[kind].model_validate(value)
        return value

    @model_validator(mode="after")
    def _values_match_kind(self) -> Signal:
        if not isinstance(self.values, VALUES_BY_KIND[self.kind]):
            raise ValueError(f"values are {type(self.values).__name__}, not {self.kind} values")
        return self


class QuarterSignals(BaseModel):
    """Everything known about one account·quarter besides NPS; None where no signal has arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    usage: Usage | None = None
    support: Support | None = None
    engagement: Engagement | None = None
    commercial: Commercial | None = None
    outcome: Outcome | None = None

    @classmethod
    def from_signals(cls, signals: list[Signal]) -> QuarterSignals:
        """The latest `as_of` per kind wins; on a tie the later one in the list does. All signals
        must be about one account and quarter."""
        scopes = {(signal.account_id, signal.quarter) for signal in signals}
        if len(scopes) > 1:
            raise ValueError(f"signals from more than one account·quarter: {sorted(scopes)}")
        latest: dict[SignalKind, Signal] = {}
        for signal in signals:
            held = latest.get(signal.kind)
            if held is None or signal.as_of >= held.as_of:
                latest[signal.kind] = signal
        return cls.model_validate({kind.value: signal.values for kind, signal in latest.items()})


def usage_level(usage: Usage) -> float | None:
    """0-100 as a rule (above 100 when more users are active than seats are sold): the analytics
    tool's index when given, else active users per seat; None when there is neither."""
    if usage.usage_index is not None:
        return usage.usage_index
    if usage.seats == 0:
        return None
    return usage.active_users * 100 / usage.seats


def percent_change(previous: float | None, current: float | None) -> float | None:
    """Change from previous to current in percent of previous, rounded to 4 places so threshold
    comparisons at a boundary (exactly -20%) do not depend on float noise. None when either is
    unknown or previous is 0 (no percentage of nothing)."""
    if previous is None or current is None or previous == 0:
        return None
    return round((current - previous) * 100 / previous, 4)

"""The canonical NPS response: what every vendor format is parsed into."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

# Ids end up in DynamoDB keys and Step Functions execution names (max 80 chars, no '#').
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$")]


class Band(StrEnum):
    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


class SurveyKind(StrEnum):
    """Relational NPS (periodic, about the relationship) and transactional NPS (after a touchpoint)
    are reported apart: mixing them skews the account number."""

    RELATIONAL = "relational"
    TRANSACTIONAL = "transactional"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Customer NPS; employee (eNPS) and partner NPS run on the same machinery under their own program id.
DEFAULT_PROGRAM = "customer"


class ResponseFields(BaseModel):
    """What a survey answer says, whoever sent it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    response_id: Identifier
    program: Identifier = DEFAULT_PROGRAM
    survey_id: Identifier | None = None
    account_id: Identifier
    contact_id: Identifier
    contact_email: str | None = Field(default=None, max_length=254)
    score: StrictInt = Field(ge=0, le=10)
    comment: str | None = Field(default=None, max_length=5000)
    submitted_at: Annotated[AwareDatetime, AfterValidator(_utc)]
    kind: SurveyKind = SurveyKind.RELATIONAL
    touchpoint: Identifier | None = None
    product_line: Identifier | None = None
    properties: dict[str, str] = Field(default_factory=dict, max_length=50)


class CanonicalResponse(ResponseFields):
    """One survey answer, vendor-neutral: what every vendor format is parsed into. Immutable.

    Vendors revise a response after it was first sent (a changed score, a comment after the score);
    `revised_at` is the vendor's own time of the revision this copy carries, and orders revisions."""

    vendor: Identifier = "generic"
    revised_at: Annotated[AwareDatetime, AfterValidator(_utc)] | None = None

    @property
    def key(self) -> str:
        """Globally unique id: vendor ids only need to be unique per vendor."""
        return f"{self.vendor}-{self.response_id}"

    @property
    def revision_time(self) -> datetime:
        return self.revised_at or self.submitted_at

    @property
    def revision_key(self) -> str:
        """Unique per revision: names its pipeline run and its events."""
        if self.revised_at is None or self.revised_at == self.submitted_at:
            return self.key
        return f"{self.key}.r{int(self.revised_at.timestamp() * 1000)}"

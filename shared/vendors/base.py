"""What every survey vendor module produces from a webhook delivery, and the errors it raises.

A vendor module is pure: it verifies a signature over the exact bytes received and turns the body
into one of the `Parsed` outcomes. Looking up secrets, fetching details of thin notifications and
resolving the account happen in shared/services, not here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.domain.models import Identifier, SurveyKind


class Vendor(StrEnum):
    DELIGHTED = "delighted"
    TYPEFORM = "typeform"
    SURVEYMONKEY = "surveymonkey"
    QUALTRICS = "qualtrics"
    WOOTRIC = "wootric"
    FORMBRICKS = "formbricks"


class Connection(BaseModel):
    """One connected survey source: which vendor, where its secret lives and how to read its answers.
    Users manage these with `npsops connections ...`; the secret value is never stored here."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    connection_id: Identifier
    vendor: Vendor
    secret_ref: str = Field(min_length=1, max_length=2048)  # Secrets Manager name or ARN
    program: Identifier = "customer"
    kind: SurveyKind = SurveyKind.RELATIONAL
    # Vendors that send answer arrays (Typeform, Formbricks, SurveyMonkey, Qualtrics): which question
    # is the 0-10 NPS one and which is the comment, by the vendor's question id (Typeform: id or ref).
    nps_question: str | None = Field(default=None, max_length=200)
    comment_question: str | None = Field(default=None, max_length=200)
    # SurveyMonkey answers a choice question with a choice_id: the id of each choice's 0-10 value.
    choice_scores: dict[str, Annotated[int, Field(ge=0, le=10)]] = Field(default_factory=dict)
    # Custom properties (Typeform hidden fields, Delighted person_properties, ...) naming the account
    # and the contact.
    account_property: str = Field(default="account_id", min_length=1, max_length=100)
    contact_property: str = Field(default="contact_id", min_length=1, max_length=100)
    # Zone for vendor timestamps sent without one (Qualtrics CompletedDate), as an IANA name.
    naive_timezone: str = Field(default="UTC", min_length=1, max_length=64)
    # Signed timestamps older or newer than this are replays (Standard Webhooks: 5 minutes).
    signature_tolerance_seconds: int = Field(default=300, ge=1, le=86400)
    # Thin vendors (SurveyMonkey, Qualtrics): where their REST API is; locally the fake vendor API.
    api_base_url: str | None = Field(default=None, max_length=500)


class Delivery(BaseModel):
    """One HTTP delivery as received: the exact bytes and the headers (names lower-cased)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    body: bytes
    headers: Annotated[dict[str, str], AfterValidator(lambda h: {k.lower(): v for k, v in h.items()})]
    received_at: AwareDatetime

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Identity(BaseModel):
    """Who answered, as far as the delivery says: resolved to an account by the contact directory."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str | None = None
    contact_id: str | None = None  # the customer's own id for the person (external id)
    email: str | None = None


class Answer(BaseModel):
    """A response, or a later revision of it (a changed score, a comment that came after the score)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    response_id: Identifier
    event_id: str = Field(min_length=1, max_length=200)  # the vendor's delivery id: redeliveries share it
    revised_at: AwareDatetime  # the vendor's own time of this revision: orders updates
    submitted_at: AwareDatetime
    score: int | None = Field(ge=0, le=10)  # None: the NPS question is not answered yet
    comment: str | None = Field(default=None, max_length=5000)
    identity: Identity
    survey_id: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)


class Notification(BaseModel):
    """A thin notification (SurveyMonkey, Qualtrics): ids only; the answers need a follow-up API call."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    response_id: Identifier
    survey_id: str
    event_id: str = Field(min_length=1, max_length=200)
    revised_at: AwareDatetime


class Ping(BaseModel):
    """A test delivery (Formbricks testEndpoint, ...): answer 200, write nothing."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    reason: str


class Ignored(BaseModel):
    """A real delivery without an NPS answer (a Wootric decline, a non-NPS survey): 200, nothing written."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    reason: str


Parsed = Answer | Notification | Ping | Ignored


class SignatureError(Exception):
    """Unsigned, badly signed, or signed outside the replay tolerance: 401 and nothing written."""


class PayloadError(Exception):
    """The body is not what the vendor sends: 400 when it cannot be decoded at all, else 422."""

    def __init__(self, field: str, message: str, *, undecodable: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.undecodable = undecodable


class VendorFormat(Protocol):
    """What each module in shared/vendors/ provides (as module-level functions)."""

    def verify(self, delivery: Delivery, secret: str, now: datetime, tolerance_seconds: int) -> None: ...

    def parse(self, delivery: Delivery, connection: Connection) -> Parsed: ...


class ThinVendorFormat(VendorFormat, Protocol):
    """Thin vendors also say where the details are and how to read them."""

    def details_path(self, notification: Notification) -> str: ...

    def parse_details(
        self, details: dict[str, object], notification: Notification, connection: Connection
    ) -> Answer: ...

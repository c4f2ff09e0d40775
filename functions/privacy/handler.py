"""Internal API (IAM-authenticated on AWS): a contact's data on request, both audited.

GET  /v1/contacts/{contact_id}/export   ?by=&program=   everything stored about the contact
POST /v1/contacts/{contact_id}/erase    {"by": "..."}   remove what identifies them, keep the scores
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from functions.api import Api, not_found
from shared.config import PrivacySettings
from shared.observability import lambda_handler, metrics
from shared.services.privacy import ContactExport, ContactNotFound, ErasureResult
from shared.wiring.privacy import privacy_desk

settings = PrivacySettings.from_env()
desk = privacy_desk(settings)
app = Api()

# The contact id as every store keys it (shared/domain/models.py Identifier).
_ID = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$"
ContactId = Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
Requester = Annotated[str, Field(min_length=1, max_length=200)]


class ErasureRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    by: str = Field(min_length=1, max_length=200)  # who asked: recorded in the audit


@app.get("/v1/contacts/{contact_id}/export", summary="Everything stored about a contact (audited)")
def export(
    contact_id: ContactId,
    by: Requester,
    program: Annotated[str | None, Field(min_length=1, max_length=64, pattern=_ID)] = None,
) -> ContactExport:
    try:
        found = desk.export_contact(contact_id, by, datetime.now(UTC), program)
    except ContactNotFound as missing:
        raise not_found(f"nothing is stored about contact {missing}") from missing
    metrics.add_metric(name="ContactExported", unit=MetricUnit.Count, value=1)
    return found


@app.post("/v1/contacts/{contact_id}/erase", summary="Erase a contact's personal data (audited)")
def erase(contact_id: ContactId, request: ErasureRequest) -> ErasureResult:
    try:
        result = desk.erase_contact(contact_id, request.by, datetime.now(UTC))
    except ContactNotFound as missing:
        raise not_found(f"nothing is stored about contact {missing}") from missing
    metrics.add_metric(name="ContactErased", unit=MetricUnit.Count, value=1)
    return result


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)

"""The generic intake format: the canonical response as JSON, for any survey tool.

    POST /v1/responses
    {"response_id": "r-1001", "account_id": "acme", "contact_id": "c-42", "score": 6,
     "submitted_at": "2026-11-02T09:14:00+01:00", "comment": "Support is slow"}

Strict on purpose: the score must be a JSON integer 0-10, the timestamp must carry a time zone and
unknown fields are refused, so a sender's mistake shows up at once instead of as skewed NPS.
"""

from __future__ import annotations

from shared.domain.models import CanonicalResponse, ResponseFields

VENDOR = "generic"


class GenericResponse(ResponseFields):
    """The wire model: the response's own fields; the sender cannot claim to be another vendor."""


def to_canonical(payload: GenericResponse) -> CanonicalResponse:
    return CanonicalResponse(**dict(payload), vendor=VENDOR)

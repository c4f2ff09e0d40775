from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.domain.models import CanonicalResponse

GOOD = {
    "response_id": "r-1",
    "account_id": "acme",
    "contact_id": "c-1",
    "score": 6,
    "submitted_at": "2026-11-02T09:14:00+01:00",
}


def test_a_good_response_is_normalised_to_utc() -> None:
    response = CanonicalResponse.model_validate(GOOD)
    assert response.submitted_at == datetime(2026, 11, 2, 8, 14, tzinfo=UTC)
    assert response.key == "generic-r-1"
    assert response.kind == "relational" and response.program == "customer"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": 11}, "score"),
        ({"score": -1}, "score"),
        ({"score": "ten"}, "score"),
        ({"score": "7"}, "score"),
        ({"score": 7.5}, "score"),
        ({"score": None}, "score"),
        ({"account_id": None}, "account_id"),
        ({"account_id": "has#hash"}, "account_id"),
        ({"submitted_at": "2026-11-02T09:14:00"}, "submitted_at"),
        ({"kind": "weekly"}, "kind"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_fields_are_refused_by_name(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CanonicalResponse.model_validate(GOOD | change)
    assert field in {str(error["loc"][0]) for error in refused.value.errors()}


def test_a_missing_account_is_refused() -> None:
    body = dict(GOOD)
    del body["account_id"]
    with pytest.raises(ValidationError):
        CanonicalResponse.model_validate(body)

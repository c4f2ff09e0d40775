"""`npsops privacy export|erase` against a running `npsops serve`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import response_body
from tests.e2e.test_serve import cli, request, server, wait_for

pytestmark = pytest.mark.e2e
__all__ = ["server"]  # the running serve, this module's own

COMMENT = "Onboarding was a mess, ask me again next month"


def test_export_then_erase_a_contact_from_the_cli(server: tuple[str, Any]) -> None:
    url, _ = server
    body = response_body(
        response_id="priv-1",
        contact_id="c-priv",
        score=3,
        comment=COMMENT,
        contact_email="priv@example.com",
        submitted_at=datetime.now(UTC).isoformat(),
    )
    assert request(f"{url}/v1/responses", body)[0] == 202
    assert wait_for(url, "generic-priv-1")["status"] == "SUCCEEDED"

    exported = json.loads(cli("privacy", "export", "c-priv", "--by", "DPO Dana", "--url", url))
    assert [(r["response"]["comment"], r["response"]["score"]) for r in exported["responses"]] == [
        (COMMENT, 3)
    ]

    erased = cli("privacy", "erase", "c-priv", "--by", "DPO Dana", "--url", url)
    assert "c-priv: erased" in erased and "Responses    1 item(s)" in erased
    after = cli("privacy", "export", "c-priv", "--by", "DPO Dana", "--url", url)
    assert COMMENT not in after and "priv@example.com" not in after and '"score": 3' in after
    assert "nothing personal left" in cli("privacy", "erase", "c-priv", "--by", "DPO Dana", "--url", url)

"""`npsops report revenue|nps` and `npsops qbr` against a running `npsops serve`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import response_body
from tests.e2e.test_serve import cli, request, server, wait_for

pytestmark = pytest.mark.e2e
__all__ = ["server"]  # the running serve, this module's own

PASSIVE = "The platform works fine, but we've had ongoing integration issues that haven't been resolved."


@pytest.fixture(scope="module")
def answered(server: tuple[str, Any]) -> str:
    url, _ = server
    now = datetime.now(UTC).isoformat()
    for response_id, contact, score, comment in (
        ("ins-1", "c-1", 10, "Great product"),
        ("ins-2", "c-2", 7, PASSIVE),
        ("ins-3", "c-3", 2, "Support never answers"),
    ):
        # Submitted now: the reports' default quarter is the current one, whatever day the test runs.
        body = response_body(
            response_id=response_id, contact_id=contact, score=score, comment=comment, submitted_at=now
        )
        assert request(f"{url}/v1/responses", body)[0] == 202
    for response_id in ("ins-1", "ins-2", "ins-3"):
        assert wait_for(url, f"generic-{response_id}")["status"] == "SUCCEEDED"
    return url


def test_report_nps_from_the_cli(answered: str) -> None:
    shown = cli("report", "nps", "--url", answered)
    assert "PORTFOLIO AND SEGMENT NPS" in shown and "ARR-weighted" in shown
    assert "QUARTER OVER QUARTER" in shown


def test_report_revenue_from_the_cli(answered: str) -> None:
    shown = cli("report", "revenue", "--url", answered)
    assert "REVENUE BY ACCOUNT NPS BAND" in shown and "SAVE RATE OF RECOVERY CASES" in shown
    assert "NPS MOVEMENT BESIDE NRR" in shown


def test_qbr_from_the_cli_writes_the_page_and_its_chart(answered: str, tmp_path: Path) -> None:
    shown = cli("qbr", "acct-001", "--out", str(tmp_path), "--url", answered)
    assert "QBR pack for" in shown
    (page,) = tmp_path.glob("qbr-acct-001-*.html")
    assert page.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    html = page.read_text()
    assert "Agenda:" in html and "You said / we did / outcome" in html
    assert "integration issues that haven&#x27;t been resolved" in html

"""The main job, small: the demo runs end to end and its report says what it should."""

from __future__ import annotations

import io
from datetime import date

from local.demo import run_demo


def test_a_small_demo_runs_every_answer_through_and_reports() -> None:
    out = io.StringIO()
    result = run_demo(accounts=20, responses=150, seed=3, today=date(2026, 11, 23), out=out)
    assert result.response_statuses == {"processed": result.posted}
    assert result.statuses[202] == result.posted
    assert result.statuses[200] == 25 and result.statuses[422] == 4  # redeliveries and malformed ones
    text = out.getvalue()
    for section in (
        "PORTFOLIO NPS",
        "ACCOUNTS BY RISK",
        "CASES OPENED",
        "CRM RECEIVED",
        "ONE RESPONSE, FOLLOWED",
    ):
        assert section in text
    assert "2026-Q1" in text and "2026-Q4" in text
    assert f"ResponseScored {result.posted}" in text

"""The main job, small: the demo runs end to end and its report says what it should."""

from __future__ import annotations

import io
from datetime import date

from local.demo import run_demo


def test_a_small_demo_runs_every_answer_through_and_reports() -> None:
    out = io.StringIO()
    result = run_demo(accounts=20, responses=150, seed=3, today=date(2026, 11, 23), out=out)
    # 40 Delighted answers: 10 revised (each delivered out of order and again), 5 held until the
    # directory learned their contacts; every one processed in the end.
    # 40 Delighted answers, the last 5 from contacts the directory learns only afterwards; every
    # fourth is revised (half of those updates arrive before their creation) and redelivered.
    assert result.vendor_statuses == {
        "accepted": 35,
        "revised": 4,
        "stale": 5,
        "duplicate": 9,
        "quarantined": 7,
    }
    assert result.response_statuses == {"processed": result.posted + 40}
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
    # One per answer, and one more per revision taken after its answer.
    assert f"ResponseScored {result.posted + 40 + 4}" in text
    assert "5 quarantined answers released" in text

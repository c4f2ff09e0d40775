"""`npsops schedules`, `npsops surveys` and `npsops replay` against a running `npsops serve`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_serve import cli, server

pytestmark = pytest.mark.e2e
__all__ = ["server"]  # the running serve, this module's own

# The last day of the relational spread of 2026-Q4 (60 days from Oct 1): every contact is due by then.
PLAN_AT = "2026-11-29T06:00Z"


@pytest.fixture(scope="module")
def with_contacts(server: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    url, _ = server
    contacts = tmp_path_factory.mktemp("contacts") / "contacts.json"
    contacts.write_text(
        json.dumps(
            [
                {"contact_id": "sv-1", "account_id": "acct-001", "email": "sv1@example.com"},
                {"contact_id": "sv-2", "account_id": "acct-001", "email": "sv2@example.com"},
                {"contact_id": "sv-3", "account_id": "acct-002"},
            ]
        )
    )
    cli("contacts", str(contacts), "--url", url)
    return url


def test_the_schedules_are_listed_and_fired_as_scheduler_would(with_contacts: str) -> None:
    listed = cli("schedules", "list", "--url", with_contacts)
    assert "survey-planner" in listed and "cron(0 3 1 1,4,7,10 ? *)" in listed
    fired = cli("schedules", "run", "survey-planner", "--at", PLAN_AT, "--url", with_contacts)
    assert fired.startswith("survey-planner fired at 2026-11-29T06:00:00+00:00")
    plan = json.loads(fired.split("\n", 1)[1])
    assert plan["planned"] == 2 and plan["suppressed"] == {"no-email": 1}
    again = json.loads(
        cli("schedules", "run", "survey-planner", "--at", PLAN_AT, "--url", with_contacts).split("\n", 1)[1]
    )
    assert again["planned"] == 0 and again["already_decided"] == 3


def test_surveys_shows_what_was_planned_and_what_was_suppressed_and_why(with_contacts: str) -> None:
    cli("schedules", "run", "survey-planner", "--at", PLAN_AT, "--url", with_contacts)
    shown = cli("surveys", "--url", with_contacts)
    assert "SURVEY REQUESTS 3: planned 2, suppressed 1  suppressed by no-email 1" in shown
    assert "no-email: the contact directory has no email for this contact" in shown


def test_the_quarterly_refresh_and_a_replay(with_contacts: str, tmp_path: Path) -> None:
    refreshed = cli(
        "schedules", "run", "quarterly-refresh", "--at", "2026-10-01T03:00Z", "--url", with_contacts
    )
    output = json.loads(refreshed.split("\n", 1)[1])
    assert output["thresholds"]["Payload"]["version"] == "2026-Q3-refresh"
    thresholds = tmp_path / "set.json"
    thresholds.write_text(json.dumps({"version": "try-25", "nps_drop_points": 25}))
    shown = cli(
        "replay",
        "--from",
        "2026-07-01",
        "--until",
        "2026-09-30",
        "--thresholds",
        str(thresholds),
        "--url",
        with_contacts,
    )
    assert shown.startswith("REPLAY thresholds try-25 over 2026-Q3..2026-Q3, 20 accounts:")
    assert "(nothing written, nothing published)" in shown

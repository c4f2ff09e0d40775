"""The insight reports on the embedded AWS: the issue's passive through the real pipeline (negative,
integration, an at-risk passive), the revenue link and portfolio NPS against hand-worked figures,
the QBR pack's API, and the QBR page as headless Chromium shows it to a reader."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from local.aws import EmbeddedAws
from local.qbr import write_qbr
from shared.domain.accounts import Account, AccountTeam
from shared.services.reports import QbrPack
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from tests.conftest import response_body
from tests.integration.helpers import call, crm_messages, post, settings, settle

ISSUE_PASSIVE = (
    "The platform works fine, but we've had ongoing integration issues that haven't been resolved."
)
NAME = 'Globex <Industrial> & "Sons"'  # customer text: the page must escape it


def commercial(account: str, quarter: str, arr: float, segment: str, seats: int) -> dict[str, Any]:
    return {
        "account_id": account,
        "quarter": quarter,
        "kind": "commercial",
        "as_of": "2026-11-20T08:00:00Z",
        "values": {
            "arr": arr,
            "seats": seats,
            "segment": segment,
            "industry": "manufacturing",
            "region": "emea",
            "lifecycle_stage": "renewal",
            "csm": "Ada Lovelace",
            "cs_lead": "Grace Hopper",
            "executive_sponsor": "Alan Turing",
        },
    }


def outcome(account: str, quarter: str, **values: Any) -> dict[str, Any]:
    return {
        "account_id": account,
        "quarter": quarter,
        "kind": "outcome",
        "as_of": "2026-12-20T08:00:00Z",
        "values": values,
    }


def seed(aws: EmbeddedAws) -> None:
    """acct-001 (enterprise): Q3 three 10s (promoter account); Q4 10, 7 (the issue's passive), 3:
    NPS 0, a passive account; ARR 250,000 -> 240,000, renewed. acct-002 (smb): Q4 one 2, a detractor
    account; ARR 50,000, churned."""
    team = AccountTeam(csm="Ada Lovelace", cs_lead="Grace Hopper", executive_sponsor="Alan Turing")
    directory = AccountRepository(settings().accounts_table)
    for account_id, name, segment in (("acct-001", NAME, "enterprise"), ("acct-002", "Initech", "smb")):
        directory.put(
            Account(
                account_id=account_id, name=name, segment=segment, arr=1, industry="x", region="x",
                lifecycle_stage="x", team=team,
            )
        )  # fmt: skip
    status, _ = call(
        aws,
        "PUT",
        "/v1/signals",
        {
            "signals": [
                commercial("acct-001", "2026-Q3", 250000, "enterprise", 100),
                commercial("acct-001", "2026-Q4", 240000, "enterprise", 100),
                commercial("acct-002", "2026-Q3", 50000, "smb", 20),
                commercial("acct-002", "2026-Q4", 50000, "smb", 20),
                outcome("acct-001", "2026-Q4", renewed=True, references_given=1),
                outcome("acct-002", "2026-Q4", churned=True),
            ]
        },
    )
    assert status == 200
    for i in range(3):
        post(aws, response_body(response_id=f"q3-{i}", contact_id=f"c-{i}", score=10,
                                submitted_at="2026-08-10T10:00:00Z", comment=None))  # fmt: skip
    settle()
    post(aws, response_body(response_id="q4-0", contact_id="c-0", score=10, comment="Great team, love it"))
    post(aws, response_body(response_id="q4-1", contact_id="c-1", score=7, comment=ISSUE_PASSIVE))
    post(aws, response_body(response_id="q4-2", contact_id="c-2", score=3))
    post(aws, response_body(response_id="q4-9", account_id="acct-002", contact_id="c-9", score=2))
    settle()


@pytest.fixture
def seeded(aws: EmbeddedAws) -> EmbeddedAws:
    seed(aws)
    return aws


def test_the_issue_passive_through_the_pipeline_is_an_at_risk_passive(seeded: EmbeddedAws) -> None:
    cases = {c.rule: c for c in CaseRepository(settings().cases_table).for_account("acct-001")}
    passive = cases["at-risk-passive"]
    assert passive.contact_id == "c-1"
    assert passive.evidence["sentiment"] == "negative" and passive.evidence["themes"] == ["integration"]
    assert passive.evidence.get("usage_change_pct") is None  # no usage signal: the comment alone did it
    scored = [
        m["detail"]["data"]
        for m in crm_messages(seeded)
        if m["detail-type"] == "ResponseScored" and m["detail"]["correlation_id"] == "generic-q4-1"
    ]
    assert [(d["sentiment"], d["themes"]) for d in scored] == [("negative", ["integration"])]
    assert scored[0]["sentiment_score"] < -0.05


def test_revenue_report_by_band(seeded: EmbeddedAws) -> None:
    status, report = call(seeded, "GET", "/v1/reports/revenue?quarter=2026-Q4&quarters=2")
    assert status == 200 and report["quarters"] == ["2026-Q3", "2026-Q4"]
    rows = {(r["quarter"], r["segment"], r["band"]): r for r in report["by_band"]}
    passive = rows[("2026-Q4", "all", "passive")]
    # acct-001: start 250,000 (Q3 commercial), end 240,000: contraction 10,000 -> GRR = NRR = 0.96
    assert (passive["accounts"], passive["renewal_rate"], passive["churn_rate"]) == (1, 1, 0)
    assert (passive["grr"], passive["nrr"], passive["reference_yield"]) == (0.96, 0.96, 1)
    detractor = rows[("2026-Q4", "smb", "detractor")]
    assert (detractor["churn_rate"], detractor["grr"], detractor["churned_arr"]) == (1, 0, 50000)
    promoter_q3 = rows[("2026-Q3", "enterprise", "promoter")]
    assert (promoter_q3["with_outcome"], promoter_q3["renewal_rate"], promoter_q3["grr"]) == (0, None, 1)
    moves = {(m["quarter"], m["segment"]): m for m in report["nps_beside_nrr"]}
    # enterprise NPS +100 (Q3) -> 0 (Q4): -100 points, beside NRR 0.96
    assert (moves[("2026-Q4", "enterprise")]["nps_change"], moves[("2026-Q4", "enterprise")]["nrr"]) == (
        -100,
        0.96,
    )
    [everything] = [r for r in report["save_rates"] if r["segment"] == "all"]  # the closed loop's metrics
    assert (everything["detractor_cases"], everything["followed_up"], everything["save_rate"]) == (2, 0, None)


def test_nps_report_weighted_with_significance(seeded: EmbeddedAws) -> None:
    status, report = call(seeded, "GET", "/v1/reports/nps?quarter=2026-Q4&quarters=2")
    assert status == 200
    groups = {(g["quarter"], g["group"]): g for g in report["groups"]}
    portfolio = groups[("2026-Q4", "all")]
    # 1P 1Pa 2D of 4 -> -25; ARR: acct-001 (NPS 0) 240,000, acct-002 (-100) 50,000 -> -17.24
    assert portfolio["unweighted"]["nps"] == -25 and portfolio["unweighted"]["n"] == 4
    assert portfolio["arr_weighted"]["nps"] == round(-100 * 50000 / 290000, 2)
    assert portfolio["seat_weighted"]["nps"] == round(-100 * 20 / 120, 2)
    assert [(d["first"], d["second"]) for d in report["between_groups"]] == [("enterprise", "smb")]
    over = {d["first"]: d for d in report["quarter_over_quarter"]}
    assert set(over) == {"all 2026-Q4", "enterprise 2026-Q4"}


def test_bad_report_requests_are_refused(seeded: EmbeddedAws) -> None:
    assert call(seeded, "GET", "/v1/reports/nps?quarter=2026-Q5")[0] == 422
    assert call(seeded, "GET", "/v1/reports/revenue?quarters=0")[0] == 422
    assert call(seeded, "GET", "/v1/reports/nps?by=colour")[0] == 422
    assert call(seeded, "GET", "/v1/accounts/acct-404/qbr")[0] == 404


def _qbr(aws: EmbeddedAws) -> QbrPack:
    status, body = call(aws, "GET", "/v1/accounts/acct-001/qbr?quarter=2026-Q4")
    assert status == 200
    return QbrPack.model_validate(body)


def test_qbr_pack_api(seeded: EmbeddedAws) -> None:
    pack = _qbr(seeded)
    assert [q.quarter for q in pack.quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [q.nps.nps for q in pack.quarters] == [None, None, 100, 0]
    assert pack.quarters[-1].segment_benchmark.nps == 0  # acct-001 is its segment's only voter
    assert pack.band == "passive" and pack.agenda.heading == "Optimization"
    assert {c.rule for c in pack.open_cases} >= {"detractor-recovery", "at-risk-passive"}
    said = {r.you_said for r in pack.you_said_we_did}
    assert f"{ISSUE_PASSIVE} (scored 7)" in said


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_qbr_page_as_a_reader_sees_it_in_headless_chromium(seeded: EmbeddedAws, tmp_path: Path) -> None:
    page = write_qbr(_qbr(seeded), tmp_path)
    chart = page.with_suffix(".png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert CHROMIUM is not None
    shown = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    text = unescape(re.sub(r"<[^>]+>", " ", shown.split("<body>", 1)[1]))
    words = " ".join(text.split())
    assert NAME in words  # escaped in the file, the name itself on screen
    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        assert quarter in words
    assert "Agenda: Optimization (7-8)" in words
    assert "Open cases (" in words and "You said / we did / outcome" in words
    assert ISSUE_PASSIVE in words
    # The chart is an image the browser loaded from beside the page.
    assert re.search(r'<img src="qbr-acct-001-2026-Q4.png"', shown)
    screenshot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={screenshot}",
         "--window-size=1200,1600", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

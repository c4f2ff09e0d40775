"""Signals on the embedded AWS: a combined rule fires whichever of its inputs comes second, late and
corrected data replace earlier values, bad batches write nothing, and the ranked account list."""

from __future__ import annotations

from typing import Any

import pytest

from local.aws import EmbeddedAws
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository
from tests.conftest import response_body
from tests.integration.helpers import call, item_count, post, settings, settle


def usage(
    quarter: str, active: int, as_of: str = "2026-11-20T08:00:00Z", account: str = "acct-001"
) -> dict[str, Any]:
    return {
        "account_id": account,
        "quarter": quarter,
        "kind": "usage",
        "as_of": as_of,
        "values": {"active_users": active, "seats": 100},
    }


def support(quarter: str, tickets: int, account: str = "acct-001") -> dict[str, Any]:
    return {
        "account_id": account,
        "quarter": quarter,
        "kind": "support",
        "as_of": "2026-11-20T08:00:00Z",
        "values": {"tickets": tickets, "escalations": 0},
    }


def answers(aws: EmbeddedAws) -> None:
    """Q3 all promoters, Q4 mostly detractors: account NPS +100 → -60."""
    for i in range(5):
        body = response_body(
            response_id=f"q3-{i}", contact_id=f"c-{i}", score=10, submitted_at="2026-08-10T10:00:00Z"
        )
        post(aws, body)
    settle()
    for i in range(5):
        # One at a time: which answer completes a rule is then the order they were sent in.
        post(aws, response_body(response_id=f"q4-{i}", contact_id=f"c-{i}", score=3 if i < 4 else 9))
        settle()


def put_signals(aws: EmbeddedAws, signals: list[dict[str, Any]]) -> tuple[int, Any]:
    return call(aws, "PUT", "/v1/signals", {"signals": signals})


def rules(account: str = "acct-001") -> list[str]:
    return sorted(c.rule for c in CaseRepository(settings().cases_table).for_account(account))


@pytest.mark.parametrize(
    "signals_first", [True, False], ids=["signals-then-responses", "responses-then-signals"]
)
def test_churn_risk_and_support_escalation_fire_once_whichever_input_comes_second(
    aws: EmbeddedAws, signals_first: bool
) -> None:
    signals = [usage("2026-Q3", 80), usage("2026-Q4", 50), support("2026-Q3", 10), support("2026-Q4", 20)]
    if signals_first:
        assert put_signals(aws, signals)[0] == 200
        answers(aws)
    else:
        answers(aws)
        status, taken = put_signals(aws, signals)
        assert status == 200 and taken["stored"] == 4
        assert {case.split("#")[0] for case in taken["opened"]} == {"churn-risk", "support-escalation"}
    fired = rules()
    assert fired.count("churn-risk") == 1 and fired.count("support-escalation") == 1
    assert fired.count("nps-drop-review") == 1 and fired.count("detractor-recovery") == 4
    churn = next(
        c for c in CaseRepository(settings().cases_table).for_account("acct-001") if c.rule == "churn-risk"
    )
    # It fires as soon as both inputs are there: with signals first, at the third Q4 answer.
    assert churn.evidence["exceeds_noise"] is True and churn.evidence["n"] == (3 if signals_first else 5)
    # The same signals again change nothing and open nothing.
    assert put_signals(aws, signals)[1]["opened"] == []


def test_the_earlier_quarters_signal_arriving_last_completes_the_later_quarters_rule(
    aws: EmbeddedAws,
) -> None:
    answers(aws)
    assert put_signals(aws, [usage("2026-Q4", 50)])[1]["opened"] == []
    taken = put_signals(aws, [usage("2026-Q3", 80)])[1]  # Q3's usage is what Q4 is compared with
    assert [case.split("#")[0] for case in taken["opened"]] == ["churn-risk"]


def test_a_usage_drop_of_exactly_20_percent_does_not_fire(aws: EmbeddedAws) -> None:
    answers(aws)
    put_signals(aws, [usage("2026-Q3", 80), usage("2026-Q4", 64)])  # -20%
    assert "churn-risk" not in rules()
    put_signals(aws, [usage("2026-Q4", 63, as_of="2026-11-21T08:00:00Z")])  # corrected: -21.25%
    assert "churn-risk" in rules()


def test_late_and_corrected_signals_keep_the_newest(aws: EmbeddedAws) -> None:
    def stored_active_users() -> int | None:
        known = SignalRepository(settings().signals_table).for_quarter("acct-001", "2026-Q4").usage
        return known.active_users if known else None

    put_signals(aws, [usage("2026-Q4", 70, as_of="2026-11-20T08:00:00Z")])
    status, taken = put_signals(aws, [usage("2026-Q4", 10, as_of="2026-11-01T08:00:00Z")])  # late, older
    assert status == 200 and (taken["stored"], taken["stale"]) == (0, 1) and stored_active_users() == 70
    taken = put_signals(aws, [usage("2026-Q4", 75, as_of="2026-11-22T08:00:00Z")])[1]  # a correction
    assert taken["stored"] == 1 and stored_active_users() == 75
    assert (
        put_signals(aws, [usage("2026-Q4", 75, as_of="2026-11-22T08:00:00Z")])[1]["stored"] == 1
    )  # replayed
    assert stored_active_users() == 75 and item_count(settings().signals_table) == 1


@pytest.mark.parametrize(
    ("case", "bad"),
    [
        ("negative tickets", support("2026-Q4", -1)),
        ("kind and values disagree", usage("2026-Q4", 5) | {"kind": "support"}),
        ("not a quarter", usage("2026-Q5", 5)),
        ("naive as_of", usage("2026-Q4", 5, as_of="2026-11-20T08:00:00")),
    ],
)
def test_a_bad_signal_refuses_the_whole_batch_and_writes_nothing(
    aws: EmbeddedAws, case: str, bad: dict[str, Any]
) -> None:
    status, body = put_signals(aws, [usage("2026-Q4", 50), bad])
    assert status == 422, case
    assert body["problems"] and all(p["field"].startswith("signals.1") for p in body["problems"])
    assert item_count(settings().signals_table) == 0


def test_the_account_list_ranks_by_risk_with_health_nps_trend_and_owners(aws: EmbeddedAws) -> None:
    commercial = {
        "account_id": "acct-001",
        "quarter": "2026-Q4",
        "kind": "commercial",
        "as_of": "2026-11-20T08:00:00Z",
        "values": {
            "arr": 250000,
            "seats": 100,
            "renewal_date": "2027-02-01",
            "segment": "enterprise",
            "industry": "fintech",
            "region": "emea",
            "lifecycle_stage": "renewal",
            "product_lines": ["core"],
            "csm": "Ada Lovelace",
            "cs_lead": "Grace Hopper",
            "executive_sponsor": "Alan Turing",
        },
    }
    put_signals(aws, [commercial, usage("2026-Q3", 80), usage("2026-Q4", 50)])
    answers(aws)
    status, ranked = call(aws, "GET", "/v1/accounts?quarter=2026-Q4")
    assert status == 200 and ranked[0]["account"]["account_id"] == "acct-001"
    top = ranked[0]
    assert top["account"]["team"]["csm"] == "Ada Lovelace"  # learned from the commercial facts
    assert [q["quarter"] for q in top["nps_by_quarter"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert (
        top["nps_by_quarter"][-1]["nps"]["n"] == 5 and top["nps_by_quarter"][-1]["nps"]["margin_of_error"] > 0
    )
    assert "churn-risk" in top["rules_fired"] and top["health"]["score"] is not None
    assert {"support", "engagement"} <= set(top["health"]["missing"])
    assert {c["owner"] for c in top["open_cases"]} >= {"Ada Lovelace"}


def test_a_theme_from_three_accounts_is_routed_once_with_quotes(aws: EmbeddedAws) -> None:
    comment = "Ongoing integration issues with our CRM sync"
    for n, account in enumerate(["acct-001", "acct-002", "acct-002", "acct-003", "acct-004"]):
        post(
            aws,
            response_body(
                response_id=f"t-{n}", account_id=account, contact_id=f"c-{n}", score=5, comment=comment
            ),
        )
        settle()
        routed = [c for c in CaseRepository(settings().cases_table).all() if c.rule == "theme-routing"]
        assert len(routed) == (1 if n >= 3 else 0), n  # the third distinct account routes it, once
    evidence = routed[0].evidence
    assert evidence["theme"] == "integration" and len(evidence["quotes"]) >= 1
    assert sorted(a["account_id"] for a in evidence["accounts"]) == ["acct-001", "acct-002", "acct-003"]
    assert routed[0].owner == "product team"


def test_a_retried_theme_mention_still_sees_the_accounts(aws: EmbeddedAws) -> None:
    rollups = RollupRepository(settings().rollups_table)
    first = rollups.record_theme_mention("2026-Q4", "pricing", "acct-001", 1000.0, "too pricey", "generic-a")
    assert first == ({"acct-001": 1000.0}, ["too pricey"])
    # The same response again (a retried step) is still news; another response of the account is not.
    assert (
        rollups.record_theme_mention("2026-Q4", "pricing", "acct-001", 1000.0, "too pricey", "generic-a")
        == first
    )
    assert (
        rollups.record_theme_mention("2026-Q4", "pricing", "acct-001", 1000.0, "still", "generic-b") is None
    )

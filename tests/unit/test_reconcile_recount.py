"""The reconciliation's recount, pure: which stored responses count, and the counters they make."""

from __future__ import annotations

from typing import Any

from shared.domain.models import SurveyKind
from shared.domain.nps import BandCounts
from shared.domain.rollup import RollupKey, counts_of
from shared.services.reconcile import settled_votes

Q4 = RollupKey(account_id="acme", quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)


def stored(response_id: str, contact: str, score: int, at: str, status: str = "processed") -> dict[str, Any]:
    response = {
        "response_id": response_id,
        "account_id": "acme",
        "contact_id": contact,
        "score": score,
        "submitted_at": at,
        "vendor": "generic",
    }
    return {"pk": f"generic-{response_id}", "status": status, "response": response}


def test_each_contacts_latest_settled_answer_is_one_vote() -> None:
    votes, unsettled, counted = settled_votes(
        [
            stored("r-1", "c-1", 10, "2026-10-02T09:00:00Z"),
            stored("r-2", "c-1", 3, "2026-11-02T09:00:00Z"),  # c-1's latest: a detractor
            stored("r-3", "c-2", 8, "2026-11-03T09:00:00Z", status="imported"),
            stored("r-4", "c-3", 9, "2026-12-01T09:00:00Z"),
        ]
    )
    assert unsettled == set() and counted == 4
    assert counts_of(votes[Q4]) == BandCounts(promoters=1, passives=1, detractors=1)


def test_responses_in_flight_mark_their_roll_up_unsettled_and_others_are_not_votes() -> None:
    votes, unsettled, counted = settled_votes(
        [
            stored("r-1", "c-1", 10, "2026-10-02T09:00:00Z", status="received"),
            stored("r-2", "c-2", 2, "2026-11-02T09:00:00Z", status="failed"),
            stored("r-3", "c-3", 9, "2026-11-02T09:00:00Z", status="erased"),
            {"pk": "generic-r-4", "status": "processed"},  # no response body: nothing to count
        ]
    )
    assert unsettled == {Q4} and counted == 0 and votes == {}


def test_no_votes_make_zero_counters() -> None:
    assert counts_of([]) == BandCounts(promoters=0, passives=0, detractors=0)

"""Exact counters: one vote per contact, concurrent deliveries, and the quarter-over-quarter trigger."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from local.aws import EmbeddedAws
from local.crm_sink import CrmSink
from local.gateway import LocalGateway
from shared.domain.models import Band, SurveyKind
from shared.domain.rollup import RollupKey, Vote
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import item_count, post, settings, settle

Q4 = RollupKey(account_id="acct-001", quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)


def counts(key: RollupKey = Q4) -> tuple[int, int, int]:
    found = RollupRepository(settings().rollups_table).counts(key)
    return found.promoters, found.passives, found.detractors


def test_fifty_responses_for_one_account_posted_concurrently_give_exact_counters(aws: EmbeddedAws) -> None:
    gateway = LocalGateway(aws, CrmSink(aws.crm_queue_url), port=0)
    gateway.start()
    bodies = [response_body(response_id=f"r-{i}", contact_id=f"c-{i}", score=i % 11) for i in range(50)]

    def deliver(body: dict[str, object]) -> int:
        request = urllib.request.Request(
            f"{gateway.url}/v1/responses",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            return int(reply.status)

    try:
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(deliver, bodies))
        settle(timeout=120)
    finally:
        gateway.stop()
    assert statuses == [202] * 50
    expected = (
        sum(1 for b in bodies if int(b["score"]) >= 9),
        sum(1 for b in bodies if 7 <= int(b["score"]) <= 8),
        sum(1 for b in bodies if int(b["score"]) <= 6),
    )
    assert counts() == expected
    assert sum(expected) == 50
    assert item_count(settings().responses_table) == 50


def test_a_contacts_latest_answer_is_their_one_vote_whatever_the_arrival_order(aws: EmbeddedAws) -> None:
    repository = RollupRepository(settings().rollups_table)
    t0 = datetime(2026, 11, 2, tzinfo=UTC)

    def vote(response_id: str, band: Band, days: int) -> Vote:
        at = t0 + timedelta(days)
        return Vote(
            contact_id="c-1", response_id=response_id, band=band, score=5, submitted_at=at, revised_at=at
        )

    repository.record_vote(Q4, vote("r-late", Band.PROMOTER, days=5))
    repository.record_vote(Q4, vote("r-early", Band.DETRACTOR, days=1))  # arrives after, but is older
    repository.record_vote(Q4, vote("r-late", Band.PROMOTER, days=5))  # redelivered
    assert counts() == (1, 0, 0)
    change, after = repository.record_vote(Q4, vote("r-latest", Band.PASSIVE, days=9))
    assert (change.remove, change.add) == (Band.PROMOTER, Band.PASSIVE)
    assert (after.promoters, after.passives, after.detractors) == (0, 1, 0) == counts()


def test_a_quarter_over_quarter_drop_opens_one_review_case(aws: EmbeddedAws) -> None:
    for i in range(5):  # Q3: all promoters
        post(
            aws,
            response_body(
                response_id=f"q3-{i}", contact_id=f"c-{i}", score=10, submitted_at="2026-08-10T10:00:00+00:00"
            ),
        )
    settle()
    for i in range(5):  # Q4: mostly detractors
        post(aws, response_body(response_id=f"q4-{i}", contact_id=f"c-{i}", score=3 if i < 4 else 9))
    settle()
    cases = CaseRepository(settings().cases_table).for_account("acct-001")
    reviews = [c for c in cases if c.rule == "nps-drop-review"]
    assert len(reviews) == 1  # fires once per account, quarter and rule, however many answers follow
    evidence = reviews[0].evidence
    assert evidence["previous_nps"] == 100 and evidence["previous_n"] == 5
    assert evidence["n"] >= 3 and evidence["drop_points"] > 10
    assert evidence["exceeds_noise"] is True
    assert len([c for c in cases if c.rule == "detractor-recovery"]) == 4

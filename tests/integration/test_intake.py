"""The intake function on the embedded AWS: validation, idempotency and the pipeline start."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.aws import EmbeddedAws
from shared.domain.models import SurveyKind
from shared.domain.rollup import RollupKey
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import executions, item_count, post, settings, settle


def test_a_good_response_is_stored_once_and_runs_through_the_pipeline(aws: EmbeddedAws) -> None:
    status, body = post(aws, response_body())
    assert (status, body) == (202, {"status": "accepted", "response_key": "generic-r-1", "reason": None})
    settle()
    stored = ResponseRepository(settings().responses_table).get("generic-r-1")
    assert stored is not None and stored["status"] == "processed" and stored["band"] == "detractor"
    assert [e["name"] for e in executions(aws)] == ["generic-r-1"]


def test_the_same_delivery_five_times_is_counted_once(aws: EmbeddedAws) -> None:
    replies = [post(aws, response_body(score=9)) for _ in range(5)]
    assert [status for status, _ in replies] == [202, 200, 200, 200, 200]
    assert {body["status"] for _, body in replies[1:]} == {"duplicate"}
    settle()
    key = RollupKey(account_id="acct-001", quarter="2026-Q4", program="customer", kind=SurveyKind.RELATIONAL)
    counts = RollupRepository(settings().rollups_table).counts(key)
    assert (counts.promoters, counts.passives, counts.detractors) == (1, 0, 0)
    assert len(executions(aws)) == 1
    assert item_count(settings().responses_table) == 1


BAD_BODIES: list[tuple[str, Any, int, str]] = [
    ("score 11", response_body(response_id="bad-1", score=11), 422, "score"),
    ("score -1", response_body(response_id="bad-2", score=-1), 422, "score"),
    ("score 'ten'", response_body(response_id="bad-3", score="ten"), 422, "score"),
    ("score 7.5", response_body(response_id="bad-4", score=7.5), 422, "score"),
    ("score null", response_body(response_id="bad-5", score=None), 422, "score"),
    (
        "no account",
        {k: v for k, v in response_body(response_id="bad-6").items() if k != "account_id"},
        422,
        "account_id",
    ),
    ("unknown field", response_body(response_id="bad-7", nps_weight=2), 422, "nps_weight"),
    (
        "naive timestamp",
        response_body(response_id="bad-8", submitted_at="2026-11-02T09:14:00"),
        422,
        "submitted_at",
    ),
    ("claims a vendor", response_body(response_id="bad-10", vendor="typeform"), 422, "vendor"),
    ("not JSON", b"score=7&account=acme", 400, "body"),
    ("1 MB body", json.dumps(response_body(response_id="bad-9", comment="x" * 1_048_576)).encode(), 413, ""),
]


@pytest.mark.parametrize(("label", "body", "status", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_gets_a_clear_4xx_and_writes_nothing(
    aws: EmbeddedAws, label: str, body: Any, status: int, field: str
) -> None:
    code, reply = post(aws, body)
    assert code == status, reply
    if field:
        assert field in {problem["field"] for problem in reply["problems"]}, reply
    else:
        assert "larger than" in reply["error"]
    assert item_count(settings().responses_table) == 0
    assert executions(aws) == []


def test_good_responses_sent_alongside_bad_ones_all_land(aws: EmbeddedAws) -> None:
    good = [response_body(response_id=f"good-{i}", contact_id=f"c-{i}", score=i) for i in range(11)]
    mixed: list[Any] = []
    for index, body in enumerate(good):
        mixed += [body, BAD_BODIES[index % len(BAD_BODIES)][1]]
    statuses = [post(aws, body)[0] for body in mixed]
    assert statuses[0::2] == [202] * len(good)
    assert all(400 <= status < 500 for status in statuses[1::2])
    settle()
    assert item_count(settings().responses_table) == len(good)
    assert sorted(e["name"] for e in executions(aws)) == sorted(f"generic-good-{i}" for i in range(11))


def test_concurrent_deliveries_each_get_their_own_answer(aws: EmbeddedAws) -> None:
    """Locally every thread shares one handler module, as one Lambda environment would be shared;
    Powertools keeps the current request on the resolver, so each must still see only its own."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    bodies: list[Any] = []
    for n in range(40):
        bodies.append(response_body(response_id=f"c-{n}", score=n % 11))
        bodies.append(response_body(response_id=f"c-{n}", score=n % 11))  # the redelivery
        bodies.append(response_body(response_id=f"bad-{n}", score=11))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet the race if there is one
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = [status for status, _ in pool.map(lambda body: post(aws, body), bodies)]
    finally:
        sys.setswitchinterval(interval)
    settle()
    assert statuses.count(202) == 40 and statuses.count(200) == 40 and statuses.count(422) == 40
    assert all(status == 422 for status in statuses[2::3])
    assert item_count(settings().responses_table) == 40

"""Soak: many answers over HTTP through the real pipeline, with 10% redelivered and 5% of contacts'
later answers arriving before their earlier ones. Every account·quarter counter must equal the count
recomputed independently from what was sent, and the reconciliation must find no drift.

The default size keeps the suite quick; `make soak` runs 10,000 (NPSOPS_SOAK_RESPONSES)."""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from local.aws import EmbeddedAws
from local.crm_sink import CrmSink
from local.demo import HttpPoster, deliver_all
from local.gateway import LocalGateway
from shared.domain.models import SurveyKind
from shared.domain.quarters import quarter_of
from shared.domain.rollup import RollupKey
from shared.domain.scoring import band_for
from shared.services.reconcile import reconcile
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.integration.helpers import settings

RESPONSES = int(os.environ.get("NPSOPS_SOAK_RESPONSES", "400"))
DUPLICATE_SHARE, OUT_OF_ORDER_SHARE = 0.10, 0.05
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def workload(total: int, seed: int = 9) -> tuple[list[dict[str, Any]], int, int]:
    """(payloads in delivery order, unique answers, redeliveries)."""
    rng = random.Random(seed)
    accounts = max(10, total // 25)
    redeliveries = int(total * DUPLICATE_SHARE)
    unique = total - redeliveries
    late_pairs = int(total * OUT_OF_ORDER_SHARE)
    answers: list[dict[str, Any]] = []
    for i in range(unique - late_pairs):
        account = rng.randrange(accounts)
        answers.append(
            {
                "response_id": f"s-{i}",
                "account_id": f"acct-{account:03d}",
                "contact_id": f"c-{account:03d}-{rng.randrange(5)}",
                "score": rng.randrange(11),
                "submitted_at": (START + timedelta(minutes=rng.randrange(340 * 24 * 60))).isoformat(),
            }
        )
    order = answers[:]
    rng.shuffle(order)
    # A contact's later answer in the same quarter, delivered before the one it supersedes.
    for j, earlier in enumerate(rng.sample(answers, late_pairs)):
        submitted = datetime.fromisoformat(earlier["submitted_at"])
        later_time = min(submitted + timedelta(hours=1), _quarter_end(submitted))
        later = earlier | {
            "response_id": f"late-{j}",
            "score": (int(earlier["score"]) + 5) % 11,
            "submitted_at": later_time.isoformat(),
        }
        order.insert(order.index(earlier), later)
    for duplicate in rng.sample(order, redeliveries):
        order.insert(rng.randrange(order.index(duplicate) + 1, len(order) + 1), duplicate)
    return order, unique, redeliveries


def _quarter_end(at: datetime) -> datetime:
    first_month = 3 * ((at.month - 1) // 3) + 1
    start = at.replace(month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0)
    following = start.replace(year=start.year + (first_month == 10), month=(first_month + 2) % 12 + 1)
    return following - timedelta(seconds=1)


def expected_counts(payloads: list[dict[str, Any]]) -> dict[RollupKey, Counter[str]]:
    """One vote per contact and quarter: their latest answer (by time, then id), counted by band."""
    latest: dict[tuple[RollupKey, str], dict[str, Any]] = {}
    for payload in {p["response_id"]: p for p in payloads}.values():
        submitted = datetime.fromisoformat(payload["submitted_at"])
        key = RollupKey(
            account_id=payload["account_id"],
            quarter=quarter_of(submitted),
            program="customer",
            kind=SurveyKind.RELATIONAL,
        )
        held = latest.get((key, payload["contact_id"]))
        ranked = (submitted, "generic-" + payload["response_id"])
        if held is None or ranked > (
            datetime.fromisoformat(held["submitted_at"]),
            "generic-" + held["response_id"],
        ):
            latest[(key, payload["contact_id"])] = payload
    counts: dict[RollupKey, Counter[str]] = defaultdict(Counter)
    for (key, _), payload in latest.items():
        counts[key][band_for(int(payload["score"])).value] += 1
    return counts


def test_soak_counters_equal_a_recount_of_the_stored_responses(aws: EmbeddedAws) -> None:
    payloads, unique, redeliveries = workload(RESPONSES)
    assert len(payloads) == RESPONSES
    # The CRM outbox drained as it fills, as on AWS (moto's SQS costs grow with a queue's depth).
    sink = CrmSink(aws.crm_queue_url)
    sink.start()
    gateway = LocalGateway(aws, sink, port=0)
    gateway.start()
    try:
        statuses = deliver_all(HttpPoster(gateway.url), payloads)
    finally:
        gateway.stop()
        sink.stop()
    assert statuses == Counter({202: unique, 200: redeliveries})

    responses = ResponseRepository(settings().responses_table)
    assert responses.count_by_status() == Counter({"processed": unique})
    rollups = RollupRepository(settings().rollups_table)
    expected = expected_counts(payloads)
    for key, bands in expected.items():
        found = rollups.counts(key)
        assert (found.promoters, found.passives, found.detractors) == (
            bands["promoter"],
            bands["passive"],
            bands["detractor"],
        ), key
    report = reconcile(responses, rollups)
    assert report.in_step and report.unsettled == []
    assert report.responses_counted == unique and report.roll_ups_checked == len(expected)

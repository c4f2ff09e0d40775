"""Reconciliation: recompute every account·quarter roll-up from the stored responses, report where the
counters drifted from them, and (asked to) repair them.

The counters are moved by atomic ADDs as responses go through the pipeline, each at most once; the
stored responses are the record those moves were made from. A roll-up is recomputed from its
responses the way the pipeline counts them (each contact's latest answer in the quarter, one vote).
Only settled responses count: processed ones and imported history. A roll-up with a response still
on its way (received, or failed and waiting for a redrive) is reported as unsettled and left alone,
since its counters may rightly be ahead of or behind its settled responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.models import CanonicalResponse
from shared.domain.nps import BandCounts
from shared.domain.rollup import RollupKey, Vote, counts_of, rollup_key_of, vote_of
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository

SETTLED = frozenset({"processed", "imported"})
IN_FLIGHT = frozenset({"received", "failed"})


class Drift(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    quarter: str
    program: str
    kind: str
    stored: BandCounts
    expected: BandCounts
    repaired: bool = False


class ReconcileReport(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    roll_ups_checked: int
    responses_counted: int
    drifted: list[Drift]
    unsettled: list[str]  # "account·quarter·program·kind" with responses still in flight

    @property
    def in_step(self) -> bool:
        return not self.drifted


def settled_votes(
    stored: Iterable[dict[str, Any]],
) -> tuple[dict[RollupKey, list[Vote]], set[RollupKey], int]:
    """Votes by roll-up from the settled responses, the roll-ups with a response in flight, the count."""
    votes: dict[RollupKey, list[Vote]] = defaultdict(list)
    unsettled: set[RollupKey] = set()
    counted = 0
    for item in stored:
        status = str(item.get("status", ""))
        if status not in SETTLED | IN_FLIGHT or "response" not in item:
            continue  # erased, parked or quarantined: not a vote
        response = CanonicalResponse.model_validate(item["response"])
        key = rollup_key_of(response)
        if status in IN_FLIGHT:
            unsettled.add(key)
            continue
        votes[key].append(vote_of(response))
        counted += 1
    return votes, unsettled, counted


def reconcile(
    responses: ResponseRepository, rollups: RollupRepository, repair: bool = False
) -> ReconcileReport:
    votes, unsettled, counted = settled_votes(responses.all())
    stored = rollups.all_counts()
    drifted = []
    for key in sorted(set(votes) | set(stored), key=lambda k: (k.account_id, k.quarter, k.program, k.kind)):
        if key in unsettled:
            continue
        expected = counts_of(votes.get(key, []))
        found = stored.get(key, BandCounts(promoters=0, passives=0, detractors=0))
        if found == expected:
            continue
        repaired = repair and rollups.replace_votes(key, votes.get(key, []), seen=found)
        drifted.append(
            Drift(
                account_id=key.account_id,
                quarter=key.quarter,
                program=key.program,
                kind=key.kind.value,
                stored=found,
                expected=expected,
                repaired=repaired,
            )
        )
    return ReconcileReport(
        roll_ups_checked=len(set(votes) | set(stored)),
        responses_counted=counted,
        drifted=drifted,
        unsettled=sorted(f"{k.account_id}·{k.quarter}·{k.program}·{k.kind.value}" for k in unsettled),
    )

"""The demo's closed-loop phase: the next quarter of renewals run in seconds on the simulated clock.

Day by day, as EventBridge Scheduler would: the renewal scanner starts an escalation for every
account entering its 90-day window, the SLA sweep climbs the ladder for cases nobody contacted.
CSMs work some of the detractor cases (contact, resolve); contacts answer the pre-renewal survey
(some never do) and the follow-up surveys of resolved cases. Checkpoint 3 calls in the executive
sponsor where a renewal is still at risk.

The clock stands still within a day and moves a day at a time: each move wakes what waited for
that day (answer windows running out, checkpoint 3), and each step waits until the work it
started is done. So a day takes only its work, and how the story goes no longer depends on what
else the machine is doing (a clock running at a fixed real speed let a slow day overrun the answer
windows of the next). Counts can still differ by one or two between runs: an answer that reaches
its escalation just as the day moves is taken that day or the next.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any
from urllib.parse import quote

from local import moto_patches
from local.aws import EmbeddedAws
from local.clock import CLOCK
from local.vendor_demo import Poster
from shared.domain.accounts import Account

DAYS = 75  # a renewal entering its window on day 0 reaches checkpoint 3 on day 60
SETTLE_SECONDS = 120  # the longest a day's work may take to finish
ANSWER_RATE = 0.75  # contacts who answer the pre-renewal survey
WORKED_CASES = 40  # detractor cases a CSM contacts in time; half of them are resolved
RENEWAL_CASES = (
    "renewal-recovery-plan",
    "renewal-expansion",
    "renewal-no-answer",
    "renewal-executive-escalation",
)


def run_renewal_phase(
    aws: EmbeddedAws,
    poster: Poster,
    book: list[tuple[Account, list[str], float, float]],
    today: date,
    seed: int,
) -> str:
    rng = random.Random(seed + 3)
    began = perf_counter()
    start = datetime.combine(today, time(5), UTC)
    # The pre-renewal survey goes to each renewing account's first contact: the directory must know them.
    renewing = [
        (a, ids[0])
        for a, ids, _, _ in book
        if a.renewal_date and a.renewal_date <= today + timedelta(days=90 + DAYS)
    ]
    contacts = [
        {"contact_id": c, "account_id": a.account_id, "email": f"{c}@{a.account_id}.example"}
        for a, c in renewing
    ]
    poster.send("PUT", "/v1/contacts", _json({"contacts": contacts}))
    CLOCK.set(start, speed=0)

    scanned: Counter[str] = Counter()
    escalated = 0
    answered: set[str] = set()
    worked = _work_cases(poster, rng)
    for day in range(DAYS + 1):
        at = start + timedelta(days=day)
        CLOCK.set(at, speed=0)  # the day comes: what waited for it goes on
        _settle()
        result = aws.fire_schedule("renewal-scanner", at)
        scanned["started"] += len(result["started"])
        scanned["ended"] += len(result["ended"])
        escalated += len(aws.fire_schedule("case-sla-sweep", at)["escalated"])
        _settle()  # the escalations started today have asked for their answers
        _answer_pre_renewal(aws, poster, renewing, answered, at, rng)
        if day == 14:  # the resolved cases' follow-up surveys come back
            _answer_follow_ups(poster, worked["resolved"], at, rng)
        _settle()
    CLOCK.set(start + timedelta(days=DAYS), speed=1.0)

    _, cases = poster.send("GET", "/v1/cases", b"")
    by_rule = Counter(c["rule"] for c in cases if c["rule"].startswith("renewal-"))
    statuses = Counter(c["status"] for c in cases if c["rule"] == "detractor-recovery")
    opened = ", ".join(f"{rule.removeprefix('renewal-')} {by_rule[rule]}" for rule in RENEWAL_CASES)
    renewals = (
        f"RENEWALS  {DAYS} simulated days in {perf_counter() - began:.0f} s: {scanned['started']} "
        f"escalations started by the daily scanner, {len(answered)} asked; cases: {opened}"
    )
    loop = (
        f"CLOSED LOOP  {worked['contacted']} detractor cases contacted, {len(worked['resolved'])} "
        f"resolved (follow-ups: {statuses['recovered']} recovered, {statuses['reopened']} reopened); "
        f"{escalated} SLA escalations by the sweep (`npsops cases metrics`)"
    )
    return f"{renewals}\n{loop}"


def _settle() -> None:
    """Wait until no execution is running: only those waiting for a later day or an answer."""
    if not moto_patches.executions.wait_below(1, timeout=SETTLE_SECONDS):
        raise TimeoutError(f"executions still running after {SETTLE_SECONDS} s")


def _work_cases(poster: Poster, rng: random.Random) -> dict[str, Any]:
    """CSMs contact some detractor cases in time and resolve half of them."""
    _, open_cases = poster.send("GET", "/v1/cases?status=open", b"")
    detractor = [c for c in open_cases if c["rule"] == "detractor-recovery"][:WORKED_CASES]
    resolved = []
    for case in detractor:
        path = f"/v1/cases/{quote(case['case_id'], safe='')}/actions"
        poster.send(
            "POST", path, _json({"action": "contact", "by": case["owner"], "note": "Called, listened"})
        )
        if rng.random() < 0.5:
            resolution = {"root_cause": "slow support replies", "action_taken": "named support engineer"}
            status, _ = poster.send(
                "POST", path, _json({"action": "resolve", "by": case["owner"]} | resolution)
            )
            if status == 200:
                resolved.append(case)
    return {"contacted": len(detractor), "resolved": resolved}


def _answer_pre_renewal(
    aws: EmbeddedAws,
    poster: Poster,
    renewing: list[tuple[Account, str]],
    answered: set[str],
    at: datetime,
    rng: random.Random,
) -> None:
    """Contacts answer a day or so after they were asked (the renewal waits for it with its token)."""
    from shared.config import Settings
    from shared.store.renewals import RenewalRepository

    renewals = RenewalRepository(Settings.from_env().renewals_table)
    for account, contact in renewing:
        if account.account_id in answered or not account.renewal_date:
            continue
        if account.renewal_date - timedelta(days=90) > at.date():
            continue  # not asked yet: its window has not opened
        item = renewals.get(account.account_id, str(account.renewal_date))
        if not item or not item.get("task_token"):
            continue
        answered.add(account.account_id)
        if rng.random() > ANSWER_RATE:
            continue  # never answers: checkpoint 2 takes "no answer" as the risk signal
        body = {
            "response_id": f"pre-renewal-{account.account_id}",
            "account_id": account.account_id,
            "contact_id": contact,
            "score": max(0, min(10, round(rng.gauss(7.2, 2.2)))),
            "submitted_at": at.isoformat(),
            "touchpoint": "pre-renewal",
            "kind": "transactional",
        }
        poster.send("POST", "/v1/responses", _json(body))


def _answer_follow_ups(
    poster: Poster, resolved: list[dict[str, Any]], at: datetime, rng: random.Random
) -> None:
    for case in resolved:
        body = {
            "response_id": f"follow-up-{case['contact_id']}",
            "account_id": case["account_id"],
            "contact_id": case["contact_id"],
            "score": max(0, min(10, round(rng.gauss(7.5, 2.0)))),
            "submitted_at": at.isoformat(),
            "touchpoint": "case-follow-up",
            "kind": "transactional",
            "properties": {"npsops_case_id": case["case_id"]},
        }
        poster.send("POST", "/v1/responses", _json(body))


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()

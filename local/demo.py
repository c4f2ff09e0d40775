"""`npsops demo`: a book of business, a year of answers through the real HTTP intake and the real
pipeline, then the Monday-morning report."""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from local import executions as execution_views
from local import moto_patches
from local.aws import EmbeddedAws
from local.book import answers, build_book, signals_for
from local.crm_sink import CrmSink
from local.gateway import LocalGateway
from local.renewal_demo import run_renewal_phase
from local.report import monday_report
from local.vendor_demo import run_vendor_phase
from shared.config import Settings
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository

# Executions in flight at once. Beyond this the in-process engine only slows every run down.
MAX_IN_FLIGHT = int(os.environ.get("NPSOPS_IN_FLIGHT", "24"))
POSTERS = 4


@dataclass
class DemoResult:
    posted: int
    statuses: Counter[int]
    seconds: float
    response_statuses: Counter[str]
    report: str
    vendor_statuses: Counter[str]


class HttpPoster:
    """One keep-alive connection per thread, as a vendor's webhook sender would hold."""

    def __init__(self, base_url: str) -> None:
        self._url = urlsplit(base_url)
        self._local = threading.local()

    def post(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        return self.send("POST", path, body)

    def send(
        self, method: str, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        if not hasattr(self._local, "connection"):
            self._local.connection = http.client.HTTPConnection(
                self._url.hostname or "127.0.0.1", self._url.port, timeout=30
            )
        connection = self._local.connection
        connection.request(method, path, body=body, headers=headers or {"Content-Type": "application/json"})
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read() or b"{}")


def run_demo(accounts: int, responses: int, seed: int, today: date, out: Any = sys.stdout) -> DemoResult:
    with EmbeddedAws() as aws:
        sink = CrmSink(aws.crm_queue_url)
        sink.start()
        gateway = LocalGateway(aws, sink, port=0)
        gateway.start()
        try:
            return _run(aws, gateway, sink, accounts, responses, seed, today, out)
        finally:
            gateway.stop()
            sink.stop()


def _run(
    aws: EmbeddedAws,
    gateway: LocalGateway,
    sink: CrmSink,
    accounts: int,
    responses: int,
    seed: int,
    today: date,
    out: Any,
) -> DemoResult:
    settings = Settings.from_env()
    directory = AccountRepository(settings.accounts_table)
    book = build_book(accounts, seed, today)
    for account, _, _, _ in book:
        directory.put(account)
    batch = answers(book, responses, seed, today)
    print(
        f"npsops demo: {len(book)} accounts, {sum(len(c) for _, c, _, _ in book)} contacts, "
        f"{len(batch)} answers over four quarters → {gateway.url}/v1/responses",
        file=out,
    )

    poster = HttpPoster(gateway.url)
    # Signals for every account and quarter; half the accounts' latest-quarter signals arrive only
    # after the answers, so the combined rules fire on whichever input comes second.
    signals = signals_for(book, today, seed)
    latest = max(str(s["quarter"]) for s in signals)
    held_back = {a.account_id for a, _, _, _ in book[::2]}
    late = [s for s in signals if s["quarter"] == latest and s["account_id"] in held_back]
    phases = PhaseClock()
    with phases("signals"):
        opened_by_signals = send_signals(poster, [s for s in signals if s not in late])

    progress = Progress(len(batch))
    with phases("pipeline"):
        statuses = deliver_all(poster, [answer.payload for answer in batch], progress)
    seconds = phases.seconds["pipeline"]
    with phases("signals"):
        opened_by_signals += send_signals(poster, late)
    # A vendor retrying deliveries, and a sender with bugs: neither may change a count.
    for answer in batch[:25]:
        statuses[poster.post("/v1/responses", json.dumps(answer.payload).encode())[0]] += 1
    for bad in ({"score": 11}, {"score": "ten"}, {"score": 7.5}, {"score": None}):
        statuses[
            poster.post(
                "/v1/responses", json.dumps(batch[0].payload | bad | {"response_id": "bad"}).encode()
            )[0]
        ] += 1
    with phases("vendors"):
        vendor_statuses, vendor_line = run_vendor_phase(poster, book, today, seed)
        moto_patches.executions.wait_below(1, timeout=120)
    sink.drain()

    repository = ResponseRepository(settings.responses_table)
    response_statuses = repository.count_by_status()
    with phases("report"):
        report = monday_report(
            today,
            directory.all(),
            CaseRepository(settings.cases_table).all(),
            RollupRepository(settings.rollups_table),
            SignalRepository(settings.signals_table),
            sink.by_detail_type(),
            settings.thresholds,
        )
    print(report, file=out)
    print(_one_case_traced(aws, sink), file=out)
    # After today's Monday report: the next quarter's renewals and case work, in simulated days.
    with phases("renewals"):
        renewal_line = run_renewal_phase(aws, poster, book, today, seed)
        moto_patches.executions.wait_below(1, timeout=120)
    print(
        f"\nSIGNALS  {len(signals)} (usage, support, engagement, commercial) through PUT /v1/signals, "
        f"{len(late)} after the answers; {opened_by_signals} cases opened by a signal arriving second",
        file=out,
    )
    print(f"\n{vendor_line}", file=out)
    print(f"\n{renewal_line}", file=out)
    print(
        f"\nPIPELINE  {len(batch)} answers in {seconds:.1f} s ({len(batch) / seconds:.0f}/s end to end); "
        f"responses {dict(response_statuses)}; HTTP {dict(sorted(statuses.items()))} "
        f"(the 25 redeliveries answered 200 duplicate, the 4 malformed 422)",
        file=out,
    )
    print(f"\nTIME  {phases}", file=out)
    return DemoResult(len(batch), statuses, seconds, response_statuses, report, vendor_statuses)


class PhaseClock:
    """Wall-clock seconds per phase of the demo, so its time can be read off its own output, and the
    process's CPU seconds beside them: a phase with much less CPU than wall time is waiting, not
    working (or the machine is busy with something else)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started
            self.cpu[phase] = self.cpu.get(phase, 0.0) + time.process_time() - cpu_started

    def __str__(self) -> str:
        parts = ", ".join(
            f"{name} {seconds:.0f} s (CPU {self.cpu[name]:.0f} s)" for name, seconds in self.seconds.items()
        )
        return f"{parts}; total {sum(self.seconds.values()):.0f} s, not counting start-up"


def send_signals(poster: HttpPoster, signals: list[dict[str, Any]], batch: int = 500) -> int:
    """PUT the signals in batches; returns how many cases they opened."""
    opened = 0
    for start in range(0, len(signals), batch):
        status, taken = poster.send(
            "PUT", "/v1/signals", json.dumps({"signals": signals[start : start + batch]}).encode()
        )
        if status != 200:
            raise RuntimeError(f"signals refused: {status} {taken}")
        opened += len(taken["opened"])
    return opened


def _one_case_traced(aws: EmbeddedAws, sink: CrmSink) -> str:
    """The newest CaseOpened as the CRM received it, and its execution's history, as an operator
    would follow one response from intake to the last event (`npsops serve` + `npsops executions`)."""
    opened = [  # opened by a response's pipeline run (not by a signal or theme routing)
        e
        for e in sink.since(0)
        if e["detail-type"] == "CaseOpened"
        and e["detail"]["data"]["response_id"] == e["detail"]["correlation_id"]
        and e["detail"]["correlation_id"].startswith("generic-")
    ]
    if not opened:
        return ""
    event = opened[-1]
    key = event["detail"]["correlation_id"]
    arn = execution_views.execution_arn(aws.pipeline_arn, key)
    steps = [e["state"] for e in execution_views.history(arn) if e["type"].endswith("StateEntered")]
    case = event["detail"]["data"]
    return "\n".join(
        [
            "",
            f"ONE RESPONSE, FOLLOWED: {key}",
            f"  execution {key}: " + " → ".join(steps),
            f"  CRM received {event['detail-type']} {event['detail']['event_id']}",
            f"    owner {case['owner']} ({case['owner_role']}), SLA {case['sla_hours']} h, "
            f"due {case['due_at'][:16]}",
            f"    {case['summary']}",
        ]
    )


def deliver_all(
    poster: HttpPoster, payloads: list[dict[str, Any]], progress: Progress | None = None
) -> Counter[int]:
    """POST every payload to the intake, keeping at most MAX_IN_FLIGHT executions running, and wait
    until the pipeline has finished them all. Returns the HTTP statuses."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def deliver(body: bytes) -> None:
        moto_patches.executions.wait_below(MAX_IN_FLIGHT)
        status, _ = poster.post("/v1/responses", body)
        with lock:
            statuses[status] += 1

    with ThreadPoolExecutor(POSTERS) as pool:
        for payload in payloads:
            pool.submit(deliver, json.dumps(payload).encode())
        while sum(statuses.values()) < len(payloads):
            if progress:
                progress.show(sum(statuses.values()), moto_patches.executions.running)
            time.sleep(0.25)
    moto_patches.executions.wait_below(1, timeout=120)
    if progress:
        progress.show(len(payloads), 0, final=True)
    return statuses


class Progress:
    def __init__(self, total: int, width: int = 32) -> None:
        self.total, self.width, self.started = total, width, time.perf_counter()

    def show(self, posted: int, running: int, final: bool = False) -> None:
        done = posted - running
        filled = int(self.width * done / max(self.total, 1))
        rate = done / max(time.perf_counter() - self.started, 1e-6)
        sys.stderr.write(
            f"\r  [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} through the pipeline"
            f"  {running:>2} running  {rate:5.1f}/s"
        )
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()

"""What a million responses cost on AWS, from the work the real system does on the embedded AWS.
Prints; asserts nothing.

    make bench-cost     (or: .venv/bin/python -m bench.cost_per_million --responses 400)

Two phases on one embedded AWS, each metered on its own:
- core path: N answers POSTed to the intake over HTTP, each through the whole response pipeline;
- the rest of a day's work, scaled to a quarter of N each: signal records (PUT /v1/signals, 25 per
  request), schedule firings (every schedule of functions/schedules.py in turn, as EventBridge
  Scheduler would), and the escalations those start.
Every AWS operation is counted where it happens: each botocore call by service and operation (from the
handlers and from the state machines' direct integrations), each Lambda invocation with its measured
duration and its configured memory, each execution by workflow type with its state transitions,
duration and history bytes, DynamoDB read and write units from the sizes of the items each request
reads or writes (and of the index items a write changes, by each index's projection), EventBridge
events in 64 KB chunks, log bytes (the handlers' JSON logs, Lambda's platform lines and the
executions' history events, each at its deployed level, without execution data). Prices come from
bench/prices.json (dated, one region). Registries are enumerated, so new functions, tables, state
machines and schedules are metered without changes here.

The naive variant is priced from the same recorded work: the pipeline as a STANDARD workflow (billed
per state transition) and every atomic UpdateItem done as read-modify-write (a consistent GetItem of
the item, then a PutItem of all of it; retries under contention not counted, so naive is a floor).

Measured durations are local: the embedded DynamoDB's CPU time is inside each handler's duration,
where on AWS a DynamoDB call is a few milliseconds of waiting. So Lambda and Express duration figures
are upper bounds; executions run at most two at a time to keep contention out of them.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local.demo import HttpPoster

PRICES = Path(__file__).with_name("prices.json")
KB = 1024
# Threads that belong to the local runtime's own machinery, not to anything deployed on AWS.
LOCAL_MACHINERY_THREADS = ("crm-sink",)
# Write and read operations on one item each; units come from the stored item's size.
ITEM_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}


@dataclass
class Meter:
    """Everything one phase made AWS do."""

    active: bool = False
    api_requests: int = 0
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    lambda_invocations: Counter[str] = field(default_factory=Counter)
    lambda_gb_seconds: float = 0.0
    lambda_ms: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    event_chunks: int = 0
    read_units: float = 0.0
    write_units: float = 0.0  # the table's and its indexes'
    index_write_units: float = 0.0
    naive_extra_read_units: float = 0.0
    schedule_invocations: int = 0
    handler_log_bytes: int = 0
    executions: list[dict[str, Any]] = field(default_factory=list)
    crm_deliveries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)


class Meters:
    """The meter in force: botocore, moto and the Lambda router report to whichever phase is on."""

    current = Meter()


def _metered_thread() -> bool:
    return Meters.current.active and threading.current_thread().name not in LOCAL_MACHINERY_THREADS


def install_meters() -> None:
    _meter_botocore_calls()
    _meter_lambda_invocations()
    _meter_dynamodb_capacity()
    _meter_handler_logs()


def _meter_botocore_calls() -> None:
    from botocore.client import BaseClient

    make_api_call = BaseClient._make_api_call  # type: ignore[attr-defined]

    @functools.wraps(make_api_call)
    def counted(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if _metered_thread():
            meter = Meters.current
            service = self.meta.service_model.service_name
            with meter._lock:
                meter.calls[(service, operation_name)] += 1
            if (service, operation_name) == ("events", "PutEvents"):
                chunks = sum(
                    math.ceil(len(json.dumps(entry, default=str)) / (64 * KB))
                    for entry in api_params.get("Entries", [])
                )
                meter.add(event_chunks=chunks)
        return make_api_call(self, operation_name, api_params)

    BaseClient._make_api_call = counted  # type: ignore[attr-defined]


def _meter_lambda_invocations() -> None:
    from local import moto_patches

    call_registered = moto_patches.call_registered

    def timed(function_name: str, event: dict[str, Any]) -> Any:
        if not _metered_thread():
            return call_registered(function_name, event)
        started = time.perf_counter()
        try:
            return call_registered(function_name, event)
        finally:
            ms = max(1.0, math.ceil((time.perf_counter() - started) * 1000))
            memory_mb = moto_patches._handlers[function_name][1]
            meter = Meters.current
            with meter._lock:
                meter.lambda_invocations[function_name] += 1
                meter.lambda_ms[function_name].append(ms)
                meter.lambda_gb_seconds += memory_mb / 1024 * ms / 1000

    moto_patches.call_registered = timed


def item_size(attributes: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it, from DynamoDB JSON: attribute names plus values (strings and
    binaries by length, numbers by digits, containers 3 bytes plus their elements, 1 byte each)."""

    def value_size(value: dict[str, Any]) -> int:
        kind, inner = next(iter(value.items()))
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return math.ceil(len(inner.lstrip("-").replace(".", "")) / 2) + 1
        if kind == "B":
            return len(inner)
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(value_size(v) + 1 for v in inner)
        return 3 + sum(len(str(v).encode()) + 1 for v in inner)  # SS, NS, BS

    return sum(len(name.encode()) + value_size(value) for name, value in attributes.items())


def _meter_dynamodb_capacity() -> None:
    from moto.dynamodb.responses import DynamoHandler

    from local.moto_patches import dynamodb_lock

    call_action = DynamoHandler.call_action

    def stored(handler: Any, table_name: str, key_source: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """The table and a snapshot of the item the request names ({} when there is none)."""
        try:
            table = handler.dynamodb_backend.get_table(table_name)
            key = {a: key_source[a] for a in (table.hash_key_attr, table.range_key_attr) if a}
            item = table.get_item(*_key_values(table, key))
        except Exception:  # a missing table or key: the request fails, and DynamoDB bills a minimum
            return None, {}
        return table, dict(item.to_json()["Attributes"]) if item is not None else {}

    @functools.wraps(call_action)
    def metered(self: Any) -> Any:
        if not _metered_thread():
            return call_action(self)
        action, body = self._get_action(), getattr(self, "params", {}) or {}
        key_source = body.get("Item") or body.get("Key") or {}
        with dynamodb_lock:
            table: Any = None
            before: dict[str, Any] = {}
            if action in ITEM_WRITES or action == "GetItem":
                table, before = stored(self, body.get("TableName", ""), key_source)
            answer = call_action(self)
            after: dict[str, Any] = {}
            if action in ("PutItem", "UpdateItem"):
                _, after = stored(self, body.get("TableName", ""), key_source)
        consistency = 1.0 if body.get("ConsistentRead") else 0.5
        size_before, size_after = item_size(before), item_size(after)
        if action in ITEM_WRITES:
            units = max(1, math.ceil(max(size_before, size_after) / KB))
            indexed = index_write_units(table, before, after) if table is not None else 0
            Meters.current.add(write_units=units + indexed, index_write_units=indexed)
            if action == "UpdateItem":  # naive: read the whole item first (consistently), then put it
                Meters.current.add(naive_extra_read_units=max(1, math.ceil(size_before / (4 * KB))))
        elif action == "GetItem":
            Meters.current.add(read_units=max(1, math.ceil(size_before / (4 * KB))) * consistency)
        elif action in ("Query", "Scan"):
            returned = json.loads(answer[2] or "{}").get("Items", [])
            size = sum(item_size(item) for item in returned)
            Meters.current.add(read_units=max(1, math.ceil(size / (4 * KB))) * consistency)
        elif action in ("BatchWriteItem", "TransactWriteItems", "BatchGetItem", "TransactGetItems"):
            _meter_multi_item(action, body)
        return answer

    DynamoHandler.call_action = metered  # type: ignore[method-assign]


def index_write_units(table: Any, before: dict[str, Any], after: dict[str, Any]) -> int:
    """What a write costs in the table's global secondary indexes, as DynamoDB bills it: an index
    item is written when the item enters the index or what the index projects changes, and deleted
    as well when the item leaves it or its index key changes; each by the projected item's size."""
    units = 0
    for index in table.global_indexes:
        old, new = _projected(index, before), _projected(index, after)
        if old == new:
            continue
        keys = index.schema_key_attrs
        if new is not None:
            units += max(1, math.ceil(item_size(new) / KB))
        if old is not None and (new is None or any(old[k] != new[k] for k in keys)):
            units += max(1, math.ceil(item_size(old) / KB))
    return units


def _projected(index: Any, attributes: dict[str, Any]) -> dict[str, Any] | None:
    """The item as the index holds it, or None when it lacks the index's keys (a sparse index)."""
    if not attributes or any(key not in attributes for key in index.schema_key_attrs):
        return None
    projection = index.projection.get("ProjectionType", "ALL")
    if projection == "ALL":
        return attributes
    kept = {*index.table_key_attrs, *index.schema_key_attrs}
    if projection == "INCLUDE":
        kept |= set(index.projection.get("NonKeyAttributes", []))
    return {name: value for name, value in attributes.items() if name in kept}


def _key_values(table: Any, key: dict[str, Any]) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _meter_multi_item(action: str, body: dict[str, Any]) -> None:
    """Batch and transaction requests, by the sizes they carry (a transaction bills twice)."""
    if action == "BatchWriteItem":
        requests = [r for rs in body.get("RequestItems", {}).values() for r in rs]
        units = sum(
            max(1, math.ceil(item_size(r.get("PutRequest", {}).get("Item", {})) / KB)) for r in requests
        )
        Meters.current.add(write_units=units)
    elif action == "TransactWriteItems":
        items = [next(iter(i.values())) for i in body.get("TransactItems", [])]
        units = sum(max(1, math.ceil(item_size(i.get("Item", i.get("Key", {}))) / KB)) for i in items)
        Meters.current.add(write_units=2 * units)
    elif action == "BatchGetItem":
        keys = sum(len(t.get("Keys", [])) for t in body.get("RequestItems", {}).values())
        Meters.current.add(read_units=0.5 * keys)
    else:
        Meters.current.add(read_units=2 * len(body.get("TransactItems", [])))


class _CountingStream(io.TextIOBase):
    def write(self, text: str) -> int:
        if _metered_thread():
            Meters.current.add(handler_log_bytes=len(text.encode()))
        return len(text)


def _meter_handler_logs() -> None:
    """The handlers' JSON logs at the deployed level (POWERTOOLS_LOG_LEVEL=INFO), counted, not shown."""
    from shared.observability import logger

    logger.setLevel("INFO")
    for handler in logger.handlers:
        if hasattr(handler, "setStream"):
            handler.setStream(_CountingStream())


def record_executions(meter: Meter, machines: Mapping[str, tuple[str, str]], since: datetime) -> None:
    """Every execution started in the phase, read from the embedded Step Functions after it."""
    import boto3

    from statemachines import STATE_MACHINES, logged_at

    levels = {spec.name: spec.log_level for spec in STATE_MACHINES}
    sfn = boto3.client("stepfunctions")
    for name, (arn, workflow_type) in machines.items():
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for listed in page["executions"]:
                if listed["startDate"] < since:
                    continue
                described = sfn.describe_execution(executionArn=listed["executionArn"])
                events = sfn.get_execution_history(executionArn=listed["executionArn"], maxResults=1000)[
                    "events"
                ]
                stopped = described.get("stopDate") or described["startDate"]
                meter.executions.append(
                    {
                        "machine": name,
                        "type": workflow_type,
                        "seconds": (stopped - described["startDate"]).total_seconds(),
                        "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
                        "history_bytes": sum(
                            len(json.dumps(_without_data(e), default=str))
                            for e in events
                            if logged_at(levels[name], e["type"])
                        ),
                        "history_bytes_all": sum(
                            len(json.dumps(_without_data(e), default=str)) for e in events
                        ),
                        "history_bytes_with_data": sum(len(json.dumps(e, default=str)) for e in events),
                    }
                )


def _without_data(event: Mapping[str, Any]) -> dict[str, Any]:
    """A history event as the deployed logging writes it: no execution data (the states' input,
    output and parameters; infra/constructs/pipeline.py)."""
    data_keys = {"input", "output", "parameters", "inputDetails", "outputDetails"}
    return {
        key: {k: v for k, v in value.items() if k not in data_keys} if isinstance(value, dict) else value
        for key, value in event.items()
    }


def platform_log_bytes(prices: dict[str, float]) -> float:
    """Lambda's START/END/REPORT lines per invocation, unless the functions log the platform's
    warnings only (functions/catalog.py)."""
    from functions.catalog import PLATFORM_LOG_LEVEL

    return (
        prices["lambda_platform_log_bytes_per_invocation"] if PLATFORM_LOG_LEVEL in ("INFO", "DEBUG") else 0
    )


def price(meter: Meter, prices: dict[str, float], naive: bool = False) -> dict[str, float]:
    """Dollars by service for the phase's work; `naive`: the pipeline STANDARD, updates read-modify-write."""
    p = prices
    cost: dict[str, float] = defaultdict(float)
    cost["HTTP API"] = meter.api_requests * p["http_api_per_million_requests"] / 1e6
    invocations = sum(meter.lambda_invocations.values())
    cost["Lambda"] = (
        invocations * p["lambda_arm64_per_million_requests"] / 1e6
        + meter.lambda_gb_seconds * p["lambda_arm64_per_gb_second"]
    )
    for run in meter.executions:
        standard = run["type"] == "STANDARD" or (naive and run["machine"] == "response-pipeline")
        if standard:
            cost["Step Functions"] += (
                run["transitions"] * p["stepfunctions_standard_per_thousand_transitions"] / 1e3
            )
        else:
            increment = p["stepfunctions_express_duration_increment_ms"] / 1000
            billed_seconds = max(1, math.ceil(run["seconds"] / increment)) * increment
            gb = p["stepfunctions_express_memory_increment_mb"] / 1024
            cost["Step Functions"] += (
                p["stepfunctions_express_per_million_requests"] / 1e6
                + billed_seconds * gb * p["stepfunctions_express_per_gb_second"]
            )
    reads = meter.read_units + (meter.naive_extra_read_units if naive else 0)
    cost["DynamoDB"] = (
        reads * p["dynamodb_on_demand_per_million_read_units"]
        + meter.write_units * p["dynamodb_on_demand_per_million_write_units"]
    ) / 1e6
    cost["EventBridge"] = (
        meter.event_chunks * p["eventbridge_per_million_custom_events"]
        + meter.crm_deliveries * p["eventbridge_api_destination_per_million_invocations"]
    ) / 1e6
    cost["Scheduler"] = meter.schedule_invocations * p["scheduler_per_million_invocations"] / 1e6
    by_service = Counter(service for service, _ in meter.calls.elements())
    cost["SQS"] = by_service["sqs"] * p["sqs_standard_per_million_requests"] / 1e6
    s3_puts = sum(
        n for (s, op), n in meter.calls.items() if s == "s3" and op.startswith(("Put", "Copy", "List"))
    )
    s3_gets = sum(n for (s, op), n in meter.calls.items() if s == "s3" and op.startswith(("Get", "Head")))
    cost["S3"] = (
        s3_puts * p["s3_per_thousand_put_requests"] / 1e3 + s3_gets * p["s3_per_thousand_get_requests"] / 1e3
    )
    cost["Secrets Manager"] = (
        by_service["secretsmanager"] * p["secrets_manager_per_ten_thousand_api_calls"] / 1e4
    )
    log_bytes = (
        meter.handler_log_bytes
        + invocations * platform_log_bytes(p)
        + sum(run["history_bytes"] for run in meter.executions)
    )
    cost["CloudWatch Logs"] = log_bytes / 1e9 * p["cloudwatch_logs_per_gb_ingested"]
    traced = meter.api_requests + meter.schedule_invocations
    cost["X-Ray"] = traced * p["xray_default_sampling_rate"] * p["xray_per_million_traces_recorded"] / 1e6
    return dict(cost)


def run(responses: int, accounts: int, share: float, seed: int) -> tuple[Meter, Meter, int]:
    from functions.schedules import SCHEDULES
    from local import demo
    from local.aws import EmbeddedAws
    from local.book import answers, build_book, signals_for
    from local.crm_sink import CrmSink
    from local.demo import deliver_all, send_signals
    from local.gateway import LocalGateway
    from shared.config import Settings
    from shared.store.accounts import AccountRepository
    from statemachines import STATE_MACHINES

    demo.MAX_IN_FLIGHT = 2  # durations without queueing behind other executions (see the docstring)
    core, rest = Meter(), Meter()
    with EmbeddedAws() as aws:
        install_meters()
        today = datetime.now(UTC).date()
        book = build_book(accounts, seed, today)
        directory = AccountRepository(Settings.from_env().accounts_table)
        for account, _, _, _ in book:
            directory.put(account)
        payloads = [a.payload for a in answers(book, responses, seed, today)]
        sink = CrmSink(aws.crm_queue_url)
        sink.start()
        gateway = LocalGateway(aws, sink, port=0)
        gateway.start()
        poster = _CountingPoster(gateway.url)
        machines = {m.name: (aws.state_machine_arns[m.name], m.workflow_type) for m in STATE_MACHINES}
        try:
            started = datetime.now(UTC)
            Meters.current, core.active = core, True
            deliver_all(poster, payloads)
            core.active = False
            core.api_requests = poster.take()
            sink.drain()
            core.crm_deliveries = len(sink.received)
            record_executions(core, machines, started)

            started, delivered = datetime.now(UTC), len(sink.received)
            Meters.current, rest.active = rest, True
            quarter = max(1, int(len(payloads) * share))
            send_signals(poster, signals_for(book, today, seed)[:quarter], batch=25)
            first = datetime.combine(today, datetime.min.time(), UTC)
            for firing in range(quarter):
                schedule = SCHEDULES[firing % len(SCHEDULES)]
                aws.fire_schedule(schedule.name, first + timedelta(hours=firing))
                rest.schedule_invocations += 1
            from local import moto_patches

            moto_patches.executions.wait_below(1, timeout=300)
            rest.active = False
            rest.api_requests = poster.take()
            sink.drain()
            rest.crm_deliveries = len(sink.received) - delivered
            record_executions(rest, machines, started)
        finally:
            gateway.stop()
            sink.stop()
    return core, rest, len(payloads)


class _CountingPoster(HttpPoster):
    """The demo's HTTP poster, counting API requests (each well under the 512 KB metering increment)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._sent = 0
        self._count_lock = threading.Lock()

    def send(
        self, method: str, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        with self._count_lock:
            self._sent += 1
        return super().send(method, path, body, headers)

    def take(self) -> int:
        with self._count_lock:
            sent, self._sent = self._sent, 0
        return sent


def report(core: Meter, rest: Meter, responses: int, prices: dict[str, Any], out: Any = sys.stdout) -> None:
    per_million = 1e6 / responses
    core_cost, rest_cost, naive_cost = (
        price(core, prices),
        price(rest, prices),
        price(core, prices, naive=True),
    )
    services = sorted(set(core_cost) | set(rest_cost), key=lambda s: -core_cost.get(s, 0))
    print(f"prices: {prices['region']}, as of {prices['as_of']} (bench/prices.json)", file=out)
    print(f"{'$ per million responses':<24}{'core path':>12}{'all-in':>12}{'naive core':>12}", file=out)
    for service in services:
        c, r, n = core_cost.get(service, 0), rest_cost.get(service, 0), naive_cost.get(service, 0)
        print(
            f"  {service:<22}{c * per_million:>12.3f}{(c + r) * per_million:>12.3f}{n * per_million:>12.3f}",
            file=out,
        )
    total_core, total_rest, total_naive = (
        sum(core_cost.values()),
        sum(rest_cost.values()),
        sum(naive_cost.values()),
    )
    print(
        f"  {'total':<22}{total_core * per_million:>12.2f}{(total_core + total_rest) * per_million:>12.2f}"
        f"{total_naive * per_million:>12.2f}   (target: core path <= $5.00)",
        file=out,
    )
    print("\nper response (core path):", file=out)
    for function, calls in sorted(core.lambda_invocations.items()):
        ms = sorted(core.lambda_ms[function])
        print(f"  λ {function:<28}{calls / responses:5.2f} calls, median {ms[len(ms) // 2]:.0f} ms", file=out)
    pipeline = [r for r in core.executions if r["machine"] == "response-pipeline"]
    if pipeline:
        transitions = sum(r["transitions"] for r in pipeline) / len(pipeline)
        seconds = sorted(r["seconds"] for r in pipeline)[len(pipeline) // 2]
        print(f"  response-pipeline: {transitions:.1f} transitions, median {seconds:.2f} s locally", file=out)
    print(
        f"  DynamoDB {core.read_units / responses:.2f} RRU, {core.write_units / responses:.2f} WRU"
        f" ({core.index_write_units / responses:.2f} of them in indexes)"
        f" (naive +{core.naive_extra_read_units / responses:.2f} RRU); EventBridge "
        f"{core.event_chunks / responses:.2f} events; CRM deliveries {core.crm_deliveries / responses:.2f}",
        file=out,
    )
    named = {f"{s}:{op}": n for (s, op), n in core.calls.items()}
    print("  API calls: " + ", ".join(f"{k} {v / responses:.2f}" for k, v in sorted(named.items())), file=out)
    history = sum(r["history_bytes"] for r in core.executions)
    every_state = sum(r["history_bytes_all"] for r in core.executions)
    with_data = sum(r["history_bytes_with_data"] for r in core.executions)
    platform = sum(core.lambda_invocations.values()) * platform_log_bytes(prices)
    print(
        f"  log bytes: handlers {core.handler_log_bytes / responses:.0f}, Lambda platform "
        f"{platform / responses:.0f}, execution history at the deployed levels {history / responses:.0f}"
        f" (every state: {every_state / responses:.0f}; with execution data: {with_data / responses:.0f})",
        file=out,
    )
    per_byte = prices["cloudwatch_logs_per_gb_ingested"] / 1e9
    print(
        f"  core path with every state logged (-c logLevel:response-pipeline=ALL): "
        f"${(total_core + (every_state - history) * per_byte) * per_million:.2f} per million; "
        f"with execution data too: ${(total_core + (with_data - history) * per_byte) * per_million:.2f}",
        file=out,
    )
    rest_runs = Counter(r["machine"] for r in rest.executions)
    print(
        f"\nrest of the day (a quarter of N each): {rest.api_requests} API requests, "
        f"{rest.schedule_invocations} schedule firings, executions {dict(rest_runs)}",
        file=out,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=400)
    parser.add_argument("--accounts", type=int, default=60)
    parser.add_argument("--share", type=float, default=0.25, help="signals, schedule firings per response")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    sys.setswitchinterval(0.05)
    prices = json.loads(PRICES.read_text())
    core, rest, responses = run(args.responses, args.accounts, args.share, args.seed)
    print(
        f"cost per million responses: {responses} answers over {args.accounts} accounts on the embedded AWS"
    )
    report(core, rest, responses, prices)
    return 0


if __name__ == "__main__":
    sys.exit(main())

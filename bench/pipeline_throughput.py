"""Figures for the response pipeline on the embedded AWS. Prints; asserts nothing.

    make bench          (or: .venv/bin/python -m bench.pipeline_throughput --responses 1000)

- End-to-end local throughput: answers POSTed over HTTP to the local gateway, through intake and the
  whole response-pipeline state machine, until the last execution ends (responses per second), and
  the process's CPU time per response (steadier than wall time on a shared machine).
- moto's raw put_item rate in the same process and run, for scale: the pipeline makes several
  DynamoDB, Lambda, Step Functions and EventBridge calls per response on the same engine.
- CPU time per small DynamoDB request, answered straight by moto's handler (what the embedded AWS
  does, patch 25) and through moto's own werkzeug request, in the same run.
- DynamoDB reads and writes per response, counted at the embedded DynamoDB's front door (every
  request, from the handlers and from the state machine's direct integrations).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3

from local.aws import EmbeddedAws, table_definition
from local.book import answers, build_book
from local.crm_sink import CrmSink
from local.demo import HttpPoster, deliver_all
from local.gateway import LocalGateway
from shared.config import Settings
from shared.store.accounts import AccountRepository
from shared.store.schema import RESPONSES

READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def count_dynamodb_requests() -> Counter[str]:
    from moto.dynamodb.responses import DynamoHandler

    seen: Counter[str] = Counter()
    call_action = DynamoHandler.call_action

    @functools.wraps(call_action)
    def counted(self: Any) -> Any:
        seen[self._get_action()] += 1
        return call_action(self)

    DynamoHandler.call_action = counted  # type: ignore[method-assign]
    return seen


def raw_put_item_rate(count: int) -> float:
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**table_definition(RESPONSES, "bench-raw"))
    started = time.perf_counter()
    for i in range(count):
        dynamodb.put_item(TableName="bench-raw", Item={"pk": {"S": f"r-{i}"}, "status": {"S": "received"}})
    return count / (time.perf_counter() - started)


def dispatch_cpu_ms(rounds: int = 3, count: int = 300) -> dict[str, float]:
    """CPU ms per small DynamoDB request (put, get, update in turn), answered straight by moto's
    handler (patch 25, local/moto_patches/speed.py) and through moto's werkzeug request, interleaved
    in rounds so that load from elsewhere falls on both alike; the lower of each's rounds."""
    from moto.core.botocore_stubber import BotocoreStubber

    from local.moto_patches import replaced

    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**table_definition(RESPONSES, "bench-dispatch"))
    ways = {
        "direct": BotocoreStubber.process_request,
        "werkzeug": replaced["BotocoreStubber.process_request"],
    }
    best = dict.fromkeys(ways, float("inf"))
    try:
        for round_ in range(rounds):
            for way, process_request in ways.items():
                BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
                started = time.thread_time()
                for i in range(count):
                    key = {"pk": {"S": f"{way}-{round_}-{i}"}}
                    dynamodb.put_item(TableName="bench-dispatch", Item=key | {"n": {"N": "1"}})
                    dynamodb.get_item(TableName="bench-dispatch", Key=key)
                    dynamodb.update_item(
                        TableName="bench-dispatch",
                        Key=key,
                        UpdateExpression="ADD n :one",
                        ExpressionAttributeValues={":one": {"N": "1"}},
                    )
                best[way] = min(best[way], (time.thread_time() - started) * 1000 / (3 * count))
    finally:
        BotocoreStubber.process_request = ways["direct"]  # type: ignore[method-assign]
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=120)
    args = parser.parse_args(argv)
    sys.setswitchinterval(0.05)  # as `npsops demo` runs

    with EmbeddedAws() as aws:
        today = datetime.now(UTC).date()
        book = build_book(args.accounts, 11, today)
        directory = AccountRepository(Settings.from_env().accounts_table)
        for account, _, _, _ in book:
            directory.put(account)
        payloads = [a.payload for a in answers(book, args.responses, 11, today)]
        sink = CrmSink(aws.crm_queue_url)
        sink.start()
        gateway = LocalGateway(aws, sink, port=0)
        gateway.start()
        requests = count_dynamodb_requests()
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            statuses = deliver_all(HttpPoster(gateway.url), payloads)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        finally:
            gateway.stop()
            sink.stop()
        pipeline = dict(requests)
        put_rate = raw_put_item_rate(2000)
        dispatch = dispatch_cpu_ms()

    n = len(payloads)
    reads = sum(v for k, v in pipeline.items() if k in READS)
    writes = sum(v for k, v in pipeline.items() if k in WRITES)
    print(f"responses                     {n} over {args.accounts} accounts (HTTP {dict(statuses)})")
    print(f"end-to-end local throughput   {n / seconds:7.1f} responses/s ({seconds:.1f} s)")
    # CPU time is what the patches save; wall time also shows what else the machine was running.
    print(f"CPU per response              {cpu_seconds / n * 1000:7.1f} ms (all threads of the process)")
    print(f"moto raw put_item, same run   {put_rate:7.1f} items/s")
    print(
        f"CPU per small DynamoDB request {dispatch['direct']:6.2f} ms answered directly (patch 25), "
        f"{dispatch['werkzeug']:.2f} ms through moto's werkzeug request"
    )
    print(f"DynamoDB per response         {reads / n:.2f} reads, {writes / n:.2f} writes")
    for action, calls in sorted(pipeline.items()):
        print(f"  {action:<22} {calls / n:.2f} per response")
    return 0


if __name__ == "__main__":
    sys.exit(main())

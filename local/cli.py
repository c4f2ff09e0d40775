"""The `npsops` command: the embedded AWS for trying, developing and testing npsops."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

DEFAULT_PORT = 8080


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npsops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run a year of NPS answers through the pipeline and report")
    demo.add_argument("--accounts", type=int, default=200)
    demo.add_argument("--responses", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)

    serve = commands.add_parser("serve", help="run the intake API on the embedded AWS")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--accounts", type=int, default=200, help="demo accounts in the directory (0: none)")

    executions = commands.add_parser(
        "executions", help="list pipeline executions of a running serve, or show one"
    )
    executions.add_argument("name", nargs="?", help="execution name (the response key) to show its history")
    executions.add_argument("--status", choices=["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"])
    executions.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    events = commands.add_parser("events", help="what the CRM outbox received on a running serve")
    events.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    redrive = commands.add_parser("redrive", help="run the failed responses of a running serve through again")
    redrive.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    commands.add_parser("openapi", help="print the intake API's OpenAPI document")

    args = parser.parse_args(argv)
    handlers = {
        "demo": _demo,
        "serve": _serve,
        "executions": _executions,
        "events": _events,
        "openapi": _openapi,
    }
    return handlers[args.command](args)


def _demo(args: argparse.Namespace) -> int:
    from local.demo import run_demo

    # Everything runs in one process on the GIL; longer slices mean fewer thread hand-offs between
    # the many execution threads (measured: about 10% more responses per second).
    sys.setswitchinterval(0.05)
    result = run_demo(args.accounts, args.responses, args.seed, datetime.now(UTC).date())
    return 0 if result.response_statuses.get("failed", 0) == 0 else 1


def _serve(args: argparse.Namespace) -> int:
    from local.aws import EmbeddedAws
    from local.book import build_book
    from local.crm_sink import CrmSink
    from local.gateway import LocalGateway
    from shared.config import Settings
    from shared.store.accounts import AccountRepository

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedAws() as aws:
        directory = AccountRepository(Settings.from_env().accounts_table)
        for account, _, _, _ in build_book(args.accounts, 7, datetime.now(UTC).date()):
            directory.put(account)
        sink = CrmSink(aws.crm_queue_url)
        sink.start()
        gateway = LocalGateway(aws, sink, host=args.host, port=args.port)
        gateway.start()
        print(
            f"npsops serving on {gateway.url}  (Ctrl-C stops)\n"
            f"  curl -X POST {gateway.url}/v1/responses -H 'Content-Type: application/json' \\\n"
            f'    -d \'{{"response_id":"r-1","account_id":"acct-001","contact_id":"c-1","score":4,'
            f'"submitted_at":"{datetime.now(UTC).isoformat(timespec="seconds")}"}}\'\n'
            f"  npsops executions --url {gateway.url}",
            flush=True,
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        print("\nstopping: finishing running executions", flush=True)
        gateway.stop()
        sink.stop()
    return 0


def _get(url: str, method: str = "GET") -> Any:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(json.loads(error.read()).get("error", str(error))) from error
    except urllib.error.URLError as error:
        raise SystemExit(
            f"no npsops serve at {url}: {error.reason} (start one with `npsops serve`)"
        ) from error


def _executions(args: argparse.Namespace) -> int:
    if args.name:
        shown = _get(f"{args.url}/_local/executions/{args.name}")
        print(f"execution {shown['execution']}")
        for event in shown["events"]:
            detail = " ".join(str(v) for v in (event["state"], event["error"], event["cause"]) if v)
            print(f"  {event['id']:>3} {event['at'][11:23]} {event['type']:<28} {detail}")
        return 0
    query = f"?status={args.status}" if args.status else ""
    for execution in _get(f"{args.url}/_local/executions{query}"):
        print(f"{execution['started'][:19]}  {execution['status']:<10} {execution['name']}")
    return 0


def _events(args: argparse.Namespace) -> int:
    for event in _get(f"{args.url}/_local/events"):
        detail = event["detail"]
        when, kind = detail["occurred_at"][:19], event["detail-type"]
        print(f"{when}  {kind:<18} {detail['account_id']:<10} {detail['event_id']}")
    return 0


def _redrive(args: argparse.Namespace) -> int:
    restarted = _get(f"{args.url}/_local/redrive", method="POST")["restarted"]
    print(f"restarted {len(restarted)} failed responses" + "".join(f"\n  {name}" for name in restarted))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from local.openapi import intake_openapi

    print(json.dumps(intake_openapi(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

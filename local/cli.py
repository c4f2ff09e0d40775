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

from shared.vendors.base import Vendor

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

    commands.add_parser("openapi", help="print the HTTP API's OpenAPI document")

    connections = commands.add_parser("connections", help="survey vendor connections of a running serve")
    connection_commands = connections.add_subparsers(dest="action", required=True)
    add = connection_commands.add_parser("add", help="connect a vendor (or change a connection)")
    add.add_argument("connection_id", help="the {connection_id} of the webhook URL")
    add.add_argument("--vendor", required=True, choices=[v.value for v in Vendor])
    add.add_argument("--signing-key", required=True, help="the vendor's webhook secret")
    add.add_argument("--api-token", help="SurveyMonkey / Qualtrics: token for fetching response details")
    add.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SETTING=VALUE",
        help="nps_question, comment_question, account_property, naive_timezone, api_base_url, ...",
    )
    connection_commands.add_parser("list", help="the connections and their webhook URLs")
    remove = connection_commands.add_parser("remove", help="disconnect")
    remove.add_argument("connection_id")
    for sub in connection_commands.choices.values():
        sub.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    contacts = commands.add_parser(
        "contacts", help="teach the contact directory (releases quarantined answers)"
    )
    contacts.add_argument("file", help="JSON list of {contact_id, account_id, email?, name?}")
    contacts.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    quarantine = commands.add_parser(
        "quarantine", help="answers waiting for the directory to know their contact"
    )
    quarantine.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    args = parser.parse_args(argv)
    handlers = {
        "demo": _demo,
        "serve": _serve,
        "executions": _executions,
        "events": _events,
        "openapi": _openapi,
        "connections": _connections,
        "contacts": _contacts,
        "quarantine": _quarantine,
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


def _get(url: str, method: str = "GET", body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, method=method, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        refused = json.loads(error.read() or b"{}")
        problems = "".join(f"\n  {p['field']}: {p['message']}" for p in refused.get("problems", []))
        raise SystemExit(
            f"{error.code}: {refused.get('error') or refused.get('message')}{problems}"
        ) from error
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


def _connections(args: argparse.Namespace) -> int:
    if args.action == "add":
        settings: dict[str, Any] = {"vendor": args.vendor}
        for pair in args.set:
            name, _, value = pair.partition("=")
            settings[name] = json.loads(value) if value[:1] in "{[" else value
        request = {"settings": settings, "signing_key": args.signing_key, "api_token": args.api_token}
        _get(f"{args.url}/v1/connections/{args.connection_id}", method="PUT", body=request)
        print(f"connected {args.vendor}: point its webhook at {args.url}/v1/webhooks/{args.connection_id}")
    elif args.action == "remove":
        _get(f"{args.url}/v1/connections/{args.connection_id}", method="DELETE")
        print(f"removed {args.connection_id}")
    else:
        for connection in _get(f"{args.url}/v1/connections"):
            name = connection["connection_id"]
            print(f"{name:<20} {connection['vendor']:<13} {args.url}/v1/webhooks/{name}")
    return 0


def _contacts(args: argparse.Namespace) -> int:
    with open(args.file) as listed:
        contacts = json.load(listed)
    learned = _get(f"{args.url}/v1/contacts", method="PUT", body={"contacts": contacts})
    released = learned["released"]
    print(f"learned {learned['contacts']} contacts; released {len(released)} quarantined answers")
    for result in released:
        print(f"  {result['response_key']}  {result['status']}")
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    for held in _get(f"{args.url}/v1/quarantine"):
        print(f"{held['held_at'][:19]}  {held['sk']:<28} {held['reason']}")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from local.openapi import intake_openapi

    print(json.dumps(intake_openapi(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

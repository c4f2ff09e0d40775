"""The `npsops` command: the embedded AWS for trying, developing and testing npsops."""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.domain.models import DEFAULT_PROGRAM
from shared.vendors.base import Vendor

if TYPE_CHECKING:
    from shared.services.bulk_import import ImportContent

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
    executions.add_argument(
        "--renewals", metavar="ACCOUNT", help="an account's pre-renewal escalations, step by step"
    )
    executions.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    events = commands.add_parser(
        "events",
        help="events: what the CRM outbox received (list), what each CRM got as it arrives (tail), "
        "docs/events/ from the catalog (schemas)",
    )
    events.add_argument("action", nargs="?", choices=["list", "tail", "schemas"], default="list")
    events.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    events.add_argument("--no-follow", action="store_true", help="tail: print what arrived so far, exit")

    redrive = commands.add_parser(
        "redrive",
        help="run the failed responses through again and put dead-lettered events back on their way",
    )
    redrive.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    redrive.add_argument(
        "--aws", metavar="STACK", help="on AWS instead: the deployed stack's name (its outputs say where)"
    )

    reconcile = commands.add_parser(
        "reconcile",
        help="recompute every roll-up from the stored responses now; report and repair drift (the daily job)",
    )
    reconcile.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

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

    history = commands.add_parser(
        "import",
        help="import a response history or signals file (CSV or JSON lines) through the bulk-import "
        "state machine",
        description="Rows in error go to FILE.errors.csv (row,field,reason); the good rows are stored and "
        "counted in their account's quarter, without running the pipeline. Importing the same file the "
        "same way again changes nothing. With --signals the file holds account signals (columns "
        "account_id, quarter, kind, as_of and the kind's values), which take the signals API's path.",
    )
    history.add_argument("file", help="a .csv file with a header row, or .jsonl / .ndjson")
    history.add_argument(
        "--mapping", help='JSON file: {"score": "NPS Score", ...}; canonical names by default'
    )
    history.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN", help="one field's column (repeatable)"
    )
    history.add_argument("--vendor", default="generic", help="the vendor whose response ids the file holds")
    history.add_argument("--program", default=DEFAULT_PROGRAM, help="for rows without a program column")
    history.add_argument("--kind", choices=["relational", "transactional"], default="relational")
    history.add_argument(
        "--signals", action="store_true", help="the file holds account signals, not survey responses"
    )
    history.add_argument(
        "--url",
        help="import into a running `npsops serve` (default: a standalone embedded AWS, for this run)",
    )

    accounts = commands.add_parser("accounts", help="accounts ranked by risk on a running serve")
    accounts.add_argument("--quarter", help="e.g. 2026-Q4 (default: the current quarter)")
    accounts.add_argument("--limit", type=int, default=25)
    accounts.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    signals = commands.add_parser("signals", help="send account signals (a JSON list) to a running serve")
    signals.add_argument("file", help='JSON list of {"account_id", "quarter", "kind", "as_of", "values"}')
    signals.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    schedules = commands.add_parser("schedules", help="the schedules; fire one on a running serve")
    schedule_commands = schedules.add_subparsers(dest="schedule_command", required=True)
    schedule_commands.add_parser("list", help="every schedule, its expression and its target")
    fire = schedule_commands.add_parser("run", help="fire a schedule as EventBridge Scheduler would")
    fire.add_argument("name")
    fire.add_argument("--at", required=True, help="the scheduled time, e.g. 2026-11-23 or 2026-11-23T06:00Z")
    for sub in schedule_commands.choices.values():
        sub.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    from local.insight_cli import add_insight_commands

    insight = add_insight_commands(commands, f"http://127.0.0.1:{DEFAULT_PORT}")
    from local.cases_cli import add_case_commands

    insight |= add_case_commands(commands, f"http://127.0.0.1:{DEFAULT_PORT}", _get)
    from local.privacy_cli import add_privacy_commands

    insight |= add_privacy_commands(commands, f"http://127.0.0.1:{DEFAULT_PORT}", _get)
    surveys = commands.add_parser("surveys", help="surveys planned and suppressed, and why (running serve)")
    surveys.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    replay = commands.add_parser(
        "replay", help="run stored history through a threshold set: what would have fired (no side effects)"
    )
    replay.add_argument("--from", dest="first", required=True, help="first day (its quarter on): 2026-01-01")
    replay.add_argument("--until", help="last day (default: today)")
    replay.add_argument("--thresholds", required=True, help="a threshold set as a JSON file")
    replay.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")

    args = parser.parse_args(argv)
    handlers = {
        "demo": _demo,
        "serve": _serve,
        "executions": _executions,
        "events": _events,
        "redrive": _redrive,
        "reconcile": _reconcile,
        "openapi": _openapi,
        "connections": _connections,
        "contacts": _contacts,
        "quarantine": _quarantine,
        "accounts": _accounts,
        "signals": _signals,
        "import": _import,
        "schedules": _schedules,
        "surveys": _surveys,
        "replay": _replay,
    }
    return (handlers | insight)[args.command](args)


def _demo(args: argparse.Namespace) -> int:
    from local.demo import run_demo

    # Everything runs in one process on the GIL; longer slices mean fewer thread hand-offs between
    # the many execution threads (measured: about 10% more responses per second).
    sys.setswitchinterval(0.05)
    result = run_demo(args.accounts, args.responses, args.seed, datetime.now(UTC).date())
    return 0 if result.response_statuses.get("failed", 0) == 0 else 1


def _serve(args: argparse.Namespace) -> int:
    from local.aws import EmbeddedAws
    from local.book import build_book, signals_for
    from local.crm_sink import CrmSink
    from local.gateway import LocalGateway
    from shared.config import Settings
    from shared.domain.signals import Signal
    from shared.store.accounts import AccountRepository
    from shared.store.signals import SignalRepository

    stop = threading.Event()
    # Ctrl-C and SIGTERM both stop it. SIGINT is handled here, not left to Python's KeyboardInterrupt:
    # a script that starts the server in the background starts it with SIGINT ignored, and Python
    # then never raises KeyboardInterrupt (a CI run in the background hung on it).
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda *_: stop.set())
    # `kill -USR1 <pid>` prints every thread's stack to stderr: what a server that does not stop is doing.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    with EmbeddedAws(crm_destinations=True) as aws:
        settings = Settings.from_env()
        directory = AccountRepository(settings.accounts_table)
        book = build_book(args.accounts, 7, datetime.now(UTC).date())
        for account, _, _, _ in book:
            directory.put(account)
        signals = SignalRepository(settings.signals_table)
        for seeded in signals_for(book, datetime.now(UTC).date(), 7):
            signals.put(Signal.model_validate(seeded))
        sink = CrmSink(aws.crm_queue_url, aws.crm)
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
        while not stop.wait(0.5):  # a timed wait lets the main thread run the signal handler
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
    if args.renewals:
        found = _get(
            f"{args.url}/_local/executions?machine=renewal-escalation&prefix=renewal-{args.renewals}-"
        )
        if not found:
            print(f"no pre-renewal escalation for {args.renewals}")
        for execution in found:
            print(f"{execution['name']}  {execution['status']}  (started {execution['started'][:19]})")
            shown = _get(f"{args.url}/_local/executions/{execution['name']}?machine=renewal-escalation")
            for event in shown["events"]:
                if event["state"] and event["type"].endswith("StateEntered"):
                    print(f"  {event['at'][:19]}  {event['state']}")
        return 0
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
    if args.action == "schemas":
        from local.event_docs import VersionNotBumped, write

        try:
            changed = write()
        except VersionNotBumped as error:
            raise SystemExit(str(error)) from error
        written = "\n".join(f"wrote docs/events/{name}" for name in changed)
        print(written or "docs/events/ is up to date")
        return 0
    if args.action == "tail":
        from local.events_tail import tail

        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends a tail
            tail(_get, args.url, follow=not args.no_follow)
        return 0
    for event in _get(f"{args.url}/_local/events"):
        detail = event["detail"]
        when, kind = detail["occurred_at"][:19], event["detail-type"]
        print(f"{when}  {kind:<18} {detail['account_id']:<10} {detail['event_id']}")
    return 0


def _schedules(args: argparse.Namespace) -> int:
    if args.schedule_command == "list":
        for spec in _get(f"{args.url}/_local/schedules"):
            print(f"{spec['name']:<24} {spec['expression']:<22} → {spec['target']:<22} {spec['description']}")
        return 0
    at = _scheduled_time(args.at)
    fired = _get(f"{args.url}/_local/schedules/{args.name}?at={urllib.parse.quote(at)}", method="POST")
    print(f"{fired['schedule']} fired at {fired['at']}")
    print(json.dumps(fired["result"], indent=2, default=str))
    return 0


def _surveys(args: argparse.Namespace) -> int:
    from local.surveys import print_surveys

    print_surveys(_get(f"{args.url}/v1/surveys"))
    return 0


def _replay(args: argparse.Namespace) -> int:
    from local.surveys import print_replay

    with open(args.thresholds) as file:
        thresholds = json.load(file)
    until = args.until or datetime.now(UTC).date().isoformat()
    request = {"from": args.first, "until": until, "thresholds": thresholds}
    print_replay(_get(f"{args.url}/_local/replay", method="POST", body=request))
    return 0


def _scheduled_time(text: str) -> str:
    """A date means its midnight UTC; a time without a zone is UTC, as Scheduler's expressions are."""
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


def _redrive(args: argparse.Namespace) -> int:
    if args.aws:
        from local.aws_redrive import redrive_stack

        result = redrive_stack(args.aws)
    else:
        result = _get(f"{args.url}/_local/redrive", method="POST")
    restarted = result["restarted"]
    print(f"restarted {len(restarted)} failed responses" + "".join(f"\n  {name}" for name in restarted))
    for queue, moved in result.get("dead_letters", {}).items():
        print(f"redrove {moved} dead-lettered events from {queue}")
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    """Fires the daily reconciliation schedule (functions/schedules.py) on a running `npsops serve`."""
    at = urllib.parse.quote(datetime.now(UTC).isoformat())
    report = _get(f"{args.url}/_local/schedules/reconcile?at={at}", method="POST")["result"]
    print(
        f"checked {report['roll_ups_checked']} roll-ups from {report['responses_counted']} settled "
        f"responses; {len(report['drifted'])} drifted, {len(report['unsettled'])} with responses in "
        "flight (left alone)"
    )
    for drift in report["drifted"]:
        stored, expected = drift["stored"], drift["expected"]
        print(
            f"  {drift['account_id']} {drift['quarter']} {drift['program']} {drift['kind']}: "
            f"stored P/Pa/D {stored['promoters']}/{stored['passives']}/{stored['detractors']}, "
            f"responses say {expected['promoters']}/{expected['passives']}/{expected['detractors']}"
            + (" (repaired)" if drift["repaired"] else " (changed meanwhile: not repaired, run again)")
        )
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


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pydantic import ValidationError

    from local.importer import ImportFailed, describe, mapping_from

    path = Path(args.file).resolve()
    if not path.is_file():
        raise SystemExit(f"no file {path}")
    try:
        mapping = mapping_from(Path(args.mapping) if args.mapping else None, args.map)
    except ValidationError as error:  # an unknown field, an empty column name
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise SystemExit(f"bad mapping: {problems}") from error
    except (ValueError, OSError) as error:  # not field=Column, no such mapping file, not JSON
        raise SystemExit(f"bad mapping: {error}") from error
    if args.url:
        # The serve reads the file itself (same machine) and runs the import; its progress is on its
        # own terminal. An import of a large file takes minutes: wait for it.
        request = {"path": str(path), "mapping": mapping.model_dump(), "vendor": args.vendor}
        request |= {"program": args.program, "kind": args.kind, "content": _import_content(args).value}
        answer = urllib.request.Request(
            f"{args.url}/_local/import", method="POST", data=json.dumps(request).encode()
        )
        try:
            with urllib.request.urlopen(answer, timeout=3600) as reply:
                print(json.loads(reply.read())["text"])
        except urllib.error.HTTPError as error:
            raise SystemExit(json.loads(error.read() or b"{}").get("error", str(error))) from error
        except urllib.error.URLError as error:
            raise SystemExit(f"no npsops serve at {args.url}: {error.reason}") from error
        return 0

    from local.aws import EmbeddedAws
    from local.importer import run_import
    from shared.domain.models import SurveyKind

    sys.setswitchinterval(0.05)  # as `npsops demo`: fewer hand-offs between execution threads
    with EmbeddedAws() as aws:
        try:
            outcome = run_import(
                aws,
                path,
                mapping,
                args.vendor,
                args.program,
                SurveyKind(args.kind),
                content=_import_content(args),
            )
        except ImportFailed as error:
            raise SystemExit(str(error)) from error
    print(describe(outcome, path))
    print(
        "  (a standalone embedded AWS: what it imported lived for this run only; "
        "import into a running `npsops serve` with --url)"
    )
    return 0


def _import_content(args: argparse.Namespace) -> ImportContent:
    from shared.services.bulk_import import ImportContent

    if args.signals and (args.mapping or args.map):
        raise SystemExit("a signals file has the canonical columns: --mapping and --map are for responses")
    return ImportContent.SIGNALS if args.signals else ImportContent.RESPONSES


def _accounts(args: argparse.Namespace) -> int:
    query = f"?limit={args.limit}" + (f"&quarter={args.quarter}" if args.quarter else "")
    rows = _get(f"{args.url}/v1/accounts{query}")
    print(
        f"{'risk':>5} {'health':>6}  {'account':<24} {'segment':<11} {'ARR':>9}  NPS(n) by quarter, MoE last"
    )
    for row in rows:
        account, health = row["account"], row["health"]
        trend = " → ".join(
            f"{q['nps']['nps']:+.0f}({q['nps']['n']})" if q["nps"]["nps"] is not None else "-"
            for q in row["nps_by_quarter"]
        )
        latest = row["nps_by_quarter"][-1]["nps"]
        moe = f" ±{latest['margin_of_error']:.0f}" if latest["nps"] is not None else ""
        score = f"{health['score']:6.0f}" if health["score"] is not None else "     -"
        print(
            f"{row['risk']:5.1f} {score}  {account['account_id']:<24} {account['segment']:<11} "
            f"{account['arr']:>9,.0f}  {trend}{moe}"
        )
        inputs = ", ".join(
            f"{name} {value:.0f}" if value is not None else f"{name} -"
            for name, value in health["components"].items()
        )
        missing = f" (missing: {', '.join(health['missing'])})" if health["missing"] else ""
        print(f"{'':14}health inputs: {inputs}{missing}")
        if row["rules_fired"]:
            print(f"{'':14}fired: {', '.join(row['rules_fired'])}")
        for case in row["open_cases"][:3]:
            print(f"{'':14}open: {case['rule']:<20} {case['owner']:<18} due {case['due_at'][:16]}")
    return 0


def _signals(args: argparse.Namespace) -> int:
    with open(args.file) as listed:
        signals = json.load(listed)
    taken = _get(f"{args.url}/v1/signals", method="PUT", body={"signals": signals})
    print(
        f"stored {taken['stored']}, older than stored {taken['stale']}; opened {len(taken['opened'])} cases"
    )
    for case_id in taken["opened"]:
        print(f"  {case_id}")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from local.openapi import openapi_document

    print(json.dumps(openapi_document(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

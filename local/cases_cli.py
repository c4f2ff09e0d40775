"""`npsops cases ...`: one's cases and the closed loop on a running `npsops serve` (its cases API),
and `npsops executions --renewals ACCOUNT`: an account's pre-renewal escalations, checkpoint by
checkpoint."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

Handler = Callable[[argparse.Namespace], int]
Fetch = Callable[..., Any]


def add_case_commands(commands: Any, default_url: str, fetch: Fetch) -> dict[str, Handler]:
    """Adds `cases` to the `npsops` sub-parsers; returns its handler. `fetch(url, method, body)`
    is the CLI's HTTP helper (it turns refusals into a clear exit)."""
    cases = commands.add_parser("cases", help="cases: list one's own, act on one, the loop's metrics")
    actions = cases.add_subparsers(dest="case_command", required=True)
    listing = actions.add_parser("list", help="cases, oldest due first")
    listing.add_argument("--owner", help="e.g. 'Ava CSM' (default: everyone's)")
    listing.add_argument("--account")
    listing.add_argument(
        "--status", choices=["open", "contacted", "escalated", "resolved", "recovered", "reopened"]
    )
    show = actions.add_parser("show", help="one case with its history")
    ack = actions.add_parser("ack", help="say you have it (the SLA keeps running until a contact)")
    contact = actions.add_parser("contact", help="log a contact with the customer")
    contact.add_argument("--note", required=True, help="what was said")
    resolve = actions.add_parser("resolve", help="resolve with root cause and action (asks a follow-up)")
    resolve.add_argument("--root-cause", required=True)
    resolve.add_argument("--action", required=True, dest="action_taken")
    for sub in (show, ack, contact, resolve):
        sub.add_argument("case_id")
    for sub in (ack, contact, resolve):
        sub.add_argument("--by", required=True, help="who acts")
    actions.add_parser("metrics", help="save rate, time to first contact and recovery, SLAs kept")
    for sub in actions.choices.values():
        sub.add_argument("--url", default=default_url)

    def run(args: argparse.Namespace) -> int:
        base = f"{args.url}/v1/cases"
        command = args.case_command
        if command == "list":
            query = {
                k: v
                for k, v in (("owner", args.owner), ("account_id", args.account), ("status", args.status))
                if v
            }
            print_cases(fetch(f"{base}?{urlencode(query)}" if query else base))
        elif command == "metrics":
            print_metrics(fetch(f"{base}/metrics"))
        elif command == "show":
            print_case(fetch(f"{base}/{quote(args.case_id, safe='')}"))
        else:
            action: dict[str, Any] = {"action": {"ack": "acknowledge"}.get(command, command), "by": args.by}
            if command == "contact":
                action["note"] = args.note
            if command == "resolve":
                action |= {"root_cause": args.root_cause, "action_taken": args.action_taken}
            print_case(fetch(f"{base}/{quote(args.case_id, safe='')}/actions", method="POST", body=action))
        return 0

    return {"cases": run}


def print_cases(cases: list[dict[str, Any]]) -> None:
    if not cases:
        print("no cases")
    for case in cases:
        print(
            f"{case['due_at'][:16]}  {case['status']:<10} {case['owner']:<18} {case['rule']:<28} "
            f"{case['account_id']:<12} {case['case_id']}"
        )


def print_case(case: dict[str, Any]) -> None:
    print(f"{case['case_id']}  ({case['rule']}, {case['account_id']}, {case['quarter']})")
    print(f"  {case['summary']}")
    print(
        f"  owner {case['owner']} ({case['owner_role']}), status {case['status']}, due {case['due_at'][:16]}"
    )
    for field in ("root_cause", "action_taken", "outcome"):
        if case.get(field):
            print(f"  {field.replace('_', ' ')}: {case[field]}")
    for change in case["history"]:
        print(
            f"    {change['at'][:16]}  {change['status']:<10} {change['by']:<14} {change.get('note') or ''}"
        )


def print_metrics(rows: list[dict[str, Any]]) -> None:
    def shown(value: float | None, scale: float = 1, unit: str = "") -> str:
        return "-" if value is None else f"{value * scale:.0f}{unit}"

    header = ("quarter", "segment", "cases", "saved", "1st contact", "recovery", "SLA kept")
    print("{:<8} {:<12} {:>5} {:>6} {:>11} {:>9} {:>8}".format(*header))
    for row in rows:
        print(
            "{:<8} {:<12} {:>5} {:>6} {:>11} {:>9} {:>8}".format(
                row["quarter"],
                row["segment"],
                row["cases"],
                shown(row["save_rate"], 100, "%"),
                shown(row["median_hours_to_first_contact"], 1, " h"),
                shown(row["median_days_to_recovery"], 1, " d"),
                shown(row["sla_kept_share"], 100, "%"),
            )
        )

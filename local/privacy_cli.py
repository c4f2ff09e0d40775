"""`npsops privacy export CONTACT --by NAME` and `npsops privacy erase CONTACT --by NAME`: a contact's
data on a running `npsops serve` (its privacy API). Both are audited under the name given."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

Handler = Callable[[argparse.Namespace], int]
Fetch = Callable[..., Any]


def add_privacy_commands(commands: Any, default_url: str, fetch: Fetch) -> dict[str, Handler]:
    """Adds `privacy` to the `npsops` sub-parsers; returns its handler. `fetch(url, method, body)` is
    the CLI's HTTP helper (it turns refusals, such as an unknown contact, into a clear exit)."""
    privacy = commands.add_parser("privacy", help="a contact's data: export it, or erase it (audited)")
    actions = privacy.add_subparsers(dest="privacy_command", required=True)
    export = actions.add_parser("export", help="everything stored about the contact, as JSON")
    export.add_argument("--program", help="one program's responses and survey requests (default: all)")
    export.add_argument("--by", default=getpass.getuser(), help="who asks (default: you, the OS user)")
    erase = actions.add_parser("erase", help="remove what identifies the contact everywhere; scores are kept")
    erase.add_argument("--by", required=True, help="who asks (recorded in the audit)")
    for sub in actions.choices.values():
        sub.add_argument("contact_id")
        sub.add_argument("--url", default=default_url)

    def run(args: argparse.Namespace) -> int:
        base = f"{args.url}/v1/contacts/{quote(args.contact_id, safe='')}"
        if args.privacy_command == "export":
            query = {"by": args.by} | ({"program": args.program} if args.program else {})
            print(json.dumps(fetch(f"{base}/export?{urlencode(query)}"), indent=2))
        else:
            print_erasure(fetch(f"{base}/erase", method="POST", body={"by": args.by}))
        return 0

    return {"privacy": run}


def print_erasure(result: dict[str, Any]) -> None:
    changed = result["changed"]
    if not any(changed.values()):
        print(f"{result['contact_id']}: nothing personal left to erase (audited)")
        return
    print(f"{result['contact_id']}: erased (audited at {result['audit']['at']})")
    for table, count in sorted(changed.items()):
        print(f"  {table:<12} {count} item(s)")

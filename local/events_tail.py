"""`npsops events tail`: follow a running `npsops serve` as its CRM sink receives events, printing
each event as the outbox gets it and each request a CRM got (or the event it dead-lettered)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

Fetch = Callable[[str], Any]


def event_line(event: dict[str, Any]) -> str:
    detail = event["detail"]
    return (
        f"{detail['occurred_at'][:19]}  {event['detail-type']:<22} {detail['account_id']:<12} "
        f"v{detail.get('data_version', '?')} {detail['event_id']}"
    )


def delivery_line(delivery: dict[str, Any]) -> str:
    body = json.dumps(delivery["body"], separators=(",", ":"))
    status = "" if delivery["status"] == "delivered" else f"  DEAD-LETTERED ({delivery['error']})"
    redriven = " (redriven)" if delivery["source"] != "npsops" else ""
    return (
        f"  → {delivery['crm']:<10} {delivery['method']} {delivery['url']}{redriven}{status}\n"
        f"    {body[:300]}{'…' if len(body) > 300 else ''}"
    )


def tail(
    fetch: Fetch, url: str, follow: bool = True, interval: float = 1.0, print_: Callable[[str], None] = print
) -> int:
    """Print what arrived since the start; with `follow`, keep printing until interrupted."""
    events_seen = deliveries_seen = 0
    while True:
        events = fetch(f"{url}/_local/events?from={events_seen}")
        deliveries = fetch(f"{url}/_local/crm?from={deliveries_seen}")
        for event in events:
            print_(event_line(event))
        for delivery in deliveries:
            print_(delivery_line(delivery))
        events_seen += len(events)
        deliveries_seen += len(deliveries)
        if not follow:
            return events_seen + deliveries_seen
        time.sleep(interval)

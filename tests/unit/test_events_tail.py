"""`npsops events tail` prints each event and each CRM request as the serve's sink receives them, once."""

from __future__ import annotations

from typing import Any

from local.crm_sink import render
from local.event_examples import example_event
from local.events_tail import tail
from shared.crm.hubspot import HUBSPOT
from shared.events import DetailType
from shared.events.catalog import CATALOG


def test_tail_prints_events_and_crm_requests_once_each() -> None:
    event = example_event(CATALOG.entry(DetailType.ACCOUNT_HEALTH_CHANGED))
    mapping = next(m for m in HUBSPOT.mappings if m.name == "hubspot-health")
    request = render(HUBSPOT, mapping, event)
    delivery = {
        "status": "dead-lettered",
        "error": "503",
        "source": "npsops",
        "crm": request.crm,
        "method": request.method,
        "url": request.url,
        "body": request.body,
    }
    served = {"/_local/events": [event], "/_local/crm": [delivery]}
    asked: list[str] = []

    def fetch(url: str) -> Any:
        asked.append(url)
        route, _, query = url.removeprefix("http://serve").partition("?")
        return served[route][int(query.removeprefix("from=")) :]

    printed: list[str] = []
    assert tail(fetch, "http://serve", follow=False, print_=printed.append) == 2
    version = f"v{CATALOG.entry(DetailType.ACCOUNT_HEALTH_CHANGED).version}"
    assert printed[0].startswith("2026-11-02T09:30:00  AccountHealthChanged") and version in printed[0]
    assert "hubspot    PATCH https://api.hubapi.com/crm/v3/objects/companies/acct-021" in printed[1]
    assert "DEAD-LETTERED (503)" in printed[1] and '"npsops_health_score":46.25' in printed[1]
    assert asked == ["http://serve/_local/events?from=0", "http://serve/_local/crm?from=0"]

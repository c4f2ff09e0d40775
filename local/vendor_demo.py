"""The demo's vendor phase: a Delighted connection delivering signed webhooks as Delighted does,
with updates out of order, redeliveries and contacts the directory learns only afterwards."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from shared.domain.accounts import Account

CONNECTION = "delighted-demo"
SIGNING_KEY = "demo-delighted-secret"
UNKNOWN_AT_FIRST = 5  # contacts the directory learns only after their answers arrived


class Poster(Protocol):
    def send(
        self, method: str, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]: ...


def run_vendor_phase(
    poster: Poster,
    book: list[tuple[Account, list[str], float, float]],
    today: date,
    seed: int,
    contacts: int = 40,
) -> tuple[Counter[str], str]:
    """Returns the intake statuses of the deliveries and a report line."""
    rng = random.Random(seed + 2)
    people = [(account, contact) for account, ids, _, _ in book for contact in ids][:contacts]
    directory = [
        {
            "contact_id": contact,
            "account_id": account.account_id,
            "email": f"{contact}@{account.account_id}.example",
        }
        for account, contact in people
    ]
    poster.send(
        "PUT",
        f"/v1/connections/{CONNECTION}",
        _json({"settings": {"vendor": "delighted"}, "signing_key": SIGNING_KEY}),
    )
    poster.send("PUT", "/v1/contacts", _json({"contacts": directory[:-UNKNOWN_AT_FIRST]}))

    statuses: Counter[str] = Counter()
    noon = datetime.combine(today, time(12), UTC)
    for n, person in enumerate(directory):
        created_at = int((noon - timedelta(hours=n + 2)).timestamp())
        score = max(0, min(10, round(rng.gauss(7, 2.5))))
        created = _delivery(
            f"demo-{n}",
            "survey_response.created",
            f"c-{n}",
            person["email"],
            score,
            created_at,
            created_at,
            None,
        )
        if n % 4 == 0:  # the respondent comes back: a comment and a second thought on the score
            updated = _delivery(
                f"demo-{n}",
                "survey_response.updated",
                f"u-{n}",
                person["email"],
                min(10, score + 3),
                created_at,
                created_at + 600,
                "Thanks for the quick follow-up",
            )
            # Half of them arrive out of order; all are redelivered once.
            order = [updated, created, updated] if n % 8 == 0 else [created, updated, updated]
        else:
            order = [created]
        for body in order:
            statuses[_post(poster, body)] += 1
    unsigned = _delivery(
        "demo-x", "survey_response.created", "c-x", directory[0]["email"], 5, created_at, created_at, None
    )
    refused = poster.send(
        "POST", f"/v1/webhooks/{CONNECTION}", unsigned, {"Content-Type": "application/json"}
    )[0]
    _, learned = poster.send("PUT", "/v1/contacts", _json({"contacts": directory[-UNKNOWN_AT_FIRST:]}))
    released = len(learned["released"])
    line = (
        f"VENDOR WEBHOOKS  Delighted, signed: {sum(statuses.values())} deliveries → "
        + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
        + f"; an unsigned one refused {refused}; {released} quarantined answers released when the directory "
        "learned their contacts"
    )
    return statuses, line


def _post(poster: Poster, body: bytes) -> str:
    signature = "sha256=" + hmac.new(SIGNING_KEY.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Delighted-Webhook-Signature": signature}
    status, reply = poster.send("POST", f"/v1/webhooks/{CONNECTION}", body, headers)
    return str(reply.get("status", status))


def _delivery(
    response_id: str,
    event_type: str,
    event_id: str,
    email: str,
    score: int,
    created: int,
    updated: int,
    comment: str | None,
) -> bytes:
    """A Delighted survey_response event, as its webhook documentation shows it."""
    return _json(
        {
            "event_type": event_type,
            "event_id": event_id,
            "event_data": {
                "id": response_id,
                "person": {"id": f"p-{response_id}", "email": email, "name": None, "created_at": created},
                "survey_type": "nps",
                "score": score,
                "comment": comment,
                "permalink": f"https://delighted.com/r/{response_id}",
                "created_at": created,
                "updated_at": updated,
                "person_properties": None,
                "notes": [],
                "tags": [],
            },
        }
    )


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()

"""Publishes envelopes to the EventBridge bus, for work that runs outside the response pipeline
(the pipeline publishes its outbox with a direct Step Functions integration instead)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.observability import logger
from shared.store.dynamo import StoreUnavailable, error_code
from shared.store.queues import sqs

_MAX_ENTRIES = 10  # PutEvents' limit per request


@cache
def _client() -> Any:
    return boto3.client("events")


class EventPublisher:
    def __init__(self, unpublished_queue_url: str | None = None) -> None:
        self._unpublished = unpublished_queue_url

    def publish(self, entries: list[dict[str, Any]]) -> None:
        """Every entry on the bus, parked for redrive, or an error.

        A partly failed batch is retried for the failed entries once. What the bus still refuses,
        or every entry when the bus cannot be reached, is parked in the unpublished-events queue,
        which `npsops redrive` puts back on the bus with the same event ids. Parking, not raising,
        is what keeps them: the caller has stored the change they announce, so its retry would find
        the work done and announce nothing. Without that queue, or when parking fails too, raises
        StoreUnavailable."""
        # The entries are the pipeline's (shared/events.put_events_entry), whose Detail is an object
        # for Step Functions to serialise; the SDK wants the JSON text.
        ready = [
            e | {"Detail": e["Detail"] if isinstance(e["Detail"], str) else json.dumps(e["Detail"])}
            for e in entries
        ]
        refused: list[dict[str, Any]] = []
        errors: set[str] = set()
        for start in range(0, len(ready), _MAX_ENTRIES):
            left, why = _put(ready[start : start + _MAX_ENTRIES])
            refused += left
            errors |= why
        if refused:
            self._park(refused, errors)

    def _park(self, entries: list[dict[str, Any]], errors: set[str]) -> None:
        why = f"{len(entries)} events were not accepted by the bus ({', '.join(sorted(errors))})"
        if self._unpublished is None:
            raise StoreUnavailable(why)
        bodies = [_as_delivered(entry) for entry in entries]
        try:
            for start in range(0, len(bodies), _MAX_ENTRIES):
                batch = bodies[start : start + _MAX_ENTRIES]
                sent = sqs().send_message_batch(
                    QueueUrl=self._unpublished,
                    Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)],
                )
                if sent.get("Failed"):
                    raise StoreUnavailable(f"{why}, and {len(sent['Failed'])} could not be parked")
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"{why}, and could not be parked: {error}") from error
        logger.warning("events parked for redrive", extra={"parked": len(entries), "reason": why})


def _as_delivered(entry: dict[str, Any]) -> str:
    """The entry as EventBridge would have delivered it to a queue: what the redrive reads back."""
    event = {
        "source": entry["Source"],
        "detail-type": entry["DetailType"],
        "detail": json.loads(entry["Detail"]),
    }
    return json.dumps(event)


def _put(batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    """PutEvents, then once more for what failed; returns what the bus did not take, and why."""
    errors: set[str] = set()
    for _ in range(2):
        try:
            result = _client().put_events(Entries=batch)
        except (ClientError, BotoCoreError) as error:
            return batch, {error_code(error) if isinstance(error, ClientError) else type(error).__name__}
        if not result.get("FailedEntryCount"):
            return [], errors
        failed = [(e, r) for e, r in zip(batch, result["Entries"], strict=True) if "ErrorCode" in r]
        errors.update(r["ErrorCode"] for _, r in failed)
        batch = [e for e, _ in failed]
    return batch, errors

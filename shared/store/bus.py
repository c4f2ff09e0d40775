"""Publishes envelopes to the EventBridge bus, for work that runs outside the response pipeline
(the pipeline publishes its outbox with a direct Step Functions integration instead)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.store.dynamo import StoreUnavailable

_MAX_ENTRIES = 10  # PutEvents' limit per request


@cache
def _client() -> Any:
    return boto3.client("events")


class EventPublisher:
    def publish(self, entries: list[dict[str, Any]]) -> None:
        """Every entry, or an error: a partly failed batch is retried for the failed entries once,
        then raised so the caller's retry (an API client, a scheduled sweep) takes it again."""
        # The entries are the pipeline's (shared/events.put_events_entry), whose Detail is an object
        # for Step Functions to serialise; the SDK wants the JSON text.
        ready = [
            e | {"Detail": e["Detail"] if isinstance(e["Detail"], str) else json.dumps(e["Detail"])}
            for e in entries
        ]
        for start in range(0, len(ready), _MAX_ENTRIES):
            batch = ready[start : start + _MAX_ENTRIES]
            for _ in range(2):
                try:
                    result = _client().put_events(Entries=batch)
                except (ClientError, BotoCoreError) as error:
                    raise StoreUnavailable(f"could not publish events: {error}") from error
                if not result.get("FailedEntryCount"):
                    break
                batch = [e for e, r in zip(batch, result["Entries"], strict=True) if "ErrorCode" in r]
            else:
                raise StoreUnavailable(f"{len(batch)} events were not accepted by the bus")

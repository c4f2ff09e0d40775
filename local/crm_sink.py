"""The local CRM: drains the CRM outbox queue (the bus rule's target) and keeps what arrived."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import boto3

from local.aws import REGION


class CrmSink:
    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url
        self._sqs = boto3.client("sqs", region_name=REGION)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.received: list[dict[str, Any]] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="crm-sink", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.drain()

    def drain(self) -> int:
        """Receive everything waiting now; returns how many arrived."""
        arrived = 0
        while True:
            batch = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10)
            messages = batch.get("Messages", [])
            if not messages:
                return arrived
            with self._lock:
                self.received += [json.loads(m["Body"]) for m in messages]
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            arrived += len(messages)

    def by_detail_type(self) -> Counter[str]:
        with self._lock:
            return Counter(event["detail-type"] for event in self.received)

    def since(self, index: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.received[index:]

    def _run(self) -> None:
        while not self._stop.wait(1.0):  # a short queue keeps moto's per-message O(depth) work small
            self.drain()

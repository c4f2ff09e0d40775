"""The local CRM: drains the CRM outbox queue (the bus rule's target) and keeps what arrived, and,
with the CRM destinations provisioned (`LocalCrm`), shows what each CRM would have received.

On AWS each mapping of shared/crm is a bus rule whose target is an API destination (or the Slack
pipe). Locally each is the same rule, with the same pattern, whose target is a queue standing in for
the API destination; the sink renders the request the CRM would get (the same input transformer, or
the same Slack mapping function), hands it to a local endpoint, and, as EventBridge does, retries a
failing delivery and then parks the event in that CRM's DLQ, from where `npsops redrive` puts it back.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import boto3

from shared.crm import CrmDestination, CrmMapping, destinations
from shared.events import BUS_NAME
from shared.store.dead_letters import DeadLetterQueue

# Where the requests would go (the hosts are each CRM's; the instance and webhook are examples).
LOCAL_ENDPOINTS = {
    "hubspot": "https://api.hubapi.com/crm/v3/objects/companies/*",
    "salesforce": "https://npsops-local.my.salesforce.com/services/data/v62.0/sobjects/Account/"
    "Npsops_Account_Id__c/*",
    "slack": "https://hooks.slack.com/services/T000/B000/LOCAL",
}
# EventBridge retries a failing target (with backoff, up to 24 h) before the DLQ; locally at once.
DELIVERY_ATTEMPTS = 3
OUTBOX_DLQ = "npsops-crm-outbox-dlq"
OUTBOX_MAX_RECEIVES = 5  # infra/constructs/events.py

Endpoint = Callable[["CrmRequest"], None]  # raises when the CRM refuses


@dataclass(frozen=True)
class CrmRequest:
    crm: str
    mapping: str
    method: str
    url: str
    body: dict[str, Any]


@dataclass
class LocalCrm:
    """The CRM rules' stand-in queues (by mapping name) and each destination's DLQ."""

    queues: dict[str, str] = field(default_factory=dict)
    dead_letter_queues: dict[str, DeadLetterQueue] = field(default_factory=dict)  # by CRM name
    outbox_dlq: DeadLetterQueue | None = None


def provision(outbox_url: str) -> LocalCrm:
    """What infra/constructs/crm.py deploys, with queues for API destinations, and the outbox DLQ."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    crm = LocalCrm()
    dlq_url = sqs.create_queue(QueueName=OUTBOX_DLQ)["QueueUrl"]
    dlq_arn = _arn(sqs, dlq_url)
    policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(OUTBOX_MAX_RECEIVES)}
    sqs.set_queue_attributes(QueueUrl=outbox_url, Attributes={"RedrivePolicy": json.dumps(policy)})
    crm.outbox_dlq = DeadLetterQueue("CrmOutboxDlq", dlq_url, source_queue_url=outbox_url)
    for destination in destinations():
        url = sqs.create_queue(QueueName=f"npsops-crm-{destination.name}-dlq")["QueueUrl"]
        crm.dead_letter_queues[destination.name] = DeadLetterQueue(
            f"{destination.name}-dlq", url, redrive_source=destination.redrive_source
        )
        for mapping in destination.mappings:
            queue_url = sqs.create_queue(QueueName=f"npsops-crm-{mapping.name}")["QueueUrl"]
            events.put_rule(
                Name=mapping.name,
                EventBusName=BUS_NAME,
                EventPattern=json.dumps(destination.rule_pattern(mapping)),
                Description=mapping.description,
            )
            events.put_targets(
                Rule=mapping.name,
                EventBusName=BUS_NAME,
                Targets=[{"Id": destination.name, "Arn": _arn(sqs, queue_url)}],
            )
            crm.queues[mapping.name] = queue_url
    return crm


def render(destination: CrmDestination, mapping: CrmMapping, event: dict[str, Any]) -> CrmRequest:
    """The request a CRM receives for an event: what the API destination sends on AWS."""
    url = destination.path(mapping, LOCAL_ENDPOINTS[destination.name], event)
    if destination.query:
        url += "?" + urlencode(dict(destination.query))
    return CrmRequest(
        destination.name, mapping.name, destination.http_method, url, destination.body(mapping, event)
    )


def _accept(request: CrmRequest) -> None:
    """The local CRMs accept everything."""


class CrmSink:
    def __init__(
        self, queue_url: str, crm: LocalCrm | None = None, endpoints: dict[str, Endpoint] | None = None
    ) -> None:
        self._queue_url = queue_url
        self._crm = crm
        self._endpoints = endpoints or {}
        self._sqs: Any = boto3.client("sqs")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.received: list[dict[str, Any]] = []
        # Each CRM request, delivered or dead-lettered, in arrival order (`npsops events tail`).
        self.deliveries: list[dict[str, Any]] = []
        self._mappings = {m.name: (d, m) for d in destinations() for m in d.mappings}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="crm-sink", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.drain()

    def drain(self) -> int:
        """Receive everything waiting now (the outbox, then each CRM's queue); returns how many
        events the outbox received."""
        arrived = 0
        while messages := self._receive(self._queue_url):
            with self._lock:
                self.received += [json.loads(m["Body"]) for m in messages]
            self._delete(self._queue_url, messages)
            arrived += len(messages)
        for name, url in (self._crm.queues if self._crm else {}).items():
            while messages := self._receive(url):
                for message in messages:
                    self._deliver(name, json.loads(message["Body"]))
                self._delete(url, messages)
        return arrived

    def by_detail_type(self) -> Counter[str]:
        with self._lock:
            return Counter(event["detail-type"] for event in self.received)

    def by_crm(self) -> Counter[str]:
        with self._lock:
            return Counter(f"{d['crm']} {d['status']}" for d in self.deliveries)

    def since(self, index: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.received[index:]

    def deliveries_since(self, index: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.deliveries[index:]

    def _deliver(self, mapping_name: str, event: dict[str, Any]) -> None:
        destination, mapping = self._mappings[mapping_name]
        request = render(destination, mapping, event)
        endpoint = self._endpoints.get(destination.name, _accept)
        error: Exception | None = None
        for _ in range(DELIVERY_ATTEMPTS):
            try:
                endpoint(request)
                error = None
                break
            except Exception as failed:  # whatever the CRM answered: retried, then dead-lettered
                error = failed
        if error is not None and self._crm is not None:
            # As EventBridge does: the event, unchanged, to the target's DLQ.
            self._sqs.send_message(
                QueueUrl=self._crm.dead_letter_queues[destination.name].url, MessageBody=json.dumps(event)
            )
        record = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "status": "dead-lettered" if error else "delivered",
            "error": str(error) if error else None,
            "detail-type": event["detail-type"],
            "source": event["source"],
            "event_id": event["detail"]["event_id"],
            "account_id": event["detail"]["account_id"],
        } | {"crm": request.crm, "mapping": request.mapping, "method": request.method}
        with self._lock:
            self.deliveries.append(record | {"url": request.url, "body": request.body})

    def _receive(self, url: str) -> list[dict[str, Any]]:
        batch = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        return list(batch.get("Messages", []))

    def _delete(self, url: str, messages: list[dict[str, Any]]) -> None:
        self._sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )

    def _run(self) -> None:
        while not self._stop.wait(1.0):  # a short queue keeps moto's per-message O(depth) work small
            self.drain()


def _arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

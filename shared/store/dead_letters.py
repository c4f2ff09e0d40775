"""Dead-letter queues of the event path, and putting what they hold back on its way.

Three kinds of queue hold EventBridge events (the event as a rule target would have received it):
- a CRM destination's DLQ (EventBridge could not deliver it, or the Slack pipe failed it): the event
  goes back on the bus under that destination's redrive source, which only its rules match, so the
  CRM that failed gets it again and no other CRM gets it twice;
- the CRM outbox's DLQ: the message goes back into the outbox queue;
- the unpublished events (the bus refused them, shared/store/bus.py): they go on the bus under
  npsops' own source, for every rule, since no consumer got them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.events import SOURCE
from shared.store.bus import EventPublisher
from shared.store.dynamo import StoreUnavailable
from shared.store.queues import sqs

_BATCH = 10  # SQS' ReceiveMessage and DeleteMessageBatch limit
UNPUBLISHED_EVENTS = "UnpublishedEvents"  # the queue's name in CDK, the alarms and a redrive's report


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str  # e.g. HubSpotDlq
    url: str
    # Where its messages go back: the bus under this source, or this queue.
    redrive_source: str | None = None
    source_queue_url: str | None = None

    def __post_init__(self) -> None:
        if (self.redrive_source is None) == (self.source_queue_url is None):
            raise ValueError(f"{self.name}: redrive to the bus or to a queue, exactly one")


def unpublished_events(url: str) -> DeadLetterQueue:
    """The queue of events the bus refused: back on the bus as npsops' own, for every rule."""
    return DeadLetterQueue(UNPUBLISHED_EVENTS, url, redrive_source=SOURCE)


class DeadLetters:
    def __init__(self, publisher: EventPublisher, bus_name: str) -> None:
        self._publisher, self._bus_name = publisher, bus_name

    def redrive(self, dlq: DeadLetterQueue) -> int:
        """Everything waiting in `dlq` back on its way; returns how many. A message is deleted only
        after it is republished, so a failure part-way leaves the rest (and at worst repeats one,
        which consumers deduplicate by the envelope's event_id)."""
        moved = 0
        try:
            while True:
                batch = (
                    sqs()
                    .receive_message(QueueUrl=dlq.url, MaxNumberOfMessages=_BATCH, VisibilityTimeout=60)
                    .get("Messages", [])
                )
                if not batch:
                    return moved
                if dlq.redrive_source is not None:
                    self._publisher.publish([self._entry(dlq.redrive_source, m["Body"]) for m in batch])
                else:
                    sqs().send_message_batch(
                        QueueUrl=dlq.source_queue_url,
                        Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(batch)],
                    )
                sqs().delete_message_batch(
                    QueueUrl=dlq.url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                    ],
                )
                moved += len(batch)
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"could not redrive {dlq.name}: {error}") from error

    def depth(self, dlq: DeadLetterQueue) -> int:
        try:
            attributes = sqs().get_queue_attributes(
                QueueUrl=dlq.url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"could not read {dlq.name}: {error}") from error
        return int(attributes["ApproximateNumberOfMessages"])

    def _entry(self, source: str, body: str) -> dict[str, Any]:
        event = json.loads(body)
        return {
            "EventBusName": self._bus_name,
            "Source": source,
            "DetailType": event["detail-type"],
            "Detail": json.dumps(event["detail"]),
        }

"""The npsops event bus, its archive, the schema registry with every detail type's schema
(shared/events/catalog.py), and one rule per RuleSpec in shared/events/envelope.py with its target."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs import acknowledge
from shared.events import BUS_NAME, CRM_OUTBOX_RULE, RULES, RuleSpec
from shared.events.catalog import CATALOG, SCHEMA_REGISTRY, event_schema
from shared.store.dead_letters import UNPUBLISHED_EVENTS

ARCHIVE_RETENTION = Duration.days(365)
DLQ_RETENTION = Duration.days(14)
# A consumer that fails a message this many times parks it in the outbox's DLQ.
OUTBOX_MAX_RECEIVES = 5
# EventBridge's own retries before an undeliverable event goes to the target DLQ.
TARGET_RETRY_ATTEMPTS = 8
TARGET_MAX_EVENT_AGE = Duration.hours(24)

# EventBridge's JSON pattern keys, as the CDK EventPattern spells them.
_PATTERN_FIELDS = {
    "source": "source",
    "detail-type": "detail_type",
    "detail": "detail",
    "account": "account",
    "region": "region",
    "resources": "resources",
    "id": "id",
    "time": "time",
    "version": "version",
}


def event_pattern(pattern: dict[str, Any]) -> events.EventPattern:
    unknown = pattern.keys() - _PATTERN_FIELDS.keys()
    if unknown:
        raise ValueError(f"event pattern has fields EventBridge does not match on: {sorted(unknown)}")
    return events.EventPattern(**{_PATTERN_FIELDS[key]: value for key, value in pattern.items()})


def queue(scope: Construct, construct_id: str, **props: Any) -> sqs.Queue:
    # SQS-managed SSE, not KMS: EventBridge can only send to a KMS-encrypted queue through a
    # customer-managed key, which costs and adds nothing here.
    return sqs.Queue(
        scope, construct_id, encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True, **props
    )


class EventBus(Construct):
    def __init__(self, scope: Construct, construct_id: str, rules: tuple[RuleSpec, ...] = RULES) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=BUS_NAME)
        self.archive = self.bus.archive(
            "Archive",
            description=f"Every event on the {BUS_NAME} bus, for replay",
            # An archive needs a pattern; the account matches every event on the bus.
            event_pattern=events.EventPattern(account=[Stack.of(self).account]),
            retention=ARCHIVE_RETENTION,
        )

        # Consumers generate code bindings from these; a version bump in the catalog is a new
        # schema version in the registry (CloudFormation updates the schema's content).
        self.schema_registry = eventschemas.CfnRegistry(
            self,
            "SchemaRegistry",
            registry_name=SCHEMA_REGISTRY,
            description=f"Every detail type on the {BUS_NAME} bus, one versioned envelope",
        )
        self.schemas: dict[str, eventschemas.CfnSchema] = {}
        for entry in CATALOG:
            schema = eventschemas.CfnSchema(
                self,
                f"Schema-{entry.detail_type.value}",
                registry_name=SCHEMA_REGISTRY,
                schema_name=entry.schema_name,
                type="JSONSchemaDraft4",
                content=json.dumps(event_schema(entry), sort_keys=True),
                description=f"{entry.description} (data version {entry.version})",
            )
            schema.add_dependency(self.schema_registry)  # the registry must exist first
            self.schemas[entry.detail_type.value] = schema

        # One DLQ for both ways an event can fail to reach the CRM: EventBridge could not deliver it
        # to the outbox (the rule target's DLQ), or a consumer failed it OUTBOX_MAX_RECEIVES times
        # (the outbox's redrive). Either way the fix is the same: redrive it into the outbox.
        self.crm_outbox_dlq = queue(self, "CrmOutboxDlq", retention_period=DLQ_RETENTION)
        self.crm_outbox = queue(
            self,
            "CrmOutbox",
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.crm_outbox_dlq, max_receive_count=OUTBOX_MAX_RECEIVES
            ),
        )
        # Events the bus refused, parked by the functions that publish (shared/store/bus.py) until
        # `npsops redrive` puts them back on the bus. Alarmed on like a DLQ.
        self.unpublished_events = queue(self, UNPUBLISHED_EVENTS, retention_period=DLQ_RETENTION)
        acknowledge(
            self.unpublished_events,
            "AwsSolutions-SQS3",
            "It is where refused events wait for redrive, a dead-letter queue in all but name: a DLQ of "
            "its own would only move them once more.",
        )
        # Every DLQ, for the depth alarms and the dashboard.
        self.dead_letter_queues: dict[str, sqs.Queue] = {
            "CrmOutboxDlq": self.crm_outbox_dlq,
            UNPUBLISHED_EVENTS: self.unpublished_events,
        }

        rule_targets: dict[str, events.IRuleTarget] = {
            CRM_OUTBOX_RULE.name: targets.SqsQueue(
                self.crm_outbox,
                dead_letter_queue=self.crm_outbox_dlq,
                retry_attempts=TARGET_RETRY_ATTEMPTS,
                max_event_age=TARGET_MAX_EVENT_AGE,
            ),
        }
        self.rules: dict[str, events.Rule] = {}
        for spec in rules:
            if spec.name not in rule_targets:
                raise KeyError(
                    f"rule {spec.name!r} (shared/events.py) has no target in infra/constructs/events.py"
                )
            self.rules[spec.name] = events.Rule(
                self,
                f"Rule-{spec.name}",
                event_bus=self.bus,
                description=spec.description,
                event_pattern=event_pattern(spec.pattern),
                targets=[rule_targets[spec.name]],
            )

    def grant_publish(self, function: lambda_.Function) -> None:
        """What a function that publishes its own events needs: PutEvents on the bus, and the queue
        where it parks what the bus refuses."""
        self.bus.grant_put_events_to(function)
        self.unpublished_events.grant_send_messages(function)
        function.add_environment("UNPUBLISHED_EVENTS_QUEUE_URL", self.unpublished_events.queue_url)

"""CRM destinations (HubSpot, Salesforce, Slack), each switched on by CDK context:

    cdk deploy -c 'npsops:crm={"hubspot": {"secret_name": "npsops/crm/hubspot"},
                               "salesforce": {"instance_url": "https://acme.my.salesforce.com",
                                              "secret_name": "npsops/crm/salesforce"},
                               "slack": {"secret_name": "npsops/crm/slack"}}'

Every mapping of shared/crm is one bus rule. HubSpot and Salesforce: the rule's target is an API
destination (through a connection whose credentials are read from Secrets Manager at deploy time)
with the mapping's input transformer, EventBridge's retries and a DLQ. Slack: its message quotes
free text a transformer cannot escape, so the rules feed a queue that an EventBridge pipe drains
through the mapping Lambda into the Slack API destination; the queue's redrive is the DLQ.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import SecretValue
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from infra.constructs import acknowledge
from infra.constructs.events import (
    DLQ_RETENTION,
    OUTBOX_MAX_RECEIVES,
    TARGET_MAX_EVENT_AGE,
    TARGET_RETRY_ATTEMPTS,
    event_pattern,
    queue,
)
from shared.crm import CrmDestination, CrmMapping
from shared.crm import hubspot as hubspot_crm
from shared.crm import salesforce as salesforce_crm
from shared.crm.slack import SLACK

CRM_CONTEXT_KEY = "npsops:crm"
# API destinations throttle themselves: below HubSpot's 100 requests per 10 s for private apps.
INVOCATION_RATE_PER_SECOND = 8


class HubSpotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Secrets Manager secret whose value is "Bearer <private app token>".
    secret_name: str = Field(min_length=1)
    id_property: str = hubspot_crm.ID_PROPERTY


class SalesforceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_url: HttpUrl
    # Secrets Manager secret {"client_id": ..., "client_secret": ...} of a connected app with the
    # OAuth 2.0 client credentials flow.
    secret_name: str = Field(min_length=1)
    api_version: str = Field(default=salesforce_crm.DEFAULT_API_VERSION, pattern=r"^v\d+\.\d$")
    external_id_field: str = salesforce_crm.DEFAULT_EXTERNAL_ID_FIELD


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Secrets Manager secret {"webhook_url": "<the channel's incoming webhook URL>"}.
    secret_name: str = Field(min_length=1)


class CrmSettings(BaseModel):
    """Which CRMs to deploy; none by default (the events still reach the CRM outbox queue)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hubspot: HubSpotSettings | None = None
    salesforce: SalesforceSettings | None = None
    slack: SlackSettings | None = None

    @classmethod
    def of(cls, scope: Construct) -> CrmSettings:
        raw = scope.node.try_get_context(CRM_CONTEXT_KEY) or {}
        return cls.model_validate(json.loads(raw) if isinstance(raw, str) else raw)


class CrmDestinations(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        mapping_function: lambda_.IFunction,
        settings: CrmSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        self._bus = bus
        self.dead_letter_queues: dict[str, sqs.Queue] = {}  # by construct name, for the alarms
        self.dead_letter_queues_by_destination: dict[str, sqs.Queue] = {}  # by shared/crm name
        self.rules: dict[str, events.Rule] = {}  # by mapping name
        self.rules_by_destination: dict[str, list[events.Rule]] = {}
        self.api_destinations: dict[str, events.ApiDestination] = {}
        if settings.hubspot:
            self._hubspot(settings.hubspot)
        if settings.salesforce:
            self._salesforce(settings.salesforce)
        if settings.slack:
            self._slack(settings.slack, mapping_function)

    def _hubspot(self, config: HubSpotSettings) -> None:
        connection = events.Connection(
            self,
            "HubSpotConnection",
            description="HubSpot private app token",
            authorization=events.Authorization.api_key(
                "Authorization", SecretValue.secrets_manager(config.secret_name)
            ),
        )
        destination = self._api_destination("HubSpot", hubspot_crm.HUBSPOT, connection, hubspot_crm.ENDPOINT)
        self._transformed_rules(
            "HubSpot", hubspot_crm.HUBSPOT, destination, query={"idProperty": config.id_property}
        )

    def _salesforce(self, config: SalesforceSettings) -> None:
        instance = str(config.instance_url).rstrip("/")
        connection = events.Connection(
            self,
            "SalesforceConnection",
            description="Salesforce connected app, OAuth 2.0 client credentials",
            authorization=events.Authorization.oauth(
                authorization_endpoint=f"{instance}/services/oauth2/token",
                http_method=events.HttpMethod.POST,
                client_id=SecretValue.secrets_manager(
                    config.secret_name, json_field="client_id"
                ).unsafe_unwrap(),  # a CloudFormation dynamic reference, resolved at deploy time
                client_secret=SecretValue.secrets_manager(config.secret_name, json_field="client_secret"),
                body_parameters={"grant_type": events.HttpParameter.from_string("client_credentials")},
            ),
        )
        endpoint = salesforce_crm.endpoint(instance, config.api_version, config.external_id_field)
        destination = self._api_destination("Salesforce", salesforce_crm.SALESFORCE, connection, endpoint)
        self._transformed_rules("Salesforce", salesforce_crm.SALESFORCE, destination)

    def _slack(self, config: SlackSettings, mapping_function: lambda_.IFunction) -> None:
        # An incoming webhook is authenticated by its URL; a connection still needs an authorization,
        # so it sends a constant header Slack ignores. The URL is the secret: a dynamic reference.
        connection = events.Connection(
            self,
            "SlackConnection",
            description="Slack incoming webhook (the URL is the credential)",
            authorization=events.Authorization.api_key(
                "X-Npsops-Source", SecretValue.unsafe_plain_text("npsops")
            ),
        )
        webhook_url = SecretValue.secrets_manager(
            config.secret_name, json_field="webhook_url"
        ).unsafe_unwrap()
        destination = self._api_destination("Slack", SLACK, connection, webhook_url)
        dlq = self._dlq("Slack", SLACK)
        outbox = queue(
            self,
            "SlackOutbox",
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=OUTBOX_MAX_RECEIVES),
        )
        for mapping in SLACK.mappings:
            self._rule(
                SLACK,
                mapping,
                targets.SqsQueue(
                    outbox,
                    dead_letter_queue=dlq,
                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                    max_event_age=TARGET_MAX_EVENT_AGE,
                ),
            )
        role = iam.Role(self, "SlackPipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
        outbox.grant_consume_messages(role)
        # The function itself, not grant_invoke's "function:*" (its versions): the pipe calls $LATEST.
        role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[mapping_function.function_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["events:InvokeApiDestination"], resources=[destination.api_destination_arn]
            )
        )
        self.slack_pipe = pipes.CfnPipe(
            self,
            "SlackPipe",
            role_arn=role.role_arn,
            source=outbox.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=1)
            ),
            enrichment=mapping_function.function_arn,
            target=destination.api_destination_arn,
            description="Slack messages: the mapping Lambda builds each from its event",
        )

    def _api_destination(
        self, name: str, crm: CrmDestination, connection: events.IConnection, endpoint: str
    ) -> events.ApiDestination:
        destination = events.ApiDestination(
            self,
            f"{name}Destination",
            connection=connection,
            endpoint=endpoint,
            http_method=events.HttpMethod(crm.http_method),
            rate_limit_per_second=INVOCATION_RATE_PER_SECOND,
            description=f"npsops events to {name}",
        )
        self.api_destinations[crm.name] = destination
        return destination

    def _dlq(self, name: str, crm: CrmDestination) -> sqs.Queue:
        dlq = queue(self, f"{name}Dlq", retention_period=DLQ_RETENTION)
        acknowledge(
            dlq,
            "AwsSolutions-SQS3",
            "the dead-letter queue of EventBridge targets: a DLQ has no DLQ of its own",
        )
        self.dead_letter_queues[f"{name}Dlq"] = dlq
        self.dead_letter_queues_by_destination[crm.name] = dlq
        return dlq

    def _transformed_rules(
        self,
        display_name: str,
        crm: CrmDestination,
        destination: events.ApiDestination,
        query: dict[str, str] | None = None,
    ) -> None:
        dlq = self._dlq(display_name, crm)
        for mapping in crm.mappings:
            if mapping.transform is None:
                raise ValueError(f"{crm.name}/{mapping.name} needs a transformer")
            target = targets.ApiDestination(
                destination,
                dead_letter_queue=dlq,
                retry_attempts=TARGET_RETRY_ATTEMPTS,
                max_event_age=TARGET_MAX_EVENT_AGE,
                path_parameter_values=list(mapping.path_parameters),
                query_string_parameters=query,
            )
            rule = self._rule(crm, mapping, target)
            # The transformer as shared/crm defines it, verbatim (the local sink renders the same).
            cfn_rule: Any = rule.node.default_child
            cfn_rule.add_property_override(
                "Targets.0.InputTransformer",
                {"InputPathsMap": dict(mapping.transform.paths), "InputTemplate": mapping.transform.template},
            )

    def _rule(self, crm: CrmDestination, mapping: CrmMapping, target: events.IRuleTarget) -> events.Rule:
        rule = events.Rule(
            self,
            f"Rule-{mapping.name}",
            event_bus=self._bus,
            description=mapping.description,
            event_pattern=event_pattern(crm.rule_pattern(mapping)),
            targets=[target],
        )
        self.rules[mapping.name] = rule
        self.rules_by_destination.setdefault(crm.name, []).append(rule)
        return rule

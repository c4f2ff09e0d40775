"""Survey orchestration in the cloud: the quarterly refresh state machine, and SurveyRequested events
to the survey vendor through an EventBridge API destination, switched on by configuration:

    cdk deploy -c 'npsops:surveys={"vendor": "delighted", "secret_name": "npsops/surveys/delighted"}'
    cdk deploy -c 'npsops:surveys={"vendor": "webhook", "url": "https://...", "secret_name": "..."}'

Delighted's people API (POST /v1/people.json) adds the person and schedules their survey: the rule's
input transformer sends the contact's email, the request's properties (which come back with the
answer: account, contact, touchpoint, the request id) and `delay` (seconds until the due time). The
secret holds the Authorization header value, "Basic " + base64("<API key>:"), as Delighted
authenticates with the API key as the Basic user name and no password. A generic webhook gets the
whole envelope (the event's `detail`) with the secret as its Authorization header.

Without configuration no destination is deployed: the events still reach the CRM outbox queue.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from aws_cdk import SecretValue
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from functions.catalog import QUARTERLY_REFRESH_STEP, SURVEY_PLANNER, SURVEYS_API
from infra.constructs import acknowledge
from infra.constructs.events import (
    DLQ_RETENTION,
    TARGET_MAX_EVENT_AGE,
    TARGET_RETRY_ATTEMPTS,
    EventBus,
    event_pattern,
    queue,
)
from infra.constructs.pipeline import Pipeline
from shared.events import SOURCE, DetailType
from statemachines import QUARTERLY_REFRESH

SURVEYS_CONTEXT_KEY = "npsops:surveys"
DELIGHTED_PEOPLE_ENDPOINT = "https://api.delighted.com/v1/people.json"
# Delighted's API allows a few requests per second per account; a burst of planned surveys waits.
INVOCATION_RATE_PER_SECOND = 5
# The Delighted request body: EventBridge fills <email>, <delay> and <properties> from the event.
DELIGHTED_INPUT_PATHS = {
    "email": "$.detail.data.email",
    "delay": "$.detail.data.delay_seconds",
    "properties": "$.detail.data.properties",
}
DELIGHTED_INPUT_TEMPLATE = '{"email": "<email>", "delay": <delay>, "properties": <properties>}'


class SurveyVendorSettings(BaseModel):
    """Where SurveyRequested goes. `connection` must match the functions' SURVEY_CONNECTION (the
    event names its connection, and the rule only forwards its own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor: Literal["delighted", "webhook"]
    secret_name: str = Field(min_length=1)
    url: HttpUrl | None = None  # the webhook's; Delighted's endpoint is fixed
    connection: str = Field(default=dict(SURVEY_PLANNER.environment)["SURVEY_CONNECTION"], min_length=1)

    @classmethod
    def of(cls, scope: Construct) -> SurveyVendorSettings | None:
        raw = scope.node.try_get_context(SURVEYS_CONTEXT_KEY)
        if not raw:
            return None
        settings = cls.model_validate(json.loads(raw) if isinstance(raw, str) else raw)
        if settings.vendor == "webhook" and settings.url is None:
            raise ValueError(f"{SURVEYS_CONTEXT_KEY}: a webhook vendor needs its url")
        return settings


def survey_requested_pattern(connection: str) -> dict[str, Any]:
    return {
        "source": [SOURCE],
        "detail-type": [DetailType.SURVEY_REQUESTED.value],
        "detail": {"data": {"connection": [connection]}},
    }


class Surveys(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: EventBus,
        functions: dict[str, lambda_.Function],
        vendor: SurveyVendorSettings | None,
    ) -> None:
        super().__init__(scope, construct_id)
        step = functions[QUARTERLY_REFRESH_STEP.name]
        self.refresh = Pipeline(
            self,
            "QuarterlyRefresh",
            spec=QUARTERLY_REFRESH,
            substitutions={str(QUARTERLY_REFRESH_STEP.asl_placeholder): step.function_arn},
            invokes=[step],
        )
        self.state_machine = self.refresh.state_machine
        # They publish their own events (SurveyRequested/Suppressed, ThresholdsRefreshed).
        for name in (SURVEY_PLANNER.name, SURVEYS_API.name, QUARTERLY_REFRESH_STEP.name):
            bus.grant_publish(functions[name])
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.rule: events.Rule | None = None
        if vendor is not None:
            self._vendor(bus.bus, vendor)

    def _vendor(self, bus: events.IEventBus, vendor: SurveyVendorSettings) -> None:
        connection = events.Connection(
            self,
            "VendorConnection",
            description=f"Survey vendor ({vendor.vendor}) API key",
            authorization=events.Authorization.api_key(
                "Authorization", SecretValue.secrets_manager(vendor.secret_name)
            ),
        )
        endpoint = DELIGHTED_PEOPLE_ENDPOINT if vendor.vendor == "delighted" else str(vendor.url)
        destination = events.ApiDestination(
            self,
            "VendorDestination",
            connection=connection,
            endpoint=endpoint,
            http_method=events.HttpMethod.POST,
            rate_limit_per_second=INVOCATION_RATE_PER_SECOND,
            description=f"SurveyRequested to {vendor.vendor}",
        )
        dlq = queue(self, "VendorDlq", retention_period=DLQ_RETENTION)
        self.dead_letter_queues["SurveyVendorDlq"] = dlq
        acknowledge(
            dlq,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the survey vendor rule's target (planned surveys the "
            "vendor's API would not take); a dead-letter queue has no dead-letter queue of its own.",
        )
        # Delighted: the transformer below builds the body. A webhook: the envelope as it is.
        message = None if vendor.vendor == "delighted" else events.RuleTargetInput.from_event_path("$.detail")
        self.rule = events.Rule(
            self,
            "SurveyRequested",
            event_bus=bus,
            description=f"Planned surveys to {vendor.vendor}",
            event_pattern=event_pattern(survey_requested_pattern(vendor.connection)),
            targets=[
                targets.ApiDestination(
                    destination,
                    event=message,
                    dead_letter_queue=dlq,
                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                    max_event_age=TARGET_MAX_EVENT_AGE,
                )
            ],
        )
        if vendor.vendor == "delighted":
            # The transformer verbatim (a JSON body with the email quoted and the rest as JSON).
            cfn_rule: Any = self.rule.node.default_child
            cfn_rule.add_property_override(
                "Targets.0.InputTransformer",
                {"InputPathsMap": DELIGHTED_INPUT_PATHS, "InputTemplate": DELIGHTED_INPUT_TEMPLATE},
            )

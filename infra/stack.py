"""The npsops stack: the constructs wired together, and the outputs a user needs after deploying."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from functions.catalog import (
    ACCOUNTS_API,
    API_FUNCTIONS,
    DIRECTORY,
    IMPORT_CHUNK,
    IMPORT_SPLIT,
    IMPORT_SUMMARIZE,
    INTAKE,
    PIPELINE_FUNCTIONS,
    WEBHOOK,
)
from infra.constructs.bulk_import import BulkImport
from infra.constructs.events import EventBus
from infra.constructs.functions import Functions
from infra.constructs.intake_api import IntakeApi
from infra.constructs.observability import Observability
from infra.constructs.pipeline import Pipeline
from infra.constructs.tables import Tables
from infra.layer import shared_layer
from shared.store.schema import RESPONSES
from statemachines import RESPONSE_PIPELINE, RESPONSES_TABLE_PLACEHOLDER

IMPORT_FUNCTIONS = (IMPORT_SPLIT, IMPORT_CHUNK, IMPORT_SUMMARIZE)


class NpsOpsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.tables = Tables(self, "Tables")
        self.events = EventBus(self, "Events")
        self.functions = Functions(
            self,
            "Functions",
            tables=self.tables,
            bus=self.events.bus,
            layer=shared_layer(self, "SharedLayer"),
        )

        responses = self.tables.table(RESPONSES)
        # The response pipeline's own functions: every function with a ${Placeholder} in its ASL.
        response_steps = [
            s for s in PIPELINE_FUNCTIONS if s.asl_placeholder in RESPONSE_PIPELINE.placeholders()
        ]
        pipeline_functions = [self.functions.function(spec) for spec in response_steps]
        substitutions = {
            spec.asl_placeholder: function.function_arn
            for spec, function in zip(response_steps, pipeline_functions, strict=True)
            if spec.asl_placeholder
        }
        substitutions[RESPONSES_TABLE_PLACEHOLDER] = responses.table_name
        self.pipeline = Pipeline(
            self,
            "ResponsePipeline",
            spec=RESPONSE_PIPELINE,
            substitutions=substitutions,
            invokes=pipeline_functions,
            bus=self.events.bus,
        )
        self.pipeline.grant_update_item(responses.table_arn)

        for taker_spec in (INTAKE, WEBHOOK, DIRECTORY):  # all that takes responses in starts the pipeline
            taker = self.functions.function(taker_spec)
            taker.add_environment("PIPELINE_ARN", self.pipeline.state_machine.state_machine_arn)
            self.pipeline.state_machine.grant_start_execution(taker)
        # Signals (through the API or the bulk importer) open cases outside the pipeline, so those
        # functions publish their own events.
        for signals_taker in (ACCOUNTS_API, IMPORT_CHUNK):
            self.events.bus.grant_put_events_to(self.functions.function(signals_taker))
        self.intake_api = IntakeApi(
            self, "IntakeApi", functions=[(spec, self.functions.function(spec)) for spec in API_FUNCTIONS]
        )

        self.bulk_import = BulkImport(
            self,
            "BulkImport",
            functions={spec.name: self.functions.function(spec) for spec in IMPORT_FUNCTIONS},
        )

        self.observability = Observability(
            self,
            "Observability",
            pipeline=self.pipeline.state_machine,
            api=self.intake_api.api,
            functions=self.functions.all(),
            dead_letter_queues={
                **self.events.dead_letter_queues,
                "ImportTriggerDlq": self.bulk_import.trigger_dlq,
            },
        )

        CfnOutput(self, "ApiUrl", value=self.intake_api.url, description="Intake API base URL")
        CfnOutput(self, "EventBusName", value=self.events.bus.event_bus_name)
        CfnOutput(self, "PipelineArn", value=self.pipeline.state_machine.state_machine_arn)
        CfnOutput(self, "CrmOutboxQueueUrl", value=self.events.crm_outbox.queue_url)
        CfnOutput(self, "DashboardName", value=self.observability.dashboard.dashboard_name)
        CfnOutput(
            self,
            "ImportsBucketName",
            value=self.bulk_import.bucket.bucket_name,
            description="Put a history file (CSV or JSON lines) under uploads/ to import it",
        )
        CfnOutput(self, "BulkImportArn", value=self.bulk_import.state_machine.state_machine_arn)
        for spec, table in self.tables.all():
            CfnOutput(self, f"{spec.logical_name}TableName", value=table.table_name)

"""The npsops stack: the constructs wired together, and the outputs a user needs after deploying."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from functions.catalog import (
    ACCOUNTS_API,
    API_FUNCTIONS,
    CASE_SLA_SWEEP,
    CASES_API,
    CLOSE_THE_LOOP,
    CRM_MAPPING,
    DIRECTORY,
    IMPORT_CHUNK,
    IMPORT_SPLIT,
    IMPORT_SUMMARIZE,
    INTAKE,
    PIPELINE_FUNCTIONS,
    RENEWAL_CHECKPOINTS,
    RENEWAL_SCANNER,
    WEBHOOK,
)
from infra.constructs.bulk_import import BulkImport
from infra.constructs.crm import CrmDestinations, CrmSettings
from infra.constructs.events import EventBus
from infra.constructs.functions import Functions
from infra.constructs.intake_api import IntakeApi
from infra.constructs.observability import Observability
from infra.constructs.pipeline import Pipeline
from infra.constructs.renewals import RenewalEscalation
from infra.constructs.schedules import Schedules
from infra.constructs.surveys import Surveys, SurveyVendorSettings
from infra.constructs.tables import Tables
from infra.layer import shared_layer
from shared.store.schema import RESPONSES
from statemachines import (
    BULK_IMPORT,
    QUARTERLY_REFRESH,
    RENEWAL_ESCALATION,
    RESPONSE_PIPELINE,
    RESPONSES_TABLE_PLACEHOLDER,
)

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
            self.events.grant_publish(self.functions.function(signals_taker))
        self.renewal_escalation = RenewalEscalation(
            self,
            "RenewalEscalation",
            functions={
                spec.name: self.functions.function(spec)
                for spec in (RENEWAL_SCANNER, RENEWAL_CHECKPOINTS, CLOSE_THE_LOOP)
            },
        )
        # Cases change outside the pipeline (people, the SLA sweep, follow-ups, renewals): those
        # functions publish their own events.
        for publisher in (CASES_API, CASE_SLA_SWEEP, RENEWAL_SCANNER, RENEWAL_CHECKPOINTS, CLOSE_THE_LOOP):
            self.events.grant_publish(self.functions.function(publisher))

        self.intake_api = IntakeApi(
            self, "IntakeApi", functions=[(spec, self.functions.function(spec)) for spec in API_FUNCTIONS]
        )

        self.bulk_import = BulkImport(
            self,
            "BulkImport",
            functions={spec.name: self.functions.function(spec) for spec in IMPORT_FUNCTIONS},
        )

        self.surveys = Surveys(
            self,
            "Surveys",
            bus=self.events,
            functions=dict(self.functions.all()),
            vendor=SurveyVendorSettings.of(self),
        )

        # After every function and state machine it may target (functions/schedules.py).
        self.schedules = Schedules(
            self,
            "Schedules",
            functions=dict(self.functions.all()),
            state_machines={
                RESPONSE_PIPELINE.name: self.pipeline.state_machine,
                BULK_IMPORT.name: self.bulk_import.state_machine,
                RENEWAL_ESCALATION.name: self.renewal_escalation.state_machine,
                QUARTERLY_REFRESH.name: self.surveys.state_machine,
            },
        )

        self.crm = CrmDestinations(
            self,
            "Crm",
            bus=self.events.bus,
            mapping_function=self.functions.function(CRM_MAPPING),
            settings=CrmSettings.of(self),
        )
        self.observability = Observability(
            self,
            "Observability",
            pipeline=self.pipeline.state_machine,
            api=self.intake_api.api,
            functions=self.functions.all(),
            crm_rules=self.crm.rules_by_destination,
            dead_letter_queues={
                **self.events.dead_letter_queues,
                **self.crm.dead_letter_queues,
                "ImportTriggerDlq": self.bulk_import.trigger_dlq,
                "SchedulesDlq": self.schedules.dlq,
                **self.surveys.dead_letter_queues,
            },
        )

        CfnOutput(self, "ApiUrl", value=self.intake_api.url, description="Intake API base URL")
        CfnOutput(self, "EventBusName", value=self.events.bus.event_bus_name)
        CfnOutput(self, "PipelineArn", value=self.pipeline.state_machine.state_machine_arn)
        CfnOutput(self, "CrmOutboxQueueUrl", value=self.events.crm_outbox.queue_url)
        # Where `npsops redrive --aws STACK` finds the dead-lettered events (local/aws_redrive.py).
        CfnOutput(self, "CrmOutboxDlqUrl", value=self.events.crm_outbox_dlq.queue_url)
        CfnOutput(self, "UnpublishedEventsQueueUrl", value=self.events.unpublished_events.queue_url)
        for crm_name, dlq in self.crm.dead_letter_queues_by_destination.items():
            CfnOutput(self, f"CrmDlq{crm_name.title()}Url", value=dlq.queue_url)
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

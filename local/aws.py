"""The embedded AWS: moto in process, provisioned from the project's own definitions
(shared/store/schema.py, shared/events/envelope.py, functions/catalog.py, statemachines/)."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import time
import warnings
import zipfile
from datetime import datetime
from typing import Any

import boto3
from moto import mock_aws

from functions.catalog import FUNCTIONS, INTAKE, FunctionSpec, resolve_target
from functions.schedules import execution_name, schedule_named, scheduled_event
from local import clock, moto_patches
from local.crm_sink import LocalCrm, provision
from shared.config import Settings
from shared.events import BUS_NAME, CRM_OUTBOX_RULE, RULES
from shared.services.redrive import RedriveResult
from shared.store.dead_letters import unpublished_events
from shared.store.schema import RESPONSES, TABLES, TableSpec
from shared.wiring.redrive import redrive_on
from statemachines import (
    BULK_IMPORT,
    IMPORTS_BUCKET_PLACEHOLDER,
    RENEWAL_ESCALATION,
    RESPONSE_PIPELINE,
    RESPONSES_TABLE_PLACEHOLDER,
    STATE_MACHINES,
)

REGION = "us-east-1"
PREFIX = "npsops"
CRM_OUTBOX_QUEUE = "npsops-crm-outbox"
UNPUBLISHED_EVENTS_QUEUE = "npsops-unpublished-events"
IMPORTS_BUCKET = "npsops-imports"


def _table_name(spec: TableSpec) -> str:
    return f"{PREFIX}-{spec.logical_name.lower()}"


def _function_name(spec: FunctionSpec) -> str:
    return f"{PREFIX}-{spec.name}"


class EmbeddedAws:
    """Start it, use boto3 as on AWS, stop it. One per process: moto's state is process-wide."""

    def __init__(self, crm_destinations: bool = False) -> None:
        # Lambda stays on moto's docker backend, whose invoke local/moto_patches/ routes to the
        # real handler in process ("use_docker": False would answer every invoke with a canned reply).
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self.pipeline_arn = ""
        self.bulk_import_arn = ""
        self.crm_queue_url = ""
        self.unpublished_queue_url = ""
        # The CRM destinations' rules and DLQs (local/crm_sink.py): `npsops serve` and their tests.
        self._crm_destinations = crm_destinations
        self.crm: LocalCrm | None = None
        self.state_machine_arns: dict[str, str] = {}

    def __enter__(self) -> EmbeddedAws:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        # moto logs every Catch-handled task error at ERROR; the execution history is where they belong.
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        _fake_credentials()
        moto_patches.install()
        clock.install()
        self._mock.start()
        role = self._role()
        self._tables()
        self._bus()
        if self._crm_destinations:
            self.crm = provision(self.crm_queue_url)
        arns = self._functions(role)
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=IMPORTS_BUCKET)
        machines = self._state_machines(role, arns)
        self.state_machine_arns = machines
        self.pipeline_arn = machines[RESPONSE_PIPELINE.name]
        self.bulk_import_arn = machines[BULK_IMPORT.name]
        os.environ["PIPELINE_ARN"] = self.pipeline_arn
        os.environ["RENEWAL_ESCALATION_ARN"] = machines[RENEWAL_ESCALATION.name]
        self._load_handlers()

    def stop(self) -> None:
        moto_patches.executions.wait_below(1, timeout=30)
        self._stop_waiting_workflows()
        self._mock.stop()
        clock.CLOCK.reset()

    def _stop_waiting_workflows(self) -> None:
        """Renewal escalations wait for weeks (simulated): stop them with the runtime, as a
        deleted stack would, rather than leave their threads waiting on a stopped mock."""
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = self.state_machine_arns.get(RENEWAL_ESCALATION.name)
        if not machine:
            return
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine, statusFilter="RUNNING")
        for page in pages:
            for execution in page["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="embedded AWS stopped")

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        """Call a function the way its event source would (API Gateway calls the intake this way)."""
        return moto_patches.call_registered(_function_name(spec), event)

    def fire_schedule(self, name: str, at: datetime, timeout: float = 600) -> Any:
        """Fire a schedule of functions/schedules.py as EventBridge Scheduler would at `at`: its target
        gets {"scheduled_at": at}. A function target's result is returned. A state machine target
        runs as an execution named by schedule and time (firing the same time again finds that
        execution instead of starting another); its output is returned once it has finished."""
        spec = schedule_named(name)
        target = resolve_target(spec)
        event = scheduled_event(at)
        if isinstance(target, FunctionSpec):
            return self.invoke(target, event)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = self.state_machine_arns[target.name]
        name = execution_name(spec, at)
        execution = f"{machine.replace(':stateMachine:', ':execution:')}:{name}"
        # Already there: this firing ran before, so report that execution rather than run it twice.
        with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):
            sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(event))
        deadline = time.monotonic() + timeout
        while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{execution} still running after {timeout} s")
            time.sleep(0.05)
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"{execution} ended {described['status']}: {described.get('cause', '')}")
        return json.loads(described.get("output") or "null")

    def redrive(self) -> RedriveResult:
        """What an operator runs after fixing the cause of failed executions and dead letters."""
        settings = Settings.from_env()
        queues = [unpublished_events(self.unpublished_queue_url)]
        if self.crm is not None and self.crm.outbox_dlq is not None:
            queues += [self.crm.outbox_dlq, *self.crm.dead_letter_queues.values()]
        return redrive_on(settings.responses_table, self.pipeline_arn, BUS_NAME, queues)

    def _role(self) -> str:
        iam = boto3.client("iam", region_name=REGION)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                }
            ],
        }
        return str(
            iam.create_role(RoleName="npsops-local", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
                "Arn"
            ]
        )

    def _tables(self) -> None:
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        for spec in TABLES:
            dynamodb.create_table(**table_definition(spec, _table_name(spec)))

    def _bus(self) -> None:
        events = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        events.create_event_bus(Name=BUS_NAME)
        self.crm_queue_url = sqs.create_queue(QueueName=CRM_OUTBOX_QUEUE)["QueueUrl"]
        self.unpublished_queue_url = sqs.create_queue(QueueName=UNPUBLISHED_EVENTS_QUEUE)["QueueUrl"]
        os.environ["UNPUBLISHED_EVENTS_QUEUE_URL"] = self.unpublished_queue_url
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.crm_queue_url, AttributeNames=["QueueArn"])
        for rule in RULES:
            events.put_rule(
                Name=rule.name,
                EventBusName=BUS_NAME,
                EventPattern=json.dumps(rule.pattern),
                Description=rule.description,
            )
        events.put_targets(
            Rule=CRM_OUTBOX_RULE.name,
            EventBusName=BUS_NAME,
            Targets=[{"Id": "crm-outbox", "Arn": queue_arn["Attributes"]["QueueArn"]}],
        )

    def _functions(self, role: str) -> dict[str, str]:
        awslambda = boto3.client("lambda", region_name=REGION)
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("README", "handlers run in process: see local/moto_patches/")
        arns = {}
        for spec in FUNCTIONS:
            created = awslambda.create_function(
                FunctionName=_function_name(spec),
                Runtime="python3.12",
                Role=role,
                Handler=spec.handler,
                Code={"ZipFile": code.getvalue()},
                MemorySize=spec.memory_mb,
                Timeout=spec.timeout_seconds,
                Architectures=["arm64"],
                Description=spec.description,
            )
            arns[spec.name] = created["FunctionArn"]
        return arns

    def _state_machines(self, role: str, function_arns: dict[str, str]) -> dict[str, str]:
        """Every state machine in statemachines/, by name: its ARN. Each takes the placeholders it has
        from one table of values, as CDK's definition substitutions fill them."""
        substitutions = {
            spec.asl_placeholder: function_arns[spec.name] for spec in FUNCTIONS if spec.asl_placeholder
        }
        substitutions[RESPONSES_TABLE_PLACEHOLDER] = _table_name(RESPONSES)
        substitutions[IMPORTS_BUCKET_PLACEHOLDER] = IMPORTS_BUCKET
        sfn = boto3.client("stepfunctions", region_name=REGION)
        arns = {}
        for spec in STATE_MACHINES:
            created = sfn.create_state_machine(
                name=spec.name, definition=spec.render(substitutions), roleArn=role, type=spec.workflow_type
            )
            arns[spec.name] = str(created["stateMachineArn"])
        return arns

    def _load_handlers(self) -> None:
        # Handlers validate their settings at import (cold start), so import them only now.
        os.environ.update(function_environment())
        for spec in FUNCTIONS:
            handler = importlib.import_module(spec.module).handler
            # API handlers keep the request they serve in module state (Powertools resolvers), which
            # Lambda allows: one environment never runs two invocations at once. So locally each
            # API function runs one invocation at a time. The pipeline's step handlers keep no
            # request state, so they serve concurrent calls, as many environments would.
            serial = bool(spec.routes)
            moto_patches.register_handler(_function_name(spec), handler, spec.memory_mb, serial)

    @property
    def intake(self) -> FunctionSpec:
        return INTAKE


def function_environment() -> dict[str, str]:
    """What CDK sets on the functions (infra/constructs/functions.py), with the local names. One
    process hosts every function, so it holds the union of their settings."""
    env = {spec.env_var: _table_name(spec) for spec in TABLES} | {
        "EVENT_BUS_NAME": BUS_NAME,
        "IMPORTS_BUCKET": IMPORTS_BUCKET,
        "POWERTOOLS_SERVICE_NAME": "npsops",
        "POWERTOOLS_METRICS_NAMESPACE": "npsops",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    for spec in FUNCTIONS:
        env |= dict(spec.environment)
    return env


def table_definition(spec: TableSpec, name: str) -> dict[str, Any]:
    """CreateTable arguments for a TableSpec."""

    def key_schema(partition: str, sort: str | None) -> list[dict[str, str]]:
        keys = [{"AttributeName": partition, "KeyType": "HASH"}]
        return keys + ([{"AttributeName": sort, "KeyType": "RANGE"}] if sort else [])

    definition: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": key_schema(spec.partition_key, spec.sort_key),
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in spec.key_attributes],
    }
    if spec.indexes:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": key_schema(i.partition_key, i.sort_key),
                "Projection": i.projection,
            }
            for i in spec.indexes
        ]
    return definition


def _fake_credentials() -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        os.environ[key] = value
    os.environ.pop("AWS_PROFILE", None)

"""The Lambda functions, one per FunctionSpec in functions/catalog.py, and what each may touch."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.catalog import (
    ACCOUNTS_API,
    AGGREGATE,
    DIRECTORY,
    EVALUATE_TRIGGERS,
    FUNCTIONS,
    IMPORT_CHUNK,
    IMPORT_SPLIT,
    IMPORT_SUMMARIZE,
    INTAKE,
    OPEN_CASES,
    SCORE,
    WEBHOOK,
    FunctionSpec,
)
from infra.constructs import LOG_RETENTION, acknowledge
from infra.constructs.tables import Tables
from infra.layer import ARCHITECTURE, RUNTIME, functions_code
from shared.config import SECRETS_PREFIX
from shared.observability import SERVICE
from shared.store.schema import (
    ACCOUNTS,
    CASES,
    CONNECTIONS,
    CONTACTS,
    QUARANTINE,
    RESPONSES,
    ROLLUPS,
    SIGNALS,
    TableSpec,
)

# DynamoDB actions by kind of access. Grants name the table (and, with Query, each index by name),
# never a wildcard resource, and never the table-management actions (DescribeTable, Scan, streams)
# that CDK's grant_read_data/grant_write_data would add.
READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
# Intake stores a response once (conditional put), reads it back, and deletes it when the pipeline
# could not be started (shared/services/intake.py).
INTAKE_ACCESS = ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem")
# Webhooks also store revisions and park a revision whose pipeline could not start (UpdateItem).
REVISING_INTAKE_ACCESS = (*INTAKE_ACCESS, "dynamodb:UpdateItem")
# Listing every connection or held answer is a Scan of a small table (an operator's command).
LIST = ("dynamodb:Scan",)

# Which table each function reaches, and how. Score is pure: no table at all.
DATA_ACCESS: dict[str, tuple[tuple[TableSpec, tuple[str, ...]], ...]] = {
    INTAKE.name: ((RESPONSES, INTAKE_ACCESS),),
    WEBHOOK.name: (
        (RESPONSES, REVISING_INTAKE_ACCESS),
        (CONNECTIONS, READ),
        (CONTACTS, READ),
        (QUARANTINE, ("dynamodb:PutItem",)),
    ),
    DIRECTORY.name: (
        (RESPONSES, REVISING_INTAKE_ACCESS),
        (CONNECTIONS, READ + WRITE + LIST),
        (CONTACTS, READ + WRITE),
        (QUARANTINE, READ + WRITE + LIST),
    ),
    SCORE.name: (),
    AGGREGATE.name: ((ROLLUPS, READ + WRITE),),
    # Reads signals beside the account; records theme mentions (trigger 5) in the roll-ups.
    EVALUATE_TRIGGERS.name: ((ACCOUNTS, READ), (SIGNALS, READ), (ROLLUPS, READ + WRITE)),
    # Stores signals, learns commercial facts into the account directory, opens cases; lists them all.
    ACCOUNTS_API.name: (
        (SIGNALS, READ + WRITE),
        (ACCOUNTS, READ + WRITE + LIST),
        (ROLLUPS, READ),
        (CASES, READ + WRITE + LIST),
    ),
    OPEN_CASES.name: ((CASES, WRITE),),
    # Bulk import (their S3 access is granted with the bucket, infra/constructs/bulk_import.py). A
    # chunk stores responses with conditional puts and counts votes with conditional updates; a failed
    # condition hands back the stored item (ReturnValuesOnConditionCheckFailure), a read: GetItem.
    IMPORT_SPLIT.name: (),
    # A signals chunk takes the signals API's path: stores signals, learns commercial facts into the
    # account directory, reads NPS from the roll-ups and opens cases (conditional puts).
    IMPORT_CHUNK.name: (
        (RESPONSES, ("dynamodb:PutItem", "dynamodb:GetItem")),
        (ROLLUPS, ("dynamodb:UpdateItem", "dynamodb:GetItem")),
        (SIGNALS, (*READ, "dynamodb:PutItem")),
        (ACCOUNTS, ("dynamodb:GetItem", "dynamodb:PutItem")),
        (CASES, ("dynamodb:PutItem",)),
    ),
    IMPORT_SUMMARIZE.name: (),
}

# Webhooks read connection secrets; the directory API creates and rotates them.
SECRET_ACCESS: dict[str, tuple[str, ...]] = {
    WEBHOOK.name: ("secretsmanager:GetSecretValue",),
    DIRECTORY.name: ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"),
}


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tables: Tables,
        bus: events.IEventBus,
        layer: lambda_.ILayerVersion,
        specs: tuple[FunctionSpec, ...] = FUNCTIONS,
    ) -> None:
        super().__init__(scope, construct_id)
        missing = {spec.name for spec in specs} - DATA_ACCESS.keys()
        if missing:
            raise KeyError(
                f"functions {sorted(missing)} have no entry in DATA_ACCESS: say what they may touch"
            )
        environment = {spec.env_var: table.table_name for spec, table in tables.all()} | {
            "EVENT_BUS_NAME": bus.event_bus_name,
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": SERVICE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        code = functions_code()  # one asset, every function
        self._functions: dict[str, lambda_.Function] = {}
        for spec in specs:
            self._functions[spec.name] = self._function(spec, code, layer, environment, tables)

    def _function(
        self,
        spec: FunctionSpec,
        code: lambda_.Code,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
        tables: Tables,
    ) -> lambda_.Function:
        scope = Construct(self, spec.name)
        log_group = logs.LogGroup(scope, "Logs", retention=LOG_RETENTION)
        # Our own role rather than AWSLambdaBasicExecutionRole: it may write to this log group only.
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"npsops {spec.name} function",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=code,
            handler=spec.handler,
            layers=[layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            # PIPELINE_ARN is added to the intake once the pipeline exists (infra/stack.py).
            environment=environment | dict(spec.environment),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=role,
        )
        for table_spec, actions in DATA_ACCESS[spec.name]:
            table = tables.table(table_spec)
            indexes = tables.index_arns(table_spec) if "dynamodb:Query" in actions else []
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=list(actions), resources=[table.table_arn, *indexes])
            )
        if spec.name in SECRET_ACCESS:
            self._grant_connection_secrets(role, SECRET_ACCESS[spec.name])
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support "
            "resource-level permissions, so their resource is *.",
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Python 3.12 is the project's chosen runtime: the shared layer's binary wheels (pydantic-core) "
            "are built for cp312, and a runtime upgrade is a deliberate, tested change.",
        )
        return function

    def _grant_connection_secrets(self, role: iam.Role, actions: tuple[str, ...]) -> None:
        secrets = Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{SECRETS_PREFIX}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=[secrets]))
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:"
            f"<AWS::AccountId>:secret:{SECRETS_PREFIX}*]",
            "Connection secrets are created at run time, one per connection, so their names are not "
            "known at deploy time; the grant is limited to the connections' own prefix (shared/config.py).",
        )

    def function(self, spec: FunctionSpec) -> lambda_.Function:
        return self._functions[spec.name]

    def all(self) -> list[tuple[str, lambda_.Function]]:
        return list(self._functions.items())

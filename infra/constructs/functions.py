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
    APPLICATION_LOG_LEVEL,
    CASE_SLA_SWEEP,
    CASES_API,
    CLOSE_THE_LOOP,
    CRM_MAPPING,
    DIRECTORY,
    EVALUATE_TRIGGERS,
    FUNCTIONS,
    IMPORT_CHUNK,
    IMPORT_SPLIT,
    IMPORT_SUMMARIZE,
    INTAKE,
    OPEN_CASES,
    PLATFORM_LOG_LEVEL,
    PRIVACY_API,
    QUARTERLY_REFRESH_STEP,
    RECONCILE,
    RENEWAL_CHECKPOINTS,
    RENEWAL_SCANNER,
    REPORTS_API,
    SCORE,
    SURVEY_PLANNER,
    SURVEYS_API,
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
    AUDIT,
    CASES,
    CONNECTIONS,
    CONTACTS,
    QUARANTINE,
    REFRESH,
    RENEWALS,
    RESPONSES,
    ROLLUPS,
    SIGNALS,
    SURVEYS,
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
# Asking for a survey (shared/services/surveys.py request_survey): read the contact's and account's
# history, record the decision once.
SURVEY_REQUESTS = ("dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem")
# A renewal is recorded once (conditional put) and then updated (its task token, its status).
RENEWAL_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem")

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
    # The closed loop: cases are read, and saved with a conditional put on their version.
    CASES_API.name: (
        (CASES, (*READ, "dynamodb:PutItem", *LIST)),
        (ACCOUNTS, (*READ, *LIST)),
        (SURVEYS, SURVEY_REQUESTS),  # a resolved detractor case's follow-up survey
    ),
    CASE_SLA_SWEEP.name: ((CASES, (*READ, "dynamodb:PutItem")), (ACCOUNTS, READ)),
    # The renewal escalation: the scanner reads every account; checkpoints read NPS, signals and the
    # recovery case, open cases and keep the task token on the renewal.
    # The scanner reads every account and the running escalations (a Scan of the small Renewals table).
    RENEWAL_SCANNER.name: (
        (ACCOUNTS, (*READ, *LIST)),
        (SIGNALS, READ),
        (RENEWALS, (*READ, *RENEWAL_WRITES, *LIST)),
    ),
    RENEWAL_CHECKPOINTS.name: (
        (ACCOUNTS, READ),
        (SIGNALS, READ),
        (ROLLUPS, READ),
        (CASES, (*READ, "dynamodb:PutItem")),
        (RENEWALS, (*READ, *RENEWAL_WRITES)),
        (CONTACTS, ("dynamodb:Query",)),  # checkpoint 1 asks the account's contacts (by_account)
        (SURVEYS, SURVEY_REQUESTS),
    ),
    CLOSE_THE_LOOP.name: ((CASES, (*READ, "dynamodb:PutItem")), (RENEWALS, (*READ, *RENEWAL_WRITES))),
    CRM_MAPPING.name: (),  # maps an event to a message: no table
    # Reports only read: the directory and every case (Scan), roll-ups by quarter, signals by account.
    REPORTS_API.name: ((ACCOUNTS, READ + LIST), (ROLLUPS, READ), (SIGNALS, READ), (CASES, READ + LIST)),
    # Lists the contact directory (a Scan); reads and records survey decisions (conditional puts).
    SURVEY_PLANNER.name: ((CONTACTS, LIST), (SURVEYS, ("dynamodb:Query", "dynamodb:PutItem"))),
    # Reads the directory (Scan), roll-ups and signals; writes the quarter's snapshots, benchmarks,
    # threshold sets and backtest.
    # Milestones ask for surveys as the planner does (reads the directory for a missing email);
    # listing every request is a Scan of the surveys table.
    SURVEYS_API.name: (
        (CONTACTS, READ),
        (SURVEYS, ("dynamodb:Query", "dynamodb:PutItem", "dynamodb:Scan")),
    ),
    QUARTERLY_REFRESH_STEP.name: (
        (ACCOUNTS, READ + LIST),
        (ROLLUPS, READ),
        (SIGNALS, READ),
        (REFRESH, ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")),
    ),
    # Scans the responses and the roll-ups; repairs a drifted roll-up with one conditional UpdateItem.
    RECONCILE.name: ((RESPONSES, LIST), (ROLLUPS, (*LIST, "dynamodb:UpdateItem"))),
    # Privacy: finds a contact's responses, cases and theme quotes by Scan (rare requests: no index on
    # the hot path), their directory entry by key, quarantined answers and survey requests by Query;
    # an erasure strips items in place (UpdateItem; cases by conditional put on their version) and
    # deletes the directory entry and held answers. The audit is appended to and read, never changed.
    PRIVACY_API.name: (
        (CONTACTS, ("dynamodb:GetItem", "dynamodb:DeleteItem")),
        (RESPONSES, ("dynamodb:Scan", "dynamodb:UpdateItem")),
        (QUARANTINE, ("dynamodb:Query", "dynamodb:DeleteItem")),
        (CASES, ("dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem")),
        (ROLLUPS, ("dynamodb:Scan", "dynamodb:UpdateItem")),
        (SURVEYS, ("dynamodb:Query", "dynamodb:UpdateItem")),
        (AUDIT, ("dynamodb:PutItem", "dynamodb:Query")),
    ),
}

# Webhooks read connection secrets; the directory API creates and rotates them.
SECRET_ACCESS: dict[str, tuple[str, ...]] = {
    WEBHOOK.name: ("secretsmanager:GetSecretValue",),
    DIRECTORY.name: ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"),
}

# On AWS the score step reads comments with Amazon Comprehend (shared/store/comprehend.py); locally
# TEXT_ANALYZER is unset and the embedded lexicon analyzer runs, so this lives here, not in the catalog.
COMPREHEND_ACCESS: dict[str, tuple[str, ...]] = {
    SCORE.name: ("comprehend:DetectSentiment", "comprehend:DetectKeyPhrases"),
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
            "POWERTOOLS_LOG_LEVEL": APPLICATION_LOG_LEVEL,
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
            environment=environment
            | dict(spec.environment)
            | ({"TEXT_ANALYZER": "comprehend"} if spec.name in COMPREHEND_ACCESS else {}),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel[APPLICATION_LOG_LEVEL],
            system_log_level_v2=lambda_.SystemLogLevel[PLATFORM_LOG_LEVEL],
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
        if spec.name in COMPREHEND_ACCESS:
            # Comprehend's synchronous detect actions have no resource-level permissions.
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=list(COMPREHEND_ACCESS[spec.name]), resources=["*"])
            )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords (and, on the score "
            "function, comprehend:DetectSentiment and DetectKeyPhrases) do not support resource-level "
            "permissions, so their resource is *.",
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

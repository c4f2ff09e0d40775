"""The synthesized template, checked against the project's single definitions.

One synth for the module (jsii is slow); the layer is bundled code-only, so no pip and no network.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from functions.catalog import (
    API_FUNCTIONS,
    FUNCTIONS,
    INTAKE,
    PIPELINE_FUNCTIONS,
    RENEWAL_CHECKPOINTS,
    SCORE,
    FunctionSpec,
)
from infra.app import build
from infra.constructs.pipeline import LOG_LEVEL_CONTEXT_PREFIX
from infra.layer import (
    CODE_ONLY,
    LAYER_CONTEXT_KEY,
    RUNTIME_PYTHON_ENV_VAR,
    compile_bytecode,
    layer_mode,
    layer_requirements,
    prune_runtime_provided,
    runtime_python,
)
from infra.stack import NpsOpsStack
from shared.events import BUS_NAME, CRM_OUTBOX_RULE, RULES
from shared.store.schema import CONTACTS, RESPONSES, TABLES, TableSpec
from statemachines import RESPONSE_PIPELINE, STATE_MACHINES

CONTEXT = {LAYER_CONTEXT_KEY: CODE_ONLY, "aws:cdk:enable-asset-metadata": True}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, NpsOpsStack, Template]:
    app, stack = build(CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=False)
    return app, stack, Template.from_stack(stack)


@pytest.fixture(scope="module")
def template(synthesized: tuple[App, NpsOpsStack, Template]) -> Template:
    return synthesized[2]


def _of_type(template: Template, resource_type: str) -> dict[str, Any]:
    return dict(template.find_resources(resource_type))


def _function_id(template: Template, spec: FunctionSpec) -> str:
    (logical_id,) = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": spec.handler}}
    )
    return str(logical_id)


def _table_id(template: Template, spec: TableSpec) -> str:
    """The table's logical id, as every function's environment names it."""
    ((_, function), *_) = _of_type(template, "AWS::Lambda::Function").items()
    return str(function["Properties"]["Environment"]["Variables"][spec.env_var]["Ref"])


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    keys = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    return keys + ([{"AttributeName": sort_key, "KeyType": "RANGE"}] if sort_key else [])


# Tables ---------------------------------------------------------------------------------------------


def test_one_table_per_table_spec(template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", len(TABLES))


@pytest.mark.parametrize("spec", TABLES, ids=lambda s: s.logical_name)
def test_table_keys_indexes_and_settings(template: Template, spec: TableSpec) -> None:
    indexes = [
        {
            "IndexName": index.name,
            "KeySchema": _key_schema(index.partition_key, index.sort_key),
            "Projection": index.projection,
        }
        for index in spec.indexes
    ]
    properties: dict[str, Any] = {
        "KeySchema": _key_schema(spec.partition_key, spec.sort_key),
        "AttributeDefinitions": Match.array_equals(
            [{"AttributeName": name, "AttributeType": "S"} for name in spec.key_attributes]
        ),
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "GlobalSecondaryIndexes": Match.array_equals(indexes) if indexes else Match.absent(),
    }
    template.has_resource(
        "AWS::DynamoDB::Table",
        {"Properties": properties, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
    )


# Functions ------------------------------------------------------------------------------------------


def test_one_function_per_function_spec(template: Template) -> None:
    template.resource_count_is("AWS::Lambda::Function", len(FUNCTIONS))
    template.resource_count_is("AWS::Lambda::LayerVersion", 1)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_runtime_code_and_settings(template: Template, spec: FunctionSpec) -> None:
    environment = {table.env_var: Match.any_value() for table in TABLES} | {
        "EVENT_BUS_NAME": Match.any_value(),
        "POWERTOOLS_SERVICE_NAME": "npsops",
        "POWERTOOLS_METRICS_NAMESPACE": "npsops",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": spec.handler,
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "MemorySize": spec.memory_mb,
            "Timeout": spec.timeout_seconds,
            "Layers": [{"Ref": Match.string_like_regexp("^SharedLayer")}],
            # JSON, without Lambda's START/END/REPORT lines (functions/catalog.py PLATFORM_LOG_LEVEL)
            "LoggingConfig": {
                "LogGroup": {"Ref": Match.any_value()},
                "LogFormat": "JSON",
                "ApplicationLogLevel": "INFO",
                "SystemLogLevel": "WARN",
            },
            "Environment": {"Variables": Match.object_like(environment)},
        },
    )


def test_intake_knows_the_pipeline_and_its_body_limit(template: Template) -> None:
    pipeline_id, _ = _response_pipeline(template)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": INTAKE.handler,
            "Environment": {
                "Variables": Match.object_like(
                    {"PIPELINE_ARN": {"Ref": pipeline_id}} | dict(INTAKE.environment)
                )
            },
        },
    )


def test_function_log_groups_have_retention(template: Template) -> None:
    for logical_id, resource in _of_type(template, "AWS::Logs::LogGroup").items():
        assert resource["Properties"].get("RetentionInDays"), f"{logical_id} keeps logs forever"


def test_code_asset_holds_the_functions_package_and_the_layer_holds_shared(
    synthesized: tuple[App, NpsOpsStack, Template],
) -> None:
    app, _, template = synthesized
    outdir = Path(app.outdir)
    (function_id, *_) = _of_type(template, "AWS::Lambda::Function")
    function_asset = outdir / template.to_json()["Resources"][function_id]["Metadata"]["aws:asset:path"]
    assert (function_asset / "functions" / "intake" / "handler.py").is_file()
    assert not list(function_asset.rglob("__pycache__"))
    ((_, layer),) = _of_type(template, "AWS::Lambda::LayerVersion").items()
    layer_asset = outdir / layer["Metadata"]["aws:asset:path"]
    assert (layer_asset / "python" / "shared" / "store" / "schema.py").is_file()
    assert not list(layer_asset.rglob("__pycache__"))


# Grants ---------------------------------------------------------------------------------------------


def _policy_statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for resource in _of_type(template, "AWS::IAM::Policy").values():
        roles = resource["Properties"]["Roles"]
        if any(role["Ref"].startswith(role_prefix) for role in roles):
            statements += resource["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_intake_may_put_get_delete_responses_and_start_the_pipeline(template: Template) -> None:
    statements = _policy_statements(template, "Functionsintake")
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert len(dynamodb) == 1
    assert _actions(dynamodb[0]) == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"}
    responses_id = _table_id(template, RESPONSES)
    assert dynamodb[0]["Resource"] == {"Fn::GetAtt": [responses_id, "Arn"]}
    assert any(_actions(s) == {"states:StartExecution"} for s in statements)


def test_score_touches_no_table(template: Template) -> None:
    prefix = "Functions" + SCORE.name.replace("-", "")
    statements = _policy_statements(template, prefix)
    assert statements, "score's role has its log and X-Ray statements"
    assert not [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]


def test_renewal_checkpoints_query_an_accounts_contacts_by_index_and_never_scan_the_directory(
    template: Template,
) -> None:
    contacts_id = _table_id(template, CONTACTS)
    statements = _policy_statements(template, "Functions" + RENEWAL_CHECKPOINTS.name.replace("-", ""))
    on_contacts = [s for s in statements if contacts_id in json.dumps(s["Resource"])]
    assert [_actions(s) for s in on_contacts] == [{"dynamodb:Query"}]
    assert "index/by_account" in json.dumps(on_contacts[0]["Resource"])


def test_no_grant_is_a_wildcard_on_data(template: Template) -> None:
    for resource in _of_type(template, "AWS::IAM::Policy").values():
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if _actions(statement) == {"states:DescribeExecution", "states:StopExecution"}:
                # The one exception: a Distributed Map's child executions, named by Step Functions,
                # of the bulk-import state machine only (tests/infra/test_bulk_import_stack.py).
                assert json.dumps(statement["Resource"]).endswith(':execution:npsops-bulk-import/*"]]}')
                continue
            if _actions(statement) == {"states:StopExecution"}:
                # The renewal scanner stops escalations, whose names it chose per renewal.
                assert json.dumps(statement["Resource"]).endswith(
                    ':execution:npsops-renewal-escalation:*"]]}'
                )
                continue
            if any(
                a.split(":")[0] in {"dynamodb", "lambda", "states", "events", "sqs"}
                for a in _actions(statement)
            ):
                assert "*" not in json.dumps(statement["Resource"]), statement
                assert not any(a.endswith("*") for a in _actions(statement)), statement


# State machine --------------------------------------------------------------------------------------


def _response_pipeline(template: Template) -> tuple[str, dict[str, Any]]:
    """The response pipeline among the state machines (the bulk import is the other one)."""
    ((logical_id, machine),) = [
        (logical_id, machine)
        for logical_id, machine in _of_type(template, "AWS::StepFunctions::StateMachine").items()
        if logical_id.startswith("ResponsePipeline")
    ]
    return logical_id, machine


# The response pipeline's functions: those whose ${Placeholder} is in its ASL.
RESPONSE_STEPS = [
    spec for spec in PIPELINE_FUNCTIONS if spec.asl_placeholder in RESPONSE_PIPELINE.placeholders()
]


def _logging(machine: dict[str, Any]) -> dict[str, Any]:
    return dict(machine["Properties"]["LoggingConfiguration"])


def test_pipeline_is_express_with_logging_and_tracing(template: Template) -> None:
    template.resource_count_is("AWS::StepFunctions::StateMachine", len(STATE_MACHINES))
    template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": RESPONSE_PIPELINE.workflow_type,
            "LoggingConfiguration": {
                "Level": "ERROR",  # its failures: every path of every response is the cost (statemachines/)
                "IncludeExecutionData": False,  # customers' comments stay out of the logs
                "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": Match.any_value()}}],
            },
            "TracingConfiguration": {"Enabled": True},
        },
    )


def test_the_days_long_workflows_log_every_state_without_data(template: Template) -> None:
    machines = _of_type(template, "AWS::StepFunctions::StateMachine")
    levels = {
        logical_id: (_logging(machine)["Level"], _logging(machine)["IncludeExecutionData"])
        for logical_id, machine in machines.items()
        if not logical_id.startswith("ResponsePipeline")
    }
    assert len(levels) == len(STATE_MACHINES) - 1
    assert set(levels.values()) == {("ALL", False)}


def test_a_deployment_may_log_every_path_of_the_pipeline(tmp_path: Path) -> None:
    context = CONTEXT | {f"{LOG_LEVEL_CONTEXT_PREFIX}{RESPONSE_PIPELINE.name}": "ALL"}
    _, stack = build(context, outdir=str(tmp_path), nag=False)
    _, machine = _response_pipeline(Template.from_stack(stack))
    assert _logging(machine)["Level"] == "ALL"


def test_pipeline_definition_is_the_asl_file_with_every_placeholder_filled(template: Template) -> None:
    _, machine = _response_pipeline(template)
    definition = machine["Properties"]["DefinitionString"]
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert isinstance(definition, str), "the definition is inline, not an S3 asset"
    assert json.loads(definition) == json.loads(RESPONSE_PIPELINE.template())
    assert set(_PLACEHOLDER.findall(definition)) == RESPONSE_PIPELINE.placeholders() == substitutions.keys()
    rendered = _PLACEHOLDER.sub(lambda m: json.dumps(substitutions[m.group(1)]), definition)
    assert "${" not in rendered


def test_pipeline_references_each_pipeline_function_and_the_responses_table(template: Template) -> None:
    _, machine = _response_pipeline(template)
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert RESPONSE_STEPS
    for spec in RESPONSE_STEPS:
        assert spec.asl_placeholder
        assert substitutions[spec.asl_placeholder] == {"Fn::GetAtt": [_function_id(template, spec), "Arn"]}
    assert substitutions["ResponsesTable"] == {"Ref": _table_id(template, RESPONSES)}


def test_pipeline_role_may_invoke_the_pipeline_functions_update_responses_and_put_events(
    template: Template,
) -> None:
    statements = _policy_statements(template, "ResponsePipelineStateMachineRole")
    invoke = next(s for s in statements if _actions(s) == {"lambda:InvokeFunction"})
    assert invoke["Resource"] == [
        {"Fn::GetAtt": [_function_id(template, spec), "Arn"]} for spec in RESPONSE_STEPS
    ]
    update = next(s for s in statements if _actions(s) == {"dynamodb:UpdateItem"})
    assert update["Resource"] == {"Fn::GetAtt": [_table_id(template, RESPONSES), "Arn"]}
    put = next(s for s in statements if _actions(s) == {"events:PutEvents"})
    assert put["Resource"]["Fn::GetAtt"][0].startswith("EventsBus")


def test_the_functions_that_publish_may_park_what_the_bus_refuses_and_know_where(template: Template) -> None:
    (queue_id,) = (
        q for q in _of_type(template, "AWS::SQS::Queue") if q.startswith("EventsUnpublishedEvents")
    )
    publishers, parkers = set(), set()
    for name, function in _of_type(template, "AWS::Lambda::Function").items():
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = _policy_statements(template, role)
        if any("events:PutEvents" in _actions(s) for s in statements):
            publishers.add(name)
            variables = function["Properties"]["Environment"]["Variables"]
            assert variables["UNPUBLISHED_EVENTS_QUEUE_URL"] == {"Ref": queue_id}, name
        if any(
            "sqs:SendMessage" in _actions(s) and s["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
            for s in statements
        ):
            parkers.add(name)
    assert len(publishers) >= 8 and parkers == publishers


# Events ---------------------------------------------------------------------------------------------


def test_bus_and_archive(template: Template) -> None:
    template.has_resource_properties("AWS::Events::EventBus", {"Name": BUS_NAME})
    template.has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": {"Fn::GetAtt": [Match.string_like_regexp("^EventsBus"), "Arn"]},
            "EventPattern": {"account": [{"Ref": "AWS::AccountId"}]},
            "RetentionDays": 365,
        },
    )


def test_one_rule_per_rule_spec_with_its_pattern(template: Template) -> None:
    # On the npsops bus; the imports bucket's upload rule is on the default bus, where S3 sends.
    on_the_bus = template.find_resources(
        "AWS::Events::Rule", {"Properties": {"EventBusName": Match.any_value()}}
    )
    assert len(on_the_bus) == len(RULES)
    for spec in RULES:
        template.has_resource_properties(
            "AWS::Events::Rule",
            {
                "Description": spec.description,
                "EventPattern": spec.pattern,
                "EventBusName": Match.any_value(),
            },
        )


def test_crm_outbox_rule_targets_the_queue_with_a_dlq_and_retries(template: Template) -> None:
    (rule,) = template.find_resources(
        "AWS::Events::Rule", {"Properties": {"Description": CRM_OUTBOX_RULE.description}}
    ).values()
    (target,) = rule["Properties"]["Targets"]
    queue_id = target["Arn"]["Fn::GetAtt"][0]
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    queues = _of_type(template, "AWS::SQS::Queue")
    assert queues[queue_id]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": [dlq_id, "Arn"]
    }
    for queue in (queue_id, dlq_id):
        assert queues[queue]["Properties"]["SqsManagedSseEnabled"] is True


def test_every_queue_refuses_plain_http(template: Template) -> None:
    queues = _of_type(template, "AWS::SQS::Queue")
    guarded = set()
    for policy in _of_type(template, "AWS::SQS::QueuePolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                guarded |= {queue["Ref"] for queue in policy["Properties"]["Queues"]}
    assert guarded == set(queues)


# Intake API -----------------------------------------------------------------------------------------


def test_every_catalog_route_reaches_its_function_and_internal_ones_need_iam(template: Template) -> None:
    template.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    template.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"].get("AuthorizationType", "NONE")
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    expected = {
        f"{route.method} {route.path}": "AWS_IAM" if route.internal else "NONE"
        for spec in API_FUNCTIONS
        for route in spec.routes
    }
    assert routes == expected
    assert expected["POST /v1/responses"] == "NONE" and expected["PUT /v1/contacts"] == "AWS_IAM"
    for spec in API_FUNCTIONS:
        template.has_resource_properties(
            "AWS::ApiGatewayV2::Integration",
            {
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::GetAtt": [_function_id(template, spec), "Arn"]},
            },
        )


def test_default_stage_is_throttled_and_access_logged(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {
                "ThrottlingBurstLimit": Match.any_value(),
                "ThrottlingRateLimit": Match.any_value(),
            },
            "AccessLogSettings": {
                "DestinationArn": Match.any_value(),
                "Format": Match.string_like_regexp("requestId"),
            },
        },
    )


# Observability --------------------------------------------------------------------------------------


def _alarm_metrics(template: Template) -> list[tuple[str, str]]:
    return [
        (alarm["Properties"]["Namespace"], alarm["Properties"]["MetricName"])
        for alarm in _of_type(template, "AWS::CloudWatch::Alarm").values()
    ]


def test_alarms_on_pipeline_failures_api_errors_and_every_dlq(template: Template) -> None:
    metrics = _alarm_metrics(template)
    assert ("AWS/States", "ExecutionsFailed") in metrics
    assert ("AWS/States", "ExecutionsTimedOut") in metrics
    assert ("AWS/ApiGateway", "5xx") in metrics
    dlq_ids = {
        target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        for rule in _of_type(template, "AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
        if "DeadLetterConfig" in target
    } | {
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue in _of_type(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    for dlq_id in dlq_ids:
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
            },
        )


def test_dashboard(template: Template) -> None:
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    ((_, dashboard),) = _of_type(template, "AWS::CloudWatch::Dashboard").items()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for title in ("Intake requests", "Pipeline executions", "Lambda errors", "Dead-letter queue depth"):
        assert title in body


# Outputs --------------------------------------------------------------------------------------------


def test_outputs(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    expected = {"ApiUrl", "EventBusName", "PipelineArn"} | {
        f"{spec.logical_name}TableName" for spec in TABLES
    }
    assert expected <= outputs.keys()


# Layer build ----------------------------------------------------------------------------------------


def test_layer_requirements_are_pyprojects_runtime_dependencies_less_boto3() -> None:
    requirements = layer_requirements()
    names = {requirement.split("[")[0].split("=")[0] for requirement in requirements}
    assert names == {"aws-lambda-powertools", "pydantic", "tzdata", "vaderSentiment"}
    assert all("==" in requirement for requirement in requirements), "the layer ships pinned versions"


def test_runtime_provided_distributions_are_pruned_from_the_layer(tmp_path: Path) -> None:
    def install(name: str, package: str) -> None:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        dist_info = tmp_path / f"{package}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (dist_info / "RECORD").write_text(f"{package}/__init__.py,,\n{dist_info.name}/METADATA,,\n")

    install("botocore", "botocore")
    install("python-dateutil", "dateutil")
    install("aws-xray-sdk", "aws_xray_sdk")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "jp.py").write_text("")

    prune_runtime_provided(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["aws_xray_sdk", "aws_xray_sdk-1.0.dist-info"]


def test_the_layer_ships_bytecode_that_needs_no_source_timestamps(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("ANSWER = 42\n")
    compile_bytecode(tmp_path, sys.executable)  # the runtime's Python on a deploy; this one here
    (compiled,) = (package / "__pycache__").glob("__init__.*.pyc")
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
    assert flags == 0b01, "hash-based and unchecked: an unpacked asset's timestamps do not matter"


def test_a_python_of_another_version_is_refused_for_the_layers_bytecode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(RUNTIME_PYTHON_ENV_VAR, sys.executable)  # 3.11 here, not the runtime's 3.12
    if sys.version_info[:2] == (3, 12):
        assert runtime_python() == sys.executable
    else:
        with pytest.raises(RuntimeError, match=r"uv python install 3\.12"):
            runtime_python()


def test_unknown_layer_mode_fails_loudly() -> None:
    app = App(context={LAYER_CONTEXT_KEY: "slim"})
    with pytest.raises(ValueError, match="npsops:layer"):
        layer_mode(app)

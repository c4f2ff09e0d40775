"""The bulk import in the synthesized template: the imports bucket, the upload rule, the STANDARD state
machine with its Distributed Map, and what each part may touch."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from functions.catalog import IMPORT_CHUNK, IMPORT_SPLIT, IMPORT_SUMMARIZE, FunctionSpec
from infra.app import build
from infra.constructs.bulk_import import UPLOAD_KEY_PATTERNS
from infra.layer import CODE_ONLY, LAYER_CONTEXT_KEY
from statemachines import BULK_IMPORT

CONTEXT = {LAYER_CONTEXT_KEY: CODE_ONLY}
IMPORT_FUNCTIONS = (IMPORT_SPLIT, IMPORT_CHUNK, IMPORT_SUMMARIZE)
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    _, stack = build(CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=False)
    return Template.from_stack(stack)


def _one(template: Template, resource_type: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = template.find_resources(resource_type, {"Properties": props}).items()
    return str(logical_id), dict(resource)


def _imports_bucket(template: Template) -> str:
    logical_id, _ = _one(
        template,
        "AWS::S3::Bucket",
        {"NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}},
    )
    return logical_id


def _state_machine(template: Template) -> tuple[str, dict[str, Any]]:
    machines = template.find_resources(
        "AWS::StepFunctions::StateMachine", {"Properties": {"StateMachineType": "STANDARD"}}
    )
    [(logical_id, resource)] = [(k, v) for k, v in machines.items() if k.startswith("BulkImport")]
    return str(logical_id), dict(resource)


def _function_id(template: Template, spec: FunctionSpec) -> str:
    logical_id, _ = _one(template, "AWS::Lambda::Function", {"Handler": spec.handler})
    return logical_id


def _statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if any(role["Ref"].startswith(role_prefix) for role in policy["Properties"]["Roles"]):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _grants(statements: list[dict[str, Any]], service: str) -> dict[str, str]:
    """action → resource (as JSON), for one service's statements."""
    grants = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            if action.startswith(f"{service}:"):
                grants[action] = json.dumps(statement["Resource"])
    return grants


# The bucket -----------------------------------------------------------------------------------------


def test_the_imports_bucket_is_private_encrypted_logged_and_expires_its_files(template: Template) -> None:
    bucket = _imports_bucket(template)
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "LoggingConfiguration": {
                    "DestinationBucketName": {"Ref": Match.string_like_regexp("AccessLogs")}
                },
                "LifecycleConfiguration": {
                    "Rules": Match.array_with(
                        [
                            Match.object_like(
                                {"Prefix": "uploads/", "ExpirationInDays": 30, "Status": "Enabled"}
                            ),
                            Match.object_like(
                                {"Prefix": "imports/", "ExpirationInDays": 30, "Status": "Enabled"}
                            ),
                        ]
                    )
                },
            },
            "DeletionPolicy": "Retain",
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


def test_s3_notifies_eventbridge_without_a_custom_resource(template: Template) -> None:
    template.resource_count_is("Custom::S3BucketNotifications", 0)


# The upload rule ------------------------------------------------------------------------------------


def test_a_file_in_uploads_starts_the_bulk_import_with_its_key_and_etag(template: Template) -> None:
    bucket = _imports_bucket(template)
    machine, _ = _state_machine(template)
    _, rule = _one(template, "AWS::Events::Rule", {"EventPattern": {"source": ["aws.s3"]}})
    properties = rule["Properties"]
    assert "EventBusName" not in properties  # S3 sends to the default bus
    assert properties["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": [{"Ref": bucket}]},
            "object": {"key": [{"wildcard": pattern} for pattern in UPLOAD_KEY_PATTERNS]},
        },
    }
    (target,) = properties["Targets"]
    assert target["Arn"] == {"Ref": machine}
    assert target["InputTransformer"]["InputPathsMap"] == {
        "detail-bucket-name": "$.detail.bucket.name",
        "detail-object-key": "$.detail.object.key",
        "detail-object-etag": "$.detail.object.etag",
    }
    assert json.loads(re.sub(r"<([\w-]+)>", r'"\1"', target["InputTransformer"]["InputTemplate"])).keys() == {
        "bucket",
        "key",
        "etag",
    }
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    dlq = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}],
        },
    )


# The state machine ----------------------------------------------------------------------------------


def test_the_bulk_import_is_a_standard_state_machine_whose_chunks_run_in_a_distributed_map(
    template: Template,
) -> None:
    _, machine = _state_machine(template)
    properties = machine["Properties"]
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["TracingConfiguration"] == {"Enabled": True}
    definition = json.loads(properties["DefinitionString"])
    assert definition == json.loads(BULK_IMPORT.template())
    chunks = definition["States"]["ImportChunks"]
    assert chunks["Type"] == "Map"
    assert chunks["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert chunks["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert chunks["MaxConcurrency"] == 8


def test_its_placeholders_are_the_import_functions_and_the_bucket(template: Template) -> None:
    _, machine = _state_machine(template)
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert set(_PLACEHOLDER.findall(machine["Properties"]["DefinitionString"])) == substitutions.keys()
    for spec in IMPORT_FUNCTIONS:
        assert spec.asl_placeholder
        assert substitutions[spec.asl_placeholder] == {"Fn::GetAtt": [_function_id(template, spec), "Arn"]}
    assert substitutions["ImportsBucket"] == {"Ref": _imports_bucket(template)}


def test_its_role_runs_the_map_lists_the_chunks_and_records_failures_only(template: Template) -> None:
    statements = _statements(template, "BulkImportStateMachineRole")
    states = _grants(statements, "states")
    assert states["states:StartExecution"].endswith(':stateMachine:npsops-bulk-import"]]}')
    assert states["states:DescribeExecution"].endswith(':execution:npsops-bulk-import/*"]]}')
    assert states.keys() == {"states:StartExecution", "states:DescribeExecution", "states:StopExecution"}
    assert _grants(statements, "lambda")["lambda:InvokeFunction"] == json.dumps(
        [{"Fn::GetAtt": [_function_id(template, spec), "Arn"]} for spec in IMPORT_FUNCTIONS]
    )
    s3 = _grants(statements, "s3")
    assert s3.keys() == {"s3:ListBucket", "s3:PutObject"}
    assert s3["s3:PutObject"].endswith('/imports/failures/*"]]}')
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["imports/*"]}}
    assert not _grants(statements, "dynamodb")  # the functions write the tables, not the machine


def test_failed_imports_raise_an_alarm(template: Template) -> None:
    machine, _ = _state_machine(template)
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ExecutionsFailed",
            "Dimensions": [{"Name": "StateMachineArn", "Value": {"Ref": machine}}],
            "Threshold": 0,
        },
    )


# The functions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (IMPORT_SPLIT, {"s3:GetObject": "/uploads/*", "s3:PutObject": "/imports/*"}),
        (IMPORT_CHUNK, {"s3:GetObject": "/imports/*", "s3:PutObject": "/imports/*"}),
        (IMPORT_SUMMARIZE, {"s3:GetObject": "/imports/*", "s3:PutObject": "/imports/*", "s3:ListBucket": ""}),
    ],
    ids=lambda value: value.name if isinstance(value, FunctionSpec) else "",
)
def test_each_import_function_reaches_its_prefixes_of_the_bucket(
    template: Template, spec: FunctionSpec, expected: dict[str, str]
) -> None:
    bucket = _imports_bucket(template)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": spec.handler,
            "Environment": {"Variables": Match.object_like({"IMPORTS_BUCKET": {"Ref": bucket}})},
            "MemorySize": spec.memory_mb,
            "Timeout": spec.timeout_seconds,
        },
    )
    grants = _grants(_statements(template, "Functions" + spec.name.replace("-", "")), "s3")
    assert grants.keys() == expected.keys()
    for action, suffix in expected.items():
        assert bucket in grants[action]
        if suffix:
            assert grants[action].endswith(f'{suffix}"]]}}'), (action, grants[action])


def test_the_chunk_function_reaches_the_tables_of_responses_and_signals_and_no_other(
    template: Template,
) -> None:
    statements = _statements(template, "Functionsimportchunk")
    dynamodb = [s for s in statements if _grants([s], "dynamodb")]
    # A table's statement names the table (one resource, or the table and its indexes).
    tables = [s["Resource"][0] if isinstance(s["Resource"], list) else s["Resource"] for s in dynamodb]
    by_table = {
        table["Fn::GetAtt"][0][:-8]: set(_grants([s], "dynamodb"))
        for table, s in zip(tables, dynamodb, strict=True)
    }
    assert by_table == {
        # Responses: one conditional put each; votes: conditional updates.
        "TablesResponses": {"dynamodb:GetItem", "dynamodb:PutItem"},
        "TablesRollups": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        # Signals take the signals API's path: store, learn the account, open cases.
        "TablesSignals": {
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PutItem",
        },
        "TablesAccounts": {"dynamodb:GetItem", "dynamodb:PutItem"},
        "TablesCases": {"dynamodb:PutItem"},
    }
    assert "events:PutEvents" in _grants(statements, "events")  # the cases signals open


def test_the_bucket_is_an_output(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    assert outputs["ImportsBucketName"]["Value"] == {"Ref": _imports_bucket(template)}

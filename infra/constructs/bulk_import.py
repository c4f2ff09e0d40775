"""Bulk import of response history: the imports bucket, the bulk-import state machine (a Distributed Map
over the chunk objects Split writes), and the rule that starts it when a file lands in uploads/."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.catalog import IMPORT_CHUNK, IMPORT_SPLIT, IMPORT_SUMMARIZE, FunctionSpec
from infra.constructs import acknowledge
from infra.constructs.pipeline import Pipeline
from statemachines import BULK_IMPORT, IMPORTS_BUCKET_PLACEHOLDER

# Uploads hold customers' answers, comments and emails; once imported they live in the tables. The
# working files (chunks, results) and the reports are kept long enough to read and re-run an import.
UPLOAD_RETENTION = Duration.days(30)
IMPORT_FILES_RETENTION = Duration.days(30)
ACCESS_LOG_RETENTION = Duration.days(90)
# What starts an import: a data file in uploads/. Not the mapping uploaded beside it (.mapping.json).
UPLOAD_KEY_PATTERNS = ("uploads/*.csv", "uploads/*.jsonl", "uploads/*.ndjson")
TRIGGER_RETRY_ATTEMPTS = 8
TRIGGER_MAX_EVENT_AGE = Duration.hours(24)
DLQ_RETENTION = Duration.days(14)
PERIOD = Duration.minutes(5)

_IAM5_OBJECTS = (
    "Objects that do not exist yet (uploads, each import's chunks, results and reports) can only be "
    "named by prefix: the grant is one prefix of this one bucket, never the bucket's whole content."
)


class BulkImport(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        # S3 delivers access logs under a bucket policy, not the legacy log-delivery ACL (which would
        # need ACLs enabled on the log bucket): AWS's recommendation, a feature flag in CDK.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 access logging writes to
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="ExpireAccessLogs", expiration=ACCESS_LOG_RETENTION)],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Imports",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="imports-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(id="ExpireUploads", prefix="uploads/", expiration=UPLOAD_RETENTION),
                s3.LifecycleRule(
                    id="ExpireImportFiles", prefix="imports/", expiration=IMPORT_FILES_RETENTION
                ),
                s3.LifecycleRule(
                    id="AbortIncompleteUploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # S3 → EventBridge, set on the bucket itself. (Bucket(event_bridge_enabled=True) does it
        # through a custom-resource Lambda function instead, which this needs no more than a second
        # set of IAM and runtime findings.)
        bucket_resource = self.bucket.node.default_child
        assert isinstance(bucket_resource, s3.CfnBucket)
        bucket_resource.add_property_override(
            "NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True
        )

        self._grant_functions(functions)
        split, chunk, summarize = (
            functions[spec.name] for spec in (IMPORT_SPLIT, IMPORT_CHUNK, IMPORT_SUMMARIZE)
        )
        substitutions = {
            _placeholder(spec): functions[spec.name].function_arn
            for spec in (IMPORT_SPLIT, IMPORT_CHUNK, IMPORT_SUMMARIZE)
        }
        substitutions[IMPORTS_BUCKET_PLACEHOLDER] = self.bucket.bucket_name
        self.pipeline = Pipeline(
            self,
            "StateMachine",
            spec=BULK_IMPORT,
            substitutions=substitutions,
            invokes=[split, chunk, summarize],
        )
        self.state_machine = self.pipeline.state_machine
        self.pipeline.grant_distributed_map()
        # The Distributed Map's ItemReader lists the chunks; the failure path writes its record.
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["imports/*"]}},
            )
        )
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects("imports/failures/*")]
            )
        )
        child_executions = (
            "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
            f"{self.pipeline.state_machine_name}/*"
        )
        acknowledge(
            self.state_machine.role,
            f"AwsSolutions-IAM5[Resource::{child_executions}]",
            "A Distributed Map starts each chunk as a child execution named by Step Functions "
            "({machine}/{map run}:{child}); describing and stopping them can only name this state "
            "machine's executions by prefix.",
        )
        acknowledge(self.state_machine.role, self._object_finding("imports/failures/*"), _IAM5_OBJECTS)

        self.trigger_dlq = sqs.Queue(
            self,
            "TriggerDlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        acknowledge(
            self.trigger_dlq,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the upload rule's target (upload events EventBridge "
            "could not start an import for); a dead-letter queue has no dead-letter queue of its own.",
        )
        self.rule = events.Rule(
            self,
            "OnUpload",
            description="A history file in uploads/ starts a bulk import",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [self.bucket.bucket_name]},
                    "object": {"key": [{"wildcard": pattern} for pattern in UPLOAD_KEY_PATTERNS]},
                },
            ),
            targets=[
                targets.SfnStateMachine(
                    self.state_machine,
                    # The import id is derived by Split from the key and the ETag; the mapping is the
                    # one uploaded beside the file (uploads/<name>.mapping.json), else identity.
                    input=events.RuleTargetInput.from_object(
                        {
                            "bucket": events.EventField.from_path("$.detail.bucket.name"),
                            "key": events.EventField.from_path("$.detail.object.key"),
                            "etag": events.EventField.from_path("$.detail.object.etag"),
                        }
                    ),
                    dead_letter_queue=self.trigger_dlq,
                    retry_attempts=TRIGGER_RETRY_ATTEMPTS,
                    max_event_age=TRIGGER_MAX_EVENT_AGE,
                )
            ],
        )
        self.alarms = [
            cloudwatch.Alarm(
                self,
                "ImportsFailed",
                metric=self.state_machine.metric_failed(period=PERIOD, statistic="Sum"),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description="A bulk import failed: see imports/failures/{execution name}.json.",
            )
        ]

    def _grant_functions(self, functions: dict[str, lambda_.Function]) -> None:
        """Each function its prefixes: Split reads uploads and writes chunks; a chunk reads its chunk and
        writes its result and errors; Summarize lists and reads those and writes the report."""
        uploads, imports = self.bucket.arn_for_objects("uploads/*"), self.bucket.arn_for_objects("imports/*")
        access: dict[str, list[iam.PolicyStatement]] = {
            IMPORT_SPLIT.name: [
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[uploads]),
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[imports]),
            ],
            IMPORT_CHUNK.name: [
                iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[imports])
            ],
            IMPORT_SUMMARIZE.name: [
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": ["imports/*"]}},
                ),
                iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[imports]),
            ],
        }
        for name, statements in access.items():
            function = functions[name]
            function.add_environment("IMPORTS_BUCKET", self.bucket.bucket_name)
            for statement in statements:
                function.add_to_role_policy(statement)
            assert function.role is not None
            for prefix in ("uploads/*", "imports/*") if name == IMPORT_SPLIT.name else ("imports/*",):
                acknowledge(function.role, self._object_finding(prefix), _IAM5_OBJECTS)

    def _object_finding(self, prefix: str) -> str:
        """cdk-nag's id for a grant on this bucket's objects under a prefix (it names the bucket by
        its logical id)."""
        stack = Stack.of(self)
        bucket = self.bucket.node.default_child
        assert isinstance(bucket, s3.CfnBucket)
        return f"AwsSolutions-IAM5[Resource::<{stack.resolve(stack.get_logical_id(bucket))}.Arn>/{prefix}]"


def _placeholder(spec: FunctionSpec) -> str:
    assert spec.asl_placeholder, f"{spec.name} has no ${{Placeholder}} in {BULK_IMPORT.file}"
    return spec.asl_placeholder

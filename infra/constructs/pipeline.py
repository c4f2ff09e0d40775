"""A state machine from its ASL file in statemachines/, its ${Placeholders} filled by CloudFormation."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs import LOG_RETENTION, acknowledge
from statemachines import StateMachineSpec

# `cdk deploy -c logLevel:response-pipeline=ALL`: a state machine's log level for this deployment.
LOG_LEVEL_CONTEXT_PREFIX = "logLevel:"


class Pipeline(Construct):
    """The state machine for `spec`.

    The definition is the ASL file inline (DefinitionString) with DefinitionSubstitutions, the same
    mechanism the local runtime mirrors with StateMachineSpec.render. It is inline rather than
    DefinitionBody.from_file, which would upload it as an S3 asset (DefinitionS3Location) and leave
    the template without the definition to read or test.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: StateMachineSpec,
        substitutions: dict[str, str],
        invokes: Sequence[lambda_.IFunction],
        bus: events.IEventBus | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # Known before the state machine exists, so its own grants can name it (see
        # grant_distributed_map) without a reference from its role's policy back to itself.
        self.state_machine_name = f"{Stack.of(self).stack_name}-{spec.name}"
        missing = spec.placeholders() - substitutions.keys()
        extra = substitutions.keys() - spec.placeholders()
        if missing or extra:
            raise KeyError(f"{spec.file}: no value for {sorted(missing)}; no placeholder for {sorted(extra)}")

        level = scope.node.try_get_context(f"{LOG_LEVEL_CONTEXT_PREFIX}{spec.name}") or spec.log_level
        if level != "ALL":
            acknowledge(
                self,
                "AwsSolutions-SF1",
                f"{spec.name} logs at level {level}: every state's events of every execution would "
                "cost more than the rest of its logging (bench/cost_per_million.py); failures are "
                f"logged, and `-c {LOG_LEVEL_CONTEXT_PREFIX}{spec.name}=ALL` logs every path.",
            )
        # The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small however many
        # state machines log (AWS's recommendation for Step Functions log groups). Named, so it goes
        # with the stack: a retained group of the same name would block the next deploy.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{Stack.of(self).stack_name}-{spec.name}",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType[spec.workflow_type],
            definition_body=sfn.DefinitionBody.from_string(spec.template()),
            definition_substitutions=substitutions,
            # Never the states' input and output: they hold customers' comments and emails, which a
            # contact's erasure could not reach in a log group, and they were ~95% of the core path's
            # cost per response (bench/cost_per_million.py). The level is the spec's (statemachines/).
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel[level], include_execution_data=False
            ),
            tracing_enabled=True,
        )
        # The ASL's Task states name the functions by ARN (no :version or :alias), so invoking them
        # needs those ARNs and nothing else.
        if invokes:
            self.state_machine.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"],
                    resources=[function.function_arn for function in invokes],
                )
            )
        if bus is not None:  # for its events:putEvents tasks
            bus.grant_put_events_to(self.state_machine)
        acknowledge(
            self.state_machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Step Functions logging to CloudWatch Logs needs logs:CreateLogDelivery and its siblings, "
            "logs:PutResourcePolicy, logs:DescribeResourcePolicies and logs:DescribeLogGroups, and X-Ray "
            "tracing needs xray:PutTraceSegments, PutTelemetryRecords and GetSampling*; none of them "
            "supports resource-level permissions, so their resource is *.",
        )

    def grant_distributed_map(self) -> None:
        """A Distributed Map runs each item as a child execution of this same state machine: it
        starts them, and describes and stops them. Children are named by Step Functions
        ({machine}/{map run id}:{child id}), so that grant covers this machine's child executions."""
        stack = Stack.of(self)
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:StartExecution"],
                resources=[
                    stack.format_arn(
                        service="states",
                        resource="stateMachine",
                        resource_name=self.state_machine_name,
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[self.child_executions_arn],
            )
        )

    @property
    def arn(self) -> str:
        """The state machine's ARN from its name: for functions it invokes that also start, stop or
        resume it (a reference to the resource would make a dependency cycle)."""
        return Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    @property
    def executions_arn(self) -> str:
        """Every execution of this state machine (arn:...:execution:{name}:*)."""
        return Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    @property
    def child_executions_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine_name}/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def grant_update_item(self, table_arn: str) -> None:
        """For the ASL's direct DynamoDB UpdateItem tasks (MarkProcessed, RecordFailure)."""
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:UpdateItem"], resources=[table_arn])
        )

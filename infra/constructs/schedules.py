"""EventBridge Scheduler schedules, one per ScheduleSpec in functions/schedules.py.

Scheduler rather than an EventBridge rule: it takes a time zone, fills in the scheduled time
(<aws.scheduler.scheduled-time>) so targets do the work of the due day even when retried late, has a
retry policy and a dead-letter queue per target, and needs no resource policy on the target (it
assumes a role instead). Each schedule has its own role, allowed to start its own target only.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.catalog import FunctionSpec, resolve_target
from functions.schedules import SCHEDULES, ScheduleSpec
from infra.constructs import acknowledge

# A firing Scheduler could not deliver is retried for up to a day (a daily job is still worth doing
# late: it takes its day from the scheduled time), then parked in the DLQ.
RETRY_ATTEMPTS = 8
MAX_EVENT_AGE = Duration.hours(24)
DLQ_RETENTION = Duration.days(14)


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        state_machines: dict[str, sfn.IStateMachine],
        specs: tuple[ScheduleSpec, ...] = SCHEDULES,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = sqs.Queue(
            self,
            "Dlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        acknowledge(
            self.dlq,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the schedules (firings Scheduler could not deliver "
            "to their target); a dead-letter queue has no dead-letter queue of its own.",
        )
        self.schedules: dict[str, scheduler.CfnSchedule] = {}
        self.roles: dict[str, iam.Role] = {}
        stack = Stack.of(self)
        for spec in specs:
            target = resolve_target(spec)
            if isinstance(target, FunctionSpec):
                arn = functions[target.name].function_arn
                action = "lambda:InvokeFunction"
            else:
                arn = state_machines[target.name].state_machine_arn
                action = "states:StartExecution"
            role = iam.Role(
                self,
                f"{spec.name}Role",
                # Only Scheduler acting for this account may assume it (confused-deputy guard).
                assumed_by=iam.ServicePrincipal(
                    "scheduler.amazonaws.com",
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                ),
                description=f"npsops schedule {spec.name}: start {spec.target}",
            )
            role.add_to_policy(iam.PolicyStatement(actions=[action], resources=[arn]))
            self.dlq.grant_send_messages(role)
            self.roles[spec.name] = role
            self.schedules[spec.name] = scheduler.CfnSchedule(
                self,
                spec.name,
                name=f"{stack.stack_name}-{spec.name}"[:64],
                description=spec.description,
                schedule_expression=spec.expression,
                schedule_expression_timezone="UTC",
                # Off: handlers take the due time from the input, and jobs of one day must not drift
                # into the next.
                flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                state="ENABLED",
                target=scheduler.CfnSchedule.TargetProperty(
                    arn=arn,
                    role_arn=role.role_arn,
                    input=json.dumps(spec.input),
                    dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=self.dlq.queue_arn),
                    retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                        maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds()),
                        maximum_retry_attempts=RETRY_ATTEMPTS,
                    ),
                ),
            )

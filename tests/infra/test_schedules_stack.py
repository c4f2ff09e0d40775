"""The Scheduler construct: one schedule per ScheduleSpec, each with its own role limited to starting
its own target, the scheduled time in the input, a retry policy and the DLQ; cdk-nag clean."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from functions.catalog import SCORE
from functions.schedules import SCHEDULED_TIME, ScheduleSpec
from infra.constructs.schedules import MAX_EVENT_AGE, RETRY_ATTEMPTS, Schedules
from statemachines import RESPONSE_PIPELINE

DAILY = ScheduleSpec("daily-thing", "cron(0 6 * * ? *)", "A daily job", SCORE.name)
QUARTERLY = ScheduleSpec("quarterly-thing", "cron(0 7 1 1,4,7,10 ? *)", "A workflow", RESPONSE_PIPELINE.name)


@pytest.fixture(scope="module")
def built() -> tuple[Stack, Schedules, Template]:
    stack = Stack(App(), "ScheduleTest", env={"account": "123456789012", "region": "us-east-1"})
    function = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c): return e"),
    )
    machine = sfn.StateMachine(
        stack, "Sm", definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "P"))
    )
    schedules = Schedules(
        stack,
        "Schedules",
        functions={SCORE.name: function},
        state_machines={RESPONSE_PIPELINE.name: machine},
        specs=(DAILY, QUARTERLY),
    )
    return stack, schedules, Template.from_stack(stack)


def _schedule(template: Template, name: str) -> dict[str, Any]:
    found = template.find_resources(
        "AWS::Scheduler::Schedule", {"Properties": {"Name": f"ScheduleTest-{name}"}}
    )
    assert len(found) == 1
    return dict(next(iter(found.values()))["Properties"])


def test_one_schedule_per_spec_with_its_expression_in_utc_and_no_flexible_window(
    built: tuple[Stack, Schedules, Template],
) -> None:
    _, _, template = built
    template.resource_count_is("AWS::Scheduler::Schedule", 2)
    daily = _schedule(template, DAILY.name)
    assert daily["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert daily["ScheduleExpressionTimezone"] == "UTC"
    assert daily["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert daily["State"] == "ENABLED"


def test_target_gets_the_scheduled_time_and_has_retries_and_the_dlq(
    built: tuple[Stack, Schedules, Template],
) -> None:
    stack, schedules, template = built
    target = _schedule(template, QUARTERLY.name)["Target"]
    assert json.loads(target["Input"]) == {"scheduled_at": SCHEDULED_TIME}
    assert target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": int(MAX_EVENT_AGE.to_seconds()),
        "MaximumRetryAttempts": RETRY_ATTEMPTS,
    }
    dlq = stack.resolve(stack.get_logical_id(schedules.dlq.node.default_child))  # type: ignore[arg-type]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq, "Arn"]}}
    machine = stack.resolve(stack.get_logical_id(stack.node.find_child("Sm").node.default_child))  # type: ignore[arg-type]
    assert target["Arn"] == {"Ref": machine}


def _role_statements(template: Template, role_logical_id: str) -> list[dict[str, Any]]:
    policies = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_logical_id}]}}
    )
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


@pytest.mark.parametrize(
    ("spec", "action", "target_id"),
    [(DAILY, "lambda:InvokeFunction", "Fn"), (QUARTERLY, "states:StartExecution", "Sm")],
)
def test_each_role_may_start_its_own_target_and_nothing_else(
    built: tuple[Stack, Schedules, Template], spec: ScheduleSpec, action: str, target_id: str
) -> None:
    stack, schedules, template = built
    role = stack.resolve(stack.get_logical_id(schedules.roles[spec.name].node.default_child))  # type: ignore[arg-type]
    trust = template.to_json()["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust[0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    statements = _role_statements(template, role)
    starts = [s for s in statements if s["Action"] == action]
    assert len(starts) == 1 and target_id in json.dumps(starts[0]["Resource"])
    others = {
        a
        for s in statements
        if s is not starts[0]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert others <= {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}


def test_the_schedules_are_cdk_nag_clean(built: tuple[Stack, Schedules, Template]) -> None:
    stack, schedules, _ = built
    report = AwsSolutionsChecks().validate_scope(stack)
    ours = [
        v.rule_name
        for v in report.violations
        for r in v.violating_resources
        if (r.construct_path or "").startswith(schedules.node.path)
    ]
    assert ours == []


def test_a_schedule_for_an_unknown_target_is_refused() -> None:
    stack = Stack(App(), "Unknown")
    with pytest.raises(KeyError, match="no function or state machine"):
        Schedules(
            stack,
            "S",
            functions={},
            state_machines={},
            specs=(ScheduleSpec("x", "rate(1 day)", "d", "nope"),),
        )

"""The survey constructs: the quarterly refresh state machine, and SurveyRequested to the vendor's API
destination only when configured (Delighted's people API with its body built by a transformer, or a
generic webhook with the envelope); cdk-nag clean."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from functions.catalog import QUARTERLY_REFRESH_STEP, SURVEY_PLANNER, SURVEYS_API
from infra.constructs.events import EventBus
from infra.constructs.surveys import (
    DELIGHTED_INPUT_TEMPLATE,
    DELIGHTED_PEOPLE_ENDPOINT,
    SURVEYS_CONTEXT_KEY,
    Surveys,
    SurveyVendorSettings,
)
from local.event_examples import example_survey_requested


def _build(vendor: dict[str, Any] | None) -> tuple[Stack, Surveys, Template]:
    app = App(context={SURVEYS_CONTEXT_KEY: json.dumps(vendor)} if vendor else {})
    stack = Stack(app, "SurveysTest", env={"account": "123456789012", "region": "us-east-1"})
    functions = {
        spec.name: lambda_.Function(
            stack,
            spec.name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(e, c): return e"),
        )
        for spec in (SURVEY_PLANNER, SURVEYS_API, QUARTERLY_REFRESH_STEP)
    }
    bus = EventBus(stack, "Events", rules=())  # the survey rule alone
    surveys = Surveys(stack, "Surveys", bus=bus, functions=functions, vendor=SurveyVendorSettings.of(stack))
    return stack, surveys, Template.from_stack(stack)


@pytest.fixture(scope="module")
def delighted() -> tuple[Stack, Surveys, Template]:
    return _build({"vendor": "delighted", "secret_name": "npsops/surveys/delighted"})


def test_without_configuration_there_is_no_vendor_destination() -> None:
    _, surveys, template = _build(None)
    template.resource_count_is("AWS::Events::ApiDestination", 0)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    assert surveys.rule is None and surveys.dead_letter_queues == {}


def test_the_quarterly_refresh_is_a_standard_state_machine_invoking_its_step(
    delighted: tuple[Stack, Surveys, Template],
) -> None:
    _, _, template = delighted
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    assert "QuarterlyRefreshFunctionArn" in machine["Properties"]["DefinitionSubstitutions"]


def test_survey_requested_goes_to_delighteds_people_api(delighted: tuple[Stack, Surveys, Template]) -> None:
    _, _, template = delighted
    [destination] = template.find_resources("AWS::Events::ApiDestination").values()
    assert destination["Properties"]["InvocationEndpoint"] == DELIGHTED_PEOPLE_ENDPOINT
    assert destination["Properties"]["HttpMethod"] == "POST"
    [connection] = template.find_resources("AWS::Events::Connection").values()
    assert connection["Properties"]["AuthorizationType"] == "API_KEY"
    [rule] = template.find_resources("AWS::Events::Rule").values()
    assert rule["Properties"]["EventPattern"] == {
        "source": ["npsops"],
        "detail-type": ["SurveyRequested"],
        "detail": {"data": {"connection": ["delighted"]}},
    }
    [target] = rule["Properties"]["Targets"]
    assert target["InputTransformer"]["InputTemplate"] == DELIGHTED_INPUT_TEMPLATE
    assert "Input" not in target and target["RetryPolicy"]["MaximumRetryAttempts"] == 8
    assert "DeadLetterConfig" in target


def test_the_transformer_renders_a_delighted_person_from_the_example_event() -> None:
    """What EventBridge would send, rendered the way it fills the template (strings quoted by the
    template, JSON values as they are)."""
    data = example_survey_requested().model_dump(mode="json")
    body = (
        DELIGHTED_INPUT_TEMPLATE.replace("<email>", data["email"])
        .replace("<delay>", json.dumps(data["delay_seconds"]))
        .replace("<properties>", json.dumps(data["properties"]))
    )
    assert json.loads(body) == {"email": data["email"], "delay": 0, "properties": data["properties"]}


def test_a_generic_webhook_gets_the_envelope() -> None:
    _, _, template = _build(
        {"vendor": "webhook", "url": "https://surveys.example.com/hook", "secret_name": "s"}
    )
    [destination] = template.find_resources("AWS::Events::ApiDestination").values()
    assert destination["Properties"]["InvocationEndpoint"] == "https://surveys.example.com/hook"
    [rule] = template.find_resources("AWS::Events::Rule").values()
    assert rule["Properties"]["Targets"][0]["InputPath"] == "$.detail"


def test_a_webhook_needs_its_url() -> None:
    with pytest.raises(ValueError, match="needs its url"):
        _build({"vendor": "webhook", "secret_name": "s"})


def test_the_survey_constructs_are_cdk_nag_clean(delighted: tuple[Stack, Surveys, Template]) -> None:
    stack, surveys, _ = delighted
    report = AwsSolutionsChecks().validate_scope(stack)
    ours = [
        v.rule_name
        for v in report.violations
        for r in v.violating_resources
        if (r.construct_path or "").startswith(surveys.node.path)
    ]
    assert ours == []

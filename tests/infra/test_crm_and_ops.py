"""The CRM destinations and what an ops team watches, in the synthesized template: every CRM switched
on by context with its connection, API destination, rules with the shared transformers, retries and
DLQ; the archive; the schema registry; the alarms and the dashboard. One synth (jsii is slow)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

from infra.app import build
from infra.constructs.crm import CRM_CONTEXT_KEY
from infra.constructs.events import TARGET_RETRY_ATTEMPTS
from infra.layer import CODE_ONLY, LAYER_CONTEXT_KEY
from infra.stack import NpsOpsStack
from shared.crm import CrmDestination, CrmMapping, destinations
from shared.crm.hubspot import HUBSPOT
from shared.crm.salesforce import SALESFORCE
from shared.crm.slack import SLACK
from shared.events.catalog import CATALOG, event_schema

CRM_CONFIG = {
    "hubspot": {"secret_name": "npsops/crm/hubspot"},
    "salesforce": {"instance_url": "https://acme.my.salesforce.com", "secret_name": "npsops/crm/salesforce"},
    "slack": {"secret_name": "npsops/crm/slack"},
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, NpsOpsStack, Template]:
    context = {LAYER_CONTEXT_KEY: CODE_ONLY, CRM_CONTEXT_KEY: CRM_CONFIG}
    app, stack = build(context, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=False)
    return app, stack, _template(stack)


def _template(stack: NpsOpsStack) -> Template:
    # Whether the whole stack deploys (no dependency cycle) is tests/infra/test_stack.py's to check;
    # these tests look at the CRM and operations resources.
    return Template.from_stack(stack, skip_cyclical_dependencies_check=True)


@pytest.fixture(scope="module")
def template(synthesized: tuple[App, NpsOpsStack, Template]) -> Template:
    return synthesized[2]


def _resources(template: Template, resource_type: str) -> dict[str, Any]:
    return dict(template.find_resources(resource_type))


def _rule(template: Template, crm: CrmDestination, mapping: CrmMapping) -> dict[str, Any]:
    found = [
        r["Properties"]
        for r in _resources(template, "AWS::Events::Rule").values()
        if r["Properties"].get("Description") == mapping.description
        and crm.redrive_source in r["Properties"]["EventPattern"]["source"]
    ]
    assert len(found) == 1, mapping.name
    return found[0]


def _metric_names(alarm: dict[str, Any]) -> set[str]:
    """An alarm's metrics, whether CloudFormation has them as one metric or a list of queries."""
    names = {
        str(q["MetricStat"]["Metric"]["MetricName"]) for q in alarm.get("Metrics", []) if "MetricStat" in q
    }
    return names | ({str(alarm["MetricName"])} if "MetricName" in alarm else set())


def test_no_crm_is_deployed_without_configuration(tmp_path_factory: pytest.TempPathFactory) -> None:
    _, stack = build({LAYER_CONTEXT_KEY: CODE_ONLY}, outdir=str(tmp_path_factory.mktemp("o")), nag=False)
    plain = _template(stack)
    plain.resource_count_is("AWS::Events::ApiDestination", 0)
    plain.resource_count_is("AWS::Events::Connection", 0)
    plain.resource_count_is("AWS::Pipes::Pipe", 0)


def test_each_crm_has_a_connection_with_secrets_manager_credentials(template: Template) -> None:
    connections = [r["Properties"] for r in _resources(template, "AWS::Events::Connection").values()]
    assert len(connections) == 3
    text = json.dumps(connections)
    assert "{{resolve:secretsmanager:npsops/crm/hubspot:SecretString:::}}" in text
    assert "{{resolve:secretsmanager:npsops/crm/salesforce:SecretString:client_secret::}}" in text
    oauth = next(c for c in connections if c["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS")
    assert oauth["AuthParameters"]["OAuthParameters"]["AuthorizationEndpoint"] == (
        "https://acme.my.salesforce.com/services/oauth2/token"
    )


def test_each_crm_has_its_api_destination(template: Template) -> None:
    endpoints = {
        r["Properties"]["HttpMethod"] + " " + json.dumps(r["Properties"]["InvocationEndpoint"])
        for r in _resources(template, "AWS::Events::ApiDestination").values()
    }
    assert endpoints == {
        'PATCH "https://api.hubapi.com/crm/v3/objects/companies/*"',
        'PATCH "https://acme.my.salesforce.com/services/data/v62.0/sobjects/Account/Npsops_Account_Id__c/*"',
        'POST "{{resolve:secretsmanager:npsops/crm/slack:SecretString:webhook_url::}}"',
    }


@pytest.mark.parametrize("crm", [HUBSPOT, SALESFORCE], ids=lambda c: c.name)
def test_every_mapping_is_a_rule_with_its_transformer_retries_and_dlq(
    template: Template, crm: CrmDestination
) -> None:
    for mapping in crm.mappings:
        rule = _rule(template, crm, mapping)
        assert rule["EventPattern"] == json.loads(json.dumps(crm.rule_pattern(mapping)))
        (target,) = rule["Targets"]
        assert mapping.transform is not None
        assert target["InputTransformer"] == {
            "InputPathsMap": dict(mapping.transform.paths),
            "InputTemplate": mapping.transform.template,
        }
        assert target["RetryPolicy"]["MaximumRetryAttempts"] == TARGET_RETRY_ATTEMPTS
        assert "DeadLetterConfig" in target
        assert target["HttpParameters"]["PathParameterValues"] == ["$.detail.account_id"]


def test_slack_goes_through_a_queue_the_mapping_lambda_and_its_api_destination(template: Template) -> None:
    for mapping in SLACK.mappings:
        (target,) = _rule(template, SLACK, mapping)["Targets"]
        assert "InputTransformer" not in target and "DeadLetterConfig" in target
    (pipe,) = [r["Properties"] for r in _resources(template, "AWS::Pipes::Pipe").values()]
    functions = _resources(template, "AWS::Lambda::Function")
    mapper = next(
        k
        for k, r in functions.items()
        if r["Properties"].get("Handler") == "functions.crm_mapping.handler.handler"
    )
    assert pipe["Enrichment"] == {"Fn::GetAtt": [mapper, "Arn"]}
    assert pipe["Target"]["Fn::GetAtt"][0].startswith("CrmSlackDestination")
    assert pipe["Source"]["Fn::GetAtt"][0].startswith("CrmSlackOutbox")
    # The outbox redrives failures into the Slack DLQ.
    outboxes = [
        r for k, r in _resources(template, "AWS::SQS::Queue").items() if k.startswith("CrmSlackOutbox")
    ]
    assert outboxes[0]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].startswith(
        "CrmSlackDlq"
    )


def test_the_bus_has_an_archive_for_replay(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Archive", {"RetentionDays": 365, "SourceArn": Match.any_value()}
    )


def test_every_detail_type_schema_is_in_the_registry(template: Template) -> None:
    template.resource_count_is("AWS::EventSchemas::Registry", 1)
    schemas = {
        r["Properties"]["SchemaName"]: r["Properties"]
        for r in _resources(template, "AWS::EventSchemas::Schema").values()
    }
    assert set(schemas) == {entry.schema_name for entry in CATALOG}
    for entry in CATALOG:
        published = schemas[entry.schema_name]
        assert published["Type"] == "JSONSchemaDraft4"
        assert json.loads(published["Content"]) == event_schema(entry)


def test_alarms_on_failed_executions_dlq_depth_5xx_throttles_and_crm_failures(template: Template) -> None:
    alarms = {k: r["Properties"] for k, r in _resources(template, "AWS::CloudWatch::Alarm").items()}
    metrics = set().union(*(_metric_names(a) for a in alarms.values()))
    assert {"ExecutionsFailed", "ApproximateNumberOfMessagesVisible", "5xx", "Throttles"} <= metrics
    names = " ".join(alarms)
    for dlq in ("CrmOutboxDlq", "UnpublishedEvents", "HubSpotDlq", "SalesforceDlq", "SlackDlq"):
        assert f"{dlq}Depth" in names, dlq
    for crm in destinations():
        assert f"CrmDeliveriesFailed{crm.name.title()}" in names, crm.name
    assert all(a["Threshold"] == 0 and a["EvaluationPeriods"] == 1 for a in alarms.values())


def test_the_dashboard_shows_pipeline_api_dlqs_and_business_metrics(template: Template) -> None:
    (dashboard,) = _resources(template, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for title in (
        "Alarms",
        "Intake requests",
        "Pipeline executions",
        "Dead-letter queue depth",
        "Responses by band",
    ):
        assert title in body, title
    for metric in ("ResponsesDetractor", "CasesOpened", "SlaBreaches", "FailedInvocations"):
        assert metric in body, metric


def test_outputs_say_where_redrive_finds_the_dead_letters(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    assert {
        "UnpublishedEventsQueueUrl",
        "CrmOutboxDlqUrl",
        "CrmDlqHubspotUrl",
        "CrmDlqSalesforceUrl",
        "CrmDlqSlackUrl",
    } <= set(outputs)


def test_the_crm_constructs_pass_cdk_nag(synthesized: tuple[App, NpsOpsStack, Template]) -> None:
    _, stack, _ = synthesized
    report = AwsSolutionsChecks(verbose=True).validate_scope(stack)
    mine = ("npsops/Crm/", "npsops/Events/", "npsops/Observability/")
    findings = [
        f"{v.rule_name}: {r.construct_path}"
        for v in report.violations
        for r in v.violating_resources
        if (r.construct_path or "").startswith(mine)
    ]
    assert findings == []

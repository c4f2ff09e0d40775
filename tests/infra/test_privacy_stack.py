"""The privacy function in the template: exactly the grants it needs, table by table, behind IAM."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from functions.catalog import PRIVACY_API
from infra.app import build
from shared.store.schema import AUDIT, CASES, CONTACTS, QUARANTINE, RESPONSES, ROLLUPS, SURVEYS
from tests.infra.test_stack import CONTEXT, _actions, _policy_statements, _table_id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    _, stack = build(CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=False)
    return Template.from_stack(stack)


def _grants(template: Template) -> dict[str, set[str]]:
    """DynamoDB actions by the table each statement names (its indexes, for a Query, come with it)."""
    granted: dict[str, set[str]] = {}
    for statement in _policy_statements(template, "Functions" + PRIVACY_API.name):
        actions = {a for a in _actions(statement) if a.startswith("dynamodb:")}
        if actions:
            resources = statement["Resource"]
            table = resources[0] if isinstance(resources, list) else resources
            granted.setdefault(table["Fn::GetAtt"][0], set()).update(actions)
    return granted


def test_the_privacy_function_may_touch_only_what_an_export_and_an_erasure_need(template: Template) -> None:
    granted = _grants(template)
    expected = {
        CONTACTS: {"dynamodb:GetItem", "dynamodb:DeleteItem"},
        RESPONSES: {"dynamodb:Scan", "dynamodb:UpdateItem"},
        QUARANTINE: {"dynamodb:Query", "dynamodb:DeleteItem"},
        CASES: {"dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem"},
        ROLLUPS: {"dynamodb:Scan", "dynamodb:UpdateItem"},
        SURVEYS: {"dynamodb:Query", "dynamodb:UpdateItem"},
        # Append-only: the audit is never changed or deleted by the function that writes it.
        AUDIT: {"dynamodb:PutItem", "dynamodb:Query"},
    }
    assert granted == {_table_id(template, spec): actions for spec, actions in expected.items()}


def test_its_routes_need_iam(template: Template) -> None:
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    privacy = {
        r["Properties"]["RouteKey"]: r["Properties"].get("AuthorizationType")
        for r in routes.values()
        if "/v1/contacts/{contact_id}/" in r["Properties"]["RouteKey"]
    }
    assert privacy == {
        "GET /v1/contacts/{contact_id}/export": "AWS_IAM",
        "POST /v1/contacts/{contact_id}/erase": "AWS_IAM",
    }

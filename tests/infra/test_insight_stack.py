"""The insight issue in the template: the reports API reads and never writes, its routes need IAM,
and the score function reads comments with Amazon Comprehend (only its two detect actions)."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from functions.catalog import REPORTS_API, SCORE
from infra.app import build
from infra.constructs.functions import COMPREHEND_ACCESS
from tests.infra.test_stack import CONTEXT, _actions, _function_id, _policy_statements


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    _, stack = build(CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=False)
    # Whether the whole template deploys (no dependency cycle) is tests/infra/test_stack.py's check.
    return Template.from_stack(stack, skip_cyclical_dependencies_check=True)


def _prefix(name: str) -> str:
    return "Functions" + name.replace("-", "")


def test_reports_only_read(template: Template) -> None:
    statements = _policy_statements(template, _prefix(REPORTS_API.name))
    dynamodb = set().union(
        *(_actions(s) for s in statements if any(a.startswith("dynamodb:") for a in _actions(s)))
    )
    assert dynamodb and not dynamodb & {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                        "dynamodb:BatchWriteItem"}  # fmt: skip


def test_reports_routes_need_iam(template: Template) -> None:
    for route in REPORTS_API.routes:
        template.has_resource_properties(
            "AWS::ApiGatewayV2::Route",
            {"RouteKey": f"{route.method} {route.path}", "AuthorizationType": "AWS_IAM"},
        )


def test_score_uses_comprehend_on_aws(template: Template) -> None:
    function = template.to_json()["Resources"][_function_id(template, SCORE)]
    assert function["Properties"]["Environment"]["Variables"]["TEXT_ANALYZER"] == "comprehend"
    statements = _policy_statements(template, _prefix(SCORE.name))
    comprehend = [s for s in statements if any(a.startswith("comprehend:") for a in _actions(s))]
    assert [(_actions(s), s["Resource"]) for s in comprehend] == [(set(COMPREHEND_ACCESS[SCORE.name]), "*")]

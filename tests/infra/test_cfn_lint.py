"""cfn-lint on the synthesized CloudFormation templates, as `cdk deploy` would upload them: the defaults,
the CRMs and Delighted surveys on, and a webhook survey vendor. cdk-nag checks policy; cfn-lint checks
what CloudFormation itself would refuse or warn about (property values, references, deprecated
runtimes, resource-specific limits). Every error and warning fails, but for the one rule below.

One synth per variant (jsii is slow); the layer is bundled code-only, so no pip and no network.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs

from infra.app import STACK_NAME, build
from infra.constructs.crm import CRM_CONTEXT_KEY
from infra.constructs.surveys import SURVEYS_CONTEXT_KEY
from infra.layer import CODE_ONLY, LAYER_CONTEXT_KEY
from tests.infra.test_crm_and_ops import CRM_CONFIG

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "crms-and-delighted": {
        CRM_CONTEXT_KEY: CRM_CONFIG,
        SURVEYS_CONTEXT_KEY: json.dumps({"vendor": "delighted", "secret_name": "npsops/surveys/delighted"}),
    },
    "webhook-surveys": {
        SURVEYS_CONTEXT_KEY: json.dumps(
            {
                "vendor": "webhook",
                "url": "https://surveys.example.com/hook",
                "secret_name": "npsops/surveys/webhook",
            }
        ),
    },
}

IGNORED = [
    # W3005, "dependency already enforced by a GetAtt": CDK's own. Each function and state machine
    # depends on its role construct, so that the role's DefaultPolicy (a child of it) exists before
    # the resource first runs; that puts the role itself in DependsOn beside the GetAtt of its Arn,
    # which cfn-lint calls redundant. Harmless, and CDK's to write.
    "W3005",
]
REGIONS = ["us-east-1"]  # the stack is environment-agnostic; cfn-lint checks values against a region
# ApiDestinations per variant: none; three CRMs and Delighted; the webhook.
DESTINATIONS = {"defaults": 0, "crms-and-delighted": 4, "webhook-surveys": 1}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each variant's template, as the app writes it to cdk.out/ (the file `cdk deploy` uploads)."""
    texts = {}
    for variant, context in VARIANTS.items():
        outdir = tmp_path_factory.mktemp("cdk.out")
        app, _ = build({LAYER_CONTEXT_KEY: CODE_ONLY, **context}, outdir=str(outdir), nag=False)
        app.synth()
        texts[variant] = (outdir / f"{STACK_NAME}.template.json").read_text()
    return texts


def findings(text: str) -> list[str]:
    matches = lint(text, config=ManualArgs(regions=REGIONS, ignore_checks=IGNORED))
    return [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_template_has_no_cfn_lint_error_or_warning(templates: dict[str, str], variant: str) -> None:
    assert findings(templates[variant]) == []


def test_each_variant_is_its_own_template(templates: dict[str, str]) -> None:
    """The CRMs and the survey vendor are there, or not, as each variant's context says."""
    for variant, text in templates.items():
        resources = json.loads(text)["Resources"].values()
        destinations = [r for r in resources if r["Type"] == "AWS::Events::ApiDestination"]
        assert len(destinations) == DESTINATIONS[variant], variant


def test_the_lint_catches_a_broken_template(templates: dict[str, str]) -> None:
    template = json.loads(templates["defaults"])
    function = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    function["Properties"]["Runtime"] = "python2.7"
    function["Properties"]["Role"] = {"Fn::GetAtt": ["NoSuchRole", "Arn"]}
    found = {finding.split()[0] for finding in findings(json.dumps(template, indent=1))}
    assert found == {"E1010", "E2533"}  # the GetAtt of no resource; a runtime CloudFormation refuses

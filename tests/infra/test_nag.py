"""cdk-nag's AwsSolutions checks pass, and every finding we accept is accepted on purpose, with a reason.

cdk-nag 3 is a CDK policy-validation plugin: it reports violations to the validation framework
(synth fails on any) instead of adding annotations, and reads acknowledgments
(`Validations.of(construct).acknowledge`) from construct metadata.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from infra import constructs
from infra.app import build
from infra.layer import CODE_ONLY, LAYER_CONTEXT_KEY
from infra.stack import NpsOpsStack

CONTEXT = {LAYER_CONTEXT_KEY: CODE_ONLY}
ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY

# Every finding the stack accepts. A new one is a decision: add it here with the acknowledgment.
EXPECTED_ACKNOWLEDGMENTS = {
    "AwsSolutions-IAM5[Resource::*]",  # X-Ray and Step Functions log delivery: no resource-level permissions
    "AwsSolutions-L1",  # Python 3.12: the layer's binary wheels are built for it
    "AwsSolutions-APIG4",  # vendor webhook route: authenticated by the vendor's signature, not IAM
    # connection secrets are created at run time under one prefix: the grant names the prefix
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:"
    "secret:npsops/connections/*]",
    # bulk import: objects that do not exist yet are granted by prefix of the imports bucket ...
    "AwsSolutions-IAM5[Resource::<BulkImportImports50D034DB.Arn>/uploads/*]",
    "AwsSolutions-IAM5[Resource::<BulkImportImports50D034DB.Arn>/imports/*]",
    "AwsSolutions-IAM5[Resource::<BulkImportImports50D034DB.Arn>/imports/failures/*]",
    # ... and the Distributed Map's child executions, named by Step Functions, by the machine's prefix
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
    "execution:npsops-bulk-import/*]",
    "AwsSolutions-SQS3",  # the upload rule target's DLQ: a dead-letter queue has none of its own
    # the renewal scanner stops escalations, named per renewal at run time
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
    "execution:npsops-renewal-escalation:*]",
    "AwsSolutions-SF1",  # the response pipeline logs its failures, not every state (statemachines/)
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, NpsOpsStack, Template]:
    # Synthesizing with the plugin registered (as infra/app.py does) fails on any unacknowledged finding.
    app, stack = build(CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")), nag=True)
    return app, stack, Template.from_stack(stack)


def _describe(report: Any) -> list[str]:
    return [
        f"{violation.rule_name}: {[r.construct_path for r in violation.violating_resources]}"
        for violation in report.violations
    ]


def test_no_unacknowledged_awssolutions_findings(synthesized: tuple[App, NpsOpsStack, Template]) -> None:
    _, stack, _ = synthesized
    report = AwsSolutionsChecks(verbose=True).validate_scope(stack)
    assert _describe(report) == []
    assert report.success


def test_no_error_annotations(synthesized: tuple[App, NpsOpsStack, Template]) -> None:
    _, stack, _ = synthesized
    assert Annotations.from_stack(stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*")) == []
    assert Annotations.from_stack(stack).find_error("*", Match.any_value()) == []


def _acknowledgments(root: IConstruct) -> Iterator[tuple[str, str, str]]:
    """(construct path, rule id, reason) for every acknowledgment in the tree."""
    for construct in root.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACKNOWLEDGED:
                for rule_id, reason in entry.data.items():
                    yield construct.node.path, rule_id.split("::", 1)[-1], reason


def test_every_acknowledgment_has_a_reason(synthesized: tuple[App, NpsOpsStack, Template]) -> None:
    _, stack, _ = synthesized
    acknowledgments = list(_acknowledgments(stack))
    assert acknowledgments
    for path, rule_id, reason in acknowledgments:
        assert isinstance(reason, str) and len(reason.strip()) > 20, f"{path}: {rule_id} has no real reason"


def test_acknowledgments_are_the_expected_ones(synthesized: tuple[App, NpsOpsStack, Template]) -> None:
    _, stack, _ = synthesized
    assert {rule_id for _, rule_id, _ in _acknowledgments(stack)} == EXPECTED_ACKNOWLEDGMENTS


def test_template_carries_the_suppressions_with_reasons(
    synthesized: tuple[App, NpsOpsStack, Template],
) -> None:
    _, _, template = synthesized
    suppressed: set[str] = set()
    for logical_id, resource in template.to_json()["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            assert rule["reason"].strip(), f"{logical_id}: {rule['id']} has an empty reason"
            suppressed.add(rule["id"])
    assert suppressed == EXPECTED_ACKNOWLEDGMENTS


def _modules_that_acknowledge() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"infra.constructs.{m.name}")
        for m in pkgutil.iter_modules(constructs.__path__)
    ]
    return [module for module in modules if getattr(module, "acknowledge", None) is constructs.acknowledge]


def test_every_acknowledgment_still_hides_a_real_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the acknowledgments, the checks find exactly the acknowledged rules: none is stale."""
    for module in _modules_that_acknowledge():
        monkeypatch.setattr(module, "acknowledge", lambda *_args: None)
    _, stack = build(CONTEXT, nag=False)
    report = AwsSolutionsChecks().validate_scope(stack)
    assert {violation.rule_name for violation in report.violations} == EXPECTED_ACKNOWLEDGMENTS

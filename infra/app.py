"""The CDK app: `python -m infra.app` (or `cdk synth`) from the repo root writes cdk.out/.

Synthesis is offline: the stack is environment-agnostic (no account or region lookups) and every
asset is bundled locally, without docker (infra/layer.py). The first synth in "full" layer mode runs
pip for the layer's dependencies and caches them under build/layer/; pass
`-c npsops:layer=code-only` (or set NPSOPS_LAYER=code-only) to synthesize templates with no network.
"""

from __future__ import annotations

import os
from typing import Any

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.layer import REPO_ROOT
from infra.stack import NpsOpsStack

STACK_NAME = "npsops"


def build(
    context: dict[str, Any] | None = None, outdir: str | None = None, *, nag: bool = True
) -> tuple[App, NpsOpsStack]:
    """The app with its one stack and cdk-nag's AwsSolutions checks.

    cdk-nag 3 is a policy-validation plugin: synth fails on any finding not acknowledged (with a
    reason) on the resource or one of its parents, and prints the report; acknowledged rules are
    written into each resource's Metadata (cdk_nag.rules_to_suppress) as an audit trail.
    """
    app = App(context=context, outdir=outdir)
    stack = NpsOpsStack(app, STACK_NAME, description="npsops: NPS responses into Customer Success operations")
    Tags.of(app).add("project", "npsops")
    if nag:
        Validations.of(app).add_plugins(
            AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
        )
    return app, stack


def main() -> None:
    # The cdk CLI says where to write (CDK_OUTDIR); run directly, the app writes the repo's cdk.out/
    # rather than CDK's default of a temporary directory.
    outdir = None if "CDK_OUTDIR" in os.environ else str(REPO_ROOT / "cdk.out")
    app, _ = build(outdir=outdir)
    app.synth()


if __name__ == "__main__":
    main()

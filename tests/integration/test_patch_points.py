"""local/ patches moto internals; moto is pinned exactly. This fails the moment an upgrade moves one."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from local.moto_patches import PATCH_POINTS, resolve


@pytest.mark.parametrize(("module", "attribute"), PATCH_POINTS, ids=[f"{m}:{a}" for m, a in PATCH_POINTS])
def test_every_patch_point_still_exists(module: str, attribute: str) -> None:
    assert resolve(module, attribute) is not None


def test_moto_is_pinned_to_the_version_the_patches_were_written_for() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    pinned = re.search(r'"moto\[[^\]]*\]==([^"]+)"', pyproject)
    assert pinned is not None, "moto must be pinned with == in pyproject.toml"
    assert version("moto") == pinned.group(1)


def test_lambda_invoke_through_the_api_runs_the_real_handler(aws: object) -> None:
    import json

    import boto3

    step = {
        "response_key": "generic-r-1",
        "response": {
            "response_id": "r-1",
            "account_id": "a",
            "contact_id": "c",
            "score": 8,
            "submitted_at": "2026-11-02T09:00:00Z",
        },
    }
    reply = boto3.client("lambda").invoke(FunctionName="npsops-score", Payload=json.dumps(step))
    assert json.loads(reply["Payload"].read())["play"] == "nudge"
    failed = boto3.client("lambda").invoke(FunctionName="npsops-score", Payload=json.dumps({"response": {}}))
    assert failed["FunctionError"] and json.loads(failed["Payload"].read())["errorType"] == "ValidationError"

"""The response pipeline's ASL and its Python side cannot drift apart: every `$.path` the ASL reads
resolves to a field of the model the state has at that point, every step's Parameters build its
input model, and every literal the Choice states test is the constant npsops sends
(local/pipeline_docs.py). docs/pipeline.md, the table of the steps, is current."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from local.pipeline_docs import DOC, load_asl, problems, render


@pytest.fixture(scope="module")
def asl() -> dict[str, Any]:
    return load_asl()


def test_the_asl_and_the_python_side_agree(asl: dict[str, Any]) -> None:
    assert problems(asl) == []


def test_docs_pipeline_md_is_current(asl: dict[str, Any]) -> None:
    assert DOC.read_text() == render(asl), "run `python -m local.pipeline_docs` and commit docs/pipeline.md"


def _renamed(asl: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return dict(json.loads(json.dumps(asl).replace(old, new)))


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('"$.rollup.history"', '"$.rollup.histories"', "Aggregated has no field 'histories'"),
        ('"$.scored.themes"', '"$.scores.themes"', "the state has no 'scores' here"),
        ('"$.triggers.fired"', '"$.triggers.firing"', "Evaluated has no field 'firing'"),
        ('"case-follow-up"', '"case-followup"', "AskedByNpsops tests touchpoints"),
        ('"pre-renewal"', '"renewal"', "AskedByNpsops tests touchpoints"),
        ("npsops_case_id", "npsops_case", "AskedByNpsops tests properties"),
        ("npsops_renewal", "npsops_renewals", "AskedByNpsops tests properties"),
        ('"$.scored.band"', '"$.scored.bands"', "Scored has no field 'bands'"),
    ],
)
def test_a_rename_on_one_side_only_fails(asl: dict[str, Any], old: str, new: str, named: str) -> None:
    assert old in json.dumps(asl)
    assert any(named in problem for problem in problems(_renamed(asl, old, new)))


def test_parameters_that_do_not_build_the_input_model_fail(asl: dict[str, Any]) -> None:
    broken = copy.deepcopy(asl)
    del broken["States"]["EvaluateTriggers"]["Parameters"]["history.$"]
    assert any("do not build EvaluateStep" in p for p in problems(broken))
    broken = copy.deepcopy(asl)
    broken["States"]["Aggregate"]["Parameters"]["extra.$"] = "$.response_key"
    assert any("do not build AggregateStep" in p for p in problems(broken))


def test_a_lambda_task_without_its_step_fails(asl: dict[str, Any]) -> None:
    broken = copy.deepcopy(asl)
    broken["States"]["Scorer"] = broken["States"].pop("Score")
    broken["StartAt"] = "Scorer"
    assert "Scorer: a Lambda task with no Step in STEPS" in problems(broken)


def test_a_lambda_task_whose_placeholder_names_no_function_fails(asl: dict[str, Any]) -> None:
    broken = copy.deepcopy(asl)
    broken["States"]["Score"]["Resource"] = "${ScorerFunctionArn}"
    assert any("no function's placeholder in functions/catalog.py" in p for p in problems(broken))

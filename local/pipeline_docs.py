"""The response pipeline as one readable unit: for each step of
statemachines/response_pipeline.asl.json, its input model, output model, service and the ASL paths
that feed it, side by side. `python -m local.pipeline_docs` writes the table to docs/pipeline.md;
tests/unit/test_pipeline_contract.py checks that the table is current and that every `$.path` the
ASL reads, and every literal its Choice states test, is a field or constant of the Python side.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from functions.catalog import FUNCTIONS
from shared.domain.surveys import Touchpoint
from shared.services.cases import CASE_PROPERTY
from shared.services.closed_loop import CloseTheLoop, LoopClosed
from shared.services.pipeline import (
    Aggregate,
    Aggregated,
    AggregateStep,
    CasesOpened,
    Evaluated,
    EvaluateStep,
    EvaluateTriggers,
    OpenCases,
    OpenCasesStep,
    ResponseStep,
    Score,
    Scored,
)
from shared.services.renewals import RENEWAL_PROPERTY
from statemachines import RESPONSE_PIPELINE

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "pipeline.md"


@dataclass(frozen=True)
class Step:
    state: str  # the Task state in the ASL (its function: the catalog's, by the Resource placeholder)
    input: type[BaseModel]  # what the state's Parameters build
    output: type[BaseModel]  # what it returns, kept at the state's ResultPath
    service: type  # shared/services: the callable the handler calls once per event


STEPS = (
    Step("Score", ResponseStep, Scored, Score),
    Step("Aggregate", AggregateStep, Aggregated, Aggregate),
    Step("CloseTheLoop", ResponseStep, LoopClosed, CloseTheLoop),
    Step("EvaluateTriggers", EvaluateStep, Evaluated, EvaluateTriggers),
    Step("OpenCases", OpenCasesStep, CasesOpened, OpenCases),
)
# What the intake starts each execution with (shared/store/executions.py PipelineStarter).
EXECUTION_INPUT = ResponseStep


class StepFailure(BaseModel):
    """What a Catch with ResultPath keeps: Step Functions' error name and cause."""

    model_config = ConfigDict(defer_build=True)

    Error: str
    Cause: str


# The answers npsops asked for go to CloseTheLoop first: the literals AskedByNpsops tests.
ASKED_BY_NPSOPS_TOUCHPOINTS = {Touchpoint.CASE_FOLLOW_UP.value, Touchpoint.PRE_RENEWAL.value}
ASKED_BY_NPSOPS_PROPERTIES = {CASE_PROPERTY, RENEWAL_PROPERTY}


def load_asl() -> dict[str, Any]:
    """The pipeline's ASL as written: a Lambda task's Resource is its function's ${Placeholder}."""
    return dict(json.loads(RESPONSE_PIPELINE.template()))


def _function_of(state: dict[str, Any]) -> str | None:
    """The handler module behind a Lambda task (functions/catalog.py asl_placeholder), else None."""
    placeholders = {f"${{{f.asl_placeholder}}}": f.module for f in FUNCTIONS if f.asl_placeholder}
    return placeholders.get(str(state.get("Resource", "")))


def paths_in(node: Any) -> Iterator[str]:
    """Every `$.` path the node reads: a `.$` parameter's value, a Choice's Variable."""
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                isinstance(value, str)
                and value.startswith("$.")
                and (key.endswith(".$") or key == "Variable")
            ):
                yield value
            else:
                yield from paths_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from paths_in(item)


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _field_type(model: type[BaseModel], name: str) -> Any | None:
    if name in model.model_fields:
        return _unwrap(model.model_fields[name].annotation)
    if name in model.model_computed_fields:
        return _unwrap(model.model_computed_fields[name].return_type)
    return None


def resolve(path: str, document: dict[str, Any]) -> str | None:
    """Why `path` names nothing in the state document (key → model), or None when it does. Inside
    a `dict[str, X]` any key resolves: the Choice literals are checked against their constants."""
    first, *rest = path.removeprefix("$.").split(".")
    if first not in document:
        return f"{path}: the state has no {first!r} here (it has {sorted(document)})"
    current = document[first]
    for depth, name in enumerate(rest):
        if get_origin(current) is dict:
            return None
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return f"{path}: {'.'.join([first, *rest[:depth]])} is {current!r}, which has no fields"
        found = _field_type(current, name)
        if found is None:
            return f"{path}: {current.__name__} has no field {name!r}"
        current = found
    return None


def problems(asl: dict[str, Any]) -> list[str]:
    """Every place where the ASL and the Python side disagree, walking the states in order."""
    found: list[str] = []
    states: dict[str, Any] = asl["States"]
    steps = {step.state: step for step in STEPS}
    # A Lambda task's Resource is its function's ${Placeholder}; the direct integrations' an ARN.
    lambda_states = {
        n for n, s in states.items() if s["Type"] == "Task" and not s["Resource"].startswith("arn:")
    }
    found += [
        f"{n}: {states[n]['Resource']} is no function's placeholder in functions/catalog.py"
        for n in sorted(lambda_states)
        if _function_of(states[n]) is None
    ]
    found += [f"{n}: a Lambda task with no Step in STEPS" for n in sorted(lambda_states - steps.keys())]
    found += [f"{n}: in STEPS, not in the ASL" for n in sorted(steps.keys() - states.keys())]
    document: dict[str, Any] = {
        name: _unwrap(field.annotation) for name, field in EXECUTION_INPUT.model_fields.items()
    }
    for name in _in_order(asl):
        state = states[name]
        for path in paths_in({k: v for k, v in state.items() if k in ("Parameters", "Choices")}):
            problem = resolve(path, document)
            if problem:
                found.append(f"{name}: {problem}")
        step = steps.get(name)
        if step is not None:
            given = {key.removesuffix(".$") for key in state.get("Parameters", {})}
            expected = set(step.input.model_fields)
            required = {n for n, f in step.input.model_fields.items() if f.is_required()}
            if given - expected or required - given:
                found.append(
                    f"{name}: Parameters {sorted(given)} do not build {step.input.__name__} "
                    f"(fields {sorted(expected)}, required {sorted(required)})"
                )
        result_path = state.get("ResultPath")
        if isinstance(result_path, str) and result_path.startswith("$."):
            key = result_path.removeprefix("$.")
            if step is not None:
                document[key] = step.output
            elif state["Type"] == "Pass":
                document[key] = _pass_output(name, state, found)
        for catch in state.get("Catch", []):
            document.setdefault(catch["ResultPath"].removeprefix("$."), StepFailure)
    found += _choice_literals(states)
    return found


def _pass_output(name: str, state: dict[str, Any], found: list[str]) -> Any:
    """A Pass state that stands in for a step (NoCases for OpenCases) builds that step's output."""
    keys = {key.removesuffix(".$") for key in state.get("Parameters", {})}
    model = next((s.output for s in STEPS if set(s.output.model_fields) == keys), None)
    if model is None:
        found.append(f"{name}: its Parameters {sorted(keys)} build no step's output")
        return dict[str, Any]
    return model


def _choice_literals(states: dict[str, Any]) -> list[str]:
    found = []
    touchpoints, properties = set(), set()
    for name, state in states.items():
        if state["Type"] != "Choice":
            continue
        for rule in _rules(state["Choices"]):
            variable = rule.get("Variable", "")
            if variable == "$.response.touchpoint" and "StringEquals" in rule:
                touchpoints.add(rule["StringEquals"])
            elif variable.startswith("$.response.properties."):
                properties.add(variable.removeprefix("$.response.properties."))
            elif "StringEquals" in rule:
                found.append(f"{name}: {variable} = {rule['StringEquals']!r} is tied to no constant")
    if touchpoints != ASKED_BY_NPSOPS_TOUCHPOINTS:
        found.append(
            f"AskedByNpsops tests touchpoints {sorted(touchpoints)}, npsops asks with "
            f"{sorted(ASKED_BY_NPSOPS_TOUCHPOINTS)} (shared/domain/surveys.py Touchpoint)"
        )
    if properties != ASKED_BY_NPSOPS_PROPERTIES:
        found.append(
            f"AskedByNpsops tests properties {sorted(properties)}, npsops sends "
            f"{sorted(ASKED_BY_NPSOPS_PROPERTIES)} (CASE_PROPERTY, RENEWAL_PROPERTY)"
        )
    return found


def _rules(choices: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for rule in choices:
        yield rule
        for key in ("And", "Or"):
            yield from _rules(rule.get(key, []))
        if "Not" in rule:
            yield from _rules([rule["Not"]])


def _in_order(asl: dict[str, Any]) -> list[str]:
    """The states from StartAt along Next and Choice branches, each once, in the order first reached."""
    order: list[str] = []
    pending = [asl["StartAt"]]
    while pending:
        name = pending.pop(0)
        if name in order:
            continue
        order.append(name)
        state = asl["States"][name]
        pending += [c["Next"] for c in state.get("Choices", [])]
        pending += [n for n in (state.get("Next"), state.get("Default")) if n]
        pending += [c["Next"] for c in state.get("Catch", [])]
    return order


def render(asl: dict[str, Any]) -> str:
    """docs/pipeline.md: the table, one row per step, in the order the states run."""
    steps = {step.state: step for step in STEPS}
    rows = []
    for name in _in_order(asl):
        step = steps.get(name)
        state = asl["States"][name]
        if step is None:
            continue
        reads = ", ".join(f"`{p}`" for p in dict.fromkeys(paths_in(state.get("Parameters", {}))))
        rows.append(
            f"| {name} | `{_function_of(state)}` | `{step.input.__name__}` | "
            f"`{step.output.__name__}` → `{state['ResultPath']}` | `{step.service.__name__}` | {reads} |"
        )
    return "\n".join(
        [
            "# The response pipeline, step by step",
            "",
            "Written by `python -m local.pipeline_docs` from `local/pipeline_docs.py` STEPS and",
            "`statemachines/response_pipeline.asl.json`; `tests/unit/test_pipeline_contract.py` fails",
            "when this table is stale or when an ASL path or Choice literal names nothing on the Python",
            "side. Every model and service is in `shared/services/pipeline.py`, except CloseTheLoop's",
            "(`shared/services/closed_loop.py`); each service is built by `shared/wiring/`.",
            "",
            f"An execution starts with `{EXECUTION_INPUT.__name__}` (`response_key`, `response`).",
            "`AskedByNpsops` sends an answer to CloseTheLoop first when its touchpoint is "
            + " or ".join(f"`{t}`" for t in sorted(ASKED_BY_NPSOPS_TOUCHPOINTS))
            + ", or its properties carry "
            + " or ".join(f"`{p}`" for p in sorted(ASKED_BY_NPSOPS_PROPERTIES))
            + "; `AnyFirings` opens cases only when `Evaluated.fired`; `PublishEvents` puts the",
            "outbox (`$.cases.events`) on the bus in one PutEvents; `MarkProcessed` records the band.",
            "",
            "| State | Function | Input model | Output → ResultPath | Service | ASL paths read |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


if __name__ == "__main__":
    DOC.write_text(render(load_asl()))
    print(f"wrote {DOC.relative_to(ROOT)}")

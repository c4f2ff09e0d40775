"""moto accepts invalid ASL, so every state machine file is linted, by two linters: statelint (from
PyPI) and asl-validator (npm, installed by `make setup` into node_modules/). They do not catch the
same things: asl-validator checks the syntax of every path and that every state is reachable."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from statemachines import STATE_MACHINES, StateMachineSpec

STATELINT = Path(sys.executable).with_name("statelint")
ASL_VALIDATOR = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "asl-validator"


def rendered(spec: StateMachineSpec) -> dict[str, object]:
    """The definition as CDK deploys it, with example ARNs and names in the placeholders."""
    values = {
        name: f"arn:aws:lambda:us-east-1:123456789012:function:npsops-{name}"
        if name.endswith("Arn")
        else f"npsops-{name}"
        for name in spec.placeholders()
    }
    return dict(json.loads(spec.render(values)))


def _run(
    command: list[str], definition: dict[str, object], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """A linter's command on the definition, written to a file (both linters read a path)."""
    path = tmp_path / "definition.asl.json"
    path.write_text(json.dumps(definition))
    return subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)


def _broken(change: Callable[[dict[str, Any]], None]) -> dict[str, object]:
    """The response pipeline's definition with one state changed."""
    definition = rendered(STATE_MACHINES[0])
    states = definition["States"]
    assert isinstance(states, dict)
    change(states)
    return definition


def lint(definition: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(STATELINT)], definition, tmp_path)


@pytest.mark.parametrize("spec", STATE_MACHINES, ids=[s.name for s in STATE_MACHINES])
def test_every_state_machine_passes_statelint(spec: StateMachineSpec, tmp_path: Path) -> None:
    result = lint(rendered(spec), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _unknown_next(states: dict[str, Any]) -> None:
    states["Score"]["Next"] = "NoSuchState"


def _result_path_not_a_path(states: dict[str, Any]) -> None:
    states["Score"]["ResultPath"] = "result"  # a path must start with $


def test_the_lint_catches_a_broken_definition(tmp_path: Path) -> None:
    assert lint(_broken(_unknown_next), tmp_path).returncode != 0


def validate(definition: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert ASL_VALIDATOR.exists(), f"{ASL_VALIDATOR} is missing: `make setup` installs it (npm ci)"
    return _run([str(ASL_VALIDATOR), "--json-path"], definition, tmp_path)


@pytest.mark.parametrize("spec", STATE_MACHINES, ids=[s.name for s in STATE_MACHINES])
def test_every_state_machine_passes_asl_validator(spec: StateMachineSpec, tmp_path: Path) -> None:
    result = validate(rendered(spec), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asl_validator_catches_broken_definitions(tmp_path: Path) -> None:
    result = validate(_broken(_unknown_next), tmp_path)
    assert result.returncode != 0 and "NoSuchState" in result.stdout + result.stderr
    result = validate(_broken(_result_path_not_a_path), tmp_path)
    assert result.returncode != 0 and "ResultPath" in result.stdout + result.stderr


@pytest.mark.parametrize("spec", STATE_MACHINES, ids=[s.name for s in STATE_MACHINES])
def test_every_task_retries_with_jitter_and_catches_to_the_failure_path(spec: StateMachineSpec) -> None:
    states = json.loads(spec.template())["States"]
    for name, state in states.items():
        if state["Type"] != "Task":
            continue
        assert all(r.get("JitterStrategy") == "FULL" for r in state["Retry"]), name
        # Whatever else a task catches (a timeout as "no answer"), the rest goes down a failure
        # path that ends the execution as failed: a Fail state, possibly after recording why.
        if "Catch" not in state:  # the failure path's own record step: it ends in a Fail state
            assert states[state["Next"]]["Type"] == "Fail", name
            continue
        [catch_all] = [c for c in state["Catch"] if "States.ALL" in c["ErrorEquals"]]
        assert state["Catch"][-1] is catch_all, name
        path, at = [name], catch_all["Next"]
        while "Next" in states[at]:
            path.append(at)
            at = states[at]["Next"]
            assert at not in path, f"{name}: the failure path loops"
        assert states[at]["Type"] == "Fail", name

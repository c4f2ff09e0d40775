"""Guards for the functions' cold start (bench/cold_start.py): what a module must not load when imported.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys

import pytest
from pydantic import BaseModel

import shared.domain


def _loaded_after(code: str, modules: list[str]) -> list[str]:
    probe = (
        f"import sys\n{code}\nprint(__import__('json').dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_a_pipeline_step_does_not_load_the_other_steps_rules_and_repositories() -> None:
    # score, aggregate, evaluate-triggers and open-cases each import shared.services.pipeline.
    others = [
        "shared.domain.account_rules",
        "shared.store.accounts",
        "shared.store.signals",
        "shared.store.cases",
    ]
    assert _loaded_after("import shared.services.pipeline", others) == []


def test_the_generic_intake_format_does_not_load_the_vendor_parsers() -> None:
    parsers = [f"shared.vendors.{vendor}" for vendor in ("delighted", "typeform", "qualtrics", "wootric")]
    assert _loaded_after("import shared.vendors.generic", parsers) == []
    # The registry still has them all once read.
    assert _loaded_after("from shared.vendors import FORMATS", parsers) == parsers


def test_publishing_an_event_loads_only_its_own_data_model() -> None:
    publish = """
from datetime import UTC, datetime
from shared.event_catalog import CATALOG
from shared.events import DetailType, envelope
case = CATALOG.entry(DetailType.CASE_OPENED).example()
envelope(DetailType.CASE_OPENED, "s", datetime.now(UTC), "c", "a", "customer", case)
"""
    others = [
        "shared.services.refresh",
        "shared.services.surveys",
        "shared.services.pipeline",
        "shared.event_data",
    ]
    assert _loaded_after(publish, others) == []


def _deferred_domain_models() -> list[type[BaseModel]]:
    """Every model of shared/domain but the canonical response's, which the intake and every pipeline
    step validate: built at import, where the other functions' models are not."""
    found = []
    for info in pkgutil.iter_modules(shared.domain.__path__):
        if info.name == "models":
            continue
        module = importlib.import_module(f"shared.domain.{info.name}")
        found += [
            member
            for _, member in inspect.getmembers(module, inspect.isclass)
            if issubclass(member, BaseModel) and member.__module__ == module.__name__
        ]
    return found


@pytest.mark.parametrize(
    "model", _deferred_domain_models(), ids=lambda model: f"{model.__module__}.{model.__name__}"
)
def test_domain_models_are_built_on_first_use_not_at_import(model: type[BaseModel]) -> None:
    assert model.model_config.get("defer_build") is True, (
        f"{model.__name__}: declare defer_build=True in its model_config (see shared/domain/__init__.py)"
    )

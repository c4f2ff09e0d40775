"""Guards for the functions' cold start (bench/cold_start.py): what a module must not load when imported.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from functools import cache

import pytest
from pydantic import BaseModel

import shared.domain
import shared.events
import shared.services


def _loaded_after(code: str, modules: list[str], env: dict[str, str] | None = None) -> list[str]:
    probe = (
        f"import sys\n{code}\nprint(__import__('json').dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
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


@pytest.mark.parametrize("service", ["shared.services.renewals", "shared.services.signals"])
def test_services_that_open_cases_do_not_load_the_pipeline(service: str) -> None:
    assert _loaded_after(f"import {service}", ["shared.services.pipeline"]) == []


def test_the_renewal_desk_loads_the_signal_rules_and_case_opening_only_to_decide() -> None:
    unneeded = ["shared.services.signals", "shared.domain.account_rules", "shared.services.cases"]
    assert _loaded_after("import shared.services.renewals", unneeded) == []


@cache
def _function_environment() -> dict[str, str]:
    """The settings the functions get (local names), read in a child process: local.aws loads moto."""
    code = (
        "import json; from local.aws import function_environment; print(json.dumps(function_environment()))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The state machines' ARNs are given when they are created (EmbeddedAws, CDK): any valid one does.
    arns = {
        name: f"arn:aws:states:us-east-1:123456789012:stateMachine:{name.lower()}"
        for name in ("PIPELINE_ARN", "RENEWAL_ESCALATION_ARN")
    }
    return os.environ | dict(json.loads(run.stdout.strip().splitlines()[-1])) | arns


@pytest.mark.parametrize(
    ("handler", "unneeded"),
    [
        # Signal rules: only a signal chunk needs them, and only the renewal decisions.
        ("import_chunk", ["shared.services.signals", "shared.domain.account_rules"]),
        ("renewal_scanner", ["shared.services.signals", "shared.services.cases"]),
        ("renewal_checkpoints", ["shared.services.signals"]),
        # The generic intake: no vendor parser, no webhook service, no vendor API client.
        ("intake", ["shared.vendors.delighted", "shared.services.webhooks", "shared.store.vendor_api"]),
        # VADER's lexicon: read on the first comment.
        ("score", ["vaderSentiment.vaderSentiment"]),
    ],
)
def test_a_handler_does_not_load_what_only_some_invocations_need(handler: str, unneeded: list[str]) -> None:
    imported = f"import functions.{handler}.handler"
    assert _loaded_after(imported, unneeded, _function_environment()) == []


def test_a_scheduled_handler_does_not_load_the_function_catalog() -> None:
    # The survey planner, renewal scanner, case SLA sweep and reconcile import functions.schedules.
    assert _loaded_after("import functions.schedules", ["functions.catalog", "statemachines"]) == []


def test_the_text_analyzer_reads_the_vader_lexicon_on_the_first_comment_not_at_cold_start() -> None:
    vader = ["vaderSentiment.vaderSentiment"]
    made = "from shared.store.comprehend import text_analyzer\nanalyzer = text_analyzer()"
    assert _loaded_after(made, vader) == []
    assert _loaded_after(f"{made}\nanalyzer.analyze('slow and buggy', [])", vader) == vader


def test_pydantic_does_not_scan_the_installed_distributions_for_plugins() -> None:
    built = """
import shared
from pydantic import BaseModel
class Probe(BaseModel):
    x: int
Probe(x=1)
from pydantic.plugin import _loader
if _loader._plugins is not None:  # the scan ran: recorded as a pseudo-module
    sys.modules["pydantic plugin scan"] = sys
"""
    # This process imported shared, which set the variable: the probes start without it.
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    assert _loaded_after(built, ["pydantic plugin scan"], env) == []
    without_shared = built.replace("import shared\n", "")
    assert _loaded_after(without_shared, ["pydantic plugin scan"], env) == ["pydantic plugin scan"]


def test_the_generic_intake_format_does_not_load_the_vendor_parsers() -> None:
    parsers = [f"shared.vendors.{vendor}" for vendor in ("delighted", "typeform", "qualtrics", "wootric")]
    assert _loaded_after("import shared.vendors.generic", parsers) == []
    # The registry still has them all once read.
    assert _loaded_after("from shared.vendors import FORMATS", parsers) == parsers


def test_publishing_an_event_loads_no_service_and_no_signal_rules() -> None:
    publish = """
from datetime import UTC, datetime
from shared.domain.cases import Case
from shared.events import DetailType
from shared.events.publish import envelope
at = datetime.now(UTC)
case = Case(case_id="c", rule="r", account_id="a", quarter="2026-Q4", owner="o", owner_role="csm",
            status="open", sla_hours=24, opened_at=at, due_at=at, summary="s", evidence={},
            response_id="r", history=[])
envelope(DetailType.CASE_OPENED, "s", at, "c", "a", "customer", case)
"""
    # Every event's model is in the events package, a leaf: publishing loads no service and no
    # signal rules.
    others = [
        "shared.services.refresh",
        "shared.services.surveys",
        "shared.services.pipeline",
        "shared.domain.account_rules",
    ]
    assert _loaded_after(publish, others) == []


def test_matching_on_detail_types_loads_no_event_model() -> None:
    # The CRM mappings (the Slack mapping function) and the dead-letter redrive read the envelope's
    # names only; the catalog and its models are the publishers'.
    assert _loaded_after("import shared.crm.slack", ["shared.events.catalog", "shared.events.data"]) == []


def _models_of(module_name: str) -> list[type[BaseModel]]:
    module = importlib.import_module(module_name)
    return [
        member
        for _, member in inspect.getmembers(module, inspect.isclass)
        if issubclass(member, BaseModel) and member.__module__ == module.__name__
    ]


def _deferred_domain_models() -> list[type[BaseModel]]:
    """Every model of shared/domain, the canonical response's too: a function that validates it on
    every invocation builds it during init (its handler's model_rebuild), the others never."""
    found = []
    for info in pkgutil.iter_modules(shared.domain.__path__):
        found += _models_of(f"shared.domain.{info.name}")
    return found


def _deferred_models_outside_the_domain() -> list[type[BaseModel]]:
    """The services', the event envelope's and event data, the vendors' shared shapes and the scheduled
    event: a function imports many of them and uses few."""
    names = [f"shared.services.{info.name}" for info in pkgutil.iter_modules(shared.services.__path__)]
    names += [f"shared.events.{info.name}" for info in pkgutil.iter_modules(shared.events.__path__)]
    names += ["shared.vendors.base", "functions.schedules"]
    return [model for name in names for model in _models_of(name)]


@pytest.mark.parametrize(
    "model", _deferred_domain_models(), ids=lambda model: f"{model.__module__}.{model.__name__}"
)
def test_domain_models_are_built_on_first_use_not_at_import(model: type[BaseModel]) -> None:
    assert model.model_config.get("defer_build") is True, (
        f"{model.__name__}: declare defer_build=True in its model_config (see shared/domain/__init__.py)"
    )


@pytest.mark.parametrize(
    "model", _deferred_models_outside_the_domain(), ids=lambda model: f"{model.__module__}.{model.__name__}"
)
def test_service_and_event_models_are_built_on_first_use_not_at_import(model: type[BaseModel]) -> None:
    assert model.model_config.get("defer_build") is True, (
        f"{model.__name__}: declare defer_build=True in its model_config (see shared/domain/__init__.py)"
    )


def test_the_theme_taxonomy_is_compiled_keyword_by_keyword_as_texts_name_them() -> None:
    from shared.domain.themes import DEFAULT_TAXONOMY, KeywordThemes, Theme, _pattern

    _pattern.cache_clear()
    classifier = KeywordThemes()
    assert _pattern.cache_info().currsize == 0  # nothing compiled at cold start
    found = classifier.themes("The API integration is slow and keeps crashing", [])
    assert found == [Theme.INTEGRATION, Theme.RELIABILITY_PERFORMANCE]
    keywords = sum(len(words) for words in DEFAULT_TAXONOMY.values())
    # Only keywords whose first word the text contains: "api", "integrat*", "slow", "crash*", ...
    assert 0 < _pattern.cache_info().currsize < keywords // 10


def _api_handlers() -> list[str]:
    from functions.catalog import API_FUNCTIONS

    return [spec.module for spec in API_FUNCTIONS]


@pytest.mark.parametrize("module", _api_handlers())
def test_an_api_function_does_not_load_powertools_event_handler_or_asyncio(module: str) -> None:
    # functions/api.py routes by the event's routeKey; Powertools' resolver cost 0.19x of the baseline.
    heavy = ["aws_lambda_powertools.event_handler", "asyncio"]
    assert _loaded_after(f"import {module}", heavy, _function_environment()) == []

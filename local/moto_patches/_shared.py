"""What both kinds of patch share: finding a patch point, and what a patch replaced."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

# moto's own implementations that a patch replaced, for the tests and benches that compare the two.
replaced: dict[str, Callable[..., Any]] = {}


def resolve(module: str, attribute: str) -> Any:
    target: Any = importlib.import_module(module)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def public() -> ModuleType:
    """The package, local.moto_patches, looked up at call time: a bench or a test that replaces one of
    its names there (call_registered, index_partition) reaches the patches that call it."""
    return importlib.import_module(__package__ or "local.moto_patches")

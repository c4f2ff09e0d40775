"""The import graph of shared/ and functions/, read with ast: no cycles, and every layer imports
only what docs/architecture.md says it may.

Every import counts, at module level or inside a function, and so does a module named in a string
(`"package.module:Name"`, `import_module("package.module")`): a cycle hidden behind a late import is
still a cycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "functions")
# "package.module" or "package.module:Name" in a string literal.
MODULE_STRING = re.compile(r"^((?:shared|functions|local)(?:\.\w+)+)(?::\w+)?$")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    package = (module if is_package else module.rpartition(".")[0]).split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..x import y`: x, from the package `level - 1` up
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            # `from package import module` imports the module too.
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found = MODULE_STRING.match(node.value)
            if found:
                yield found.group(1)


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Each module of the packages → the modules of the packages it imports (a name that is not a
    module, such as `from shared.events import DetailType`, resolves to the module that holds it)."""
    files = {module_name(path, root): path for pkg in packages for path in (root / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = set()
        for name in _imported(tree, module, path.name == "__init__.py"):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                edges.add(name)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@cache
def _graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(_graph()) == []


def test_the_cycle_check_sees_late_imports_and_module_strings(tmp_path: Path) -> None:
    package = tmp_path / "shared"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from shared.b import g\n")
    (package / "b.py").write_text("MODEL = 'shared.c:Model'\n")
    (package / "c.py").write_text("from . import a\n")
    graph = import_graph(tmp_path, ("shared",))
    assert graph["shared.a"] == {"shared.b"} and graph["shared.b"] == {"shared.c"}
    assert cycles(graph) == [["shared.a", "shared.b", "shared.c"]]


# What each layer may import, besides itself (docs/architecture.md, "The layers").
LAYERS: dict[str, tuple[str, ...]] = {
    "shared.domain": (),
    "shared.events": ("shared.domain",),
    "shared.store": ("shared.domain", "shared.events", "shared.vendors"),
    "shared.vendors": ("shared.domain",),
    "shared.crm": ("shared.domain", "shared.events"),
    "shared.services": ("shared.domain", "shared.events", "shared.store", "shared.vendors", "shared.crm"),
}
# Module-level helpers of shared/ that any layer may use: the package's own __init__ (pydantic's
# plugin switch) and the logging/metrics/tracing singletons.
ANYWHERE = ("shared", "shared.observability")


def _layer(module: str) -> str | None:
    return next((layer for layer in LAYERS if module == layer or module.startswith(f"{layer}.")), None)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(f"{prefix}.") for prefix in prefixes)


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        layer = _layer(module)
        if layer is None:
            continue
        allowed = (layer, *LAYERS[layer])
        problems += [
            f"{module} imports {target}"
            for target in sorted(targets)
            if target not in ANYWHERE and not _within(target, allowed)
        ]
    return problems


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert layer_violations(_graph()) == []


def test_services_never_read_settings() -> None:
    # shared/wiring/ builds them from the settings and passes what they need.
    readers = [m for m, targets in _graph().items() if _layer(m) and "shared.config" in targets]
    assert readers == []


def _handlers() -> list[str]:
    return sorted(m for m in _graph() if m.startswith("functions.") and m.endswith(".handler"))


@pytest.mark.parametrize("handler", _handlers())
def test_a_handler_reaches_no_repository(handler: str) -> None:
    # A handler parses its event, calls one service function and returns its model.
    assert sorted(t for t in _graph()[handler] if _within(t, ("shared.store",))) == []


def test_the_layer_check_fails_on_an_upward_import() -> None:
    graph = {"shared.events.data": {"shared.services.pipeline"}, "shared.domain.nps": {"shared.store.x"}}
    assert layer_violations(graph) == [
        "shared.domain.nps imports shared.store.x",
        "shared.events.data imports shared.services.pipeline",
    ]

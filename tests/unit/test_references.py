"""Every reference in the code and the docs resolves to a file in the repository.

Three checks over the repository's Python, Markdown, Makefile, TOML and JSON files (not the
virtualenv, node_modules, cdk.out, build output, nor the generated docs/events/*.json and
docs/openapi.json, which are checked against their sources by their own tests):

- nothing cites the design guide that lives outside the repository: what the code relies on is
  written down in docs/, and a reference must be one a reader of the repository can open;
- a relative Markdown link (`[text](path)`, `[text](path#anchor)`, `[text](#anchor)`) names a file or
  folder that exists, and an anchor into a Markdown file names one of its headings (GitHub's slugs);
- a repository path in a comment, a docstring or a doc (`shared/domain/health.py`,
  `docs/cs-leads.md#triggers`, `statemachines/response_pipeline.asl.json`, `tests/unit/`) exists,
  and its anchor too.

Paths are recognised only under the repository's top-level folders, so `uploads/signals/` or
`imports/{import_id}/errors.csv` (S3 keys) and URLs are not mistaken for files. The checker is tested
on synthetic files first, so a check that could not fail would be noticed.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Tools' folders: the virtualenv, npm's, CDK's output, build output and caches.
SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "cdk.out", "build", "dist"})
SKIPPED_DIRS |= {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SUFFIXES = frozenset({".py", ".md", ".toml", ".json"})
NAMES = frozenset({"Makefile"})


def generated(relative: str) -> bool:
    """Written by `make events` and `make openapi` from the code, and checked against it elsewhere."""
    events = relative.startswith("docs/events/") and relative.endswith(".json")
    return events or relative == "docs/openapi.json"


# (a) The design guide outside the repository, by name, in any spelling of its case; and absolute
# paths of the machine the project was built on.
# (Spelt in pieces here, so that this file does not cite them itself.)
OUTSIDE = re.compile(r"\bDESIGN\.md\b|(?<![\w.-])" + re.escape("/" + "work" + "/"), re.IGNORECASE)

# (b) Markdown links and reference definitions; targets with a scheme (https:, mailto:) are not files.
LINK = re.compile(r"!?\[(?:[^\]\\\n]|\\.)*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?([^\s<>]+)>?", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)

# (c) A path under one of the repository's top-level folders, not inside a longer path or a URL:
# folders and file names of letters, digits, `_`, `.` and `-`, then an optional #anchor.
TOP_LEVEL = ("shared", "functions", "infra", "local", "statemachines", "tests", "bench", "docs", r"\.ci")
PATH = re.compile(
    r"(?<![\w./~$-])((?:" + "|".join(TOP_LEVEL) + r")/(?:[\w.-]+/)*(?:[\w-][\w.-]*)?)(#[\w-]+)?"
)
EXTENSIONS = (".py", ".md", ".json", ".jsonl", ".toml", ".txt", ".csv", ".html", ".yml", ".yaml", ".ini")
URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


def repository_files(root: Path) -> Iterator[str]:
    """The files to check, relative to `root`, with `/` separators."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in SUFFIXES or name in NAMES:
                relative = path.relative_to(root).as_posix()
                if not generated(relative):
                    yield relative


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text as rendered (link text, code without backticks), lower
    case, punctuation removed except `-` and `_`, each space a `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def outside_fences(text: str) -> Iterator[str]:
    """The lines of a Markdown text that are not in a fenced code block."""
    fence: str | None = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)):
            fence = None
        elif fence is None:
            yield line


def anchors(text: str) -> frozenset[str]:
    """Every anchor GitHub gives a Markdown text: heading slugs, `-1`, `-2` for repeats, and HTML anchors."""
    seen: Counter[str] = Counter()
    found: set[str] = set()
    for line in outside_fences(text):
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            found.add(f"{base}-{seen[base]}" if seen[base] else base)
            seen[base] += 1
        found.update(HTML_ANCHOR.findall(line))
    return frozenset(found)


@cache
def _anchors_of(path: Path) -> frozenset[str]:
    return anchors(path.read_text(encoding="utf-8"))


def _target_problem(target: Path, anchor: str | None, shown: str) -> str | None:
    if not target.exists():
        return f"{shown}: no such file or folder"
    if anchor and target.suffix == ".md" and target.is_file() and anchor not in _anchors_of(target):
        return f"{shown}: no heading for #{anchor} in {target.name}"
    return None


def outside_references(text: str) -> list[str]:
    """(a) What the text cites outside the repository."""
    return sorted({match.group(0) for match in OUTSIDE.finditer(text)})


def broken_links(root: Path, relative: str, text: str) -> list[str]:
    """(b) The relative Markdown links of the file at `relative` that lead nowhere."""
    problems: list[str] = []
    here = (root / relative).parent
    prose = "\n".join(re.sub(r"`[^`\n]*`", "", line) for line in outside_fences(text))
    targets = [m.group(1) for m in LINK.finditer(prose)] + REFERENCE_DEFINITION.findall(prose)
    for raw in targets:
        if SCHEME.match(raw):
            continue
        path, _, anchor = unquote(raw).partition("#")
        target = (here / path) if path else (root / relative)
        problem = _target_problem(target, anchor or None, f"link ({raw})")
        if problem:
            problems.append(problem)
    return problems


def commentary(relative: str, text: str) -> str:
    """The prose of a file where a repository path is a reference: a Python file's comments and
    docstrings (string statements), any other file whole; URLs removed."""
    if relative.endswith(".py"):
        parts = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
        parts += [
            node.value.value
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ]
        text = "\n".join(parts)
    return URL.sub("", text)


def missing_paths(root: Path, relative: str, text: str) -> list[str]:
    """(c) The repository paths named in the file's commentary that do not exist."""
    problems: set[str] = set()
    for match in PATH.finditer(commentary(relative, text)):
        path = match.group(1).rstrip(".")
        if ".." in path.split("/"):
            continue
        folder, _, name = path.rpartition("/")
        if "." in name and not name.endswith(EXTENSIONS):
            # `shared/events.put_events_entry`: a module and one of its names.
            module = f"{folder}/{name.partition('.')[0]}"
            path = module + ".py" if (root / f"{module}.py").exists() else module + "/"
        elif name and "." not in name and not (root / path).exists() and (root / f"{path}.py").exists():
            path += ".py"  # `local/moto_patches`: a module, a file or a package
        anchor = match.group(2)[1:] if match.group(2) else None
        problem = _target_problem(root / path, anchor, path + (match.group(2) or ""))
        if problem:
            problems.add(problem)
    return sorted(problems)


def problems_in(root: Path, relative: str, text: str) -> list[str]:
    found = [f"cites {cited}, outside the repository" for cited in outside_references(text)]
    if relative.endswith(".md"):
        found += broken_links(root, relative, text)
    found += missing_paths(root, relative, text)
    return found


def _report(check: str) -> list[str]:
    lines = []
    for relative in repository_files(ROOT):
        text = (ROOT / relative).read_text(encoding="utf-8")
        if check == "outside":
            found = [f"cites {cited}" for cited in outside_references(text)]
        elif check == "links":
            found = broken_links(ROOT, relative, text) if relative.endswith(".md") else []
        else:
            found = missing_paths(ROOT, relative, text)
        lines += [f"{relative}: {problem}" for problem in found]
    return lines


# The checker, on synthetic files.


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# The guide\n\n## Triggers\n\n## Signals, health and the triggers\n\n## Triggers\n\n"
        "```\n## Not a heading\n```\n\n### `make bench-cost`: cost per million\n",
        encoding="utf-8",
    )
    (tmp_path / "shared" / "domain").mkdir(parents=True)
    (tmp_path / "shared" / "domain" / "health.py").write_text('"""Health."""\n', encoding="utf-8")
    return tmp_path


def test_github_slugs() -> None:
    assert slug("Signals, health and the triggers") == "signals-health-and-the-triggers"
    assert slug("The embedded AWS (local/)") == "the-embedded-aws-local"
    assert slug("Cost per million: `make bench-cost`") == "cost-per-million-make-bench-cost"
    assert slug("Bands, plays and NPS: 0-6, 7-8, 9-10") == "bands-plays-and-nps-0-6-7-8-9-10"
    assert slug("[Linked](x.md) heading") == "linked-heading"
    assert slug("Closed-loop cases · the SLA → ladder") == "closed-loop-cases--the-sla--ladder"


def test_anchors_count_repeats_and_skip_code_blocks(tree: Path) -> None:
    found = anchors((tree / "docs" / "guide.md").read_text(encoding="utf-8"))
    assert {"the-guide", "triggers", "triggers-1", "make-bench-cost-cost-per-million"} <= found
    assert "not-a-heading" not in found


def test_the_design_guide_outside_the_repository_is_found() -> None:
    name = "DESIGN" + ".md"
    assert outside_references(f"# Defaults are {name} §3's") == [name]
    assert outside_references(f"see {name.lower()}") == [name.lower()]
    machine = "/" + "work" + "/"
    assert outside_references(f"read {machine}shared/notes.txt") == [machine]
    assert outside_references("docs/cs-leads.md#triggers, a design, the mdash") == []


def test_broken_markdown_links_are_found(tree: Path) -> None:
    text = (
        "[ok](guide.md) [ok](guide.md#triggers-1) [ok](#signals-health-and-the-triggers) "
        "[ok](../shared/domain/health.py) [url](https://example.org/x.md) ![img](guide.md)\n"
        "[gone](missing.md) [no heading](guide.md#nowhere) [here](#not-here) "
        "[code span](`gone.md`) `[in code](gone.md)`\n"
        "```\n[in a fence](gone.md)\n```\n"
        "[ref]: ../shared/domain/gone.py\n"
    )
    assert broken_links(tree, "docs/guide.md", text) == [
        "link (missing.md): no such file or folder",
        "link (guide.md#nowhere): no heading for #nowhere in guide.md",
        "link (#not-here): no heading for #not-here in guide.md",
        "link (../shared/domain/gone.py): no such file or folder",
    ]


def test_missing_repository_paths_are_found_in_comments_docstrings_and_docs(tree: Path) -> None:
    source = (
        '"""The rule (shared/domain/health.py, docs/guide.md#triggers)."""\n'
        "# Read docs/guide.md#gone and shared/domain/gone.py; shared/domain/health.health_of is there.\n"
        "# shared/domain/gone.health_of is not; the module shared/domain/health is.\n"
        'PATH = "shared/domain/not-commentary.py"  # a string in code is not a reference\n'
        "def f() -> None:\n"
        '    """Also statemachines/gone.asl.json."""\n'
    )
    assert missing_paths(tree, "shared/x.py", source) == [
        "docs/guide.md#gone: no heading for #gone in guide.md",
        "shared/domain/gone.py: no such file or folder",
        "shared/domain/gone/: no such file or folder",
        "statemachines/gone.asl.json: no such file or folder",
    ]
    doc = (
        "`shared/domain/health.py`, shared/domain/ and docs/guide.md#triggers-1 exist; "
        "uploads/signals/x.csv, imports/{import_id}/errors.csv, https://h.example/shared/gone.py, "
        "npsops/shared/gone.py and ../shared/gone.py are not repository paths here. "
        "But tests/unit/gone.py, bench/gone/ and docs/guide.md#nope are missing."
    )
    assert missing_paths(tree, "docs/other.md", doc) == [
        "bench/gone/: no such file or folder",
        "docs/guide.md#nope: no heading for #nope in guide.md",
        "tests/unit/gone.py: no such file or folder",
    ]


def test_a_broken_reference_fails_the_file(tree: Path) -> None:
    name = "DESIGN" + ".md"
    assert problems_in(tree, "docs/x.md", "[a](guide.md#triggers) shared/domain/health.py") == []
    assert len(problems_in(tree, "docs/x.md", f"{name} §3, [a](nowhere.md), bench/nowhere.py")) == 3


def test_generated_docs_and_tool_folders_are_not_scanned() -> None:
    scanned = set(repository_files(ROOT))
    assert "README.md" in scanned
    assert "tests/unit/test_references.py" in scanned
    assert "docs/openapi.json" not in scanned
    assert not any(path.startswith(("docs/events/", ".venv/", "node_modules/")) for path in scanned)


# The repository.


def test_nothing_cites_a_file_outside_the_repository() -> None:
    problems = _report("outside")
    assert not problems, "cite the repository's own docs instead:\n" + "\n".join(problems)


def test_every_relative_markdown_link_resolves() -> None:
    problems = _report("links")
    assert not problems, "\n".join(problems)


def test_every_repository_path_named_in_comments_docstrings_and_docs_exists() -> None:
    problems = _report("paths")
    assert not problems, "\n".join(problems)

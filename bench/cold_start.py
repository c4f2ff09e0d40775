"""Cold start: each handler's import-and-init time, median over fresh processes, beside a bare
`import boto3` plus one client measured in the same run. Prints; asserts nothing.

    make bench-cold     (or: .venv/bin/python -m bench.cold_start --runs 15)

Each sample is a new interpreter that imports one handler module (what Lambda's init phase does) with
the settings CDK gives the function (local names), timed from just before the import to just after.
The baseline is the same measurement of `import boto3; boto3.client("dynamodb")`. Runs are interleaved
(handler, baseline, next handler, ...) so that load from other processes falls on both alike.
Bytecode is cached, as in a deployment that ships .pyc files and on a developer's machine: the probes
get their own cache (PYTHONPYCACHEPREFIX, a temporary directory) that one unmeasured run per target
fills, whatever the caller's PYTHONDONTWRITEBYTECODE says (set, it left every sample compiling the
project's sources while boto3 came precompiled from site-packages).
Target: every handler at most 1.3x the baseline. Every function of functions/catalog.py is measured.

Wall time on a shared 2-core VM moves a handler by up to ±0.15x between runs, CPU time as much (the
noise is the CPU's speed, not scheduling). So, where valgrind is installed, the bench also counts the
instructions each import executes (cachegrind, one run per target, PYTHONHASHSEED fixed: the same
count every run), less the interpreter's own start-up. That column does not move with load; it does
not see time spent in the kernel reading files, which the wall column does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3

_PROBE = """
import importlib, json, sys, time
started = time.perf_counter()
if sys.argv[1] in ("baseline", "floor"):
    import boto3
    boto3.client("dynamodb", region_name="us-east-1")
if sys.argv[1] == "floor":  # what every npsops function needs before any code of its own
    from pydantic import BaseModel
    from aws_lambda_powertools import Logger, Metrics
    class Probe(BaseModel):
        x: int
    Probe(x=1), Logger(service="probe"), Metrics(service="probe", namespace="probe")
elif sys.argv[1] != "baseline":
    importlib.import_module(sys.argv[1])
if sys.argv[2:] == ["clients"]:
    # What a first request adds, at most: each store module the function loaded creates its boto3
    # client on first use, in a functools.cache'd factory of no arguments (shared/store/*.py). Some
    # are used on a rare path only (the queue a publisher parks refused events in).
    for name, module in list(sys.modules.items()):
        if name.startswith("shared.store."):
            for factory in vars(module).values():
                if hasattr(factory, "cache_info") and getattr(factory, "__module__", None) == name:
                    factory()
elapsed = time.perf_counter() - started
print(json.dumps({"ms": elapsed * 1000, "xray": "aws_xray_sdk" in sys.modules, "modules": len(sys.modules)}))
"""


def sample(target: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, target], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{target} failed to import:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


_CACHEGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]


def instructions(target: str, env: dict[str, str], clients: bool = False) -> int:
    """Instructions the interpreter executes for `target`'s probe (start-up included), by cachegrind;
    with `clients`, also creating the clients its first request would."""
    done = subprocess.run(
        [*_CACHEGRIND, sys.executable, "-c", _PROBE, target, *(["clients"] if clients else [])],
        env=env | {"PYTHONHASHSEED": "0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{target} failed under valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def environment(bytecode_cache: str) -> dict[str, str]:
    """The functions' settings as the embedded AWS provisions them (tables, bus, state machine ARNs),
    with bytecode cached in `bytecode_cache` (see the module docstring)."""
    from local.aws import EmbeddedAws

    with EmbeddedAws():
        env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | {"PYTHONPYCACHEPREFIX": bytecode_cache}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="npsops-bytecode-") as bytecode_cache:
        return measure(environment(bytecode_cache), args.runs)


def measure(env: dict[str, str], runs: int) -> int:
    from functions.catalog import FUNCTIONS

    modules = [spec.module for spec in FUNCTIONS]
    samples: dict[str, list[dict[str, float]]] = {m: [] for m in ["baseline", *modules]}
    for target in ["baseline", *modules]:  # warm the bytecode caches once; not counted
        sample(target, env)
    for _ in range(runs):
        for module in modules:
            samples[module].append(sample(module, env))
            samples["baseline"].append(sample("baseline", env))
    baseline = statistics.median(s["ms"] for s in samples["baseline"])
    counts = _instruction_counts(["baseline", *modules], env)
    print(f"cold start: import-and-init, median of {runs} fresh processes each (tracing off, as locally)")
    if counts:
        print("  instr: instructions the import executes (valgrind, one run each, start-up subtracted);")
        print("  +clients: and the boto3 clients of the store modules it loaded (a first request's, at most)")
        print(f"  {'':<40}{'wall':>8}      ratio  {'instr':>8}    ratio  +clients")
    print(f"  {'bare import boto3 + one client':<40}{baseline:8.1f} ms   1.00x{_counted(counts, 'baseline')}")
    worst: dict[str, float] = {}
    for module in modules:
        ratios = {"wall time": statistics.median(s["ms"] for s in samples[module]) / baseline}
        if counts:
            ratios |= {
                "instructions": counts[module] / counts["baseline"],
                "instructions, first request's clients included": counts[f"{module} clients"]
                / counts["baseline"],
            }
        worst = {k: max(worst.get(k, 0.0), v) for k, v in ratios.items()}
        xray = " imports aws_xray_sdk" if any(s["xray"] for s in samples[module]) else ""
        flag = "" if ratios["wall time"] <= TARGET_RATIO else "  over target"
        print(
            f"  {module:<40}{ratios['wall time'] * baseline:8.1f} ms  {ratios['wall time']:5.2f}x"
            f"{_counted(counts, module)}{flag}{xray}"
        )
    if counts:
        floor = counts["floor"] / counts["baseline"]
        print(
            f"  floor: boto3 + one client + one pydantic model + Powertools Logger and Metrics: {floor:.2f}x"
        )
    for basis, ratio in worst.items():
        print(f"worst ratio {ratio:.2f}x by {basis} (target <= {TARGET_RATIO}x)")
    if not counts:
        print("(valgrind is not installed: no instruction counts)")
    return 0


def _instruction_counts(modules: list[str], env: dict[str, str]) -> dict[str, int]:
    """Instructions per target (and per "<module> clients"), less those of an interpreter that imports
    nothing; {} without valgrind."""
    if shutil.which("valgrind") is None:
        return {}
    start_up = instructions("builtins", env)
    counts = {target: instructions(target, env) - start_up for target in [*modules, "floor"]}
    return counts | {f"{m} clients": instructions(m, env, clients=True) - start_up for m in modules[1:]}


def _counted(counts: dict[str, int], target: str) -> str:
    if not counts:
        return ""
    shown = f"  {counts[target] / 1e6:7.0f} M  {counts[target] / counts['baseline']:5.2f}x"
    if f"{target} clients" in counts:
        shown += f"   {counts[f'{target} clients'] / counts['baseline']:5.2f}x"
    return shown


if __name__ == "__main__":
    sys.exit(main())

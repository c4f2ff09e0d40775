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
"""

from __future__ import annotations

import argparse
import json
import os
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
if sys.argv[1] == "baseline":
    import boto3
    boto3.client("dynamodb", region_name="us-east-1")
else:
    importlib.import_module(sys.argv[1])
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
    print(f"cold start: import-and-init, median of {runs} fresh processes each (tracing off, as locally)")
    print(f"  {'bare import boto3 + one client':<40}{baseline:8.1f} ms   1.00x")
    worst = 0.0
    for module in modules:
        ms = statistics.median(s["ms"] for s in samples[module])
        ratio = ms / baseline
        worst = max(worst, ratio)
        xray = " imports aws_xray_sdk" if any(s["xray"] for s in samples[module]) else ""
        flag = "" if ratio <= TARGET_RATIO else "  over target"
        print(f"  {module:<40}{ms:8.1f} ms  {ratio:5.2f}x{flag}{xray}")
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

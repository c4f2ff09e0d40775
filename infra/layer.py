"""Docker-free packaging: the shared layer (`shared` + runtime dependencies) and the functions' code.

CDK calls `try_bundle` on these local bundlers instead of starting a container, so `cdk synth` works
on a machine without docker. The layer's dependencies come from pyproject.toml (the one place their
versions are pinned), installed by pip as manylinux aarch64 wheels for Python 3.12, the functions'
runtime. boto3 is left out: the Lambda runtime provides it. A deployable layer carries its bytecode,
compiled by a Python 3.12 (see `runtime_python`).

Layer modes (context `npsops:layer`, or the environment variable NPSOPS_LAYER when it is unset):
- "full" (the default): dependencies + `shared`. pip's output is cached under build/layer/, keyed by
  the requirements, the target platform and this file, so later synths are offline and fast.
- "code-only": `shared` alone, no pip and no network. For template tests and quick offline synths;
  never deploy it, the functions would not import.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT / "shared"
FUNCTIONS_DIR = REPO_ROOT / "functions"
PYPROJECT = REPO_ROOT / "pyproject.toml"
CACHE_DIR = REPO_ROOT / "build" / "layer"

LAYER_CONTEXT_KEY = "npsops:layer"
LAYER_ENV_VAR = "NPSOPS_LAYER"
FULL = "full"
CODE_ONLY = "code-only"
LAYER_MODES = (FULL, CODE_ONLY)

# The functions' runtime; the layer's binary wheels (pydantic-core) must match it.
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_TARGET = ("--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.12")

# The Lambda Python runtime provides boto3 and its dependencies. The layer must not ship its own
# copies even when a dependency pulls them in (aws-lambda-powertools[tracer] -> aws-xray-sdk ->
# botocore): /opt/python comes first on sys.path, so a layer botocore would pair the runtime's boto3
# with a botocore it was not released with.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)

# Changes whenever this file does, so a change to how the layer is built is a new layer, even when
# shared/ and the pins are unchanged (the asset hash and the pip cache key both include it).
BUILD_FINGERPRINT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]

# Lambda cannot write __pycache__ into /opt, so without bytecode in the layer every cold start
# compiles its sources again (pydantic, Powertools, shared/; the handlers themselves are a few lines
# each and stay source). A Python of the runtime's version compiles them here, as unchecked-hash
# .pyc files: valid whatever the timestamps of the unpacked asset. NPSOPS_RUNTIME_PYTHON names one;
# else it is looked for on PATH and where uv and pyenv install them.
RUNTIME_PYTHON_VERSION = "3.12"
RUNTIME_PYTHON_ENV_VAR = "NPSOPS_RUNTIME_PYTHON"

# Never used: the local bundlers always bundle or fail. CDK requires an image all the same.
_UNUSED_IMAGE = DockerImage.from_registry("public.ecr.aws/sam/build-python3.12")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def layer_requirements(pyproject: Path = PYPROJECT) -> tuple[str, ...]:
    """The project's runtime dependencies as pinned in pyproject.toml, less what the runtime provides."""
    dependencies: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return tuple(d for d in dependencies if _distribution(d) not in RUNTIME_PROVIDED)


def _distribution(requirement: str) -> str:
    name = requirement
    for separator in ("[", "=", "<", ">", "!", "~", ";", " "):
        name = name.split(separator, 1)[0]
    return _normalized(name)


def _normalized(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def prune_runtime_provided(site: Path) -> None:
    """Delete every installed distribution the runtime provides, file by file from its RECORD."""
    for dist_info in site.glob("*.dist-info"):
        metadata = (dist_info / "METADATA").read_text(errors="replace")
        name = next((line[5:] for line in metadata.splitlines() if line.startswith("Name:")), "")
        if _normalized(name) not in RUNTIME_PROVIDED:
            continue
        for line in (dist_info / "RECORD").read_text().splitlines():
            installed = site / line.split(",", 1)[0]
            if installed.is_file() and site in installed.resolve().parents:
                installed.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
    # Console scripts (jp.py and the like) and the packages' directories emptied above.
    shutil.rmtree(site / "bin", ignore_errors=True)
    for directory in sorted(
        (d for d in site.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True
    ):
        if not any(directory.iterdir()):
            directory.rmdir()


def layer_mode(scope: Construct) -> str:
    mode = scope.node.try_get_context(LAYER_CONTEXT_KEY) or os.environ.get(LAYER_ENV_VAR) or FULL
    if mode not in LAYER_MODES:
        raise ValueError(f"{LAYER_CONTEXT_KEY} must be one of {LAYER_MODES}, not {mode!r}")
    return str(mode)


def runtime_python() -> str:
    """An interpreter of the functions' Python version, to compile the layer's bytecode with."""
    version = RUNTIME_PYTHON_VERSION
    named = os.environ.get(RUNTIME_PYTHON_ENV_VAR)
    installed = (f".local/share/uv/python/cpython-{version}.*/bin", f".pyenv/versions/{version}.*/bin")
    candidates = [named] if named else [
        shutil.which(f"python{version}"),
        *(str(path) for where in installed for path in sorted(Path.home().glob(f"{where}/python{version}"))),
    ]  # fmt: skip
    for candidate in filter(None, candidates):
        done = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    raise RuntimeError(
        f"No Python {version} to compile the layer's bytecode with (the functions' runtime version): "
        f"`uv python install {version}`, or set {RUNTIME_PYTHON_ENV_VAR} to one. "
        f"Synthesize with `-c {LAYER_CONTEXT_KEY}={CODE_ONLY}` for templates only (not for deploy)."
    )


def compile_bytecode(directory: Path, interpreter: str) -> None:
    """Every module under `directory` compiled beside its source, for `interpreter`'s version."""
    command = [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    done = subprocess.run([*command, str(directory)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"compiling {directory} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@jsii.implements(ILocalBundling)
class SharedLayerBundling:
    """Writes <out>/python/{dependencies..., shared/}: the layout Lambda puts on sys.path from /opt/python."""

    def __init__(self, requirements: tuple[str, ...], shared_dir: Path = SHARED_DIR) -> None:
        self._requirements = requirements
        self._shared_dir = shared_dir

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_options: Any) -> bool:
        site = Path(output_dir) / "python"
        if self._requirements:
            shutil.copytree(_installed(self._requirements), site, dirs_exist_ok=True)
        shutil.copytree(self._shared_dir, site / "shared", ignore=_IGNORED, dirs_exist_ok=True)
        if self._requirements:  # a deployable layer (full mode), not a template-only one
            compile_bytecode(site, runtime_python())
        return True


@jsii.implements(ILocalBundling)
class FunctionsBundling:
    """Copies functions/ into <out>/functions/, so the handlers import as `functions.<name>.handler`."""

    def __init__(self, functions_dir: Path = FUNCTIONS_DIR) -> None:
        self._functions_dir = functions_dir

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_options: Any) -> bool:
        shutil.copytree(
            self._functions_dir, Path(output_dir) / "functions", ignore=_IGNORED, dirs_exist_ok=True
        )
        return True


def _installed(requirements: tuple[str, ...]) -> Path:
    """The requirements installed for the Lambda platform, from the cache or from pip."""
    key = hashlib.sha256("\n".join((BUILD_FINGERPRINT, *PIP_TARGET, *requirements)).encode()).hexdigest()[:16]
    target = CACHE_DIR / key
    if (target / ".complete").exists():
        return target / "python"
    partial = CACHE_DIR / f"{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *PIP_TARGET, "--only-binary=:all:", "--target", str(partial / "python"), *requirements,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"pip could not install the layer's dependencies ({' '.join(requirements)}):\n{done.stderr}\n"
            f"Offline? Synthesize with `-c {LAYER_CONTEXT_KEY}={CODE_ONLY}` (templates only, not for deploy)."
        )
    prune_runtime_provided(partial / "python")
    (partial / ".complete").write_text("\n".join(requirements) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target / "python"


def shared_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """The one layer every function uses: `shared` plus the runtime dependencies (see layer_mode)."""
    mode = layer_mode(scope)
    requirements = layer_requirements() if mode == FULL else ()
    bundling = BundlingOptions(
        image=_UNUSED_IMAGE,
        local=SharedLayerBundling(requirements),
        # Part of the asset hash: a new pin, another mode or another build is a new layer version,
        # even when shared/ is unchanged.
        environment={
            "NPSOPS_LAYER_MODE": mode,
            "NPSOPS_LAYER_REQUIREMENTS": " ".join(requirements),
            "NPSOPS_LAYER_BUILD": BUILD_FINGERPRINT,
        },
    )
    code = lambda_.Code.from_asset(
        str(SHARED_DIR),
        asset_hash_type=AssetHashType.SOURCE,
        exclude=["__pycache__", "*.pyc"],
        bundling=bundling,
    )
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=code,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=f"npsops shared package + {', '.join(requirements) or 'no dependencies (code-only)'}",
    )


def functions_code() -> lambda_.Code:
    """The functions/ package, as one asset shared by every function (each has its own handler)."""
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        asset_hash_type=AssetHashType.SOURCE,
        exclude=["__pycache__", "*.pyc"],
        bundling=BundlingOptions(image=_UNUSED_IMAGE, local=FunctionsBundling()),
    )

"""Hypothesis profiles (a quick default, ``ci`` for CI: HYPOTHESIS_PROFILE=ci) and the built sdist and wheel."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
BUILD_LEFTOVERS = ("*.egg-info", "build", "dist", "_build", "__pycache__", ".git", ".*venv*", ".hypothesis", "*.pyc")

settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    """In CI (GLASSGRAD_REQUIRE_BROWSER=1) rendering is tested for real: a missing `dot` is an error, not a skip."""
    if os.environ.get("GLASSGRAD_REQUIRE_BROWSER") and shutil.which("dot") is None:
        raise pytest.UsageError("GLASSGRAD_REQUIRE_BROWSER is set but the Graphviz program `dot` is not installed")


@pytest.fixture(scope="session")
def unpacked_sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """glassgrad's source distribution, built from this checkout and unpacked: the folder a packager starts from."""
    out = tmp_path_factory.mktemp("sdist")
    # A copy without build leftovers: setuptools would reuse a stale glassgrad.egg-info/SOURCES.txt.
    source = out / "checkout"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))
    name = _build("build_sdist", source, out)
    with tarfile.open(out / name) as archive:
        archive.extractall(out, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return out / name.removesuffix(".tar.gz")


@pytest.fixture(scope="session")
def built_wheel(unpacked_sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel a packager builds from the source distribution (so the sdist is shown to be enough to build it)."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy: building writes build/ and egg-info, which the unpacked sdist must not hold
    shutil.copytree(unpacked_sdist, source)
    return out / _build("build_wheel", source, out)


def _build(hook: str, source: Path, out: Path) -> str:
    """Run setuptools' PEP 517 hook (build_sdist or build_wheel) in ``source``; the file name it wrote into ``out``."""
    code = f"import sys; from setuptools import build_meta; print(build_meta.{hook}(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=source, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, f"{hook} failed:\n{done.stderr[-3000:]}"
    return done.stdout.strip().splitlines()[-1]

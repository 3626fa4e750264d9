"""What glassgrad ships: the sdist holds what a packager needs to build and test it, the wheel every module.

Both are built by the session fixtures of tests/conftest.py (the sdist from a clean copy of this
checkout, the wheel from the unpacked sdist, as a packager builds it).
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What a packager needs to run the test suite from the sdist, beyond the packages themselves.
NEEDED_FOR_THE_TESTS = [
    "conftest.py",
    "pyproject.toml",
    "LICENSE",
    "CHANGELOG.md",
    "README.md",  # its code blocks run as tests
    "tests/conftest.py",
    "tests/test_architecture.py",
    "docs/conf.py",
    "docs/tutorials/jupytext.toml",
    "docs/tutorials/conftest.py",
]
NEEDED_FOLDERS = ["tests", "docs", "demos", "benchmarks", "autograd", "nn"]
NOT_SHIPPED = {".ci", ".gitignore", ".git"}


def files_under(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def source_files() -> set[str]:
    """The checkout's files as git tracks them (or, outside a git checkout, as they lie)."""
    done = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode == 0 and done.stdout.strip():
        return {line for line in done.stdout.splitlines() if (ROOT / line).is_file()}
    return {path for path in files_under(ROOT) if not path.startswith(("build/", "dist/")) and ".egg-info" not in path}


def test_the_sdist_holds_every_file_of_the_project(unpacked_sdist: Path):
    shipped = files_under(unpacked_sdist)
    for name in NEEDED_FOR_THE_TESTS:
        assert name in shipped, f"the sdist lacks {name}"
    for folder in NEEDED_FOLDERS:
        assert any(name.startswith(folder + "/") for name in shipped), f"the sdist lacks {folder}/"
    missing = sorted(name for name in source_files() if name.split("/")[0] not in NOT_SHIPPED and name not in shipped)
    assert not missing, f"in the checkout, not in the sdist: {missing[:20]} ({len(missing)} files)"


def test_the_sdist_ships_no_build_leftovers(unpacked_sdist: Path):
    shipped = files_under(unpacked_sdist)
    leftovers = [name for name in shipped if name.startswith(("docs/_build/", "build/", "dist/", ".ci-venv/"))]
    assert not leftovers, leftovers[:10]


def test_a_packager_runs_tests_from_the_sdist(unpacked_sdist: Path):
    """Tests that read the tutorials, the op table and the gradient checker run in the unpacked sdist and pass."""
    tests = ["tests/docs/test_notebooks.py", "tests/autograd/test_gradcheck.py"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=unpacked_sdist,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_the_wheel_holds_every_module_and_data_file(built_wheel: Path):
    with zipfile.ZipFile(built_wheel) as wheel:
        shipped = set(wheel.namelist())
    package_files = {
        name
        for name in source_files()
        if name.split("/")[0] in {"autograd", "nn"} and not name.endswith((".pyc", ".md"))
    }
    missing = sorted(package_files - shipped)
    assert not missing, f"in the packages, not in the wheel: {missing}"
    assert not [name for name in shipped if name.startswith(("tests/", "docs/", "demos/", "benchmarks/"))]


def test_the_metadata_says_what_glassgrad_is(built_wheel: Path):
    with zipfile.ZipFile(built_wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(wheel.read(name).decode())
    classifiers = metadata.get_all("Classifier") or []
    assert "Intended Audience :: Education" in classifiers
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Programming Language :: Python :: 3.10") for c in classifiers)
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Summary"]
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"docs", "notebook", "tutorials", "test", "demos", "torch", "onnx"} <= extras
    assert not metadata.get_all("Requires-Dist", []) or all("extra ==" in r for r in metadata.get_all("Requires-Dist"))

"""The wheel holds every module and the type information (``py.typed``, ``value.pyi``), and a user's mypy, with the
wheel installed in a fresh environment and the checkout nowhere in sight, reads the README's example without an
error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The README's first Python block: its ten-line example.
README_EXAMPLE = re.search(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S | re.M)[1]


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (so no build folder is left in it)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("autograd", "nn"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    result = _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source, cwd=source)
    assert result.returncode == 0, result.stdout + result.stderr
    (found,) = out.glob("glassgrad-*.whl")
    return found


def test_the_wheel_holds_every_module_and_the_type_information(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        path.relative_to(ROOT).as_posix() for package in ("autograd", "nn") for path in (ROOT / package).rglob("*.py")
    }
    assert modules - names == set(), "modules missing from the wheel"
    assert {"autograd/py.typed", "nn/py.typed", "autograd/core/value.pyi"} <= names


def test_mypy_reads_the_readme_example_from_the_installed_wheel(wheel: Path, tmp_path: Path):
    environment = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", environment, cwd=tmp_path).returncode == 0
    python = environment / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "-q", "--no-deps", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    (tmp_path / "example.py").write_text(README_EXAMPLE, encoding="utf-8")
    result = _run(
        sys.executable,
        "-m",
        "mypy",
        "--config-file=",
        "--no-incremental",
        "--python-executable",
        python,
        "example.py",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _run(python, "example.py", cwd=tmp_path).returncode == 0

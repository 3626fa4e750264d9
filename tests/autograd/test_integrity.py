"""autograd.integrity: HIPS autograd's files in glassgrad's package folder are named at import, with the repair.

Each test copies the wheel glassgrad builds into a temporary folder and imports it in a fresh interpreter,
as an installed glassgrad is imported, so what is checked is what a user's environment does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograd.integrity import HIPS_AUTOGRAD_ENTRIES, foreign_entries


@pytest.fixture
def installed(built_wheel: Path, tmp_path: Path) -> Path:
    """A folder holding glassgrad as pip installs it from the wheel (the site-packages of a fresh environment)."""
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(built_wheel) as wheel:
        wheel.extractall(site)
    return site


def run_python(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that finds glassgrad in ``site`` only.

    ``-S`` leaves out this environment's site-packages, whose editable install of the checkout would
    otherwise supply any module the wheel lacks (glassgrad imports only the standard library).
    """
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_clean_install_imports_and_names_nothing(installed: Path):
    done = run_python(installed, "import autograd, nn, autograd.cli; print(autograd.__file__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(installed / "autograd" / "__init__.py")


@pytest.mark.parametrize("entry", ["tracer.py", "numpy", "differential_operators.py"])
def test_hips_autograd_files_beside_glassgrad_are_named_with_the_repair(installed: Path, entry: str):
    """pip install autograd (HIPS) after glassgrad leaves its modules in glassgrad's folder: import says so."""
    foreign = installed / "autograd" / entry
    if entry.endswith(".py"):
        foreign.write_text("# a module of another package\n")
    else:
        foreign.mkdir()
        (foreign / "__init__.py").write_text("")
    for code in ("import autograd", "from autograd import Value", "import nn", "from autograd.cli import main"):
        done = run_python(installed, code)
        assert done.returncode != 0, f"{code!r} imported despite {entry}"
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("autograd.integrity.ForeignPackageError: "), last
        assert str(installed / "autograd") in last and entry in last
        assert "HIPS autograd" in last and "pip uninstall autograd glassgrad" in last
        assert "separate virtual environment" in last


def test_the_list_of_hips_entries_names_nothing_glassgrad_ships():
    """A check that fired on glassgrad's own files would make glassgrad unusable: the lists never meet."""
    import autograd

    folder = Path(autograd.__file__).parent
    assert foreign_entries(folder) == []
    assert not HIPS_AUTOGRAD_ENTRIES & {path.name for path in folder.iterdir()}


def test_hips_autograd_installed_over_glassgrad_is_named_by_the_core(installed: Path):
    """Installed after glassgrad, HIPS autograd's ``__init__.py`` replaces glassgrad's and imports ``.core``, which is
    glassgrad's core package: the one place that still runs says what happened and how to repair it."""
    folder = installed / "autograd"
    (folder / "__init__.py").write_text("from .core import primitive_with_deprecation_warnings\n")  # as HIPS's does
    (folder / "tracer.py").write_text("# a module of another package\n")
    for code in ("import autograd", "from autograd import Value", "import nn", "from autograd.cli import main"):
        done = run_python(installed, code)
        assert done.returncode != 0, f"{code!r} imported despite HIPS autograd's __init__.py"
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("ImportError: the autograd package folder"), last
        assert "HIPS autograd" in last and "pip uninstall autograd glassgrad" in last and str(folder) in last

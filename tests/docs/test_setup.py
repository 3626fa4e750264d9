"""Setup works as the README says: the extras that run the tutorials hold every package the tutorials use.

The docs extra builds the site (Sphinx runs every tutorial) and the notebook extra runs them in
JupyterLab, so each must bring every package a tutorial imports, and the packages that the glassgrad
functions a tutorial calls import on demand (``nn.to_onnx`` needs onnx, ``draw`` graphviz, ...).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("[0-9]*.py"))
EXTRAS_THAT_RUN_TUTORIALS = ["docs", "notebook"]

# glassgrad's own functions that import a package when called: attribute or name -> the distribution.
CALLS_THAT_IMPORT = {
    "digits": "scikit-learn",
    "draw": "graphviz",
    "frames": "graphviz",
    "to_torch": "torch",
    "from_torch": "torch",
    "to_onnx": "onnx",
}
OWN_PACKAGES = {"autograd", "nn"}


def normalise(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalise(re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0])


def extra_packages(extra: str, extras: dict[str, list[str]]) -> set[str]:
    """Every distribution an extra brings, following glassgrad[other] inside it."""
    found: set[str] = set()
    for requirement in extras[extra]:
        name = requirement_name(requirement)
        if name == "glassgrad":
            inner = re.search(r"\[(.*?)\]", requirement)
            assert inner, requirement
            for other in inner.group(1).split(","):
                found |= extra_packages(other.strip(), extras)
        else:
            found.add(name)
    return found


@functools.cache
def distribution_of(module: str) -> str:
    """The installed distribution that provides a top-level module (torch -> torch, sklearn -> scikit-learn)."""
    providers = importlib.metadata.packages_distributions().get(module)
    assert providers, f"a tutorial imports {module!r}, which no installed distribution provides"
    return normalise(providers[0])


def packages_used(script: Path) -> dict[str, int]:
    """Distribution -> a line of the tutorial that needs it (imports, and calls that import on demand)."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    used: dict[str, int] = {}
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        for module in modules:
            top = module.split(".")[0]
            if top not in sys.stdlib_module_names and top not in OWN_PACKAGES:
                used.setdefault(distribution_of(top), node.lineno)
        name = getattr(node, "attr", None) if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if isinstance(node, (ast.Attribute, ast.Name)) and name in CALLS_THAT_IMPORT:
            used.setdefault(normalise(CALLS_THAT_IMPORT[name]), node.lineno)
    return used


EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]


def test_there_are_tutorials_to_check():
    assert len(TUTORIALS) >= 8


@pytest.mark.parametrize("extra", EXTRAS_THAT_RUN_TUTORIALS)
@pytest.mark.parametrize("script", TUTORIALS, ids=lambda p: p.stem)
def test_every_package_a_tutorial_uses_is_in_the_extra_that_runs_it(script: Path, extra: str):
    brought = extra_packages(extra, EXTRAS)
    missing = {name: line for name, line in packages_used(script).items() if name not in brought}
    assert not missing, (
        f"{script.name} needs {', '.join(f'{n} (line {line})' for n, line in missing.items())}, "
        f'which pip install -e ".[{extra}]" does not install: add it to the {extra} extra in pyproject.toml'
    )


def test_the_notebook_extra_brings_jupyterlab_and_a_kernel():
    brought = extra_packages("notebook", EXTRAS)
    assert {"jupyterlab", "ipykernel"} <= brought


def test_the_docs_extra_brings_the_site_builder():
    brought = extra_packages("docs", EXTRAS)
    assert {"sphinx", "myst-nb", "furo", "ipykernel"} <= brought


def test_the_readme_says_how_to_install_and_open_the_tutorials():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[notebook]"' in readme
    assert "jupyter lab docs/tutorials" in readme
    assert 'pip install -e ".[docs]" && python -m sphinx -W --keep-going -b html docs' in readme

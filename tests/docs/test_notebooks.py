"""The tutorials in docs/tutorials: each notebook and its jupytext percent script hold the same cells.

The notebooks themselves run in tests/docs/test_tutorials.py: a failing cell fails the suite. These
tests check the files: that a pair has not drifted apart (someone edited one side and forgot
``jupytext --sync``) and that the notebooks are committed without outputs.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
SCRIPTS = sorted(TUTORIALS.glob("[0-9]*.py"))


def cells(path: Path) -> list[tuple[str, str]]:
    """Each cell as (type, source), read by jupytext (a notebook and a percent script alike)."""
    notebook = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_tutorial_is_a_pair():
    assert NOTEBOOKS, f"no notebooks in {TUTORIALS}"
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SCRIPTS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_script_have_the_same_cells(notebook: Path):
    script = notebook.with_suffix(".py")
    from_notebook = cells(notebook)
    from_script = cells(script)
    assert len(from_notebook) == len(from_script), (
        f"{notebook.name} has {len(from_notebook)} cells, {script.name} {len(from_script)}: "
        f"run `jupytext --sync {notebook.relative_to(TUTORIALS.parents[1])}`"
    )
    for index, (a, b) in enumerate(zip(from_notebook, from_script)):
        assert a == b, f"cell {index} differs between {notebook.name} and {script.name}: run jupytext --sync"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook: Path):
    document = json.loads(notebook.read_text(encoding="utf-8"))
    for index, cell in enumerate(document["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{notebook.name} cell {index} has outputs: clear them before committing"
            assert cell["execution_count"] is None, f"{notebook.name} cell {index} has an execution count"
    assert document["metadata"]["kernelspec"]["name"] == "python3"


RANDOM_CALLS = {"MLP", "Neuron", "Layer", "moons", "train_test_split"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_pins_every_random_choice(script: Path):
    """Every model and random data set is made with ``rng=`` an integer, so each run gives the same numbers."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in RANDOM_CALLS
    ]
    for call in calls:
        rng = [keyword.value for keyword in call.keywords if keyword.arg == "rng"]
        assert rng and isinstance(rng[0], ast.Constant) and type(rng[0].value) is int, (
            f"{script.name} line {call.lineno}: pass rng= an integer"
        )

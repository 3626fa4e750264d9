"""export_torch_source: a file name is data, never code, whatever characters it holds.

The scripts are written into a temporary folder under hostile names and run with PyTorch: none of them runs
the command its name carries (no CANARY file appears), and each builds the network and loads its weights.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nn
import nn.export

pytest.importorskip("torch")

CANARY = "CANARY"
HOSTILE_NAMES = [
    'a"""; __import__("os").system("touch CANARY"); """.py',
    "b'''; __import__('os').system('touch CANARY'); '''.py",
    'c"; __import__("os").system("touch CANARY"); ".py',
    "d\nimport os; os.system('touch CANARY')\n#.py",
    "e\\N{LATIN SMALL LETTER A}\\x41\\u0041\\.py",
    "f{weights_file}{{}}%s.py",
    "g # \\ ' \" ''' \"\"\" .py",
    "ünïcødé 名前 🙂.py",
    os.fsdecode(b"h\xff\xfe.py"),  # undecodable bytes, as os.listdir returns them
]


def _run(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, os.fsencode(script)], cwd=script.parent, capture_output=True, text=True, timeout=300
    )


def _canaries(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob(CANARY)]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_hostile_script_name_runs_nothing_and_the_script_works(tmp_path, name):
    model = nn.MLP(3, [4, 2], activation="tanh", rng=0)
    script = nn.export_torch_source(model, tmp_path / name)
    assert script == tmp_path / name
    result = _run(script)
    assert _canaries(tmp_path) == [] and not Path(CANARY).exists()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Sequential" in result.stdout and "Tanh()" in result.stdout


@pytest.mark.parametrize("name", HOSTILE_NAMES[:4], ids=range(4))
def test_a_hostile_weights_path_in_another_folder_runs_nothing_either(tmp_path, name):
    folder = tmp_path / name.replace(".py", "")  # the weights file's folder carries the name
    folder.mkdir()
    model = nn.MLP(2, [3, 1], rng=0)
    script = nn.export_torch_source(model, tmp_path / "net.py", weights_path=folder / "w.json")
    result = _run(script)
    assert _canaries(tmp_path) == []
    assert result.returncode == 0, result.stderr[-2000:]
    source = script.read_text(encoding="utf-8")
    assert repr(str((folder / "w.json").resolve())) in source  # the path, as a repr() string literal


def test_the_weights_name_is_the_scripts_only_string_of_user_text_and_it_imports_json_pathlib_torch(tmp_path):
    name = 'x"""; import shutil; shutil.rmtree(".."); """.py'
    script = nn.export_torch_source(nn.MLP(2, [3, 1], rng=0), tmp_path / name)
    tree = ast.parse(script.read_text(encoding="utf-8"))
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    carrying = [text for text in strings if "shutil" in text]
    assert carrying == [name.replace(".py", ".json")]
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"json", "pathlib", "torch"}


def test_a_template_that_let_the_name_through_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    """The check itself: a template that also pasted the name into the docstring (as the first version did)
    gives a script whose tree differs from the plain name's, and nothing is written."""
    leaky = nn.export._SOURCE_TEMPLATE.replace("Edit it freely.", "Edit it freely ({weights_file}).")
    monkeypatch.setattr(nn.export, "_SOURCE_TEMPLATE", leaky)
    for name in ("plain.py", 'a"""; import os; """.py'):
        with pytest.raises(ValueError, match="changed the generated script"):
            nn.export_torch_source(nn.MLP(2, [1], rng=0), tmp_path / name)
    assert list(tmp_path.iterdir()) == []

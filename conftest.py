"""Shared by every test under the repository root, including the code blocks of README.md and docs/*.md."""

import pytest

# Sphinx's configuration, not a test module (pytest-markdown-docs would import it to read its docstrings).
collect_ignore = ["docs/conf.py"]

# The code blocks of README.md and docs/*.md print only when their test fails (a quiet run).
pytest_plugins = ["tests.markdown_capture"]


@pytest.fixture(autouse=True)
def markdown_blocks_run_in_a_temporary_folder(request, tmp_path, monkeypatch):
    """A README block that writes files (neuron.svg, xor.json) writes them to a fresh folder, not the checkout."""
    if request.node.get_closest_marker("markdown-docs") is not None:
        monkeypatch.chdir(tmp_path)

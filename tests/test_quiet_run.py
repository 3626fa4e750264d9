"""A quiet test run: what the README's and the docs' code blocks print shows only when their test fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytest_markdown_docs")

ROOT = Path(__file__).resolve().parents[1]

PAGE = """# A page

```python
print("PRINTED BY A PASSING BLOCK")
```

```python
import sys

print("PRINTED BY A FAILING BLOCK")
print("WRITTEN TO STDERR", file=sys.stderr)
raise AssertionError("this block fails")
```
"""


def run_pytest(folder: Path, *plugins: str) -> str:
    (folder / "page.md").write_text(PAGE, encoding="utf-8")
    options = [option for plugin in plugins for option in ("-p", plugin)]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--markdown-docs", "-q", *options, "page.md"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_passing_block_prints_nothing_and_a_failing_one_shows_its_output(tmp_path: Path):
    output = run_pytest(tmp_path, "tests.markdown_capture")
    assert "PRINTED BY A PASSING BLOCK" not in output
    report = output[output.index("Captured stdout call") :]
    assert "PRINTED BY A FAILING BLOCK" in report
    assert "WRITTEN TO STDERR" in output[output.index("Captured stderr call") :]


def test_without_the_plugin_the_blocks_print_into_the_run(tmp_path: Path):
    """What the plugin is for: pytest-markdown-docs alone lets a passing block print between the dots."""
    output = run_pytest(tmp_path)
    assert "PRINTED BY A PASSING BLOCK" in output

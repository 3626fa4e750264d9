"""The guide pages show their code's output, and the output shown is what the code prints.

In docs/guide/*.md a ```python block followed by a ```text block shows that block's output. Each such
pair runs here (in a fresh namespace, in an empty working folder) and the printed text must equal the
text block, so a change of glassgrad that changes what a guide example prints fails until the page is
updated: ``GLASSGRAD_UPDATE_GUIDE=1 python -m pytest tests/docs/test_guide_outputs.py`` rewrites the
text blocks from the code, for a person to read over in the diff. (The code blocks also run on their
own under pytest-markdown-docs, as every Python block of the docs does.)
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"
PAGES = [*sorted(GUIDE.glob("*.md")), GUIDE.parent / "index.md"]
PAIR = re.compile(r"```python\n(?P<code>.*?)```\n(?:\n```text\n(?P<shown>.*?)```\n)?", re.DOTALL)


def pairs(page: Path) -> list[re.Match[str]]:
    return list(PAIR.finditer(page.read_text(encoding="utf-8")))


def printed(code: str, folder: Path) -> str:
    """What ``code`` prints, run as a fresh module in ``folder``."""
    buffer = io.StringIO()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, "<guide block>", "exec"), {"__name__": "__guide__"})
    finally:
        os.chdir(previous)
    return buffer.getvalue()


def test_the_guide_has_pages():
    assert len(PAGES) >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_guide_example_shows_what_it_prints(page: Path, tmp_path: Path):
    found = pairs(page)
    assert found, f"{page.name} has no Python example"
    updated = page.read_text(encoding="utf-8")
    for number, match in enumerate(found, 1):
        code, shown = match.group("code"), match.group("shown")
        assert "assert " not in code, f"{page.name} example {number}: show the output instead of asserting"
        if "print(" not in code and "explain(" not in code:
            continue
        output = printed(code, tmp_path)
        if os.environ.get("GLASSGRAD_UPDATE_GUIDE"):
            block = match.group(0)
            new = f"```python\n{code}```\n\n```text\n{output}```\n"
            updated = updated.replace(block, new, 1)
            continue
        assert shown is not None, f"{page.name} example {number} prints, but shows no ```text output after it"
        assert output == shown, f"{page.name} example {number} prints:\n{output}\nbut the page shows:\n{shown}"
    if os.environ.get("GLASSGRAD_UPDATE_GUIDE"):
        page.write_text(updated, encoding="utf-8")

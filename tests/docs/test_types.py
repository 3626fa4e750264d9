"""mypy reads every Python block of README.md and docs/ without an error, as a user's type checker would.

Each ```python block is written to a scratch folder as a module of its own (the blocks run one by one, as
pytest-markdown-docs runs them) and mypy checks them all in one run, with this checkout's ``autograd`` and ``nn``
ahead of anything installed and the project's mypy settings (pyproject.toml). Errors are reported at the Markdown
file's own line numbers. Only the blocks' errors count here; ``mypy`` on the packages themselves runs in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: README.md and every Markdown page of the docs (the guide too), not the site's build output.
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)]
_BLOCK = re.compile(r"^```(?:python|py)\b[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_ERROR = re.compile(r"^(?P<module>[\w]+)\.py:(?P<line>\d+): error: (?P<message>.*)$")


@dataclass(frozen=True)
class Block:
    """One ```python block: the page it is on, the page's line of its first line of code, and its code."""

    page: Path
    line: int
    code: str

    @property
    def module(self) -> str:
        stem = re.sub(r"\W", "_", str(self.page.relative_to(ROOT).with_suffix(""))).lower()
        return f"{stem}_line_{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [Block(page, text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def mypy_errors(found: list[Block], folder: Path) -> list[str]:
    """mypy's errors on ``found``, each as ``page:line: message``, the line the page's own."""
    by_module = {block.module: block for block in found}
    for block in found:
        (folder / f"{block.module}.py").write_text(block.code, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--follow-imports=silent",  # the packages' own errors are the packages' run, not this test's
        "--cache-dir",
        str(folder / ".mypy_cache"),
        "--no-error-summary",
        "--hide-error-context",
        "--no-pretty",
        *sorted(f"{module}.py" for module in by_module),
    ]
    environment = {**os.environ, "MYPYPATH": str(ROOT)}  # this checkout's packages, ahead of site-packages
    result = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True, timeout=600)
    errors: list[tuple[str, int, str]] = []
    for line in result.stdout.splitlines():
        match = _ERROR.match(line)
        if match:
            block = by_module[match["module"]]
            where = block.page.relative_to(ROOT)
            errors.append((str(where), block.line + int(match["line"]) - 1, match["message"]))
    if result.returncode not in (0, 1) or (result.returncode == 1 and not errors):
        raise RuntimeError(f"mypy did not run: {result.returncode}\n{result.stdout}\n{result.stderr}")
    return [f"{page}:{line}: {message}" for page, line, message in sorted(errors)]


def test_every_page_has_python_blocks_to_check():
    counts = {page.name: len(blocks(page)) for page in PAGES}
    assert counts["README.md"] >= 5, counts
    assert sum(counts.values()) >= 20, counts


def test_the_check_reports_errors_at_the_pages_lines(tmp_path: Path):
    page = ROOT / "README.md"
    code = "from autograd import Value\n\nx = Value(2.0)\nx.tanhh()\ny: str = x.data\n"
    errors = mypy_errors([Block(page, 40, code)], tmp_path)
    assert errors == [
        'README.md:43: "Value" has no attribute "tanhh"; maybe "tanh"?  [attr-defined]',
        'README.md:44: Incompatible types in assignment (expression has type "float", variable has type "str")  '
        "[assignment]",
    ]


def test_mypy_finds_no_error_in_the_readme_and_docs(tmp_path: Path):
    found = [block for page in PAGES for block in blocks(page)]
    errors = mypy_errors(found, tmp_path)
    assert not errors, f"mypy on the Python blocks of README.md and docs/ ({len(found)} blocks):\n" + "\n".join(errors)

"""Lines of generated code: indentation, comments aligned and made safe.

User text (labels, parameter names) reaches generated code only through :func:`comment`: one line, no control
characters, quoted with ``repr``, at most 60 characters of it. The code itself is made from the op table only.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterator

__all__ = ["quoted"]

COMMENT_COLUMN = 52  #: comments start here (or two spaces after a longer line)
_MAX_QUOTED = 60


def quoted(text: str) -> str:
    """User text as a safe piece of a comment: control and format characters (newlines, U+2028, bidi marks)
    dropped, cut to 60 characters, quoted with ``repr`` (so it reads as a string, never as code).

    >>> quoted("w\\nimport os")
    "'wimport os'"
    """
    kept = "".join(c for c in str(text) if unicodedata.category(c)[0] != "C" and c not in "\u2028\u2029")
    if len(kept) > _MAX_QUOTED:
        kept = kept[: _MAX_QUOTED - 3] + "..."
    return ascii(kept) if not kept.isascii() else repr(kept)


def comment(text: str) -> str:
    """Library text (an op's formula, a rule) as one comment line's content: control characters dropped.

    >>> comment("d tanh(x)/dx\\n= 1 - tanh(x)^2")
    'd tanh(x)/dx = 1 - tanh(x)^2'
    """
    return "".join(c if c.isprintable() else " " for c in str(text)).strip()


class Lines:
    """Code lines, each with an optional comment; ``text()`` aligns the comments.

    >>> lines = Lines()
    >>> with lines.block("for x in xs:"):
    ...     lines.add("y = x * 2.0", "twice")
    >>> print(lines.text())
    for x in xs:
        y = x * 2.0                                   # twice
    """

    def __init__(self) -> None:
        self.lines: list[tuple[int, str, str]] = []
        self.depth = 0

    def add(self, code: str, note: str = "") -> None:
        """A line of code (or several, split on newlines), the first with the comment ``note``."""
        for i, part in enumerate(code.split("\n")):
            self.lines.append((self.depth, part, comment(note) if i == 0 else ""))

    def note(self, note: str) -> None:
        """A line that is only a comment."""
        self.lines.append((self.depth, "", comment(note)))

    def blank(self) -> None:
        """An empty line (once, not after another)."""
        if self.lines and (self.lines[-1][1] or self.lines[-1][2]):
            self.lines.append((self.depth, "", ""))

    def extend(self, other: Lines) -> None:
        """``other``'s lines, indented to this one's depth."""
        for depth, code, note in other.lines:
            self.lines.append((depth + self.depth, code, note))

    @contextlib.contextmanager
    def block(self, header: str, note: str = "") -> Iterator[None]:
        """``header`` (``for ...:``, ``if ...:``), then the lines added inside the ``with``, indented."""
        self.add(header, note)
        self.depth += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start or all(not code for _, code, _ in self.lines[start:]):
                self.add("pass")
            self.depth -= 1

    def __bool__(self) -> bool:
        return any(code for _, code, _ in self.lines)

    def text(self, base: int = 0) -> str:
        """The code, indented by ``base`` levels, comments aligned at :data:`COMMENT_COLUMN`."""
        out = []
        for depth, code, note in self.lines:
            indent = "    " * (depth + base)
            if not code and not note:
                out.append("")
            elif not code:
                out.append(f"{indent}# {note}")
            elif note:
                head = f"{indent}{code}"
                out.append(f"{head:<{COMMENT_COLUMN}}  # {note}" if len(head) < COMMENT_COLUMN else f"{head}  # {note}")
            else:
                out.append(f"{indent}{code}")
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)

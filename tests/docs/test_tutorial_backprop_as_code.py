"""The "Backprop as code" tutorial stays right: its numbers, and every line of generated code its text reads.

The tutorial's cells hold no test asserts (tutorials teach, tests check): this runs its script and checks what
it shows: that the compiled neuron gives the engine's gradients bit for bit, that the code holds each line the
text quotes, that the compiled digits network ends on the eager one's weights, and that the refusal names the line.
"""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import struct
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "09_backprop_as_code.py"


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@pytest.fixture(scope="module")
def tutorial() -> tuple[dict, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        names = runpy.run_path(str(SCRIPT))
    return names, printed.getvalue()


def test_the_neurons_compiled_gradients_are_the_engines(tutorial):
    names, _ = tutorial
    assert [bits(g) for g in (names["dw"], names["dx"], names["db"])] == [
        bits(v.grad) for v in (names["w"], names["x"], names["b"])
    ]
    assert round(names["value"], 4) == 0.4621


def quoted_code() -> list[str]:
    """Every `fragment` of the text's markdown that is generated code: it names a value of the code (``v3``,
    ``g_x0``, ``z1``, ``W0``) and assigns or calls; "..." may shorten it."""
    text, inside = [], False
    for line in SCRIPT.read_text().splitlines():
        if line.startswith("# %%"):
            inside = "[markdown]" in line
            continue
        if inside and line.startswith("#"):
            text.append(line[1:].strip())
    fragments = re.findall(r"`([^`]+)`", " ".join(text))
    names = r"\b(v\d+|g_\w+|x\d|z\d|a\d|W\d|B\d)\b"
    return [f for f in fragments if re.search(names, f) and re.search(r"[=(\[]", f)]


def test_the_text_quotes_code_at_all():
    assert len(quoted_code()) >= 10


@pytest.mark.parametrize("fragment", quoted_code())
def test_each_line_the_text_quotes_is_in_the_generated_code(tutorial, fragment):
    names, _ = tutorial
    code = " ".join((names["compiled"].source + names["step"].source).split())
    for piece in fragment.split("..."):  # a quote shortened with "...": each piece is in the code
        assert " ".join(piece.split()) in code


def test_the_arguments_are_named_only_in_comments(tutorial):
    names, _ = tutorial
    source = names["compiled"].source
    assert "# x0 is 'w'" in source and "def value_and_grad(x0, x1, x2, ext):" in source


def test_the_explain_steps_the_text_names_are_the_codes(tutorial):
    _, printed = tutorial
    assert "     3  n7 -> n6" in printed and "     4  n7 -> n6" in printed  # the square's two edges
    assert "    11  n2 -> n1" in printed and "d tanh(x)/dx" in printed


def test_the_compiled_digits_network_ends_on_the_eager_weights(tutorial):
    names, printed = tutorial
    assert names["largest"] == 0.0
    assert "largest weight difference after 61 steps: 0.0" in printed


def test_the_refusal_names_the_line(tutorial):
    _, printed = tutorial
    assert "compared (>) while tracing at" in printed and "if x > 1.0:" in printed

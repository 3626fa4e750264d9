"""The command line: ``glassgrad`` (or ``python -m autograd``) explains, draws and quizzes any expression.

::

    glassgrad explain "tanh(w*x + b)" w=-3 x=2 b=6.5     # the forward trace and every chain-rule step
    glassgrad grad    "tanh(w*x + b)" w=-3 x=2 b=6.5     # the value and every gradient
    glassgrad draw    "tanh(w*x + b)" w=-3 x=2 b=6.5 -o graph.svg
    glassgrad html    "tanh(w*x + b)" w=-3 x=2 b=6.5 -o steps.html [--practice]
    glassgrad practice "tanh(w*x + b)" w=-3 x=2 b=6.5    # backprop by hand, checked step by step

The expression is parsed by :mod:`autograd.cli.expression`, never run as Python.
Exit status: 0 on success, 2 for a bad expression or arguments, 1 when
drawing fails (no Graphviz).
"""

from __future__ import annotations

import argparse
import builtins
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from autograd.cli.expression import ExpressionError, build, functions
from autograd.core.value import Value

__all__ = ["main", "parser"]

_EXAMPLE = 'glassgrad explain "tanh(w*x + b)" w=-3 x=2 b=6.5'


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``glassgrad``: one subcommand per thing to do with an expression.

    >>> arguments = parser().parse_args(["draw", "x*y", "x=1", "y=2", "-o", "graph.png"])
    >>> arguments.command, arguments.expression, arguments.variables, arguments.output
    ('draw', 'x*y', ['x=1', 'y=2'], 'graph.png')
    """
    top = argparse.ArgumentParser(
        prog="glassgrad",
        description="Backpropagation through an expression, step by step. The expression is parsed, never run: "
        "numbers, variables, + - * / **, unary minus, parentheses and the functions " + ", ".join(functions()) + ".",
        epilog=f"example: {_EXAMPLE}",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=text, description=text, epilog=f"example: {_EXAMPLE.replace('explain', name)}"
        )
        sub.add_argument("expression", help='the expression, quoted: "tanh(w*x + b)"')
        sub.add_argument("variables", nargs="*", metavar="NAME=NUMBER", help="a value for each variable: w=-3 x=2")
        return sub

    command("explain", "print the forward trace and every chain-rule step of backward")
    command("grad", "print the value and the gradient of every variable")
    draw = command("draw", "draw the graph, with its grads (needs Graphviz)")
    draw.add_argument("-o", "--output", default="graph.svg", help="the picture (.svg, .png or .pdf; default graph.svg)")
    page = command("html", "write a page that steps through backward in a browser (needs Graphviz)")
    page.add_argument("-o", "--output", default="steps.html", help="the page (default steps.html)")
    page.add_argument("--practice", action="store_true", help="hide the grads: the learner types each one")
    command("practice", "do backprop by hand in the terminal: each step's local derivative and contribution")
    return top


def _variables(assignments: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for assignment in assignments:
        name, equals, number = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ExpressionError(f"variables are given as NAME=NUMBER (like w=-3), got {assignment!r}")
        try:
            value = float(number)
        except ValueError:
            raise ExpressionError(f"the value of {name} must be a number, got {number.strip()!r}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"the value of {name} must be a finite number, got {number.strip()!r}")
        if name in values:
            raise ExpressionError(f"the variable {name} is given twice")
        values[name] = value
    return values


def _grad(root: Value, leaves: dict[str, Value], out: TextIO) -> None:
    from autograd.describe import format_number
    from autograd.steps import backward_steps, final_grads

    grads = final_grads(root, backward_steps(root))
    out.write(f"value = {format_number(root.data, 6)}\n")
    width = max((len(name) for name in leaves), default=0)
    for name, leaf in leaves.items():
        out.write(f"d/d{name:<{width}} = {format_number(grads.get(leaf, 0.0), 6)}\n")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    input: Callable[[str], str] | None = None,  # noqa: A002 - what the practice reads answers with
) -> int:
    """Run ``glassgrad`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    ``grad`` prints the value and d value / d variable for each variable; for the neuron y = tanh(w x + b) the
    chain rule gives dy/dw = x (1 - y^2), dy/dx = w (1 - y^2) and dy/db = 1 - y^2:

    >>> main(["grad", "tanh(w*x + b)", "w=-3", "x=2", "b=6.5"])
    value = 0.462117
    d/dw = 1.5729
    d/dx = -2.35934
    d/db = 0.786448
    0
    """
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    arguments = parser().parse_args(argv)
    try:
        root, leaves = build(arguments.expression, _variables(arguments.variables))
    except ExpressionError as error:
        err.write(f"glassgrad: error: {error}\n")
        return 2
    if root.parents and not root.label and "out" not in leaves:
        root.label = "out"  # the traces and pictures name the result
    command = arguments.command
    if command == "explain":
        from autograd.explain import explain

        explain(root, out)
    elif command == "grad":
        _grad(root, leaves, out)
    elif command == "practice":
        from autograd.practice import Exercise

        Exercise(root).run(input=builtins.input if input is None else input, output=lambda text: out.write(text + "\n"))
    else:
        try:
            path = _picture(command, root, leaves, arguments)
        except (ImportError, OSError, RuntimeError, subprocess.CalledProcessError) as error:
            err.write(f"glassgrad: error: {error}\n")
            return 1
        out.write(f"wrote {path}\n")
    return 0


def _picture(command: str, root: Value, leaves: dict[str, Value], arguments: argparse.Namespace) -> Path:
    path = Path(arguments.output)
    if command == "html":
        from autograd.explain import save_html

        return save_html(root, path, inputs=list(leaves.values()), practice=arguments.practice)
    from autograd.steps import backward_steps, final_grads
    from autograd.viz import draw

    image_format = path.suffix.lstrip(".").lower() or "svg"
    if image_format not in ("svg", "png", "pdf"):
        raise OSError(f"draw writes .svg, .png or .pdf files, got {path.name!r}")
    picture = draw(root, grads=final_grads(root, backward_steps(root)), inputs=list(leaves.values()))
    if path.parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(picture.pipe(format=image_format))
    return path

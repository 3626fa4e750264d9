"""``glassgrad code``: the Python autograd.compile writes for an expression, printed."""

from __future__ import annotations

import ast
import io

import autograd
from autograd.cli import main
from autograd.compiler import load


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_the_neuron_code_is_autograd_compile_s_and_gives_glassgrad_grad_s_numbers() -> None:
    status, printed, err = _run("code", "tanh(w*x + b)", "w=-3", "x=2", "b=6.5")
    assert status == 0 and err == ""
    compiled = autograd.compile(lambda w, x, b: (w * x + b).tanh())
    compiled(-3.0, 2.0, 6.5)
    body = lambda text: text.split("\n", 1)[1]  # noqa: E731 - the title names the function (or the expression)
    assert body(printed) == body(str(compiled.source)) + ("" if str(compiled.source).endswith("\n") else "\n")
    assert printed.startswith("# value and gradients of 'tanh(w*x + b)', compiled by glassgrad\n")
    for name, j in (("w", 0), ("x", 1), ("b", 2)):
        assert f"# x{j} is {name!r}" in printed
    value_and_grad = load(printed, {"tanh": __import__("math").tanh})
    value, grads = value_and_grad(-3.0, 2.0, 6.5, [])
    status, shown, _ = _run("grad", "tanh(w*x + b)", "w=-3", "x=2", "b=6.5", "--digits", "17")
    expected = [float(line.split("=")[1]) for line in shown.splitlines()]
    assert [value, *grads] == expected


def test_the_expression_reaches_the_code_only_as_a_quoted_comment() -> None:
    status, printed, _ = _run("code", "x*y + sin(x)", "x=1", "y=2")
    assert status == 0
    tree = ast.parse(printed)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert "'x*y + sin(x)'" in printed.splitlines()[0]


def test_an_expression_without_a_variable_is_refused_in_one_line() -> None:
    status, printed, err = _run("code", "2*3")
    assert status == 2 and printed == ""
    assert err.count("\n") == 1 and "no variable" in err


def test_every_function_of_the_command_line_compiles() -> None:
    from autograd.cli.expression import function_table

    for name, function in function_table().items():
        point = "0.7" if name not in ("log", "sqrt") else "1.3"
        status, printed, err = _run("code", f"{name}(x) * y", f"x={point}", "y=2")
        assert status == 0, (name, err)
        assert printed.startswith("# value and gradients of") and "return loss" in printed, function

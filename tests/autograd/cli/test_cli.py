"""The expression parser and the command line: expressions are parsed, never run, and bad ones are refused."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.cli import main
from autograd.cli.expression import MAX_DEPTH, ExpressionError, build, functions, parse, variables


def value_of(text: str, **values: float) -> float:
    root, _ = build(text, values)
    return root.data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tanh(w*x + b)", math.tanh(-3.0 * 2.0 + 6.5)),
        ("-x**2", -(2.0**2)),
        ("2**3**2", 512.0),  # ** is right-associative
        ("w - x - b", -3.0 - 2.0 - 6.5),  # - and / are left-associative
        ("w / x / b", -3.0 / 2.0 / 6.5),
        ("+x * -w", 6.0),
        ("(w + x) * b", (-3.0 + 2.0) * 6.5),
        ("leaky_relu(w, 0.1) + elu(w, -0.5)", -0.3 + -0.5 * math.expm1(-3.0)),
        ("  exp( log(x) )\t", 2.0),
        ("1e-3 * .5 + 2. * x", 1e-3 * 0.5 + 2.0 * 2.0),
        ("sigmoid(relu(w) + x)", 1 / (1 + math.exp(-2.0))),
    ],
)
def test_expressions_mean_what_python_would_make_of_them(text, expected):
    names = variables(parse(text))
    values = {name: {"w": -3.0, "x": 2.0, "b": 6.5}[name] for name in names}
    assert value_of(text, **values) == pytest.approx(expected, rel=1e-15)


def test_the_graph_is_the_op_tables_and_backward_runs_through_it():
    root, leaves = build("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.5})
    assert root.op == "tanh" and sorted(leaves) == ["b", "w", "x"] and leaves["w"].label == "w"
    root.backward()
    w, x, b = Value(-3.0), Value(2.0), Value(6.5)
    (w * x + b).tanh().backward()
    assert (leaves["w"].grad, leaves["x"].grad, leaves["b"].grad) == (w.grad, x.grad, b.grad)
    twice, leaves = build("x * x", {"x": 3.0})
    assert twice.parents == (leaves["x"], leaves["x"])  # one leaf, used twice
    constant, _ = build("2 * 3", {})
    assert constant.data == 6.0 and constant.op == ""


HOSTILE = [
    ("x.__class__", "attribute access", 2),
    ("__import__('os').system('true')", "names starting with _", 1),
    ("x[0]", "subscript", 2),
    ("lambda: 1", "keyword 'lambda'", 1),
    ("[x for x in y]", "comprehension", 1),
    ("tanh(x=1)", "keyword argument", 7),
    ("import os", "keyword 'import'", 1),
    ("'x'", "a string", 1),
    ('"x" * 3', "a string", 1),
    ("eval(x)", "call of 'eval'", 1),
    ("open(x)", "call of 'open'", 1),
    ("x ^ 2", "write powers with **", 3),
    ("x if x else x", "keyword 'if'", 3),
    ("x; y", "second statement", 2),
    ("x @ x", "matrix", 3),
    ("{x}", "set or dict", 1),
    ("f(x)(x)", "call of 'f'", 1),
    ("2x", "followed by a name", 1),
    ("1.2.3", "malformed number", 1),
    ("x == 1", "assignment or keyword", 3),
    ("tanh", "without its argument", 1),
    ("x y", "expected an operator", 3),
    ("tanh(x, y)", "a parameter of tanh", 9),
    ("x\ny", "character '\\n'", 2),
    ("1e999 * x", "too large", 1),
]


@pytest.mark.parametrize(("text", "why", "position"), HOSTILE)
def test_hostile_input_is_refused_with_the_piece_its_position_and_what_is_allowed(text, why, position):
    with pytest.raises(ExpressionError) as caught:
        build(text, {"x": 1.0, "y": 2.0})
    message = str(caught.value)
    assert why in message, message
    assert f"at position {position}" in message, message
    assert "allowed:" in message and "tanh" in message


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "x" + ")" * 5000,
        "-" * 5000 + "x",
        "x" + "**x" * 3000,
        "tanh(" * 3000 + "x" + ")" * 3000,
    ],
)
def test_deep_nesting_is_refused_without_a_recursion_error(text):
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse(text, max_length=10**6)
    with pytest.raises(ExpressionError, match="characters long"):
        parse(text)


def test_the_depth_limit_is_exact_and_long_flat_expressions_are_fine():
    parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    root, _ = build("x" + " + x" * 240, {"x": 0.5})
    assert root.data == 0.5 * 241


def test_variables_must_be_given_and_given_ones_used():
    with pytest.raises(ExpressionError, match=r"the variable 'b' is used at position 7 .* b=1\.5"):
        build("w*x + b", {"w": 1.0, "x": 2.0})
    with pytest.raises(ExpressionError, match="'z' given but not used"):
        build("w*x", {"w": 1.0, "x": 2.0, "z": 3.0})
    with pytest.raises(TypeError, match="must be given a number"):
        build("x", {"x": "1"})
    with pytest.raises(TypeError, match="str"):
        parse(b"x")
    with pytest.raises(ExpressionError, match="empty"):
        parse("   ")


def test_errors_of_the_ops_come_as_expression_errors():
    with pytest.raises(ExpressionError, match="log"):
        build("log(x)", {"x": -1.0})
    with pytest.raises(ExpressionError, match="division by zero"):
        build("1 / (x - x)", {"x": 1.0})
    with pytest.raises(ExpressionError, match=r"overflow|too large"):
        build("exp(exp(x))", {"x": 10.0})


GRAMMAR = [
    *[
        "x",
        "y",
        "w1",
        "tanh",
        "relu",
        "exp",
        "log",
        "(",
        ")",
        "+",
        "-",
        "*",
        "/",
        "**",
        ",",
        ".",
        "0",
        "1",
        "2.5",
        "e3",
        "__",
        "[",
        "]",
        "'",
        "lambda",
        ":",
        "=",
    ],
    " ",
]


@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(GRAMMAR), max_size=30).map("".join)))
def test_any_text_gives_a_value_or_an_expression_error(text):
    try:
        tree = parse(text)
    except ExpressionError:
        return
    values = dict.fromkeys(variables(tree), 0.75)
    try:
        root, _ = build(text, values)
    except ExpressionError:
        return
    assert isinstance(root, Value)


def test_functions_are_the_op_tables_scalar_functions():
    names = functions()
    assert {"tanh", "relu", "exp", "log", "sigmoid"} <= set(names)
    assert "softmax" not in names and "dot" not in names


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------
NEURON = ["tanh(w*x + b)", "w=-3", "x=2", "b=6.5"]


def run(*argv: str, answers: list[str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    feed = iter(answers or [])
    status = main(list(argv), stdout=out, stderr=err, input=lambda prompt: next(feed))
    return status, out.getvalue(), err.getvalue()


def test_grad_prints_the_value_and_every_gradient():
    status, out, _ = run("grad", *NEURON)
    assert status == 0
    w, x, b = Value(-3.0), Value(2.0), Value(6.5)
    y = (w * x + b).tanh()
    y.backward()
    assert out.splitlines() == [
        f"value = {y.data:.6g}",
        f"d/dw = {w.grad:.6g}",
        f"d/dx = {x.grad:.6g}",
        f"d/db = {b.grad:.6g}",
    ]


def test_explain_prints_every_chain_rule_step():
    status, out, _ = run("explain", *NEURON)
    assert status == 0
    assert "5 chain-rule steps" in out and "d tanh(x)/dx = 1 - tanh(x)^2" in out and "out.grad = 1.0" in out


def test_practice_runs_the_exercise_on_the_terminal():
    status, out, _ = run("practice", "x*y", "x=1", "y=2", answers=["2", "2", "1", "q"])
    assert status == 0 and "Score: 3/4 right first time (1 not done)" in out


def test_bad_input_exits_with_status_2_and_says_why():
    status, out, err = run("grad", "x.y", "x=1")
    assert status == 2 and out == "" and "attribute access at position 2" in err
    status, _, err = run("grad", "x*y", "x=1")
    assert status == 2 and "'y' is used" in err
    status, _, err = run("grad", "x", "x=abc")
    assert status == 2 and "must be a number" in err
    status, _, err = run("grad", "x", "x")
    assert status == 2 and "NAME=NUMBER" in err
    with pytest.raises(SystemExit):
        run("frobnicate", "x")


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz program dot")
def test_draw_and_html_write_their_files(tmp_path):
    status, out, _ = run("draw", *NEURON, "-o", str(tmp_path / "graph.svg"))
    assert status == 0 and (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    status, out, _ = run("html", *NEURON, "-o", str(tmp_path / "steps.html"), "--practice")
    page = (tmp_path / "steps.html").read_text()
    assert status == 0 and 'id="answer"' in page and "wrote" in out
    status, _, err = run("draw", *NEURON, "-o", str(tmp_path / "graph.gif"))
    assert status == 1 and ".svg, .png or .pdf" in err


def test_python_dash_m_autograd_runs_the_same_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "grad", "x*x", "x=3"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.splitlines() == ["value = 9.0", "d/dx = 6.0"]

"""The command line: it agrees with the library for every op, and every failure is one line, never a traceback."""

from __future__ import annotations

import io
import json
import math
import operator
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from autograd.cli import INTERRUPTED, main
from autograd.core.kinds import INSTALLED, BinaryOp, NaryOp

NEURON = ["tanh(w*x + b)", "w=-3", "x=2", "b=6.5"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz program dot")


def run(*argv: str, answers: list[str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    feed = iter(answers or [])
    status = main(list(argv), stdout=out, stderr=err, input=lambda prompt: next(feed))
    return status, out.getvalue(), err.getvalue()


def grad_of(expression: str, **values: float) -> tuple[float, dict[str, float]]:
    """The value and gradients ``glassgrad grad`` prints, read back at full precision."""
    status, out, err = run("grad", "--digits", "17", "--", expression, *(f"{k}={v!r}" for k, v in values.items()))
    assert status == 0, err
    lines = dict(line.split(" = ") for line in out.splitlines())
    return float(lines.pop("value")), {name.removeprefix("d/d").strip(): float(g) for name, g in lines.items()}


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


# ---------------------------------------------------------------------------
# The command line and the library agree, for every op
# ---------------------------------------------------------------------------
PARAMETERS = (0.15, 0.35, 0.55, 0.75)  # trial values for an op's numeric parameters
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
VALUE_METHODS = {name for name, where in INSTALLED.items() if where.startswith("op ") and not name.startswith("_")}


def library_function(name: str):
    """What a user of the library writes for the function ``name`` of one value."""
    if name == "abs":
        return abs
    if name == "neg":
        return operator.neg
    if hasattr(Value, name):
        return lambda x, *params: getattr(x, name)(*params)  # the method: x.rrelu(0.1, 0.3)
    return OPS[name].apply  # an op with no method of its own (gelu_tanh)


def numeric_arity(function) -> int:
    """How many numbers the library takes after x (found by calling it, not by reading any table)."""
    count = 0
    for k in range(1, len(PARAMETERS) + 1):
        try:
            function(Value(0.5), *PARAMETERS[:k])
        except (TypeError, ValueError):
            break
        count = k
    return count


def points(name: str) -> list[float]:
    op = OPS.get(name)
    low, high = getattr(op, "domain", (-5.0, 5.0))
    found = [low + (high - low) * f for f in (0.11, 0.47, 0.93)]
    assert all(abs(x - kink) > 0.1 for x in found for kink in getattr(op, "kinks", ()))
    return found


@pytest.mark.parametrize("name", sorted(set(OPS) | VALUE_METHODS))
def test_the_command_line_computes_what_the_library_computes_for_every_op(name):
    op = OPS.get(name)
    if isinstance(op, NaryOp):  # a function of a list: an expression cannot make one, and says so
        status, out, err = run("grad", f"{name}(x)", "x=1")
        assert status == 2 and out == "" and f"{name} works on a list of values" in err
        return
    if isinstance(op, BinaryOp):
        y = sum(op.second_domain or op.domain) / 2 + 0.1
        for x in points(name):
            for text, expected in (
                (f"x {op.symbol} y", lambda a, b: OPERATORS[op.symbol](a, b)),
                (f"x {op.symbol} 1.75", lambda a, b: OPERATORS[op.symbol](a, 1.75)),
                (f"1.75 {op.symbol} y", lambda a, b: OPERATORS[op.symbol](1.75, b)),
            ):
                a, b = Value(x), Value(y)
                library = expected(a, b) + 0 * a + 0 * b  # both leaves in the graph, as in the command line
                library.backward()
                value, grads = grad_of(text + " + 0*x + 0*y", x=x, y=y)
                assert same(value, library.data) and same(grads["x"], a.grad) and same(grads["y"], b.grad), text
        return
    function = library_function(name)
    arity = numeric_arity(function)
    for x in points(name):
        for k in range(arity + 1):
            params = PARAMETERS[:k]
            text = f"{name}(x{''.join(f', {p!r}' for p in params)})"
            a = Value(x)
            library = function(a, *params)
            library.backward()
            value, grads = grad_of(text, x=x)
            assert same(value, library.data) and same(grads["x"], a.grad), (text, value, library.data)
            constant = function(Value(1.25), *params).data * x  # a function of a number is folded into a constant
            assert same(grad_of(f"{text.replace('(x', '(1.25', 1)} * x", x=x)[0], constant)
    too_many = f"{name}(x{', 0.5' * (arity + 1)})"
    status, out, err = run("grad", too_many, "x=1")
    assert status == 2 and out == "" and f"{name} takes " in err and "parameter" in err, err


def test_rrelu_is_the_method_a_learner_calls():
    slope = (1 / 8 + 1 / 3) / 2  # in evaluation: the mean of lower and upper
    assert grad_of("rrelu(x)", x=-1.5) == (Value(-1.5).rrelu().data, {"x": slope}) == (-1.5 * slope, {"x": slope})
    assert grad_of("rrelu(x, 0.1, 0.3)", x=-1.5)[0] == Value(-1.5).rrelu(0.1, 0.3).data == pytest.approx(-0.3)


def test_op_parameters_are_checked_as_operands_are():
    status, out, err = run("grad", "leaky_relu(x, 1e999)", "x=-1.5")
    assert (status, out) == (2, "") and "leaky_relu's slope '1e999'" in err and "too large for a float" in err
    status, out, err = run("grad", "x", "x=1e999")
    assert (status, out) == (2, "") and "finite number" in err


# ---------------------------------------------------------------------------
# The subcommands
# ---------------------------------------------------------------------------
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
    assert "n1   grad = 0.7864\n" in out and "n1   grad = 0.786448\n" in run("explain", "--digits", "6", *NEURON)[1]


def test_practice_runs_the_exercise_on_the_terminal():
    status, out, _ = run("practice", "x*y", "x=1", "y=2", answers=["2", "2", "1", "q"])
    assert status == 0 and "Score: 3/4 right first time (1 not done)" in out


def test_version_is_the_librarys():
    status, out, err = run("--version")
    assert (status, out, err) == (0, f"glassgrad {autograd.__version__}\n", "")


def test_bad_input_exits_with_status_2_and_says_why_in_one_line():
    for argv, says in [
        (["grad", "x.y", "x=1"], "attribute access at position 2"),
        (["grad", "x*y", "x=1"], "the variable y has no value (position 3 of 'x*y'): add y=<number>"),
        (["grad", "x", "x=abc"], "must be a number"),
        (["grad", "x", "x"], "NAME=NUMBER"),
        (["grad", "x", "x y=1"], "a variable's name is a letter"),
        (["grad", "tanhh(x)", "x=1"], "did you mean tanh?"),
    ]:
        status, out, err = run(*argv)
        assert status == 2 and out == "" and says in err and err.count("\n") == 1, (argv, err)
    status, out, err = run("frobnicate", "x")
    assert status == 2 and "invalid choice: 'frobnicate'" in err
    status, out, err = run("html", "x", "x=1", "--practise")
    assert status == 2 and "did you mean --practice?" in err


def test_an_expression_starting_with_a_minus_is_explained_and_works_after_double_dash():
    status, out, err = run("grad", "-x*2", "x=1")
    assert status == 2 and out == ""
    assert "an expression that starts with \"-\" goes after --: glassgrad grad -- '-x*2' x=1" in err
    suggested = shlex.split(err.rsplit("goes after --: ", 1)[1])
    assert suggested[0] == "glassgrad" and run(*suggested[1:])[:2] == (0, "value = -2.0\nd/dx = -2.0\n")
    status, _, err = run("draw", "-3*x", "x=1", "-o", "out.svg")
    assert status == 2 and "glassgrad draw -o out.svg -- '-3*x' x=1" in err
    assert run("grad", "-3")[:2] == (0, "value = -3.0\n")  # a negative number is no option
    status, _, err = run("grad", "--", "x", "-o")
    assert status == 2 and "options (-o, --digits, ...) go before --" in err


# ---------------------------------------------------------------------------
# Pictures: written through write_file, collapsed when large
# ---------------------------------------------------------------------------
@needs_dot
def test_draw_and_html_write_their_files(tmp_path):
    status, out, _ = run("draw", *NEURON, "-o", str(tmp_path / "graph.svg"))
    assert status == 0 and (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    assert 'id="n5_op"' in (tmp_path / "graph.svg").read_text()  # drawn in full: each op its own node
    status, out, _ = run("html", *NEURON, "-o", str(tmp_path / "steps.html"), "--practice")
    page = (tmp_path / "steps.html").read_text()
    assert status == 0 and 'id="answer"' in page and "wrote" in out
    status, _, err = run("draw", *NEURON, "-o", str(tmp_path / "graph.gif"))
    assert status == 2 and ".svg, .png or .pdf" in err and not (tmp_path / "graph.gif").exists()
    status, _, _ = run("draw", *NEURON, "--collapse", "-o", str(tmp_path / "small.svg"))
    assert status == 0 and "_op" not in (tmp_path / "small.svg").read_text()


LONG = "+".join(f"x{i}" for i in range(200))  # 889 characters: 399 values, 598 boxes in full
LONG_VALUES = [f"x{i}={i / 10}" for i in range(200)]


@needs_dot
@pytest.mark.parametrize(("command", "name"), [("draw", "long.svg"), ("html", "long.html")])
def test_a_long_expression_is_drawn_collapsed_with_a_note(tmp_path, command, name):
    status, out, err = run(command, LONG, *LONG_VALUES, "-o", str(tmp_path / name))
    assert status == 0 and out == f"wrote {tmp_path / name}\n", err
    assert "drawn collapsed instead" in err and "Traceback" not in err
    picture = (tmp_path / name).read_text()
    if command == "html":  # the page carries the picture in its data, as a JSON string
        found = re.search(r'<script type="application/json" id="glassgrad-data">(.*?)</script>', picture, re.S)
        picture = json.loads(found[1])["data"]["svg"]
    assert 'id="n398"' in picture and "_op" not in picture  # every value, each op inside its box


@needs_dot
@pytest.mark.parametrize("command", ["draw", "html"])
def test_o_writes_regular_files_only_naming_the_path(tmp_path, command):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    for path, says in [
        (tmp_path, "is a folder"),
        (fifo, "is a FIFO"),
        (tmp_path / "missing" / "graph.svg", "its folder does not exist"),
    ]:
        status, out, err = run(command, *NEURON, "-o", str(path))
        assert status == 1 and out == "" and says in err and repr(str(path)) in err, err
        assert err.count("\n") == 1 and ".tmp" not in err
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["pipe.svg"]


# ---------------------------------------------------------------------------
# Ctrl-C, a closed pipe, a full disk: one line, a non-zero status, no traceback
# ---------------------------------------------------------------------------
def test_ctrl_c_in_practice_ends_with_one_line_and_the_score():
    typed = iter(["2"])

    def keyboard(prompt: str) -> str:
        return next(typed, None) or (_ for _ in ()).throw(KeyboardInterrupt)  # one answer, then Ctrl-C

    out, err = io.StringIO(), io.StringIO()
    try:
        status = main(["practice", "x*y", "x=1", "y=2"], stdout=out, stderr=err, input=keyboard)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped main(): the learner sees a traceback")
    assert status == INTERRUPTED == 130
    assert err.getvalue() == "glassgrad: interrupted\n"
    assert out.getvalue().splitlines()[-1].startswith("Score: 1/4")


def command_line(*argv: str) -> list[str]:
    return [sys.executable, "-m", "autograd", *argv]


def environment(unbuffered: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return {**env, "PYTHONUNBUFFERED": "1"} if unbuffered else env


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_closed_pipe_ends_with_one_line(unbuffered):
    # explain writes about 76 kB; head -c1 reads one byte and closes the pipe, which holds 64 kB
    pipeline = shlex.join(command_line("explain", LONG, *LONG_VALUES)) + " | head -c1"
    done = subprocess.run(
        ["bash", "-c", pipeline + "; exit ${PIPESTATUS[0]}"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(unbuffered),
    )
    assert done.stdout == "F"
    assert done.returncode == 1, done.stderr
    assert done.stderr == "glassgrad: error: cannot write the output: the program reading it stopped (a closed pipe)\n"


def limit_file_size(limit: int):
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing

    return limited


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_full_disk_for_stdout_ends_with_one_line(tmp_path, unbuffered):
    with open(tmp_path / "out.txt", "w") as file:
        done = subprocess.run(
            command_line("explain", LONG, *LONG_VALUES),
            stdout=file,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            preexec_fn=limit_file_size(4096),
            env=environment(unbuffered),
        )
    assert done.returncode == 1
    assert done.stderr == "glassgrad: error: cannot write the output: the file size limit was reached\n"


@needs_dot
@pytest.mark.parametrize(("command", "name"), [("draw", "graph.svg"), ("html", "steps.html")])
def test_a_full_disk_for_o_keeps_the_old_file(tmp_path, command, name):
    old = tmp_path / name
    old.write_text("the old file")
    done = subprocess.run(
        command_line(command, *NEURON, "-o", str(old)),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size(2048),
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "the file size limit was reached" in done.stderr and str(old) in done.stderr
    assert old.read_text() == "the old file" and [p.name for p in tmp_path.iterdir()] == [name]


# ---------------------------------------------------------------------------
# Any input: 0, 1 or 2, never a traceback
# ---------------------------------------------------------------------------
TOKENS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["x=1", "y=-2.5", "x=1e999", "w=nan", "-x*2", "--", "-o", "--digits", "3", "--collapse", "-h"]),
    st.lists(st.sampled_from(["x", "y", "tanh(", "rrelu(", ")", "*", "-", "**", "400", ",", "1e308", "("])).map(
        "".join
    ),
)


def no_answers(prompt: str) -> str:
    raise EOFError


@given(st.sampled_from(["grad", "explain", "practice", "--version", "nonsense", "-x"]), st.lists(TOKENS, max_size=6))
def test_any_input_gives_0_1_or_2_and_no_traceback(command, tokens):
    out, err = io.StringIO(), io.StringIO()
    status = main([command, *tokens], stdout=out, stderr=err, input=no_answers)
    assert status in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
    if status and not err.getvalue().startswith("usage:"):
        assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("glassgrad: "), err.getvalue()


def test_python_dash_m_autograd_runs_the_same_command_line():
    done = subprocess.run(command_line("grad", "x*x", "x=3"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines() == ["value = 9.0", "d/dx = 6.0"]
    assert Path(autograd.__file__).parent.joinpath("__main__.py").exists()

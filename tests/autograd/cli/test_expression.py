"""The expression parser: expressions are parsed, never run; each function is the library's; bad ones are refused
with a bounded message naming the piece."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, Value
from autograd.cli.expression import (
    MAX_DEPTH,
    ExpressionError,
    build,
    function_table,
    functions,
    parse,
    variables,
)
from autograd.core.kinds import UnaryOp


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
        ("rrelu(w, 0.1, 0.3)", -3.0 * 0.2),  # x.rrelu(lower, upper): in evaluation the slope is their mean
        ("leaky_relu(w, --0.5)", -1.5),
    ],
)
def test_expressions_mean_what_python_would_make_of_them(text, expected):
    names = variables(parse(text))
    values = {name: {"w": -3.0, "x": 2.0, "b": 6.5}[name] for name in names}
    assert value_of(text, **values) == pytest.approx(expected, rel=1e-15)


def test_the_graph_is_the_librarys_and_backward_runs_through_it():
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


def test_each_function_is_what_a_user_of_the_library_calls():
    table = function_table()
    assert sorted(table) == functions()
    assert {name for name, op in OPS.items() if isinstance(op, UnaryOp)} == set(table)
    assert table["tanh"].call is Value.tanh and table["abs"].call is Value.__abs__
    assert table["rrelu"].call is Value.rrelu  # not the entry's one-slope function
    assert [name for name, _ in table["rrelu"].params] == ["lower", "upper"]
    assert table["gelu"].call is Value.gelu and table["gelu"].params == ()  # approximate is a string
    assert table["gelu_tanh"].call is OPS["gelu_tanh"].apply  # no method of its own
    assert table["leaky_relu"].signature == "leaky_relu(x, slope=0.01)"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tanh(x, 2)", "tanh takes no parameters: tanh(x)"),
        ("leaky_relu(x, 0.1, 2)", "leaky_relu takes at most 1 parameter: leaky_relu(x, slope=0.01)"),
        ("rrelu(x, 0.1, 0.2, 0.3)", "rrelu takes at most 2 parameters: rrelu(x, lower=0.125, upper=0.333333)"),
        ("tanh()", "call it as tanh(x)"),
        ("leaky_relu(x, y)", "the slope of leaky_relu(x, slope=0.01)"),
    ],
)
def test_arity_is_checked_and_named(text, says):
    with pytest.raises(ExpressionError) as caught:
        build(text, {"x": 1.0, "y": 2.0} if "y" in text else {"x": 1.0})
    assert says in str(caught.value)


def test_parameters_must_be_finite_as_operands_are():
    with pytest.raises(ExpressionError, match=r"leaky_relu's slope '1e999' at position 15.*too large for a float"):
        build("leaky_relu(x, 1e999)", {"x": -1.5})
    with pytest.raises(ExpressionError, match=r"the number '1e999' at position 1.*too large for a float"):
        build("1e999 * x", {"x": 1.0})
    with pytest.raises(ExpressionError, match="finite number"):
        build("x", {"x": math.inf})


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
    ("x ^ 2", "write powers with **", 3),
    ("x if x else x", "keyword 'if'", 3),
    ("x; y", "second statement", 2),
    ("x @ x", "matrix", 3),
    ("{x}", "set or dict", 1),
    ("2x", "followed by a name", 1),
    ("1.2.3", "malformed number", 1),
    ("x == 1", "assignment or keyword", 3),
    ("tanh", "without its argument", 1),
    ("x y", "expected an operator", 3),
    ("x\ny", "character '\\n'", 2),
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
    ("text", "says"),
    [
        ("tanhh(x)", "unknown function 'tanhh' at position 1 of 'tanhh(x)': did you mean tanh?"),
        ("Tanh(x)", "did you mean tanh?"),
        ("sigmod(x)", "did you mean sigmoid?"),
        ("pow(x, 2)", "pow is written with its operator: a ** b"),
        ("softmax(x)", "softmax works on a list of values"),
        ("eval(x)", "the functions are abs, "),
        ("f(x)(x)", "unknown function 'f' at position 1 of 'f(x)(x)': the functions are abs, "),
    ],
)
def test_a_misspelt_function_gets_the_one_it_is_close_to(text, says):
    with pytest.raises(ExpressionError) as caught:
        build(text, {"x": 1.0})
    message = str(caught.value)
    assert says in message, message
    if "did you mean" in says:
        assert "the functions are" not in message  # a guess, not a list of 24 names


def test_missing_and_misspelt_variables_are_named():
    with pytest.raises(ExpressionError, match=r"^x is not given .*; did you mean y\? \(y is given but not used\)"):
        build("x * 2", {"y": 1.0})
    with pytest.raises(ExpressionError, match=r"weight is not given .*; did you mean wieght\?"):
        build("weight * x", {"wieght": 1.0, "x": 2.0, "z": 3.0})
    with pytest.raises(ExpressionError, match=r"the variable b has no value \(position 7 of 'w\*x \+ b'\): add b=<n"):
        build("w*x + b", {"w": 1.0, "x": 2.0})
    with pytest.raises(ExpressionError, match="'z' given but not used"):
        build("w*x", {"w": 1.0, "x": 2.0, "z": 3.0})
    with pytest.raises(TypeError, match="must be given a number"):
        build("x", {"x": "1"})
    with pytest.raises(TypeError, match="str"):
        parse(b"x")
    with pytest.raises(ExpressionError, match="empty"):
        parse("   ")


@pytest.mark.parametrize(
    ("text", "values", "piece"),
    [
        ("10**400 + x", {"x": 1.0}, "'10**400' at position 1: pow()"),
        ("x * exp(1000)", {"x": 1.0}, "'exp(1000)' at position 5: exp() overflows"),
        ("2 * (1 / (x - x))", {"x": 1.0}, "'(1 / (x - x))' at position 5: div(): division by zero"),
        ("tanh(log(-1))", {}, "'log(-1)' at position 6: log() needs x > 0"),
        ("1e308 * 10 + x", {"x": 1.0}, "'1e308 * 10' at position 1: the result, inf, is too large for a float"),
        ("x * x", {"x": 1e200}, "'x * x' at position 1: the result, inf, is too large"),
        ("exp(exp(x))", {"x": 10.0}, "'exp(exp(x))' at position 1: exp() overflows"),
        ("rrelu(x, 0.3, 0.1)", {"x": 1.0}, "rrelu() needs lower <= upper"),
    ],
)
def test_what_the_library_refuses_comes_as_an_expression_error_naming_the_piece(text, values, piece):
    with pytest.raises(ExpressionError) as caught:
        build(text, values)
    assert f"cannot compute {piece}" in str(caught.value) if piece[0] == "'" else piece in str(caught.value)


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
    with pytest.raises(ExpressionError, match="nested too deeply"):  # past what Python's stack holds
        parse(text, max_length=10**6, max_depth=10**6)
    with pytest.raises(ExpressionError, match="characters long"):
        parse(text)


def test_the_depth_limit_is_exact_and_long_flat_expressions_are_fine():
    parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    root, _ = build("x" + " + x" * 240, {"x": 0.5})
    assert root.data == 0.5 * 241


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("x" * 100_000 + " $", {}),  # a bad character at the end of a long expression
        ("a" * 50_000 + "(x)", {"x": 1.0}),  # a long unknown function
        ("x", {"y" * 50_000: 1.0}),  # a long variable name given but not used
        ("y" * 50_000, {"x": 1.0}),  # a long variable name without a value
        ("1" * 400 + " * x", {"x": 1.0}),  # a number too large, long
        ("(" * 50_000 + "x", {"x": 1.0}),  # nested too deeply
    ],
)
def test_messages_quote_at_most_about_100_characters_of_the_input(text, values):
    with pytest.raises(ExpressionError) as caught:
        build(text, values, max_length=10**6)
    message = str(caught.value)
    assert len(message) < 700, message[:300]
    assert "characters)" in message, message  # and say how long the input was


GRAMMAR = [
    *[
        "x",
        "y",
        "w1",
        "tanh",
        "relu",
        "exp",
        "log",
        "rrelu",
        "leaky_relu",
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
        "1e308",
        "400",
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


@given(
    st.one_of(st.text(max_size=60), st.lists(st.sampled_from(GRAMMAR), max_size=30).map("".join)),
    st.sampled_from([0.75, -2.0, 0.0, 1e200, -1e-300]),
)
def test_any_text_gives_a_value_or_an_expression_error(text, value):
    try:
        tree = parse(text)
    except ExpressionError:
        return
    values = dict.fromkeys(variables(tree), value)
    try:
        root, _ = build(text, values)
    except ExpressionError:
        return
    assert isinstance(root, Value) and math.isfinite(root.data)

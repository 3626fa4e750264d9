"""autograd.fast is pinned to the reference rule: the same nodes, bit for bit, for every mix of Values and numbers."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, CheckedRows, Value, dot, dots, enable_grad, no_grad, relu_dot, relu_dots, sum_values
from tests.strategies import small_floats

KINDS = st.sampled_from(["leaf", "interior", "number"])


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def make(number: float, kind: str) -> Value | float:
    if kind == "number":
        return number
    return Value(number) if kind == "leaf" else Value(number) * 1.0


def describe(node: Value) -> tuple:
    arguments = OPS[node.op].arguments(node) if node.op else None
    parts = None if arguments is None else [list(a) if isinstance(a, tuple | list) else a for a in arguments]
    return bits(node.data), node.op, node.parents, tuple(map(bits, node.local_grads)), parts


@given(
    st.integers(1, 4),
    st.integers(0, 4),
    st.data(),
    st.booleans(),
    st.booleans(),
)
def test_dots_builds_the_reference_nodes_for_every_mix(rows, size, data, relu, recording):
    weights = [[make(data.draw(small_floats()), data.draw(KINDS)) for _ in range(size)] for _ in range(rows)]
    biases = [make(data.draw(small_floats()), data.draw(KINDS)) for _ in range(rows)]
    inputs = [make(data.draw(small_floats()), data.draw(KINDS)) for _ in range(size)]
    fast, reference = (relu_dots, relu_dot) if relu else (dots, dot)
    with enable_grad() if recording else no_grad():
        together = fast(weights, inputs, biases)
        one_by_one = [reference(w, inputs, b) for w, b in zip(weights, biases)]
    assert [describe(n) for n in together] == [describe(n) for n in one_by_one]
    if recording:  # and the same grads in every leaf, from either graph
        leaves = {v for v in [*[w for row in weights for w in row], *biases, *inputs] if isinstance(v, Value)}
        grads = []
        for nodes in (together, one_by_one):
            for leaf in leaves:
                leaf.grad = 0.0
            for node in nodes:  # interior inputs and weights hold grads too; reset them by a fresh pass
                node.grad = 0.0
            sum_values([n * (i + 1.5) for i, n in enumerate(nodes)]).backward()
            grads.append({id(v): bits(v.grad) for v in leaves})
        assert grads[0] == grads[1]


@given(st.lists(small_floats(), min_size=2, max_size=2), st.lists(small_floats(), min_size=2, max_size=2))
def test_checked_rows_hold_until_a_weight_is_rebound(ws, xs):
    rows = [[Value(w) for w in ws]]
    biases = [Value(0.5)]
    checked = CheckedRows(rows, biases)
    assert checked.holds(rows, biases)
    assert [n.data for n in checked.dots(xs)] == [dot(rows[0], xs, biases[0]).data]
    rows[0][1] = Value(ws[1])  # the same number, another Value: the checked rows no longer hold
    assert not checked.holds(rows, biases)
    rows[0][1] = Value(ws[1]) * 1.0  # an interior weight cannot be checked
    with pytest.raises(TypeError, match="leaf Values"):
        CheckedRows(rows, biases)


@pytest.mark.parametrize("x", [math.nan, -0.0, 0.0, math.inf, -math.inf, -1.5, 2.5])
@pytest.mark.parametrize("recording", [True, False])
def test_relu_dots_follow_relu_at_its_edges_when_recording_or_not(x, recording):
    """nan stays nan, -0.0 stays -0.0 (as PyTorch's relu), on the fused path and the reference alike."""
    weights, inputs, biases = [[Value(1.0)]], [x], [-0.0]
    with enable_grad() if recording else no_grad():
        together = relu_dots(weights, inputs, biases)
        rows = CheckedRows(weights, biases).dots(inputs, relu=True)
        reference = [relu_dot(weights[0], inputs, biases[0])]
    assert [bits(n.data) for n in together] == [bits(n.data) for n in rows] == [bits(n.data) for n in reference]


ROWS = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]


@pytest.mark.parametrize("function", [dots, relu_dots], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("arguments", "error", "pattern"),
    [
        (
            (ROWS, [1.0, 2.0], None),
            TypeError,
            r"{f}\(\) biases must be a sequence of biases \(one per row\), got NoneType",
        ),
        ((ROWS, [1.0, 2.0], 0.0), TypeError, r"{f}\(\) biases must be a sequence .*got float: 0.0"),
        ((None, [1.0, 2.0], [0.0]), TypeError, r"{f}\(\) weight_rows must be a sequence of rows of weights"),
        (("ab", [1.0, 2.0], [0.0, 0.0]), TypeError, r"{f}\(\) weight_rows must be .*got str: 'ab'"),
        (([5], [1.0], [0.0]), TypeError, r"{f}\(\) weight_rows\[0\] must be a sequence of weights, got int: 5"),
        ((ROWS, None, [0.0, 0.0]), TypeError, r"{f}\(\) inputs must be a sequence of inputs \(numbers or Values\)"),
        ((ROWS, "x" * 500, [0.0, 0.0]), TypeError, r"{f}\(\) inputs .*'x+\.\.\.x+' \(500 characters\)"),
        (
            (ROWS, [1.0], [0.0, 0.0]),
            ValueError,
            r"{f}\(\) row 0: {f_}\(\) needs as many weights as inputs, got 2 and 1",
        ),
        ((ROWS, [1.0, "a"], [0.0, 0.0]), TypeError, r"{f}\(\) row 0: {f_}\(\) needs a real number"),
        ((ROWS, [1.0, 2.0], [0.0, "b"]), TypeError, r"{f}\(\) row 1: {f_}\(\) needs a real number .*'b'"),
        ((ROWS, [1.0, 2.0], [0.0]), ValueError, r"{f}\(\) needs one bias per row of weights, got 2 rows and 1"),
    ],
)
def test_dots_name_themselves_and_their_bad_argument(function, arguments, error, pattern):
    name = function.__name__
    with pytest.raises(error, match=pattern.format(f=name, f_=name[:-1])) as raised:
        function(*arguments)
    assert len(str(raised.value)) < 300


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: CheckedRows(None, [0.0]), r"CheckedRows\(\) weight_rows must be a sequence"),
        (lambda: CheckedRows(ROWS, None), r"CheckedRows\(\) biases must be a sequence"),
        (lambda: CheckedRows(ROWS, [0.0, 0.0]).dots(None), r"CheckedRows.dots\(\) inputs must be a sequence"),
    ],
)
def test_checked_rows_name_their_bad_argument(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        call()

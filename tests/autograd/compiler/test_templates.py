"""Every op's compiled code equals the eager op bit for bit: value and every gradient, for every op in the table.

An element-wise op is compiled from its entry's template (or, without one, as calls of the entry's own functions);
an op over a list from its template, in the forms the compiler writes (one node, or a vector of outputs). Each is
compared with the eager engine on hypothesis inputs, as the 8 bytes of each float.
"""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, backward
from autograd.ops import BinaryOp, UnaryOp
from tests.strategies import op_inputs


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def eager(function, numbers):
    inputs = [Value(x) for x in numbers]
    out = function(*inputs)
    backward(out)
    return out.data, [v.grad for v in inputs]


def assert_same(function, numbers):
    """The compiled function's value and gradients are the eager engine's, bit for bit (or the same error)."""
    try:
        expected_value, expected_grads = eager(function, numbers)
    except (ArithmeticError, ValueError) as error:
        with pytest.raises(type(error)):
            autograd.compile(function)(*numbers)
        return
    value, grads = autograd.compile(function)(*numbers)
    assert bits(value) == bits(expected_value), (numbers, value, expected_value)
    assert [bits(g) for g in grads] == [bits(g) for g in expected_grads], (numbers, grads, expected_grads)


ELEMENTWISE = [name for name, op in OPS.items() if isinstance(op, UnaryOp | BinaryOp)]
LISTS = [name for name, op in OPS.items() if not isinstance(op, UnaryOp | BinaryOp)]


def test_the_table_is_covered():
    """Every op of the table is one of the two groups below: a new op is tested the moment it is registered."""
    assert set(ELEMENTWISE) | set(LISTS) == set(OPS)
    assert set(LISTS) <= set(LIST_FUNCTIONS), (
        f"ops over a list without a compiled test: {set(LISTS) - set(LIST_FUNCTIONS)}"
    )


def _with_kinks(op):
    """The op's test inputs, and now and then exactly a kink (relu at 0): a template must agree there too."""
    inputs = op_inputs(op)
    if not op.kinks:
        return inputs
    kink = st.sampled_from(op.kinks).map(lambda k: (k,) if isinstance(op, UnaryOp) else (k, 1.5))
    return st.one_of(inputs, kink)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_an_elementwise_op_compiles_to_the_same_numbers(name, data):
    op = OPS[name]
    numbers = data.draw(_with_kinks(op))
    params = op.test_params
    if isinstance(op, UnaryOp):
        assert_same(lambda x: op(x, *params), numbers)
        assert_same(lambda x: op(op(x, *params) * 0.5, *params), numbers)  # the op applied to a node
    else:
        assert_same(lambda a, b: op(a, b), numbers)
        assert_same(lambda a: op(a, 1.25), numbers[:1])  # a number folded in, on either side
        assert_same(lambda b: op(1.25, b), numbers[1:])
        assert_same(lambda a: op(a, a), numbers[:1])  # one Value on both sides: two edges into one gradient


def _softmax_all(a, b, c):
    s = autograd.softmax([a, b, c])
    return s[0] * 2.0 + s[1] * s[2]


def _log_softmax_all(a, b, c):
    s = autograd.log_softmax([a, b, c])
    return s[0] * 2.0 + s[1] * s[2]


LIST_FUNCTIONS = {
    "sum": [lambda a, b, c: autograd.sum_values([a, b, c, a])],
    "softmax": [_softmax_all, lambda a, b, c: autograd.softmax([a, b, c])[1]],
    "log_softmax": [_log_softmax_all, lambda a, b, c: autograd.log_softmax([a, b, c])[2]],
    "logsumexp": [lambda a, b, c: autograd.logsumexp([a, b, c]) * b],
    "cross_entropy": [
        lambda a, b, c: autograd.cross_entropy([a, b, c], 1),
        lambda a, b, c: autograd.cross_entropy([a, c * b], 0),
    ],
    "dot": [lambda a, b, c: autograd.dot([a, b], [c, 2.0], 0.5), lambda a, b, c: autograd.dot([a, b, c], [a, b, c])],
    "relu_dot": [
        lambda a, b, c: autograd.relu_dot([a, b], [c, 1.5], a),
        lambda a, b, c: autograd.relu_dot([a, 2.0], [b, c]),
    ],
}


@pytest.mark.parametrize("name", LISTS)
@settings(max_examples=40, deadline=None)
@given(numbers=st.tuples(*[st.floats(-4.0, 4.0, allow_nan=False)] * 3))
def test_an_op_over_a_list_compiles_to_the_same_numbers(name, numbers):
    for function in LIST_FUNCTIONS[name]:
        assert_same(function, numbers)


@pytest.mark.parametrize(
    ("function", "numbers", "error"),
    [
        (lambda x: x.log(), (0.0,), ValueError),
        (lambda x: x.log(), (-1.0,), ValueError),
        (lambda x: x.sqrt(), (-1.0,), ValueError),
        (lambda x: x.exp(), (1000.0,), OverflowError),
        (lambda a, b: a / b, (1.0, 0.0), ZeroDivisionError),
        (lambda a, b: a**b, (-2.0, 0.5), ValueError),
    ],
    ids=["log 0", "log -1", "sqrt -1", "exp overflow", "div 0", "pow complex"],
)
def test_the_compiled_code_raises_what_the_op_raises(function, numbers, error):
    with pytest.raises(error):
        eager(function, numbers)
    compiled = autograd.compile(function)
    with pytest.raises(error):
        compiled(*numbers)


def test_an_op_without_a_template_runs_through_its_entrys_functions():
    """gelu has no template: the code calls the entry's own forward and derivative, by name, from its namespace."""
    assert OPS["gelu"].template is None
    compiled = autograd.compile(lambda x: x.gelu())
    compiled(0.3)
    assert "gelu_forward(x0)" in compiled.source and "gelu_derivative(x0, v1)" in compiled.source
    assert_same(lambda x: x.gelu(), (0.3,))
    assert math.isfinite(compiled(-0.7)[1][0])

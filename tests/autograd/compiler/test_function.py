"""autograd.compile(f): a function of numbers, compiled, gives f's value and gradients, as the eager engine does."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import CompileError, Value, backward
from tests.strategies import evaluate, expressions, small_floats


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@settings(max_examples=150, deadline=None)
@given(expression=expressions(3), numbers=st.tuples(small_floats(), small_floats(), small_floats()))
def test_any_expression_compiles_to_the_engines_numbers(expression, numbers):
    """Random graphs (shared nodes, every kind of op): the value and each gradient, bit for bit."""

    def f(a, b, c):
        return evaluate(expression, [a, b, c])

    compiled = autograd.compile(f)
    value, grads = compiled(*numbers)
    inputs = [Value(x) for x in numbers]
    out = f(*inputs)
    if out.op:
        backward(out)
    else:  # the expression is one input: its gradient is 1
        out.grad += 1.0
    assert bits(value) == bits(out.data)
    assert [bits(g) for g in grads] == [bits(v.grad) for v in inputs]
    again = compiled(*(x * 0.5 for x in numbers))  # later calls run the code with other numbers
    assert len(again[1]) == 3


def test_the_textbook_neuron():
    """tanh(w x + b) at w = -3, x = 2, b = 6.5: the numbers every backprop tutorial derives by hand."""
    neuron = autograd.compile(lambda w, x, b: (w * x + b).tanh())
    value, (dw, dx, db) = neuron(-3.0, 2.0, 6.5)
    assert round(value, 4) == 0.4621
    assert (round(dw, 4), round(dx, 4), round(db, 4)) == (1.5729, -2.3593, 0.7864)
    source = neuron.source
    assert "g_v2 = (1.0 - v3 * v3) * g_v3" in source  # d tanh / dn = 1 - tanh^2, times the upstream gradient
    assert "g_x0 += x1 * g_v1" in source  # d(w*x)/dw = x


def test_higher_order_use_runs_the_function_eagerly():
    """Called with Values (inside grad or hessian) the compiled function is the function itself."""
    f = autograd.compile(lambda x: x * x * x)
    assert f(2.0) == (8.0, (12.0,))
    assert autograd.grad(f)(2.0) == 12.0  # d(x^3)/dx = 3 x^2
    assert autograd.hessian(f)(2.0) == [[12.0]]  # d2(x^3)/dx2 = 6 x


def test_a_compiled_function_takes_as_many_numbers_as_it_was_compiled_for():
    f = autograd.compile(lambda a, b: a * b)
    f(1.0, 2.0)
    with pytest.raises(TypeError, match="compiled for 2 numbers, got 3"):
        f(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="needs a real number"):
        f("1", 2.0)


def test_source_before_the_first_call_says_so():
    f = autograd.compile(lambda x: x)
    with pytest.raises(CompileError, match="call it once first"):
        _ = f.source
    assert f(4.0) == (4.0, (1.0,))

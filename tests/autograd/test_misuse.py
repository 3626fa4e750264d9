"""Misuse of the engine gives a clear error naming the function or op and the bad value, never a silent answer."""

from __future__ import annotations

import math
import random

import pytest

from autograd import (
    OPS,
    Value,
    central_difference,
    cross_entropy,
    dot,
    dots,
    grad,
    gradcheck,
    jvp,
    log_softmax,
    logsumexp,
    relu_dot,
    softmax,
    sum_values,
)
from autograd.modes import compare_modes
from autograd.ops import UnaryOp
from autograd.paths import paths
from autograd.practice import Exercise, check_gradients
from autograd.steps import backward_steps, final_grads
from autograd.viz import draw

UNARY_WITH_PARAMS = [op for op in OPS.values() if isinstance(op, UnaryOp) and op.test_params]


@pytest.mark.parametrize("bad", ["0.1", None, Value(0.1), [0.1], 1j])
@pytest.mark.parametrize("op", UNARY_WITH_PARAMS, ids=lambda op: op.name)
def test_every_op_checks_its_parameters(op, bad):
    """A parameter that is not a real number (a str slope, a Value c whose derivative is not taken): TypeError."""
    with pytest.raises(TypeError, match=rf"^{op.name}\(\)"):
        op(Value(-0.5), *(bad for _ in op.test_params))
    method = getattr(Value(-0.5), op.name)
    with pytest.raises(TypeError, match=rf"^{op.name}\(\)"):
        method(bad)


@pytest.mark.parametrize(
    ("call", "error", "names"),
    [
        (lambda: Value(-1.0).rrelu(training=True, rng="7"), TypeError, "rrelu"),
        (lambda: Value(-1.0).rrelu(training=True, rng=1.5), TypeError, "rrelu"),
        (lambda: Value(-1.0).rrelu("a", 0.3), TypeError, "rrelu"),
        (lambda: Value(-1.0).rrelu(0.3, 0.1), ValueError, "rrelu"),
        (lambda: Value(-1.0).rrelu(training="yes"), TypeError, "rrelu"),
        (lambda: Value(1.0).gelu(approximate="fast"), ValueError, "gelu"),
        (lambda: Value(1.0) * "2", TypeError, "mul"),
        (lambda: "2" + Value(1.0), TypeError, "add"),
        (lambda: Value(1.0) ** None, TypeError, "pow"),
        (lambda: softmax(None), TypeError, "softmax"),
        (lambda: softmax(Value(1.0)), TypeError, "softmax"),
        (lambda: softmax("abc"), TypeError, "softmax"),
        (lambda: softmax([]), ValueError, "softmax"),
        (lambda: softmax([1.0, "x"]), TypeError, "softmax"),
        (lambda: log_softmax(3.0), TypeError, "log_softmax"),
        (lambda: logsumexp(None), TypeError, "logsumexp"),
        (lambda: cross_entropy([1.0, 2.0], 1.0), TypeError, "cross_entropy"),
        (lambda: cross_entropy([1.0, 2.0], 2), ValueError, "cross_entropy"),
        (lambda: sum_values(Value(1.0)), TypeError, "sum_values"),
        (lambda: sum_values(3.0), TypeError, "sum_values"),
        (lambda: sum_values([Value(1.0), "2"]), TypeError, "sum_values"),
        (lambda: sum_values([Value(1.0)], start="0"), TypeError, "sum_values"),
        (lambda: dot(Value(1.0), [1.0]), TypeError, "dot"),
        (lambda: dot([Value(1.0)], Value(1.0)), TypeError, "dot"),
        (lambda: dot([Value(1.0)], [1.0, 2.0]), ValueError, "dot"),
        (lambda: dot([Value(1.0)], ["1"]), TypeError, "dot"),
        (lambda: dot([Value(1.0)], [1.0], "b"), TypeError, "dot"),
        (lambda: relu_dot("ab", [1.0, 2.0]), TypeError, "relu_dot"),
        (lambda: dots([[Value(1.0)]], [1.0], [0.0, 1.0]), ValueError, "dots"),
        (lambda: grad(lambda x: x * x, argnums=True), TypeError, "grad"),
        (lambda: grad(lambda x: x * x, argnums="0"), TypeError, "grad"),
        (lambda: grad(lambda x: x * x, argnums=[]), TypeError, "grad"),
        (lambda: grad(lambda x: x * x, argnums=(0, 1.0)), TypeError, "grad"),
        (lambda: grad(3.0), TypeError, "grad"),
        (lambda: grad(lambda x: x * x)("1"), TypeError, "grad"),
        (lambda: grad(lambda x: x * x, argnums=1)(1.0), ValueError, "grad"),
        (lambda: gradcheck(lambda x: x * x, ["a"]), TypeError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, "1"), TypeError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, [1.0], eps=0), ValueError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, [1.0], eps=-1e-6), ValueError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, [1.0], eps=math.nan), ValueError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, [1.0], atol=-1.0), ValueError, "gradcheck"),
        (lambda: gradcheck(lambda x: x * x, [1.0], eps="1e-6"), TypeError, "gradcheck"),
        (lambda: gradcheck(None, [1.0]), TypeError, "gradcheck"),
        (lambda: central_difference(lambda x: x, 1.0, eps=0.0), ValueError, "central_difference"),
        (lambda: central_difference(lambda x: x, "a"), TypeError, "central_difference"),
        (lambda: central_difference(lambda x: x, 1.0, arg=True), TypeError, "central_difference"),
        (lambda: Value(1.0, label=3), TypeError, "Value"),
        (lambda: Value(1.0, label=b"x"), TypeError, "Value"),
        (lambda: Value(1.0, label="x\ud800"), ValueError, "Value"),
        (lambda: Value("1.0"), TypeError, "Value"),
        (lambda: Value(1.0) < "2", TypeError, "<"),
        (lambda: backward_steps(Value(1.0) * 2.0, "1"), TypeError, "backward_steps() gradient"),
        (lambda: backward_steps(Value(1.0) * 2.0, names=3), TypeError, "backward_steps() names="),
        (lambda: final_grads(Value(1.0), None), TypeError, "final_grads()"),
        (lambda: paths(Value(1.0), Value(1.0), limit="all"), TypeError, "paths() limit"),
        (lambda: jvp(lambda x: x, [1.0], ["1"]), TypeError, "jvp() tangents[0]"),
        (lambda: compare_modes(None, 1.0), TypeError, "compare_modes() needs a function"),
        (lambda: Exercise(Value(1.0) * 2.0, ask=None), TypeError, "Exercise() ask"),
        (lambda: check_gradients(Value(1.0) * 2.0, None), TypeError, "check_gradients() answers"),
        (lambda: draw(Value(1.0) * 2.0, parameters=3), TypeError, "draw() parameters="),
        (lambda: dots([[Value(1.0)]], [1.0], None), TypeError, "dots() biases"),
    ],
)
def test_every_public_function_rejects_the_wrong_kind_of_argument_by_name(call, error, names):
    with pytest.raises(error) as raised:
        call()
    assert names in str(raised.value), str(raised.value)


def test_a_good_rng_and_labels_still_work():
    assert Value(-1.0).rrelu(training=True, rng=random.Random(1)).data < 0.0
    assert Value(1.0, label="x é 😀").label == "x é 😀"
    assert grad(lambda x, y: x * y, argnums=[0, 1])(2.0, 3.0) == (3.0, 2.0)
    assert gradcheck(lambda x: x * x, [1.5], eps=1e-6)


@pytest.mark.parametrize("name", ["tanh", "exp", "log", "sin", "sqrt", "isfinite", "floor"])
def test_math_functions_on_a_value_name_the_method_to_use(name):
    with pytest.raises(TypeError, match=r"x\.tanh\(\)"):
        getattr(math, name)(Value(0.5))

"""Numbers: every real type becomes a Python float, backward's seed is a real number, PyTorch's nan rules.

PyTorch (float64) is the oracle where it has an answer: relu at nan and at an off neuron under an inf or
nan upstream grad, pow where its derivative overflows or its exponent is 0.
"""

from __future__ import annotations

import decimal
import fractions
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, Value, backward, dot, dots, grad, no_grad, relu_dot, relu_dots, softmax, sum_values
from autograd.explain import backward_steps, final_grads
from autograd.ops import BinaryOp, UnaryOp, log_softmax

torch = pytest.importorskip("torch")

REAL_TYPES = [np.float32, np.float16, np.float64, np.int32, fractions.Fraction, int, float]
UNARY_WITH_PARAMS = [op for op in OPS.values() if isinstance(op, UnaryOp) and op.test_params]
BINARY = [op for op in OPS.values() if isinstance(op, BinaryOp)]


def _is_float(v: Value) -> bool:
    return type(v.data) is float and (type(v.grad) is float or isinstance(v.grad, Value))


@pytest.mark.parametrize("real", REAL_TYPES)
@pytest.mark.parametrize("op", UNARY_WITH_PARAMS, ids=lambda op: op.name)
def test_an_op_parameter_of_any_real_type_becomes_a_python_float(op, real):
    params = tuple(real(p) if real is not fractions.Fraction else fractions.Fraction(p) for p in op.test_params)
    x = Value(-0.7)
    out = op(x, *params)
    reference = op(Value(-0.7), *(float(p) for p in params))
    assert type(out.data) is float and out.data == reference.data
    assert all(type(p) is float for p in out.context)
    out.backward()
    assert type(x.grad) is float


@pytest.mark.parametrize("real", REAL_TYPES)
@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
def test_a_constant_of_any_real_type_in_a_binary_op_becomes_a_python_float(op, real):
    x = Value(1.5)
    for out in (op(x, real(2)), op(real(2), x)):
        assert type(out.data) is float and all(type(c) is not np.generic for c in out.context)
        assert type(out.context[1]) is float


@pytest.mark.parametrize("real", [np.float32, np.float16, fractions.Fraction])
def test_every_number_argument_becomes_a_python_float(real):
    w, x = Value(0.3), Value(-0.6)
    made = [
        Value(real(1)),
        x.linear(real(2)),
        x.elu(real(1.5) if real is not fractions.Fraction else fractions.Fraction(3, 2)),
        x.rrelu(real(0.125), real(0.25)),
        x.rrelu(real(0.125), real(0.25), training=True, rng=1),
        sum_values([x, real(1)], real(2)),
        dot([w, real(2)], [real(1), x], real(1)),
        relu_dot([w], [real(3)], real(1)),
        *dots([[w]], [real(3)], [real(1)]),
        *relu_dots([[w]], [real(3)], [real(1)]),
        *dots([[w]], [x], [real(1)]),
        *softmax([x, real(1)]),
    ]
    assert all(type(v.data) is float for v in made)
    for v in made[1:]:
        w.grad = x.grad = 0.0
        v.backward(real(1))
        assert type(w.grad) is float and type(x.grad) is float


@pytest.mark.parametrize("seed", [None, 1, 2.0, np.float32(0.5), fractions.Fraction(1, 4), True])
def test_backward_takes_a_real_number_none_meaning_one(seed):
    x = Value(3.0)
    (x * x).backward(seed)
    expected = 6.0 * (1.0 if seed is None else float(seed))
    assert type(x.grad) is float and x.grad == expected


@pytest.mark.parametrize("seed", [1j, "1", decimal.Decimal(1), [1.0], np.array([1.0]), (1.0,), object()])
def test_backward_refuses_a_seed_that_is_not_a_real_number(seed):
    x = Value(3.0)
    with pytest.raises(TypeError, match=r"backward\(\) needs a real number"):
        (x * x).backward(seed)
    with pytest.raises(TypeError, match=r"backward\(\) needs a real number"):
        backward(x * x, seed)


# --- relu: PyTorch's rules at nan, and an off relu passes nothing back, on every path ---------------
SPECIAL = [-2.0, -0.0, 0.0, 3.0, math.nan, math.inf, -math.inf]
UPSTREAM = [1.0, 0.0, -2.5, math.inf, -math.inf, math.nan]


def _same(a: float, b: float) -> bool:
    """Equal bit for bit (nan equals nan; 0.0 and -0.0 differ)."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def _torch_relu(x: float, weight: float, upstream: float, bias: float | None = None) -> tuple[float, float, float]:
    """relu(weight * x (+ bias)) in torch float64: (output, d/dx, d/dweight) with the upstream grad given."""
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(weight, dtype=torch.float64, requires_grad=True)
    out = torch.relu(tw * tx if bias is None else tw * tx + bias)
    out.backward(torch.tensor(upstream, dtype=torch.float64))
    return out.item(), tx.grad.item(), tw.grad.item()


def _ours(x_value: float, upstream: float) -> dict[str, tuple[float, float]]:
    """relu(1.0 * x) by every path: (output, d/dweight), or (output, d/dx) for the relu op."""
    results = {}
    x = Value(x_value)
    out = x.relu()
    out.backward(upstream)
    results["relu op"] = (out.data, x.grad)
    x = Value(x_value)
    out = x.relu()
    backward(out, upstream, create_graph=True)
    results["relu op, create_graph"] = (out.data, x.grad.data if isinstance(x.grad, Value) else x.grad)
    x = Value(x_value)
    out = x.relu()
    results["relu op, backward_steps"] = (out.data, final_grads(out, backward_steps(out, upstream), upstream)[x])
    x = Value(x_value)
    out = x.relu()
    backward(out, upstream, on_step=lambda *edge: None)
    results["relu op, watched"] = (out.data, x.grad)
    for name, build in [
        ("relu_dot", lambda w: relu_dot([w], [x_value])),
        ("relu_dots (fast)", lambda w: relu_dots([[w]], [x_value], [0.0])[0]),
    ]:
        w = Value(1.0)
        out = build(w)
        out.backward(upstream)
        results[name] = (out.data, w.grad)
        w = Value(1.0)
        out = build(w)
        backward(out, upstream, create_graph=True)
        results[name + ", create_graph"] = (out.data, w.grad.data if isinstance(w.grad, Value) else w.grad)
        w = Value(1.0)
        out = build(w)
        results[name + ", backward_steps"] = (out.data, final_grads(out, backward_steps(out, upstream), upstream)[w])
    return results


@pytest.mark.parametrize("upstream", UPSTREAM)
@pytest.mark.parametrize("x", SPECIAL)
def test_relu_follows_pytorch_at_nan_inf_and_off_on_every_path_bit_for_bit(x, upstream):
    """Every path gives the same output and grad bit for bit; PyTorch's, up to the sign of a zero grad
    (torch's relu(w * x) multiplies the 0 it passes back by x; a fused node passes nothing back). The dot
    paths compute relu(w * x + 0.0), and for an infinite x torch's 0 * x in the product's backward is nan
    where the fused node passes nothing: the dot paths are checked against each other there."""
    ours = _ours(x, upstream)
    for paths, bias in (("relu op", None), ("relu_dot", 0.0)):
        torch_out, torch_dx, torch_dw = _torch_relu(x, 1.0, upstream, bias)
        expected = torch_dx if bias is None else torch_dw
        first_out, first_grad = ours[paths]
        for path, (out, grad_) in ours.items():
            if path.startswith(paths):
                assert _same(out, torch_out) and _same(out, first_out), (path, out, torch_out)
                assert _same(grad_, first_grad), (path, grad_, first_grad)
                if bias is None or math.isfinite(x):
                    assert grad_ == expected or (math.isnan(grad_) and math.isnan(expected)), (path, grad_, expected)


def test_relu_of_nan_is_nan_and_passes_the_grad_on():
    x = Value(math.nan)
    out = x.relu()
    out.backward(2.0)
    assert math.isnan(out.data) and x.grad == 2.0  # torch: threshold_backward passes grad where not x <= 0


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(allow_nan=True, allow_infinity=True))
def test_relu_op_and_fused_relu_agree_with_pytorch_for_any_input_and_upstream(w_value, x_value, upstream):
    torch_out, _, torch_dw = _torch_relu(x_value, w_value, upstream, 0.0)
    for build in (
        lambda w: (w * x_value + 0.0).relu(),
        lambda w: relu_dot([w], [x_value]),
        lambda w: relu_dots([[w]], [x_value], [0.0])[0],
    ):
        w = Value(w_value)
        out = build(w)
        out.backward(upstream)
        assert _same(out.data, torch_out)
        assert w.grad == torch_dw or (math.isnan(w.grad) and math.isnan(torch_dw)), (w.grad, torch_dw)


# --- pow, sin, cos: overflow and domain errors -------------------------------------------------------
@pytest.mark.parametrize(
    ("base", "exponent"),
    [(5e-324, 0.0), (0.0, 0.0), (5e-324, 0.5), (1e-300, -0.5), (1e-300, -1.5), (-1e-300, -3.0), (1e-200, 2.5)],
)
def test_pow_follows_pytorch_where_its_derivative_overflows(base, exponent):
    tx = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    out_t = tx**exponent
    if not math.isfinite(out_t.item()):
        with pytest.raises(OverflowError, match=r"pow\(\)"):
            Value(base) ** exponent
        return
    out_t.backward()
    x = Value(base)
    out = x**exponent
    out.backward()
    assert _same(out.data, out_t.item()) and _same(x.grad, tx.grad.item())


def test_the_exponent_zero_has_derivative_zero_in_every_argument():
    x, e = Value(5e-324), Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    d = grad(lambda v: v**0)(5e-324)
    assert d == 0.0
    out = x**e
    assert out.data == 1.0


@pytest.mark.parametrize("x", [math.inf, -math.inf])
@pytest.mark.parametrize("name", ["sin", "cos"])
def test_sin_and_cos_of_inf_name_the_op_and_the_value(name, x):
    with pytest.raises(ValueError, match=rf"{name}\({x!r}\)"):
        getattr(Value(x), name)()


@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan, 1e308, -1e308])
@pytest.mark.parametrize("op", [op for op in OPS.values() if isinstance(op, UnaryOp)], ids=lambda op: op.name)
def test_a_unary_op_errs_only_naming_itself(op, x):
    """Any unary op at an extreme input gives a number or a ValueError/OverflowError that names the op."""
    try:
        op(Value(x), *op.test_params)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        assert str(error).startswith(f"{op.name}("), str(error)


# --- softmax memory -----------------------------------------------------------------------------------
@pytest.mark.parametrize("function", [softmax, log_softmax])
def test_softmax_memory_is_linear_in_the_number_of_logits(function):
    logits = [Value(0.001 * i) for i in range(10_000)]
    tracemalloc.start()
    try:
        outputs = function(logits)
        outputs[3].backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MB"
    assert math.isfinite(logits[3].grad)


# --- no graph -----------------------------------------------------------------------------------------
def test_backward_from_a_result_made_under_no_grad_is_an_error_and_a_user_leaf_still_backprops():
    x = Value(2.0)
    with no_grad():
        ys = [x * x, x.tanh(), dot([x], [1.0]), relu_dot([x], [1.0]), *dots([[x]], [1.0], [0.0]), *softmax([x, 1.0])]
    for y in ys:
        with pytest.raises(RuntimeError, match="no_grad"):
            y.backward()
    assert x.grad == 0.0
    leaf = Value(3.0)
    leaf.backward(2.5)
    leaf.backward()
    assert leaf.grad == 3.5  # a leaf you made yourself: its grad is the seed, accumulated
    assert y.detach().backward() is None  # detach() makes a user leaf

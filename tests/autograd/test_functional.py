"""Higher-order derivatives: grad of grad over the op table, Hessians, and no_grad inside grad."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, hessian, logsumexp, no_grad, softmax
from autograd.ops import ELEMENTWISE_OPS, BinaryOp, UnaryOp
from tests.strategies import op_inputs, small_floats

#: Ops whose second derivative exists on their domain away from the kinks.
SMOOTH_OPS = sorted(name for name, op in ELEMENTWISE_OPS.items() if op.smooth)
#: Piecewise-linear ops: the second derivative is 0 wherever it exists.
PIECEWISE_LINEAR_OPS = ["abs", "binary_step", "leaky_relu", "relu", "rrelu"]


def _central(f, x: float, eps: float = 1e-5) -> float:
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def _close(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


def test_the_smooth_set_is_what_the_table_says():
    assert "tanh" in SMOOTH_OPS and "relu" not in SMOOTH_OPS
    assert set(PIECEWISE_LINEAR_OPS) | set(SMOOTH_OPS) | {"elu", "selu"} == set(ELEMENTWISE_OPS)


@pytest.mark.parametrize("name", SMOOTH_OPS)
def test_second_derivative_matches_central_differences_of_the_first(name):
    op = ELEMENTWISE_OPS[name]

    @given(op_inputs(op))
    def check(xs):
        for position in range(len(xs)):

            def f(*args, position=position):
                return op(*args, *op.test_params)

            first = grad(f, argnums=position)

            def first_at(x, position=position, first=first):
                shifted = list(xs)
                shifted[position] = x
                return first(*shifted)

            second = grad(first, argnums=position)(*xs)
            assert _close(second, _central(first_at, xs[position])), (name, xs, position)

    check()


@pytest.mark.parametrize("name", sorted(n for n in SMOOTH_OPS if isinstance(ELEMENTWISE_OPS[n], BinaryOp)))
def test_mixed_second_derivatives_of_binary_ops_are_symmetric(name):
    op = ELEMENTWISE_OPS[name]

    @given(op_inputs(op))
    def check(xs):
        (_, d_ab), (d_ba, _) = hessian(lambda a, b: op(a, b))(*xs)
        assert _close(d_ab, d_ba, rtol=1e-9, atol=1e-9)
        d_b = grad(lambda a, b: op(a, b), argnums=1)
        numeric = (d_b(xs[0] + 1e-5, xs[1]) - d_b(xs[0] - 1e-5, xs[1])) / 2e-5
        assert _close(d_ab, numeric)

    check()


@pytest.mark.parametrize("name", PIECEWISE_LINEAR_OPS)
def test_piecewise_linear_ops_have_zero_second_derivative_even_at_the_kink(name):
    op = ELEMENTWISE_OPS[name]
    assert isinstance(op, UnaryOp)
    second = grad(grad(lambda x: op(x, *op.test_params)))
    for x in (-1.5, 0.0, 2.0):
        assert second(x) == 0.0


def test_elu_second_derivative_on_each_side():
    second = grad(grad(lambda x: x.elu(2.0)))
    assert second(-1.0) == pytest.approx(2.0 * math.exp(-1.0))
    assert second(1.0) == 0.0


@given(small_floats(-1.5, 1.5))
def test_third_derivatives_against_closed_forms(x):
    def third(f):
        return grad(grad(grad(f)))(x)

    assert third(lambda v: v**4) == pytest.approx(24 * x, abs=1e-9)
    assert third(lambda v: v.exp()) == pytest.approx(math.exp(x), rel=1e-12)
    assert third(lambda v: v.sin()) == pytest.approx(-math.cos(x), abs=1e-12)
    t = math.tanh(x)
    assert third(lambda v: v.tanh()) == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), abs=1e-12)


def test_fourth_derivative_composes():
    assert grad(grad(grad(grad(lambda v: v**4))))(0.7) == pytest.approx(24.0)
    assert grad(grad(grad(grad(lambda v: v**4))))(-2.0) == pytest.approx(24.0)


@given(small_floats(), small_floats())
def test_hessian_of_a_polynomial(x, y):
    h = hessian(lambda a, b: a * b + a**2)(x, y)
    assert h == [[2.0, 1.0], [1.0, 0.0]]


@given(st.lists(small_floats(-2.0, 2.0), min_size=2, max_size=2), small_floats(-1.0, 1.0), st.sampled_from([0.0, 1.0]))
def test_hessian_of_a_logistic_loss(w, x_feature, label):
    """Loss(w) = softplus(z) - y z with z = w0 + w1 x; its Hessian is s (1 - s) [1 x; x x^2]."""

    def loss(w0, w1):
        z = w0 + w1 * x_feature
        return z.softplus() - label * z

    h = hessian(loss)(*w)
    z = w[0] + w[1] * x_feature
    s = 1 / (1 + math.exp(-z))
    expected = [[s * (1 - s), s * (1 - s) * x_feature], [s * (1 - s) * x_feature, s * (1 - s) * x_feature**2]]
    for row, expected_row in zip(h, expected):
        assert row == pytest.approx(expected_row, abs=1e-12)
    assert h[0][1] == h[1][0]


@given(st.lists(small_floats(-3.0, 3.0), min_size=3, max_size=3))
def test_hessian_of_logsumexp_is_diag_s_minus_s_s_transpose(zs):
    h = hessian(lambda *v: logsumexp(v))(*zs)
    s = [p.data for p in softmax(zs)]
    for i in range(3):
        for j in range(3):
            assert h[i][j] == pytest.approx((i == j) * s[i] - s[i] * s[j], abs=1e-12)


def test_grad_returns_a_tuple_for_several_arguments():
    d = grad(lambda a, b: a * b * b, argnums=(0, 1))(2.0, 3.0)
    assert d == (9.0, 12.0)
    assert grad(lambda a, b: a * 5.0, argnums=1)(2.0, 3.0) == 0.0


def test_grad_leaves_other_values_grads_alone():
    w = Value(3.0)
    w.grad = 0.25
    assert grad(lambda x: x * w)(2.0) == 3.0
    assert w.grad == 0.25
    # a closure inside a nested grad: d/dx d/dy (x y) = 1
    assert grad(lambda x: grad(lambda y: x * y)(1.0))(2.0) == 1.0


def test_grad_errors():
    with pytest.raises(ValueError, match="argnums 2"):
        grad(lambda a: a, argnums=2)(1.0)
    with pytest.raises(TypeError, match="str"):
        grad(lambda a: "1.0")(1.0)
    assert grad(lambda a: 1.0)(1.0) == 0.0
    with pytest.raises(TypeError, match="hessian"):
        hessian(lambda a: a)(Value(1.0))


def test_grad_records_even_under_an_outer_no_grad():
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert grad(grad(lambda x: x**3))(2.0) == 12.0


def test_no_grad_inside_f_makes_that_part_a_constant():
    def f(x):
        with no_grad():
            frozen = x * x  # a constant to grad: no parents
        return frozen * x

    assert grad(f)(3.0) == 9.0  # d/dx (c x) with c = x^2 = 9 held fixed, not 3 x^2 = 27


def test_create_graph_through_a_pole_gives_the_infinite_derivative_as_plain_backward_does():
    """sqrt at 0: d/dx = +inf, with or without create_graph (as PyTorch), not a ZeroDivisionError."""
    from autograd import Value

    plain, graphed = Value(0.0), Value(0.0)
    plain.sqrt().backward()
    graphed.sqrt().backward(create_graph=True)
    assert plain.grad == math.inf and graphed.grad.data == math.inf

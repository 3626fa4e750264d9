"""Forward mode (jvp, dual numbers) against reverse mode (backward) on every op, and compare_modes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, jvp, softmax
from autograd.explain import compare_modes, paths
from autograd.functional import Dual
from autograd.gradcheck import central_difference
from autograd.ops import ELEMENTWISE_OPS
from tests.autograd.ops.test_ops import NARY_BUILDERS
from tests.strategies import op_inputs, small_floats


def reverse_directional(f, xs: list[float], tangents: list[float]) -> tuple[float, float, float]:
    """(f(xs), grad f . tangents, a scale for rounding) by one backward pass.

    The scale is sum_i |t_i| * (the sum over paths x_i -> out of |product|): the two modes add the
    same terms in different orders, so they may differ by a few roundings of that size, never more.
    """
    values = [Value(x) for x in xs]
    out = f(*values)
    scale = math.fsum(abs(t) * paths(out, v).absolute_total for v, t in zip(values, tangents))
    out.backward()
    terms = [v.grad * t for v, t in zip(values, tangents)]
    return out.data, math.fsum(terms), scale


def assert_agree(f, xs, tangents):
    value, slope = jvp(f, xs, tangents)
    reverse_value, reverse_slope, scale = reverse_directional(f, xs, tangents)
    assert value == reverse_value
    assert abs(slope - reverse_slope) <= 1e-12 * scale + 1e-300, (slope, reverse_slope)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_OPS))
def test_jvp_agrees_with_reverse_mode_on_every_elementwise_op(name):
    op = ELEMENTWISE_OPS[name]

    @given(op_inputs(op), st.lists(small_floats(-2.0, 2.0), min_size=2, max_size=2))
    def check(xs, tangents):
        assert_agree(lambda *vs: op(*vs, *op.test_params), list(xs), tangents[: len(xs)])

    check()


@pytest.mark.parametrize("name", sorted(NARY_BUILDERS))
def test_jvp_agrees_with_reverse_mode_on_every_nary_op(name):
    @given(st.lists(st.tuples(small_floats(-3.0, 3.0), small_floats(-2.0, 2.0)), min_size=3, max_size=7))
    def check(pairs):
        xs, tangents = [p for p, _ in pairs], [t for _, t in pairs]
        assert_agree(lambda *vs: NARY_BUILDERS[name](list(vs)), xs, tangents)

    check()


def test_jvp_matches_central_differences_on_a_composite():
    def f(x, y):
        return (x * y + x.tanh()).exp() / (1.0 + y * y)

    xs, direction = [0.3, -0.8], [0.6, -1.1]
    _, slope = jvp(f, xs, direction)
    numeric = central_difference(lambda t: f(*(x + t * d for x, d in zip(xs, direction))), 0.0)
    assert abs(slope - numeric) < 1e-7


def test_jvp_of_several_outputs_and_of_a_value_used_twice():
    values, slopes = jvp(lambda a, b: softmax([a, b, a * b]), [0.5, -1.0], [1.0, 0.0])
    assert len(values) == len(slopes) == 3
    assert math.isclose(sum(values), 1.0) and abs(sum(slopes)) < 1e-15  # softmax sums to 1: its slope to 0
    value, slope = jvp(lambda x: x * x * x, [2.0], [1.0])
    assert (value, slope) == (8.0, 12.0)
    assert jvp(lambda x: 3.0, [2.0], [1.0]) == (3.0, 0.0)


def test_jvp_refuses_bad_arguments():
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="tangents"):
        jvp(lambda x: x, [1.0], ["a"])
    with pytest.raises(TypeError, match="primals"):
        jvp(lambda x: x, 1.0, [1.0])
    with pytest.raises(TypeError, match="return"):
        jvp(lambda x: "x", [1.0], [1.0])


def test_a_dual_number_is_a_value_and_a_tangent():
    dual = Dual(2.0, 3.0)
    assert dual.primal == 2.0 and dual.tangent == 3.0 and "tangent=3.0" in repr(dual)


def test_compare_modes_counts_one_pass_per_input_forward_and_one_per_output_backward():
    def loss(*weights):  # many inputs, one output: a loss of weights
        return sum((w * float(k + 1) for k, w in enumerate(weights)), Value(0.0)).tanh()

    report = compare_modes(loss, *[0.1 * k for k in range(8)])
    assert (report.inputs, report.outputs) == (8, 1)
    assert report.forward_passes == 8 and report.reverse_passes == 1
    assert report.forward_multiply_adds == 8 * report.edges
    assert report.reverse_multiply_adds == report.edges
    assert report.cheaper == "reverse"
    assert report.largest_difference <= 1e-15
    assert "8 inputs -> 1 output" in str(report) and "Reverse mode does less work" in str(report)
    assert "<table>" in report._repr_html_()


def test_compare_modes_for_one_input_and_many_outputs_favours_forward():
    def f(x):
        h = (x * x).tanh()  # shared: every backward pass goes through it again
        return [h.exp(), h * 3.0, h.sin(), h + 1.0]

    report = compare_modes(f, 0.7)
    assert report.forward_passes == 1 and report.reverse_passes == 4
    assert report.forward_multiply_adds == report.edges == 7  # x * x (x twice), tanh, and one edge per output
    assert report.reverse_multiply_adds == 4 * (1 + 1 + 2)  # each output's edge, tanh and x * x again
    assert report.cheaper == "forward"
    h = math.tanh(0.49)
    dh = (1 - h * h) * 1.4
    assert [row[0] for row in report.jacobian] == pytest.approx(
        [math.exp(h) * dh, 3 * dh, math.cos(h) * dh, dh], rel=1e-14
    )
    assert [row[0] for row in report.forward_jacobian] == pytest.approx([row[0] for row in report.jacobian], rel=1e-14)
    with pytest.raises(ValueError, match="at least one input"):
        compare_modes(lambda: Value(1.0))


def two(x, y):
    return x * y


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: jvp(3, [1.0], [1.0]), TypeError, r"^jvp\(\) needs a function f, got int: 3$"),
        (lambda: jvp(two, 1.0, [1.0]), TypeError, r"^jvp\(\) needs a sequence of numbers as primals, got float: 1.0$"),
        (lambda: jvp(two, [1.0, 2.0], "ab"), TypeError, r"^jvp\(\) needs a sequence of numbers as tangents, got str"),
        (
            lambda: jvp(two, ["x" * 500, 1.0], [1.0, 0.0]),
            TypeError,
            r"^jvp\(\) primals\[0\] must be a number, got str: 'x+\.\.\.x+' \(500 characters\)$",
        ),
        (
            lambda: jvp(two, [1.0, 2.0], [1.0, None]),
            TypeError,
            r"^jvp\(\) tangents\[1\] must be a number, got NoneType: None$",
        ),
        (
            lambda: jvp(two, [1.0], [1.0]),
            TypeError,
            r"^jvp\(\) calls f with 1 input, which f does not take: missing a required argument: 'y'$",
        ),
        (
            lambda: jvp(lambda x: [x, "s" * 300], [1.0], [1.0]),
            TypeError,
            r"^jvp\(\) needs f to return Values or numbers, got str at \[1\]: 's+\.\.\.s+' \(300 characters\)$",
        ),
        (
            lambda: jvp(lambda x: {"a": x}, [1.0], [1.0]),
            TypeError,
            r"^jvp\(\) needs f to return a Value, a number or a sequence of them, got dict",
        ),
        (
            lambda: jvp(lambda x: True, [1.0], [1.0]),
            TypeError,
            r"^jvp\(\) needs f to return a Value, a number or a sequence of them, got bool",
        ),
        (lambda: compare_modes(3, 1.0), TypeError, r"^compare_modes\(\) needs a function f, got int: 3$"),
        (lambda: compare_modes(two), ValueError, r"^compare_modes\(\) needs at least one input for f"),
        (
            lambda: compare_modes(two, [1.0, 2.0]),
            TypeError,
            r"^compare_modes\(\) takes f's inputs one by one, got a list: \[1.0, 2.0\]; "
            r"pass compare_modes\(f, \*inputs\)$",
        ),
        (
            lambda: compare_modes(two, 1.0, "2"),
            TypeError,
            r"^compare_modes\(\) args\[1\] must be a number, got str: '2'$",
        ),
        (lambda: compare_modes(two, 1.0), TypeError, r"^compare_modes\(\) calls f with 1 input, which f does not take"),
        (
            lambda: compare_modes(lambda x: [], 1.0),
            ValueError,
            r"^compare_modes\(\) needs f to return at least one output",
        ),
    ],
)
def test_jvp_and_compare_modes_name_their_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_functions_without_a_signature_and_with_star_args_still_work():
    assert jvp(max, [1.0, 2.0], [1.0, 0.0]) == (2.0, 0.0)
    assert compare_modes(lambda *w: sum(w, Value(0.0)).tanh(), *[0.1] * 5).inputs == 5

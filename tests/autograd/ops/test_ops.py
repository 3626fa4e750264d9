"""Every op in the op table: its derivative against central differences, its errors, its stability.

The gradient tests are parametrised over ``OPS``: an op registered in
``autograd/ops.py`` is tested the moment it exists.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from autograd import (
    Value,
    cross_entropy,
    dot,
    dots,
    enable_grad,
    gradcheck,
    log_softmax,
    logsumexp,
    no_grad,
    relu_dot,
    relu_dots,
    softmax,
    sum_values,
    topological_order,
)
from autograd.gradcheck import central_difference
from autograd.ops import ELEMENTWISE_OPS, OPS, BinaryOp, NaryOp, UnaryOp
from tests.strategies import KINK_MARGIN, op_inputs, small_floats

RTOL = 1e-5
ATOL = 1e-6


def _close(analytic: float, numeric: float) -> bool:
    return abs(analytic - numeric) <= ATOL + RTOL * abs(numeric)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_OPS))
def test_elementwise_derivative_matches_central_difference(name):
    op = ELEMENTWISE_OPS[name]

    @given(op_inputs(op))
    def check(xs):
        values = [Value(x) for x in xs]
        out = op(*values, *op.test_params)
        out.backward()
        for position, value in enumerate(values):
            numeric = central_difference(lambda *v: op(*v, *op.test_params), *xs, arg=position)
            assert _close(value.grad, numeric), (name, xs, position, value.grad, numeric)

    check()


@pytest.mark.parametrize("name", sorted(n for n, op in ELEMENTWISE_OPS.items() if isinstance(op, BinaryOp)))
def test_binary_op_with_a_plain_number_on_either_side(name):
    """A number operand is folded in as a constant; the derivative of the Value side is unchanged."""
    op = ELEMENTWISE_OPS[name]

    @given(op_inputs(op))
    def check(xs):
        a, b = xs
        left = Value(a)
        op(left, b).backward()
        assert _close(left.grad, central_difference(lambda v: op(v, b), a))
        right = Value(b)
        op(a, right).backward()
        assert _close(right.grad, central_difference(lambda v: op(a, v), b))
        assert op(Value(a), b).data == op(a, Value(b)).data == op.forward(a, b)

    check()


def _dot_arguments(vs):
    """The first half of ``vs`` as weights, the second half as inputs, the last one as the bias."""
    half = len(vs) // 2
    return vs[:half], vs[half : 2 * half], vs[-1]


# Every n-ary op, built from a list of floats; a new n-ary op fails test_every_nary_op_is_tested.
NARY_BUILDERS = {
    "sum": lambda vs: sum_values(vs),
    "dot": lambda vs: dot(*_dot_arguments(vs)),
    "relu_dot": lambda vs: relu_dot(*_dot_arguments(vs)),
    "softmax": lambda vs: sum_values([s * (i + 1) for i, s in enumerate(softmax(vs))]),
    "log_softmax": lambda vs: sum_values([s * (i + 1) for i, s in enumerate(log_softmax(vs))]),
    "logsumexp": lambda vs: logsumexp(vs),
    "cross_entropy": lambda vs: cross_entropy(vs, len(vs) // 2),
}


def _all_nodes(root: Value) -> list[Value]:
    seen, stack, nodes = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
            stack.extend(node.parents)
    return nodes


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_OPS) + sorted(NARY_BUILDERS))
def test_every_node_keeps_its_parents_where_the_engine_looks(name):
    """op is "" exactly for leaves; parents and local_grads align; the sort reaches every interior parent.

    Parents come back in order, the same Value twice for ``a * a``. Every
    interior parent of every node is in the topological order before the node.
    """
    xs = [0.3, -0.7, 1.1, 0.4, -0.2]
    values = [Value(x) * 1.0 for x in xs]  # interior inputs, so the sort must see them
    if name in ELEMENTWISE_OPS:
        op = ELEMENTWISE_OPS[name]
        arity = 2 if isinstance(op, BinaryOp) else 1
        domain = op.second_domain or op.domain if arity == 2 else op.domain
        operands = [Value(domain[1] - 0.5) * 1.0 for _ in range(arity)]
        outputs = [op(*operands, *op.test_params)]
        if arity == 2:
            outputs.append(op(operands[0], operands[0]))  # a value used twice
            outputs.append(op(operands[0], 2.0))  # a constant folded into the node
    else:
        outputs = [NARY_BUILDERS[name](values)]
    for out in outputs:
        for node in _all_nodes(out):
            assert (node.op == "") == (node.parents == ()), node
            assert len(node.parents) == len(node.local_grads), node
        order = topological_order(out)
        position = {node: i for i, node in enumerate(order)}
        for node in order:
            for parent in node.parents:
                if parent.op:
                    assert position[parent] < position[node], (node, parent)
    if name in ELEMENTWISE_OPS and isinstance(ELEMENTWISE_OPS[name], BinaryOp):
        twice = outputs[1]
        assert twice.parents == (operands[0], operands[0]) and twice.parents[0] is twice.parents[1]
        assert outputs[2].parents == (operands[0],)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(n for n, op in ELEMENTWISE_OPS.items() if isinstance(op, BinaryOp))),
            st.booleans(),
            st.sampled_from([0.5, -0.5, 0.0, -0.0, 2.0, 3]),
        ),
        min_size=1,
        max_size=12,
    )
)
@example([("add", True, 0.0), ("add", True, -0.0), ("mul", False, 2.0), ("mul", False, 2.0), ("mul", True, 2.0)])
def test_a_folded_constant_is_always_the_nodes_own(steps):
    """Nodes may share a folded constant's context tuple; each still names its own position and constant."""
    x = Value(1.5)
    shared = {2.0: 2.0}  # the same float object twice in a row, as a loop's literal is
    for name, on_the_right, constant in steps:
        constant = shared.get(constant, constant)
        op = ELEMENTWISE_OPS[name]
        try:
            node = op(x, constant) if on_the_right else op(constant, x)
        except (ZeroDivisionError, ValueError):  # 1.5 / 0.0, 0.0 ** -... : no node
            continue
        position, folded = node.context
        assert position == (1 if on_the_right else 0)
        assert folded == constant and math.copysign(1.0, folded) == math.copysign(1.0, constant)
        assert node.parents == (x,)


def test_an_op_over_plain_numbers_only_is_a_leaf():
    """No Value among the operands: no history, so a leaf (op ""), whose grad accumulates like any leaf's."""
    for constant in (sum_values([1.0, 2.0]), dot([1.0, 2.0], [3.0, 4.0], 0.5)):
        assert constant.op == "" and constant.parents == ()
        x = Value(2.0)
        y = x * constant
        y.backward()
        y.backward()
        assert constant.grad == 2 * x.data and x.grad == 2 * constant.data


def test_every_nary_op_is_tested():
    assert set(NARY_BUILDERS) == {name for name, op in OPS.items() if isinstance(op, NaryOp)}


@pytest.mark.parametrize("name", sorted(NARY_BUILDERS))
def test_nary_derivative_matches_central_difference(name):
    @given(st.lists(small_floats(-3.0, 3.0), min_size=3, max_size=7))
    def check(xs):
        if name == "relu_dot":  # central differences are meaningless at relu's kink
            assume(abs(dot(*_dot_arguments(xs)).data) > KINK_MARGIN)
        assert gradcheck(lambda *vs: NARY_BUILDERS[name](vs), xs, atol=ATOL, rtol=RTOL)

    check()


def test_dot_is_one_node_and_treats_numbers_as_constants():
    w = [Value(0.2), Value(0.8), Value(-0.5), Value(1.0)]
    b = Value(2.0)
    out = dot(w, [1.0, 2.0, 3.0, 2.5], b)
    assert out.op == "dot"
    assert out.parents == (*w, b)
    assert out.data == pytest.approx(4.8, abs=1e-12)
    out.backward()
    assert [wi.grad for wi in w] == [1.0, 2.0, 3.0, 2.5]
    assert b.grad == 1.0


def test_sum_values_is_one_node():
    xs = [Value(float(i)) for i in range(10)]
    total = sum_values([*xs, 5.0])
    assert total.op == "sum" and len(total.parents) == 10
    assert total.data == 50.0
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_seed_worked_example_neuron_and_layer():
    """The textbook's layer of three gives [4.8, 1.21, 3.465]; the third row's 0.27 is what yields 3.465."""
    inputs = [1.0, 2.0, 3.0, 2.5]
    weights = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, 0.27, 0.17, 0.87]]
    biases = [2.0, 3.0, 0.5]
    layer = [dot([Value(w) for w in row], inputs, Value(b)) for row, b in zip(weights, biases)]
    assert [out.data for out in layer] == pytest.approx([4.8, 1.21, 3.465], abs=1e-12)


# ------------------------------------------------------------------ kinks
def test_derivatives_at_kinks_follow_pytorch():
    def derivative(function, x):
        v = Value(x)
        function(v).backward()
        return v.grad

    assert derivative(lambda v: v.relu(), 0.0) == 0.0
    assert derivative(abs, 0.0) == 0.0
    assert derivative(lambda v: v.leaky_relu(0.1), 0.0) == 0.1
    assert derivative(lambda v: v.elu(2.0), 0.0) == 2.0
    assert derivative(lambda v: v.binary_step(), 0.0) == 0.0
    assert derivative(lambda v: v.binary_step(), 3.0) == 0.0
    assert Value(0.0).binary_step().data == 1.0 and Value(-1e-9).binary_step().data == 0.0


def test_rrelu_draws_its_slope_from_the_given_rng_and_uses_the_mean_in_eval():
    x = Value(-2.0)
    drawn = x.rrelu(training=True, rng=random.Random(7))
    expected_slope = random.Random(7).uniform(1 / 8, 1 / 3)
    assert drawn.data == -2.0 * expected_slope
    drawn.backward()
    assert x.grad == expected_slope
    assert Value(-2.0).rrelu(training=True, rng=7).data == drawn.data  # an int seed works too
    assert Value(-2.0).rrelu().data == -2.0 * (1 / 8 + 1 / 3) / 2
    assert Value(3.0).rrelu(training=True, rng=1).data == 3.0
    random.seed(11)  # without an rng, the slope comes from Python's random module
    unseeded = Value(-1.0).rrelu(training=True).data
    assert unseeded == -random.Random(11).uniform(1 / 8, 1 / 3)
    with pytest.raises(TypeError, match="rrelu"):
        Value(-1.0).rrelu(training=True, rng="7")
    with pytest.raises(ValueError, match="lower"):
        Value(-1.0).rrelu(lower=0.5, upper=0.1)


def test_gelu_variants():
    assert Value(1.0).gelu().data == pytest.approx(0.8413447460685429, abs=1e-15)
    assert Value(1.0).gelu(approximate="tanh").data == pytest.approx(0.8411919906082768, abs=1e-15)
    with pytest.raises(ValueError, match="approximate"):
        Value(1.0).gelu(approximate="fast")


def test_pow_with_a_value_exponent():
    a, b = Value(2.0), Value(3.0)
    out = a**b
    out.backward()
    assert out.data == 8.0
    assert a.grad == pytest.approx(12.0)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))


def test_selu_constants():
    assert Value(1.0).selu().data == pytest.approx(1.0507009873554805)
    assert Value(-1.0).selu().data == pytest.approx(1.0507009873554805 * 1.6732632423543772 * (math.exp(-1) - 1))


# -------------------------------------------------------------- stability
def test_sigmoid_and_softplus_are_stable_at_extremes():
    low = Value(-1000.0)
    s = low.sigmoid()
    s.backward()
    assert s.data == 0.0 and low.grad == 0.0
    high = Value(1000.0)
    s = high.sigmoid()
    s.backward()
    assert s.data == 1.0 and high.grad == 0.0
    x = Value(1000.0)
    sp = x.softplus()
    sp.backward()
    assert sp.data == 1000.0 and x.grad == 1.0
    y = Value(-1000.0)
    sp = y.softplus()
    sp.backward()
    assert sp.data == 0.0 and y.grad == 0.0
    for z in (1000.0, -1000.0):
        for f in (lambda v: v.silu(), lambda v: v.mish(), lambda v: v.gelu(), lambda v: v.elu()):
            v = Value(z)
            out = f(v)
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(v.grad)


def test_softmax_and_log_softmax_are_stable_for_large_logits():
    logits = [Value(1000.0), Value(0.0)]
    probabilities = softmax(logits)
    assert probabilities[0].data == 1.0
    assert probabilities[1].data == pytest.approx(math.exp(-1000.0), abs=1e-300)
    probabilities[0].backward()
    assert all(math.isfinite(z.grad) for z in logits)

    logits = [Value(1000.0), Value(0.0), Value(-1000.0)]
    log_probabilities = log_softmax(logits)
    assert [lp.data for lp in log_probabilities] == pytest.approx([0.0, -1000.0, -2000.0])
    sum_values(log_probabilities).backward()
    assert all(math.isfinite(z.grad) for z in logits)
    assert logsumexp([1000.0, 1000.0]).data == pytest.approx(1000.0 + math.log(2.0))

    logits = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == pytest.approx(2000.0)
    assert [z.grad for z in logits] == pytest.approx([1.0, -1.0])


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: Value(-2.0).log(), ValueError, ["log", "-2.0"]),
        (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(-1.0).sqrt(), ValueError, ["sqrt", "-1.0"]),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, ["div", "0.0"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["div"]),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, ["div"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["pow", "-8.0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["pow"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["pow"]),
        (lambda: softmax([]), ValueError, ["softmax", "empty"]),
        (lambda: cross_entropy([1.0, 2.0], 2), ValueError, ["cross_entropy", "2"]),
        (lambda: cross_entropy([1.0, 2.0], 1.0), TypeError, ["cross_entropy", "float"]),
        (lambda: dot([Value(1.0)], [1.0, 2.0]), ValueError, ["dot", "1", "2"]),
        (lambda: Value(1.0) + "a", TypeError, ["add", "str"]),
        (lambda: "a" * Value(1.0), TypeError, ["mul", "str"]),
        (lambda: Value(1.0) < "a", TypeError, ["<", "str"]),
        (lambda: softmax([1.0, math.inf]), ValueError, ["softmax", "inf"]),
    ],
)
def test_errors_name_the_op_and_the_bad_value(build, error, words):
    with pytest.raises(error) as raised:
        build()
    message = str(raised.value)
    assert "math domain error" not in message
    for word in words:
        assert word in message


def test_op_table_entries_are_complete():
    for name, op in OPS.items():
        assert op.name == name
        assert op.formula and op.symbol
        if isinstance(op, UnaryOp | BinaryOp):
            low, high = op.domain
            assert low < high


@given(
    st.lists(
        st.tuples(small_floats(), small_floats(), st.booleans(), st.sampled_from(["leaf", "interior", "number"])),
        min_size=1,
        max_size=6,
    ),
    small_floats(),
    st.sampled_from(["leaf", "interior", "number"]),
    st.sampled_from(["floats", "values", "mixed"]),
)
def test_dot_fast_paths_agree_with_the_one_derivative(entries, bias, bias_kind, input_kind):
    """dot()'s node: its parents and local grads are dot_terms' Values and partners, the one definition.

    Its arguments come back from the node, and the topological sort reaches every interior parent.
    """
    from autograd.ops import OPS, dot_terms

    def make(number: float, kind: str) -> Value | float:
        if kind == "number":
            return number
        return Value(number) if kind == "leaf" else Value(number) * 1.0

    weights = [make(w, kind) for w, _, _, kind in entries]
    if input_kind == "floats":
        inputs = [x for _, x, _, _ in entries]
    elif input_kind == "values":
        inputs = [Value(x) * 1.0 for _, x, _, _ in entries]
    else:
        inputs = [Value(x) if as_value else x for _, x, as_value, _ in entries]
    b = make(bias, bias_kind)
    node = dot(weights, inputs, b)
    found = dot_terms(weights, inputs, b)
    parents, partners = [value for _, _, value, _ in found], [partner for _, _, _, partner in found]
    assert node.parents == tuple(parents)
    assert node.local_grads == tuple(p.data if isinstance(p, Value) else p for p in partners)
    assert (node.op == "") == (not parents)  # numbers only: a leaf
    if parents:
        seen_weights, seen_inputs, seen_bias = OPS["dot"].arguments(node)  # from the context, shared or not
        assert list(seen_weights) == list(weights) and list(seen_inputs) == list(inputs)
        assert seen_bias is b if isinstance(b, Value) else seen_bias == b
        rebuilt = OPS["dot"].local_grads_as_values(node)
        assert tuple(r.data if isinstance(r, Value) else r for r in rebuilt) == node.local_grads
    interior = {p for p in node.parents if p.parents}
    assert interior <= set(topological_order(node))
    with no_grad():  # the no_grad paths compute the same number, as a leaf
        unrecorded = dot(weights, inputs, b)
    assert unrecorded.data == node.data and unrecorded.parents == ()


def _layer_inputs(xs, kind):
    """A layer's inputs: plain numbers, interior Values, or a mix (a leaf Value and numbers)."""
    if kind == "floats":
        return list(xs)
    if kind == "values":
        return [Value(x) * 1.0 for x in xs]
    return [Value(xs[0]), *xs[1:]]


@given(
    st.lists(st.lists(small_floats(), min_size=3, max_size=3), min_size=1, max_size=4),
    st.lists(small_floats(), min_size=3, max_size=3),
    st.sampled_from(["floats", "values", "mixed"]),
    st.booleans(),
)
def test_dots_builds_the_nodes_dot_builds(rows, xs, input_kind, recording):
    """dots() over a layer's rows gives, row by row, the node dot() gives."""
    weight_rows = [[Value(w) for w in row] for row in rows]
    biases = [Value(0.5) if i % 2 else 0.25 for i in range(len(rows))]
    inputs = _layer_inputs(xs, input_kind)
    with enable_grad() if recording else no_grad():
        together = dots(weight_rows, inputs, biases)
        one_by_one = [dot(w, inputs, b) for w, b in zip(weight_rows, biases)]
    for a, b in zip(together, one_by_one, strict=True):
        assert (a.data, a.parents, a.local_grads, a.op) == (b.data, b.parents, b.local_grads, b.op)
        if a.op:
            assert [list(part) if isinstance(part, tuple | list) else part for part in OPS[a.op].arguments(a)] == [
                list(part) if isinstance(part, tuple | list) else part for part in OPS[b.op].arguments(b)
            ]
            assert set(topological_order(a)) - {a} == set(topological_order(b)) - {b}


def test_dots_needs_a_bias_per_row():
    with pytest.raises(ValueError, match="one bias per row"):
        dots([[Value(1.0)], [Value(2.0)]], [1.0], [0.0])


def _fused_and_apart(rows, xs, input_kind, weight_kind, recording):
    """The same relu layer built twice: relu_dots (one node per neuron), and dots then relu (two)."""

    def layer():
        make = Value if weight_kind == "leaf" else (lambda w: Value(w) * 1.0)
        weight_rows = [[make(w) for w in row] for row in rows]
        biases = [Value(0.5) if i % 3 == 0 else -0.25 if i % 3 == 1 else Value(-0.75) * 1.0 for i in range(len(rows))]
        return weight_rows, _layer_inputs(xs, input_kind), biases

    with enable_grad() if recording else no_grad():
        fused_layer, apart_layer = layer(), layer()
        fused = relu_dots(*fused_layer)
        apart = [z.relu() for z in dots(*apart_layer)]
    return fused_layer, fused, apart_layer, apart


def _values_of(layer):
    weight_rows, inputs, biases = layer
    return [v for v in [w for row in weight_rows for w in row] + list(inputs) + list(biases) if isinstance(v, Value)]


def _leaves_of(layer):
    return [v.parents[0] if v.op else v for v in _values_of(layer)]


def _positions(nodes, layer):
    """Where each of ``nodes`` is among the layer's Values: to compare two builds of one layer."""
    values = _values_of(layer)
    return [next(i for i, v in enumerate(values) if v is node) for node in nodes]


@given(
    st.lists(st.lists(small_floats(), min_size=3, max_size=3), min_size=1, max_size=5),
    st.lists(small_floats(), min_size=3, max_size=3),
    st.sampled_from(["floats", "values", "mixed"]),
    st.sampled_from(["leaf", "interior"]),
    st.lists(small_floats(), min_size=5, max_size=5),
)
@example([[0.0, 0.0, 0.0]], [1.0, 2.0, 3.0], "floats", "leaf", [1.0] * 5)  # z = -0.25: off
@example([[0.25, 0.0, 0.0]], [1.0, 2.0, 3.0], "floats", "leaf", [1.0] * 5)  # z = 0.0 exactly: off, as relu'(0) = 0
def test_relu_dots_is_relu_of_dots_in_one_node(rows, xs, input_kind, weight_kind, upstream):
    """relu_dots gives relu(dots(...)) bit for bit: the numbers, and the grads backward leaves in every leaf."""
    fused_layer, fused, apart_layer, apart = _fused_and_apart(rows, xs, input_kind, weight_kind, True)
    for node, relu_node in zip(fused, apart, strict=True):
        assert node.op == "relu_dot" and node.data == relu_node.data
        assert math.copysign(1.0, node.data) == math.copysign(1.0, relu_node.data)  # 0.0, never -0.0
        pre_activation = relu_node.parents[0]
        assert _positions(node.parents, fused_layer) == _positions(pre_activation.parents, apart_layer)
        on = pre_activation.data > 0.0
        assert node.local_grads == (pre_activation.local_grads if on else (0.0,) * len(node.parents))
        rebuilt = OPS["relu_dot"].local_grads_as_values(node)
        assert tuple(r.data if isinstance(r, Value) else r for r in rebuilt) == node.local_grads
    sum_values([u * z for u, z in zip(upstream, fused)]).backward()
    sum_values([u * z for u, z in zip(upstream, apart)]).backward()
    fused_grads = [v.grad for v in _leaves_of(fused_layer)]
    assert fused_grads == [v.grad for v in _leaves_of(apart_layer)]
    _, unrecorded, _, unrecorded_apart = _fused_and_apart(rows, xs, input_kind, weight_kind, False)
    assert [v.data for v in unrecorded] == [v.data for v in fused] == [v.data for v in unrecorded_apart]
    assert all(v.op == "" for v in unrecorded)


def test_a_relu_dot_that_is_off_passes_nothing_back():
    """Off (z <= 0): every local derivative is 0; like PyTorch's relu it sends back 0 even for a nan grad."""
    w, b = [Value(1.0), Value(-2.0)], Value(0.5)
    x = Value(3.0) * 1.0
    off = relu_dot(w, [x, 4.0], b)  # 3 - 8 + 0.5 < 0
    assert off.data == 0.0 and off.local_grads == (0.0, 0.0, 0.0, 0.0)
    (off * math.nan).backward()
    assert [v.grad for v in (*w, b, x)] == [0.0, 0.0, 0.0, 0.0]
    on = relu_dot(w, [x, 1.0], b)  # 3 - 2 + 0.5 > 0
    (on * 2.0).backward()
    assert [v.grad for v in (*w, b, x)] == [6.0, 2.0, 2.0, 2.0]


def test_relu_dot_errors_name_it():
    with pytest.raises(ValueError, match=r"relu_dot\(\) needs as many weights as inputs, got 1 and 2"):
        relu_dot([Value(1.0)], [1.0, Value(2.0)])
    with pytest.raises(TypeError, match="relu_dot"):
        relu_dot([Value(1.0)], ["2"])
    with pytest.raises(ValueError, match=r"relu_dots\(\) needs one bias per row"):
        relu_dots([[Value(1.0)], [Value(2.0)]], [1.0], [0.0])

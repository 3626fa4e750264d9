"""The chain rule: topological order, backward's seeding, accumulation and depth."""

from __future__ import annotations

import gc
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, backward, dot, gradcheck, sum_values, topological_order
from tests.strategies import evaluate, expressions, small_floats


def test_topological_order_puts_parents_first_and_skips_leaves():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order == [c, d, e]
    assert topological_order(a) == []


@given(expressions(3), st.lists(small_floats(), min_size=3, max_size=3))
def test_topological_order_is_valid_on_random_graphs(expression, xs):
    root = evaluate(expression, [Value(x) for x in xs])
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)  # each node once
    for node in order:
        assert node.parents
        for parent in node.parents:
            if parent.parents:
                assert position[parent] < position[node]


@given(expressions(3), st.lists(small_floats(), min_size=3, max_size=3))
def test_backward_matches_central_differences_on_random_expressions(expression, xs):
    assert gradcheck(lambda *vs: evaluate(expression, list(vs)), xs, atol=1e-6, rtol=1e-5)


def test_a_long_chain_backprops_without_recursion_error():
    x = Value(1.0)
    y = x
    for _ in range(150_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_backward_seeds_with_the_given_gradient():
    x = Value(3.0)
    y = x * x
    y.backward(2.0)
    assert y.grad == 2.0 and x.grad == 12.0


def test_backward_twice_accumulates_into_leaves_like_pytorch():
    x = Value(3.0)
    h = x * x
    y = h * 2.0
    y.backward()
    assert x.grad == 12.0 and h.grad == 2.0
    y.backward()
    assert x.grad == 24.0  # leaves accumulate
    assert h.grad == 2.0  # interior nodes hold this call's gradient


def test_backward_of_a_leaf_seeds_it():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_stop_at_treats_a_node_as_a_leaf():
    x = Value(2.0)
    h = x * x
    y = h * 3.0
    backward(y, stop_at=[h])
    assert h.grad == 3.0 and x.grad == 0.0


def test_on_step_sees_every_edge_in_order_after_the_update():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    seen = []
    backward(d, on_step=lambda node, parent, local, upstream: seen.append((node, parent, local, upstream, parent.grad)))
    assert seen == [(d, c, 1.0, 1.0, 1.0), (d, a, 1.0, 1.0, 1.0), (c, a, -3.0, 1.0, -2.0), (c, b, 2.0, 1.0, 2.0)]


def test_the_graph_has_no_reference_cycles():
    """Freed by reference counting alone: the cyclic collector finds nothing to collect."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.0001 + 0.001).tanh()
        y.backward()
        del x, y
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_create_graph_makes_grads_values():
    x = Value(3.0)
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(27.0)
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == pytest.approx(18.0)


@given(expressions(3), st.lists(small_floats(), min_size=3, max_size=3))
def test_the_sort_leaves_no_marks_and_keeps_leaf_grads(expression, xs):
    """The sort marks nodes through their grads while it runs; afterwards interior grads are 0.0, leaves untouched."""
    leaves = [Value(x) for x in xs]
    for i, leaf in enumerate(leaves):
        leaf.grad = float(i) + 0.5
    root = evaluate(expression, leaves)
    order = topological_order(root)
    for node in order:
        assert node.grad == 0.0 and type(node.grad) is float
    assert [leaf.grad for leaf in leaves] == [0.5, 1.5, 2.5]


def test_stop_at_keeps_the_stop_nodes_grads_even_when_listed_twice():
    x = Value(2.0)
    h = x * x
    h.grad = 7.0
    y = h * 3.0
    assert topological_order(y, stop_at=[h, h]) == [y]
    assert h.grad == 7.0
    assert topological_order(h, stop_at=[h]) == []
    assert h.grad == 7.0


def test_a_zero_upstream_still_turns_an_infinite_local_derivative_into_nan():
    """0 * inf is nan, as in PyTorch: sqrt'(0) = inf times relu'(0) = 0."""
    x = Value(0.0)
    x.sqrt().relu().backward()
    assert math.isnan(x.grad)


def test_a_zero_upstream_passes_back_zeros_but_a_nan_through_an_infinite_local_derivative():
    """A node whose grad is 0 sends 0 to its parents; 0 * inf is nan and reaches the leaf (as PyTorch)."""
    x = Value(-2.0)
    (x * 3.0).relu().backward()  # relu of -6: its grad 0 reaches x * 3.0, then x
    assert x.grad == 0.0
    z = Value(0.0)
    (z.sqrt() * 0.0).backward()  # d sqrt(z)/dz = inf at 0, and the upstream grad is 0
    assert math.isnan(z.grad)


@given(st.lists(small_floats(), min_size=4, max_size=4), st.lists(small_floats(), min_size=8, max_size=8))
def test_skipping_zero_upstreams_changes_no_grad(xs, ws):
    """A relu network, where many upstreams are 0: the same bits with and without skipping (a hook disables it)."""

    def grads(hooked: bool) -> list[float]:
        inputs = [Value(x) for x in xs]
        weights = [Value(w) for w in ws]
        hidden = [dot(weights[4 * i : 4 * i + 4], inputs).relu() for i in range(2)]
        root = sum_values([h * h for h in hidden]) + inputs[0]
        backward(root, on_step=(lambda *step: None) if hooked else None)
        return [v.grad for v in inputs + weights]

    plain, hooked = grads(False), grads(True)
    assert [struct.pack("<d", g) for g in plain] == [struct.pack("<d", g) for g in hooked]


@given(expressions(3), st.lists(small_floats(), min_size=3, max_size=3), st.floats(-3, 3))
def test_the_unwatched_chain_rule_gives_the_watched_one_bit_for_bit(expression, xs, seed):
    """SPEED pin: backward without a hook (one- and two-parent nodes unrolled, zero upstreams skipped)
    leaves exactly the grads that the plain per-edge loop leaves when a hook watches it."""
    inputs = [Value(x) for x in xs]
    root = evaluate(expression, inputs) * 1.0
    leaves = [node for node in _every_node(root) if not node.parents]
    results = []
    for hook in (None, lambda *step: None):
        for leaf in leaves:
            leaf.grad = 0.0
        backward(root, seed, on_step=hook)
        results.append([struct.pack("<d", leaf.grad) if leaf.grad != 0.0 else 0.0 for leaf in leaves])
    assert results[0] == results[1]


def _every_node(root: Value) -> list[Value]:
    seen, stack, nodes = set(), [root], []
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            nodes.append(node)
            stack.extend(node.parents)
    return nodes

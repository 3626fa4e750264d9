"""Gradient paths: d root/d leaf as the sum over every path of the products of the local derivatives."""

from __future__ import annotations

import re
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.explain import paths
from autograd.viz import HIGHLIGHT_COLOUR, draw, nodes_in_order
from tests.strategies import evaluate, expressions, small_floats


def test_a_value_used_twice_opens_paths_whose_products_add_up_to_its_grad():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * b
    c.label = "c"
    found = paths(c, a)
    assert found.count == 4 and len(found) == 4
    assert [path.product for path in found] == [6.0, 6.0, 6.0, 6.0]  # 1 (d b/d a) * b (d c/d b = the other b)
    assert found.total == 24.0
    c.backward()
    assert a.grad == found.total
    text = str(found)
    assert "4 paths from a to c" in text and "operand 2" in text and "24.0" in text
    assert "<table>" in found._repr_html_() and "operand 1" in found._repr_html_()


def test_only_limit_paths_are_listed_but_the_count_and_sum_are_of_all():
    x = Value(0.5, label="x")
    y = x
    for _ in range(200):
        y = y + y  # 2 edges per level: 2**200 paths
    found = paths(y, x, limit=5)
    assert found.count == 2**200
    assert len(found) == 5
    assert found.total == 2.0**200
    assert "more (raise limit=" in str(found)


@given(expressions(3), st.lists(small_floats(-1.5, 1.5), min_size=3, max_size=3))
def test_the_sum_over_paths_is_what_backward_gives(expression, xs):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    root = evaluate(expression, inputs)
    nodes = nodes_in_order(root)
    found = {node: paths(root, node, limit=1000) for node in nodes}
    root.backward()
    for node, result in found.items():
        assert abs(result.total - node.grad) <= 1e-12 * result.absolute_total + 1e-300, (node, result.total, node.grad)
        if result.count <= 1000:  # every path listed: the listing agrees with the counts
            assert len(result) == result.count
            listed = sum(path.product for path in result)
            assert abs(listed - result.total) <= 1e-12 * result.absolute_total + 1e-300
            for path in result:
                assert path.nodes[0] is node and path.nodes[-1] is root
                for (consumer, position), parent in zip(path.edges, path.nodes):
                    assert consumer.parents[position] is parent


def test_paths_to_an_interior_value_and_to_the_root_itself():
    x = Value(2.0, label="x")
    h = x * 3.0
    h.label = "h"
    out = h.tanh() + h
    out.label = "out"
    to_h = paths(out, h)
    assert to_h.count == 2
    out.backward()
    assert abs(to_h.total - h.grad) < 1e-15
    itself = paths(out, out)
    assert itself.count == 1 and itself.total == 1.0 and itself[0].edges == ()


@pytest.mark.parametrize(
    ("arguments", "error", "pattern"),
    [
        (
            lambda x: (x * 2.0, Value(2.0)),
            ValueError,
            r"paths\(\): the leaf Value\(data=2.0.* is not in the graph of 'n2'",
        ),
        (lambda x: (x, 1.0), TypeError, r"paths\(\) needs a Value as leaf, got float: 1.0"),
        (
            lambda x: ("x" * 500, x),
            TypeError,
            r"paths\(\) needs a Value as root, got str: 'x+\.\.\.x+' \(500 characters\)",
        ),
        (lambda x: (x, x, -1), ValueError, r"paths\(\) limit must be an int >= 0, got -1"),
        (lambda x: (x, x, 1.5), TypeError, r"paths\(\) limit must be an int >= 0, got float: 1.5"),
        (lambda x: (x, x, None), TypeError, r"paths\(\) limit must be an int >= 0, got NoneType: None"),
        (lambda x: (x, x, True), TypeError, r"paths\(\) limit must be an int >= 0, got bool: True"),
    ],
)
def test_paths_names_its_bad_arguments(arguments, error, pattern):
    with pytest.raises(error, match=pattern) as raised:
        paths(*arguments(Value(1.0)))
    assert len(str(raised.value)) < 300


def chain(length: int) -> tuple[Value, Value]:
    """A chain of ``length`` ops from a leaf: x * 1.0001 + 0.001, again and again."""
    a = Value(0.5, label="a")
    c = a
    for _ in range(length // 2):
        c = c * 1.0001 + 0.001
    return c, a


def test_listing_a_path_costs_the_graphs_size_not_its_square():
    c, a = chain(40_000)
    edges = sum(len(node.parents) for node in nodes_in_order(c))
    found = paths(c, a, limit=1)
    assert found.count == 1 and len(found[0].edges) == 40_000 == edges
    assert found[0].nodes[0] is a and found[0].nodes[-1] is c
    # each edge looked at once, and written once into the one path: copying the trail per edge would be 8e8
    assert found.work <= 2 * edges
    assert paths(c, a, limit=0).work == 0


def test_listing_a_path_keeps_each_branch_left_for_later_in_constant_memory():
    # c = c * (a * 1.0), n times: at every level a short second branch to a waits on the stack while the walk goes
    # down the chain. Holding a copy of its trail up to the root would take memory growing as n**2 (12x for 4x the
    # depth before); sharing the trail, as n (about 3.8x).
    def peak(depth: int) -> int:
        a = Value(0.5, label="a")
        c = a
        for _ in range(depth):
            c = c * (a * 1.0)
        tracemalloc.start()
        try:
            found = paths(c, a, limit=1)
            _, high = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert found.count == depth + 1 and len(found[0].edges) == depth
        assert found.work <= 3 * depth  # two parents looked at per level, one edge written
        return high

    peak(10)  # what the first call allocates once
    assert peak(2000) < 6 * peak(500)


def test_paths_change_no_grad():
    x = Value(1.5, label="x")
    out = (x * x).tanh()
    x.grad = 7.0
    out.grad = -2.0
    paths(out, x)
    assert x.grad == 7.0 and out.grad == -2.0


def test_draw_highlights_every_edge_of_one_path():
    pytest.importorskip("graphviz")
    a = Value(3.0, label="a")
    b = a + a
    c = b * b
    found = paths(c, a)
    second = found[1]
    source = draw(c, highlight=second).source
    index = {node: i for i, node in enumerate(nodes_in_order(c))}

    def edge_line(edge_id: str) -> str:
        (line,) = [line for line in source.splitlines() if re.search(rf"\bid={edge_id}\b", line)]
        return line

    for node, position in second.edges:
        assert HIGHLIGHT_COLOUR in edge_line(f"e{index[node]}_{position}")
        assert HIGHLIGHT_COLOUR in edge_line(f"e{index[node]}_out")
    assert (b, 0) not in second.edges
    assert HIGHLIGHT_COLOUR not in edge_line(f"e{index[b]}_0")
    with pytest.raises(TypeError, match="highlight"):
        draw(c, highlight=5)

"""Every node a graph holds, in an order that depends only on its shape: for explain, viz, copying and jvp.

Unlike :func:`autograd.topological_order` (interior nodes only, grads reset for
a backward pass), this lists leaves too and touches no grad.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> [v.label or v.op for v in nodes_in_order(a * b + a)]
['a', 'b', 'mul', 'add']
"""

from __future__ import annotations

from autograd.value import Value

__all__ = ["nodes_in_order"]


def nodes_in_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, leaves and roots included, each after all of its parents.

    A depth-first post-order on an explicit stack (a chain of a million nodes
    works), visiting parents in ``node.parents`` order, so the order, and any
    numbering made from it, depends only on the shape of the graph.

    >>> from autograd import Value
    >>> x = Value(1.0, label="x"); y = x * 2.0; y.label = "y"
    >>> [v.label for v in nodes_in_order(y)]
    ['x', 'y']
    """
    order: list[Value] = []
    done: set[Value] = set()
    for root in roots:
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if node in done:
                continue
            done.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents) if parent not in done)
    return order

"""What backward does, one chain-rule step at a time: the records explain, practice, paths and the pages show.

:func:`backward_steps` runs the engine's own backward pass (:func:`autograd.backward`) and records, through its
``on_step`` hook, every application of the chain rule: for the edge node -> parent,

    parent.grad += local_derivative * upstream_grad

with the local derivative d node / d parent, its formula in words (``d(a*b)/da = b = -3.0``), the upstream grad
(``node.grad``), the contribution and the parent's grad after the step. Nothing here computes a gradient a second
way: the records are what the engine did, in its order.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> [step.formula for step in backward_steps(a * b)]
['d(a*b)/da = b = -3.0  [a = a, b = b]', 'd(a*b)/db = a = 2.0  [a = a, b = b]']
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import describe
from autograd.core.backward import backward
from autograd.core.checks import quote
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import node_names, nodes_in_order

__all__ = ["BackwardStep", "backward_steps", "final_grads", "local_derivative_formula", "with_value"]


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One application of the chain rule: ``parent.grad += local_derivative * upstream``.

    ``step`` counts from 1 in the order the engine ran. ``position`` is the
    parent's index in ``node.parents`` (a value used twice, as in ``a * a``,
    gives two steps with positions 0 and 1). ``contribution`` is
    ``local_derivative * upstream`` and ``parent_grad_after`` the parent's
    grad right after it was added (``parent_grad_before`` right before).

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * 2.0
    >>> step = backward_steps(y)[0]
    >>> step.local_derivative, step.parent is x
    (2.0, True)
    """

    step: int
    node: Value
    parent: Value
    position: int
    node_name: str
    parent_name: str
    local_derivative: float
    formula: str
    upstream: float
    contribution: float
    parent_grad_before: float
    parent_grad_after: float


def with_value(part: str, value: str) -> str:
    """``part = value`` when that reads well, ``part; here value`` when the part has clauses.

    >>> with_value("d(a*b)/da = b", "2.0"), with_value("1 if x > 0, 0 if x < 0", "1.0")
    ('d(a*b)/da = b = 2.0', '1 if x > 0, 0 if x < 0; here 1.0')
    """
    if any(clause in part for clause in (";", ",", " if ", "(as ", "undefined")):
        return f"{part}; here {value}"
    return f"{part} = {value}"


def local_derivative_formula(node: Value, position: int, local: Any, names: dict[Value, str], digits: int = 6) -> str:
    """d node / d (its parent at ``position``) in words, with the number.

    ``d(a*b)/da = b = -3.0  [a = x, b = y]``: the op's formula from
    :data:`autograd.OPS`, the value the engine stored, and which Values
    the formula's letters stand for (the op kind says which).

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * 2.0
    >>> local_derivative_formula(y, 0, 2.0, {x: "x", y: "y"})
    'd(a*b)/da = b = 2.0  [a = x, b = 2.0]'
    """
    value = format_number(local, digits)
    part, bindings = describe.derivative_text(node, position, names.__getitem__)
    return f"{with_value(part, value)}  [{bindings}]" if bindings else f"{part} = {value}"


def backward_steps(
    root: Value, gradient: float = 1.0, *, names: Mapping[Value, str] | None = None
) -> list[BackwardStep]:
    """Every chain-rule step the engine takes in a backward pass from ``root``, in order; it changes no grad.

    The engine's own backward, watched through its ``on_step`` hook, run
    from zero: every leaf's grad starts at 0.0 for it (the steps show one
    backward pass, not grads accumulated over earlier ones), and afterwards
    every Value's grad is put back exactly as it was, even if the pass is
    interrupted. Steps of one node are consecutive, in ``node.parents``
    order; there is one step per edge of the graph. ``names`` (Value ->
    name) names Values in the steps, as in :func:`autograd.viz.node_names`.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * x + x
    >>> len(backward_steps(y)), x.grad     # 4 edges; no grad changed
    (4, 0.0)
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps() needs a Value, got {type(root).__name__}: {quote(root)}")
    if isinstance(gradient, Value):
        raise TypeError("backward_steps() needs a float gradient, got a Value (create_graph is not explained)")
    if isinstance(gradient, bool) or not isinstance(gradient, numbers.Real):
        raise TypeError(f"backward_steps() gradient must be a number, got {type(gradient).__name__}: {quote(gradient)}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"backward_steps() names= must map Values to str, got {type(names).__name__}: {quote(names)}")
    nodes = nodes_in_order(root)
    names = node_names(nodes, names)
    grad_so_far: dict[Value, Any] = dict.fromkeys(nodes, 0.0)  # every grad starts from 0.0 for this pass
    steps: list[BackwardStep] = []
    current: dict[str, Any] = {"node": None, "position": -1}

    def record(node: Value, parent: Value, local: Any, upstream: Any) -> None:
        if current["node"] is node:
            current["position"] += 1
        else:
            current["node"], current["position"] = node, 0
        position = current["position"]
        after = parent.grad
        contribution = local * upstream
        if contribution != contribution and after == grad_so_far[parent]:
            contribution = 0.0  # nothing was added: an off relu passes back 0 even for an inf or nan upstream
        steps.append(
            BackwardStep(
                step=len(steps) + 1,
                node=node,
                parent=parent,
                position=position,
                node_name=names[node],
                parent_name=names[parent],
                local_derivative=local,
                formula=local_derivative_formula(node, position, local, names),
                upstream=upstream,
                contribution=contribution,
                parent_grad_before=grad_so_far[parent],
                parent_grad_after=after,
            )
        )
        grad_so_far[parent] = after

    saved = [(node, node.grad) for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        backward(root, gradient, on_step=record)
    finally:
        for node, grad in saved:
            node.grad = grad
    return steps


def final_grads(root: Value, steps: list[BackwardStep], gradient: float = 1.0) -> dict[Value, Any]:
    """Each Value's grad at the end of the backward pass ``steps`` record (0.0 where no step reached it).

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * x + x
    >>> final_grads(y, backward_steps(y))[x]     # 2x + 1
    7.0
    """
    if isinstance(steps, str | bytes) or not isinstance(steps, Sequence):
        raise TypeError(
            f"final_grads() needs the list backward_steps() gave, got {type(steps).__name__}: {quote(steps)}"
        )
    grads: dict[Value, Any] = dict.fromkeys(nodes_in_order(root), 0.0)
    grads[root] = gradient
    for step in steps:
        grads[step.parent] = step.parent_grad_after
    return grads

"""The dot product ``w . x + b`` (and ``relu(w . x + b)``) as one node: a neuron's pre-activation.

This is the reference rule, for any mix of Values and numbers; :mod:`autograd.fast` builds the same nodes faster
for a layer whose weights are leaf Values, and a test pins it to this rule.

>>> w, b = [Value(0.5), Value(-1.0)], Value(0.25)
>>> z = dot(w, [2.0, 3.0], b)   # 0.5*2 - 1*3 + 0.25, one node; the inputs are numbers, so not parents
>>> z.backward()
>>> z.data, [w_i.grad for w_i in w], b.grad, len(z.parents)   # dz/dw_i = x_i, dz/db = 1
(-1.75, [2.0, 3.0], 1.0, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul as _float_mul
from typing import Any

from autograd.core.checks import as_float, quote
from autograd.core.kinds import NaryOp, nary_node, register
from autograd.core.value import ZERO_GRADS, Value
from autograd.ops.activations import relu_forward
from autograd.ops.facts import Template
from autograd.ops.scalars import Scalar, data

__all__ = ["dot", "dot_arguments", "dot_terms", "relu_dot"]


def dot_terms(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> list[tuple[str, int, Value, Any]]:
    """The derivative of w . x + b, written once: each Value's role, index and partner.

    d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1. One ``(role, i, value, partner)`` per Value,
    in the order of the node's parents: the weights that are Values (``("w", i, w_i, x_i)``), then the inputs that
    are Values (``("x", i, x_i, w_i)``), then the bias if it is one (``("b", 0, b, 1.0)``); i counts from 1.

    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> [(role, i, partner) for role, i, _, partner in dot_terms([w, 0.25], [x, 3.0], 1.0)]   # d/dw_1 = x_1, ...
    [('w', 1, Value(data=2.0, grad=0.0, label='x')), ('x', 1, Value(data=0.5, grad=0.0, label='w'))]
    """
    pairs = list(enumerate(zip(weights, inputs), start=1))
    found: list[tuple[str, int, Value, Any]] = [("w", i, w, x) for i, (w, x) in pairs if isinstance(w, Value)]
    found += [("x", i, x, w) for i, (w, x) in pairs if isinstance(x, Value)]
    if isinstance(bias, Value):
        found.append(("b", 0, bias, 1.0))
    return found


def dot_arguments(node: Value) -> tuple:
    """``(weights, inputs, bias)`` of a dot node, from its context: ``(weights, inputs, bias)`` itself, or
    ``(inputs,)`` when the weights are its first ``len(inputs)`` parents and the bias its last (a layer's rows share
    that one tuple, see :mod:`autograd.fast`).

    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> weights, inputs, bias = dot_arguments(dot([w, 0.25], [x, 3.0], 1.0))
    >>> [v.label for v in weights[:1]], weights[1], [v.label for v in inputs[:1]], inputs[1], bias
    (['w'], 0.25, ['x'], 3.0, 1.0)
    """
    context = node.context
    if len(context) == 3:
        weights, inputs, bias = context
        return weights[: len(inputs)], inputs, bias
    (inputs,) = context
    parents = node.parents
    return parents[: len(inputs)], inputs, parents[-1]


def _dot_derivative(parts: Sequence[Any], out: Scalar, context: Any) -> tuple:
    """The partners of :func:`dot_terms`: d(w.x + b)/dw_i = x_i, d/dx_i = w_i, d/db = 1."""
    return tuple(partner for _, _, _, partner in dot_terms(*parts))


def _relu_dot_derivative(parts: Sequence[Any], out: Scalar, context: Any) -> tuple:
    """The dot's derivatives where relu(z) = z (z > 0, or nan), else 0 (0 at z = 0, as relu)."""
    grads = _dot_derivative(parts, out, context)
    return (0.0,) * len(grads) if data(out) <= 0.0 else grads


def _dot_node(weights: Sequence[Any], inputs: Sequence[Any], bias: Value | float, op: NaryOp) -> Value:
    for given in (weights, inputs):
        if isinstance(given, Value | str) or not isinstance(given, Sequence):
            raise TypeError(
                f"{op.name}() needs sequences of weights and inputs, got {type(given).__name__}: {quote(given)}"
            )
    if len(inputs) != len(weights):
        raise ValueError(f"{op.name}() needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    weights = tuple(w if isinstance(w, Value) else as_float(w, op.name) for w in weights)  # numpy's too: floats
    inputs = tuple(x if isinstance(x, Value) else as_float(x, op.name) for x in inputs)
    bias = bias if isinstance(bias, Value) else as_float(bias, op.name)
    z = sum(map(_float_mul, map(data, weights), map(data, inputs)), data(bias))
    parts = (weights, inputs, bias)
    parents = tuple(value for _, _, value, _ in dot_terms(*parts))
    out = relu_forward(z) if op is _relu_dot else z
    local_grads = tuple(data(g) for g in op.derivative(parts, out, None))
    if op is _relu_dot and z <= 0.0:
        local_grads = ZERO_GRADS  # an off relu: every local derivative is 0, and backward runs no edge of it
    return nary_node(op, out, parents, local_grads, parts)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """w . x + b as one node (a neuron's pre-activation), not 2n binary nodes; d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    Either side may hold plain numbers: only Values become parents, so a network's float inputs cost no nodes and
    no gradient work. For a layer (many rows over the same inputs) :func:`autograd.dots` builds the same nodes faster.

    >>> w, x = [Value(0.2), Value(0.8), Value(-0.5), Value(1.0)], [1.0, 2.0, 3.0, 2.5]
    >>> round(dot(w, x, 2.0).data, 10)   # the textbook example
    4.8
    """
    return _dot_node(weights, inputs, bias, _dot)


def relu_dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """relu(w . x + b) as one node: a relu neuron, the same number as ``dot(w, x, b).relu()``.

    With z = w . x + b: d/dw_i = x_i [z > 0], d/dx_i = w_i [z > 0], d/db = [z > 0] (0 at z = 0, as relu). When the
    neuron is off (z <= 0) its local derivatives are ``ZERO_GRADS`` and backward passes nothing back through it.

    >>> relu_dot([Value(1.0)], [-2.0]).data
    0.0
    """
    return _dot_node(weights, inputs, bias, _relu_dot)


_DOT_FORMULA = "d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1"
#: The compiler's code: ``{w}``, ``{x}`` are lists, ``{b}`` a number; the derivative is said per element, by role:
#: d/dw_i (of ``{x}``, the partner input), d/dx_i (of ``{w}``, the partner weight), d/db. A layer's rows become
#: ``[sum(map(mul, row, x), b) for row, b in zip(W, B)]``.
_DOT_TEMPLATE = Template("sum(map(mul, {w}, {x}), {b})", ("{x}", "{w}", "1.0"), names={"mul": _float_mul})
_dot = register(
    NaryOp("dot", _dot_derivative, _DOT_FORMULA, apply=dot, arguments=dot_arguments, template=_DOT_TEMPLATE)
)
_relu_dot = register(
    NaryOp(
        "relu_dot",
        _relu_dot_derivative,
        "d relu(w.x + b)/dw_i = x_i if w.x + b > 0 else 0, d relu(w.x + b)/dx_i = w_i if w.x + b > 0 else 0, "
        "d relu(w.x + b)/db = 1 if w.x + b > 0 else 0",
        symbol="relu(dot)",
        apply=relu_dot,
        arguments=dot_arguments,
        # {z}: the dot's w . x + b (the dot's template); off (z <= 0), it passes nothing back.
        template=Template(
            "0.0 if {z} < 0.0 else {z}", ("{x}", "{w}", "1.0"), passes="not {z} <= 0.0", names={"mul": _float_mul}
        ),
    )
)

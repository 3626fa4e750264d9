"""micrograd's view of a node: ``Value(data, _children, _op)``, ``v._prev``, ``v._op`` and ``v._backward()``.

micrograd's users read and write a node's internals, as its lecture does:
they build nodes by hand, walk ``_prev`` to sort or draw the graph, label
op nodes with ``_op`` and run one node's chain-rule step with
``_backward()``. This module gives glassgrad's Value those names, on top of
its own (``parents``, in order, and ``op``), which stay as they are:

- ``v._prev``: the set of the values ``v`` was computed from. A number that
  glassgrad folded into the node as a constant (the 2 of ``x * 2``) is in
  it as a new leaf holding that number, as micrograd makes a Value of it;
  its ``grad`` is the one micrograd's leaf would hold (d v / d constant times
  ``v.grad``). The exponent of a power of a number is not (micrograd keeps it
  in the op's name, ``'**2'``).
- ``v._op``: micrograd's symbol (:data:`MICROGRAD_SYMBOLS`: ``'+'``, ``'*'``,
  ``'**2'`` for a power of a number, ``'ReLU'``, ``'tanh'``, ``'exp'``; ``''``
  for a leaf); an op micrograd lacks keeps glassgrad's name (``'sub'``,
  ``'div'``, ``'sigmoid'``, a neuron's ``'relu_dot'``).
- ``Value(data, children, op)``: a node built by hand is the node that op
  makes (:func:`hand_built_op` says which ops): its parents are the children
  in the order given, its local derivatives the op's own rule at the
  children's data (and at ``data``, for rules written from the output, as
  tanh's ``1 - out^2``), so ``backward()`` and ``_backward()`` work on it as on
  any node. No closure is needed or taken: a node's ``_backward`` cannot be
  reassigned (an op glassgrad lacks is added to :mod:`autograd.ops` instead).
- ``v._backward()``: this node's step of :func:`autograd.apply_chain_rule`,
  the same code ``backward()`` runs.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> e = Value(-6.0, (a, b), "*")          # as a * b makes it
>>> e._op, e._prev == {a, b}, e.op
('*', True, 'mul')
>>> e.grad = 1.0
>>> e._backward()
>>> a.grad, b.grad
(-3.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MethodType
from typing import Any

from autograd.core.backward import apply_chain_rule
from autograd.core.kinds import OPS, BinaryOp, UnaryOp, install
from autograd.core.mode import is_grad_enabled
from autograd.core.value import Value, lay_out

__all__ = ["MICROGRAD_SYMBOLS", "hand_built_op", "micrograd_op", "micrograd_prev"]

#: glassgrad's op name -> micrograd's ``_op`` for it (a power of a number is ``'**k'``, see :func:`micrograd_op`).
MICROGRAD_SYMBOLS: dict[str, str] = {"add": "+", "mul": "*", "relu": "ReLU", "tanh": "tanh", "exp": "exp"}


def _exponent_text(exponent: float) -> str:
    """``2.0`` -> ``'2'``, ``-1.0`` -> ``'-1'``, ``0.5`` -> ``'0.5'``: the exponent as micrograd's f'**{k}' shows it."""
    return str(int(exponent)) if exponent.is_integer() else repr(exponent)


def _constant_exponent(node: Value) -> float | None:
    """The exponent of a power of a number (``x ** 2``: its context is (1, 2.0)), else None."""
    context = node.context
    return context[1] if node.op == "pow" and context is not None and context[0] == 1 else None


def micrograd_op(node: Value) -> str:
    """micrograd's ``_op`` for ``node``: ``''`` for a leaf, ``'**k'`` for a power of a number, else its symbol.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> (x * x)._op, (x ** 2)._op, (x ** -1)._op, x.relu()._op, (x - 1)._op, x._op
    ('*', '**2', '**-1', 'ReLU', 'sub', '')
    """
    op = node.op
    if not op:
        return ""
    exponent = _constant_exponent(node)
    if exponent is not None:
        return "**" + _exponent_text(exponent)
    return MICROGRAD_SYMBOLS.get(op, op)


def micrograd_prev(node: Value) -> set[Value]:
    """micrograd's ``_prev``: the set of ``node``'s parents, and a new leaf for a constant folded into it.

    The leaf holds the constant and the grad micrograd's would: d node / d
    constant (the op's own derivative) times ``node.grad``.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> sorted(v.data for v in (x * 2)._prev), sorted(v.data for v in (x ** 2)._prev)
    ([2.0, 3.0], [3.0])
    """
    parents = set(node.parents)
    kind = OPS.get(node.op)
    if isinstance(kind, BinaryOp) and node.context is not None and _constant_exponent(node) is None:
        position, constant = node.context
        (parent,) = node.parents
        a, b = (constant, parent.data) if position == 0 else (parent.data, constant)
        constant_leaf = Value(constant)
        if isinstance(node.grad, float):
            constant_leaf.grad = kind.derivative(a, b, node.data)[position] * node.grad
        parents.add(constant_leaf)
    return parents


def hand_built_op(op: str, count: int) -> tuple[Any, Any]:
    """The op entry and context of a node built by hand as ``Value(data, children, op)`` with ``count`` children.

    ``op`` is micrograd's symbol (``'+'``, ``'*'``, ``'**k'`` for a power of the
    number k, ``'ReLU'``, ``'tanh'``, ``'exp'``), or the name or symbol of one
    of glassgrad's unary ops without parameters (one child) or binary ops (two
    children: ``'sub'`` or ``'-'``, ``'div'`` or ``'/'``, ...). Anything else is
    a ValueError: glassgrad would not know the node's derivative.

    >>> hand_built_op("**2", 1)[1], hand_built_op("*", 2)[0].name
    ((1, 2.0), 'mul')
    """
    if type(op) is not str:
        raise TypeError(f"Value() _op must be a str (micrograd's symbol, as '*'), got {type(op).__name__}: {op!r}")
    if op.startswith("**") and count == 1:
        try:
            exponent = float(op[2:])
        except ValueError:
            raise ValueError(f"Value() _op {op!r}: a power of a number is '**k' with k a number, as '**2'") from None
        return OPS["pow"], (1, exponent)
    names = {symbol: name for name, symbol in MICROGRAD_SYMBOLS.items()}
    for kind in OPS.values():
        arity = 1 if isinstance(kind, UnaryOp) and not kind.test_params else 2 if isinstance(kind, BinaryOp) else 0
        if arity == count and (op in (kind.name, kind.symbol) or kind.name == names.get(op)):
            return kind, None
    children = "1 child" if count == 1 else f"{count} children"
    raise ValueError(
        f"Value() _op {op!r} with {children} is not an op glassgrad knows the derivative of: use micrograd's "
        "'+' or '*' (2 children), '**k', 'ReLU', 'tanh' or 'exp' (1 child), or a glassgrad op name ('sub', 'div', "
        "'sigmoid', ...); a new op is added to autograd.ops"
    )


def _hand_built(node: Value, children: Iterable[Value], op: str) -> None:
    """Lay ``node`` out as the node of ``op`` over ``children`` (see :func:`hand_built_op`)."""
    if isinstance(children, str):
        raise TypeError(f"Value() _children must be a tuple of Values, got the str {children!r} (a label is label=...)")
    if isinstance(children, Value) or not isinstance(children, Iterable):
        raise TypeError(f"Value() _children must be a tuple of Values, got {type(children).__name__}: {children!r}")
    parents = tuple(children)
    for child in parents:
        if not isinstance(child, Value):
            raise TypeError(f"Value() _children must be Values, got {type(child).__name__}: {child!r}")
    if not parents:
        raise ValueError(f"Value() _op {op!r} needs the _children the value was computed from")
    kind, context = hand_built_op(op, len(parents))
    if not is_grad_enabled():  # under no_grad no node records its parents, as no op does
        return
    out = node.data
    if context is not None:  # x ** k
        local_grads: tuple = (kind.derivative(parents[0].data, context[1], out)[0],)
    elif isinstance(kind, UnaryOp):
        local_grads = (kind.derivative(parents[0].data, out),)
    else:
        local_grads = tuple(kind.derivative(parents[0].data, parents[1].data, out))
    lay_out(node, parents, local_grads, kind.name, context)


def _one_node_backward(node: Value) -> None:
    """This node's chain-rule step into its parents' grads, and nothing more: what backward() runs for it."""
    apply_chain_rule((node,))


def _backward_property() -> property:
    def get(node: Value) -> Any:
        return MethodType(_one_node_backward, node)

    def refuse(node: Value, closure: Any) -> None:
        raise AttributeError(
            f"a glassgrad node keeps its local derivatives, not a _backward closure: this {micrograd_op(node)!r} "
            f"node's _backward() already applies its op's rule; build a node of a known op with "
            f"Value(data, children, op), and add a new op to autograd.ops"
        )

    return property(get, refuse, doc="This node's chain-rule step into its parents' grads (micrograd's name).")


install("_hand_built", _hand_built, __name__)
install(
    "_prev",
    property(micrograd_prev, doc="micrograd's name: the set of the values this one was computed from."),
    __name__,
)
install(
    "_op", property(micrograd_op, doc="micrograd's name for the op that made this value ('' for a leaf)."), __name__
)
install("_backward", _backward_property(), __name__)

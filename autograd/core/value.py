"""``Value``: one scalar and its place in the computation graph; only the constructors below it write its layout.
Its operators, op methods (``a * b``, ``x.tanh()``) and ``backward`` are installed by the op registry
(:mod:`autograd.core.kinds`); the whole surface is declared, typed, in ``value.pyi``."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from autograd.core.checks import as_float, as_label, quote

__all__ = ["NO_GRAPH", "ZERO_GRADS", "Value", "lay_out", "leaf", "small_node", "wide_nodes"]


class Value:
    """A scalar that remembers how it was computed: ``data``, ``grad`` (d root / d this value), ``parents``, the ``op``
    that made it (``""``: a leaf), ``local_grads`` (d self / d parent, at forward time) and a ``context`` (a folded
    constant, a parameter, a class index). ``==`` is identity.
    >>> a = Value(2.0, label="a"); b = a * a + 1; b.backward(); a.grad   # d(a^2 + 1)/da = 2a
    4.0"""

    # Slots, and a __dict__ for a user's own notes (micrograd's AdamW sets p.m), made when first used. The layout:
    # - one or two parents (unary and binary ops): _first, _second (None for one), _first_local, _second_local, and
    #   _parents None: one object, not three, for the cyclic collector (T4 9-14x micrograd's speed, not 7.6x).
    # - other nodes: tuples in _parents and _local_grads (or ZERO_GRADS), and in _sort_parents the parents that may
    #   be interior (a layer leaves out its leaf weights). A leaf: () in all three. _visited: the sort's mark.
    __slots__ = (
        "data", "grad", "op", "label", "context", "_parents", "_local_grads", "_sort_parents",
        "_first", "_second", "_first_local", "_second_local", "_visited", "__dict__",
    )  # fmt: skip
    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    op: str
    label: str
    context: Any

    def __init__(self, data: numbers.Real, _children: Sequence[Value] = (), _op: str = "", label: str = "") -> None:
        self.data = data if type(data) is float else as_float(data, "Value")
        self.label = label if type(label) is str and label.isascii() else as_label(label)  # text, checked
        self.grad, self.op, self.context, self._visited = 0.0, "", None, None
        self._parents = self._local_grads = self._sort_parents = ()
        if _children or _op:  # micrograd's hand-built node, Value(6.0, (a, b), "*"): see autograd.compat
            self._hand_built(_children, _op)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The values this one was computed from, in the op's order (``()`` for a leaf)."""
        if self._parents is None:
            return (self._first,) if self._second is None else (self._first, self._second)
        return self._parents

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """d self / d parent for each parent, in the order of ``parents``, computed at forward time."""
        if self._parents is None:
            return (self._first_local,) if self._second is None else (self._first_local, self._second_local)
        return (0.0,) * len(self._parents) if self._local_grads is ZERO_GRADS else tuple(self._local_grads)

    def __repr__(self) -> str:
        extra = (f", label={self.label!r}" if self.label else "") + (f", op={self.op!r}" if self.op else "")
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    def __pos__(self) -> Value:
        return self

    def __lt__(self, other: Value | float) -> bool:  # no __eq__: == and hash() stay identity, as nodes need
        return self.data < _number(other, "<")

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _number(other, "<=")

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _number(other, ">")

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _number(other, ">=")

    def __bool__(self) -> bool:
        return bool(self.data)  # False for 0.0, as for a number

    def __float__(self) -> float:  # refused: math.tanh(x) would call it and silently drop the graph
        raise TypeError("a Value is not a float: use its methods (x.tanh(), x.exp(), ...), or x.item() for the number")

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)  # f"{loss:.4f}" formats data

    def item(self) -> float:
        """The number this Value holds (``data``), as PyTorch's ``tensor.item()``."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same data and no history."""
        return Value(self.data, label=self.label)


def _number(other: object, op: str) -> float:
    if isinstance(other, Value | numbers.Real):
        return other.data if isinstance(other, Value) else float(other)
    raise TypeError(f"'{op}' compares a Value with a Value or a number, got {type(other).__name__}: {quote(other)}")


class _Marker(tuple):  # ZERO_GRADS and NO_GRAPH: one object each, compared with ``is``; pickled by name
    __slots__ = ()

    def __repr__(self) -> str:
        return "ZERO_GRADS" if self is ZERO_GRADS else "NO_GRAPH"

    __reduce__ = __repr__  # type: ignore[assignment]


ZERO_GRADS: tuple = _Marker()  #: _local_grads of an off relu (all 0): backward adds nothing through it, not 0 * inf.
NO_GRAPH: tuple = _Marker()  #: The context of a result made under ``no_grad`` (no graph): backward from it is an error.
_new = Value.__new__


def leaf(data: float) -> Value:
    """A new leaf holding the float ``data``: what an op returns under ``no_grad`` (its context is NO_GRAPH).
    >>> assert leaf(2.0).data == 2.0 and leaf(2.0).parents == () and leaf(2.0).context is NO_GRAPH"""
    node = _new(Value)
    node.data, node.grad, node.op = data, 0.0, ""
    node.label, node.context, node._visited = "", NO_GRAPH, None
    node._parents = node._local_grads = node._sort_parents = ()
    return node


def small_node(
    data: float, first: Value, second: Value | None, first_local: Any, second_local: Any, op: str, context: Any
) -> Value:
    """A node of one parent (``second`` is None, ``second_local`` unread) or two, held in its slots.
    >>> assert small_node(6.0, Value(2.0), Value(3.0), 3.0, 2.0, "mul", None).local_grads == (3.0, 2.0)"""
    node = _new(Value)  # one attribute a line: 3% fewer instructions on T3 than tuple assignments (measured)
    node.data = data
    node.grad = 0.0
    node.op = op
    node.label = ""
    node.context = context
    node._parents = node._visited = None
    node._first = first
    node._second = second
    node._first_local = first_local
    node._second_local = second_local
    return node


def wide_nodes(rows: Iterable[tuple[float, tuple, Sequence, Any]], op: str, sort_parents: tuple | None = None) -> list:
    """One node per ``(data, parents, local_grads, context)``, a leaf where there are no parents; ``sort_parents``:
    the parents that may be interior, if not all. One call per layer, not one per node.
    >>> assert [n.op for n in wide_nodes([(1.0, (Value(1.0),), (1.0,), 0), (0.0, (), (), 0)], "f")] == ["f", ""]"""
    nodes = []
    for data, parents, local_grads, context in rows:
        if not parents:
            nodes.append(leaf(data))
            continue
        node = _new(Value)
        node.data = data
        node.grad = 0.0
        node.op = op
        node.label = ""
        node.context = context
        node._visited = None
        node._parents = parents
        node._local_grads = local_grads
        node._sort_parents = parents if sort_parents is None else sort_parents
        nodes.append(node)
    return nodes


def lay_out(node: Value, parents: tuple, local_grads: tuple, op: str, context: Any) -> None:
    """Lay out a Value made by hand (micrograd's ``Value(6.0, (a, b), '*')``) as the node of ``op``.
    >>> a = Value(2.0); b = Value(6.0); lay_out(b, (a,), (3.0,), "mul", None); assert b.parents == (a,)"""
    node.op, node.context, node._visited = op, context, None
    node._parents = node._sort_parents = parents
    node._local_grads = local_grads

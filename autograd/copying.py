"""``pickle`` and ``copy.deepcopy`` of Values, for graphs of any depth (no RecursionError).

Pickling a node the ordinary way pickles its parents inside it, and theirs
inside them: a chain of 100,000 nodes is 100,000 nested calls. Here the node
being pickled (the root of a pass) first lists every node it depends on,
parents before children, found on an explicit stack; each listed node is then
written with its parents already written (pickle's memo, or deepcopy's, holds
them), so nothing nests. Identity is kept as pickle keeps it: a Value reached
twice (a shared parent, a model's parameter and the graph built from it) is
one Value after loading. The markers ``ZERO_GRADS`` and ``NO_GRAPH`` are
pickled by name, so they stay the same objects.

>>> import pickle
>>> from autograd import Value
>>> x = Value(2.0)
>>> y = x
>>> for _ in range(100_000):
...     y = y * 1.0
>>> copy = pickle.loads(pickle.dumps(y))
>>> copy.backward(); copy.data
2.0
"""

from __future__ import annotations

import copy
from typing import Any, SupportsIndex

from autograd.core.kinds import install
from autograd.core.value import Value
from autograd.graph import nodes_in_order

__all__: list[str] = []

_SLOTS = tuple(name for name in Value.__slots__ if name != "_visited")


class _Pass:
    """One pickling (or deepcopy) pass from a root: its nodes carry it in their ``_visited`` slot meanwhile."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open = True


class _ClosePass:
    """Written last in a root's state: reducing it ends the pass (its nodes are plain nodes again)."""

    __slots__ = ("of",)

    def __init__(self, of: _Pass) -> None:
        self.of = of

    def __reduce__(self) -> tuple:
        self.of.open = False
        return (_nothing, ())


def _nothing() -> None:
    return None


def _new_value() -> Value:
    return Value.__new__(Value)


def _own_state(node: Value) -> dict[str, Any]:
    """The node's slots, and the user's own attributes (its ``__dict__``) when it has any."""
    state = {name: getattr(node, name) for name in _SLOTS if hasattr(node, name)}
    if not state.get("__dict__", True):
        del state["__dict__"]
    return state


def _ancestors(root: Value) -> list[Value]:
    """Every node ``root`` depends on (leaves too, not root), each after its parents."""
    return nodes_in_order(root)[:-1]


def _reduce_ex(self: Value, protocol: SupportsIndex) -> tuple:
    mark = self._visited
    if (type(mark) is _Pass and mark.open) or not self.parents:  # inside a pass (parents written) or a leaf
        return (_new_value, (), _own_state(self))
    order = _ancestors(self)
    current = _Pass()
    for node in order:
        node._visited = current
    return (_new_value, (), (order, _own_state(self), _ClosePass(current)))


def _deepcopy(self: Value, memo: dict[int, Any]) -> Value:
    """The graph copied node by node, parents first (each found in ``memo`` when its child is copied)."""
    for node in (*_ancestors(self), self):
        if id(node) in memo:
            continue
        new = memo[id(node)] = _new_value()
        for name in _SLOTS:
            try:
                value = getattr(node, name)
            except AttributeError:  # a slot the node's layout leaves unset
                continue
            kind = type(value)
            if kind is not float and kind is not str and value is not None:
                value = memo[id(value)] if kind is Value and id(value) in memo else copy.deepcopy(value, memo)
            setattr(new, name, value)
        new._visited = None
    return memo[id(self)]


def _setstate(self: Value, state: Any) -> None:
    own = state[1] if isinstance(state, tuple) else state  # (ancestors, own, close) for a root
    for name, value in own.items():
        setattr(self, name, value)
    self._visited = None


install("__reduce_ex__", _reduce_ex, __name__)
install("__setstate__", _setstate, __name__)
install("__deepcopy__", _deepcopy, __name__)

"""``Value``: one scalar and its place in the computation graph.

A Value holds ``data`` (a float), ``grad`` (d root / d this value, filled in by
``backward``), the ``parents`` it was computed from (an ordered tuple), the
name of the ``op`` that made it ("" for a leaf) and the local derivatives
d self / d parent, computed once at forward time (``local_grads``, a tuple
of floats aligned with ``parents``). Every op lives in :mod:`autograd.ops`. The
operators and the ops without parameters (``a * b``, ``x.relu()``) are the op
table's own functions, set on the class at the bottom of this module; the
other methods are one-line doorways to it.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any


class Value:
    """A scalar that remembers how it was computed.

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 1
    >>> b.backward()
    >>> a.grad          # d(a^2 + 1)/da = 2a
    4.0

    ``==`` is identity (Values are graph nodes and hash by identity); the
    orderings ``< <= > >=`` compare ``data`` and return a bool.
    """

    # __slots__ saves memory and attribute time: a Value is 128 bytes, not ~350 with a __dict__.
    __slots__ = (
        "data", "grad", "op", "label", "context",
        "_parents", "_local_grads", "_interior_parents",
        "_first", "_second", "_first_local", "_second_local",
    )  # fmt: skip

    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    op: str  # "" for a leaf, and only for a leaf
    label: str
    context: Any
    # Where the parents and the local derivatives are kept (read them through
    # ``parents`` and ``local_grads``). A node with one or two parents (every
    # unary and binary op) holds them itself: _first and _second (None when
    # there is one), with their derivatives in _first_local and _second_local;
    # its _parents is None. Other nodes (leaves, dot, softmax, sum, ...) keep
    # tuples in _parents and _local_grads; a relu_dot whose relu is off keeps
    # () as its _local_grads, meaning every one is 0 (backward then has no
    # edge of it to run). The reason for slots: each tuple is one more
    # object for the cyclic garbage collector, which counts new objects to
    # decide when to run and then walks every live one; without them, code
    # written from scalar ops (the T4 benchmark) spends 23% of its time in the
    # collector instead of 37-42%: micrograd/glassgrad 7.6-7.9x -> 9-14x (measured).
    _parents: tuple[Value, ...] | None
    _local_grads: tuple[float, ...]
    _first: Value
    _second: Value | None
    _first_local: Any
    _second_local: Any
    # The parents that can be interior nodes: what the topological sort
    # visits. None for a node that holds its parents (the sort reads _first
    # and _second); otherwise the parents, less those an op knows are leaves
    # (a neuron's weights, in ``dot``), so the sort skips them.
    _interior_parents: tuple[Value, ...] | None

    def __init__(self, data: numbers.Real, label: str = "") -> None:
        if type(data) is not float:
            data = _as_float(data, "Value")
        self.data = data
        self.grad = 0.0
        self.op = ""
        self.label = label
        self.context = None
        self._parents = self._interior_parents = self._local_grads = ()

    @property
    def parents(self) -> tuple[Value, ...]:
        """The values this one was computed from, in the op's order (``()`` for a leaf)."""
        parents = self._parents
        if parents is None:  # one or two parents, held on the node
            second = self._second
            return (self._first,) if second is None else (self._first, second)
        return parents

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """d self / d parent for each parent, in the order of ``parents``, computed at forward time."""
        parents = self._parents
        if parents is None:  # one or two parents, held on the node
            return (self._first_local,) if self._second is None else (self._first_local, self._second_local)
        if parents and not self._local_grads:  # a relu_dot that is off: every derivative is 0
            return (0.0,) * len(parents)
        return self._local_grads

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        if self.op:
            extra += f", op={self.op!r}"
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    # The arithmetic operators and the ops without parameters (exp, tanh,
    # relu, ...) are set on the class at the bottom of this module: each is
    # the op table's own function (``ops.mul.apply``), so ``a * b`` is one
    # Python call. Their signatures, for type checkers and editors:
    if TYPE_CHECKING:

        def __add__(self, other: Value | float) -> Value: ...
        def __radd__(self, other: Value | float) -> Value: ...
        def __sub__(self, other: Value | float) -> Value: ...
        def __rsub__(self, other: Value | float) -> Value: ...
        def __mul__(self, other: Value | float) -> Value: ...
        def __rmul__(self, other: Value | float) -> Value: ...
        def __truediv__(self, other: Value | float) -> Value: ...
        def __rtruediv__(self, other: Value | float) -> Value: ...
        def __pow__(self, other: Value | float) -> Value: ...
        def __rpow__(self, other: Value | float) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def erf(self) -> Value: ...
        def identity(self) -> Value: ...
        def binary_step(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def tanh(self) -> Value: ...
        def relu(self) -> Value: ...
        def selu(self) -> Value: ...
        def softplus(self) -> Value: ...
        def silu(self) -> Value: ...
        def mish(self) -> Value: ...
        def softsign(self) -> Value: ...

    def __pos__(self) -> Value:
        return self

    # -------------------------------------------------------------- comparisons
    def __lt__(self, other: Any) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data_of(other, ">=")

    # No __eq__ is defined, so == and hash() stay identity (object's, in C): Values are
    # graph nodes, used as set members and dict keys.

    def __float__(self) -> float:
        return self.data

    # --------------------------------------------------------------------- math
    # -------------------------------------------------------------- activations
    def linear(self, c: float = 1.0) -> Value:
        return ops.linear(self, c)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return ops.leaky_relu(self, slope)

    def rrelu(
        self,
        lower: float = 1 / 8,
        upper: float = 1 / 3,
        training: bool = False,
        rng: random.Random | int | None = None,
    ) -> Value:
        return ops.rrelu(self, lower, upper, training, rng)

    def gelu(self, approximate: str = "none") -> Value:
        return ops.gelu(self, approximate)

    def elu(self, alpha: float = 1.0) -> Value:
        return ops.elu(self, alpha)

    # ------------------------------------------------------------------- graph
    def backward(self, gradient: float = 1.0, *, create_graph: bool = False) -> None:
        """Backpropagate from this value: fill ``.grad`` of every value it depends on.

        The output's grad is seeded with ``gradient`` (1.0 by default). Leaves
        *accumulate* across calls, like PyTorch: call ``zero_grad`` (or set
        ``.grad = 0.0``) between steps. Interior nodes are reset at the start
        of each call and hold this call's gradients afterwards.

        With ``create_graph=True`` the gradients are themselves ``Value``s with
        a graph, so they can be differentiated again (see ``autograd.grad``).
        """
        graph.backward(self, gradient, create_graph=create_graph)

    def detach(self) -> Value:
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    @staticmethod
    def softmax(values: Sequence[Value | float]) -> list[Value]:
        """Softmax over ``values``; see :func:`autograd.ops.softmax`."""
        return ops.softmax(values)

    @staticmethod
    def log_softmax(values: Sequence[Value | float]) -> list[Value]:
        """Log-softmax over ``values``; see :func:`autograd.ops.log_softmax`."""
        return ops.log_softmax(values)


def _as_float(data: object, where: str) -> float:
    """Convert a real number to float; anything else is a TypeError naming its type."""
    if type(data) is int:  # the common case (sum() starts at 0), before the slower checks
        return float(data)
    if isinstance(data, Value):
        raise TypeError(f"{where}() needs a real number, got a Value ({data!r}); use it directly or .data")
    if isinstance(data, numbers.Real):
        return float(data)
    raise TypeError(f"{where}() needs a real number (int, float, ...), got {type(data).__name__}: {data!r}")


def _data_of(other: object, op: str) -> float:
    """The number a Value is compared with; a TypeError naming the comparison otherwise."""
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return float(other)
    raise TypeError(f"'{op}' compares a Value with a Value or a real number, got {type(other).__name__}: {other!r}")


from autograd import graph, ops  # noqa: E402  (late import: ops and graph need Value)

# Operators and parameterless ops: the op table's functions themselves, not
# methods that call them (a mul node 440 -> 300 ns, a relu 510 -> 330 ns, measured).
for _name, _op in (("add", ops.add), ("sub", ops.sub), ("mul", ops.mul), ("truediv", ops.div), ("pow", ops.pow)):
    setattr(Value, f"__{_name}__", _op.apply)  # a + b
    setattr(Value, f"__r{_name}__", _op.apply_reflected)  # 2.0 + a
Value.__neg__ = ops.neg.apply
Value.__abs__ = ops.absolute.apply
for _name in (
    "exp", "log", "sqrt", "sin", "cos", "erf",
    "identity", "binary_step", "sigmoid", "tanh", "relu", "selu", "softplus", "silu", "mish", "softsign",
):  # fmt: skip
    setattr(Value, _name, getattr(ops, _name).apply)
del _name, _op

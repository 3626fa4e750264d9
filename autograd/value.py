"""``Value``: one scalar and its place in the computation graph.

A Value holds ``data`` (a float), ``grad`` (d root / d this value, filled in by
``backward``), the ``parents`` it was computed from (an ordered tuple), the
name of the ``op`` that made it ("" for a leaf) and the local derivatives
d self / d parent, computed once at forward time and stored as a tuple of
floats (``local_grads``). Every op lives in :mod:`autograd.ops`; the methods
here are one-line doorways to it.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import Any


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

    # __slots__ saves memory and attribute time: a node is ~250 bytes, not ~400.
    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label", "context")

    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    label: str
    context: Any

    def __init__(self, data: numbers.Real, label: str = "") -> None:
        if type(data) is not float:
            data = _as_float(data, "Value")
        self.data = data
        self.grad = 0.0
        self.parents = ()
        self.local_grads = ()
        self.op = ""
        self.label = label
        self.context = None

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        if self.op:
            extra += f", op={self.op!r}"
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    # --------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Value:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Value:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Value:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Value:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Value:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Value:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Value:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Value:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Value:
        return ops.pow(other, self)

    def __neg__(self) -> Value:
        return ops.neg(self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return ops.absolute(self)

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
    def exp(self) -> Value:
        return ops.exp(self)

    def log(self) -> Value:
        return ops.log(self)

    def sqrt(self) -> Value:
        return ops.sqrt(self)

    def sin(self) -> Value:
        return ops.sin(self)

    def cos(self) -> Value:
        return ops.cos(self)

    def erf(self) -> Value:
        return ops.erf(self)

    # -------------------------------------------------------------- activations
    def identity(self) -> Value:
        return ops.identity(self)

    def binary_step(self) -> Value:
        return ops.binary_step(self)

    def linear(self, c: float = 1.0) -> Value:
        return ops.linear(self, c)

    def sigmoid(self) -> Value:
        return ops.sigmoid(self)

    def tanh(self) -> Value:
        return ops.tanh(self)

    def relu(self) -> Value:
        return ops.relu(self)

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

    def selu(self) -> Value:
        return ops.selu(self)

    def softplus(self) -> Value:
        return ops.softplus(self)

    def silu(self) -> Value:
        return ops.silu(self)

    def mish(self) -> Value:
        return ops.mish(self)

    def softsign(self) -> Value:
        return ops.softsign(self)

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

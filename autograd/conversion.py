"""How a Value meets plain numbers: comparisons, ``bool()``, ``format()``, and the ``float()`` it refuses.

- ``< <= > >=`` compare ``data`` with another Value's or a real number's (``==`` stays identity);
- ``bool(x)`` is ``bool(x.data)``: False for 0.0, as for a number;
- ``f"{loss:.4f}"`` formats ``data`` (an empty spec gives the repr);
- ``float(x)`` is a TypeError: Python's ``math`` functions call it, so ``math.tanh(x)`` would silently
  return a float with no graph. Use ``x.tanh()`` to stay on the graph, ``x.item()`` for the number.

>>> from autograd import Value
>>> x = Value(0.5)
>>> x < 1.0, bool(Value(0.0)), f"{x:.2f}"
(True, False, '0.50')
"""

from __future__ import annotations

import numbers
from typing import Any

from autograd.value import Value

__all__: list[str] = []


def _data_of(other: object, op: str) -> float:
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return float(other)
    raise TypeError(f"'{op}' compares a Value with a Value or a real number, got {type(other).__name__}: {other!r}")


def _less(self: Value, other: Any) -> bool:
    return self.data < _data_of(other, "<")


def _less_or_equal(self: Value, other: Any) -> bool:
    return self.data <= _data_of(other, "<=")


def _greater(self: Value, other: Any) -> bool:
    return self.data > _data_of(other, ">")


def _greater_or_equal(self: Value, other: Any) -> bool:
    return self.data >= _data_of(other, ">=")


def _refuse_float(self: Value) -> float:
    raise TypeError(
        "a Value is not converted to a float implicitly: math functions on it would drop the graph. "
        "Use its methods (x.tanh(), x.exp(), x.log(), ...) to stay on the graph, or x.item() for the number"
    )


def _truth(self: Value) -> bool:
    return bool(self.data)


def _format(self: Value, spec: str) -> str:
    return format(self.data, spec) if spec else repr(self)


Value.__lt__ = _less  # type: ignore[method-assign]
Value.__le__ = _less_or_equal  # type: ignore[method-assign]
Value.__gt__ = _greater  # type: ignore[method-assign]
Value.__ge__ = _greater_or_equal  # type: ignore[method-assign]
Value.__float__ = _refuse_float  # type: ignore[attr-defined]
Value.__bool__ = _truth  # type: ignore[attr-defined]
Value.__format__ = _format  # type: ignore[method-assign]

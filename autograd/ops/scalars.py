"""Math that works on floats and on Values, so each derivative is written once.

The forward pass calls a derivative with floats; ``backward(create_graph=True)`` calls the same function with
Values, and these helpers then build graph nodes (``exp(x)`` is ``x.exp()`` on a Value, ``math.exp(x)`` on a float).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd.core.value import Value

__all__ = [
    "Scalar",
    "abs_",
    "checked_exp",
    "cos",
    "data",
    "erf",
    "exp",
    "log",
    "reciprocal_or_inf",
    "sigmoid",
    "sin",
    "softplus",
    "stable_sigmoid",
    "stable_softplus",
    "tanh",
]

Scalar = Any  # a float, or a Value when building the graph of a gradient


def _either(method: str, on_float: Callable[[float], float]) -> Callable[[Scalar], Scalar]:
    def function(x: Scalar) -> Scalar:
        return getattr(x, method)() if isinstance(x, Value) else on_float(x)

    function.__name__ = method.strip("_")
    return function


def stable_sigmoid(x: float) -> float:
    """1 / (1 + e^-x), never overflowing: e^x / (1 + e^x) for x < 0."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def stable_softplus(x: float) -> float:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def checked_exp(x: float) -> float:
    """e^x, or an OverflowError naming exp and x."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp() overflows: exp({x!r}) is larger than the largest float") from None


exp = _either("exp", checked_exp)
log = _either("log", math.log)
sin = _either("sin", math.sin)
cos = _either("cos", math.cos)
erf = _either("erf", math.erf)
tanh = _either("tanh", math.tanh)
sigmoid = _either("sigmoid", stable_sigmoid)
softplus = _either("softplus", stable_softplus)
abs_ = _either("__abs__", abs)


def data(x: Scalar) -> float:
    """The number: ``x.data`` for a Value, ``x`` for a float."""
    return x.data if isinstance(x, Value) else x


def reciprocal_or_inf(numerator: float, denominator: Scalar) -> Scalar:
    """``numerator / denominator``; at a 0 denominator, +-inf (a derivative's pole, as PyTorch).

    On Values (``create_graph``) the pole is a constant: the derivative's own derivative there is not finite either.
    """
    if data(denominator) == 0.0:
        pole = math.copysign(math.inf, numerator) if numerator else math.nan
        return Value(pole) if isinstance(denominator, Value) else pole
    return numerator / denominator

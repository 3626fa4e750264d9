"""Math that works on floats and on Values, so each derivative is written once.

The forward pass calls a derivative with floats; ``backward(create_graph=True)`` calls the same function with
Values, and these helpers then build graph nodes (``exp(x)`` is ``x.exp()`` on a Value, ``math.exp(x)`` on a float).

>>> exp(0.0), exp(Value(0.0))
(1.0, Value(data=1.0, grad=0.0, op='exp'))
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


def _either(
    method: str, on_float: Callable[[float], float], formula: str, name: str = ""
) -> Callable[[Scalar], Scalar]:
    def function(x: Scalar) -> Scalar:
        return getattr(x, method)() if isinstance(x, Value) else on_float(x)

    name = name or method
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"{formula}: on a float, a float; on a Value, a node (``x.{method}()``), so a derivative that uses it "
        f"builds the graph of the gradient under ``create_graph``.\n\n"
        f">>> {name}(0.5) == {name}(Value(0.5)).data, type({name}(0.5)).__name__, type({name}(Value(0.5))).__name__\n"
        "(True, 'float', 'Value')\n"
    )
    return function


def stable_sigmoid(x: float) -> float:
    """1 / (1 + e^-x), never overflowing: e^x / (1 + e^x) for x < 0.

    >>> stable_sigmoid(0.0), stable_sigmoid(-1000.0), stable_sigmoid(1000.0)   # e^1000 would overflow
    (0.5, 0.0, 1.0)
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def stable_softplus(x: float) -> float:
    """``log(1 + e^x) = max(x, 0) + log1p(e^-|x|)``: never overflows.

    >>> stable_softplus(1000.0), round(stable_softplus(0.0), 6)   # log 2
    (1000.0, 0.693147)
    """
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def checked_exp(x: float) -> float:
    """e^x, or an OverflowError naming exp and x.

    >>> checked_exp(0.0)
    1.0
    >>> checked_exp(1000.0)
    Traceback (most recent call last):
    OverflowError: exp() overflows: exp(1000.0) is larger than the largest float
    """
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp() overflows: exp({x!r}) is larger than the largest float") from None


exp = _either("exp", checked_exp, "exp(x) = e^x")
log = _either("log", math.log, "log(x) = ln x, for x > 0")
sin = _either("sin", math.sin, "sin(x)")
cos = _either("cos", math.cos, "cos(x)")
erf = _either("erf", math.erf, "erf(x) = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt")
tanh = _either("tanh", math.tanh, "tanh(x) = (e^x - e^-x) / (e^x + e^-x)")
sigmoid = _either("sigmoid", stable_sigmoid, "sigmoid(x) = 1 / (1 + e^-x), stable")
softplus = _either("softplus", stable_softplus, "softplus(x) = ln(1 + e^x), stable")
abs_ = _either("__abs__", abs, "``abs_(x) = |x|``", name="abs_")


def data(x: Scalar) -> float:
    """The number: ``x.data`` for a Value, ``x`` for a float.

    >>> data(Value(2.0)), data(3.0)
    (2.0, 3.0)
    """
    return x.data if isinstance(x, Value) else x


def reciprocal_or_inf(numerator: float, denominator: Scalar) -> Scalar:
    """``numerator / denominator``; at a 0 denominator, +-inf (a derivative's pole, as PyTorch).

    On Values (``create_graph``) the pole is a constant: the derivative's own derivative there is not finite either.

    >>> reciprocal_or_inf(0.5, 2.0), reciprocal_or_inf(0.5, 0.0), reciprocal_or_inf(-0.5, Value(0.0)).data
    (0.25, inf, -inf)
    """
    if data(denominator) == 0.0:
        pole = math.copysign(math.inf, numerator) if numerator else math.nan
        return Value(pole) if isinstance(denominator, Value) else pole
    return numerator / denominator

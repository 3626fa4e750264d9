"""Numerical gradient checks: ``central_difference`` and ``gradcheck``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd.core.checks import as_float
from autograd.core.mode import no_grad
from autograd.core.value import Value

__all__ = ["GradcheckError", "central_difference", "gradcheck"]


class GradcheckError(AssertionError):
    """Backward and central differences disagree; the message names the input and both numbers.

    >>> gradcheck(lambda x: x.relu(), [0.0])     # the kink: backward says 0, the slope across it 0.5
    Traceback (most recent call last):
      ...
    autograd.gradcheck.GradcheckError: gradient of input 0 disagrees: backward gives 0.0, ... gives 0.5 ...
    """


def _as_data(x: Any, where: str = "central_difference") -> float:
    return x.data if isinstance(x, Value) else as_float(x, where)


def _check_step(value: Any, name: str, where: str, positive: bool = True) -> float:
    """A finite number > 0 (>= 0 when not ``positive``), else a ValueError naming ``where`` and ``name``."""
    number = as_float(value, where) if not isinstance(value, bool) else math.nan
    if not math.isfinite(number) or number < 0.0 or (positive and number == 0.0):
        raise ValueError(f"{where}() {name} must be a finite number {'>' if positive else '>='} 0, got {value!r}")
    return number


def central_difference(f: Callable[..., Any], *xs: float, arg: int = 0, eps: float = 1e-6) -> float:
    """Estimate df/dx_arg at ``xs`` by (f(x + eps) - f(x - eps)) / (2 eps).

    ``f`` receives Values (so it may call ``.tanh()`` and friends) and may
    return a Value or a float. The error is O(eps^2) for smooth f.

    >>> round(central_difference(lambda x, y: x * y, 3.0, 4.0, arg=1), 6)  # d(xy)/dy = x
    3.0
    """
    if not callable(f):
        raise TypeError(f"central_difference() needs a function f, got {type(f).__name__}: {f!r}")
    if isinstance(arg, bool) or not isinstance(arg, int):
        raise TypeError(f"central_difference() arg must be an int index, got {type(arg).__name__}: {arg!r}")
    if not 0 <= arg < len(xs):
        raise ValueError(f"central_difference() arg={arg} is out of range for {len(xs)} inputs")
    eps = _check_step(eps, "eps", "central_difference")
    points = [_as_data(x) for x in xs]

    def f_at(shift: float) -> float:
        shifted = list(points)
        shifted[arg] += shift
        with no_grad():
            return _as_data(f(*[Value(p) for p in shifted]))

    return (f_at(eps) - f_at(-eps)) / (2.0 * eps)


def gradcheck(
    f: Callable[..., Value],
    xs: Sequence[float | Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """Check backward against central differences for every input; return True or raise.

    ``xs`` are numbers (fresh leaves are made for them) or existing leaf
    Values such as a model's parameters (their ``data`` is nudged in place
    and restored; their ``grad`` is restored too). ``f(*values)`` must return
    a scalar Value. An input passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``; otherwise
    :class:`GradcheckError` names the input (index and label) and both numbers.

    >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])  # backward agrees with (f(x+e) - f(x-e)) / 2e
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck() needs a function f, got {type(f).__name__}: {f!r}")
    if isinstance(xs, str | Value) or not isinstance(xs, Sequence):
        raise TypeError(f"gradcheck() needs a sequence of inputs (numbers or Values), got {type(xs).__name__}: {xs!r}")
    eps = _check_step(eps, "eps", "gradcheck")
    atol, rtol = _check_step(atol, "atol", "gradcheck", False), _check_step(rtol, "rtol", "gradcheck", False)
    values = [x if isinstance(x, Value) else Value(as_float(x, "gradcheck")) for x in xs]
    saved_grads = [v.grad for v in values]
    for v in values:
        v.grad = 0.0
    try:
        out = f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck() needs f to return a Value, got {type(out).__name__}")
        out.backward()
        analytic = [float(v.grad) for v in values]
    finally:
        for v, g in zip(values, saved_grads):
            v.grad = g

    for index, v in enumerate(values):
        original = v.data
        try:
            with no_grad():
                v.data = original + eps
                plus = _as_data(f(*values))
                v.data = original - eps
                minus = _as_data(f(*values))
        finally:
            v.data = original
        numeric = (plus - minus) / (2.0 * eps)
        if not (math.isfinite(numeric) and abs(analytic[index] - numeric) <= atol + rtol * abs(numeric)):
            name = f" ({v.label!r})" if v.label else ""
            raise GradcheckError(
                f"gradient of input {index}{name} disagrees: backward gives {analytic[index]!r}, "
                f"central difference gives {numeric!r} (atol={atol}, rtol={rtol}, eps={eps})"
            )
    return True

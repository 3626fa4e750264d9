"""Elementary functions: exp, log, sqrt, sin, cos, erf, each one entry (forward, derivative, formula, method).

>>> for op in (exponential, logarithm, square_root, sine, cosine, erf):
...     print(f"{op.name:4} {op.formula}")
exp  d exp(x)/dx = exp(x)
log  d ln(x)/dx = 1/x
sqrt d sqrt(x)/dx = 1 / (2 sqrt(x)); +inf at 0
sin  d sin(x)/dx = cos(x)
cos  d cos(x)/dx = -sin(x)
erf  d erf(x)/dx = 2/sqrt(pi) exp(-x^2)

Composed, by the chain rule: d exp(sin x)/dx = cos(x) exp(sin x).

>>> import math
>>> from autograd import Value
>>> x = Value(0.5)
>>> x.sin().exp().backward()
>>> x.grad == math.cos(0.5) * math.exp(math.sin(0.5))
True
"""

from __future__ import annotations

import math

from autograd.core.kinds import UnaryOp, register
from autograd.ops.facts import Template
from autograd.ops.scalars import checked_exp, cos, exp, reciprocal_or_inf, sin

__all__ = ["cosine", "erf", "exponential", "logarithm", "sine", "square_root"]

# math's functions raise the errors the entries' forward rules raise (OverflowError, ValueError), in their own words.
_MATH = {name: getattr(math, name) for name in ("exp", "log", "sqrt", "sin", "cos", "erf", "inf")}
exponential = register(
    UnaryOp(
        "exp",
        checked_exp,
        lambda x, out: out,
        "d exp(x)/dx = exp(x)",
        template=Template("exp({x})", ("{out}",), names=_MATH),
    )
)


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log() needs x > 0, got {x!r}")
    return math.log(x)


logarithm = register(
    UnaryOp(
        "log",
        _log_forward,
        lambda x, out: 1.0 / x,
        "d ln(x)/dx = 1/x",
        domain=(0.05, 10.0),
        template=Template("log({x})", ("1.0 / {x}",), names=_MATH),
    )
)


def _sqrt_forward(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt() needs x >= 0, got {x!r}")
    return math.sqrt(x)


square_root = register(
    UnaryOp(
        "sqrt",
        _sqrt_forward,
        lambda x, out: reciprocal_or_inf(0.5, out),
        "d sqrt(x)/dx = 1 / (2 sqrt(x)); +inf at 0",
        domain=(0.05, 10.0),
        template=Template("sqrt({x})", ("(0.5 / {out} if {out} else inf)",), names=_MATH),
    )
)
sine = register(
    UnaryOp(
        "sin",
        math.sin,
        lambda x, out: cos(x),
        "d sin(x)/dx = cos(x)",
        template=Template("sin({x})", ("cos({x})",), names=_MATH),
    )
)
cosine = register(
    UnaryOp(
        "cos",
        math.cos,
        lambda x, out: -sin(x),
        "d cos(x)/dx = -sin(x)",
        template=Template("cos({x})", ("-sin({x})",), names=_MATH),
    )
)

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
erf = register(
    UnaryOp(
        "erf",
        math.erf,
        lambda x, out: _TWO_OVER_SQRT_PI * exp(-(x * x)),
        "d erf(x)/dx = 2/sqrt(pi) exp(-x^2)",
        template=Template(
            "erf({x})",
            ("two_over_sqrt_pi * exp(-({x} * {x}))",),
            names={**_MATH, "two_over_sqrt_pi": _TWO_OVER_SQRT_PI},
        ),
    )
)

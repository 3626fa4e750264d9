"""Arithmetic: ``+ - * / **``, negation and ``abs``, each one entry (its forward rule, its derivative, its formula,
the operator it becomes). A plain number on either side is folded into the node as a constant.

Each entry's derivative, as its ``formula`` says it:

>>> for op in (add, sub, mul, div, pow, neg, absolute):
...     print(f"{op.name:4} {op.formula}")
add  d(a+b)/da = 1, d(a+b)/db = 1
sub  d(a-b)/da = 1, d(a-b)/db = -1
mul  d(a*b)/da = b, d(a*b)/db = a
div  d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
pow  d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
neg  d(-x)/dx = -1
abs  d|x|/dx = sign(x); 0 at x = 0 (as PyTorch)

The chain rule adds them up: for y = a b + a / b - a^2, dy/da = b + 1/b - 2a and dy/db = a - a/b^2.

>>> a, b = Value(2.0), Value(-3.0)
>>> y = a * b + a / b - a ** 2
>>> y.backward()
>>> round(a.grad, 4), round(b.grad, 4)   # -3 - 1/3 - 4 and 2 - 2/9
(-7.3333, 1.7778)
>>> (a * 2.0).context   # the 2.0 is folded in as the second operand: the node has one parent
(1, 2.0)
"""

from __future__ import annotations

import math
from operator import add as _float_add
from operator import mul as _float_mul
from operator import sub as _float_sub

from autograd.core.kinds import BinaryOp, UnaryOp, register
from autograd.core.value import Value
from autograd.ops.facts import Template
from autograd.ops.scalars import Scalar, data, log

__all__ = ["absolute", "add", "div", "mul", "neg", "pow", "sub"]

# The forward rules of add, sub and mul are the operator module's C functions: a Python-level call less per node.
_ONE_ONE = (1.0, 1.0)
add = register(
    BinaryOp(
        "add",
        _float_add,
        lambda a, b, out: _ONE_ONE,
        "d(a+b)/da = 1, d(a+b)/db = 1",
        symbol="+",
        method="__add__",
        commutative=True,
        template=Template("{a} + {b}", ("1.0", "1.0")),
    )
)
sub = register(
    BinaryOp(
        "sub",
        _float_sub,
        lambda a, b, out: (1.0, -1.0),
        "d(a-b)/da = 1, d(a-b)/db = -1",
        symbol="-",
        method="__sub__",
        template=Template("{a} - {b}", ("1.0", "-1.0")),
    )
)
mul = register(
    BinaryOp(
        "mul",
        _float_mul,
        lambda a, b, out: (b, a),
        "d(a*b)/da = b, d(a*b)/db = a",
        symbol="*",
        method="__mul__",
        commutative=True,
        template=Template("{a} * {b}", ("{b}", "{a}")),
    )
)


def _div_forward(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div(): division by zero: {a!r} / {b!r}")
    return a / b


div = register(
    BinaryOp(
        "div",
        _div_forward,
        lambda a, b, out: (1.0 / b, -out / b),
        "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2",
        symbol="/",
        method="__truediv__",
        second_domain=(0.5, 5.0),
        # Python's / raises ZeroDivisionError at b == 0, as the entry's forward does.
        template=Template("{a} / {b}", ("1.0 / {b}", "-{out} / {b}")),
    )
)


def _pow_forward(a: float, b: float) -> float:
    if a < 0.0 and not float(b).is_integer():
        raise ValueError(f"pow(): a negative base with a non-integer exponent is complex: ({a!r}) ** {b!r}")
    try:
        return a**b
    except ZeroDivisionError:
        raise ZeroDivisionError(f"pow(): zero to a negative power: {a!r} ** {b!r}") from None
    except OverflowError:
        raise OverflowError(f"pow(): result too large: {a!r} ** {b!r}") from None


def _float_power(a: float, exponent: float) -> float:
    """``a ** exponent`` on floats, +-inf where it overflows (a derivative's value, as PyTorch's)."""
    try:
        return a**exponent
    except OverflowError:
        odd = a < 0.0 and exponent.is_integer() and exponent % 2 == 1.0
        return -math.inf if odd else math.inf


def _pow_derivative(a: Scalar, b: Scalar, out: Scalar) -> tuple:
    """d(a^b)/da = b a^(b-1) (0 for b == 0, +-inf where it overflows); d(a^b)/db = a^b ln a (0 at a == 0, nan
    for a < 0), as PyTorch."""
    if not isinstance(b, Value) and b == 0.0:
        d_base: Scalar = 0.0  # a^0 = 1 is constant, even where a^-1 overflows (Value(5e-324) ** 0)
    elif isinstance(a, Value) or isinstance(b, Value):
        d_base = b * a ** (b - 1)
    elif a == 0.0 and b < 1.0:  # 0 ** b with 0 < b < 1 (b < 0 already failed forward): a pole
        d_base = math.inf
    else:
        d_base = b * _float_power(a, float(b) - 1.0)
    ad = data(a)
    if ad > 0.0:
        d_exponent = out * log(a)
    elif ad == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = math.nan
    return (d_base, d_exponent)


pow = register(  # noqa: A001 - the op is called pow, as a ** b
    BinaryOp(
        "pow",
        _pow_forward,
        _pow_derivative,
        "d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a",
        symbol="**",
        method="__pow__",
        domain=(0.2, 3.0),
        second_domain=(-2.5, 2.5),
    )
)

neg = register(
    UnaryOp(
        "neg",
        lambda x: -x,
        lambda x, out: -1.0,
        "d(-x)/dx = -1",
        method="__neg__",
        symbol="-",
        template=Template("-{x}", ("-1.0",)),
    )
)

absolute = register(
    UnaryOp(
        "abs",
        abs,
        lambda x, out: (x > 0) - (x < 0) + 0.0,
        "d|x|/dx = sign(x); 0 at x = 0 (as PyTorch)",
        method="__abs__",
        kinks=(0.0,),
        template=Template("abs({x})", ("({x} > 0) - ({x} < 0) + 0.0",)),
    )
)

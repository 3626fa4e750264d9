"""Every op, each defined once: its forward rule, its one derivative, its formula and its Value method.

An op is an entry of one of the kinds in :mod:`autograd.kinds` (``UnaryOp``,
``BinaryOp``, ``NaryOp``), registered in :data:`OPS` under its name, which
also installs it on ``Value`` (``a * b``, ``x.tanh()``). Each derivative is
one function that works on floats *and* on Values: the forward pass calls it
with floats and stores the result on the node, and
``backward(create_graph=True)`` calls it with Values to build the graph of
the gradient itself (higher-order derivatives, see ``autograd.functional``).

Derivatives are written from the output where that is natural
(``tanh: 1 - out**2``, ``exp: out``). Where a function has a kink, the
derivative there follows PyTorch's convention, stated in the formula.

The test suite is parametrised over :data:`OPS`: an op is gradient-checked the
moment it is registered here, on inputs drawn from its ``domain`` away from its
``kinks``.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from operator import add as _float_add
from operator import mul as _float_mul
from operator import sub as _float_sub
from typing import Any

from autograd.kinds import (
    OPS,
    BinaryOp,
    NaryOp,
    Scalar,
    UnaryOp,
    method,
    nary_node,
    register,
)
from autograd.text import format_number, formula_parts, terms
from autograd.value import ZERO_GRADS, Value, as_float

__all__ = [
    "ELEMENTWISE_OPS",
    "OPS",
    "BinaryOp",
    "NaryOp",
    "UnaryOp",
    "as_rng",
    "cross_entropy",
    "dot",
    "log_softmax",
    "logsumexp",
    "relu_dot",
    "softmax",
    "stable_softmax",
    "sum_values",
]


def as_rng(rng: random.Random | int | None, where: str) -> Any:
    """Where a function draws from: ``rng`` itself, ``random.Random(seed)`` for an int, the ``random`` module for None.

    The one rule for every function of glassgrad that draws (initial weights,
    shuffling, ``moons``, ``rrelu``): an explicit ``rng`` (a ``random.Random``
    or an int seed) gives the same draws every run and leaves the global state
    alone; without one the draws come from Python's ``random`` module, as
    micrograd's do, so ``random.seed(...)`` makes them repeatable. The
    ``random`` module itself is accepted too, so a function can pass on what
    it was given. ``where`` names the caller in the error.

    >>> as_rng(None, "MLP") is random, as_rng(7, "MLP").random() == random.Random(7).random()
    (True, True)
    """
    if rng is None or rng is random:
        return random
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    where = where.removesuffix("()")
    raise TypeError(f"{where}() rng must be a random.Random, an int seed or None, got {type(rng).__name__}: {rng!r}")


# --------------------------------------------------------------------------
# Math that works on floats and on Values, for writing derivatives once.
# --------------------------------------------------------------------------
def _dual(name: str, on_float: Callable[[float], float]) -> Callable[[Scalar], Scalar]:
    def function(x: Scalar) -> Scalar:
        return getattr(x, name)() if isinstance(x, Value) else on_float(x)

    function.__name__ = name
    return function


def _stable_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _stable_softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _checked_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp() overflows: exp({x!r}) is larger than the largest float") from None


_exp = _dual("exp", _checked_exp)
_log = _dual("log", math.log)
_sin = _dual("sin", math.sin)
_cos = _dual("cos", math.cos)
_erf = _dual("erf", math.erf)
_tanh = _dual("tanh", math.tanh)
_sigmoid = _dual("sigmoid", _stable_sigmoid)
_softplus = _dual("softplus", _stable_softplus)
_abs = _dual("__abs__", abs)


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else x


def _reciprocal_or_inf(numerator: float, denominator: Scalar) -> Scalar:
    """``numerator / denominator``; at a 0 denominator, +-inf (a derivative's pole, as PyTorch).

    On Values (``create_graph``) the pole is a constant: the derivative's own derivative there is not finite either.
    """
    if _data(denominator) == 0.0:
        pole = math.copysign(math.inf, numerator) if numerator else math.nan
        return Value(pole) if isinstance(denominator, Value) else pole
    return numerator / denominator


# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------
# The forward rules of add, sub and mul are the operator module's C functions
# (a + b, a - b, a * b on floats): a Python-level call less per node.
_ONE_ONE = (1.0, 1.0)
add = register(
    BinaryOp(
        "add",
        _float_add,
        lambda a, b, out: _ONE_ONE,
        "d(a+b)/da = 1, d(a+b)/db = 1",
        "+",
        "__add__",
        commutative=True,
    )
)

sub = register(
    BinaryOp(
        "sub",
        _float_sub,
        lambda a, b, out: (1.0, -1.0),
        "d(a-b)/da = 1, d(a-b)/db = -1",
        "-",
        "__sub__",
    )
)

mul = register(
    BinaryOp(
        "mul",
        _float_mul,
        lambda a, b, out: (b, a),
        "d(a*b)/da = b, d(a*b)/db = a",
        "*",
        "__mul__",
        commutative=True,
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
        "/",
        "__truediv__",
        second_domain=(0.5, 5.0),
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
    ad = _data(a)
    if ad > 0.0:
        d_exponent = out * _log(a)
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
        "**",
        "__pow__",
        domain=(0.2, 3.0),
        second_domain=(-2.5, 2.5),
    )
)

neg = register(UnaryOp("neg", lambda x: -x, lambda x, out: -1.0, "d(-x)/dx = -1", method="__neg__", symbol="-"))

absolute = register(
    UnaryOp(
        "abs",
        abs,
        lambda x, out: (x > 0) - (x < 0) + 0.0,
        "d|x|/dx = sign(x); 0 at x = 0 (as PyTorch)",
        method="__abs__",
        kinks=(0.0,),
    )
)


# --------------------------------------------------------------------------
# Elementary functions
# --------------------------------------------------------------------------
exp = register(UnaryOp("exp", _checked_exp, lambda x, out: out, "d exp(x)/dx = exp(x)"))


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log() needs x > 0, got {x!r}")
    return math.log(x)


log = register(UnaryOp("log", _log_forward, lambda x, out: 1.0 / x, "d ln(x)/dx = 1/x", domain=(0.05, 10.0)))


def _sqrt_forward(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt() needs x >= 0, got {x!r}")
    return math.sqrt(x)


sqrt = register(
    UnaryOp(
        "sqrt",
        _sqrt_forward,
        lambda x, out: _reciprocal_or_inf(0.5, out),
        "d sqrt(x)/dx = 1 / (2 sqrt(x)); +inf at 0",
        domain=(0.05, 10.0),
    )
)

sin = register(UnaryOp("sin", math.sin, lambda x, out: _cos(x), "d sin(x)/dx = cos(x)"))
cos = register(UnaryOp("cos", math.cos, lambda x, out: -_sin(x), "d cos(x)/dx = -sin(x)"))

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
erf = register(
    UnaryOp(
        "erf",
        math.erf,
        lambda x, out: _TWO_OVER_SQRT_PI * _exp(-(x * x)),
        "d erf(x)/dx = 2/sqrt(pi) exp(-x^2)",
    )
)


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------
identity = register(UnaryOp("identity", lambda x: x, lambda x, out: 1.0, "d x/dx = 1"))

binary_step = register(
    UnaryOp(
        "binary_step",
        lambda x: 1.0 if x >= 0.0 else 0.0,
        lambda x, out: 0.0,
        "d step(x)/dx = 0 everywhere (undefined at 0; taken as 0): no gradient flows",
        kinks=(0.0,),
        smooth=False,
        selects=True,
    )
)

linear = register(
    UnaryOp(
        "linear",
        lambda x, c=1.0: c * x,
        lambda x, out, c=1.0: c,
        "d(c x)/dx = c",
        method=None,
        test_params=(2.5,),
    )
)


@method("linear")
def _linear_method(x: Value, c: float = 1.0) -> Value:
    """linear(x) = c x, d/dx = c.

    >>> Value(2.0).linear(3.0).data
    6.0
    """
    return linear(x, c)


sigmoid = register(
    UnaryOp(
        "sigmoid",
        _stable_sigmoid,
        lambda x, out: out * (1.0 - out),
        "d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))",
        domain=(-10.0, 10.0),
    )
)

tanh = register(UnaryOp("tanh", math.tanh, lambda x, out: 1.0 - out * out, "d tanh(x)/dx = 1 - tanh(x)^2"))


def _relu_forward(x: float) -> float:
    """relu(x) = 0.0 if x < 0 else x (nan stays nan, -0.0 stays -0.0, as PyTorch): shared with relu_dot."""
    return 0.0 if x < 0.0 else x


relu = register(
    UnaryOp(
        "relu",
        _relu_forward,
        lambda x, out: 0.0 if x <= 0.0 else 1.0,
        "d relu(x)/dx = 0 if x <= 0 else 1 (0 at x = 0, 1 at nan, as PyTorch); off, it passes nothing back",
        kinks=(0.0,),
        smooth=False,
        selects=True,
    )
)


def _leaky_forward(x: float, slope: float = 0.01) -> float:
    return x if x > 0.0 else slope * x


def _leaky_derivative(x: Scalar, out: Scalar, slope: float = 0.01) -> float:
    return 1.0 if x > 0.0 else slope


leaky_relu = register(
    UnaryOp(
        "leaky_relu",
        _leaky_forward,
        _leaky_derivative,
        "d leaky_relu(x)/dx = 1 if x > 0 else slope (slope at x = 0, as PyTorch)",
        method=None,
        kinks=(0.0,),
        smooth=False,
        test_params=(0.1,),
    )
)


@method("leaky_relu")
def _leaky_relu_method(x: Value, slope: float = 0.01) -> Value:
    """Leaky ReLU: ``x if x > 0 else slope * x``; d/dx = 1 if x > 0 else slope (slope at 0, as PyTorch).

    >>> Value(-2.0).leaky_relu(0.1).data
    -0.2
    """
    return leaky_relu(x, slope)


_rrelu_op = register(
    UnaryOp(
        "rrelu",
        _leaky_forward,
        _leaky_derivative,
        "d rrelu(x)/dx = 1 if x > 0 else a, with a the slope drawn (training) or (lower+upper)/2 (eval)",
        method=None,
        kinks=(0.0,),
        smooth=False,
        test_params=(0.2,),
    )
)


@method("rrelu")
def rrelu(
    x: Value,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    rng: random.Random | int | None = None,
) -> Value:
    """Randomized leaky ReLU: ``x if x > 0 else a x``.

    In training, ``a`` is drawn uniformly from [lower, upper] with ``rng`` (a
    ``random.Random`` or an int seed; without one, from Python's ``random``
    module, so ``random.seed`` applies). In evaluation ``a = (lower + upper) / 2``.
    The slope is kept on the node (``node.context``), so backward uses the same one.
    d/dx = 1 if x > 0 else a.

    >>> Value(-3.0).rrelu(0.1, 0.3).data   # evaluation: a = 0.2
    -0.6000000000000001
    """
    lower, upper = as_float(lower, "rrelu"), as_float(upper, "rrelu")
    if not lower <= upper:
        raise ValueError(f"rrelu() needs lower <= upper, got lower={lower!r}, upper={upper!r}")
    if not isinstance(training, bool):
        raise TypeError(f"rrelu() training must be True or False, got {training!r}")
    slope = as_rng(rng, "rrelu").uniform(lower, upper) if training else (lower + upper) / 2.0
    return _rrelu_op(x, slope)


def _gelu_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

_gelu_exact = register(
    UnaryOp(
        "gelu",
        _gelu_forward,
        lambda x, out: 0.5 * (1.0 + _erf(x * _INV_SQRT_2)) + x * _INV_SQRT_2PI * _exp(-0.5 * x * x),
        "d gelu(x)/dx = Phi(x) + x phi(x), Phi the normal CDF, phi its density",
        method=None,
    )
)

_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _gelu_tanh_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(_GELU_K * (x + _GELU_C * x * x * x)))


def _gelu_tanh_derivative(x: Scalar, out: Scalar) -> Scalar:
    t = _tanh(_GELU_K * (x + _GELU_C * x * x * x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)


_gelu_tanh = register(
    UnaryOp(
        "gelu_tanh",
        _gelu_tanh_forward,
        _gelu_tanh_derivative,
        "d/dx 0.5x(1+t) = 0.5(1+t) + 0.5x(1-t^2) k(1 + 3c x^2), t = tanh(k(x + c x^3)), k = sqrt(2/pi), c = 0.044715",
        method=None,
    )
)


@method("gelu")
def gelu(x: Value, approximate: str = "none") -> Value:
    """GELU: ``x Phi(x)`` exactly (with erf), or its tanh approximation (``approximate="tanh"``).

    Phi is the standard normal CDF: gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), and
    d/dx = Phi(x) + x phi(x). The tanh form is 0.5 x (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi).

    >>> round(Value(1.0).gelu().data, 6)
    0.841345
    """
    if approximate == "none":
        return _gelu_exact(x)
    if approximate == "tanh":
        return _gelu_tanh(x)
    raise ValueError(f"gelu() approximate must be 'none' or 'tanh', got {approximate!r}")


def _elu_forward(x: float, alpha: float = 1.0) -> float:
    return x if x > 0.0 else alpha * math.expm1(x)


def _elu_derivative(x: Scalar, out: Scalar, alpha: float = 1.0) -> Scalar:
    return 1.0 if x > 0.0 else alpha * _exp(x)


elu = register(
    UnaryOp(
        "elu",
        _elu_forward,
        _elu_derivative,
        "d elu(x)/dx = 1 if x > 0 else alpha e^x (alpha at x = 0, as PyTorch)",
        method=None,
        kinks=(0.0,),
        smooth=False,
        test_params=(1.5,),
    )
)


@method("elu")
def _elu_method(x: Value, alpha: float = 1.0) -> Value:
    """ELU: ``x if x > 0 else alpha (e^x - 1)``; d/dx = 1 if x > 0 else alpha e^x (alpha at 0, as PyTorch).

    >>> round(Value(-1.0).elu().data, 6)
    -0.632121
    """
    return elu(x, alpha)


SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

selu = register(
    UnaryOp(
        "selu",
        lambda x: SELU_SCALE * _elu_forward(x, SELU_ALPHA),
        lambda x, out: SELU_SCALE * _elu_derivative(x, out, SELU_ALPHA),
        "d selu(x)/dx = scale if x > 0 else scale alpha e^x",
        kinks=(0.0,),
        smooth=False,
    )
)

softplus = register(
    UnaryOp(
        "softplus",
        _stable_softplus,
        lambda x, out: _sigmoid(x),
        "d ln(1 + e^x)/dx = sigmoid(x)",
        domain=(-10.0, 10.0),
    )
)


def _silu_derivative(x: Scalar, out: Scalar) -> Scalar:
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


silu = register(
    UnaryOp(
        "silu",
        lambda x: x * _stable_sigmoid(x),
        _silu_derivative,
        "d x sigmoid(x)/dx = s (1 + x (1 - s)), s = sigmoid(x)",
    )
)


def _mish_derivative(x: Scalar, out: Scalar) -> Scalar:
    t = _tanh(_softplus(x))
    return t + x * (1.0 - t * t) * _sigmoid(x)


mish = register(
    UnaryOp(
        "mish",
        lambda x: x * math.tanh(_stable_softplus(x)),
        _mish_derivative,
        "d x tanh(softplus(x))/dx = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))",
    )
)


def _softsign_derivative(x: Scalar, out: Scalar) -> Scalar:
    d = 1.0 + _abs(x)
    return 1.0 / (d * d)


softsign = register(
    UnaryOp(
        "softsign",
        lambda x: x / (1.0 + abs(x)),
        _softsign_derivative,
        "d x/(1+|x|)/dx = 1/(1+|x|)^2",
        kinks=(0.0,),  # the second derivative jumps at 0
    )
)


# --------------------------------------------------------------------------
# --------------------------------------------------------------------------
# n-ary ops: one node for many inputs
# --------------------------------------------------------------------------
class DeferredGrads(Sequence):
    """Local derivatives computed when read, by the op's own derivative: ``derivative(*arguments)``.

    For ops whose every output depends on every input (softmax): n nodes of
    n stored derivatives each would take memory quadratic in n (10,000
    logits: over 3 GB); deferred, it stays linear.
    """

    __slots__ = ("arguments", "derivative", "length")

    def __init__(self, derivative: Callable[..., Sequence], arguments: tuple, length: int) -> None:
        self.derivative, self.arguments, self.length = derivative, arguments, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Any:
        return iter(self.derivative(*self.arguments))

    def __getitem__(self, index: Any) -> Any:
        return tuple(self)[index]


def _as_values(values: Sequence[Value | float], where: str) -> tuple[Value, ...]:
    if isinstance(values, Value) or not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(f"{where}() needs a sequence of Values or numbers, got {type(values).__name__}: {values!r}")
    if len(values) == 0:
        raise ValueError(f"{where}() needs at least one value, got an empty sequence")
    return tuple(v if isinstance(v, Value) else Value(as_float(v, where)) for v in values)


def _total(values: Sequence[Scalar]) -> Scalar:
    """The sum of floats (exactly rounded) or of Values (one sum node)."""
    return sum_values(values) if isinstance(values[0], Value) else math.fsum(values)


def softmax_and_logsumexp(z: Sequence[Scalar]) -> tuple[list[Scalar], Scalar]:
    """(softmax(z), logsumexp(z)), stable: softmax(z)_j = e^(z_j - m) / sum_k e^(z_k - m), m = max(z).

    On floats, or built from Value ops. Subtracting the max changes nothing
    (softmax(z) = softmax(z - c)) but keeps every exponent <= 0, so nothing
    overflows; logsumexp(z) = m + log(sum_k e^(z_k - m)). The one softmax:
    the forward passes and derivatives of softmax, log_softmax, logsumexp and
    cross_entropy all come from it.
    """
    on_values = isinstance(z[0], Value)
    top = max([v.data for v in z] if on_values else z)
    if math.isinf(top):
        raise ValueError(f"softmax needs finite logits, got {top!r}")
    exp, log = (_exp, _log) if on_values else (math.exp, math.log)  # the same formula, on either
    exps = [exp(v - top) for v in z]
    total = _total(exps)
    return [e / total for e in exps], top + log(total)


def stable_softmax(z: Sequence[Scalar]) -> list[Scalar]:
    """softmax(z), stable (see :func:`softmax_and_logsumexp`); floats or Values.

    >>> [round(p, 4) for p in stable_softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    """
    return softmax_and_logsumexp(z)[0]


class _Sum(NaryOp):
    def expression(self, node: Value, name: Callable[[Value], str]) -> str:
        return " + ".join(terms([name(p) for p in node.parents]))

    def derivative_text(self, node: Value, position: int, name: Callable[[Value], str]) -> tuple[str, str]:
        return self.formula, f"i = {position + 1}"


def _sum_derivative(values: Sequence[Scalar], out: Scalar, context: Any) -> tuple:
    return (1.0,) * len(values)


_sum = register(_Sum("sum", _sum_derivative, "d(v_1 + ... + v_n)/dv_i = 1", "sum"))


def sum_values(values: Sequence[Value | float], start: float = 0.0) -> Value:
    """sum(values) as one node: d(sum)/dv_i = 1 for every Value v_i.

    Plain numbers among ``values`` (and ``start``) are added in as a constant.

    >>> a, b = Value(1.0), Value(2.0)
    >>> sum_values([a, b, 3.0]).data
    6.0
    """
    if isinstance(values, Value | str) or not isinstance(values, Iterable):
        raise TypeError(f"sum_values() needs a sequence of Values or numbers, got {type(values).__name__}: {values!r}")
    start = as_float(start, "sum_values")
    parents = []
    constant = 0.0
    for v in values:
        if isinstance(v, Value):
            parents.append(v)
        else:
            constant += as_float(v, "sum_values")
    total = math.fsum([start, constant]) if constant else start
    for v in parents:
        total += v.data
    parents_ = tuple(parents)
    return nary_node(_sum, total, parents_, _sum_derivative(parents_, total, None))


# --- softmax and friends: one derivative each, from the one stable softmax ---
def _softmax_derivative(z: Sequence[Scalar], out: Scalar, i: int) -> list:
    """d s_i / d z_j = s_i (delta_ij - s_j)."""
    return [out * ((i == j) - s_j) for j, s_j in enumerate(stable_softmax(z))]


_softmax = register(
    NaryOp("softmax", _softmax_derivative, "d s_i/d z_j = s_i (delta_ij - s_j)", "softmax", method="softmax")
)


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), one node per output; d s_i / d z_j = s_i (delta_ij - s_j).

    Stable (see :func:`stable_softmax`): ``softmax([1000.0, 0.0])`` is
    [1.0, e^-1000]. Each output's local derivatives are computed when
    backward reads them, so memory stays linear in the number of logits.

    >>> [round(s.data, 4) for s in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    """
    logits = _as_values(values, "softmax")
    data = [z.data for z in logits]
    n = len(logits)
    return [
        nary_node(_softmax, s_i, logits, DeferredGrads(_softmax_derivative, (data, s_i, i), n), i)
        for i, s_i in enumerate(stable_softmax(data))
    ]


def _log_softmax_derivative(z: Sequence[Scalar], out: Scalar, i: int) -> list:
    """d(z_i - logsumexp(z))/dz_j = delta_ij - s_j."""
    return [(i == j) - s_j for j, s_j in enumerate(stable_softmax(z))]


_log_softmax = register(
    NaryOp(
        "log_softmax",
        _log_softmax_derivative,
        "d(z_i - logsumexp(z))/dz_j = delta_ij - s_j",
        "log_softmax",
        method="log_softmax",
    )
)


def log_softmax(values: Sequence[Value | float]) -> list[Value]:
    """log_softmax(z)_i = z_i - logsumexp(z), stable for large logits; d/dz_j = delta_ij - softmax(z)_j.

    >>> [round(v.data, 4) for v in log_softmax([0.0, 0.0])]
    [-0.6931, -0.6931]
    """
    logits = _as_values(values, "log_softmax")
    data = [z.data for z in logits]
    lse = softmax_and_logsumexp(data)[1]
    n = len(logits)
    return [
        nary_node(_log_softmax, z - lse, logits, DeferredGrads(_log_softmax_derivative, (data, z - lse, i), n), i)
        for i, z in enumerate(data)
    ]


def _logsumexp_derivative(z: Sequence[Scalar], out: Scalar, context: Any) -> list:
    """d logsumexp(z)/dz_j = softmax(z)_j."""
    return stable_softmax(z)


_logsumexp = register(NaryOp("logsumexp", _logsumexp_derivative, "d logsumexp(z)/dz_j = softmax(z)_j", "logsumexp"))


def logsumexp(values: Sequence[Value | float]) -> Value:
    """log(sum_j e^(z_j)), stable: d/dz_j = softmax(z)_j.

    >>> round(logsumexp([1000.0, 1000.0]).data, 4)
    1000.6931
    """
    logits = _as_values(values, "logsumexp")
    data = [z.data for z in logits]
    probabilities, lse = softmax_and_logsumexp(data)
    return nary_node(_logsumexp, lse, logits, tuple(probabilities))  # its derivative, softmax(z), from the same pass


class _CrossEntropy(NaryOp):
    def context_text(self, context: Any) -> str:
        return f"(target={context})"

    def expression(self, node: Value, name: Callable[[Value], str]) -> str:
        return f"{self.symbol}(({', '.join(terms([name(p) for p in node.parents]))}), target={node.context})"

    def derivative_text(self, node: Value, position: int, name: Callable[[Value], str]) -> tuple[str, str]:
        target = node.context
        return self.formula, f"j = {position + 1}, t = {target + 1} (class index {target})"


def _cross_entropy_derivative(z: Sequence[Scalar], out: Scalar, target: int) -> list:
    """d(logsumexp(z) - z_t)/dz_j = softmax(z)_j - [j == t]."""
    return _cross_entropy_grads(stable_softmax(z), target)


def _cross_entropy_grads(probabilities: Sequence[Scalar], target: int) -> list:
    return [s_j - (j == target) for j, s_j in enumerate(probabilities)]


_cross_entropy = register(
    _CrossEntropy(
        "cross_entropy",
        _cross_entropy_derivative,
        "d(logsumexp(z) - z_t)/dz_j = softmax(z)_j - [j == t]",
        "cross_entropy",
    )
)


def cross_entropy(logits: Sequence[Value | float], target: int) -> Value:
    """-log softmax(z)_target = logsumexp(z) - z_target, as one stable node.

    d/dz_j = softmax(z)_j - [j == target]. ``target`` is a class index.

    >>> round(cross_entropy([0.0, 0.0], 1).data, 4)   # log 2
    0.6931
    """
    logits_ = _as_values(logits, "cross_entropy")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(f"cross_entropy() target must be a class index (int), got {type(target).__name__}: {target!r}")
    if not 0 <= target < len(logits_):
        raise ValueError(f"cross_entropy() target {target} is out of range for {len(logits_)} classes")
    target = int(target)
    data = [z.data for z in logits_]
    probabilities, lse = softmax_and_logsumexp(data)  # one pass: the value and (below) its derivative
    return nary_node(
        _cross_entropy, lse - data[target], logits_, tuple(_cross_entropy_grads(probabilities, target)), target
    )


# --- the dot product: the reference rule (autograd.fast builds the same nodes faster) ---
def dot_terms(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> list[tuple[str, int, Value, Any]]:
    """The derivative of w . x + b, written once: each Value's role, index and partner.

    d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1. One
    ``(role, i, value, partner)`` per Value, in the order of the node's
    parents: the weights that are Values (``("w", i, w_i, x_i)``), then the
    inputs that are Values (``("x", i, x_i, w_i)``), then the bias if it is
    one (``("b", 0, b, 1.0)``); i counts from 1. Partners are numbers or Values.
    """
    pairs = list(enumerate(zip(weights, inputs), start=1))
    found: list[tuple[str, int, Value, Any]] = [("w", i, w, x) for i, (w, x) in pairs if isinstance(w, Value)]
    found += [("x", i, x, w) for i, (w, x) in pairs if isinstance(x, Value)]
    if isinstance(bias, Value):
        found.append(("b", 0, bias, 1.0))
    return found


def _dot_derivative(parts: tuple, out: Scalar, context: Any) -> tuple:
    """The partners of :func:`dot_terms`: d(w.x + b)/dw_i = x_i, d/dx_i = w_i, d/db = 1."""
    return tuple(partner for _, _, _, partner in dot_terms(*parts))


def _relu_dot_derivative(parts: tuple, out: Scalar, context: Any) -> tuple:
    """The dot's derivatives where relu(z) = z (z > 0, or nan), else 0 (0 at z = 0, as relu)."""
    grads = _dot_derivative(parts, out, context)
    return (0.0,) * len(grads) if _data(out) <= 0.0 else grads


class DotOp(NaryOp):
    """``w . x + b`` (and ``relu(w . x + b)``) as one node: the weights, inputs and bias, read from its context.

    A node's context is ``(weights, inputs, bias)``; or ``(inputs,)`` when
    the weights are its first ``len(inputs)`` parents and the bias its last
    (a bias Value): the rows of one layer share that one tuple (see
    :mod:`autograd.fast`).
    """

    folds_in = True

    def arguments(self, node: Value) -> tuple:
        context = node.context
        if len(context) == 3:
            weights, inputs, bias = context
            return weights[: len(inputs)], inputs, bias
        (inputs,) = context
        parents = node.parents
        return parents[: len(inputs)], inputs, parents[-1]

    def caption(self, node: Value) -> str:
        return self.symbol

    def _terms(self, node: Value, name: Callable[[Value], str]) -> str:
        weights, inputs, bias = self.arguments(node)

        def text(x: Any) -> str:
            return name(x) if isinstance(x, Value) else format_number(x)

        parts = [f"{text(w)}*{text(x)}" for w, x in zip(weights, inputs)]
        if isinstance(bias, Value) or bias != 0.0:
            parts.append(text(bias))
        return " + ".join(terms(parts))

    def expression(self, node: Value, name: Callable[[Value], str]) -> str:
        total = self._terms(node, name)
        return f"relu({total})" if self.name == "relu_dot" else total

    def derivative_text(self, node: Value, position: int, name: Callable[[Value], str]) -> tuple[str, str]:
        role, index, value, partner = dot_terms(*self.arguments(node))[position]
        part = formula_parts(self.formula)[{"w": 0, "x": 1, "b": 2}[role]]
        if role == "b":
            return part, f"b = {name(value)}"
        other = "x" if role == "w" else "w"
        shown = name(partner) if isinstance(partner, Value) else format_number(partner)
        return part, f"i = {index}, {other}_{index} = {shown}"

    def constants(self, node: Value) -> list[float]:
        weights, inputs, bias = self.arguments(node)
        found = [w for w, x in zip(weights, inputs) if not isinstance(w, Value)]
        found += [x for w, x in zip(weights, inputs) if not isinstance(x, Value)]
        if not isinstance(bias, Value) and bias != 0.0:
            found.append(bias)
        return [float(c) for c in found]

    def constant_caption(self, node: Value, limit: int = 6) -> str:
        found = self.constants(node)
        shown = ", ".join(format_number(c) for c in found[:limit])
        return shown + (f", ... ({len(found)} constants)" if len(found) > limit else "")


_dot = register(DotOp("dot", _dot_derivative, "d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1", "dot"))
_relu_dot = register(
    DotOp(
        "relu_dot",
        _relu_dot_derivative,
        "d relu(w.x + b)/dw_i = x_i if w.x + b > 0 else 0, d relu(w.x + b)/dx_i = w_i if w.x + b > 0 else 0, "
        "d relu(w.x + b)/db = 1 if w.x + b > 0 else 0",
        "relu(dot)",
    )
)


def _dot_node(weights: Sequence[Any], inputs: Sequence[Any], bias: Value | float, op: DotOp) -> Value:
    for given in (weights, inputs):
        if isinstance(given, Value | str) or not isinstance(given, Sequence):
            raise TypeError(f"{op.name}() needs sequences of weights and inputs, got {type(given).__name__}: {given!r}")
    if len(inputs) != len(weights):
        raise ValueError(f"{op.name}() needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    weights = tuple(w if isinstance(w, Value) else as_float(w, op.name) for w in weights)  # numpy's too: floats
    inputs = tuple(x if isinstance(x, Value) else as_float(x, op.name) for x in inputs)
    bias = bias if isinstance(bias, Value) else as_float(bias, op.name)
    z = sum(map(_float_mul, map(_data, weights), map(_data, inputs)), _data(bias))
    parts = (weights, inputs, bias)
    parents = tuple(value for _, _, value, _ in dot_terms(*parts))
    out = _relu_forward(z) if op is _relu_dot else z
    local_grads = tuple(_data(g) for g in op.derivative(parts, out, None))
    if op is _relu_dot and z <= 0.0:
        local_grads = ZERO_GRADS  # an off relu: every local derivative is 0, and backward runs no edge of it
    return nary_node(op, out, parents, local_grads, parts)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """w . x + b as one node (a neuron's pre-activation), not 2n binary nodes.

    Either side may hold plain numbers: only Values become parents, so a
    network's float inputs cost no nodes and no gradient work.
    d/dw_i = x_i, d/dx_i = w_i, d/db = 1. For a layer (many rows of weights
    over the same inputs) :func:`autograd.dots` builds the same nodes faster.

    >>> w, x = [Value(0.2), Value(0.8), Value(-0.5), Value(1.0)], [1.0, 2.0, 3.0, 2.5]
    >>> round(dot(w, x, 2.0).data, 10)   # the textbook example
    4.8
    """
    return _dot_node(weights, inputs, bias, _dot)


def relu_dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """relu(w . x + b) as one node: a relu neuron, the same number as ``dot(w, x, b).relu()``.

    With z = w . x + b: d/dw_i = x_i [z > 0], d/dx_i = w_i [z > 0],
    d/db = [z > 0] (0 at z = 0, as relu). When the neuron is off (z <= 0)
    its local derivatives are ``ZERO_GRADS`` and backward passes nothing
    back through it (as PyTorch's relu: not even an inf or nan grad).

    >>> relu_dot([Value(1.0)], [-2.0]).data
    0.0
    """
    return _dot_node(weights, inputs, bias, _relu_dot)


#: The element-wise ops, by name: what the gradient tests and the pictures iterate over.
ELEMENTWISE_OPS = {name: op for name, op in OPS.items() if isinstance(op, UnaryOp | BinaryOp)}

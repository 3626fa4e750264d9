"""Every primitive op, each defined once: its forward rule and its derivative.

An op is an instance of one of a few kinds (``UnaryOp``, ``BinaryOp``, and the
n-ary ops at the bottom) registered in :data:`OPS` under its name. Each
derivative is written once, as a function that works on floats *and* on
``Value``s: the forward pass calls it with floats and stores the result on the
new node (``node.local_grads``), and ``backward(create_graph=True)`` calls the
same function with ``Value``s to build the graph of the gradient itself, which
is what higher-order derivatives differentiate (see ``autograd.functional``).

Derivatives are written from the output where that is natural
(``tanh: 1 - out**2``, ``exp: out``). Where a function has a kink, the
derivative there follows PyTorch's convention, stated in the docstring.

The test suite is parametrised over :data:`OPS`: an op is gradient-checked the
moment it is registered here, on inputs drawn from its ``domain`` away from its
``kinks``.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add as _float_add
from operator import mul as _float_mul
from operator import sub as _float_sub
from typing import Any

from autograd.mode import is_recording as _is_recording
from autograd.value import Value, _as_float

Number = float
Scalar = Any  # a float, or a Value when building the graph of a gradient

#: Every op by name. Filled in by ``_register`` as the ops below are defined.
OPS: dict[str, Any] = {}

_new_value = Value.__new__


def _leaf(data: float) -> Value:
    """A new leaf holding ``data``: what an op returns under ``no_grad``."""
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = ""
    node.context = None
    node._parents = node._interior_parents = node._local_grads = ()
    return node


def _interior(data: float, parents: tuple, local_grads: tuple, op: str, context: Any) -> Value:
    """A new interior node with any number of parents; the caller has checked that recording is on.

    With no parents at all (an op over plain numbers only) the result has no
    history: a leaf, like the result of ``Value(2.0) * 3`` under ``no_grad``.
    """
    if not parents:
        return _leaf(data)
    if len(parents) == 1:
        return _interior_small(data, parents[0], None, local_grads[0], 0.0, op, context)
    if len(parents) == 2:
        return _interior_small(data, parents[0], parents[1], local_grads[0], local_grads[1], op, context)
    return _interior_wide(data, parents, local_grads, op, context)


def _interior_wide(data: float, parents: tuple, local_grads: tuple, op: str, context: Any) -> Value:
    """A new interior node that keeps its parents and their local derivatives as tuples, however many."""
    node = _leaf(data)
    node.op = op
    node.context = context
    node._parents = node._interior_parents = parents
    node._local_grads = local_grads
    return node


def _interior_small(
    data: float,
    first: Value,
    second: Value | None,
    first_local: Scalar,
    second_local: Scalar,
    op: str,
    context: Any,
) -> Value:
    """A new interior node with one parent (``second`` is None) or two, held on the node with their derivatives.

    See ``Value`` for why; ``second_local`` is not read when there is one parent.
    Every unary and binary op makes its node here, so the node is built in
    place, not from ``_leaf`` (a call less per node).
    """
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.context = context
    node._parents = node._interior_parents = None
    node._first = first
    node._second = second
    node._first_local = first_local
    node._second_local = second_local
    return node


def _node(data: float, parents: tuple, local_grads: tuple, op: str, context: Any = None) -> Value:
    """Make an interior node (or, under ``no_grad``, a leaf with the same data)."""
    if _is_recording():
        return _interior(data, parents, local_grads, op, context)
    return _leaf(data)


def _register(op: Any) -> Any:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    return op


# --------------------------------------------------------------------------
# Math that works on floats and on Values, for writing derivatives once.
# --------------------------------------------------------------------------
def _dual(method: str, on_float: Callable[[float], float]) -> Callable[[Scalar], Scalar]:
    def function(x: Scalar) -> Scalar:
        return getattr(x, method)() if isinstance(x, Value) else on_float(x)

    function.__name__ = method
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
_sqrt = _dual("sqrt", math.sqrt)
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
    """``numerator / denominator``; for a float 0 denominator, +-inf (a derivative's pole)."""
    if not isinstance(denominator, Value) and denominator == 0.0:
        return math.copysign(math.inf, numerator) if numerator else math.nan
    return numerator / denominator


# --------------------------------------------------------------------------
# Op kinds
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class UnaryOp:
    """f(x, *params): a forward rule on floats and a derivative on floats or Values.

    ``derivative(x, out, *params)`` returns df/dx given the input ``x`` and the
    output ``out``. Calling the op (``relu(x)``) runs ``apply``, a plain
    function built from the two rules when the op is made; ``Value``'s
    methods are that function itself (see :func:`_unary_function`).
    """

    name: str
    forward: Callable[..., float]
    derivative: Callable[..., Scalar]
    formula: str  # the derivative in words, for docs, pictures and explain()
    domain: tuple[float, float] = (-5.0, 5.0)  # where tests draw inputs
    kinks: tuple[float, ...] = ()  # points where the derivative jumps
    smooth: bool = True  # twice differentiable on the domain away from kinks
    test_params: tuple = ()  # parameters the tests call it with
    symbol: str = ""
    apply: Callable[..., Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)
        object.__setattr__(self, "apply", _unary_function(self))

    def __call__(self, x: Value | float, *params: Any) -> Value:
        return self.apply(x, *params)

    def local_grads_as_values(self, node: Value) -> tuple:
        params = node.context or ()
        return (self.derivative(node.parents[0], node, *params),)

    def evaluate(self, *args: float) -> float:
        """The forward rule on floats, for tests and numerical checks."""
        return self.forward(*args)


def _unary_function(op: UnaryOp) -> Callable[..., Value]:
    """``op`` as a plain function ``apply(x, *params)``: the forward rule, then the node.

    The node stores the derivative as a float (its ``local_grads``) and the
    parameters, if any, as its ``context``. Under ``no_grad`` the derivative
    is not computed and the result is a leaf. A closure over the op's rules
    reads no attribute of the op per call, and ``Value.relu`` is this very
    function, not a method that calls it: relu of a Value takes 330 ns
    instead of 510 (measured). An op called with no parameters passes none
    on: calling the rules with ``*params`` costs as much again.
    """
    name, forward, derivative = op.name, op.forward, op.derivative

    def apply(x: Value | float, *params: Any) -> Value:
        if params:
            return apply_with_params(x, params)
        if not isinstance(x, Value):
            x = Value(x)
        xd = x.data
        out = forward(xd)
        if not _is_recording():  # no_grad: skip the derivative too
            return _leaf(out)
        return _interior_small(out, x, None, derivative(xd, out), 0.0, name, None)

    def apply_with_params(x: Value | float, params: tuple) -> Value:
        if not isinstance(x, Value):
            x = Value(x)
        xd = x.data
        out = forward(xd, *params)
        if not _is_recording():
            return _leaf(out)
        return _interior_small(out, x, None, derivative(xd, out, *params), 0.0, name, params)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(x): one node; {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class BinaryOp:
    """f(a, b): ``derivative(a, b, out)`` returns (df/da, df/db).

    Either operand may be a plain number: it is folded into the node as a
    constant (stored in ``node.context`` with its position) instead of
    becoming a Value of its own, which saves a node per constant. Calling the
    op runs ``apply``, a plain function built from its rules when the op is
    made; ``Value``'s operators are that function (``apply_reflected`` for
    ``__radd__`` and the like), see :func:`_binary_function`.
    """

    name: str
    forward: Callable[[float, float], float]
    derivative: Callable[[Scalar, Scalar, Scalar], tuple]
    formula: str
    symbol: str
    domain: tuple[float, float] = (-5.0, 5.0)
    second_domain: tuple[float, float] | None = None
    kinks: tuple[float, ...] = ()
    smooth: bool = True
    test_params: tuple = ()
    apply: Callable[[Any, Any], Value] = field(init=False, repr=False)
    apply_reflected: Callable[[Any, Any], Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        apply = _binary_function(self)

        def apply_reflected(self: Value, other: Any) -> Value:
            return apply(other, self)  # other (op) self: Value.__radd__ and the like

        apply_reflected.__name__ = apply_reflected.__qualname__ = f"reflected_{self.name}"
        object.__setattr__(self, "apply", apply)
        object.__setattr__(self, "apply_reflected", apply_reflected)

    def __call__(self, a: Value | float, b: Value | float) -> Value:
        return self.apply(a, b)

    def local_grads_as_values(self, node: Value) -> tuple:
        if node.context is None:
            a, b = node.parents
            return self.derivative(a, b, node)
        constant_position, constant = node.context
        (variable,) = node.parents
        if constant_position == 0:
            return (self.derivative(constant, variable, node)[1],)
        return (self.derivative(variable, constant, node)[0],)

    def evaluate(self, *args: float) -> float:
        return self.forward(*args)


def _binary_function(op: BinaryOp) -> Callable[[Any, Any], Value]:
    """``op`` as a plain function ``apply(a, b)``: the forward rule, then the node.

    Under ``no_grad`` the derivative is not computed at all (the result is a
    leaf). A closure over the op's rules, set on ``Value`` as the operator
    itself: ``a * b`` takes 300 ns instead of 440 (measured), which is most
    of the time of code written from scalar ops.
    """
    name, forward, derivative = op.name, op.forward, op.derivative
    # A folded constant's context, (position, constant), is reused by the next
    # node whose constant is the same float object: the literal of a loop such
    # as ``x = x * 1.0001 + 0.001``. A tuple less per node is an object less
    # for the cyclic garbage collector to count: on the T3 chain of a million
    # nodes, building took 1.4-2.2 -> 1.2 us/node (measured). One variable
    # holds the pair, so two threads can only make an extra tuple, never mix
    # a position with another node's constant.
    constant_b_context: tuple = (1, None)
    constant_a_context: tuple = (0, None)

    def apply(a: Value | float, b: Value | float) -> Value:
        nonlocal constant_a_context, constant_b_context
        if isinstance(a, Value):
            ad = a.data
            if isinstance(b, Value):
                bd = b.data
                out = forward(ad, bd)
                if not _is_recording():
                    return _leaf(out)
                local_a, local_b = derivative(ad, bd, out)
                return _interior_small(out, a, b, local_a, local_b, name, None)
            bd = b if type(b) is float else _as_float(b, name)
            out = forward(ad, bd)
            if not _is_recording():
                return _leaf(out)
            context = constant_b_context
            if context[1] is not bd:
                context = constant_b_context = (1, bd)
            return _interior_small(out, a, None, derivative(ad, bd, out)[0], 0.0, name, context)
        if isinstance(b, Value):
            ad = a if type(a) is float else _as_float(a, name)
            bd = b.data
            out = forward(ad, bd)
            if not _is_recording():
                return _leaf(out)
            context = constant_a_context
            if context[1] is not ad:
                context = constant_a_context = (0, ad)
            return _interior_small(out, b, None, derivative(ad, bd, out)[1], 0.0, name, context)
        return Value(forward(_as_float(a, name), _as_float(b, name)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(a, b), one node: {op.formula}."
    return apply


# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------
# The forward rules of add, sub and mul are the operator module's C functions
# (a + b, a - b, a * b on floats): a Python-level call less per node.
_ONE_ONE = (1.0, 1.0)
add = _register(
    BinaryOp(
        "add",
        _float_add,
        lambda a, b, out: _ONE_ONE,
        "d(a+b)/da = 1, d(a+b)/db = 1",
        "+",
    )
)

sub = _register(
    BinaryOp(
        "sub",
        _float_sub,
        lambda a, b, out: (1.0, -1.0),
        "d(a-b)/da = 1, d(a-b)/db = -1",
        "-",
    )
)

mul = _register(
    BinaryOp(
        "mul",
        _float_mul,
        lambda a, b, out: (b, a),
        "d(a*b)/da = b, d(a*b)/db = a",
        "*",
    )
)


def _div_forward(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div(): division by zero: {a!r} / {b!r}")
    return a / b


div = _register(
    BinaryOp(
        "div",
        _div_forward,
        lambda a, b, out: (1.0 / b, -out / b),
        "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2",
        "/",
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


def _pow_derivative(a: Scalar, b: Scalar, out: Scalar) -> tuple:
    """d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a (0 at a == 0, nan for a < 0, as PyTorch)."""
    if isinstance(a, Value) or isinstance(b, Value) or a != 0.0 or b >= 1.0:
        d_base = b * a ** (b - 1)
    else:  # 0 ** b with 0 <= b < 1 (b < 0 already failed forward): a pole, or a constant when b == 0
        d_base = 0.0 if b == 0.0 else math.inf
    ad = _data(a)
    if ad > 0.0:
        d_exponent = out * _log(a)
    elif ad == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = math.nan
    return (d_base, d_exponent)


pow = _register(  # noqa: A001 - the op is called pow, as a ** b
    BinaryOp(
        "pow",
        _pow_forward,
        _pow_derivative,
        "d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a",
        "**",
        domain=(0.2, 3.0),
        second_domain=(-2.5, 2.5),
    )
)

neg = _register(UnaryOp("neg", lambda x: -x, lambda x, out: -1.0, "d(-x)/dx = -1", symbol="-"))

absolute = _register(
    UnaryOp(
        "abs",
        abs,
        lambda x, out: (x > 0) - (x < 0) + 0.0,
        "d|x|/dx = sign(x); 0 at x = 0 (as PyTorch)",
        kinks=(0.0,),
    )
)


# --------------------------------------------------------------------------
# Elementary functions
# --------------------------------------------------------------------------
exp = _register(UnaryOp("exp", _checked_exp, lambda x, out: out, "d exp(x)/dx = exp(x)"))


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log() needs x > 0, got {x!r}")
    return math.log(x)


log = _register(UnaryOp("log", _log_forward, lambda x, out: 1.0 / x, "d ln(x)/dx = 1/x", domain=(0.05, 10.0)))


def _sqrt_forward(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt() needs x >= 0, got {x!r}")
    return math.sqrt(x)


sqrt = _register(
    UnaryOp(
        "sqrt",
        _sqrt_forward,
        lambda x, out: _reciprocal_or_inf(0.5, out),
        "d sqrt(x)/dx = 1 / (2 sqrt(x)); +inf at 0",
        domain=(0.05, 10.0),
    )
)

sin = _register(UnaryOp("sin", math.sin, lambda x, out: _cos(x), "d sin(x)/dx = cos(x)"))
cos = _register(UnaryOp("cos", math.cos, lambda x, out: -_sin(x), "d cos(x)/dx = -sin(x)"))

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
erf = _register(
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
identity = _register(UnaryOp("identity", lambda x: x, lambda x, out: 1.0, "d x/dx = 1"))

binary_step = _register(
    UnaryOp(
        "binary_step",
        lambda x: 1.0 if x >= 0.0 else 0.0,
        lambda x, out: 0.0,
        "d step(x)/dx = 0 everywhere (undefined at 0; taken as 0): no gradient flows",
        kinks=(0.0,),
        smooth=False,
    )
)

linear = _register(
    UnaryOp(
        "linear",
        lambda x, c=1.0: c * x,
        lambda x, out, c=1.0: c,
        "d(c x)/dx = c",
        test_params=(2.5,),
    )
)

sigmoid = _register(
    UnaryOp(
        "sigmoid",
        _stable_sigmoid,
        lambda x, out: out * (1.0 - out),
        "d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))",
        domain=(-10.0, 10.0),
    )
)

tanh = _register(UnaryOp("tanh", math.tanh, lambda x, out: 1.0 - out * out, "d tanh(x)/dx = 1 - tanh(x)^2"))


def _relu_forward(x: float) -> float:
    """relu(x) = x if x > 0 else 0.0 (so 0.0 for -0.0 and nan): the relu op's forward rule, shared with relu_dot."""
    return x if x > 0.0 else 0.0


relu = _register(
    UnaryOp(
        "relu",
        _relu_forward,
        lambda x, out: 1.0 if x > 0.0 else 0.0,
        "d relu(x)/dx = 1 if x > 0 else 0 (0 at x = 0, as PyTorch)",
        kinks=(0.0,),
        smooth=False,
    )
)


def _leaky_forward(x: float, slope: float = 0.01) -> float:
    return x if x > 0.0 else slope * x


def _leaky_derivative(x: Scalar, out: Scalar, slope: float = 0.01) -> float:
    return 1.0 if x > 0.0 else slope


leaky_relu = _register(
    UnaryOp(
        "leaky_relu",
        _leaky_forward,
        _leaky_derivative,
        "d leaky_relu(x)/dx = 1 if x > 0 else slope (slope at x = 0, as PyTorch)",
        kinks=(0.0,),
        smooth=False,
        test_params=(0.1,),
    )
)

_rrelu_op = _register(
    UnaryOp(
        "rrelu",
        _leaky_forward,
        _leaky_derivative,
        "d rrelu(x)/dx = 1 if x > 0 else a, with a the slope drawn (training) or (lower+upper)/2 (eval)",
        kinks=(0.0,),
        smooth=False,
        test_params=(0.2,),
    )
)


def rrelu(
    x: Value,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    rng: random.Random | int | None = None,
) -> Value:
    """Randomized leaky ReLU: ``x if x > 0 else a x``.

    In training, ``a`` is drawn uniformly from [lower, upper] with ``rng`` (a
    ``random.Random`` or an int seed; required, glassgrad never uses the global
    random state). In evaluation ``a = (lower + upper) / 2``. The slope drawn
    is kept on the node (``node.context``), so backward uses the same one.
    """
    if not lower <= upper:
        raise ValueError(f"rrelu() needs lower <= upper, got lower={lower!r}, upper={upper!r}")
    if training:
        if rng is None:
            raise ValueError("rrelu(training=True) needs rng=random.Random(seed) (or an int seed)")
        if not isinstance(rng, random.Random):
            rng = random.Random(rng)
        slope = rng.uniform(lower, upper)
    else:
        slope = (lower + upper) / 2.0
    return _rrelu_op(x, slope)


def _gelu_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

_gelu_exact = _register(
    UnaryOp(
        "gelu",
        _gelu_forward,
        lambda x, out: 0.5 * (1.0 + _erf(x * _INV_SQRT_2)) + x * _INV_SQRT_2PI * _exp(-0.5 * x * x),
        "d gelu(x)/dx = Phi(x) + x phi(x), Phi the normal CDF, phi its density",
    )
)

_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _gelu_tanh_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(_GELU_K * (x + _GELU_C * x * x * x)))


def _gelu_tanh_derivative(x: Scalar, out: Scalar) -> Scalar:
    t = _tanh(_GELU_K * (x + _GELU_C * x * x * x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)


_gelu_tanh = _register(
    UnaryOp(
        "gelu_tanh",
        _gelu_tanh_forward,
        _gelu_tanh_derivative,
        "d/dx 0.5x(1+t) = 0.5(1+t) + 0.5x(1-t^2) k(1 + 3c x^2), t = tanh(k(x + c x^3)), k = sqrt(2/pi), c = 0.044715",
    )
)


def gelu(x: Value, approximate: str = "none") -> Value:
    """GELU: ``x Phi(x)`` exactly (with erf), or its tanh approximation (``approximate="tanh"``)."""
    if approximate == "none":
        return _gelu_exact(x)
    if approximate == "tanh":
        return _gelu_tanh(x)
    raise ValueError(f"gelu() approximate must be 'none' or 'tanh', got {approximate!r}")


def _elu_forward(x: float, alpha: float = 1.0) -> float:
    return x if x > 0.0 else alpha * math.expm1(x)


def _elu_derivative(x: Scalar, out: Scalar, alpha: float = 1.0) -> Scalar:
    return 1.0 if x > 0.0 else alpha * _exp(x)


elu = _register(
    UnaryOp(
        "elu",
        _elu_forward,
        _elu_derivative,
        "d elu(x)/dx = 1 if x > 0 else alpha e^x (alpha at x = 0, as PyTorch)",
        kinks=(0.0,),
        smooth=False,
        test_params=(1.5,),
    )
)

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

selu = _register(
    UnaryOp(
        "selu",
        lambda x: SELU_SCALE * _elu_forward(x, SELU_ALPHA),
        lambda x, out: SELU_SCALE * _elu_derivative(x, out, SELU_ALPHA),
        "d selu(x)/dx = scale if x > 0 else scale alpha e^x",
        kinks=(0.0,),
        smooth=False,
    )
)

softplus = _register(
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


silu = _register(
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


mish = _register(
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


softsign = _register(
    UnaryOp(
        "softsign",
        lambda x: x / (1.0 + abs(x)),
        _softsign_derivative,
        "d x/(1+|x|)/dx = 1/(1+|x|)^2",
        kinks=(0.0,),  # the second derivative jumps at 0
    )
)


# --------------------------------------------------------------------------
# n-ary ops: one node for many inputs
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class NaryOp:
    """An op over a sequence of inputs, stored as one node.

    ``local_grads_as_values(node)`` rebuilds the local derivatives as Values
    from the node's parents and context, using the same derivative function
    the forward pass used on floats.
    """

    name: str
    formula: str
    symbol: str
    rebuild: Callable[[Value], tuple] = field(repr=False)

    def local_grads_as_values(self, node: Value) -> tuple:
        return self.rebuild(node)


def _split_constants(values: Sequence[Value | float], where: str) -> tuple[list[Value], float]:
    """The Values among ``values`` and the sum of the plain numbers."""
    parents = []
    constant = 0.0
    for v in values:
        if isinstance(v, Value):
            parents.append(v)
        else:
            constant += _as_float(v, where)
    return parents, constant


def sum_values(values: Sequence[Value | float], start: float = 0.0) -> Value:
    """sum(values) as one node: d(sum)/dv_i = 1 for every Value v_i.

    Plain numbers among ``values`` are added in as a constant.
    """
    parents, constant = _split_constants(values, "sum_values")
    total = math.fsum([start, constant]) if constant else start
    for v in parents:
        total += v.data
    return _node(total, tuple(parents), (1.0,) * len(parents), "sum")


_register(NaryOp("sum", "d(v_1 + ... + v_n)/dv_i = 1", "sum", lambda node: (1.0,) * len(node.parents)))


def dot_terms(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> list[tuple[str, int, Value, Any]]:
    """The derivative of w . x + b, written once: each Value's role, index and partner.

    d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1. One
    ``(role, i, value, partner)`` per Value, in the order of the node's
    parents: the weights that are Values (``("w", i, w_i, x_i)``), then the
    inputs that are Values (``("x", i, x_i, w_i)``), then the bias if it is
    one (``("b", 0, b, 1.0)``); i counts from 1. Partners are plain numbers or
    Values. Only the first len(inputs) weights count (zip stops there).
    """
    pairs = list(enumerate(zip(weights, inputs), start=1))
    terms: list[tuple[str, int, Value, Any]] = [("w", i, w, x) for i, (w, x) in pairs if isinstance(w, Value)]
    terms += [("x", i, x, w) for i, (w, x) in pairs if isinstance(x, Value)]
    if isinstance(bias, Value):
        terms.append(("b", 0, bias, 1.0))
    return terms


def _dot_edges(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> tuple[list[Value], list[Any]]:
    """The node's parents and, aligned with them, their partners (see :func:`dot_terms`)."""
    terms = dot_terms(weights, inputs, bias)
    return [value for _, _, value, _ in terms], [partner for _, _, _, partner in terms]


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """w . x + b as one node (a neuron's pre-activation), not 2n binary nodes.

    Either side may hold plain numbers: only Values become parents, so a
    network's float inputs cost no nodes and no gradient work.
    d/dw_i = x_i, d/dx_i = w_i, d/db = 1. For a whole layer (many rows of
    weights, the same inputs) :func:`dots` is faster.
    """
    return dots((weights,), inputs, (bias,))[0]


def dots(
    weight_rows: Sequence[Sequence[Value | float]], inputs: Sequence[Value | float], biases: Sequence[Value | float]
) -> list[Value]:
    """``[dot(w, inputs, b) for w, b in zip(weight_rows, biases)]``: a layer's pre-activations, built together.

    The same nodes as :func:`dot` one row at a time; the inputs are read and
    checked once for all rows, and rows of floats share one tuple of local
    derivatives.
    """
    return _dots(weight_rows, inputs, biases, False)


def relu_dot(weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0) -> Value:
    """relu(w . x + b) as one node: a relu neuron, the same number as ``dot(w, x, b).relu()``.

    With z = w . x + b: d/dw_i = x_i [z > 0], d/dx_i = w_i [z > 0],
    d/db = [z > 0] ([z > 0] is 1 if z > 0 else 0, so 0 at z = 0, as relu).
    One node instead of two; and when the neuron is off (z <= 0) every local
    derivative is 0, so backward passes nothing back through it (as
    PyTorch's relu: not even an inf or nan grad from above). For a whole
    layer :func:`relu_dots` is faster.
    """
    return _dots((weights,), inputs, (bias,), True)[0]


def relu_dots(
    weight_rows: Sequence[Sequence[Value | float]], inputs: Sequence[Value | float], biases: Sequence[Value | float]
) -> list[Value]:
    """``[relu_dot(w, inputs, b) for w, b in zip(weight_rows, biases)]``: a relu layer's outputs, built together."""
    return _dots(weight_rows, inputs, biases, True)


def _dots(
    weight_rows: Sequence[Sequence[Value | float]],
    inputs: Sequence[Value | float],
    biases: Sequence[Value | float],
    relu: bool,
    row_parents: Sequence[tuple] | None = None,
) -> list[Value]:
    """dots(), or relu_dots() when ``relu``: one loop builds both kinds of node.

    ``row_parents`` is the caller's word that every weight is a leaf Value,
    with each row's parents over number inputs made ready: ``(*weights,
    bias)``, or ``tuple(weights)`` for a number bias. The loop then neither
    checks each weight nor builds those tuples: ``nn.Layer`` gives them for
    rows it has checked and watches (see ``Layer._neuron_table``). Through
    nn, against the baseline's time (measured): without the check, the T1
    digits step 1.42-1.46x -> 1.38-1.42x; with the tuples made ready too,
    1.34-1.40x -> 1.29-1.32x, and the T2 moons step 1.56-1.68x -> 1.44-1.45x
    (one tuple less per first-layer node for the garbage collector). A
    wrong word makes wrong gradients: the sort would not look behind an
    interior weight.
    """
    if len(weight_rows) != len(biases):
        name = "relu_dots" if relu else "dots"
        raise ValueError(f"{name}() needs one bias per row of weights, got {len(weight_rows)} rows and {len(biases)}")
    inputs = tuple(inputs)
    n = len(inputs)
    # Fast paths for a layer of neurons: inputs that are all Values (a hidden
    # layer) or all numbers (a first layer), weights and biases that are leaf
    # Values (a model's parameters). Anything else, row by row, takes
    # _dot_general: the same nodes, built slower (dot() of 64 weights and 64
    # floats: 39 us there, 3.3 us here, measured). What the fast paths do:
    # - the inputs' data is read once for every row;
    # - one comprehension per row reads the weights' data and keeps only
    #   leaves (its length tells whether all were), with no type check: a
    #   number has no .data (AttributeError) and takes the general path;
    # - the topological sort is told that the weights and the bias (a leaf
    #   Value, or a float: no bias) are leaves (_interior_parents holds the
    #   inputs only), so it never looks at them: 2,048 weights per digit in
    #   the T1 benchmark;
    # - rows over number inputs share their local derivatives (x_1, ..., x_n, 1);
    # - rows with a bias Value share one context, (inputs,): their weights are
    #   the first n parents and the bias the last (see dot_parts). One tuple
    #   less per node for the cyclic garbage collector to count and walk: on
    #   the T2 moons step, time in the collector 14% -> 10-12% (measured);
    # - the node is made in the loop, not by _interior (a call less per row);
    # - a relu neuron that is off (relu_dots, z <= 0) stores () as its local
    #   derivatives, which Value.local_grads reads as all zeros: backward has
    #   no edge of it to run. With the relu in the node, not in a node of its
    #   own, the T2 moons step went 2.1-2.4x -> 1.5-1.8x the hand-written
    #   network's time (measured; each relu node cost a node to build, sort
    #   and free, and an off neuron still cost its edges).
    value_data = [x.data for x in inputs if type(x) is Value]
    if n and len(value_data) == n:  # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
        input_data: Any = value_data
        interior_inputs: tuple = inputs
    elif n and not value_data:  # numbers (or not numbers at all: sum() finds out); d/dw_i = x_i, d/db = 1
        input_data, interior_inputs = inputs, ()
        with_one = (*inputs, 1.0)
    else:  # no inputs, or a mix of Values and numbers
        return [_dot_general(weights, inputs, bias, relu) for weights, bias in zip(weight_rows, biases)]
    if not _is_recording():  # no_grad
        numbers = _dot_numbers(weight_rows, input_data, biases)
        return [_leaf(_relu_forward(z) if relu else z) for z in numbers]
    op = "relu_dot" if relu else "dot"
    shared_context = (inputs,)
    nodes: list[Value] = []
    for weights, bias, known_parents in zip(weight_rows, biases, row_parents or repeat(None)):
        try:
            weight_data = [w.data for w in weights] if row_parents else [w.data for w in weights if not w.op]
            has_bias = type(bias) is Value
            if len(weight_data) != n or len(weights) != n or (bias.op if has_bias else type(bias) is not float):
                raise TypeError  # not a row of leaves, or an interior bias: the general path
            out = sum(map(_float_mul, weight_data, input_data), bias.data if has_bias else bias)
        except (AttributeError, TypeError):
            nodes.append(_dot_general(weights, inputs, bias, relu))
            continue
        if type(out) is not float:  # inputs that are not numbers: the general path names them
            nodes.append(_dot_general(weights, inputs, bias, relu))
            continue
        off = relu and not out > 0.0  # relu(z) = z if z > 0 else 0.0 (relu's forward rule), derivative 0
        node = _new_value(Value)
        node.data = 0.0 if off else out
        node.grad = 0.0
        node.label = ""
        if interior_inputs:
            node._parents = parents = (*weights, *inputs, bias) if has_bias else (*weights, *inputs)
            if off:
                node._local_grads = ()
            else:
                node._local_grads = (*input_data, *weight_data, 1.0) if has_bias else (*input_data, *weight_data)
        else:
            if known_parents:
                node._parents = parents = known_parents
            else:
                node._parents = parents = (*weights, bias) if has_bias else tuple(weights)
            node._local_grads = () if off else with_one if has_bias else inputs
        node.op = op
        node.context = shared_context if has_bias else (parents, inputs, bias)
        node._interior_parents = interior_inputs
        nodes.append(node)
    return nodes


def dots_data(
    weight_rows: Sequence[Sequence[Value | float]], inputs: Sequence[Value | float], biases: Sequence[Value | float]
) -> list[float]:
    """The numbers :func:`dots` gives, ``w . x + b`` for each row, as floats: no node at all.

    For inference, where no graph is wanted and no Value is needed between
    layers (``nn.MLP`` under ``no_grad``). The same arithmetic as ``dots``,
    so the same floats, bit for bit.
    """
    if len(weight_rows) != len(biases):
        raise ValueError(f"dots() needs one bias per row of weights, got {len(weight_rows)} rows and {len(biases)}")
    return _dot_numbers(weight_rows, [x.data if type(x) is Value else x for x in inputs], biases)


def _dot_numbers(
    weight_rows: Sequence[Sequence[Value | float]], input_data: Sequence[float], biases: Sequence[Value | float]
) -> list[float]:
    numbers: list[float] = []
    n = len(input_data)
    for weights, bias in zip(weight_rows, biases):
        try:
            if len(weights) != n:
                raise TypeError
            out = sum(map(_float_mul, [w.data for w in weights], input_data), bias.data)
        except (AttributeError, TypeError):  # numbers among the weights, or an error for _dot_general to name
            out = None
        numbers.append(out if type(out) is float else _dot_general(weights, input_data, bias).data)
    return numbers


def _dot_general(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float, relu: bool = False
) -> Value:
    """w . x + b (relu of it when ``relu``) for any mix of Values and numbers: the node as dot_terms defines it."""
    name = "relu_dot" if relu else "dot"
    if len(inputs) != len(weights):
        raise ValueError(f"{name}() needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    weight_data = [w.data if isinstance(w, Value) else _as_float(w, name) for w in weights]
    input_data = [x.data if isinstance(x, Value) else _as_float(x, name) for x in inputs]
    bias_data = bias.data if isinstance(bias, Value) else _as_float(bias, name)
    out = sum(map(_float_mul, weight_data, input_data), bias_data)
    parents, partners = _dot_edges(weights, inputs, bias)
    context = (tuple(weights), tuple(inputs), bias)
    if relu and not out > 0.0 and parents and _is_recording():  # off: every derivative is 0, kept as () (see _dots)
        return _interior_wide(_relu_forward(out), tuple(parents), (), name, context)
    local_grads = tuple([p.data if isinstance(p, Value) else p for p in partners])
    return _node(_relu_forward(out) if relu else out, tuple(parents), local_grads, name, context)


def dot_parts(node: Value) -> tuple[Sequence[Any], Sequence[Any], Any]:
    """The weights, inputs and bias a ``dot`` or ``relu_dot`` node was made from (Values and numbers).

    Its context is ``(weights, inputs, bias)``; or ``(inputs,)``, shared by the
    rows of one ``dots`` call, when the weights are the node's first
    ``len(inputs)`` parents and the bias its last.
    """
    context = node.context
    if len(context) == 3:  # the fast path's weights may be all the parents: the first len(inputs) are the weights
        weights, inputs, bias = context
        return weights[: len(inputs)], inputs, bias
    (inputs,) = context
    parents = node.parents
    return parents[: len(inputs)], inputs, parents[-1]


def _dot_rebuild(node: Value) -> tuple:
    return tuple(_dot_edges(*dot_parts(node))[1])


#: The ops whose node is a dot product w . x + b (relu_dot: with a relu on top); dot_parts reads their context.
DOT_OPS = ("dot", "relu_dot")


def _relu_dot_rebuild(node: Value) -> tuple:
    if node.data > 0.0:  # on: relu(z) = z, so the dot's derivatives
        return _dot_rebuild(node)
    return (0.0,) * len(node.parents)


_register(NaryOp("dot", "d(w.x + b)/dw_i = x_i, d(w.x + b)/dx_i = w_i, d(w.x + b)/db = 1", "dot", _dot_rebuild))
_register(
    NaryOp(
        "relu_dot",
        "d relu(w.x + b)/dw_i = x_i if w.x + b > 0 else 0, d relu(w.x + b)/dx_i = w_i if w.x + b > 0 else 0, "
        "d relu(w.x + b)/db = 1 if w.x + b > 0 else 0",
        "relu(dot)",
        _relu_dot_rebuild,
    )
)


def _as_values(values: Sequence[Value | float], where: str) -> tuple[Value, ...]:
    if len(values) == 0:
        raise ValueError(f"{where}() needs at least one value, got an empty sequence")
    return tuple(v if isinstance(v, Value) else Value(_as_float(v, where)) for v in values)


def _softmax_floats(logits: Sequence[float]) -> tuple[list[float], float]:
    """Stable softmax and log-sum-exp of floats: subtract the max before exp."""
    top = max(logits)
    if math.isinf(top):
        raise ValueError(f"softmax needs finite logits, got {top!r}")
    exps = [math.exp(z - top) for z in logits]
    total = math.fsum(exps)
    return [e / total for e in exps], top + math.log(total)


def _softmax_as_values(logits: Sequence[Value]) -> list[Value]:
    """The same stable softmax built from Value ops, for the graph of a gradient."""
    top = max(z.data for z in logits)
    exps = [exp(z - top) for z in logits]
    total = sum_values(exps)
    return [e / total for e in exps]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), one node per output.

    Stable: the max is subtracted first, so ``softmax([1000.0, 0.0])`` is
    [1.0, e^-1000]. d s_i / d z_j = s_i (delta_ij - s_j).
    """
    logits = _as_values(values, "softmax")
    probabilities, _ = _softmax_floats([z.data for z in logits])
    return [
        _node(
            s_i,
            logits,
            tuple([s_i * ((i == j) - s_j) for j, s_j in enumerate(probabilities)]),
            "softmax",
            i,
        )
        for i, s_i in enumerate(probabilities)
    ]


def _softmax_rebuild(node: Value) -> tuple:
    i = node.context
    s = _softmax_as_values(node.parents)
    return tuple(s[i] * ((i == j) - s_j) for j, s_j in enumerate(s))


_register(NaryOp("softmax", "d s_i/d z_j = s_i (delta_ij - s_j)", "softmax", _softmax_rebuild))


def log_softmax(values: Sequence[Value | float]) -> list[Value]:
    """log_softmax(z)_i = z_i - logsumexp(z), stable for large logits.

    d/dz_j = delta_ij - softmax(z)_j.
    """
    logits = _as_values(values, "log_softmax")
    probabilities, lse = _softmax_floats([z.data for z in logits])
    return [
        _node(
            z.data - lse,
            logits,
            tuple([(i == j) - s_j for j, s_j in enumerate(probabilities)]),
            "log_softmax",
            i,
        )
        for i, z in enumerate(logits)
    ]


def _log_softmax_rebuild(node: Value) -> tuple:
    i = node.context
    return tuple((i == j) - s_j for j, s_j in enumerate(_softmax_as_values(node.parents)))


_register(NaryOp("log_softmax", "d(z_i - logsumexp(z))/dz_j = delta_ij - s_j", "log_softmax", _log_softmax_rebuild))


def logsumexp(values: Sequence[Value | float]) -> Value:
    """log(sum_j e^(z_j)), stable: d/dz_j = softmax(z)_j."""
    logits = _as_values(values, "logsumexp")
    probabilities, lse = _softmax_floats([z.data for z in logits])
    return _node(lse, logits, tuple(probabilities), "logsumexp")


_register(
    NaryOp(
        "logsumexp",
        "d logsumexp(z)/dz_j = softmax(z)_j",
        "logsumexp",
        lambda node: tuple(_softmax_as_values(node.parents)),
    )
)


def cross_entropy(logits: Sequence[Value | float], target: int) -> Value:
    """-log softmax(z)_target = logsumexp(z) - z_target, as one stable node.

    d/dz_j = softmax(z)_j - [j == target]. ``target`` is a class index.
    """
    logits_ = _as_values(logits, "cross_entropy")
    if type(target) is not int and (isinstance(target, bool) or not isinstance(target, numbers.Integral)):
        raise TypeError(f"cross_entropy() target must be a class index (int), got {type(target).__name__}")
    if not 0 <= target < len(logits_):
        raise ValueError(f"cross_entropy() target {target} is out of range for {len(logits_)} classes")
    target = int(target)
    probabilities, lse = _softmax_floats([z.data for z in logits_])
    local_grads = tuple([s_j - (j == target) for j, s_j in enumerate(probabilities)])
    return _node(lse - logits_[target].data, logits_, local_grads, "cross_entropy", target)


def _cross_entropy_rebuild(node: Value) -> tuple:
    target = node.context
    return tuple(s_j - (j == target) for j, s_j in enumerate(_softmax_as_values(node.parents)))


_register(
    NaryOp(
        "cross_entropy",
        "d(logsumexp(z) - z_t)/dz_j = softmax(z)_j - [j == t]",
        "cross_entropy",
        _cross_entropy_rebuild,
    )
)


def local_grads_as_values(node: Value) -> tuple:
    """The local derivatives of ``node`` rebuilt as Values (a graph), from the op table."""
    return OPS[node.op].local_grads_as_values(node)


#: The element-wise ops, by name: what the gradient tests and the pictures iterate over.
ELEMENTWISE_OPS = {name: op for name, op in OPS.items() if isinstance(op, UnaryOp | BinaryOp)}

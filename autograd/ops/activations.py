"""Activations: each one entry with its forward rule, derivative, formula and method, and (``activation=``) what
``nn`` and the exporters read off it: the name ``nn`` accepts, its PyTorch module, its ONNX operators.

Where a function has a kink, the derivative there follows PyTorch's convention, stated in the formula.

>>> from autograd import OPS
>>> for name in ("sigmoid", "tanh", "leaky_relu", "softplus"):
...     print(f"{name:10} {OPS[name].formula}")
sigmoid    d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))
tanh       d tanh(x)/dx = 1 - tanh(x)^2
leaky_relu d leaky_relu(x)/dx = 1 if x > 0 else slope (slope at x = 0, as PyTorch)
softplus   d ln(1 + e^x)/dx = sigmoid(x)
>>> x = Value(-2.0)
>>> y = x.leaky_relu(0.1)   # slope * x for x < 0
>>> y.backward()
>>> y.data, x.grad
(-0.2, 0.1)
"""

from __future__ import annotations

import math
import random
from typing import Any

from autograd.core.checks import as_float, quote
from autograd.core.kinds import UnaryOp, install, register
from autograd.core.value import Value
from autograd.ops.facts import Activation, Template
from autograd.ops.scalars import Scalar, erf, exp, sigmoid, softplus, stable_sigmoid, stable_softplus, tanh
from autograd.rng import as_rng

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "binary_step",
    "elu",
    "gelu",
    "identity",
    "leaky_relu",
    "linear",
    "mish",
    "relu",
    "relu_forward",
    "rrelu",
    "selu",
    "sigmoid_op",
    "silu",
    "softplus_op",
    "softsign",
    "tanh_op",
]


def _one(op_type: str, **attributes: Any) -> tuple:
    """One ONNX node from the activation's input."""
    return ((op_type, ("x",), attributes),)


identity = register(
    UnaryOp(
        "identity",
        lambda x: x,
        lambda x, out: 1.0,
        "d x/dx = 1",
        template=Template("{x}", ("1.0",)),
        activation=Activation(torch=("Identity", {}), onnx=_one("Identity"), onnx_double=True),
    )
)

binary_step = register(
    UnaryOp(
        "binary_step",
        lambda x: 1.0 if x >= 0.0 else 0.0,
        lambda x, out: 0.0,
        "d step(x)/dx = 0 everywhere (undefined at 0; taken as 0): no gradient flows",
        kinks=(0.0,),
        smooth=False,
        selects=True,
        template=Template("1.0 if {x} >= 0.0 else 0.0", ("0.0",), passes="False"),
        activation=Activation(  # step(x) = 1 if x >= 0 else 0; PyTorch has no module for it
            onnx=(("GreaterOrEqual", ("x", 0.0), {}), ("Cast", ("step1",), {"to": "element type"})), onnx_double=True
        ),
    )
)


def _no_node(pre_activation: Value) -> Value:
    """nn's "linear": no node is added, the neuron's output is its w . x + b itself (micrograd's linear neuron)."""
    return pre_activation


linear = register(
    UnaryOp(
        "linear",
        lambda x, c: c * x,
        lambda x, out, c: c,
        "d(c x)/dx = c",
        params=(("c", 1.0),),
        test_params=(2.5,),
        template=Template("{p0} * {x}", ("{p0}",)),
        activation=Activation(function=_no_node, adds_node=False, onnx_double=True),
    )
)

sigmoid_op = register(
    UnaryOp(
        "sigmoid",
        stable_sigmoid,
        lambda x, out: out * (1.0 - out),
        "d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))",
        domain=(-10.0, 10.0),
        template=Template("sigmoid({x})", ("{out} * (1.0 - {out})",), names={"sigmoid": stable_sigmoid}),
        activation=Activation(torch=("Sigmoid", {}), onnx=_one("Sigmoid"), onnx_double=True),
    )
)

tanh_op = register(
    UnaryOp(
        "tanh",
        math.tanh,
        lambda x, out: 1.0 - out * out,
        "d tanh(x)/dx = 1 - tanh(x)^2",
        template=Template("tanh({x})", ("1.0 - {out} * {out}",), names={"tanh": math.tanh}),
        activation=Activation(torch=("Tanh", {}), onnx=_one("Tanh"), onnx_double=True),
    )
)


def relu_forward(x: float) -> float:
    """relu(x) = 0.0 if x < 0 else x (nan stays nan, -0.0 stays -0.0, as PyTorch): shared with relu_dot.

    >>> relu_forward(-2.0), relu_forward(3.0), relu_forward(float("nan"))
    (0.0, 3.0, nan)
    """
    return 0.0 if x < 0.0 else x


relu = register(
    UnaryOp(
        "relu",
        relu_forward,
        lambda x, out: 0.0 if x <= 0.0 else 1.0,
        "d relu(x)/dx = 0 if x <= 0 else 1 (0 at x = 0, 1 at nan, as PyTorch); off, it passes nothing back",
        kinks=(0.0,),
        smooth=False,
        selects=True,
        template=Template("0.0 if {x} < 0.0 else {x}", ("1.0",), passes="not {x} <= 0.0"),
        activation=Activation(torch=("ReLU", {}), onnx=_one("Relu"), onnx_double=True),
    )
)


def _leaky_forward(x: float, slope: float) -> float:
    return x if x > 0.0 else slope * x


def _leaky_derivative(x: Scalar, out: Scalar, slope: float) -> float:
    return 1.0 if x > 0.0 else slope


_LEAKY_SLOPE = 0.01
leaky_relu = register(
    UnaryOp(
        "leaky_relu",
        _leaky_forward,
        _leaky_derivative,
        "d leaky_relu(x)/dx = 1 if x > 0 else slope (slope at x = 0, as PyTorch)",
        params=(("slope", _LEAKY_SLOPE),),
        kinks=(0.0,),
        smooth=False,
        test_params=(0.1,),
        template=Template("{x} if {x} > 0.0 else {p0} * {x}", ("1.0 if {x} > 0.0 else {p0}",)),
        activation=Activation(
            torch=("LeakyReLU", {"negative_slope": _LEAKY_SLOPE}), onnx=_one("LeakyRelu", alpha=_LEAKY_SLOPE)
        ),
    )
)

_RRELU_LOWER, _RRELU_UPPER = 1 / 8, 1 / 3


def _rrelu_activation(pre_activation: Value, training: bool, rng: random.Random) -> Value:
    """nn's rrelu: the slope drawn from the neuron's own generator in training, (lower + upper) / 2 in evaluation."""
    return rrelu(pre_activation, training=training, rng=rng)


_rrelu_op = register(
    UnaryOp(
        "rrelu",
        _leaky_forward,
        _leaky_derivative,
        "d rrelu(x)/dx = 1 if x > 0 else a, with a the slope drawn (training) or (lower+upper)/2 (eval)",
        method=None,  # Value.rrelu(lower, upper, training, rng) below draws the slope
        params=(("slope", (_RRELU_LOWER + _RRELU_UPPER) / 2.0),),
        kinks=(0.0,),
        smooth=False,
        test_params=(0.2,),
        template=Template("{x} if {x} > 0.0 else {p0} * {x}", ("1.0 if {x} > 0.0 else {p0}",)),
        activation=Activation(
            function=_rrelu_activation,
            training=True,
            torch=("RReLU", {"lower": _RRELU_LOWER, "upper": _RRELU_UPPER}),
            # An ONNX graph is for inference: rrelu in its evaluation form, slope (lower + upper) / 2.
            onnx=_one("LeakyRelu", alpha=(_RRELU_LOWER + _RRELU_UPPER) / 2.0),
        ),
    )
)


def rrelu(
    x: Value,
    lower: float = _RRELU_LOWER,
    upper: float = _RRELU_UPPER,
    training: bool = False,
    rng: random.Random | int | None = None,
) -> Value:
    """Randomized leaky ReLU: ``x if x > 0 else a x``; d/dx = 1 if x > 0 else a.

    In training, ``a`` is drawn uniformly from [lower, upper] with ``rng`` (a ``random.Random`` or an int seed;
    without one, from Python's ``random`` module). In evaluation ``a = (lower + upper) / 2``. The slope is kept on
    the node (``node.context``), so backward uses the same one.

    >>> Value(-3.0).rrelu(0.1, 0.3).data   # evaluation: a = 0.2
    -0.6000000000000001
    """
    lower, upper = as_float(lower, "rrelu"), as_float(upper, "rrelu")
    if not lower <= upper:
        raise ValueError(f"rrelu() needs lower <= upper, got lower={lower!r}, upper={upper!r}")
    if not isinstance(training, bool):
        raise TypeError(f"rrelu() training must be True or False, got {quote(training)}")
    slope = as_rng(rng, "rrelu").uniform(lower, upper) if training else (lower + upper) / 2.0
    return _rrelu_op(x, slope)


install("rrelu", rrelu, "op rrelu")


def _gelu_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

_gelu_exact = register(
    UnaryOp(
        "gelu",
        _gelu_forward,
        lambda x, out: 0.5 * (1.0 + erf(x * _INV_SQRT_2)) + x * _INV_SQRT_2PI * exp(-0.5 * x * x),
        "d gelu(x)/dx = Phi(x) + x phi(x), Phi the normal CDF, phi its density",
        method=None,  # Value.gelu(approximate) below picks the exact or the tanh form
        activation=Activation(torch=("GELU", {"approximate": "none"}), onnx=_one("Gelu")),
    )
)

_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _gelu_tanh_forward(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(_GELU_K * (x + _GELU_C * x * x * x)))


def _gelu_tanh_derivative(x: Scalar, out: Scalar) -> Scalar:
    t = tanh(_GELU_K * (x + _GELU_C * x * x * x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)


_gelu_tanh = register(
    UnaryOp(
        "gelu_tanh",
        _gelu_tanh_forward,
        _gelu_tanh_derivative,
        "d/dx 0.5x(1+t) = 0.5(1+t) + 0.5x(1-t^2) k(1 + 3c x^2), t = tanh(k(x + c x^3)), k = sqrt(2/pi), c = 0.044715",
        method=None,
        # onnxruntime runs Gelu(approximate="tanh") in double, but off by up to 7e-9: float32.
        activation=Activation(torch=("GELU", {"approximate": "tanh"}), onnx=_one("Gelu", approximate="tanh")),
    )
)


def gelu(x: Value, approximate: str = "none") -> Value:
    """GELU: ``x Phi(x)`` exactly (with erf), or its tanh approximation (``approximate="tanh"``).

    Phi is the standard normal CDF: gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), and d/dx = Phi(x) + x phi(x). The tanh
    form is 0.5 x (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi).

    >>> round(Value(1.0).gelu().data, 6)
    0.841345
    """
    if approximate == "none":
        return _gelu_exact(x)
    if approximate == "tanh":
        return _gelu_tanh(x)
    raise ValueError(f"gelu() approximate must be 'none' or 'tanh', got {quote(approximate)}")


install("gelu", gelu, "op gelu")


def _elu_forward(x: float, alpha: float) -> float:
    return x if x > 0.0 else alpha * math.expm1(x)


def _elu_derivative(x: Scalar, out: Scalar, alpha: float) -> Scalar:
    return 1.0 if x > 0.0 else alpha * exp(x)


elu = register(
    UnaryOp(
        "elu",
        _elu_forward,
        _elu_derivative,
        "d elu(x)/dx = 1 if x > 0 else alpha e^x (alpha at x = 0, as PyTorch)",
        params=(("alpha", 1.0),),
        template=Template(
            "{x} if {x} > 0.0 else {p0} * expm1({x})",
            ("1.0 if {x} > 0.0 else {p0} * exp({x})",),
            names={"expm1": math.expm1, "exp": math.exp},
        ),
        kinks=(0.0,),
        smooth=False,
        test_params=(1.5,),
        activation=Activation(torch=("ELU", {"alpha": 1.0}), onnx=_one("Elu", alpha=1.0)),
    )
)

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

selu = register(
    UnaryOp(
        "selu",
        lambda x: SELU_SCALE * _elu_forward(x, SELU_ALPHA),
        lambda x, out: SELU_SCALE * _elu_derivative(x, out, SELU_ALPHA),
        "d selu(x)/dx = scale if x > 0 else scale alpha e^x",
        template=Template(
            "selu_scale * ({x} if {x} > 0.0 else selu_alpha * expm1({x}))",
            ("selu_scale * (1.0 if {x} > 0.0 else selu_alpha * exp({x}))",),
            names={"expm1": math.expm1, "exp": math.exp, "selu_scale": SELU_SCALE, "selu_alpha": SELU_ALPHA},
        ),
        kinks=(0.0,),
        smooth=False,
        activation=Activation(torch=("SELU", {}), onnx=_one("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE)),
    )
)

softplus_op = register(
    UnaryOp(
        "softplus",
        stable_softplus,
        lambda x, out: sigmoid(x),
        "d ln(1 + e^x)/dx = sigmoid(x)",
        domain=(-10.0, 10.0),
        template=Template(
            "softplus({x})", ("sigmoid({x})",), names={"softplus": stable_softplus, "sigmoid": stable_sigmoid}
        ),
        # PyTorch returns x itself above `threshold` (20 by default, off by up to 2e-9 there); at 40, log(1 + e^x)
        # is x in float64, so the module computes exactly glassgrad's softplus and its gradient.
        activation=Activation(
            torch=("Softplus", {"beta": 1.0, "threshold": 40.0}),
            torch_matches=lambda module: module.beta == 1.0 and module.threshold >= 20.0,
            onnx=_one("Softplus"),
        ),
    )
)


def _silu_derivative(x: Scalar, out: Scalar) -> Scalar:
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


silu = register(
    UnaryOp(
        "silu",
        lambda x: x * stable_sigmoid(x),
        _silu_derivative,
        "d x sigmoid(x)/dx = s (1 + x (1 - s)), s = sigmoid(x)",
        template=Template(
            "{x} * sigmoid({x})",
            ("sigmoid({x}) * (1.0 + {x} * (1.0 - sigmoid({x})))",),
            names={"sigmoid": stable_sigmoid},
        ),
        activation=Activation(  # silu(x) = x sigmoid(x): ONNX has no Silu operator
            torch=("SiLU", {}), onnx=(("Sigmoid", ("x",), {}), ("Mul", ("x", "step1"), {})), onnx_double=True
        ),
    )
)


def _mish_derivative(x: Scalar, out: Scalar) -> Scalar:
    t = tanh(softplus(x))
    return t + x * (1.0 - t * t) * sigmoid(x)


mish = register(
    UnaryOp(
        "mish",
        lambda x: x * math.tanh(stable_softplus(x)),
        _mish_derivative,
        "d x tanh(softplus(x))/dx = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))",
        activation=Activation(torch=("Mish", {}), onnx=_one("Mish")),
    )
)


def _softsign_derivative(x: Scalar, out: Scalar) -> Scalar:
    d = 1.0 + abs(x)
    return 1.0 / (d * d)


softsign = register(
    UnaryOp(
        "softsign",
        lambda x: x / (1.0 + abs(x)),
        _softsign_derivative,
        "d x/(1+|x|)/dx = 1/(1+|x|)^2",
        template=Template("{x} / (1.0 + abs({x}))", ("1.0 / ((1.0 + abs({x})) * (1.0 + abs({x})))",)),
        kinks=(0.0,),  # the second derivative jumps at 0
        activation=Activation(torch=("Softsign", {}), onnx=_one("Softsign")),
    )
)

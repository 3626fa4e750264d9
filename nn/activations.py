"""Activation functions by name, for ``Neuron(activation="relu")`` and friends.

Every activation the engine has is available by its name; each one is the
engine's op function itself (``autograd.ops.OPS[name].apply``, what
``Value.relu`` and the like are), so its derivative is the one the engine
defines, once, in ``autograd/ops.py``. Nothing is re-implemented here.

- ``"linear"`` adds no node: the neuron's output is its pre-activation
  ``w . x + b`` itself (micrograd's linear output neuron). It is the default
  output activation of :class:`nn.MLP`, and the cheapest.
- ``"identity"`` is the engine's identity op: the same number, but as a node of
  its own, so it shows up in pictures of the graph.
- ``"rrelu"`` depends on the mode: in training it draws its slope from the
  neuron's own random generator, in evaluation it uses (lower + upper) / 2.
- ``"softmax"`` acts on a whole layer (``softmax(z)_i = e^z_i / sum_j e^z_j``),
  so it is only accepted by :class:`nn.Layer` and as an MLP's
  ``output_activation``. For training with cross-entropy, keep the output
  ``"linear"`` (logits) and use :func:`nn.cross_entropy`, which is stabler.

A callable works too: ``Neuron(3, activation=lambda v: v.leaky_relu(0.2))``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from autograd import Value
from autograd.ops import OPS

__all__ = [
    "ACTIVATION_NAMES",
    "ELEMENTWISE_ACTIVATIONS",
    "LAYER_ACTIVATIONS",
    "MODE_DEPENDENT_ACTIVATIONS",
    "activation_name",
    "check_activation",
    "get_activation",
]

#: Names of the activations that apply to one value at a time.
ELEMENTWISE_ACTIVATIONS: tuple[str, ...] = (
    "identity",
    "binary_step",
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "rrelu",
    "gelu",
    "gelu_tanh",
    "elu",
    "selu",
    "softplus",
    "silu",
    "mish",
    "softsign",
)

#: Activations that act on a whole layer's outputs at once.
LAYER_ACTIVATIONS: tuple[str, ...] = ("softmax",)

#: Activations whose result depends on ``Module.training`` (they also get a random generator).
MODE_DEPENDENT_ACTIVATIONS: tuple[str, ...] = ("rrelu",)

#: Every name accepted by ``activation=``.
ACTIVATION_NAMES: tuple[str, ...] = ELEMENTWISE_ACTIVATIONS + LAYER_ACTIVATIONS

Activation = Callable[[Value], Value]


def _linear(pre_activation: Value) -> Value:
    """linear(z) = z: no node is added (the neuron's output is w . x + b)."""
    return pre_activation


def _rrelu(pre_activation: Value, training: bool, rng: random.Random) -> Value:
    """rrelu(z) = z if z > 0 else a z, a ~ U(1/8, 1/3) in training, 11/48 in evaluation."""
    return pre_activation.rrelu(training=training, rng=rng)


def _unknown(name: object) -> ValueError:
    valid = ", ".join(repr(n) for n in ACTIVATION_NAMES)
    return ValueError(f"unknown activation {name!r}; valid names are {valid}, or pass a callable Value -> Value")


def check_activation(activation: str | Activation, *, allow_layer: bool) -> None:
    """Raise ValueError for an unknown name (listing the valid ones), or a layer-wide one where not allowed.

    >>> check_activation("nope", allow_layer=True)
    Traceback (most recent call last):
      ...
    ValueError: ...
    """
    if callable(activation):
        return
    if not isinstance(activation, str) or activation not in ACTIVATION_NAMES:
        raise _unknown(activation)
    if activation in LAYER_ACTIVATIONS and not allow_layer:
        raise ValueError(
            f"activation {activation!r} acts on a whole layer's outputs, not on one neuron; "
            f"use Layer(..., activation={activation!r}) or MLP(..., output_activation={activation!r})"
        )


def get_activation(activation: str | Activation) -> Activation:
    """The function for an element-wise activation name (or the callable itself).

    Mode-dependent activations (``"rrelu"``) come back as a function of
    ``(value, training, rng)``; every other one is a function of the value alone.

    >>> get_activation("tanh")(Value(0.5)).data   # the engine's tanh op
    0.46211715726000974
    """
    check_activation(activation, allow_layer=False)
    if callable(activation):
        return activation
    if activation == "linear":
        return _linear
    if activation == "rrelu":
        return _rrelu  # type: ignore[return-value]
    return OPS[activation].apply  # the op's own function (what Value.relu is), not a wrapper


def activation_name(activation: str | Activation) -> str:
    """A readable name for reprs: the name itself, or the callable's ``__name__``.

    >>> activation_name("relu"), activation_name(abs)
    ('relu', 'abs')
    """
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", None) or repr(activation)

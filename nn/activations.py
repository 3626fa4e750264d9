"""Activation functions by name, for ``Neuron(activation="relu")`` and friends, read from the engine's op table.

An activation is an op whose entry in :data:`autograd.OPS` carries an ``activation`` record
(:class:`autograd.ops.Activation`): the name ``nn`` accepts, what a neuron applies (the op itself, unless the entry
says otherwise), whether it depends on the mode or acts on a whole layer. Nothing is listed or re-implemented here:
registering a new op with an ``activation`` record makes it available to ``nn.MLP(..., activation=name)``, to
saving and loading, and to the exporters, at once.

- ``"linear"`` adds no node: the neuron's output is its pre-activation ``w . x + b`` itself (micrograd's linear
  output neuron). It is the default output activation of :class:`nn.MLP`, and the cheapest.
- ``"identity"`` is the engine's identity op: the same number, but as a node of its own, shown in pictures.
- ``"rrelu"`` depends on the mode: in training it draws its slope from the neuron's own random generator, in
  evaluation it uses (lower + upper) / 2.
- ``"softmax"`` acts on a whole layer (``softmax(z)_i = e^z_i / sum_j e^z_j``), so it is only accepted by
  :class:`nn.Layer` and as an MLP's ``output_activation``. For training with cross-entropy, keep the output
  ``"linear"`` (logits) and use :func:`nn.cross_entropy`, which is stabler.

A callable works too: ``Neuron(3, activation=lambda v: v.leaky_relu(0.2))``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from autograd import OPS, Value
from autograd.core.checks import quote

__all__ = [
    "Activation",
    "activation_entry",
    "activation_name",
    "activation_names",
    "check_activation",
    "get_activation",
    "is_mode_dependent",
]

Activation = Callable[[Value], Value]


def _entries() -> dict[str, tuple[Any, Any]]:
    """Every activation by the name ``nn`` accepts: ``(op entry, its activation record)``, in the table's order."""
    return {
        facts.name or op.name: (op, facts)
        for op in OPS.values()
        if (facts := getattr(op, "activation", None)) is not None
    }


def activation_names(*, layer: bool = True) -> tuple[str, ...]:
    """Every name ``activation=`` accepts, in the op table's order; ``layer=False`` leaves out layer-wide ones.

    >>> activation_names()[:4], "softmax" in activation_names(layer=False)
    (('identity', 'binary_step', 'linear', 'sigmoid'), False)
    """
    return tuple(name for name, (_, facts) in _entries().items() if layer or not facts.layer)


def activation_entry(name: str) -> tuple[Any, Any]:
    """``(op entry, activation record)`` of the activation called ``name``; ValueError naming the valid ones.

    >>> activation_entry("tanh")[0].name
    'tanh'
    """
    found = _entries().get(name) if isinstance(name, str) else None
    if found is None:
        raise _unknown(name)
    return found


def _unknown(name: object) -> ValueError:
    names = activation_names()
    close = difflib.get_close_matches(name, names, n=1) if isinstance(name, str) else []
    guess = f"did you mean {close[0]!r}? " if close else ""
    shown = f"{quote(name)}" if isinstance(name, str) else f"{type(name).__name__} {quote(name)}"
    return ValueError(
        f"unknown activation {shown}; {guess}valid names are {', '.join(map(repr, names))}, "
        "or pass a callable Value -> Value"
    )


def check_activation(activation: str | Activation, *, allow_layer: bool) -> None:
    """Raise ValueError for an unknown name (saying the closest and the valid ones), or a layer-wide one where not
    allowed.

    >>> check_activation("tanhh", allow_layer=True)
    Traceback (most recent call last):
      ...
    ValueError: unknown activation 'tanhh'; did you mean 'tanh'? valid names are ...
    """
    if callable(activation):
        return
    _, facts = activation_entry(activation)
    if facts.layer and not allow_layer:
        raise ValueError(
            f"activation {activation!r} acts on a whole layer's outputs, not on one neuron; "
            f"use Layer(..., activation={activation!r}) or MLP(..., output_activation={activation!r})"
        )


def is_mode_dependent(activation: str | Activation) -> bool:
    """Whether the activation depends on ``Module.training`` (and is then called ``f(z, training, rng)``).

    >>> is_mode_dependent("rrelu"), is_mode_dependent("tanh")
    (True, False)
    """
    return isinstance(activation, str) and activation_entry(activation)[1].training


def get_activation(activation: str | Activation) -> Activation:
    """The function a neuron applies for an element-wise activation name (or the callable itself).

    Mode-dependent activations (``"rrelu"``) come back as a function of ``(value, training, rng)``; every other
    one is a function of the value alone: the op's own function (what ``Value.relu`` is), not a wrapper.

    >>> get_activation("tanh")(Value(0.5)).data   # the engine's tanh op
    0.46211715726000974
    """
    check_activation(activation, allow_layer=False)
    if callable(activation):
        return activation
    op, facts = activation_entry(activation)
    return facts.function or op.apply


def activation_name(activation: str | Activation) -> str:
    """A readable name for reprs: the name itself, or the callable's ``__name__``.

    >>> activation_name("relu"), activation_name(abs)
    ('relu', 'abs')
    """
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", None) or repr(activation)

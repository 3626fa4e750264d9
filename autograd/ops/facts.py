"""What other concerns read off an op entry: nn's facts about an activation, and the compiler's code template.

An op entry (:mod:`autograd.ops`) says everything about its op; these two records are the parts that neither the
engine nor the op's math needs, kept as data so that ``nn``, the exporters and the compiler read them and never
keep tables of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Activation", "OnnxStep", "Template"]

#: One ONNX node of an activation: ``(op_type, inputs, attributes)``. An input is ``"x"`` (the activation's input),
#: ``"step1"``, ``"step2"``, ... (an earlier node's output) or a number (a constant tensor); an attribute value
#: ``"element type"`` is the graph's float type (for ``Cast``).
OnnxStep = tuple[str, tuple[Any, ...], Mapping[str, Any]]


@dataclass(frozen=True)
class Activation:
    """An op's facts as an activation of ``nn`` (``Neuron(activation=name)``) and of its exporters.

    - ``name``: the name ``nn`` accepts (the op's own name when empty);
    - ``function``: what ``nn`` applies to a neuron's ``w . x + b`` (the op itself when None); with
      ``training=True`` it is called ``function(z, training, rng)`` (rrelu draws its slope in training);
    - ``layer``: it acts on a whole layer's outputs at once (softmax): only a layer's or an output's activation;
    - ``torch``: the ``torch.nn`` module and its keyword arguments, or None when PyTorch has none;
      ``torch_matches(module)`` says whether a module of that class is this activation (default: same arguments);
    - ``onnx``: the ONNX nodes computing it (see :data:`OnnxStep`), empty when ONNX has none; ``onnx_double``:
      onnxruntime runs them in float64 to float64 accuracy.

    >>> from autograd import OPS
    >>> facts = OPS["leaky_relu"].activation
    >>> facts.torch, facts.onnx
    (('LeakyReLU', {'negative_slope': 0.01}), (('LeakyRelu', ('x',), {'alpha': 0.01}),))
    """

    name: str = ""
    function: Callable[..., Any] | None = None
    adds_node: bool = True
    training: bool = False
    layer: bool = False
    torch: tuple[str, Mapping[str, Any]] | None = None
    torch_matches: Callable[[Any], bool] | None = None
    onnx: tuple[OnnxStep, ...] = ()
    onnx_double: bool = False


@dataclass(frozen=True)
class Template:
    """The Python the compiler writes for an op, on floats (``autograd.compile``).

    ``forward`` is an expression of ``{x}`` (unary; ``{p0}``, ``{p1}``, ... its parameters) or ``{a}`` and ``{b}``
    (binary); ``derivative`` one expression per operand, of the same names and ``{out}`` (the forward result).
    ``imports`` names the modules the expressions use (``math``). An op without a template is compiled as a call
    of its entry's own ``forward`` and ``derivative`` functions.

    For tanh: forward ``tanh(x)``, derivative d tanh(x)/dx = 1 - tanh(x)^2, written from the output:

    >>> tanh = Template("math.tanh({x})", ("1.0 - {out} * {out}",), imports=("math",))
    >>> tanh.forward.format(x="z1"), tanh.derivative[0].format(out="a1")
    ('math.tanh(z1)', '1.0 - a1 * a1')
    """

    forward: str
    derivative: tuple[str, ...]
    imports: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

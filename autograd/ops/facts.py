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
    """The Python the compiler writes for an op, on floats (:func:`autograd.compile`, :func:`nn.compile`).

    Element-wise ops (unary, binary):

    - ``forward``: an expression of ``{x}`` (unary; its parameters ``{p0}``, ``{p1}``, ...) or of ``{a}`` and
      ``{b}`` (binary); ``derivative``: the local derivative d out / d operand, one expression per operand, of
      the same names and ``{out}`` (the forward result), equal bit for bit to the entry's ``derivative``;
    - ``passes``: for an op that selects (relu), the condition under which a gradient passes at all (an off relu
      passes nothing back, not even ``0 * inf``); ``"False"``: never (binary_step).

    Ops over a sequence (sum, softmax, cross_entropy, ...): ``forward`` is one or more statements setting
    ``{out}`` from the list ``{z}`` (``{t}``: a target or index held by the node; ``{tmp}``: a prefix for
    temporaries), and ``backward`` statements setting ``{contrib}``, the list of each input's share
    ``local derivative * upstream``, from the upstream gradient ``{g}`` (a list ``{g}`` with the outputs'
    order ``{order}`` for an op with several outputs, softmax).

    ``names``: what the code calls (``tanh``, ``stable_sigmoid``), put into the generated code's namespace. An
    element-wise op without a template is compiled as calls of its entry's own ``forward`` and ``derivative``.

    >>> from autograd import OPS
    >>> OPS["tanh"].template.derivative
    ('1.0 - {out} * {out}',)
    """

    forward: str
    derivative: tuple[str, ...] = ()
    passes: str = ""
    backward: str = ""
    names: Mapping[str, Any] = field(default_factory=dict)

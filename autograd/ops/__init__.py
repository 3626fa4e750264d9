"""Every op, each defined once: its forward rule, its one derivative, its formula, its Value method, and what other
concerns read off it (an activation's facts for ``nn`` and the exporters, the compiler's template).

An op is an entry of one of the kinds in :mod:`autograd.core.kinds` (``UnaryOp``, ``BinaryOp``, ``NaryOp``),
registered in :data:`OPS` under its name, which also installs it on ``Value`` (``a * b``, ``x.tanh()``). Each
derivative is one function that works on floats *and* on Values: the forward pass calls it with floats and stores
the result on the node; ``backward(create_graph=True)`` calls it with Values to build the graph of the gradient
itself. Derivatives are written from the output where that is natural (``tanh: 1 - out**2``, ``exp: out``).

The test suite is parametrised over :data:`OPS`: an op is checked the moment it is registered.

- :mod:`autograd.ops.arithmetic`: ``+ - * / **``, negation, ``abs``
- :mod:`autograd.ops.functions`: exp, log, sqrt, sin, cos, erf
- :mod:`autograd.ops.activations`: every activation ``nn`` offers
- :mod:`autograd.ops.vectors`: sum, softmax, log_softmax, logsumexp, cross_entropy
- :mod:`autograd.ops.dot_product`: ``w . x + b`` and ``relu(w . x + b)`` as one node
"""

from autograd.core.kinds import OPS, BinaryOp, NaryOp, UnaryOp

# isort: off
# Registering the ops, in the order of the table (and of every listing made from it).
from autograd.ops import arithmetic, functions, activations, vectors, dot_product  # noqa: F401

# isort: on
from autograd.ops.activations import SELU_ALPHA, SELU_SCALE, gelu, rrelu
from autograd.ops.dot_product import dot, dot_terms, relu_dot
from autograd.ops.facts import Activation, Template
from autograd.ops.vectors import (
    cross_entropy,
    log_softmax,
    logsumexp,
    softmax,
    softmax_and_logsumexp,
    stable_softmax,
    sum_values,
)

#: The element-wise ops, by name: what the gradient tests and the pictures iterate over.
ELEMENTWISE_OPS = {name: op for name, op in OPS.items() if isinstance(op, UnaryOp | BinaryOp)}

__all__ = [
    "ELEMENTWISE_OPS",
    "OPS",
    "SELU_ALPHA",
    "SELU_SCALE",
    "Activation",
    "BinaryOp",
    "NaryOp",
    "Template",
    "UnaryOp",
    "cross_entropy",
    "dot",
    "dot_terms",
    "gelu",
    "log_softmax",
    "logsumexp",
    "relu_dot",
    "rrelu",
    "softmax",
    "softmax_and_logsumexp",
    "stable_softmax",
    "sum_values",
]

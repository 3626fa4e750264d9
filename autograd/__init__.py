"""glassgrad's autograd engine: scalar reverse-mode differentiation you can watch.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0

Standard library only: ``import autograd`` loads no third-party package.
Drawing (``autograd.viz``) imports graphviz when it is called.
"""

from autograd.functional import grad, hessian
from autograd.gradcheck import GradcheckError, central_difference, gradcheck
from autograd.graph import backward, topological_order
from autograd.mode import enable_grad, is_grad_enabled, no_grad
from autograd.ops import (
    OPS,
    cross_entropy,
    dot,
    dots,
    dots_data,
    log_softmax,
    logsumexp,
    relu_dot,
    relu_dots,
    softmax,
    sum_values,
)
from autograd.value import Value

__all__ = [
    "OPS",
    "GradcheckError",
    "Value",
    "backward",
    "central_difference",
    "cross_entropy",
    "dot",
    "dots",
    "dots_data",
    "enable_grad",
    "grad",
    "gradcheck",
    "hessian",
    "is_grad_enabled",
    "log_softmax",
    "logsumexp",
    "no_grad",
    "relu_dot",
    "relu_dots",
    "softmax",
    "sum_values",
    "topological_order",
]

__version__ = "0.1.0"

"""glassgrad's autograd engine: scalar reverse-mode differentiation you can watch.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0

Standard library only: ``import autograd`` loads no third-party package. Drawing (``autograd.viz``) imports
graphviz when it is called.

- :mod:`autograd.core`: the node, the op kinds, the chain rule and grad mode (read it first);
- :mod:`autograd.ops`: every op, each once; :mod:`autograd.fast`: a layer's nodes, built faster;
- :mod:`autograd.functional`, :mod:`autograd.gradcheck`: derivatives as functions, and checking them;
- :func:`autograd.compile`: a function's forward and backward pass as generated Python (the package
  :mod:`autograd.compiler`: tracing, emitting from the op table, checking, running);
- the learning tools: :mod:`autograd.explain`, :mod:`autograd.viz`, :mod:`autograd.practice`,
  :mod:`autograd.paths`, :mod:`autograd.modes`, :mod:`autograd.anomaly`; :mod:`autograd.compat` (micrograd);
- :mod:`autograd.pages` (the HTML pages) and :mod:`autograd.cli` (the ``glassgrad`` command).
"""

# First of all: is this folder glassgrad's alone? HIPS autograd shares the import name (autograd.integrity).
from autograd import integrity  # noqa: F401

# isort: split
from autograd import (
    compat,  # micrograd's names: Value(data, _children, _op), _prev, _op, _backward
    copying,  # pickle and deepcopy of graphs of any depth
    display,  # how a Value shows in a notebook (Value._repr_html_)
    ops,  # registers every op on Value
)
from autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from autograd.compiler import CompiledFunction, CompileError, TraceError, compile  # noqa: A004 - as torch.compile
from autograd.core.backward import apply_chain_rule, backward, topological_order
from autograd.core.kinds import OPS
from autograd.core.mode import enable_grad, is_grad_enabled, no_grad
from autograd.core.value import ZERO_GRADS, Value
from autograd.fast import CheckedRows, dots, relu_dots
from autograd.functional import grad, hessian, jvp
from autograd.gradcheck import GradcheckError, central_difference, gradcheck
from autograd.ops import (
    cross_entropy,
    dot,
    log_softmax,
    logsumexp,
    relu_dot,
    softmax,
    stable_softmax,
    sum_values,
)
from autograd.rng import as_rng
from autograd.version import __version__ as __version__

__all__ = [
    "OPS",
    "ZERO_GRADS",
    "AnomalyError",
    "CheckedRows",
    "CompileError",
    "CompiledFunction",
    "GradcheckError",
    "TraceError",
    "Value",
    "apply_chain_rule",
    "as_rng",
    "backward",
    "central_difference",
    "compat",
    "compile",
    "copying",
    "cross_entropy",
    "detect_anomaly",
    "display",
    "dot",
    "dots",
    "enable_grad",
    "grad",
    "gradcheck",
    "hessian",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "jvp",
    "log_softmax",
    "logsumexp",
    "no_grad",
    "ops",
    "relu_dot",
    "relu_dots",
    "softmax",
    "stable_softmax",
    "sum_values",
    "topological_order",
]

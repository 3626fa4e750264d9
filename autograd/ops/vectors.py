"""Ops over a sequence of inputs, one node per output: sum, softmax, log_softmax, logsumexp and cross_entropy.

Every forward pass and derivative here comes from the one stable softmax, :func:`softmax_and_logsumexp`.

The gradient of cross-entropy with respect to the logits is softmax(z) - onehot(target):

>>> z = [Value(1.0), Value(2.0), Value(0.5)]
>>> loss = cross_entropy(z, 1)
>>> loss.backward()
>>> [round(v.grad, 4) for v in z], [round(p, 4) for p in stable_softmax([1.0, 2.0, 0.5])]
([0.2312, -0.3715, 0.1402], [0.2312, 0.6285, 0.1402])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd.core.checks import as_float, quote
from autograd.core.kinds import NaryOp, nary_node, register
from autograd.core.value import Value
from autograd.ops.facts import Activation, Template
from autograd.ops.scalars import Scalar, exp, log

__all__ = [
    "DeferredGrads",
    "cross_entropy",
    "log_softmax",
    "logsumexp",
    "softmax",
    "softmax_and_logsumexp",
    "stable_softmax",
    "sum_values",
]


class DeferredGrads(Sequence):
    """Local derivatives computed when read, by the op's own derivative: ``derivative(*arguments)``.

    For ops whose every output depends on every input (softmax): n nodes of n stored derivatives each would take
    memory quadratic in n (10,000 logits: over 3 GB); deferred, it stays linear.

    >>> grads = DeferredGrads(lambda a, b: [a + b, a - b], (3.0, 1.0), 2)   # nothing computed yet
    >>> len(grads), list(grads), grads[1]
    (2, [4.0, 2.0], 2.0)
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
        raise TypeError(
            f"{where}() needs a sequence of Values or numbers, got {type(values).__name__}: {quote(values)}"
        )
    if len(values) == 0:
        raise ValueError(f"{where}() needs at least one value, got an empty sequence")
    return tuple(v if isinstance(v, Value) else Value(as_float(v, where)) for v in values)


def _total(values: Sequence[Scalar]) -> Scalar:
    """The sum of floats (exactly rounded) or of Values (one sum node)."""
    return sum_values(values) if isinstance(values[0], Value) else math.fsum(values)


def softmax_and_logsumexp(z: Sequence[Scalar]) -> tuple[list[Scalar], Scalar]:
    """(softmax(z), logsumexp(z)), stable: softmax(z)_j = e^(z_j - m) / sum_k e^(z_k - m), m = max(z).

    On floats, or built from Value ops. Subtracting the max changes nothing (softmax(z) = softmax(z - c)) but keeps
    every exponent <= 0, so nothing overflows; logsumexp(z) = m + log(sum_k e^(z_k - m)).

    >>> softmax_and_logsumexp([1000.0, 1000.0])   # e^1000 overflows a float; this does not: (1/2, 1/2), 1000 + log 2
    ([0.5, 0.5], 1000.6931471805599)
    """
    on_values = isinstance(z[0], Value)
    top = max([v.data for v in z] if on_values else z)
    if math.isinf(top):
        raise ValueError(f"softmax needs finite logits, got {top!r}")
    exp_, log_ = (exp, log) if on_values else (math.exp, math.log)  # the same formula, on either
    exps = [exp_(v - top) for v in z]
    total = _total(exps)
    return [e / total for e in exps], top + log_(total)


def stable_softmax(z: Sequence[Scalar]) -> list[Scalar]:
    """softmax(z), stable (see :func:`softmax_and_logsumexp`); floats or Values.

    >>> [round(p, 4) for p in stable_softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    """
    return softmax_and_logsumexp(z)[0]


def _sum_derivative(values: Sequence[Scalar], out: Scalar, context: Any) -> tuple:
    return (1.0,) * len(values)


def sum_values(values: Sequence[Value | float], start: float = 0.0) -> Value:
    """sum(values) as one node: d(sum)/dv_i = 1 for every Value v_i; numbers (and ``start``) are a constant.

    >>> a, b = Value(1.0), Value(2.0)
    >>> sum_values([a, b, 3.0]).data
    6.0
    """
    if isinstance(values, Value | str) or not isinstance(values, Iterable):
        raise TypeError(
            f"sum_values() needs a sequence of Values or numbers, got {type(values).__name__}: {quote(values)}"
        )
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


_sum = register(
    NaryOp(
        "sum",
        _sum_derivative,
        "d(v_1 + ... + v_n)/dv_i = 1",
        apply=sum_values,
        # sum_in_order: the values added one by one from 0.0, as sum_values does (the compiler's namespace has it).
        template=Template("{out} = sum_in_order({z})", backward="{contrib} = [{g}] * len({z})"),
    )
)


def _softmax_derivative(z: Sequence[Scalar], out: Scalar, i: int) -> list:
    """d s_i / d z_j = s_i (delta_ij - s_j)."""
    return [out * ((i == j) - s_j) for j, s_j in enumerate(stable_softmax(z))]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), one node per output; d s_i / d z_j = s_i (delta_ij - s_j).

    Stable (see :func:`stable_softmax`): ``softmax([1000.0, 0.0])`` is [1.0, e^-1000]. Each output's local
    derivatives are computed when backward reads them, so memory stays linear in the number of logits.

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


_softmax = register(
    NaryOp(
        "softmax",
        _softmax_derivative,
        "d s_i/d z_j = s_i (delta_ij - s_j)",
        apply=softmax,
        template=Template(
            "{out} = stable_softmax({z})",
            backward="for i in {order}:\n"
            "    {acc} = [a + {out}[i] * ((i == j) - s) * {g}[i] for j, (a, s) in enumerate(zip({acc}, {out}))]",
            names={"stable_softmax": stable_softmax},
        ),
        activation=Activation(
            layer=True,
            function=softmax,
            torch=("Softmax", {"dim": -1}),
            torch_matches=lambda module: module.dim in (-1, 1),
            onnx=(("Softmax", ("x",), {"axis": -1}),),
            onnx_double=True,
        ),
    )
)


def _log_softmax_derivative(z: Sequence[Scalar], out: Scalar, i: int) -> list:
    """d(z_i - logsumexp(z))/dz_j = delta_ij - s_j."""
    return [(i == j) - s_j for j, s_j in enumerate(stable_softmax(z))]


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


_log_softmax = register(
    NaryOp(
        "log_softmax",
        _log_softmax_derivative,
        "d(z_i - logsumexp(z))/dz_j = delta_ij - s_j",
        apply=log_softmax,
        template=Template(
            "{tmp}p, {tmp}lse = softmax_and_logsumexp({z})\n{out} = [zj - {tmp}lse for zj in {z}]",
            backward="for i in {order}:\n"
            "    {acc} = [a + ((i == j) - s) * {g}[i] for j, (a, s) in enumerate(zip({acc}, {tmp}p))]",
            names={"softmax_and_logsumexp": softmax_and_logsumexp},
        ),
    )
)


def _logsumexp_derivative(z: Sequence[Scalar], out: Scalar, context: Any) -> list:
    """d logsumexp(z)/dz_j = softmax(z)_j."""
    return stable_softmax(z)


def logsumexp(values: Sequence[Value | float]) -> Value:
    """log(sum_j e^(z_j)), stable: d/dz_j = softmax(z)_j.

    >>> round(logsumexp([1000.0, 1000.0]).data, 4)
    1000.6931
    """
    logits = _as_values(values, "logsumexp")
    data = [z.data for z in logits]
    probabilities, lse = softmax_and_logsumexp(data)
    return nary_node(_logsumexp, lse, logits, tuple(probabilities))  # its derivative, softmax(z), from the same pass


_logsumexp = register(
    NaryOp(
        "logsumexp",
        _logsumexp_derivative,
        "d logsumexp(z)/dz_j = softmax(z)_j",
        apply=logsumexp,
        template=Template(
            "{tmp}p, {out} = softmax_and_logsumexp({z})",
            backward="{contrib} = [p * {g} for p in {tmp}p]",
            names={"softmax_and_logsumexp": softmax_and_logsumexp},
        ),
    )
)


def _cross_entropy_derivative(z: Sequence[Scalar], out: Scalar, target: int) -> list:
    """d(logsumexp(z) - z_t)/dz_j = softmax(z)_j - [j == t]."""
    return _cross_entropy_grads(stable_softmax(z), target)


def _cross_entropy_grads(probabilities: Sequence[Scalar], target: int) -> list:
    return [s_j - (j == target) for j, s_j in enumerate(probabilities)]


def cross_entropy(logits: Sequence[Value | float], target: int) -> Value:
    """-log softmax(z)_target = logsumexp(z) - z_target, as one stable node; d/dz_j = softmax(z)_j - [j == target].

    >>> round(cross_entropy([0.0, 0.0], 1).data, 4)   # log 2
    0.6931
    """
    logits_ = _as_values(logits, "cross_entropy")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(
            f"cross_entropy() target must be a class index (int), got {type(target).__name__}: {quote(target)}"
        )
    if not 0 <= target < len(logits_):
        raise ValueError(f"cross_entropy() target {target} is out of range for {len(logits_)} classes")
    target = int(target)
    data = [z.data for z in logits_]
    probabilities, lse = softmax_and_logsumexp(data)  # one pass: the value and (below) its derivative
    return nary_node(
        _cross_entropy, lse - data[target], logits_, tuple(_cross_entropy_grads(probabilities, target)), target
    )


_cross_entropy = register(
    NaryOp(
        "cross_entropy",
        _cross_entropy_derivative,
        "d(logsumexp(z) - z_t)/dz_j = softmax(z)_j - [j == t]",
        apply=cross_entropy,
        template=Template(
            "{tmp}p, {tmp}lse = softmax_and_logsumexp({z})\n{out} = {tmp}lse - {z}[{t}]",
            backward="{contrib} = [p * {g} for p in {tmp}p]\n{contrib}[{t}] = ({tmp}p[{t}] - 1.0) * {g}",
            names={"softmax_and_logsumexp": softmax_and_logsumexp},
        ),
    )
)

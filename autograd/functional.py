"""Derivatives as functions: ``grad`` (to any order), ``hessian`` and ``jvp`` (forward mode).

``grad`` and ``hessian`` are built on ``backward(create_graph=True)``, which
rebuilds each local derivative as a Value from the same op table the forward
pass uses; ``jvp`` carries dual numbers forward through the local derivatives
that same table stored: there is no second set of derivative formulas.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.core.backward import backward, topological_order
from autograd.core.checks import as_float, quote
from autograd.core.mode import enable_grad
from autograd.core.value import Value
from autograd.graph import nodes_in_order
from autograd.ops.activations import identity

__all__ = ["Dual", "grad", "hessian", "jvp"]

#: How many grad() calls are running in this context: inside one, results stay Values.
_grad_depth: contextvars.ContextVar[int] = contextvars.ContextVar("glassgrad_grad_depth", default=0)


def _leaves_reached(out: Value, stop_at: list[Value]) -> list[Value]:
    """The leaves (outside ``stop_at``) that a backward pass from ``out`` would write to."""
    stops = set(stop_at)
    leaves: dict[Value, None] = {}
    if not out.parents and out not in stops:
        leaves[out] = None
    for node in topological_order(out, stop_at):
        for parent in node.parents:
            if not parent.parents and parent not in stops:
                leaves[parent] = None
    return list(leaves)


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Return a function computing the derivative of scalar ``f`` with respect to argument(s) ``argnums``.

    Called with numbers it returns a float (a tuple of floats when
    ``argnums`` is a sequence). Called with Values (as it is inside another
    ``grad``) it returns Values with a graph, so it composes:
    ``grad(grad(f))`` is f'', ``grad(grad(grad(f)))`` is f''', and so on.

    >>> grad(lambda x: x ** 3)(2.0)          # 3 x^2
    12.0
    >>> grad(grad(lambda x: x ** 3))(2.0)    # 6 x
    12.0

    ``f`` is always traced with recording on, even inside ``no_grad``; parts
    of ``f`` that run under their own ``no_grad`` are constants to it (their
    derivative is 0), as in PyTorch.

    Ops with no second derivative (relu, binary_step, abs, leaky_relu, ...)
    are piecewise linear: their rebuilt local derivative is a constant, so
    their second derivative comes out 0 away from the kink, and 0 at it.
    """
    if not callable(f):
        raise TypeError(f"grad() needs a function f, got {type(f).__name__}: {f!r}")
    positions = (argnums,) if isinstance(argnums, int) and not isinstance(argnums, bool) else argnums
    if isinstance(positions, str) or not isinstance(positions, Sequence) or not positions:
        positions = (None,)  # refused below, with what was given
    if any(isinstance(p, bool) or not isinstance(p, int) for p in positions):
        raise TypeError(f"grad() argnums must be an int or a non-empty sequence of ints, got {argnums!r}")
    positions = tuple(positions)

    @functools.wraps(f)
    def derivative(*args: Any) -> Any:
        for position in positions:
            if not 0 <= position < len(args):
                raise ValueError(f"grad() argnums {position} is out of range for {len(args)} arguments")
        # Inside another grad (or called with Values) the result must stay
        # differentiable: build the gradient's own graph.
        nested = _grad_depth.get() > 0 or any(isinstance(a, Value) for a in args)
        depth_token = _grad_depth.set(_grad_depth.get() + 1)
        try:
            with enable_grad():
                # Each differentiated argument enters through a fresh node and
                # backward stops there.
                inputs = list(args)
                entries: dict[int, Value] = {}
                for position in positions:
                    arg = args[position]
                    entry = identity(arg) if isinstance(arg, Value) else Value(as_float(arg, "grad"))
                    inputs[position] = entries[position] = entry
                out = f(*inputs)
                if not isinstance(out, Value):
                    if not isinstance(out, numbers.Real):
                        raise TypeError(f"grad() needs f to return a Value or a number, got {type(out).__name__}")
                    out = Value(out)  # f ignores its differentiated arguments: the derivative is 0
                stops = list(entries.values())
                # Like torch.autograd.grad, leave every other leaf's .grad as it
                # was: an enclosing grad may still be accumulating into it.
                leaves = _leaves_reached(out, stops)
                saved = [leaf.grad for leaf in leaves]
                for entry in stops:
                    entry.grad = 0.0
                backward(out, create_graph=nested, stop_at=stops)
                for leaf, g in zip(leaves, saved):
                    leaf.grad = g
        finally:
            _grad_depth.reset(depth_token)
        results = []
        for position in positions:
            g = entries[position].grad
            if not nested:
                g = float(g)
            elif not isinstance(g, Value):
                g = Value(g)  # f does not depend on this argument
            results.append(g)
        return results[0] if isinstance(argnums, int) else tuple(results)

    return derivative


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[float]]]:
    """Return a function computing the matrix of second derivatives d^2 f / dx_i dx_j.

    For a function of a few scalars: ``hessian(f)(x, y)`` is a list of lists
    of floats, symmetric where f is twice continuously differentiable.

    >>> hessian(lambda x, y: x * x * y)(1.0, 2.0)  # [[2y, 2x], [2x, 0]]
    [[4.0, 2.0], [2.0, 0.0]]
    """

    def hessian_at(*args: float) -> list[list[float]]:
        if any(isinstance(a, Value) for a in args):
            raise TypeError("hessian() takes numbers; to nest derivatives, compose grad()")
        positions = tuple(range(len(args)))
        rows = []
        for i in positions:
            row = grad(lambda *xs, i=i: grad(f, argnums=i)(*xs), argnums=positions)(*args)
            rows.append([float(v) for v in row])
        return rows

    return hessian_at


class Dual(tuple):
    """A dual number ``primal + tangent * eps`` (``eps^2 = 0``): a value and its directional derivative.

    For ``f(x + t eps) = f(x) + f'(x) t eps``, forward mode carries one of
    these per node: ``Dual(node.data, sum_k d node/d parent_k * tangent_k)``.

    >>> d = Dual(9.0, 6.0)       # x^2 at x = 3 in direction 1: 9 + 2x eps
    >>> d.primal, d.tangent
    (9.0, 6.0)
    """

    __slots__ = ()

    def __new__(cls, primal: float, tangent: float) -> Dual:
        return super().__new__(cls, (primal, tangent))

    @property
    def primal(self) -> float:
        """The value: f(x)."""
        return self[0]

    @property
    def tangent(self) -> float:
        """The directional derivative: f'(x) t."""
        return self[1]

    def __repr__(self) -> str:
        return f"Dual(primal={self[0]!r}, tangent={self[1]!r})"


def _as_outputs(out: Any, where: str) -> tuple[list[Value], bool]:
    """``f``'s result as a list of Values, and whether it was one value (not a sequence)."""
    if isinstance(out, Value | numbers.Real) and not isinstance(out, bool):
        return [out if isinstance(out, Value) else Value(out)], True
    if isinstance(out, Sequence) and not isinstance(out, str | bytes):
        values = []
        for k, item in enumerate(out):
            if isinstance(item, bool) or not isinstance(item, Value | numbers.Real):
                raise TypeError(
                    f"{where}() needs f to return Values or numbers, got {type(item).__name__} at [{k}]: {quote(item)}"
                )
            values.append(item if isinstance(item, Value) else Value(item))
        return values, False
    raise TypeError(
        f"{where}() needs f to return a Value, a number or a sequence of them, got {type(out).__name__}: {quote(out)}"
    )


def check_function(f: Any, arguments: int, where: str) -> None:
    """TypeError naming ``where`` unless ``f`` is callable with ``arguments`` positional arguments."""
    if not callable(f):
        raise TypeError(f"{where}() needs a function f, got {type(f).__name__}: {quote(f)}")
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a builtin without a signature: calling it will tell
        return
    try:
        signature.bind(*range(arguments))
    except TypeError as error:
        noun = "input" if arguments == 1 else "inputs"
        raise TypeError(f"{where}() calls f with {arguments} {noun}, which f does not take: {error}") from None


def trace(
    f: Callable[..., Any], primals: Sequence[float], where: str, what: str = "primals"
) -> tuple[list[Value], list[Value], bool]:
    """Run ``f`` once on fresh leaves holding ``primals``: (the leaves, its outputs, whether it returned one value).

    ``what`` is how the caller's documentation calls ``primals`` (in the error messages).
    """
    if isinstance(primals, Value | numbers.Real | str | bytes) or not isinstance(primals, Sequence):
        raise TypeError(
            f"{where}() needs a sequence of numbers as {what}, got {type(primals).__name__}: {quote(primals)}"
        )
    inputs: list[Value] = []
    for k, x in enumerate(primals):
        if isinstance(x, Value | bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{where}() {what}[{k}] must be a number, got {type(x).__name__}: {quote(x)}")
        inputs.append(Value(float(x), label=f"x{k + 1}"))
    check_function(f, len(inputs), where)
    with enable_grad():
        out = f(*inputs)
    outputs, single = _as_outputs(out, where)
    return inputs, outputs, single


def tangent_pass(inputs: Sequence[Value], outputs: Sequence[Value], tangents: Sequence[float]) -> dict[Value, Dual]:
    """One forward pass: the dual number of every node, from the inputs' tangents (every other leaf's is 0).

    ``tangent(node) = sum_k d node/d parent_k * tangent(parent_k)``, the local
    derivatives being the ones the op table's derivative rules stored on the
    node when it was computed (``node.local_grads``).
    """
    seeds: dict[Value, float] = {}
    for value, t in zip(inputs, tangents):
        seeds[value] = seeds.get(value, 0.0) + t
    duals: dict[Value, Dual] = {}
    for node in nodes_in_order(*outputs):
        if not node.parents:
            duals[node] = Dual(node.data, seeds.get(node, 0.0))
            continue
        tangent = 0.0
        for parent, local in zip(node.parents, node.local_grads):
            tangent += local * duals[parent].tangent  # one multiply-add per edge
        duals[node] = Dual(node.data, tangent)
    return duals


def jvp(f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]) -> tuple[Any, Any]:
    """Forward mode: ``(f(primals), J v)``, the value of ``f`` and its derivative in the direction ``v = tangents``.

    ``f`` takes ``len(primals)`` scalars and returns a Value (or number), or a
    sequence of them; the result is then a float pair, or a pair of lists.
    Each node carries a :class:`Dual` number, computed from its parents' by
    the chain rule run forwards, ``t_node = sum_k (d node/d parent_k) t_parent_k``,
    with the local derivatives the op table's rules gave the node: one pass
    over the graph per direction, where reverse mode needs one per output.

    >>> value, slope = jvp(lambda x, y: x * y + x.tanh(), [2.0, 3.0], [1.0, 0.0])   # d/dx = y + 1 - tanh(x)^2
    >>> round(value, 6), round(slope, 6)
    (6.964028, 3.070651)
    """
    if not callable(f):
        raise TypeError(f"jvp() needs a function f, got {type(f).__name__}: {quote(f)}")
    for what, given in (("primals", primals), ("tangents", tangents)):
        if isinstance(given, Value | numbers.Real | str | bytes) or not isinstance(given, Sequence):
            raise TypeError(f"jvp() needs a sequence of numbers as {what}, got {type(given).__name__}: {quote(given)}")
    if len(tangents) != len(primals):
        raise ValueError(f"jvp() needs one tangent per primal, got {len(primals)} primals and {len(tangents)} tangents")
    for k, t in enumerate(tangents):
        if isinstance(t, Value | bool) or not isinstance(t, numbers.Real):
            raise TypeError(f"jvp() tangents[{k}] must be a number, got {type(t).__name__}: {quote(t)}")
    inputs, outputs, single = trace(f, primals, "jvp")
    duals = tangent_pass(inputs, outputs, [float(t) for t in tangents])
    values = [duals[out].primal for out in outputs]
    slopes = [duals[out].tangent for out in outputs]
    return (values[0], slopes[0]) if single else (values, slopes)

"""Derivatives as functions: ``grad`` (to any order) and ``hessian``.

Built on ``backward(create_graph=True)``, which rebuilds each local derivative
as a Value from the same op table the forward pass uses: there is no second
set of derivative formulas.
"""

from __future__ import annotations

import contextvars
import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.backprop import backward, topological_order
from autograd.mode import enable_grad
from autograd.ops import identity
from autograd.value import Value

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
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)

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
                    entry = identity(arg) if isinstance(arg, Value) else Value(arg)
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

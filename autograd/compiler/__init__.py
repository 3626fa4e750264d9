"""The compiler: backpropagation as code you can read, running at the speed of hand-written Python.

:func:`compile` traces one call of a function of numbers with the eager engine (every node made, in order) and
writes the Python of its forward pass, then its backward pass in the engine's own order, line by line from the op
table: each op's forward rule and local derivative come from its entry (``template``), with the chain-rule rule
as a comment. The code is checked (:mod:`autograd.compiler.check`) and run in a fresh namespace; ``source`` shows it.

>>> import autograd
>>> def neuron(w, x, b):
...     return (w * x + b).tanh()
>>> compiled = autograd.compile(neuron)
>>> value, (dw, dx, db) = compiled(-3.0, 2.0, 6.5)
>>> round(value, 4), round(dw, 4)
(0.4621, 1.5729)
>>> print(compiled.source)                     # doctest: +ELLIPSIS
# value and gradients of 'neuron', compiled by glassgrad
def value_and_grad(x0, x1, x2, ext):
    # x0 is 'w'
    ...

What a trace cannot see is refused (:class:`TraceError`): comparing a traced Value, ``bool()`` of one, reading its
``.data``: a branch on one call's numbers would be baked into the code. Higher-order use (``grad`` of the compiled
function, ``hessian``) runs the function with the eager engine. ``fallback=True`` runs eagerly instead of refusing,
and says why once.

Training steps of ``nn`` models are compiled by :func:`nn.compile`, with the same machinery.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from autograd.compiler.check import load
from autograd.compiler.graph import build_graph
from autograd.compiler.trace import (
    CompileError,
    Recorder,
    Traced,
    TraceError,
    collector_paused,
    run_traced,
    tracing,
    user_line,
)
from autograd.compiler.writer import Layout, Matrix, Program, Spec, UpdateRule, emit, groups_differ, sum_in_order
from autograd.core.backward import backward
from autograd.core.checks import as_float, quote
from autograd.core.value import Value

__all__ = [
    "CompileError",
    "CompiledFunction",
    "Layout",
    "Matrix",
    "Program",
    "Recorder",
    "Spec",
    "TraceError",
    "Traced",
    "UpdateRule",
    "build_graph",
    "collector_paused",
    "compile",
    "emit",
    "groups_differ",
    "load",
    "run_traced",
    "show_source",
    "sum_in_order",
    "tracing",
    "user_line",
]


class Source(str):
    """Generated code: a str that a notebook shows highlighted (a Markdown block of Python) and a console shows as
    the code itself."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        fence = "```"
        while fence in self:
            fence += "`"
        return f"{fence}python\n{self}\n{fence}"

    def __repr__(self) -> str:
        return str(self)


def show_source(text: str) -> Source:
    """``text`` as :class:`Source` (shown as highlighted Python in a notebook).

    >>> show_source("x = 1")._repr_markdown_()
    '```python\\nx = 1\\n```'
    """
    return Source(text)


class CompiledFunction:
    """A function of numbers, compiled: ``compiled(*numbers)`` is ``(value, (d value / d x0, d value / d x1, ...))``.

    It is traced at its first call (with those numbers) and runs the generated code from then on. Called with
    Values (inside ``autograd.grad``, ``hessian``, or another graph), it runs the function itself with the eager
    engine and returns its Value, so higher-order use works. ``source`` is the generated code; ``plan`` says how
    it was laid out.

    >>> import autograd
    >>> cube = CompiledFunction(lambda x: x * x * x)
    >>> cube(2.0)
    (8.0, (12.0,))
    >>> autograd.grad(cube)(2.0)          # with Values: the function itself, eagerly
    12.0
    """

    def __init__(
        self, function: Callable[..., Any], *, fallback: bool = False, names: Sequence[str] | None = None
    ) -> None:
        if not callable(function):
            raise TypeError(f"compile() needs a function of numbers, got {type(function).__name__}: {quote(function)}")
        if names is not None and (isinstance(names, str) or not all(isinstance(n, str) for n in names)):
            raise TypeError(f"compile() names must be a list of strings, got {quote(names)}")
        self.function = function
        self.fallback = fallback
        self.names = None if names is None else list(names)
        self.program: Program | None = None
        self._run: Callable[..., Any] | None = None
        self._externals: list[Value] = []
        self._arity: int | None = None
        self._eager_reason: str | None = None
        self.__name__ = getattr(function, "__name__", "compiled")
        self.__doc__ = getattr(function, "__doc__", None)

    # ------------------------------------------------------------------------------------------------------
    @property
    def source(self) -> Source:
        """The generated Python (traced at the first call)."""
        if self.program is None:
            reason = f": it runs eagerly ({self._eager_reason})" if self._eager_reason else ": call it once first"
            raise CompileError(f"compile: {self.__name__} has no generated code yet{reason}")
        return Source(self.program.source)

    @property
    def plan(self) -> str:
        """How the code was laid out (``"unrolled"``, ``"node by node"``), or ``"not compiled"`` before a call."""
        return self.program.plan if self.program else "not compiled"

    def _repr_markdown_(self) -> str:
        return self.source._repr_markdown_() if self.program else f"`{self!r}`"

    def __repr__(self) -> str:
        return f"<compiled {self.__name__} ({self.plan})>"

    # ------------------------------------------------------------------------------------------------------
    def __call__(self, *args: Any) -> Any:
        if any(isinstance(a, Value) for a in args):
            return self.function(*args)  # inside another graph: the eager engine, so its derivatives exist
        numbers = [as_float(a, "compiled function") for a in args]
        if self._arity is None:
            try:
                self._compile(numbers)
            except CompileError as error:
                if not self.fallback:
                    raise
                self._eager_reason = str(error).splitlines()[0]
                warnings.warn(f"{self.__name__} runs with the eager engine: {error}", stacklevel=2)
                self._arity = len(numbers)
        if len(numbers) != self._arity:
            raise TypeError(f"{self.__name__} was compiled for {self._arity} numbers, got {len(numbers)}")
        if self._run is None:
            return self._eager(numbers)
        return self._run(*numbers, [v.data for v in self._externals])

    def _eager(self, numbers: list[float]) -> tuple[float, tuple[float, ...]]:
        inputs = [Value(x) for x in numbers]
        result = self.function(*inputs)
        if not isinstance(result, Value):
            raise TypeError(f"{self.__name__} must return a Value, got {type(result).__name__}: {quote(result)}")
        backward(result)
        return result.data, tuple(float(v.grad) for v in inputs)

    @collector_paused()
    def _compile(self, numbers: list[float]) -> None:
        names = _parameter_names(self.function, len(numbers)) if self.names is None else self.names
        names = (names + [""] * len(numbers))[: len(numbers)]
        inputs = [Value(x, label=name) for x, name in zip(numbers, names)]
        result, recorder = run_traced(self.function, inputs, *inputs)
        if not isinstance(result, Value):
            raise CompileError(
                f"compile: {self.__name__} must return one Value (the value to differentiate), got "
                f"{type(result).__name__}: {quote(result)}"
            )
        graph = build_graph([result], recorder.nodes, {v: ("input", 0, j) for j, v in enumerate(inputs)}, [])
        spec = Spec(
            examples=0,
            arguments=len(numbers),
            grad_kinds=frozenset({"input"}),
            title=f"value and gradients of {_safe_name(self.__name__)}, compiled by glassgrad",
            argument_labels=names,
        )
        program = emit(graph, spec)
        self._run = load(program.source, program.names, "value_and_grad")
        self.program = program
        self._externals = graph.externals
        self._arity = len(numbers)


def _safe_name(name: str) -> str:
    from autograd.compiler.source import quoted

    return quoted(name)


def _parameter_names(function: Callable[..., Any], count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return [""] * count
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return (names + [""] * count)[:count]


def compile(  # noqa: A001
    function: Callable[..., Any], *, fallback: bool = False, names: Sequence[str] | None = None
) -> CompiledFunction:
    """Compile ``function`` (numbers in, one Value out) into generated Python that gives its value and gradients.

    ``compile(f)(*numbers)`` is ``(f's value, (d f / d each argument))``, as JAX's ``jit(value_and_grad(f))``.
    The first call traces ``f`` with the eager engine and writes the code (``.source``); later calls run it.
    What the trace cannot see is refused with :class:`TraceError`, naming the cause and your line; with
    ``fallback=True`` the function runs with the eager engine instead, and a warning says why, once. ``names``
    are the arguments' names the code's comments show (by default, the function's parameters').

    >>> import autograd
    >>> square = autograd.compile(lambda x: x * x)
    >>> square(3.0)
    (9.0, (6.0,))
    """
    return CompiledFunction(function, fallback=fallback, names=names)

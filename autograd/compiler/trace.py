"""Tracing: one call run by the eager engine, with every node it makes recorded in order.

The tracer is a watcher of the grad mode (:class:`autograd.core.mode.GradMode`), as ``detect_anomaly`` is: while
it is set, every op shows it each node it makes (``made``), and ``backward`` would call it as its ``on_step`` hook.
Nothing is patched. The traced inputs, the parameters and every node made are given the class :class:`Traced`
while the trace runs (the same layout as ``Value``, so the class can be swapped in and out): a ``Value`` whose
number the compiled code will not know ahead of time. Its number is there for the library's own ops, but user
code that looks at it (a comparison, ``bool()``, ``.data``, ``.item()``, ``detach()``) would make the code depend
on one call's numbers, so it is refused with :class:`TraceError`, naming the cause and the user's line.
"""

from __future__ import annotations

import contextlib
import gc
import linecache
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from autograd.core.mode import GradMode, ModeSwitch
from autograd.core.value import Value

__all__ = ["CompileError", "Recorder", "TraceError", "Traced", "tracing"]

_SLOT = Value.__dict__["data"]  # the slot's own descriptor: reads and writes the number itself
_get_data = _SLOT.__get__
_set_data = _SLOT.__set__
_LIBRARY_PACKAGES = ("autograd", "nn")


class CompileError(ValueError):
    """The compiler refuses a function, a step or a batch; the message names the cause (and the line, when known).

    >>> issubclass(TraceError, CompileError)
    True
    """


class TraceError(CompileError, TypeError):
    """What a trace cannot see: user code looked at the number of a traced Value (or ran backward) while tracing.

    ``where`` is ``(file, line)`` of the user's code that did it, when found.

    >>> import autograd
    >>> try:
    ...     autograd.compile(lambda x: x * x.item())(1.0)
    ... except TraceError as error:
    ...     print(str(error).splitlines()[0].split(" while")[0])
    compile: the number of a traced Value (.item()) was read
    """

    def __init__(self, message: str, where: tuple[str, int] | None = None) -> None:
        super().__init__(message)
        self.where = where


_LIBRARY_CODE: dict[Any, bool] = {}  # code object -> whether it is autograd's or nn's (found once per code)


def _in_library(frame: Any) -> bool:
    code = frame.f_code
    known = _LIBRARY_CODE.get(code)
    if known is None:
        if len(_LIBRARY_CODE) > 10_000:  # bounded: code made at run time (exec, lambdas) does not pile up
            _LIBRARY_CODE.clear()
        name = frame.f_globals.get("__name__", "")
        known = _LIBRARY_CODE[code] = name.partition(".")[0] in _LIBRARY_PACKAGES
    return known


def user_line(depth: int = 2) -> tuple[str, int] | None:
    """``(file, line)`` of the innermost frame outside autograd and nn, from ``depth`` frames up; None if none."""
    frame: Any = sys._getframe(depth)
    while frame is not None:
        if not _in_library(frame):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back
    return None


def describe_line(where: tuple[str, int] | None) -> str:
    """``at file:line`` and the line's code, for a message."""
    if where is None:
        return ""
    filename, line = where
    code = linecache.getline(filename, line).strip()
    return f" at {filename}:{line}" + (f"\n    {code}" if code else "")


def _refuse(cause: str, advice: str) -> TraceError:
    where = user_line(3)
    return TraceError(f"compile: {cause} while tracing{describe_line(where)}\n{advice}", where)


_SEE_NUMBERS = (
    "The compiled code is made once, from the operations; it cannot follow a choice made on one call's numbers. "
    "Write the choice with ops (relu, abs, ...), compute it outside the compiled function, or use "
    "compile(..., fallback=True) to run eagerly."
)


class Traced(Value):
    """A Value inside a trace: its number is known to the library's ops but refused to user code.

    The class is given to the inputs, the parameters and every node made while a trace runs, and taken back when
    it ends (same slots as ``Value``). ``==`` and hashing stay identity.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> x.__class__ = Traced
    >>> (x * 3.0).data          # the library's ops read it
    6.0
    >>> x.item()
    Traceback (most recent call last):
      ...
    autograd.compiler.trace.TraceError: ...
    >>> x.__class__ = Value
    """

    __slots__ = ()

    @property
    def data(self) -> float:
        """The number, to the library's code only: user code reading it is refused (see the class)."""
        if not _in_library(sys._getframe(1)):
            raise _refuse("the number of a traced Value (.data) was read", _SEE_NUMBERS)
        return _get_data(self, Value)

    @data.setter
    def data(self, number: float) -> None:
        if not _in_library(sys._getframe(1)):
            raise _refuse("the number of a traced Value (.data) was set", _SEE_NUMBERS)
        _set_data(self, number)

    def _compare(self, symbol: str) -> TraceError:
        return _refuse(f"a traced Value was compared ({symbol})", _SEE_NUMBERS)

    def __lt__(self, other: Any) -> bool:
        if not _in_library(sys._getframe(1)):
            raise self._compare("<")
        return super().__lt__(other)

    def __le__(self, other: Any) -> bool:
        if not _in_library(sys._getframe(1)):
            raise self._compare("<=")
        return super().__le__(other)

    def __gt__(self, other: Any) -> bool:
        if not _in_library(sys._getframe(1)):
            raise self._compare(">")
        return super().__gt__(other)

    def __ge__(self, other: Any) -> bool:
        if not _in_library(sys._getframe(1)):
            raise self._compare(">=")
        return super().__ge__(other)

    def __bool__(self) -> bool:
        if not _in_library(sys._getframe(1)):
            raise _refuse("bool() of a traced Value was asked (an if, while, and, or, not)", _SEE_NUMBERS)
        return super().__bool__()

    def item(self) -> float:
        raise _refuse("the number of a traced Value (.item()) was read", _SEE_NUMBERS)

    def detach(self) -> Value:
        raise _refuse(
            "a traced Value was detached (detach())",
            "A detached value is a number the compiled code would keep from this one call. Compute it outside the "
            "compiled function and pass it in, or use compile(..., fallback=True) to run eagerly.",
        )

    def __format__(self, spec: str) -> str:
        if spec and not _in_library(sys._getframe(1)):
            raise _refuse(f"a traced Value was formatted as a number ({spec!r})", _SEE_NUMBERS)
        return super().__format__(spec)


class Recorder:
    """The watcher of one trace: every node made, in order (``nodes``); the Values given the class ``Traced``.

    ``backward`` called while tracing reaches it as its ``on_step`` hook and is refused: the compiled code has its
    own backward pass, and derivatives of derivatives stay with the eager engine.

    >>> from autograd import Value
    >>> recorder = Recorder()
    >>> with tracing(recorder):
    ...     y = Value(2.0) * 3.0 + 1.0
    >>> [node.op for node in recorder.nodes]
    ['mul', 'add']
    >>> recorder.restore()
    """

    def __init__(self, retype: bool = True) -> None:
        self.nodes: list[Value] = []
        self.retyped: list[Value] = []
        self.retype = retype  # False while library code that shows no number to user code runs (nn's layers)

    def made(self, node: Value) -> None:
        """Record ``node`` (an op calls it for each node it makes), given the class ``Traced`` if ``retype``."""
        self.nodes.append(node)
        if self.retype and type(node) is Value:
            node.__class__ = Traced
            self.retyped.append(node)

    def mark(self, values: Iterable[Value]) -> None:
        """Give the class ``Traced`` to ``values`` (inputs, parameters) until :meth:`restore`."""
        for value in values:
            if type(value) is Value:
                value.__class__ = Traced
                self.retyped.append(value)

    def restore(self) -> None:
        """Every Value back to the class ``Value``."""
        for value in self.retyped:
            value.__class__ = Value
        self.retyped.clear()

    def __call__(self, node: Any, parent: Any, local: Any, upstream: Any) -> None:
        raise _refuse(
            "backward() was called",
            "The compiled code runs its own backward pass. Derivatives of derivatives (grad inside grad, "
            "create_graph) stay with the eager engine: use the function itself with autograd.grad or hessian.",
        )


class tracing(ModeSwitch):  # noqa: N801 - a context manager, named like no_grad
    """Inside: the graph is recorded and ``recorder`` watches every node made (whatever the mode outside).

    >>> from autograd import Value, no_grad
    >>> recorder = Recorder()
    >>> with no_grad(), tracing(recorder):
    ...     y = Value(1.0).tanh()
    >>> y.op, len(recorder.nodes)
    ('tanh', 1)
    >>> recorder.restore()
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def _entering(self, current: GradMode) -> GradMode:
        return GradMode.of(True, self.recorder)


def run_traced(function: Callable[..., Any], marked: Iterable[Value], *args: Any) -> tuple[Any, Recorder]:
    """``function(*args)`` with the graph recorded, ``marked`` Values traced; every class restored after."""
    recorder = Recorder()
    recorder.mark(marked)
    try:
        with tracing(recorder):
            result = function(*args)
    finally:
        recorder.restore()
    return result, recorder


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, as it was after: compiling makes thousands of objects at once (the
    traced graph, its refs, the code), none of them garbage yet, and each few hundred would start a collection
    that finds nothing. Also a decorator.

    >>> import gc
    >>> with collector_paused():
    ...     paused = not gc.isenabled()
    >>> paused, gc.isenabled()
    (True, True)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

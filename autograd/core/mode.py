"""Whether operations record a graph (``no_grad``, ``enable_grad``), and the watcher a tool attaches to the engine:
one :mod:`contextvars` variable holds the :class:`GradMode`, so a thread or asyncio task never affects another."""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["RECORDING", "ContextSwitch", "GradMode", "enable_grad", "grad_mode", "is_grad_enabled", "no_grad"]


class GradMode(NamedTuple):
    """Whether new operations record their parents, and the ``watcher`` of the engine (None: nobody). A watcher (the
    hook a tool such as detect_anomaly attaches) has ``made(node)``, called with each node an op makes while it
    records, and ``__call__(node, parent, local, upstream)``, backward's on_step hook, called after each step.
    >>> assert grad_mode() is RECORDING and RECORDING == GradMode(True, None)"""

    recording: bool
    watcher: Any

    @staticmethod
    def of(recording: bool, watcher: Any) -> GradMode:
        """The mode, as the one :data:`RECORDING` object when it is the default (ops compare with ``is``)."""
        return RECORDING if recording and watcher is None else GradMode(recording, watcher)


RECORDING = GradMode(True, None)  #: The default, one shared object: record, nobody watching.
_mode: contextvars.ContextVar[GradMode] = contextvars.ContextVar("glassgrad_mode", default=RECORDING)
grad_mode = _mode.get  #: The mode of this thread or task (a C method: one call per op).
_entered: contextvars.ContextVar[tuple] = contextvars.ContextVar("glassgrad_switches", default=())  # (switch, token)


def is_grad_enabled() -> bool:
    """True when new operations record their parents (the default).
    >>> is_grad_enabled(), no_grad()(is_grad_enabled)()
    (True, False)"""
    return _mode.get().recording


class ContextSwitch:
    """A context manager and decorator that sets the mode inside (``_entering(current)`` gives it) and restores it
    after. It keeps no state of its own, so one object may be entered from many threads, tasks or nested blocks; on
    a generator function it sets the mode for each step of the body, as PyTorch does.
    >>> assert issubclass(no_grad, ContextSwitch)"""

    def _entering(self, current: GradMode) -> GradMode:
        raise NotImplementedError

    def __enter__(self) -> ContextSwitch:
        _entered.set((*_entered.get(), (self, _mode.set(self._entering(_mode.get())))))
        return self

    def __exit__(self, *exc_info: object) -> None:
        entered = _entered.get()
        if not entered or entered[-1][0] is not self:  # blocks end innermost first, where they began
            raise RuntimeError(f"{type(self).__name__}() was exited in a thread or task that did not enter it")
        _mode.reset(entered[-1][1])
        _entered.set(entered[:-1])

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        @functools.wraps(function)
        def switched_generator(*args: Any, **kwargs: Any) -> Any:
            with self:
                generator = function(*args, **kwargs)
            step: Callable[[], Any] = functools.partial(generator.send, None)
            while True:
                try:
                    with self:
                        response = step()
                except StopIteration as stop:
                    return stop.value
                try:
                    step = functools.partial(generator.send, (yield response))
                except GeneratorExit:
                    with self:
                        generator.close()
                    raise
                except BaseException as error:  # thrown in by the caller: into the body, switched
                    step = functools.partial(generator.throw, error)

        return switched_generator if inspect.isgeneratorfunction(function) else switched


class no_grad(ContextSwitch):  # noqa: N801 - named like torch.no_grad on purpose
    """Record no graph inside (inference, parameter updates): results are leaves with no parents.
    >>> from autograd import Value
    >>> with no_grad():
    ...     print((Value(2.0) * 3).parents)
    ()"""

    def _entering(self, current: GradMode) -> GradMode:
        return GradMode.of(False, current.watcher)


class enable_grad(ContextSwitch):  # noqa: N801
    """Record the graph inside, even within an enclosing ``no_grad``.
    >>> from autograd import Value
    >>> with no_grad(), enable_grad():
    ...     print(len((Value(2.0) * 3).parents))
    1"""

    def _entering(self, current: GradMode) -> GradMode:
        return GradMode.of(True, current.watcher)

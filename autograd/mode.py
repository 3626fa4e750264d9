"""Whether operations record a graph (``no_grad``, ``enable_grad``), and who watches backward.

The switch lives in a :mod:`contextvars` variable, so one thread (or asyncio
task) turning recording off never leaks into another. So does the watcher
that :func:`autograd.anomaly.detect_anomaly` sets: backward reads it once per
call (not per edge) and passes it to the chain rule as its ``on_step`` hook.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["ContextSwitch", "backward_watcher", "enable_grad", "is_grad_enabled", "is_recording", "no_grad"]

_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("glassgrad_recording", default=True)

#: Bound getter used on the hot path by ``ops``; one attribute lookup saved per op.
is_recording = _recording.get

_watcher: contextvars.ContextVar = contextvars.ContextVar("glassgrad_backward_watcher", default=None)

#: The ``on_step`` hook backward uses when it is given none (None: no watcher; see autograd.anomaly).
backward_watcher = _watcher.get


def is_grad_enabled() -> bool:
    """Return True when new operations record their parents (the default).

    >>> from autograd import no_grad
    >>> is_grad_enabled(), no_grad()(is_grad_enabled)()
    (True, False)
    """
    return _recording.get()


#: The switches (ContextSwitch) entered in this thread or task, innermost last: (switch, token) pairs. Kept here, not
#: on the switch, so one ``no_grad()`` object (a decorator, a module-level instance) can be entered from
#: several threads or tasks at once: each sees only its own entries, and none outlives its ``with`` block.
_entered: contextvars.ContextVar[tuple] = contextvars.ContextVar("glassgrad_switches", default=())


class ContextSwitch:
    """Context manager and decorator that sets a context variable inside, then restores it.

    The object holds no state: what ``__exit__`` restores is kept in a context variable, so the same
    object may be entered from any number of threads, tasks or nested blocks at once. As a decorator of
    a generator function it sets the variable for each step of the generator's body, not only while
    the generator object is created (as PyTorch does). A subclass names the ``variable`` and gives the
    value to set (``_entering``); ``_exited`` runs after the variable is restored.

    >>> from autograd import Value, no_grad
    >>> with no_grad():          # a ContextSwitch: recording off inside, restored after
    ...     y = Value(2.0) * 3
    >>> y.parents, is_grad_enabled()
    ((), True)
    """

    variable: contextvars.ContextVar

    def _entering(self) -> Any:
        raise NotImplementedError

    def _exited(self) -> None:
        """Called after each exit, once the variable is restored."""

    def __enter__(self) -> ContextSwitch:
        token = self.variable.set(self._entering())
        _entered.set((*_entered.get(), (self, token)))
        return self

    def __exit__(self, *exc_info: object) -> None:
        entered = _entered.get()
        for index in range(len(entered) - 1, -1, -1):  # the innermost entry of this switch
            if entered[index][0] is self:
                self.variable.reset(entered[index][1])
                _entered.set(entered[:index] + entered[index + 1 :])
                self._exited()
                return
        raise RuntimeError(f"{type(self).__name__}() was exited in a thread or task that did not enter it")

    def __call__(self, function: Callable) -> Callable:
        if inspect.isgeneratorfunction(function):
            return self._wrap_generator(function)

        @functools.wraps(function)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return switched

    def _wrap_generator(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self:
                generator = function(*args, **kwargs)
            try:
                with self:
                    response = generator.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self:
                            generator.close()
                        raise
                    except BaseException as error:  # thrown in by the caller: into the body, switched
                        with self:
                            response = generator.throw(error)
                    else:
                        with self:
                            response = generator.send(request)
            except StopIteration as stop:
                return stop.value

        return switched


class _RecordingSwitch(ContextSwitch):
    """Sets whether operations record a graph (``no_grad``, ``enable_grad``)."""

    variable = _recording
    _enabled: bool

    def _entering(self) -> bool:
        return self._enabled


class no_grad(_RecordingSwitch):  # noqa: N801 - named like torch.no_grad on purpose
    """Record no graph inside: results are leaves with no parents.

    Use it for inference and for parameter updates::

        with no_grad():
            y = model(x)          # y.parents == ()

        @no_grad()
        def predict(x): ...

    >>> from autograd import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.data, y.parents
    (6.0, ())
    """

    _enabled = False


class enable_grad(_RecordingSwitch):  # noqa: N801
    """Record the graph inside, even within an enclosing ``no_grad``.

    >>> from autograd import Value
    >>> with no_grad(), enable_grad():
    ...     y = Value(2.0) * 3
    >>> len(y.parents)
    1
    """

    _enabled = True

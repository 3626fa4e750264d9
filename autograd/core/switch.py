"""``ContextSwitch``: a context manager and decorator that sets a :mod:`contextvars` variable inside a block and
restores it after, for grad mode's ``no_grad`` and ``enable_grad`` and for tools (``detect_anomaly``).

Plumbing, not part of following a node through the engine: what the switches set, and what it means, is in
:mod:`autograd.core.mode`.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["ContextSwitch"]

#: The switches entered in this thread or task, innermost last, each with the token that restores its variable.
_entered: contextvars.ContextVar[tuple] = contextvars.ContextVar("glassgrad_switches", default=())


class ContextSwitch:
    """Sets ``variable`` to ``_entering(current value)`` inside a ``with`` block or a decorated call, and restores it
    after. It keeps no state of its own, so one object may be entered from many threads, tasks or nested blocks; on
    a generator function it sets the variable for each step of the body (not only while the generator is made), as
    PyTorch's ``no_grad`` does.

    >>> from autograd.core.mode import no_grad
    >>> issubclass(no_grad, ContextSwitch)
    True
    """

    variable: contextvars.ContextVar

    def _entering(self, current: Any) -> Any:
        raise NotImplementedError

    def __enter__(self) -> ContextSwitch:
        token = self.variable.set(self._entering(self.variable.get()))
        _entered.set((*_entered.get(), (self, token)))
        return self

    def __exit__(self, *exc_info: object) -> None:
        entered = _entered.get()
        if not entered or entered[-1][0] is not self:  # blocks end innermost first, where they began
            raise RuntimeError(f"{type(self).__name__}() was exited in a thread or task that did not enter it")
        self.variable.reset(entered[-1][1])
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

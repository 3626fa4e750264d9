"""Whether operations record a graph (``no_grad``, ``enable_grad``), and the watcher a tool attaches to the engine:
one :mod:`contextvars` variable holds the :class:`GradMode`, so a thread or asyncio task never affects another."""

from __future__ import annotations

import contextvars
from typing import Any, NamedTuple

from autograd.core.switch import ContextSwitch

__all__ = ["RECORDING", "GradMode", "ModeSwitch", "enable_grad", "grad_mode", "is_grad_enabled", "no_grad"]


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


def is_grad_enabled() -> bool:
    """True when new operations record their parents (the default).
    >>> is_grad_enabled(), no_grad()(is_grad_enabled)()
    (True, False)"""
    return _mode.get().recording


class ModeSwitch(ContextSwitch):
    """Sets the grad mode inside a block or a decorated function (``_entering(current)`` gives it): a context manager
    and a decorator (of functions and generators), usable from any thread or task at once (see ContextSwitch).
    >>> assert issubclass(no_grad, ModeSwitch)"""

    variable = _mode


class no_grad(ModeSwitch):  # noqa: N801 - named like torch.no_grad on purpose
    """Record no graph inside (inference, parameter updates): results are leaves with no parents.
    >>> from autograd import Value; no_grad()(lambda: (Value(2.0) * 3).parents)()
    ()"""

    def _entering(self, current: GradMode) -> GradMode:
        return GradMode.of(False, current.watcher)


class enable_grad(ModeSwitch):  # noqa: N801
    """Record the graph inside, even within an enclosing ``no_grad``.
    >>> from autograd import Value; no_grad()(enable_grad()(lambda: len((Value(2.0) * 3).parents)))()
    1"""

    def _entering(self, current: GradMode) -> GradMode:
        return GradMode.of(True, current.watcher)

"""Whether operations record a graph (``no_grad``, ``enable_grad``), and who watches backward.

The switch lives in a :mod:`contextvars` variable, so one thread (or asyncio
task) turning recording off never leaks into another. So does the watcher
that :func:`autograd.anomaly.detect_anomaly` sets: backward reads it once per
call (not per edge) and passes it to the chain rule as its ``on_step`` hook.
"""

from __future__ import annotations

import contextlib
import contextvars

_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("glassgrad_recording", default=True)

#: Bound getter used on the hot path by ``ops``; one attribute lookup saved per op.
is_recording = _recording.get

_watcher: contextvars.ContextVar = contextvars.ContextVar("glassgrad_backward_watcher", default=None)

#: The ``on_step`` hook backward uses when it is given none (None: no watcher; see autograd.anomaly).
backward_watcher = _watcher.get


def is_grad_enabled() -> bool:
    """Return True when new operations record their parents (the default)."""
    return _recording.get()


class _RecordingSwitch(contextlib.ContextDecorator):
    """Context manager and decorator that sets the recording switch, then restores it."""

    _enabled: bool

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[bool]] = []

    def __enter__(self) -> _RecordingSwitch:
        self._tokens.append(_recording.set(self._enabled))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _recording.reset(self._tokens.pop())


class no_grad(_RecordingSwitch):  # noqa: N801 - named like torch.no_grad on purpose
    """Record no graph inside: results are leaves with no parents.

    Use it for inference and for parameter updates::

        with no_grad():
            y = model(x)          # y.parents == ()

        @no_grad()
        def predict(x): ...
    """

    _enabled = False


class enable_grad(_RecordingSwitch):  # noqa: N801
    """Record the graph inside, even within an enclosing ``no_grad``."""

    _enabled = True

"""``detect_anomaly()``: stop at the first op, or the first backward edge, that makes an inf or a nan.

Inside ``with detect_anomaly():``

- forward: an op whose result is inf or nan although every input is finite
  raises :class:`AnomalyError` (a ``FloatingPointError``) naming the op, its
  inputs and the line of your code that made the node;
- backward: the first edge ``node -> parent`` whose contribution
  ``local_derivative * upstream_grad`` (or the parent's new grad) is inf or
  nan, while the upstream grad was finite, raises the same error naming the
  node, the parent, both numbers and where the node was made.

>>> from autograd import Value
>>> with detect_anomaly():
...     x = Value(0.0, label="x")
...     y = x.sqrt()              # 0.0: fine going forward
...     y.backward()              # d sqrt(x)/dx = inf at 0
Traceback (most recent call last):
  ...
autograd.anomaly.AnomalyError: detect_anomaly(): backward made inf at the edge sqrt -> x: ...

It watches the engine through the engine's own hook: the block sets itself as
the watcher of the grad mode (:class:`autograd.core.mode.GradMode`), every op
shows it each node it makes (``made``), and backward hands it to the one
chain-rule loop as its ``on_step`` hook. Nothing is patched; outside the
block nothing is checked and nothing costs more, and only the thread or
asyncio task inside the block is watched. While a block is open it
remembers where each node it saw was made, so keep it around the few steps
you are investigating.
"""

from __future__ import annotations

import linecache
import math
import os
import sys
from types import FrameType
from typing import Any

from autograd import describe
from autograd.core.kinds import OPS
from autograd.core.mode import GradMode, ModeSwitch, grad_mode
from autograd.core.value import Value
from autograd.describe import format_number

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled"]

#: At most this many nodes' birthplaces are remembered per block (a long training run stays bounded).
MAX_SITES = 200_000


class AnomalyError(FloatingPointError):
    """An inf or nan made from finite numbers, found by :func:`detect_anomaly`.

    ``node``: the node whose op (forward) or edge (backward) made it;
    ``parent``, ``local_derivative``, ``upstream_grad``: the backward edge
    (None for a forward error); ``where``: ``(file, line)`` of the user's code
    that made the node, or None if it was made outside the block.

    >>> from autograd import Value
    >>> issubclass(AnomalyError, FloatingPointError)
    True
    """

    def __init__(
        self,
        message: str,
        node: Value,
        where: tuple[str, int] | None,
        parent: Value | None = None,
        local_derivative: Any = None,
        upstream_grad: Any = None,
    ) -> None:
        super().__init__(message)
        self.node = node
        self.where = where
        self.parent = parent
        self.local_derivative = local_derivative
        self.upstream_grad = upstream_grad


def _library_folders() -> tuple[str, ...]:
    folders = {os.path.dirname(os.path.abspath(__file__)) + os.sep}
    path = getattr(sys.modules.get("nn"), "__file__", None)
    if path:
        folders.add(os.path.dirname(os.path.abspath(path)) + os.sep)
    return tuple(folders)


def _user_site(library: tuple[str, ...]) -> tuple[str, int] | None:
    """(file, line) of the innermost frame outside the ``library`` folders (autograd/, nn/): the line that made the
    node."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(library):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


def _is_notebook_cell(filename: str) -> bool:
    """A Jupyter cell's code has a made-up file name (ipykernel_<pid>/<hash>.py in a temporary folder)."""
    return filename.startswith("<ipython-input-") or os.path.basename(os.path.dirname(filename)).startswith(
        "ipykernel_"
    )


def _describe_site(where: tuple[str, int] | None) -> str:
    if where is None:
        return "  (the node was made outside detect_anomaly(), so where is unknown)"
    filename, line = where
    code = linecache.getline(filename, line).strip()
    place = f"in a notebook cell, line {line}" if _is_notebook_cell(filename) else f"at {filename}:{line}"
    return f"  the node was made {place}" + (f"\n      {code}" if code else "")


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _name(value: Value) -> str:
    if value.label:
        return value.label
    if value.op:
        return f"{value.op} node ({format_number(value.data)})"
    return f"leaf {format_number(value.data)}"


def _numbers_in(context: Any, depth: int = 0) -> list[float]:
    """The real numbers held in a node's context (folded constants, a dot's float inputs)."""
    if isinstance(context, Value):
        return [context.data]
    if isinstance(context, int | float) and not isinstance(context, bool):
        return [float(context)]
    if isinstance(context, tuple | list) and depth < 3:
        return [number for item in context for number in _numbers_in(item, depth + 1)]
    return []


class _Watch:
    """One detect_anomaly() block: where nodes were made, and the backward check (an ``on_step`` hook)."""

    def __init__(self) -> None:
        self.sites: dict[Value, tuple[str, int] | None] = {}
        self.library = _library_folders()  # whose frames are the library's own, not the user's line

    def made(self, node: Value) -> None:
        where = _user_site(self.library)
        if len(self.sites) < MAX_SITES:
            self.sites[node] = where
        data = node.data
        if math.isfinite(data):
            return
        parents = node.parents
        inputs = [p.data for p in parents] + _numbers_in(node.context)
        if not all(math.isfinite(x) for x in inputs):
            return  # it came in with an input: the op that made that input was reported (or is not an op)
        op = OPS.get(node.op)
        shown = ", ".join(f"{p.label} = {format_number(p.data)}" if p.label else format_number(p.data) for p in parents)
        constants = describe.constants(node)
        if constants:
            listed = ", ".join(format_number(c) for c in constants[:8]) + (", ..." if len(constants) > 8 else "")
            shown += f" and the constant{'s' if len(constants) > 1 else ''} {listed}"
        formula = getattr(op, "formula", "")
        raise AnomalyError(
            f"detect_anomaly(): {node.op} gave {data!r} from finite inputs {shown}\n"
            + _describe_site(where)
            + (f"\n  ({node.op}: {formula})" if formula else ""),
            node,
            where,
        )

    def __call__(self, node: Value, parent: Value, local: Any, upstream: Any) -> None:
        grad = _number(parent.grad)
        if math.isfinite(grad):
            return
        upstream_number = _number(upstream)
        if not math.isfinite(upstream_number):
            return  # it came from further up, where it was reported
        local_number = _number(local)
        contribution = local_number * upstream_number
        if math.isfinite(contribution):
            cause = (
                f"the sum overflowed, or {_name(parent)} already held {grad!r} before this backward "
                "(leaves accumulate: call zero_grad() between passes)"
            )
        else:
            cause = f"local derivative {local_number!r} * upstream grad {upstream_number!r} = {contribution!r}"
        where = self.sites.get(node)
        raise AnomalyError(
            f"detect_anomaly(): backward made {grad!r} at the edge {node.op} -> {_name(parent)}: {cause}; "
            f"d {node.op}/d {_name(parent)} = {local_number!r}, d root/d {node.op} = {upstream_number!r}, "
            f"so {_name(parent)}.grad is now {grad!r}\n" + _describe_site(where),
            node,
            where,
            parent,
            local,
            upstream,
        )


def is_anomaly_enabled() -> bool:
    """True inside a :func:`detect_anomaly` block (of this thread or task).

    >>> with detect_anomaly():
    ...     inside = is_anomaly_enabled()
    >>> inside, is_anomaly_enabled()
    (True, False)
    """
    return type(grad_mode().watcher) is _Watch


class detect_anomaly(ModeSwitch):  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Raise :class:`AnomalyError` at the first op or backward edge that turns finite numbers into inf or nan.

    A context manager and a decorator, like ``no_grad`` (one object may be entered from several threads at
    once); nested blocks share the outer block's record of where nodes were made::

        with detect_anomaly():
            loss = model_loss()
            loss.backward()

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(1e308) * 10.0
    Traceback (most recent call last):
      ...
    autograd.anomaly.AnomalyError: ...
    """

    def _entering(self, current: GradMode) -> GradMode:
        watch = current.watcher if type(current.watcher) is _Watch else _Watch()
        return GradMode.of(current.recording, watch)

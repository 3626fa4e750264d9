"""Timing: contenders take turns, the garbage collector's time is counted, the process is settled first.

- :func:`interleaved_times` times each contender's run in rounds, one run of
  each per round, so a change in the machine's load (other processes) falls
  on every contender alike and the ratios hold even when the times drift.
- The cyclic garbage collector stays on while timing, as in a user's
  program; ``gc.collect()`` runs before each timed run, and
  :class:`CollectorClock` counts the time its passes take (through
  ``gc.callbacks``).
- :func:`settle` collects, then freezes every object alive, so that a pass of
  the collector costs what the timed work allocates, not what happens to be
  loaded in the process.
"""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def settle() -> None:
    """Collect, then freeze every object alive (``gc.freeze()``) until the run ends.

    The cyclic garbage collector's full passes walk every tracked object in
    the process. Objects made before the timing starts (modules a contender
    imports lazily, such as PyTorch's, the models, the data) would otherwise
    make each pass cost more for whoever allocates most: importing torch
    alone made the T2 glassgrad step 2.3x slower. Frozen, they are left out,
    and a pass costs what the timed work itself allocates.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Timed:
    """One contender's work: ``run`` is timed ``repeats`` times, after ``warm`` (untimed).

    ``context`` is entered around each warm-up and timed run, outside the timer.
    """

    run: Callable[[], object]
    warm: Callable[[], object]
    repeats: int
    context: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext


class CollectorClock:
    """Time spent in the cyclic garbage collector while switched on (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.on = False
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self.on:
            self.seconds += time.perf_counter() - self._started


def interleaved_times(contenders: dict[str, Timed], warmup: int) -> dict[str, list[tuple[float, float]]]:
    """(wall time, time in the garbage collector) of each ``run``, taken in rounds, one run of each per round.

    Each contender warms up ``warmup`` times first; then the process is
    settled (:func:`settle`); ``gc.collect()`` runs before each timed run.
    """
    for contender in contenders.values():
        with contender.context():
            for _ in range(warmup):
                contender.warm()
    settle()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    clock = CollectorClock()
    gc.callbacks.append(clock)
    try:
        for round_ in range(max((c.repeats for c in contenders.values()), default=0)):
            for name, contender in contenders.items():
                if round_ < contender.repeats:
                    with contender.context():
                        gc.collect()
                        clock.seconds, clock.on = 0.0, True
                        start = time.perf_counter()
                        contender.run()
                        elapsed = time.perf_counter() - start
                        clock.on = False
                    times[name].append((elapsed, clock.seconds))
    finally:
        gc.callbacks.remove(clock)
    return times


def timing_summary(measured: list[tuple[float, float]], per: float) -> dict[str, Any]:
    """Median time (seconds times ``per``: the row's unit), every time, and the median share spent in the collector."""
    return {
        "median": statistics.median(t for t, _ in measured) * per,
        "times": [t * per for t, _ in measured],
        "gc_share": statistics.median(collecting / t for t, collecting in measured),
    }


def relative_error(reference: list[float], other: list[float]) -> float:
    """Largest |difference|, relative to the largest |reference| value (or 1); inf when the lengths differ."""
    if len(reference) != len(other):
        return math.inf
    if not reference:
        return 0.0
    scale = max(1.0, *map(abs, reference))
    return max(abs(a - b) for a, b in zip(reference, other)) / scale

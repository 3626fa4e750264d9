"""Where a function of glassgrad draws its random numbers from: one rule, :func:`as_rng`."""

from __future__ import annotations

import random
from typing import Any

from autograd.core.checks import quote

__all__ = ["as_rng"]


def as_rng(rng: random.Random | int | None, where: str) -> Any:
    """Where a function draws from: ``rng`` itself, ``random.Random(seed)`` for an int, the ``random`` module for None.

    The one rule for every function of glassgrad that draws (initial weights, shuffling, ``moons``, ``rrelu``): an
    explicit ``rng`` (a ``random.Random`` or an int seed) gives the same draws every run and leaves the global state
    alone; without one the draws come from Python's ``random`` module, as micrograd's do, so ``random.seed(...)``
    makes them repeatable. The ``random`` module itself is accepted too, so a function can pass on what it was
    given. ``where`` names the caller in the error.

    >>> as_rng(None, "MLP") is random, as_rng(7, "MLP").random() == random.Random(7).random()
    (True, True)
    """
    if rng is None or rng is random:
        return random
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    where = where.removesuffix("()")
    raise TypeError(
        f"{where}() rng must be a random.Random, an int seed or None, got {type(rng).__name__}: {quote(rng)}"
    )

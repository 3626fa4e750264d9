"""Initializers: how a weight's first value is drawn.

Each is a function ``init(rng, fan_in, fan_out) -> float``, a draw for one
weight from ``rng``; biases start at 0.

- ``"uniform"``: w ~ U(-1, 1), as micrograd;
- ``"xavier"`` / ``"glorot"``: w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010);
- ``"he"`` / ``"kaiming"``: w ~ N(0, 2 / fan_in) (He et al., 2015);
- or any callable of that signature.

>>> import random
>>> -1.0 <= uniform_init(random.Random(0), 2, 1) <= 1.0
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from autograd.core.checks import quote

__all__ = ["INITIALIZERS", "Initializer", "get_initializer", "he_init", "uniform_init", "xavier_init"]

Initializer = Callable[[random.Random, int, int], float]


def uniform_init(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """w ~ U(-1, 1) (micrograd's choice; ignores the fan sizes).

    >>> import random
    >>> all(-1 <= uniform_init(random.Random(s), 3, 3) <= 1 for s in range(100))
    True
    """
    return rng.uniform(-1.0, 1.0)


def xavier_init(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """w ~ U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), so Var(w) = 2 / (fan_in + fan_out).

    >>> import random
    >>> all(abs(xavier_init(random.Random(s), 2, 4)) <= 1.0 for s in range(100))  # a = sqrt(6 / 6) = 1
    True
    """
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit)


def he_init(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """w ~ N(0, sigma^2) with sigma = sqrt(2 / fan_in): keeps the variance of relu layers steady.

    >>> import random, statistics
    >>> rng = random.Random(0); w = [he_init(rng, 8, 4) for _ in range(4000)]
    >>> round(statistics.stdev(w), 1)    # sqrt(2 / 8)
    0.5
    """
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


#: Initializers by name.
INITIALIZERS: dict[str, Initializer] = {
    "uniform": uniform_init,
    "xavier": xavier_init,
    "glorot": xavier_init,
    "he": he_init,
    "kaiming": he_init,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """The initializer for a name (see :data:`INITIALIZERS`) or the callable itself.

    >>> get_initializer("he") is he_init
    True
    """
    if callable(init):
        return init
    if isinstance(init, str) and init in INITIALIZERS:
        return INITIALIZERS[init]
    valid = ", ".join(repr(name) for name in INITIALIZERS)
    shown = quote(init) if isinstance(init, str) else f"{type(init).__name__} {quote(init)}"
    raise ValueError(
        f"unknown init {shown}; valid names are {valid}, or pass a callable (rng, fan_in, fan_out) -> float"
    )

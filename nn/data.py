"""Datasets and batching, in pure Python (``digits`` borrows scikit-learn's copy of the data).

A dataset is a list of examples ``(x, y)``: ``x`` a list of floats, ``y`` a
label (a float target, or an int class index). Every function that draws
takes ``rng=`` (a ``random.Random`` or an int seed: the same draws every run,
global state untouched); without one it draws from Python's ``random``
module, as micrograd does (see :func:`autograd.as_rng`).
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from autograd import Value, as_rng
from autograd.core.checks import quote

__all__ = [
    "Example",
    "as_rng",
    "batches",
    "digits",
    "moons",
    "non_finite_examples",
    "or_gate",
    "train_test_split",
    "xor",
]

Example = tuple[list[float], Any]
T = TypeVar("T")


def batches(
    data: Sequence[T],
    batch_size: int,
    shuffle: bool = False,
    rng: random.Random | int | None = None,
    drop_last: bool = False,
) -> Iterator[list[T]]:
    """Yield consecutive lists of ``batch_size`` items of ``data`` (the last one may be shorter).

    With ``shuffle=True`` the order is a fresh permutation drawn from ``rng``
    (the ``random`` module without one; pass the same generator every epoch to
    get a new order each epoch, reproducibly). ``drop_last=True`` skips a
    short final batch.

    >>> [len(b) for b in batches(list(range(10)), 4)]
    [4, 4, 2]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"batches() batch_size must be a positive int, got {type(batch_size).__name__} {quote(batch_size)}"
        )
    order = list(range(len(data)))
    if shuffle:
        as_rng(rng, "batches").shuffle(order)
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        if drop_last and len(chosen) < batch_size:
            return
        yield [data[i] for i in chosen]


_PLAIN = {float, int}


def _first_non_finite(item: Any, depth: int = 0) -> tuple[str, Any] | None:
    """Where in an input or target a number is not finite (``"[3]"``, ``""``) and the number; None if all are."""
    if type(item) is list and {*map(type, item)} <= _PLAIN and math.isfinite(sum(item)):
        return None  # the common case at C speed (a sum that overflows is looked at item by item)
    if isinstance(item, Value):
        item = item.data
    if isinstance(item, float):
        return None if math.isfinite(item) else ("", item)
    if isinstance(item, numbers.Real) and not isinstance(item, int):  # numpy's floats, fractions (ints are finite)
        return None if math.isfinite(float(item)) else ("", item)
    if depth < 2 and isinstance(item, list | tuple):
        for index, part in enumerate(item):
            found = _first_non_finite(part, depth + 1)
            if found is not None:
                return f"[{index}]{found[0]}", found[1]
    return None


def non_finite_examples(data: Sequence[Any]) -> Iterator[tuple[int, str, str, Any]]:
    """Each ``(x, y)`` example holding a nan or inf: ``(index, "input" or "target", where in it, the number)``.

    Numbers, Values and lists (of lists) of them are looked into; anything else is left to the model to refuse.

    >>> list(non_finite_examples([([0.5, 1.0], 0.0), ([float("nan"), 1.0], 1.0), ([0.0, 0.0], float("inf"))]))
    [(1, 'input', '[0]', nan), (2, 'target', '', inf)]
    """
    for index, example in enumerate(data):
        if not isinstance(example, tuple | list) or len(example) != 2:
            continue
        for part, item in zip(("input", "target"), example):
            found = _first_non_finite(item)
            if found is not None:
                yield index, part, found[0], found[1]
                break


def train_test_split(
    data: Sequence[T],
    test_fraction: float = 0.2,
    rng: random.Random | int | None = None,
    shuffle: bool = True,
) -> tuple[list[T], list[T]]:
    """Split ``data`` into (train, test), the test part holding ``round(test_fraction * len(data))`` items.

    Shuffled first with ``rng`` (the ``random`` module without one) unless ``shuffle=False``.

    >>> train, test = train_test_split(list(range(10)), 0.3, rng=0)
    >>> len(train), len(test)
    (7, 3)
    """
    if not isinstance(test_fraction, int | float) or not 0.0 <= test_fraction <= 1.0:
        raise ValueError(
            "train_test_split() test_fraction must be in [0, 1], "
            f"got {type(test_fraction).__name__} {quote(test_fraction)}"
        )
    items = list(data)
    if shuffle:
        as_rng(rng, "train_test_split").shuffle(items)
    test_size = round(test_fraction * len(items))
    return items[: len(items) - test_size], items[len(items) - test_size :]


def xor() -> list[Example]:
    """The XOR truth table: ``([a, b], a xor b)`` for a, b in {0, 1}, targets as floats.

    >>> [y for _, y in xor()]
    [0.0, 1.0, 1.0, 0.0]
    """
    return [([a, b], float(int(a) ^ int(b))) for a in (0.0, 1.0) for b in (0.0, 1.0)]


def or_gate() -> list[Example]:
    """The OR truth table: ``([a, b], a or b)`` for a, b in {0, 1}, targets as floats.

    >>> or_gate()
    [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 1.0)]
    """
    return [([a, b], float(int(a) | int(b))) for a in (0.0, 1.0) for b in (0.0, 1.0)]


def moons(
    n: int = 100,
    noise: float = 0.1,
    rng: random.Random | int | None = None,
    signed_labels: bool = False,
) -> list[Example]:
    """Two interleaving half circles, ``n`` points in random order, labels 0 and 1 (or -1 and +1).

    The upper moon is (cos t, sin t), the lower one (1 - cos t, 0.5 - sin t),
    t evenly spaced over [0, pi]; Gaussian noise of standard deviation
    ``noise`` is added to both coordinates (drawn from ``rng``, the ``random``
    module without one), then the points are shuffled. ``signed_labels=True``
    gives -1/+1 labels, as a hinge loss wants.

    >>> len(moons(10, rng=0)), sorted({label for _, label in moons(10, rng=0)})
    (10, [0, 1])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"moons() n must be an int >= 2, got {type(n).__name__} {quote(n)}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0.0 <= noise < math.inf:
        raise ValueError(f"moons() noise must be >= 0, got {type(noise).__name__} {quote(noise)}")
    rng = as_rng(rng, "moons")
    n_upper = n // 2
    n_lower = n - n_upper
    low_label, high_label = (-1, 1) if signed_labels else (0, 1)
    examples: list[Example] = []
    for count, label, upper in ((n_upper, low_label, True), (n_lower, high_label, False)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            x, y = (math.cos(t), math.sin(t)) if upper else (1.0 - math.cos(t), 0.5 - math.sin(t))
            if noise:
                x += rng.gauss(0.0, noise)
                y += rng.gauss(0.0, noise)
            examples.append(([x, y], label))
    rng.shuffle(examples)
    return examples


def digits() -> list[Example]:
    """scikit-learn's 1797 handwritten digits: 64 pixel values scaled to [0, 1] (pixel / 16) and the digit 0-9.

    Needs scikit-learn: ``pip install "glassgrad[demos]"``.

    >>> data = digits()      # needs scikit-learn
    >>> len(data), len(data[0][0])
    (1797, 64)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            'nn.data.digits() needs scikit-learn, which is not installed: pip install "glassgrad[demos]"'
        ) from error
    bunch = load_digits()
    return [([float(p) / 16.0 for p in row], int(label)) for row, label in zip(bunch.data, bunch.target)]

"""Batching, splitting and the small datasets."""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import data


@given(n=st.integers(0, 50), batch_size=st.integers(1, 12), seed=st.integers(0, 1000), shuffle=st.booleans())
def test_batches_cover_every_item_once_in_batches_of_the_given_size(n, batch_size, seed, shuffle):
    items = list(range(n))
    got = list(data.batches(items, batch_size, shuffle=shuffle, rng=seed))
    assert sorted(i for batch in got for i in batch) == items
    assert [len(b) for b in got[:-1]] == [batch_size] * (len(got) - 1)
    assert len(got) == math.ceil(n / batch_size)
    if not shuffle:
        assert [i for batch in got for i in batch] == items


def test_batches_drop_last():
    assert [len(b) for b in data.batches(list(range(10)), 4, drop_last=True)] == [4, 4]


def test_shuffle_is_reproducible_and_changes_each_epoch_with_one_generator():
    items = list(range(20))
    first = list(data.batches(items, 5, shuffle=True, rng=random.Random(3)))
    again = list(data.batches(items, 5, shuffle=True, rng=random.Random(3)))
    assert first == again
    assert first != [items[i : i + 5] for i in range(0, 20, 5)]
    rng = random.Random(3)
    epoch_one = list(data.batches(items, 5, shuffle=True, rng=rng))
    epoch_two = list(data.batches(items, 5, shuffle=True, rng=rng))
    assert epoch_one == first
    assert epoch_two != epoch_one


def test_batches_errors():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        list(data.batches([1, 2, 3], 0))
    with pytest.raises(TypeError, match=r"batches\(\) rng must be"):
        list(data.batches([1, 2, 3], 2, shuffle=True, rng="seed"))
    with pytest.raises(TypeError, match=r"moons\(\) rng must be"):
        data.moons(10, rng=1.5)


def test_without_an_rng_every_draw_comes_from_the_random_module():
    """No rng: shuffling, splitting and moons draw from Python's random module, so random.seed repeats them."""
    items = list(range(30))

    def draw_all() -> tuple:
        shuffled = list(data.batches(items, 4, shuffle=True))
        return shuffled, data.train_test_split(items, 0.3), data.moons(20, 0.1)

    random.seed(11)
    first = draw_all()
    random.seed(11)
    assert draw_all() == first
    random.seed(12)
    assert draw_all() != first
    # The same draws as an explicit generator in the same state, in the same order.
    rng = random.Random(11)
    assert first == (list(data.batches(items, 4, shuffle=True, rng=rng)), data.train_test_split(items, 0.3, rng=rng),
                     data.moons(20, 0.1, rng=rng))  # fmt: skip


def test_no_global_random_state_is_used():
    random.seed(7)
    state = random.getstate()
    list(data.batches(list(range(30)), 4, shuffle=True, rng=1))
    data.train_test_split(list(range(30)), 0.3, rng=1)
    data.moons(50, 0.2, rng=1)
    assert random.getstate() == state


@given(n=st.integers(0, 60), fraction=st.floats(0.0, 1.0), seed=st.integers(0, 100))
def test_train_test_split_partitions_the_data(n, fraction, seed):
    items = list(range(n))
    train, test = data.train_test_split(items, fraction, rng=seed)
    assert len(test) == round(fraction * n)
    assert sorted(train + test) == items
    assert data.train_test_split(items, fraction, rng=seed) == (train, test)


def test_train_test_split_without_shuffle_keeps_order_and_rejects_bad_fractions():
    assert data.train_test_split([1, 2, 3, 4], 0.25, shuffle=False) == ([1, 2, 3], [4])
    with pytest.raises(ValueError, match="test_fraction must be in"):
        data.train_test_split([1, 2], 1.5)


def test_truth_tables():
    assert data.xor() == [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]
    assert data.or_gate() == [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 1.0)]


def test_moons_without_noise_lie_on_their_half_circles():
    points = data.moons(40, noise=0.0, rng=0)
    assert len(points) == 40
    for (x, y), label in points:
        if label == 0:  # upper moon: unit circle around (0, 0), y >= 0
            assert math.hypot(x, y) == pytest.approx(1.0)
            assert y >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), y <= 0.5
            assert math.hypot(x - 1.0, y - 0.5) == pytest.approx(1.0)
            assert y <= 0.5 + 1e-12
    assert sum(label for _, label in points) == 20


def test_moons_are_reproducible_noisy_and_shuffled():
    first = data.moons(30, 0.1, rng=5)
    assert first == data.moons(30, 0.1, rng=random.Random(5))
    assert first != data.moons(30, 0.1, rng=6)
    labels = [label for _, label in first]
    assert labels != sorted(labels)
    signed = data.moons(31, 0.1, rng=5, signed_labels=True)
    assert {label for _, label in signed} == {-1, 1}
    assert sum(1 for _, label in signed if label == 1) == 16


def test_moons_errors():
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        data.moons(1)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        data.moons(10, noise=-0.1)


def test_digits_scaled_to_unit_interval():
    digits = data.digits()
    assert len(digits) == 1797
    pixels = [p for x, _ in digits for p in x]
    assert all(len(x) == 64 for x, _ in digits)
    assert min(pixels) == 0.0
    assert max(pixels) == 1.0
    assert {label for _, label in digits} == set(range(10))
    assert all(type(p) is float for p in digits[0][0])


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install "glassgrad\[demos\]"'):
        data.digits()


def test_rng_must_be_a_generator_or_seed():
    with pytest.raises(TypeError, match="rng must be"):
        data.moons(10, rng=1.5)

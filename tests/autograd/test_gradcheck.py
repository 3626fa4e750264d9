"""central_difference and gradcheck, including the message when they disagree."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given

from autograd import GradcheckError, Value, central_difference, gradcheck
from tests.strategies import small_floats


@given(small_floats(), small_floats())
def test_central_difference_of_known_functions(x, y):
    assert central_difference(lambda a, b: a * b, x, y, arg=0) == pytest.approx(y, abs=1e-7)
    assert central_difference(lambda a, b: a * b, x, y, arg=1) == pytest.approx(x, abs=1e-7)
    assert central_difference(lambda a: a.sin(), x) == pytest.approx(math.cos(x), abs=1e-7)


def test_central_difference_rejects_a_bad_arg():
    with pytest.raises(ValueError, match="arg=2"):
        central_difference(lambda a: a, 1.0, arg=2)


def test_gradcheck_passes_and_restores_existing_values():
    w = Value(0.5, label="w")
    w.grad = 7.0
    assert gradcheck(lambda v: (v * 3.0).tanh(), [w])
    assert w.data == 0.5 and w.grad == 7.0


def test_gradcheck_names_the_input_and_both_numbers_when_wrong():
    # d/db (a b + b.detach() b) is a + 2b = 5.5, but backward sees one factor of b: a + b = 3.5.
    with pytest.raises(GradcheckError) as raised:
        gradcheck(lambda a, b: a * b + b.detach() * b, [1.5, Value(2.0, label="b")])
    message = str(raised.value)
    assert "input 1" in message and "'b'" in message
    assert "backward gives 3.5" in message
    assert re.search(r"central difference gives 5\.(5|49999)", message)


def test_gradcheck_needs_a_value():
    with pytest.raises(TypeError, match="Value"):
        gradcheck(lambda a: 1.0, [1.0])

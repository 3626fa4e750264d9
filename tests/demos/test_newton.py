"""demos/newton.py: Newton's method converges, to the right point, in far fewer steps."""

from __future__ import annotations

import math
import re

import pytest

from demos import newton


def test_newton_finds_the_minimum_of_the_1d_function():
    point, steps = newton.minimise(newton.one_dimensional, [2.0], "newton", 1e-10, 50, lr=0.1)
    assert point[0] == pytest.approx(math.log(2.0), abs=1e-10)
    assert steps <= 8


def test_newton_and_gradient_descent_agree_on_the_logistic_regression():
    newton_point, newton_steps = newton.minimise(newton.logistic_loss, [0.0] * 3, "newton", 1e-9, 50, lr=0.1)
    descent_point, descent_steps = newton.minimise(
        newton.logistic_loss, [0.0] * 3, "gradient descent", 1e-9, 100_000, lr=0.1
    )
    assert newton_point == pytest.approx(descent_point, abs=1e-7)
    assert newton_steps * 10 < descent_steps


def test_solve_matches_a_known_system():
    assert newton.solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]) == pytest.approx([0.8, 1.4])
    with pytest.raises(ValueError, match="singular"):
        newton.solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0])


def test_main_prints_both_step_counts(capsys):
    counts = newton.main([])
    out = capsys.readouterr().out
    assert re.search(r"Newton needed \d+ and \d+ steps; gradient descent needed \d+ and \d+\.", out)
    assert counts["1d newton"] < counts["1d gradient descent"]
    assert counts["logistic newton"] < counts["logistic gradient descent"]


def test_a_step_budget_too_small_is_an_error():
    with pytest.raises(RuntimeError, match="did not reach"):
        newton.minimise(newton.one_dimensional, [2.0], "gradient descent", 1e-12, 3, lr=0.1)

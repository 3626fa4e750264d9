"""Practice mode of the step-through page (``save_html(..., practice=True)``): the learner types each grad.

The page hides every grad but the seed. At each step of the engine's
backward pass (in its order) it asks for the parent's grad after the step,
naming the edge; the answer may be a number or arithmetic on the numbers
shown (``1 - 0.4621**2``), read by a small parser in the page that runs
nothing else. It is judged by the rule of :func:`autograd.practice.judge`,
whose constants (:func:`autograd.practice.judge_constants`) and the
problem's own numbers (exact when copied) travel in the page's data: right
within one unit of the last digit given, "give at least 3 significant
digits" below that (asked again, not counted), or by an explicit tolerance
(``rtol``/``atol``). A wrong answer gets the formula, a second one the
value; a right one reveals the step (the picture, the table, the line
``parent.grad += local * upstream``). Keyboard first: type, Enter to check,
Escape to show the answer. The answers are in the page (it checks them
without a server): it is for practice, not for an exam.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from autograd.core.checks import quote
from autograd.core.value import Value
from autograd.graph import nodes_in_order
from autograd.practice import formula_hint, judge_constants, problem_numbers
from autograd.steps import BackwardStep

__all__ = ["practice_data"]


def practice_data(
    root: Value,
    steps: list[BackwardStep],
    names: Mapping[Value, str],
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> dict[str, Any]:
    """What the page's practice script reads: the judging rule, and each step's hint (the formula, no number).

    ``rtol`` and ``atol`` (either or both; a missing one is 0) replace the significant-digit rule by a tolerance,
    as in :func:`autograd.practice.judge`.

    >>> from autograd import Value
    >>> from autograd.explain import backward_steps
    >>> x = Value(2.0); y = x * 3.0
    >>> data = practice_data(y, backward_steps(y), {x: "x", y: "y"})
    >>> sorted(data), data["rule"]["min_digits"], data["rule"]["exact"]
    (['hints', 'rule'], 3, [2.0, 3.0, 6.0])
    """
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0
        ):
            raise ValueError(f"save_html() {name} must be a finite number >= 0 or None, got {quote(value)}")
    return {
        "rule": {
            **judge_constants(),
            "rtol": None if rtol is None else float(rtol),
            "atol": None if atol is None else float(atol),
            "exact": sorted(problem_numbers(nodes_in_order(root))),  # the problem's own numbers: exact when written out
        },
        "hints": [f"{formula_hint(step, names)}; then {step.parent_name}.grad += local * upstream" for step in steps],
    }

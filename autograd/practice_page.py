"""Practice mode of the step-through page (``save_html(..., practice=True)``): the learner types each grad.

The page hides every grad but the seed. At each step of the engine's
backward pass (in its order) it asks for the parent's grad after the step,
naming the edge; the answer may be a number or arithmetic on the numbers
shown (``1 - 0.4621**2``), read by a small parser in the page that runs
nothing else. It is judged as a teacher would (the rule below, the same as
:mod:`autograd.practice`'s): a wrong answer gets the formula, a second one
the value; a right one reveals the step (the picture, the table, the line
``parent.grad += local * upstream``). Keyboard first: type, Enter to
check, Escape to show the answer. The answers are in the page (it checks
them without a server): it is for practice, not for an exam.

The rule, whose constants travel in the page's data:

- a plain number with k significant digits (counted from the first nonzero
  digit to the last digit written): fewer than :data:`MIN_SIGNIFICANT_DIGITS`
  asks for more digits (not wrong, not counted); otherwise it is right within
  one unit of its last digit;
- arithmetic: k is the fewest significant digits among its literals that are
  not integers (integers are exact); with none, it must match to a relative
  :data:`EXACT_RELATIVE`; otherwise right when
  ``|answer - true| <= 10**(1 - k) * |answer|``;
- an explicit tolerance (``rtol`` and ``atol``) replaces the rule:
  right when ``|answer - true| <= atol + rtol * |true|``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from autograd.core.value import Value, quote
from autograd.practice import formula_hint
from autograd.steps import BackwardStep

__all__ = ["EXACT_RELATIVE", "MIN_SIGNIFICANT_DIGITS", "practice_data"]

#: An answer needs at least this many significant digits to be judged.
MIN_SIGNIFICANT_DIGITS = 3
#: Arithmetic on integers only (``2 * 3``) must match the true value to this relative difference.
EXACT_RELATIVE = 1e-9


def practice_data(
    steps: list[BackwardStep],
    names: Mapping[Value, str],
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> dict[str, Any]:
    """What the page's practice script reads: the judging rule, and each step's hint (the formula, no number).

    ``rtol`` and ``atol`` (both, or neither) replace the significant-digit rule by a tolerance.

    >>> from autograd import Value
    >>> from autograd.explain import backward_steps
    >>> x = Value(2.0); y = x * 3.0
    >>> data = practice_data(backward_steps(y), {x: "x", y: "y"})
    >>> sorted(data), data["rule"]["minDigits"]
    (['hints', 'rule'], 3)
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            f"save_html() takes rtol and atol together (a tolerance replaces the practice rule), got rtol={quote(rtol)}"
            f" and atol={quote(atol)}"
        )
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0
        ):
            raise ValueError(f"save_html() {name} must be a finite number >= 0, got {quote(value)}")
    return {
        "rule": {
            "minDigits": MIN_SIGNIFICANT_DIGITS,
            "exactRelative": EXACT_RELATIVE,
            "rtol": None if rtol is None else float(rtol),
            "atol": None if atol is None else float(atol),
        },
        "hints": [f"{formula_hint(step, names)}; then {step.parent_name}.grad += local * upstream" for step in steps],
    }

"""Practise backprop: check a learner's gradients, or walk them through backward one step at a time.

Both are built on :func:`autograd.explain.backward_steps` (the engine's own
backward pass, watched, changing no grad) and on each op kind's
``derivative_text`` (the formula in words): nothing here differentiates.

- :func:`check_gradients` takes the learner's d root / d value for any of the
  graph's values and says, at the first wrong one in the order backward
  reaches it, what the right number is and the chain-rule lines that give it.
- :class:`Exercise` asks, edge by edge, for each local derivative and each
  contribution; a wrong answer gets the formula, a second one the value.

>>> from autograd import Value
>>> from autograd.practice import check_gradients
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = (w * x).tanh()
>>> y.label = "y"
>>> report = check_gradients(y, {"y": 1.0, "w": 2.0})
>>> report.ok, report.first_wrong.name
(False, 'w')
"""

from __future__ import annotations

import difflib
import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd import describe
from autograd.cli.expression import ExpressionError, build, functions, parse, variables
from autograd.core.checks import quote
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import node_names, nodes_in_order
from autograd.steps import BackwardStep, backward_steps, final_grads, local_derivative_formula

__all__ = [
    "ANSWER_FUNCTIONS",
    "EXACT_RTOL",
    "MIN_DIGITS",
    "ROUNDING_RTOL",
    "Contribution",
    "Exercise",
    "Feedback",
    "GradientCheck",
    "NodeCheck",
    "Question",
    "Score",
    "Verdict",
    "check_gradients",
    "is_close",
    "judge",
    "judge_constants",
    "problem_numbers",
]

#: The tolerance of :func:`is_close` (an explicit ``rtol``/``atol`` is judged the same way).
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9

#: The functions an answer may use (the practice page's judge reads the same ones).
ANSWER_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs")
#: An answer needs at least this many significant digits to be judged on its digits.
MIN_DIGITS = 3
#: Within this relative distance of the true value an answer is the value itself (float rounding, not a mistake).
EXACT_RTOL = 1e-9
#: How far past one unit of its last digit an answer may be, relatively: the rounding of float subtraction.
ROUNDING_RTOL = 1e-12

RIGHT, WRONG, MORE_DIGITS, UNREADABLE = "right", "wrong", "more digits", "not a number"


def is_close(answer: float, expected: float, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> bool:
    """``|answer - expected| <= atol + rtol * |expected|``; an infinity matches only itself, nan only nan.

    >>> is_close(0.1 + 0.2, 0.3), is_close(1.0, 1.1), is_close(float("inf"), float("inf"))
    (True, False, True)
    """
    if math.isnan(expected) or math.isnan(answer):
        return math.isnan(expected) and math.isnan(answer)
    if math.isinf(expected) or math.isinf(answer):
        return answer == expected
    return abs(answer - expected) <= atol + rtol * abs(expected)


def _check_tolerance(rtol: Any, atol: Any, where: str) -> tuple[float, float] | None:
    """``None`` when neither is given (the digits rule judges); else both as floats, a missing one 0.0."""
    if rtol is None and atol is None:
        return None
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"{where}() {name} must be a number >= 0 or None, got {type(value).__name__}: {quote(value)}"
            )
        if not float(value) >= 0 or math.isinf(value):
            raise ValueError(f"{where}() {name} must be a finite number >= 0 or None, got {quote(value)}")
    return float(rtol or 0.0), float(atol or 0.0)


# ---------------------------------------------------------------------------
# judge: is an answer right, the way a teacher reads it
# ---------------------------------------------------------------------------
_PLAIN = re.compile(r"([+-]?)(?:([0-9]+)\.?([0-9]*)|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?")
_LITERAL = re.compile(r"(?<![A-Za-z0-9_.])(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORDS = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf, "-infinity": -math.inf}
_WORDS.update({"+infinity": math.inf, "nan": math.nan})


@dataclass(frozen=True)
class Verdict:
    """What :func:`judge` says to one answer: right, wrong, "give at least 3 significant digits", or not a number.

    ``outcome`` is ``"right"``, ``"wrong"``, ``"more digits"`` (too few significant digits to judge:
    not wrong, not counted, asked again) or ``"not a number"`` (text that cannot be read).
    ``tolerance`` is the largest ``|answer - expected|`` that counts as right (``nan`` when not judged).

    >>> verdict = judge("0.786", 0.786448)
    >>> verdict.outcome, verdict.digits, verdict.tolerance
    ('right', 3, 0.001)
    """

    outcome: str
    text: str  # the answer as read
    answer: float  # its value (nan when it cannot be read)
    expected: float
    digits: int | None  # its significant digits (None: exact, or a tolerance was given)
    tolerance: float
    message: str  # what to tell the learner

    @property
    def correct(self) -> bool:
        """The answer is right."""
        return self.outcome == RIGHT

    @property
    def judged(self) -> bool:
        """Right or wrong (not: too few digits, or not a number); only a judged answer counts as a try."""
        return self.outcome in (RIGHT, WRONG)


def judge_constants() -> dict[str, Any]:
    """The rule's constants, for a page that judges in the browser the way :func:`judge` does.

    >>> judge_constants()["min_digits"], judge_constants()["functions"][:3]
    (3, ['exp', 'log', 'sqrt'])
    """
    return {
        "min_digits": MIN_DIGITS,
        "exact_rtol": EXACT_RTOL,
        "rounding_rtol": ROUNDING_RTOL,
        "functions": list(ANSWER_FUNCTIONS),
    }


def _plain(text: str) -> tuple[float, int, float] | None:
    """A plain number's (value, significant digits, one unit of its last digit), or None when not one."""
    word = _WORDS.get(text.lower())
    if word is not None:
        return word, 0, 0.0
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    _, whole, fraction, only_fraction, exponent = match.groups()
    fraction = only_fraction if only_fraction is not None else fraction
    digits = (whole or "") + fraction
    last_place = (int(exponent) if exponent else 0) - len(fraction)
    value = float(text)
    if not math.isfinite(value):
        return None  # 1e999: too large for a float
    try:
        unit = 10.0**last_place
    except OverflowError:
        unit = math.inf
    return value, len(digits.lstrip("0")), unit


def _as_text(answer: Any) -> str:
    if isinstance(answer, str):
        return answer.strip().replace("\u2212", "-")  # a typographic minus, pasted
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"an answer must be a number or text, got {type(answer).__name__}: {quote(answer)}")
    if isinstance(answer, numbers.Integral):
        return str(int(answer))
    return repr(float(answer))  # the shortest text that is this float: its digits are the ones written


def _unreadable(text: str, expected: float, why: str) -> Verdict:
    return Verdict(UNREADABLE, text, math.nan, expected, None, math.nan, why)


def _arithmetic(text: str, expected: float, exact: frozenset[float]) -> Verdict | tuple[float, int | None]:
    """The value of arithmetic text and the fewest significant digits of its rounded numbers (None: all exact)."""
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text):
        return _unreadable(
            text, expected, f"{quote(text)}: write the decimal point as a point, {text.replace(',', '.')}"
        )
    try:
        tree = parse(text)
    except ExpressionError as error:
        return _unreadable(text, expected, _short_reason(error))
    calls = [node.name for node in _pieces(tree) if node.kind == "call" and node.name not in ANSWER_FUNCTIONS]
    if calls:
        allowed = ", ".join(ANSWER_FUNCTIONS)
        return _unreadable(text, expected, f"{quote(calls[0])}: an answer is numbers and the functions {allowed}")
    names = variables(tree)
    if names:
        name = next(iter(names))
        close = difflib.get_close_matches(name, functions(), n=1)
        hint = f" (did you mean {close[0]}(...)?)" if close else ""
        return _unreadable(
            text, expected, f"{quote(name)} is not a number: an answer is a number or arithmetic on numbers{hint}"
        )
    try:
        root, _ = build(text, {})
    except ExpressionError as error:
        return _unreadable(text, expected, _short_reason(error))
    fewest: int | None = None
    for literal in _LITERAL.findall(text):
        if literal.isdigit() or float(literal) in exact:
            continue  # integers, and the problem's own numbers written out, are exact
        read = _plain(literal)
        if read is not None and (fewest is None or read[1] < fewest):
            fewest = read[1]
    return float(root.data), fewest


def _pieces(tree: Any) -> list[Any]:
    """Every piece of a parsed answer (the tree and all below it)."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.operands)
    return found


def _short_reason(error: Exception) -> str:
    reason = str(error).split("; allowed:", 1)[0]
    return f"{reason}; type a number like 0.786, -3 or 1.5e-3, or arithmetic like 1 - 0.4621**2"


def judge(
    answer: str | float,
    expected: float,
    rtol: float | None = None,
    atol: float | None = None,
    *,
    exact: Iterable[float] = (),
) -> Verdict:
    """Judge an answer the way a teacher reads it: right to the digits it is given to.

    ``answer`` is a number, or text: a plain number (``0.786``, ``-3``,
    ``1.50e-3``, ``inf``, ``nan``) or arithmetic on numbers read by the command
    line's safe parser, never run (``1 - 0.4621**2``, ``0.7864 * 2``,
    ``1 - tanh(0.5)**2``). A Python float counts the digits of its shortest
    form (``0.786`` has 3). The rule, shared with the practice page:

    1. With ``rtol`` or ``atol`` given: right when ``|a - t| <= atol + rtol |t|``;
       nothing else below applies.
    2. An infinity or nan is right only as itself.
    3. Right when ``|a - t| <= EXACT_RTOL |t|`` (1e-9: the value itself, up to float
       rounding): ``-3`` for -3, ``1 - tanh(0.5)**2`` for tanh'(0.5).
    4. A plain number with k significant digits (from the first nonzero digit
       to the last digit written, trailing zeros after the point included:
       ``0.786`` 3, ``0.7870`` 4, ``2`` 1, ``1.50e-3`` 3) may be off by one unit
       of its last digit, ``u = 10^(floor(log10 |a|) - k + 1)``. For arithmetic,
       k is the fewest significant digits among its numbers that are not
       integers (integers are exact, and so are the numbers in ``exact``, the
       problem's own values written out), and ``u = 10^(1 - k) |a|``; with no
       such number, u = 0 (only rule 3 can make it right).
    5. For t = 0 a plain answer is right when ``|a| <= u``, whatever k; else wrong.
    6. ``|a - t| > u + ROUNDING_RTOL max(|a|, |t|)`` (u, give or take float rounding): wrong. With
       k < MIN_DIGITS (3), ``|a - t| >= u`` is wrong too: the answer is wrong even at
       its own precision (``2`` for 1, ``0.6`` for 0.786).
    7. k < MIN_DIGITS: "give at least 3 significant digits": not judged, not a try, asked again.
    8. Otherwise right.

    So for 0.786448, ``0.7864``, ``0.7865`` and ``0.786`` are right, ``0.7870`` is
    wrong, ``0.78`` needs more digits and ``0.6`` is wrong; ``1.5728`` is right for 1.5728954.
    :func:`judge_constants` gives MIN_DIGITS and EXACT_RTOL to a page that judges the same way.

    >>> [judge(text, 0.786448).outcome for text in ("0.7864", "0.786", "0.7870", "0.78", "1 - 0.4621**2")]
    ['right', 'right', 'wrong', 'more digits', 'right']
    """
    if isinstance(expected, bool) or not isinstance(expected, numbers.Real):
        raise TypeError(f"judge() expected must be a number, got {type(expected).__name__}: {quote(expected)}")
    expected = float(expected)
    tolerance = _check_tolerance(rtol, atol, "judge")
    exact_numbers = frozenset(float(x) for x in exact)
    text = _as_text(answer)
    if not text:
        return _unreadable(text, expected, "the answer is empty: type a number like 0.786")
    plain = _plain(text)
    if plain is not None:
        value, digits, unit = plain
        relative = False
    else:
        read = _arithmetic(text, expected, exact_numbers)
        if isinstance(read, Verdict):
            return read
        value, digits = read
        unit = 0.0 if digits is None else 10.0 ** (1 - digits) * abs(value)
        relative = True

    def verdict(outcome: str, allowed: float, message: str, k: int | None = digits) -> Verdict:
        return Verdict(outcome, text, value, expected, k, allowed, message)

    def right_or_wrong(correct: bool, allowed: float, k: int | None = digits) -> Verdict:
        return verdict(RIGHT if correct else WRONG, allowed, "right" if correct else "not quite", k)

    if tolerance is not None:
        rtol_, atol_ = tolerance
        return right_or_wrong(is_close(value, expected, rtol_, atol_), atol_ + rtol_ * abs(expected), None)
    if not (math.isfinite(value) and math.isfinite(expected)):
        return right_or_wrong(is_close(value, expected, 0.0, 0.0), 0.0)
    distance = abs(value - expected)
    exact_tolerance = EXACT_RTOL * abs(expected)
    allowed = unit if digits is not None and digits >= MIN_DIGITS else exact_tolerance
    if expected == 0.0 and not relative:
        return right_or_wrong(distance <= unit, unit)
    if distance <= exact_tolerance:
        return right_or_wrong(True, max(exact_tolerance, allowed))
    slack = ROUNDING_RTOL * max(abs(value), abs(expected))  # float rounding in the subtraction, not a digit
    if digits is None or distance > unit + slack or (digits < MIN_DIGITS and distance >= unit):
        return right_or_wrong(False, max(exact_tolerance, allowed))
    if digits < MIN_DIGITS:
        where = "in every rounded number" if relative else f"({text} has {digits})"
        return verdict(MORE_DIGITS, unit, f"give at least {MIN_DIGITS} significant digits {where}")
    return right_or_wrong(True, unit)


def problem_numbers(nodes: Iterable[Value]) -> frozenset[float]:
    """The numbers a learner may copy from the problem exactly: every value's data and the folded constants.

    >>> sorted(problem_numbers([Value(2.0) * 3.0]))
    [3.0, 6.0]
    """
    found: set[float] = set()
    for node in nodes:
        found.add(float(node.data))
        if node.parents:
            found.update(float(c) for c in describe.constants(node) if isinstance(c, numbers.Real))
    return frozenset(x for x in found if math.isfinite(x))


def derivative_line(step: BackwardStep, names: Mapping[Value, str], digits: int = 4) -> str:
    """The chain-rule line of one step: ``d tanh(x)/dx = 1 - tanh(x)^2 = 0.7864  [x = n]``.

    The op kind's ``derivative_text`` gives the formula and what its letters
    stand for; the number is the local derivative the engine used.
    """
    return local_derivative_formula(step.node, step.position, step.local_derivative, dict(names), digits)


def formula_hint(step: BackwardStep, names: Mapping[Value, str]) -> str:
    """The formula of one step without its number: ``d tanh(x)/dx = 1 - tanh(x)^2  [x = n]``."""
    part, bindings = describe.derivative_text(step.node, step.position, names.__getitem__)
    return f"{part}  [{bindings}]" if bindings else part


# ---------------------------------------------------------------------------
# check_gradients
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Contribution:
    """One term of a value's grad: ``local * upstream`` from the edge into ``consumer``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * 2.0
    >>> c = check_gradients(y, {x: 2.0}).checks[0].contributions[0]
    >>> c.contribution    # local 2.0 * upstream 1.0
    2.0
    """

    consumer: str  # the name of the node that uses the value
    line: str  # the chain-rule line of the local derivative
    local_derivative: float
    upstream: float
    contribution: float

    def text(self, digits: int = 4) -> str:
        """The step in words: ``(local) * consumer.grad upstream = contribution``, to ``digits`` digits."""
        return (
            f"({self.line}) * {self.consumer}.grad {format_number(self.upstream, digits)}"
            f" = {format_number(self.contribution, digits)}"
        )


@dataclass(frozen=True, eq=False)
class NodeCheck:
    """One answered value: the learner's number, the engine's, how the engine's is made, and the verdict.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> c = check_gradients(y, {x: 3.0}).checks[0]
    >>> c.answer, c.expected, c.correct
    (3.0, 6.0, False)
    """

    node: Value
    name: str
    answer: float
    expected: float
    correct: bool
    contributions: tuple[Contribution, ...]  # () for the root: its grad is the seed
    follows_from_earlier: bool = False  # not right, but what your earlier answers give by the chain rule
    verdict: Verdict | None = None  # how the answer was judged (its digits, the tolerance, the message)

    @property
    def outcome(self) -> str:
        """``"right"``, ``"wrong"`` or ``"more digits"`` (too few significant digits to judge)."""
        if self.verdict is not None:
            return self.verdict.outcome
        return RIGHT if self.correct else WRONG

    def shown_answer(self) -> str:
        """The answer as the learner gave it: ``0.786``, or ``1 - 0.5**2 = 0.75`` for arithmetic."""
        number = format_number(self.answer, 6)
        text = self.verdict.text if self.verdict is not None else number
        return text if _plain(text) is not None else f"{text} = {number}"

    def explanation(self, digits: int = 4) -> list[str]:
        """``n.grad = (d tanh(x)/dx = ... ) * o.grad 1.0 = 0.7864``, one line per contribution."""
        if not self.contributions:
            return [f"{self.name}.grad = {format_number(self.expected, digits)}: the seed, d {self.name}/d {self.name}"]
        lines = [f"{self.name}.grad = sum over the values that use {self.name} of local * upstream:"]
        for k, term in enumerate(self.contributions):
            lines.append(("    " if k == 0 else "  + ") + term.text(digits))
        if len(self.contributions) > 1:
            lines.append(f"  = {format_number(self.expected, digits)}")
        return lines


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """What :func:`check_gradients` found; ``print`` it, or show it in a notebook (a table).

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> check_gradients(y, {x: 3.0}).wrong      # 2x is 6, not 3
    ['x']
    """

    root_name: str
    checks: tuple[NodeCheck, ...]  # every answer, in the order backward reaches (completes) the value
    rtol: float | None  # None: judged by the answers' significant digits (see judge())
    atol: float | None

    @property
    def ok(self) -> bool:
        """Every answer is right."""
        return all(check.correct for check in self.checks)

    @property
    def first_wrong(self) -> NodeCheck | None:
        """The first node whose grad is wrong (None when none is)."""
        return next((check for check in self.checks if check.outcome == WRONG), None)

    @property
    def right(self) -> list[str]:
        """The names of the nodes whose grad is right."""
        return [check.name for check in self.checks if check.correct]

    @property
    def wrong(self) -> list[str]:
        """The names of the nodes whose grad is wrong."""
        return [check.name for check in self.checks if check.outcome == WRONG]

    @property
    def more_digits(self) -> list[str]:
        """The names of the nodes whose answer has too few significant digits to judge (give at least 3)."""
        return [check.name for check in self.checks if check.outcome == MORE_DIGITS]

    def __str__(self) -> str:
        n, bad = len(self.checks), len(self.wrong)
        lines = [f"check_gradients: {n} answer{'s' if n != 1 else ''} for d {self.root_name}/d value, {bad} wrong."]
        first = self.first_wrong
        if first is not None:
            lines.append(f"First wrong, in the order backward reaches it: {first.name}")
            lines.append(f"  your answer: {first.shown_answer()}   right: {format_number(first.expected, 6)}")
            lines.extend("  " + line for line in first.explanation())
            later = [c for c in self.checks if c.outcome == WRONG and c is not first]
            if later:
                lines.append("Also wrong: " + ", ".join(c.name for c in later))
            carried = [c.name for c in self.checks if c.follows_from_earlier and c is not first]
            if carried:
                lines.append(
                    "  (" + ", ".join(carried) + ": right by the chain rule from your earlier answers; fix those first)"
                )
        coarse = [c for c in self.checks if c.outcome == MORE_DIGITS]
        if coarse:
            lines.append(
                f"Give at least {MIN_DIGITS} significant digits for: "
                + ", ".join(f"{c.name} ({c.shown_answer()})" for c in coarse)
            )
        if first is None and not coarse:
            lines.append("Every answer is right.")
        lines.append("Right: " + (", ".join(self.right) if self.right else "none"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for check in self.checks:
            mark = check.outcome
            if check is self.first_wrong:
                mark = "wrong (first)"
            elif check.outcome == MORE_DIGITS:
                mark = f"give at least {MIN_DIGITS} significant digits"
            why = "<br>".join(html.escape(line) for line in check.explanation())
            rows.append(
                f"<tr><td>{html.escape(check.name)}</td><td>{html.escape(check.shown_answer())}</td>"
                f"<td>{html.escape(format_number(check.expected, 6))}</td><td>{html.escape(mark)}</td>"
                f"<td><code>{why}</code></td></tr>"
            )
        summary = html.escape(str(self).split("\n", 1)[0])
        return (
            f"<p>{summary}</p><table><thead><tr><th>value</th><th>your answer</th><th>right</th><th></th>"
            f"<th>how backward gets it</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _resolve(root: Value, answers: Mapping[Any, Any], names: dict[Value, str], where: str) -> dict[Value, Any]:
    """``answers`` keyed by Value; a str key is a name (as explain prints it) or a label that names one Value."""
    if not isinstance(answers, Mapping):
        raise TypeError(
            f"{where}() answers must be a mapping of Values or names to numbers, got {type(answers).__name__}: "
            f"{quote(answers)}"
        )
    by_name = {name: node for node, name in names.items()}
    by_label: dict[str, list[Value]] = {}
    for node in names:
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    resolved: dict[Value, Any] = {}
    for key, answer in answers.items():
        if isinstance(key, Value):
            if key not in names:
                raise ValueError(f"{where}(): {quote(key)} is not in the graph of {names[root]}")
            node = key
        elif isinstance(key, str):
            if key in by_name:
                node = by_name[key]
            else:
                found = by_label.get(key, [])
                if not found:
                    raise ValueError(_unknown_name(where, key, sorted(by_name)))
                if len(found) > 1:
                    raise ValueError(
                        f"{where}(): the label {quote(key)} names {len(found)} values; use "
                        + " or ".join(quote(names[n]) for n in found)
                        + " (or the Value itself)"
                    )
                node = found[0]
        else:
            raise TypeError(
                f"{where}() answers' keys must be Values or names (str), got {type(key).__name__}: {quote(key)}"
            )
        if node in resolved:
            raise ValueError(f"{where}(): two answers for {names[node]}")
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real | str):
            raise TypeError(
                f"{where}() answer for {names[node]} must be a number or text like '0.786', got "
                f"{type(answer).__name__}: {quote(answer)}"
            )
        resolved[node] = answer
    return resolved


def _unknown_name(where: str, key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=3)
    if close:
        return (
            f"{where}(): no value in the graph is called {quote(key)}; did you mean "
            + " or ".join(quote(name) for name in close)
            + "?"
        )
    shown = ", ".join(known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
    return f"{where}(): no value in the graph is called {quote(key)}; the names are: {shown}"


def _completion_order(root: Value, steps: list[BackwardStep]) -> list[Value]:
    """The root, then every value in the order its grad is complete (its last step) in the engine's pass."""
    last: dict[Value, int] = {}
    for step in steps:
        last[step.parent] = step.step
    return [root, *sorted(last, key=last.__getitem__)]


def check_gradients(
    root: Value,
    answers: Mapping[Value | str, float | str],
    rtol: float | None = None,
    atol: float | None = None,
) -> GradientCheck:
    """Check the learner's d root / d value for any of the graph's values against one backward pass.

    ``answers`` maps Values, or their names (the labels, or the ``n<index>``
    names :func:`autograd.explain.explain` prints), to numbers or text
    (``"0.786"``, ``"1 - 0.4621**2"``). Each is judged by :func:`judge`: right
    to the significant digits it is given to (at least 3), or, with ``rtol``
    and/or ``atol``, when ``|answer - grad| <= atol + rtol * |grad|``. The
    checks come in the order the engine's backward completes each grad (the
    root first), so the first wrong one is where a mistake starts: for it the
    report gives the chain-rule lines that make the right number, one per
    value that uses it. A later answer that follows by the chain rule from
    the learner's earlier answers is marked as carried over. No grad is changed.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> check_gradients(y, {"x": 6.0}).right    # d(x^2)/dx = 2x
    ['x']
    """
    if not isinstance(root, Value):
        raise TypeError(f"check_gradients() needs a Value as root, got {type(root).__name__}: {quote(root)}")
    tolerance = _check_tolerance(rtol, atol, "check_gradients")
    nodes = nodes_in_order(root)
    names = node_names(nodes)
    given = _resolve(root, answers, names, "check_gradients")
    steps = backward_steps(root)
    grads = final_grads(root, steps)
    exact = problem_numbers(nodes)
    into: dict[Value, list[BackwardStep]] = {}
    for step in steps:
        into.setdefault(step.parent, []).append(step)

    def judged(node: Value, answer: Any, expected: float) -> Verdict:
        verdict = judge(answer, expected, rtol, atol, exact=exact)
        if verdict.outcome == UNREADABLE:
            raise ValueError(f"check_gradients() answer for {names[node]}: {verdict.message}")
        return verdict

    verdicts = {node: judged(node, answer, float(grads[node])) for node, answer in given.items()}

    # The grads the learner's answers imply: the engine's steps replayed, each upstream grad
    # replaced by the learner's answer where there is one (to tell a carried-over mistake).
    theirs: dict[Value, float] = {root: verdicts[root].answer if root in verdicts else 1.0}
    for step in steps:
        upstream = verdicts[step.node].answer if step.node in verdicts else theirs.get(step.node, 0.0)
        theirs[step.parent] = theirs.get(step.parent, 0.0) + step.local_derivative * upstream

    checks = []
    for node in _completion_order(root, steps):
        if node not in given:
            continue
        verdict = verdicts[node]
        terms = tuple(
            Contribution(
                consumer=step.node_name,
                line=derivative_line(step, names),
                local_derivative=float(step.local_derivative),
                upstream=float(step.upstream),
                contribution=float(step.contribution),
            )
            for step in into.get(node, [])
        )
        carried = (
            not verdict.correct
            and node is not root
            and node in theirs
            and judge(given[node], theirs[node], rtol, atol, exact=exact).correct
        )
        checks.append(
            NodeCheck(node, names[node], verdict.answer, verdict.expected, verdict.correct, terms, carried, verdict)
        )
    return GradientCheck(names[root], tuple(checks), *(tolerance or (None, None)))


# ---------------------------------------------------------------------------
# Exercise: the walk, one question at a time
# ---------------------------------------------------------------------------
ASKABLE = ("local", "contribution", "grad")


@dataclass(frozen=True, eq=False)
class Question:
    """One thing to compute at one step: the local derivative, the contribution, or the parent's grad after.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> question = Exercise(x * 3.0, ask=("local",)).questions[0]
    >>> question.kind, question.answer
    ('local', 3.0)
    """

    step: BackwardStep
    kind: str  # "local", "contribution" or "grad"
    prompt: str
    hint: str
    answer: float
    shown: str  # the answer, with how it is made, shown after a second wrong try


@dataclass(frozen=True)
class Feedback:
    """What the exercise says to one answer.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> feedback = Exercise(x * 3.0, ask=("local",)).answer(3.0)
    >>> feedback.correct, feedback.finished
    (True, True)
    """

    correct: bool
    message: str
    attempts: int  # tries at this question so far (an answer that is not judged is not a try)
    moved_on: bool  # the exercise went on to the next question
    finished: bool
    judged: bool = True  # False: too few significant digits, or not a number; asked again, not counted
    verdict: Verdict | None = None  # how the answer was judged


@dataclass
class Score:
    """How the exercise went: right first time, right after the hint, shown after two wrong tries, skipped.

    >>> from autograd import Value
    >>> exercise = Exercise(Value(2.0, label="x") * 3.0, ask=("local",))
    >>> _ = exercise.answer(3.0); exercise.score.first_try, exercise.score.total
    (1, 1)
    """

    total: int
    first_try: int = 0
    after_hint: int = 0
    shown: int = 0
    skipped: int = 0

    @property
    def answered(self) -> int:
        """The questions answered: first try, after the hint, or shown."""
        return self.first_try + self.after_hint + self.shown

    def __str__(self) -> str:
        text = f"Score: {self.first_try}/{self.total} right first time"
        extra = []
        if self.after_hint:
            extra.append(f"{self.after_hint} after a hint")
        if self.shown:
            extra.append(f"{self.shown} shown")
        if self.skipped:
            extra.append(f"{self.skipped} not done")
        return text + (f" ({', '.join(extra)})" if extra else "")


class Exercise:
    """Backprop by hand, one chain-rule step at a time, checked against the engine.

    For each step of the engine's backward pass (edge ``node -> parent``,
    in its order) the exercise asks for what ``ask`` names: ``"local"``
    (d node / d parent), ``"contribution"`` (local * node.grad) and/or
    ``"grad"`` (parent.grad after the step). Answers are judged by
    :func:`judge`: right to the significant digits they are given to (at
    least 3: ``0.786`` for 0.786448), as numbers or arithmetic text
    (``"1 - 0.4621**2"``); ``rtol``/``atol`` judge by a tolerance instead. A
    wrong answer gets a hint (the formula), a second the value; then the
    next question. In a notebook, read ``prompt`` and call ``answer(...)``; in
    a terminal, ``run()``.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> exercise = Exercise(x * x + x, ask=("local",))
    >>> len(exercise.questions)         # x*x + x: add->mul, add->x, mul->x twice
    4
    >>> exercise.answer(1.0).correct     # d(a+b)/da = 1
    True
    """

    def __init__(
        self,
        root: Value,
        *,
        ask: Iterable[str] = ("local", "contribution"),
        rtol: float | None = None,
        atol: float | None = None,
        digits: int = 4,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"Exercise() needs a Value as root, got {type(root).__name__}: {quote(root)}")
        if isinstance(ask, str):
            kinds: tuple[Any, ...] = (ask,)
        elif isinstance(ask, Iterable):
            kinds = tuple(ask)
        else:
            raise TypeError(f"Exercise() ask must be some of {ASKABLE}, got {type(ask).__name__}: {quote(ask)}")
        if not kinds or any(not isinstance(kind, str) or kind not in ASKABLE for kind in kinds):
            raise ValueError(f"Exercise() ask must be some of {ASKABLE}, got {quote(ask)}")
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
            raise ValueError(
                f"Exercise() digits must be an int from 1 to 17, got {type(digits).__name__}: {quote(digits)}"
            )
        tolerance = _check_tolerance(rtol, atol, "Exercise")
        self.rtol: float | None = tolerance[0] if tolerance else None
        self.atol: float | None = tolerance[1] if tolerance else None
        self.root = root
        self.digits = digits
        nodes = nodes_in_order(root)
        self.names = node_names(nodes)
        self.steps = backward_steps(root)
        self._nodes = nodes
        self._exact = problem_numbers(nodes)
        self.questions: list[Question] = [
            self._question(step, kind) for step in self.steps for kind in ASKABLE if kind in kinds
        ]
        self.score = Score(total=len(self.questions))
        self._index = 0
        self._attempts = 0

    def _question(self, step: BackwardStep, kind: str) -> Question:
        def number(x: float) -> str:
            return format_number(x, self.digits)

        edge = f"step {step.step}/{len(self.steps)}, edge {step.node_name} -> {step.parent_name}"
        formula = formula_hint(step, self.names)
        local_line = derivative_line(step, self.names, self.digits)
        if kind == "local":
            prompt = f"{edge}: the local derivative d {step.node_name}/d {step.parent_name} = ?"
            hint = f"the formula: {formula}"
            answer, shown = step.local_derivative, local_line
        elif kind == "contribution":
            prompt = (
                f"{edge}: the contribution to {step.parent_name}.grad, local derivative * "
                f"{step.node_name}.grad ({number(step.upstream)}) = ?"
            )
            hint = f"multiply d {step.node_name}/d {step.parent_name} ({formula}) by {number(step.upstream)}"
            answer = step.contribution
            shown = f"{number(step.local_derivative)} * {number(step.upstream)} = {number(step.contribution)}"
        else:
            prompt = f"{edge}: {step.parent_name}.grad after this step (it was {number(step.parent_grad_before)}) = ?"
            hint = f"{step.parent_name}.grad += local * upstream, the local derivative being {formula}"
            answer = step.parent_grad_after
            shown = (
                f"{number(step.parent_grad_before)} + {number(step.local_derivative)} * {number(step.upstream)}"
                f" = {number(step.parent_grad_after)}"
            )
        return Question(step, kind, prompt, hint, float(answer), shown)

    @property
    def finished(self) -> bool:
        """True when every question has been answered."""
        return self._index >= len(self.questions)

    @property
    def current(self) -> Question | None:
        """The question waiting for an answer (None when finished)."""
        return None if self.finished else self.questions[self._index]

    @property
    def prompt(self) -> str:
        """The question waiting for an answer, or the score when finished."""
        question = self.current
        return "Done. " + str(self.score) if question is None else question.prompt

    def answer(self, value: float | str) -> Feedback:
        """Answer the current question with a number or text (``0.786``, ``"1 - 0.4621**2"``).

        Right moves on; wrong gives the hint, then (twice wrong) the value. Too
        few significant digits, or text that is not a number, is asked again
        and is not a try.
        """
        question = self.current
        if question is None:
            raise ValueError(f"Exercise.answer(): the exercise is finished ({self.score})")
        if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
            raise TypeError(
                f"Exercise.answer() needs a number or text like '0.786', got {type(value).__name__}: {quote(value)}"
            )
        verdict = judge(value, question.answer, self.rtol, self.atol, exact=self._exact)
        if not verdict.judged:
            return Feedback(False, verdict.message, self._attempts, False, False, False, verdict)
        self._attempts += 1
        attempts = self._attempts
        if verdict.correct:
            if attempts == 1:
                self.score.first_try += 1
            else:
                self.score.after_hint += 1
            message = f"right: {question.shown}" if question.kind == "local" else f"right ({question.shown})"
            return self._next(True, message, attempts, verdict)
        if attempts == 1:
            return Feedback(False, f"not quite. Hint: {question.hint}", attempts, False, False, True, verdict)
        self.score.shown += 1
        shown = f"it is {format_number(question.answer, self.digits)}: {question.shown}"
        return self._next(False, shown, attempts, verdict)

    def _next(self, correct: bool, message: str, attempts: int, verdict: Verdict) -> Feedback:
        self._index += 1
        self._attempts = 0
        return Feedback(correct, message, attempts, True, self.finished, True, verdict)

    def stop(self) -> Score:
        """End early: the questions left count as not done."""
        self.score.skipped += len(self.questions) - self._index
        self._index = len(self.questions)
        self._attempts = 0
        return self.score

    def forward_pass(self) -> list[str]:
        """The values the questions need, as ``n1 = w * x = -6.0``, each after the values it is computed from."""
        width = max((len(self.names[node]) for node in self._nodes), default=0)
        lines = []
        for node in self._nodes:
            name = self.names[node].ljust(width)
            value = format_number(node.data, self.digits)
            if node.parents:
                lines.append(f"  {name} = {describe.expression(node, self.names.__getitem__)} = {value}")
            else:
                lines.append(f"  {name} = {value}")
        return lines

    def run(
        self,
        input: Callable[[str], str] = input,  # noqa: A002 - the same name as the builtin it defaults to
        output: Callable[[str], Any] = print,
    ) -> Score:
        """Ask every question on a terminal (or through the ``input`` and ``output`` functions given).

        An answer is a number or arithmetic (``1 - 0.4621**2``), to at least 3
        significant digits. An empty line asks again; ``q`` (or the end of the
        input, Ctrl-D) ends the exercise with the score; text that is not a
        number, or has too few digits, is asked again and costs no try.
        """
        output(
            f"Backprop by hand: {len(self.steps)} chain-rule steps in the order backward() takes them, "
            f"{len(self.questions)} questions. Each step: parent.grad += (d node/d parent) * node.grad."
        )
        output(
            f"Answer with a number to at least {MIN_DIGITS} significant digits (0.786) or arithmetic "
            "(1 - 0.4621**2, 0.7864 * 2). An empty line asks again; q ends."
        )
        output("The forward pass:")
        for line in self.forward_pass():
            output(line)
        output(f"{self.names[self.root]}.grad = 1.0 (the seed).")
        while not self.finished:
            question = self.current
            assert question is not None
            try:
                text = input(question.prompt + " ").strip()
            except EOFError:
                output("")
                text = "q"
            if not text:
                continue
            if text.lower() in ("q", "quit", "exit"):
                self.stop()
                break
            output(self.answer(text).message)
        output(str(self.score))
        return self.score

    def __repr__(self) -> str:
        return f"Exercise({self.names[self.root]}: {len(self.questions)} questions, {self.score})"

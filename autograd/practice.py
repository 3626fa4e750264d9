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

import html
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd import describe
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import node_names, nodes_in_order
from autograd.steps import BackwardStep, backward_steps, final_grads, local_derivative_formula

__all__ = [
    "Contribution",
    "Exercise",
    "Feedback",
    "GradientCheck",
    "NodeCheck",
    "Question",
    "Score",
    "check_gradients",
    "is_close",
]

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


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


def _check_tolerance(rtol: Any, atol: Any, where: str) -> tuple[float, float]:
    for name, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0 or math.isinf(value):
            raise ValueError(f"{where}() {name} must be a finite number >= 0, got {value!r}")
    return float(rtol), float(atol)


def _number(answer: Any, where: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"{where} must be a number, got {type(answer).__name__}: {answer!r}")
    return float(answer)


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
    """One answered value: the learner's number, the engine's, and how the engine's is made.

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
    follows_from_earlier: bool = False  # wrong, but what your earlier answers give by the chain rule

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
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        """Every answer is right."""
        return all(check.correct for check in self.checks)

    @property
    def first_wrong(self) -> NodeCheck | None:
        """The first node whose grad is wrong (None when all are right)."""
        return next((check for check in self.checks if not check.correct), None)

    @property
    def right(self) -> list[str]:
        """The names of the nodes whose grad is right."""
        return [check.name for check in self.checks if check.correct]

    @property
    def wrong(self) -> list[str]:
        """The names of the nodes whose grad is wrong."""
        return [check.name for check in self.checks if not check.correct]

    def __str__(self) -> str:
        n, bad = len(self.checks), len(self.wrong)
        lines = [f"check_gradients: {n} answer{'s' if n != 1 else ''} for d {self.root_name}/d value, {bad} wrong."]
        first = self.first_wrong
        if first is not None:
            lines.append(f"First wrong, in the order backward reaches it: {first.name}")
            lines.append(f"  your answer: {format_number(first.answer, 6)}   right: {format_number(first.expected, 6)}")
            lines.extend("  " + line for line in first.explanation())
            later = [c for c in self.checks if not c.correct and c is not first]
            if later:
                carried = [c.name for c in later if c.follows_from_earlier]
                lines.append("Also wrong: " + ", ".join(c.name for c in later))
                if carried:
                    lines.append(
                        "  (" + ", ".join(carried) + ": right by the chain rule from your earlier answers; "
                        "fix those first)"
                    )
        else:
            lines.append("Every answer is right.")
        lines.append("Right: " + (", ".join(self.right) if self.right else "none"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for check in self.checks:
            mark = "right" if check.correct else ("wrong (first)" if check is self.first_wrong else "wrong")
            why = "<br>".join(html.escape(line) for line in check.explanation())
            rows.append(
                f"<tr><td>{html.escape(check.name)}</td><td>{html.escape(format_number(check.answer, 6))}</td>"
                f"<td>{html.escape(format_number(check.expected, 6))}</td><td>{mark}</td>"
                f"<td><code>{why}</code></td></tr>"
            )
        summary = html.escape(str(self).split("\n", 1)[0])
        return (
            f"<p>{summary}</p><table><thead><tr><th>value</th><th>your answer</th><th>right</th><th></th>"
            f"<th>how backward gets it</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _resolve(root: Value, answers: Mapping[Any, Any], names: dict[Value, str], where: str) -> dict[Value, float]:
    """``answers`` keyed by Value; a str key is a label (or a name like ``n3``) that must name one Value."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"{where}() answers must be a mapping of Values or labels to numbers, got {answers!r}")
    by_name: dict[str, list[Value]] = {}
    for node, name in names.items():
        by_name.setdefault(name, []).append(node)
        if node.label and node.label != name:
            by_name.setdefault(node.label, []).append(node)
    resolved: dict[Value, float] = {}
    for key, answer in answers.items():
        if isinstance(key, Value):
            if key not in names:
                raise ValueError(f"{where}(): {key!r} is not in the graph of {names[root]}")
            node = key
        elif isinstance(key, str):
            found = by_name.get(key, [])
            if not found:
                known = ", ".join(sorted(by_name))
                raise ValueError(f"{where}(): no value in the graph is called {key!r}; the names are: {known}")
            if len(found) > 1:
                raise ValueError(
                    f"{where}(): the label {key!r} names {len(found)} values; use "
                    + " or ".join(repr(names[n]) for n in found)
                    + " (or the Value itself)"
                )
            node = found[0]
        else:
            raise TypeError(f"{where}() answers' keys must be Values or labels (str), got {type(key).__name__}")
        if node in resolved:
            raise ValueError(f"{where}(): two answers for {names[node]}")
        resolved[node] = _number(answer, f"{where}() answer for {names[node]}")
    return resolved


def _completion_order(root: Value, steps: list[BackwardStep]) -> list[Value]:
    """The root, then every value in the order its grad is complete (its last step) in the engine's pass."""
    last: dict[Value, int] = {}
    for step in steps:
        last[step.parent] = step.step
    return [root, *sorted(last, key=last.__getitem__)]


def check_gradients(
    root: Value,
    answers: Mapping[Value | str, float],
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> GradientCheck:
    """Check the learner's d root / d value for any of the graph's values against one backward pass.

    ``answers`` maps Values, or their labels (or the ``n<index>`` names
    :func:`autograd.explain.explain` prints), to numbers. An answer is right
    when ``|answer - grad| <= atol + rtol * |grad|``. The checks come in the
    order the engine's backward completes each grad (the root first), so the
    first wrong one is where a mistake starts: for it the report gives the
    chain-rule lines that make the right number, one per value that uses it.
    A later wrong answer that follows by the chain rule from the learner's
    earlier answers is marked as carried over. No grad is changed.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> check_gradients(y, {"x": 6.0}).right    # d(x^2)/dx = 2x
    ['x']
    """
    if not isinstance(root, Value):
        raise TypeError(f"check_gradients() needs a Value as root, got {type(root).__name__}: {root!r}")
    rtol, atol = _check_tolerance(rtol, atol, "check_gradients")
    nodes = nodes_in_order(root)
    names = node_names(nodes)
    given = _resolve(root, answers, names, "check_gradients")
    steps = backward_steps(root)
    grads = final_grads(root, steps)
    into: dict[Value, list[BackwardStep]] = {}
    for step in steps:
        into.setdefault(step.parent, []).append(step)

    # The grads the learner's answers imply: the engine's steps replayed, each upstream grad
    # replaced by the learner's answer where there is one (to tell a carried-over mistake).
    theirs: dict[Value, float] = {root: given.get(root, 1.0)}
    for step in steps:
        upstream = given.get(step.node, theirs.get(step.node, 0.0))
        theirs[step.parent] = theirs.get(step.parent, 0.0) + step.local_derivative * upstream

    checks = []
    for node in _completion_order(root, steps):
        if node not in given:
            continue
        expected = float(grads[node])
        answer = given[node]
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
        correct = is_close(answer, expected, rtol, atol)
        carried = not correct and node in theirs and is_close(answer, theirs[node], rtol, atol)
        checks.append(NodeCheck(node, names[node], answer, expected, correct, terms, carried))
    return GradientCheck(names[root], tuple(checks), rtol, atol)


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
    attempts: int  # tries at this question so far
    moved_on: bool  # the exercise went on to the next question
    finished: bool


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
    ``"grad"`` (parent.grad after the step). A wrong answer gets a hint (the
    formula), a second the value; then the next question. In a notebook, read
    ``prompt`` and call ``answer(number)``; in a terminal, ``run()``.

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
        rtol: float = DEFAULT_RTOL,
        atol: float = DEFAULT_ATOL,
        digits: int = 4,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"Exercise() needs a Value as root, got {type(root).__name__}: {root!r}")
        kinds = tuple(ask) if not isinstance(ask, str) else (ask,)
        unknown = [kind for kind in kinds if kind not in ASKABLE]
        if unknown or not kinds:
            raise ValueError(f"Exercise() ask must be some of {ASKABLE}, got {ask!r}")
        self.rtol, self.atol = _check_tolerance(rtol, atol, "Exercise")
        self.root = root
        self.digits = digits
        self.names = node_names(nodes_in_order(root))
        self.steps = backward_steps(root)
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

    def answer(self, value: float) -> Feedback:
        """Answer the current question: right moves on; wrong gives the hint, then (twice wrong) the value."""
        question = self.current
        if question is None:
            raise ValueError(f"Exercise.answer(): the exercise is finished ({self.score})")
        value = _number(value, "Exercise.answer() value")
        self._attempts += 1
        attempts = self._attempts
        if is_close(value, question.answer, self.rtol, self.atol):
            if attempts == 1:
                self.score.first_try += 1
            else:
                self.score.after_hint += 1
            message = f"right: {question.shown}" if question.kind == "local" else f"right ({question.shown})"
            return self._next(True, message, attempts)
        if attempts == 1:
            return Feedback(False, f"not quite. Hint: {question.hint}", attempts, False, False)
        self.score.shown += 1
        return self._next(False, f"it is {format_number(question.answer, self.digits)}: {question.shown}", attempts)

    def _next(self, correct: bool, message: str, attempts: int) -> Feedback:
        self._index += 1
        self._attempts = 0
        return Feedback(correct, message, attempts, True, self.finished)

    def stop(self) -> Score:
        """End early: the questions left count as not done."""
        self.score.skipped += len(self.questions) - self._index
        self._index = len(self.questions)
        self._attempts = 0
        return self.score

    def run(
        self,
        input: Callable[[str], str] = input,  # noqa: A002 - the same name as the builtin it defaults to
        output: Callable[[str], Any] = print,
    ) -> Score:
        """Ask every question on a terminal (or through the ``input`` and ``output`` functions given).

        An empty answer, ``q`` or end of input stops the exercise; text that is
        not a number is asked again and costs no try.
        """
        output(
            f"Backprop by hand: {len(self.steps)} chain-rule steps, {len(self.questions)} questions. "
            "parent.grad += (d node/d parent) * node.grad. Type a number (q to stop)."
        )
        output(f"{self.names[self.root]}.grad = 1.0 (the seed).")
        while not self.finished:
            question = self.current
            assert question is not None
            try:
                text = input(question.prompt + " ").strip()
            except EOFError:
                text = "q"
            if text.lower() in ("", "q", "quit", "exit"):
                self.stop()
                break
            try:
                value = float(text)
            except ValueError:
                output(f"{text!r} is not a number; type one like 0.5, -3 or 1e-3 (q to stop)")
                continue
            output(self.answer(value).message)
        output(str(self.score))
        return self.score

    def __repr__(self) -> str:
        return f"Exercise({self.names[self.root]}: {len(self.questions)} questions, {self.score})"

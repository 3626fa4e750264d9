"""Practice mode of the step-through page (``save_html(..., practice=True)``): the learner types each grad.

The page hides every grad but the seed. At each step of the engine's
backward pass it asks for the parent's grad after the step, checks the
number in the browser with the tolerance :func:`autograd.practice.is_close`
uses, shows the formula after a wrong answer, and reveals the step (the
picture, the table, the line ``parent.grad += local * upstream``) when the
answer is right, or after a second wrong one. Keyboard first: type, Enter
to check, Escape to show the answer. The answers are in the page (it checks
them without a server): it is for practice, not for an exam.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from autograd.core.value import Value
from autograd.practice import DEFAULT_ATOL, DEFAULT_RTOL, formula_hint
from autograd.steps import BackwardStep

__all__ = ["practice_block", "practice_data"]


def practice_data(steps: list[BackwardStep], names: Mapping[Value, str]) -> dict[str, Any]:
    """What the page's practice script reads: the tolerance, and each step's hint (the formula, no number).

    >>> from autograd import Value
    >>> from autograd.explain import backward_steps
    >>> x = Value(2.0); y = x * 3.0
    >>> data = practice_data(backward_steps(y), {x: "x", y: "y"})
    >>> sorted(data)
    ['atol', 'hints', 'rtol']
    """
    return {
        "rtol": DEFAULT_RTOL,
        "atol": DEFAULT_ATOL,
        "hints": [f"{formula_hint(step, names)}; then {step.parent_name}.grad += local * upstream" for step in steps],
    }


def practice_block(step_count: int) -> tuple[str, str, str]:
    """(the HTML of the practice box, its style, its script) for a page of ``step_count`` steps.

    >>> html, style, script = practice_block(3)
    >>> all(isinstance(part, str) and part for part in (html, style, script))
    True
    """
    box = f"""<div id="practice">
<div id="question"></div>
<form id="answer-form" autocomplete="off">
<label for="answer">Your answer:</label>
<input id="answer" type="text" inputmode="decimal" spellcheck="false" autofocus>
<button id="check" type="submit">Check (Enter)</button>
<button id="reveal" type="button">Show answer (Esc)</button>
</form>
<div id="feedback" data-state=""></div>
<div id="score" data-first-try="0" data-after-hint="0" data-shown="0" data-total="{step_count}"
 data-done="false">Score: 0/{html.escape(str(step_count))} right first time</div>
</div>"""
    return box, _PRACTICE_STYLE, _PRACTICE_SCRIPT


_PRACTICE_STYLE = """
#practice { background: #eef4ff; border-left: 4px solid #1f77b4; padding: 0.5em 0.8em; margin: 0.6em 0; }
#question { font-family: monospace; margin-bottom: 0.4em; }
#answer { font-family: monospace; font-size: 1.05em; width: 12em; }
#feedback { font-family: monospace; margin-top: 0.4em; min-height: 1.2em; white-space: pre-wrap; }
#feedback[data-state="wrong"] { color: #b00020; }
#feedback[data-state="right"] { color: #116611; }
#score { margin-top: 0.3em; font-weight: bold; }
"""

_PRACTICE_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("steps-data").textContent);
  const practice = data.practice;
  const steps = data.steps;
  const total = steps.length;
  const stepper = window.glassgradStepper;
  const input = document.getElementById("answer");
  const question = document.getElementById("question");
  const feedback = document.getElementById("feedback");
  const score = document.getElementById("score");
  const counts = {firstTry: 0, afterHint: 0, shown: 0};
  let solved = 0;
  let tries = 0;
  document.getElementById("play").style.display = "none";

  function fromRepr(text) {
    if (text === "inf") { return Infinity; }
    if (text === "-inf") { return -Infinity; }
    if (text === "nan") { return NaN; }
    return Number(text);
  }
  function readNumber(text) {
    const t = text.trim().toLowerCase();
    if (t === "inf" || t === "infinity" || t === "+inf") { return Infinity; }
    if (t === "-inf" || t === "-infinity") { return -Infinity; }
    if (t === "nan") { return NaN; }
    if (!/^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$/.test(t)) { return null; }
    return Number(t);
  }
  function close(answer, expected) {
    if (Number.isNaN(expected) || Number.isNaN(answer)) { return Number.isNaN(expected) && Number.isNaN(answer); }
    if (!Number.isFinite(expected) || !Number.isFinite(answer)) { return answer === expected; }
    return Math.abs(answer - expected) <= practice.atol + practice.rtol * Math.abs(expected);
  }
  function say(text, state) {
    feedback.textContent = text;
    feedback.setAttribute("data-state", state);
  }
  function updateScore() {
    let text = "Score: " + counts.firstTry + "/" + total + " right first time";
    const extra = [];
    if (counts.afterHint) { extra.push(counts.afterHint + " after a hint"); }
    if (counts.shown) { extra.push(counts.shown + " shown"); }
    if (extra.length) { text += " (" + extra.join(", ") + ")"; }
    if (solved === total) { text = "Done. " + text; }
    score.textContent = text;
    score.setAttribute("data-first-try", String(counts.firstTry));
    score.setAttribute("data-after-hint", String(counts.afterHint));
    score.setAttribute("data-shown", String(counts.shown));
    score.setAttribute("data-done", String(solved === total));
  }
  function ask() {
    tries = 0;
    input.value = "";
    if (solved === total) {
      question.textContent = "All " + total + " steps done: every grad is filled in.";
      input.disabled = true;
      document.getElementById("check").disabled = true;
      document.getElementById("reveal").disabled = true;
      updateScore();
      return;
    }
    const step = steps[solved];
    question.textContent = "Step " + (solved + 1) + " of " + total + ", edge " + step.nodeName + " -> " +
      step.parentName + ": what is " + step.parentName + ".grad after this step?  (" + step.nodeName +
      ".grad = " + step.upstream + "; " + step.parentName + ".grad before = " + step.before + ")";
    question.setAttribute("data-step", String(solved + 1));
    input.focus();
  }
  function advance() {
    solved += 1;
    stepper.setLimit(solved);
    stepper.show(solved);
    updateScore();
    ask();
  }
  function reveal(prefix) {
    const step = steps[solved];
    counts.shown += 1;
    say(prefix + step.parentName + ".grad = " + step.before + " + " + step.local + " * " + step.upstream +
      " = " + step.after + "   (" + step.formula + ")", "shown");
    advance();
  }
  function check() {
    if (solved === total) { return; }
    const answer = readNumber(input.value);
    if (answer === null) {
      say("Type a number, like 0.5, -3 or 1e-3.", "invalid");
      input.focus();
      return;
    }
    const step = steps[solved];
    tries += 1;
    if (close(answer, fromRepr(step.afterRepr))) {
      if (tries === 1) { counts.firstTry += 1; } else { counts.afterHint += 1; }
      say("Right: " + step.parentName + ".grad = " + step.after + "   (" + step.formula + ")", "right");
      advance();
    } else if (tries === 1) {
      say("Not quite. Hint: " + practice.hints[solved], "wrong");
      input.select();
    } else {
      reveal("Not this time. ");
    }
  }
  document.getElementById("answer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    check();
  });
  document.getElementById("reveal").addEventListener("click", function () { if (solved < total) { reveal(""); } });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); if (solved < total) { reveal(""); } }
  });
  updateScore();
  ask();
})();
"""

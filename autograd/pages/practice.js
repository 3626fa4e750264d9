/* Practice mode of the step-through page: the learner types each step's result, in backward()'s order.

   The question names the edge and what is asked, and stays on screen. An answer is judged by judge.js with the
   rule the page's data gives; an empty answer, one that cannot be read, or one with too few significant digits is
   asked again and not counted. A wrong answer gets the formula as a hint; a second wrong one shows the value. A
   right answer (or a shown one) reveals the step on the page. */
(function () {
  "use strict";
  const kit = window.glassgrad;
  const judge = window.glassgradJudge;
  const data = kit.data;
  const practice = data.practice;
  const steps = data.steps;
  const total = steps.length;
  const stepper = window.glassgradStepper;
  const box = document.getElementById("practice");
  document.getElementById("practice-slot").appendChild(box);  // above the explanation, below the controls
  const input = document.getElementById("answer");
  const question = document.getElementById("question");
  const feedback = document.getElementById("feedback");
  const score = document.getElementById("score");
  const counts = {firstTry: 0, afterHint: 0, shown: 0};
  let solved = 0;
  let tries = 0;
  document.getElementById("play").style.display = "none";
  score.setAttribute("data-total", String(total));

  function fromRepr(text) {
    if (text === "inf") { return Infinity; }
    if (text === "-inf") { return -Infinity; }
    if (text === "nan") { return NaN; }
    return Number(text);
  }
  function say(text, state) {
    kit.setText(feedback, text);
    feedback.setAttribute("data-state", state);
  }
  function updateScore() {
    let text = "Score: " + counts.firstTry + "/" + total + " right first time";
    const extra = [];
    if (counts.afterHint) { extra.push(counts.afterHint + " after a hint"); }
    if (counts.shown) { extra.push(counts.shown + " shown"); }
    if (extra.length) { text += " (" + extra.join(", ") + ")"; }
    if (solved === total) { text = "Done. " + text; }
    kit.setText(score, text);
    score.setAttribute("data-first-try", String(counts.firstTry));
    score.setAttribute("data-after-hint", String(counts.afterHint));
    score.setAttribute("data-shown", String(counts.shown));
    score.setAttribute("data-done", String(solved === total));
  }
  function ask() {
    tries = 0;
    input.value = "";
    if (solved === total) {
      kit.setText(question, "All " + total + " steps done: every grad is filled in.");
      question.removeAttribute("data-step");
      input.disabled = true;
      document.getElementById("check").disabled = true;
      document.getElementById("reveal").disabled = true;
      updateScore();
      return;
    }
    const step = steps[solved];
    kit.setText(question, "Step " + (solved + 1) + " of " + total + ", edge " + step.nodeName + " -> " +
      step.parentName + ": what is " + step.parentName + ".grad after this step?  (" + step.nodeName +
      ".grad = " + step.upstream + "; " + step.parentName + ".grad before = " + step.before + ")");
    question.setAttribute("data-step", String(solved + 1));
    stepper.pointAt(solved);  // the edge asked about, marked in the picture and the table
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
    const step = steps[solved];
    const result = judge.judge(input.value, fromRepr(step.afterRepr), practice.rule);
    if (result.verdict === "empty" || result.verdict === "invalid" || result.verdict === "digits") {
      say(result.message, result.verdict);  // asked again: not a try, not counted
      input.focus();
      return;
    }
    tries += 1;
    if (result.verdict === "right") {
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

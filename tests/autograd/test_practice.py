"""Practice: check_gradients and Exercise, checked against the engine's own backward."""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.ops import ELEMENTWISE_OPS, BinaryOp
from autograd.practice import Exercise, Score, check_gradients, is_close, judge, judge_constants
from autograd.viz import node_names, nodes_in_order
from tests.autograd.ops.test_ops import NARY_BUILDERS
from tests.strategies import evaluate, expressions, small_floats


def the_neuron() -> tuple[Value, dict[str, Value]]:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    n = w * x + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x": x, "w": w, "b": b, "n": n, "o": o}


def engine_grads(root: Value) -> dict[Value, float]:
    nodes = nodes_in_order(root)
    for node in nodes:
        node.grad = 0.0
    root.backward()
    grads = {node: node.grad for node in nodes}
    for node in nodes:
        node.grad = 0.0
    return grads


def test_right_answers_pass_and_the_report_says_so():
    o, values = the_neuron()
    grads = engine_grads(o)
    report = check_gradients(o, {name: grads[value] for name, value in values.items()})
    assert report.ok and report.first_wrong is None
    assert sorted(report.right) == sorted(values)
    assert "Every answer is right" in str(report)


def test_the_first_wrong_answer_gets_the_chain_rule_line_that_makes_the_right_one():
    o, values = the_neuron()
    grads = engine_grads(o)
    answers = {"o": 1.0, "n": 0.5, "w": grads[values["w"]], "x": 123.0}
    report = check_gradients(o, answers)
    assert not report.ok
    first = report.first_wrong
    assert first.name == "n" and first.answer == 0.5 and first.expected == grads[values["n"]]
    assert report.wrong == ["n", "x"]
    assert sorted(report.right) == ["o", "w"]
    text = str(report)
    assert "First wrong, in the order backward reaches it: n" in text
    assert "d tanh(x)/dx = 1 - tanh(x)^2 = 0.7864" in text
    assert "o.grad 1.0" in text
    html = report._repr_html_()
    assert "<table>" in html and "wrong (first)" in html


def test_a_value_used_twice_shows_both_contributions():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    report = check_gradients(b, {a: 3.0})
    (check,) = report.checks
    assert check.expected == 6.0 and len(check.contributions) == 2
    assert [term.contribution for term in check.contributions] == [3.0, 3.0]
    assert "  + " in str(report)


def test_a_later_wrong_answer_carried_over_from_an_earlier_one_is_marked():
    x = Value(2.0, label="x")
    h = x * 3.0
    h.label = "h"
    out = h.tanh()
    out.label = "out"
    wrong_h = 0.25
    report = check_gradients(out, {h: wrong_h, x: 3.0 * wrong_h})
    assert report.wrong == ["h", "x"]
    assert report.checks[1].follows_from_earlier
    assert "from your earlier answers" in str(report)


def test_check_gradients_changes_no_grad():
    o, values = the_neuron()
    for k, value in enumerate(values.values()):
        value.grad = float(k) - 7.5
    before = {name: value.grad for name, value in values.items()}
    check_gradients(o, {"w": 1.0})
    assert {name: value.grad for name, value in values.items()} == before


def test_bad_answers_are_refused_clearly():
    o, values = the_neuron()
    with pytest.raises(ValueError, match="no value in the graph is called 'q'"):
        check_gradients(o, {"q": 1.0})
    with pytest.raises(ValueError, match="not in the graph"):
        check_gradients(o, {Value(1.0): 1.0})
    with pytest.raises(TypeError, match=r"answer for w must be a number or text like '0.786', got list: \[1.5\]"):
        check_gradients(o, {"w": [1.5]})
    with pytest.raises(ValueError, match="answer for w: 'y' is not a number"):
        check_gradients(o, {"w": "y * 2"})
    with pytest.raises(ValueError, match="rtol"):
        check_gradients(o, {"w": 1.0}, rtol=-1.0)
    twins = Value(1.0, label="t") * Value(2.0, label="t")
    with pytest.raises(ValueError, match="names 2 values"):
        check_gradients(twins, {"t": 1.0})
    with pytest.raises(ValueError, match="two answers"):
        check_gradients(o, {"w": 1.0, values["w"]: 1.0})


def test_unlabelled_values_are_named_as_explain_names_them():
    x = Value(1.0)
    out = x * 2.0
    names = node_names(nodes_in_order(out))
    report = check_gradients(out, {names[x]: 2.0})
    assert report.ok


def test_is_close_treats_infinities_and_nan_as_themselves():
    assert is_close(1.0 + 1e-7, 1.0) and not is_close(1.0 + 1e-5, 1.0)
    assert is_close(math.inf, math.inf) and not is_close(1e308, math.inf)
    assert is_close(math.nan, math.nan) and not is_close(0.0, math.nan)


@given(expressions(3), st.lists(small_floats(-1.5, 1.5), min_size=3, max_size=3), st.data())
def test_one_wrong_answer_on_a_random_graph_is_found(expression, xs, data):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    root = evaluate(expression, inputs)
    grads = engine_grads(root)
    nodes = list(grads)
    answers = dict(grads)
    assert check_gradients(root, answers).ok
    wrong = data.draw(st.sampled_from(nodes))
    answers[wrong] = grads[wrong] + 1.0 + abs(grads[wrong])
    report = check_gradients(root, answers)
    assert [check.node for check in report.checks if not check.correct] == [wrong]
    assert report.first_wrong.expected == grads[wrong]


# ---------------------------------------------------------------------------
# Exercise: the walk against backward, on graphs of every op
# ---------------------------------------------------------------------------
def answer_every_question_from_the_engine(root: Value, kinds: tuple[str, ...]) -> Exercise:
    """Answer each question with numbers read from a real backward pass (not from the exercise)."""
    grads = engine_grads(root)
    exercise = Exercise(root, ask=kinds)
    running = dict.fromkeys(grads, 0.0)
    running[root] = 1.0
    for question in exercise.questions:
        step = question.step  # which edge it asks about; the numbers come from the engine
        local = step.node.local_grads[step.position]
        contribution = local * grads[step.node]
        if question.kind == "grad":
            running[step.parent] += contribution
        expected = {"local": local, "contribution": contribution, "grad": running[step.parent]}[question.kind]
        feedback = exercise.answer(expected)
        assert feedback.correct and feedback.moved_on, (question.prompt, expected, feedback.message)
    assert exercise.finished and exercise.score.first_try == len(exercise.questions)
    if "grad" in kinds:
        for node, grad in grads.items():
            assert math.isclose(running[node], grad, rel_tol=1e-12, abs_tol=1e-300), (node, running[node], grad)
    edges = sum(len(node.parents) for node in grads)
    assert len(exercise.questions) == edges * len(kinds)
    return exercise


def _graph_of(name: str) -> Value:
    if name in NARY_BUILDERS:
        xs = [Value(v, label=f"x{i}") * 1.0 for i, v in enumerate([0.3, -0.7, 1.1, 0.4, -0.2])]
        return NARY_BUILDERS[name](xs).tanh()
    op = ELEMENTWISE_OPS[name]
    low, high = op.second_domain or op.domain if isinstance(op, BinaryOp) else op.domain
    a = Value(op.domain[0] + 0.37 * (op.domain[1] - op.domain[0]), label="a")
    if isinstance(op, BinaryOp):
        b = Value(low + 0.61 * (high - low), label="b")
        out = op(a, b) * op(a, 1.25) + op(b, b)  # a used twice, a folded constant, a value used as both operands
    else:
        out = op(a, *op.test_params) * a + op(a * 0.5, *op.test_params)
    return out


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_OPS) + sorted(NARY_BUILDERS))
def test_the_exercise_walks_every_edge_as_backward_does(name):
    root = _graph_of(name)
    answer_every_question_from_the_engine(root, ("local", "contribution", "grad"))


@given(expressions(3), st.lists(small_floats(-1.5, 1.5), min_size=3, max_size=3))
def test_the_exercise_walk_agrees_with_backward_on_random_graphs(expression, xs):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    root = evaluate(expression, inputs)
    answer_every_question_from_the_engine(root, ("local", "grad"))


def test_a_wrong_answer_gets_the_formula_and_a_second_the_value():
    o, _ = the_neuron()
    exercise = Exercise(o)
    assert exercise.prompt.startswith("step 1/5, edge o -> n: the local derivative")
    first = exercise.answer(0.5)
    assert not first.correct and not first.moved_on
    assert "Hint" in first.message and "1 - tanh(x)^2" in first.message and "0.7864" not in first.message
    second = exercise.answer(0.6)
    assert not second.correct and second.moved_on and "0.7864" in second.message
    assert "contribution" in exercise.prompt
    third = exercise.answer(5.0)
    assert not third.correct
    right = exercise.answer(exercise.current.answer)
    assert right.correct and right.attempts == 2
    assert exercise.score.shown == 1 and exercise.score.after_hint == 1 and exercise.score.first_try == 0
    with pytest.raises(TypeError, match=r"Exercise.answer\(\) needs a number or text like '0.786', got list"):
        exercise.answer([0.5])


def session(exercise: Exercise, typed: list[str]) -> tuple[Score, list[str], list[str]]:
    """Run the exercise on what a person types: (the score, the transcript as a terminal shows it, the prompts)."""
    lines: list[str] = []
    prompts: list[str] = []
    keys = iter(typed)

    def read(prompt: str) -> str:
        prompts.append(prompt)
        try:
            text = next(keys)
        except StopIteration:
            raise EOFError from None
        lines.append(prompt + text)
        return text

    score = exercise.run(input=read, output=lines.append)
    return score, lines, prompts


def replies(lines: list[str]) -> list[tuple[str, str]]:
    """(what was typed, what the exercise said to it), for each answer in a transcript."""
    found = []
    for line, reply in itertools.pairwise(lines):
        typed = line.partition(" = ? ")[2]
        if line.startswith("step ") and typed and not reply.startswith("step "):
            found.append((typed, reply))
    return found


def test_a_terminal_session_judges_rounded_and_arithmetic_answers_like_a_teacher():
    o, _ = the_neuron()  # tanh(w*x + b) at w=-3, x=2, b=6.5: tanh'(0.5) = 0.786448
    typed = ["0.7864", "0.78", "0.786", "", "1", "1 - 0.4621**2", "2", "1.00", "q"]
    score, lines, prompts = session(Exercise(o), typed)
    transcript = "\n".join(lines)
    said = dict(replies(lines))
    assert said["0.7864"].startswith("right: d tanh(x)/dx = 1 - tanh(x)^2 = 0.7864")
    assert said["0.78"] == "give at least 3 significant digits (0.78 has 2)"
    assert said["0.786"].startswith("right (0.7864 * 1.0 = 0.7864)")
    assert said["1"].startswith("right: d(a+b)/da = 1")
    assert said["1 - 0.4621**2"].startswith("right (1.0 * 0.7864 = 0.7864)")
    assert said["2"].startswith("not quite. Hint: the formula: d(a+b)/db = 1")
    assert said["1.00"].startswith("right")
    # the empty line asked the same question again; every prompt says which step, which edge and what is asked
    assert prompts[3] == prompts[4] and "step 2/5, edge n -> n1: the local derivative d n/d n1 = ?" in prompts[3]
    assert all(re.match(r"step \d/5, edge \w+ -> \w+: .* = \? $", prompt) for prompt in prompts)
    steps = [int(re.match(r"step (\d)", prompt)[1]) for prompt in prompts]
    assert steps == sorted(steps)  # backward()'s order, never back
    # q ends with the score: the more-digits answer and the empty line cost no try
    assert (score.first_try, score.after_hint, score.shown, score.skipped) == (4, 1, 0, 5)
    assert lines[-1] == "Score: 4/10 right first time (1 after a hint, 5 not done)"
    assert (
        "The forward pass:" in transcript
        and "n  = n1 + b = 0.5" in transcript
        and "o  = tanh(n) = 0.4621" in transcript
    )


def test_the_end_of_input_and_text_that_is_not_a_number_are_handled():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    root = a * b
    root.label = "c"
    score, lines, _ = session(Exercise(root), ["-3", "oops", "__import__('os')", "-3.00", "0,5"])
    assert (
        "'oops' is not a number"
        in lines[
            lines.index("step 1/2, edge c -> a: the contribution to a.grad, local derivative * c.grad (1.0) = ? oops")
            + 1
        ]
    )
    assert any("cannot read" in line and "type a number like 0.786" in line for line in lines)
    assert "write the decimal point as a point, 0.5" in lines[-3]
    assert lines[-2] == "" and lines[-1] == str(score)  # Ctrl-D: a new line, then the score
    assert (score.first_try, score.skipped, score.total) == (2, 2, 4)


def test_glassgrad_practice_on_the_command_line_reads_what_a_person_types():
    import io

    from autograd.cli import main

    typed = iter(["0.7864", "0.786", "", "1 - 0.4621**2", "0.78", "q"])
    out = io.StringIO()
    status = main(["practice", "tanh(w*x + b)", "w=-3", "x=2", "b=6.5"], stdout=out, input=lambda prompt: next(typed))
    text = out.getvalue().splitlines()
    assert status == 0
    assert text[-1] == "Score: 2/10 right first time (1 shown, 7 not done)"
    # 0.7864 and 0.786 right; the empty line asked again; 1 - 0.4621**2 = 0.786 is not d n2/d n1 = 1 (hint);
    # 0.78 for 1 is wrong at its own precision: the value is shown
    assert text.count("right: d tanh(x)/dx = 1 - tanh(x)^2 = 0.7864  [x = n2]") == 1
    assert any(line.startswith("not quite. Hint: the formula: d(a+b)/da = 1") for line in text)
    assert any(line.startswith("it is 1.0: d(a+b)/da = 1") for line in text)


def test_the_exercise_changes_no_grad_and_refuses_bad_options():
    o, values = the_neuron()
    values["w"].grad = 42.0
    Exercise(o).answer(0.1)
    assert values["w"].grad == 42.0
    with pytest.raises(ValueError, match="ask"):
        Exercise(o, ask=("derivative",))
    with pytest.raises(TypeError, match="Value"):
        Exercise(1.0)


# ---------------------------------------------------------------------------
# judge: right to the digits the answer is given to
# ---------------------------------------------------------------------------
TRUE = 0.7864477329659274  # tanh'(0.5)


@pytest.mark.parametrize(
    ("answer", "expected", "outcome", "digits"),
    [
        ("0.7864", TRUE, "right", 4),
        ("0.7865", TRUE, "right", 4),
        ("0.786", TRUE, "right", 3),
        (0.786, TRUE, "right", 3),  # a Python float counts the digits of its shortest form
        ("0.7870", TRUE, "wrong", 4),
        ("0.7863", TRUE, "wrong", 4),  # 1.5 units below
        ("0.7862", TRUE, "wrong", 4),
        ("1.5728", 1.5728954, "right", 5),
        ("-0.786", -TRUE, "right", 3),
        ("+0.786", TRUE, "right", 3),
        ("\u22120.786", -TRUE, "right", 3),  # a typographic minus, pasted
        ("7.864e-1", TRUE, "right", 4),
        ("1.50e-3", 0.0015049, "right", 3),
        ("1.50e-3", 0.001512, "wrong", 3),
        ("0.78", TRUE, "more digits", 2),
        (0.78, TRUE, "more digits", 2),
        ("0.8", TRUE, "more digits", 1),
        ("0.6", TRUE, "wrong", 1),  # wrong even at its own precision
        ("-3", -3.0, "right", 1),  # exact: the value itself needs no more digits
        (2, 2.0, "right", 1),
        ("2", 1.0, "wrong", 1),
        ("2", 2.03, "more digits", 1),
        ("200", 200.4, "right", 3),  # every digit written counts
        ("0", 0.0, "right", 0),
        ("0.001", 0.0, "right", 1),  # for 0: within one unit of the last digit
        ("0.02", 0.0, "wrong", 1),
        ("inf", math.inf, "right", 0),
        ("-inf", math.inf, "wrong", 0),
        ("nan", math.nan, "right", 0),
        ("0.786", math.nan, "wrong", 3),
        ("1 - 0.4621**2", TRUE, "right", 4),
        ("0.7864 * 2", 1.5728954, "right", 4),
        ("1 - tanh(0.5)**2", TRUE, "right", 1),  # exact, whatever the digits of 0.5
        ("0.79 * 2", 1.5728954, "more digits", 2),
        ("0.7870 * 2", 1.5728954, "right", 4),  # arithmetic: within 10^(1-k) of the answer, relatively
        ("0.7900 * 2", 1.5728954, "wrong", 4),
        ("3 / 4", 0.75, "right", None),  # integers only: exact
        ("3 / 4", 0.7500001, "wrong", None),
        ("(0.786)", TRUE, "right", 3),
    ],
)
def test_judge_reads_an_answer_as_a_teacher_does(answer, expected, outcome, digits):
    verdict = judge(answer, expected)
    assert verdict.outcome == outcome, verdict
    assert verdict.digits == digits
    assert verdict.correct == (outcome == "right") and verdict.judged == (outcome in ("right", "wrong"))
    if outcome == "more digits":
        assert verdict.message.startswith("give at least 3 significant digits")


@given(
    st.floats(min_value=1e-6, max_value=1e6) | st.floats(min_value=-1e6, max_value=-1e-6),
    st.integers(min_value=3, max_value=9),
)
def test_rounded_to_k_digits_is_right_and_two_units_off_is_wrong(true, k):
    rounded = Decimal(f"{true:.{k - 1}e}")
    unit = Decimal(1).scaleb(rounded.adjusted() - k + 1)
    shown = Decimal(repr(true))  # the digits a person reads, cut after k of them
    truncated = shown.quantize(Decimal(1).scaleb(shown.adjusted() - k + 1), rounding="ROUND_DOWN")
    for text in (f"{true:.{k - 1}e}", f"{truncated:e}"):
        assert judge(text, true).correct, (text, true)
    off = rounded + 2 * unit * (1 if rounded >= 0 else -1)
    assert judge(f"{off:e}", true).outcome == "wrong", (off, true)
    if abs(float(f"{true:.1e}") - true) > 1e-9 * abs(true):
        assert judge(f"{true:.1e}", true).outcome in ("more digits", "wrong")  # 2 digits: never right, unless exact


def test_numbers_of_the_problem_written_out_are_exact_in_arithmetic():
    # the classic mistake 1 - n^2 for tanh'(n) at n = 0.5: 0.5 is n itself, so the answer is judged, and wrong
    assert judge("1 - 0.5**2", TRUE).outcome == "more digits"
    assert judge("1 - 0.5**2", TRUE, exact=[0.5]).outcome == "wrong"
    assert judge("1 - tanh(0.5)**2", TRUE, exact=[0.5]).outcome == "right"


def test_a_tolerance_given_overrides_the_digits_rule():
    assert judge("0.7", TRUE, rtol=0.2).correct
    assert judge("0.78", TRUE, atol=0.01).correct  # judged, though it has 2 digits
    assert not judge("0.786", TRUE, rtol=1e-6).correct  # right by its digits, wrong by the tolerance
    assert judge("1 - 0.4621**2", TRUE, atol=1e-4).correct
    assert not Exercise(Value(2.0) * 3.0, ask=("local",), rtol=1e-9).answer("3.01").correct
    assert judge_constants() == {
        "min_digits": 3,
        "exact_rtol": 1e-9,
        "rounding_rtol": 1e-12,
        "functions": ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs"],
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x * 2", "'x' is not a number: an answer is a number or arithmetic on numbers"),
        ("tanh_(0.5)", "unknown function 'tanh_' at position 1 of 'tanh_(0.5)': did you mean tanh?"),
        ("tanhh", "did you mean tanh(...)?"),
        ("0,786", "write the decimal point as a point, 0.786"),
        ("__import__('os').system('touch CANARY')", "cannot read"),
        ("log(-1)", "log() needs x > 0"),
        ("1e999", "too large"),
        ("", "the answer is empty"),
        ("1" * 2000, "more than the 1000 allowed"),
    ],
)
def test_text_that_is_not_a_number_is_said_so_and_never_run(text, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    verdict = judge(text, TRUE)
    assert verdict.outcome == "not a number" and not verdict.judged
    assert says in verdict.message
    assert len(verdict.message) < 400
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: judge([0.5], 1.0), TypeError, r"answer must be a number or text, got list: \[0.5\]"),
        (lambda: judge(True, 1.0), TypeError, "got bool"),
        (lambda: judge("0.5", "1"), TypeError, r"judge\(\) expected must be a number, got str: '1'"),
        (lambda: judge("0.5", 1.0, rtol=-1.0), ValueError, r"judge\(\) rtol must be a finite number >= 0"),
        (lambda: judge("0.5", 1.0, atol="x" * 500), TypeError, r"atol must be a number >= 0 or None.*500 characters"),
    ],
)
def test_judge_names_its_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_check_gradients_takes_typed_answers_and_asks_for_more_digits():
    o, _ = the_neuron()
    report = check_gradients(o, {"o": "1", "n": "1 - 0.4621**2", "b": "0.78", "w": "0.7864 * 2", "x": "-2.37"})
    assert report.right == ["o", "n", "w"]
    assert report.more_digits == ["b"] and report.wrong == ["x"] and report.first_wrong.name == "x"
    text = str(report)
    assert "Give at least 3 significant digits for: b (0.78)" in text
    assert "your answer: -2.37   right: -2.35934" in text
    assert "1 - 0.4621**2 = 0.786464" in report._repr_html_()


def test_check_gradients_tutorial_mistake_is_wrong_and_carried_over():
    o, _ = the_neuron()
    report = check_gradients(o, {"o": 1, "n": "1 - 0.5**2", "w": "2 * (1 - 0.5**2)"})
    assert report.wrong == ["n", "w"] and report.first_wrong.name == "n"
    assert report.checks[-1].follows_from_earlier and not report.checks[0].follows_from_earlier
    assert "w: right by the chain rule from your earlier answers" in str(report)


def test_a_misspelt_name_gets_did_you_mean():
    o, _ = the_neuron()
    with pytest.raises(ValueError, match=r"no value in the graph is called 'nn'; did you mean 'n'"):
        check_gradients(o, {"nn": 1.0})
    with pytest.raises(ValueError, match=r"called 'q'; the names are: b, n, n1, o, w, x$"):
        check_gradients(o, {"q": 1.0})


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda o: Exercise(o, ask=5), TypeError, r"Exercise\(\) ask must be some of .*, got int: 5"),
        (lambda o: Exercise(o, ask=[]), ValueError, r"Exercise\(\) ask must be some of"),
        (lambda o: Exercise(o, ask=["local", 3]), ValueError, r"Exercise\(\) ask must be some of .*\['local', 3\]"),
        (lambda o: Exercise(o, digits=0), ValueError, r"Exercise\(\) digits must be an int from 1 to 17, got int: 0"),
        (lambda o: Exercise(o, digits="4"), ValueError, r"Exercise\(\) digits must be an int from 1 to 17, got str"),
        (lambda o: Exercise(o, rtol="0.1"), TypeError, r"Exercise\(\) rtol must be a number >= 0 or None, got str"),
        (lambda o: Exercise(o, atol=math.inf), ValueError, r"Exercise\(\) atol must be a finite number >= 0"),
        (
            lambda o: Exercise("x" * 1000),
            TypeError,
            r"Exercise\(\) needs a Value as root, got str: 'x.*1000 characters",
        ),
        (lambda o: check_gradients([o], {}), TypeError, r"check_gradients\(\) needs a Value as root, got list"),
        (lambda o: check_gradients(o, [1.0]), TypeError, r"check_gradients\(\) answers must be a mapping.*got list"),
        (lambda o: check_gradients(o, {3: 1.0}), TypeError, r"check_gradients\(\) answers' keys must be .*got int: 3"),
        (lambda o: check_gradients(o, {"w": None}), TypeError, r"answer for w must be a number or text.*NoneType"),
        (lambda o: check_gradients(o, {"y" * 500: 1.0}), ValueError, r"called 'y+\.\.\.y+' \(500 characters\)"),
        (lambda o: check_gradients(o, {}, rtol=-1), ValueError, r"check_gradients\(\) rtol must be a finite number"),
    ],
)
def test_exercise_and_check_gradients_name_their_bad_arguments(call, error, pattern):
    o, _ = the_neuron()
    with pytest.raises(error, match=pattern) as raised:
        call(o)
    assert len(str(raised.value)) < 400

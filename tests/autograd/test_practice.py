"""Practice: check_gradients and Exercise, checked against the engine's own backward."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.ops import ELEMENTWISE_OPS, BinaryOp
from autograd.practice import Exercise, check_gradients, is_close
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
    with pytest.raises(TypeError, match="answer for w must be a number"):
        check_gradients(o, {"w": "1.5"})
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
    with pytest.raises(TypeError, match="number"):
        exercise.answer("0.5")


def test_run_reads_answers_from_the_input_it_is_given():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    root = a * b
    root.label = "c"
    said: list[str] = []
    # c -> a: local derivative, (not a number), contribution; c -> b: local derivative wrong twice, contribution
    answers = iter(["-3", "oops", "-3", "1", "1", "2"])
    score = Exercise(root).run(input=lambda prompt: next(answers), output=said.append)
    assert score.first_try == 3 and score.shown == 1 and score.after_hint == 0 and score.total == 4
    assert any("is not a number" in line for line in said)
    assert said[-1] == str(score) and "3/4 right first time" in said[-1]

    # end of input stops the exercise; the questions left count as not done
    def no_more(prompt: str) -> str:
        raise EOFError

    stopped = Exercise(root).run(input=no_more, output=said.append)
    assert stopped.skipped == 4 and stopped.answered == 0


def test_the_exercise_changes_no_grad_and_refuses_bad_options():
    o, values = the_neuron()
    values["w"].grad = 42.0
    Exercise(o).answer(0.1)
    assert values["w"].grad == 42.0
    with pytest.raises(ValueError, match="ask"):
        Exercise(o, ask=("derivative",))
    with pytest.raises(TypeError, match="Value"):
        Exercise(1.0)

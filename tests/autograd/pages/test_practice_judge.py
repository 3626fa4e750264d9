"""The practice page judges like a teacher, in Chromium: significant digits, one unit in the last digit, arithmetic.

The rule is autograd.practice.judge's; the page runs it in its own script (judge.js) with the constants Python gives
it. The examples are the ones a learner meets (the prompt shows 0.7864 for 0.786448...), and a property test asks
both judges the same questions.
"""

from __future__ import annotations

import math
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.explain import backward_steps, save_html
from autograd.practice import MIN_DIGITS, judge, judge_constants
from tests.autograd.pages.browser import assert_ran_nothing, needs_dot, open_page

RULE = {**judge_constants(), "rtol": None, "atol": None, "exact": [0.5]}  # 0.5: the judge page's x
TANH_SLOPE = 1 - math.tanh(0.5) ** 2  # 0.7864477329659274


@pytest.fixture(scope="module")
def judge_page(browser, tmp_path_factory):
    """A practice page loaded once: its judge is window.glassgradJudge."""
    if shutil.which("dot") is None:
        pytest.skip("needs the Graphviz program dot")
    x = Value(0.5, label="x")
    path = save_html(x.tanh(), tmp_path_factory.mktemp("judge") / "practice.html", practice=True)
    open_page(browser, path)
    return browser


def judged(browser, cases: list[tuple[str, float]], rule: dict | None = None) -> list[str]:
    return browser.execute_script(
        "const rule = arguments[1];"
        "return arguments[0].map(function (c) {"
        "  const expected = c[1] === 'nan' ? NaN : c[1] === 'inf' ? Infinity : c[1] === '-inf' ? -Infinity : c[1];"
        "  return window.glassgradJudge.judge(c[0], expected, rule).verdict; });",
        [list(case) for case in cases],
        rule or RULE,
    )


CASES = [
    # a plain number: right within one unit of its last digit, given at least 3 significant digits
    ("0.7864", 0.786448, "right"),
    ("0.7865", 0.786448, "right"),
    ("0.786", 0.786448, "right"),
    ("0.7870", 0.786448, "wrong"),
    ("1.002", 1.001, "right"),  # one unit away exactly, though float subtraction says 0.001000000000000112
    ("0.787", 0.786448, "right"),  # 0.000552 from the truth: within 0.001
    ("0.788", 0.786448, "wrong"),
    ("1.5728", 1.5728954, "right"),  # 2 x 0.7864, from the rounded numbers shown
    ("1.5726", 1.5728954, "wrong"),
    ("-0.786", -0.786448, "right"),
    ("0.786", -0.786448, "wrong"),
    ("7.86e-1", 0.786448, "right"),
    ("1.50e-3", 0.0015049, "right"),
    ("1.50e-3", 0.0015101, "wrong"),
    ("100", 100.4, "right"),
    # too few significant digits: asked again, not wrong, unless wrong even at its own precision
    ("0.79", 0.786448, "digits"),
    ("0.78", 0.786448, "digits"),
    ("0.6", 0.786448, "wrong"),
    ("2", 1.0, "wrong"),
    ("1", 1.2, "digits"),
    # the value itself, however few its digits
    ("2", 2.0, "right"),
    ("1e-3", 0.001, "right"),
    ("-3", -3.0, "right"),
    ("\u22123", -3.0, "right"),  # a typographic minus, pasted
    # arithmetic: the fewest significant digits of its non-integer literals; integers are exact
    ("1 - 0.4621**2", TANH_SLOPE, "right"),
    ("0.7864 * 2", 1.5728954, "right"),
    ("2*0.7864", 1.5728954, "right"),
    ("(1 - 0.4621**2) * -3", -3 * TANH_SLOPE, "right"),
    ("1 - tanh(0.500)**2", TANH_SLOPE, "right"),
    ("1 - tanh(0.5)**2", TANH_SLOPE, "right"),  # the value itself
    ("1 - tanh(0.5)**2", TANH_SLOPE * (1 + 1e-6), "wrong"),  # 0.5 is the problem's own number: exact
    ("1 - tanh(0.6)**2", TANH_SLOPE, "digits"),  # 0.6 is not: one significant digit
    ("1 - 0.46**2", TANH_SLOPE, "digits"),
    ("1 - 0.4700**2", TANH_SLOPE, "wrong"),
    ("2 * 3", 6.0, "right"),
    ("2 * 3", 6.0 + 1e-6, "wrong"),
    ("6/4", 1.5, "right"),
    ("sigmoid(0.000)", 0.5, "right"),
    ("exp(1.000)", math.e, "right"),
    ("-x", -1.0, "invalid"),
    # a true value of 0
    ("0", 0.0, "right"),
    ("0.000", 0.0, "right"),
    ("0", 0.01, "digits"),
    ("0", 2.0, "wrong"),
    ("1.00e-12", 0.0, "wrong"),
    # not an answer: asked again
    ("", 1.0, "empty"),
    ("   ", 1.0, "empty"),
    ("abc", 1.0, "invalid"),
    ("0,786", 0.786, "invalid"),
    ("2^2", 4.0, "invalid"),
    ("alert(1)", 1.0, "invalid"),
    ("constructor(1)", 1.0, "invalid"),
    ("__proto__", 1.0, "invalid"),
    ("1 +", 1.0, "invalid"),
    ("((1)", 1.0, "invalid"),
    ("log(-1.00)", 1.0, "invalid"),
    ("1/0", 1.0, "invalid"),
    ("(" * 50 + "1.000" + ")" * 50, 1.0, "invalid"),
    # infinities and nan match only themselves
    ("inf", "inf", "right"),
    ("-inf", "inf", "wrong"),
    ("nan", "nan", "right"),
    ("1.000", "nan", "wrong"),
]


@needs_dot
def test_the_page_judges_each_answer_as_a_teacher_would(judge_page):
    verdicts = judged(judge_page, [(text, expected) for text, expected, _ in CASES])
    wrong = [(text, expected, want, got) for (text, expected, want), got in zip(CASES, verdicts) if want != got]
    assert wrong == []
    assert_ran_nothing(judge_page)


@needs_dot
def test_a_tolerance_in_the_page_data_replaces_the_rule(judge_page):
    rule = {**RULE, "rtol": 0.01, "atol": None}
    assert judged(judge_page, [("0.79", 0.786448), ("0.8", 0.786448), ("2", 2.01), ("0.77", 0.786448)], rule) == [
        "right",
        "wrong",
        "right",
        "wrong",
    ]


@needs_dot
@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=1e-6, max_value=1e6) | st.floats(min_value=-1e6, max_value=-1e-6),
    st.integers(min_value=MIN_DIGITS, max_value=9),
)
def test_a_true_value_rounded_to_k_digits_is_right_and_two_units_off_is_wrong(judge_page, truth, k):
    rounded = f"{truth:.{k - 1}e}"  # what a learner writes, rounded to k significant digits
    mantissa, exponent = rounded.split("e")
    unit = 10.0 ** (int(exponent) - (k - 1))
    off = f"{float(mantissa) + math.copysign(2 * 10.0 ** -(k - 1), truth):.{k - 1}f}e{exponent}"  # 2 units further out
    arithmetic = f"2 * {rounded} / 2"
    assert judged(judge_page, [(rounded, truth), (off, truth), (arithmetic, truth)]) == ["right", "wrong", "right"], (
        rounded,
        off,
        unit,
    )


@needs_dot
def test_practice_on_the_page_takes_rounded_and_arithmetic_answers_and_asks_again_when_it_cannot_judge(
    browser, tmp_path
):
    """The learner's session of the tanh neuron: the prompt shows 0.7864, the learner types what they computed."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.5, label="b")
    out = (w * x + b).tanh()
    out.label = "out"
    steps = backward_steps(out)
    open_page(browser, save_html(out, tmp_path / "practice.html", practice=True, inputs=[x]))
    answer = browser.find_element(By.ID, "answer")
    question = browser.find_element(By.ID, "question")

    def send(text: str) -> str:
        answer.clear()
        answer.send_keys(text, Keys.ENTER)
        return browser.find_element(By.ID, "feedback").get_attribute("data-state")

    first = question.get_attribute("textContent")
    assert first.startswith("Step 1 of 5, edge out -> ") and ".grad after this step?" in first
    assert send("") == "empty" and send("0.79") == "digits" and send("0,7864") == "invalid"
    assert question.get_attribute("textContent") == first  # the question stays, nothing counted
    assert send("1 - 0.4621**2") == "right"  # tanh'(0.5) from the rounded tanh the page shows
    assert steps[0].parent_grad_after == pytest.approx(TANH_SLOPE)
    second = question.get_attribute("textContent")
    assert second.startswith("Step 2 of 5, edge ") and second != first
    for k, step in enumerate(steps[1:], start=2):
        assert question.get_attribute("data-step") == str(k)
        assert send(f"{step.parent_grad_after:#.4g}") == "right", (k, step.parent_grad_after)
    score = browser.find_element(By.ID, "score")
    assert score.get_attribute("data-done") == "true" and score.get_attribute("data-first-try") == "5"
    assert_ran_nothing(browser)


#: The page's verdicts by the names of autograd.practice.judge's outcomes.
OUTCOMES = {"right": "right", "wrong": "wrong", "digits": "more digits", "invalid": "not a number",
            "empty": "not a number"}  # fmt: skip

numbers_written = st.builds(
    lambda sign, mantissa, k, exponent, style: (
        f"{sign}{mantissa:.{k - 1}e}".replace("e+00", "").replace("e", "e" if style else "E")
        if exponent
        else f"{sign}{mantissa * 10 ** (k % 3):.{max(0, k - 1 - k % 3)}f}"
    ),
    st.sampled_from(["", "-", "+"]),
    st.floats(min_value=1.0, max_value=9.999),
    st.integers(min_value=1, max_value=6),
    st.booleans(),
    st.booleans(),
)
answers = st.one_of(
    numbers_written,
    st.builds(lambda a, op, b: f"{a} {op} {b}", numbers_written, st.sampled_from("+-*/"), numbers_written),
    st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["exp", "tanh", "sigmoid", "abs", "relu"]), numbers_written),
    st.builds(lambda a: f"1 - {a}**2", numbers_written),
    st.sampled_from(["", "0", "0.000", "-0", "inf", "nan", "2", "x", "1,5", "2^2", "(1", "1e999"]),
)


def written_value(text: str) -> float | None:
    """What the text is worth, read by the command line's safe parser (None when it is not arithmetic)."""
    from autograd.cli.expression import ExpressionError, build

    try:
        return float(build(text, {})[0].data)
    except (ExpressionError, ValueError, ZeroDivisionError, OverflowError):
        return None


@needs_dot
@settings(max_examples=150, deadline=None)
@given(
    st.lists(answers, min_size=1, max_size=6),
    st.floats(min_value=-20, max_value=20),
    st.sampled_from([None, 0.0, 1e-9, 3e-5, 2e-4, 1e-3, 4e-3, 0.02, 0.3]),
)
def test_the_page_and_python_judge_every_answer_alike(judge_page, texts, truth, off):
    """The same rule in two languages: for answers as people write them, near and far from the truth, one verdict."""
    cases = []
    for text in texts:
        value = written_value(text) if off is not None else None
        near = value * (1 + off) if value is not None and math.isfinite(value) else None
        cases.append((text, truth if near is None else near))
    page = judged(judge_page, cases, {**RULE, "exact": []})
    python = [judge(text, expected).outcome for text, expected in cases]
    assert [OUTCOMES[verdict] for verdict in page] == python, list(zip(cases, page, python))


def test_the_page_reads_the_functions_python_reads_and_no_other(judge_page):
    """An answer may call the same functions in the terminal, in Exercise and on the page: each reads an answer
    with every one of them, and refuses one outside the list (``elu``) alike."""
    from autograd.practice import ANSWER_FUNCTIONS

    cases = [(f"{name}(0.5) - {name}(0.5) + 0.786", 0.786) for name in ANSWER_FUNCTIONS] + [("elu(0.786)", 0.786)]
    page = [OUTCOMES[verdict] for verdict in judged(judge_page, cases)]
    python = [judge(text, expected, exact=RULE["exact"]).outcome for text, expected in cases]
    assert page == python
    assert python[:-1] == ["right"] * len(ANSWER_FUNCTIONS) and python[-1] == "not a number"

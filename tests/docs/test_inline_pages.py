"""The pages shown inside a notebook or a tutorial on the docs site work there, as a learner uses them.

``step_through(y)`` shows the step-through (and with ``practice=True`` the practice page) in an
iframe whose page is its ``srcdoc``, sandboxed: here the page is put in a document exactly as a
notebook output or the docs site puts it, and a learner clicks and types in it in Chromium.
"""

from __future__ import annotations

import time
from pathlib import Path

from autograd import Value
from autograd.explain import step_through
from tests.autograd.pages.browser import browser, open_page  # noqa: F401 - the fixture


def neuron() -> Value:
    u, v, c = Value(0.5, label="u"), Value(-2.0, label="v"), Value(1.5, label="c")
    m = u * v + c
    m.label = "m"
    q = m.tanh()
    q.label = "q"
    return q


def shown_inline(browser, tmp_path: Path, output_html: str):  # noqa: F811 - the fixture
    """Open a page holding ``output_html`` as a notebook cell's output, and switch into its iframe."""
    from selenium.webdriver.common.by import By

    page = tmp_path / "notebook.html"
    page.write_text(f"<!doctype html><html><body><h1>a notebook</h1>{output_html}</body></html>", encoding="utf-8")
    open_page(browser, page)
    frame = browser.find_element(By.TAG_NAME, "iframe")
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    return By


def click(browser, by, label: str) -> None:  # noqa: F811 - the fixture
    [button] = [b for b in browser.find_elements(by.TAG_NAME, "button") if b.text.startswith(label)]
    button.click()
    time.sleep(0.3)


def test_the_step_through_steps_inline(browser, tmp_path: Path):  # noqa: F811 - the fixture
    by = shown_inline(browser, tmp_path, step_through(neuron())._repr_html_())
    try:
        click(browser, by, "Next")
        click(browser, by, "Next")
        assert "Step 2 of 5" in browser.find_element(by.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()


def test_the_practice_page_takes_an_answer_inline(browser, tmp_path: Path):  # noqa: F811 - the fixture
    """The learner types the first grad, 1 - tanh(0.5)^2 to three digits, and presses Check: one right."""
    by = shown_inline(browser, tmp_path, step_through(neuron(), practice=True)._repr_html_())
    try:
        assert "Score: 0/5" in browser.find_element(by.TAG_NAME, "body").text
        box = browser.find_element(by.CSS_SELECTOR, "#answer-form input")
        box.send_keys("0.786")
        click(browser, by, "Check")
        text = browser.find_element(by.TAG_NAME, "body").text
        assert "Score: 1/5" in text, text[:800]
        assert "Step 2 of 5, edge m -> n1" in text
    finally:
        browser.switch_to.default_content()

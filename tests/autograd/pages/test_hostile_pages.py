"""Every page, in Chromium, with hostile text in every place a user controls: nothing runs, the console is clean,
and the text shows as written.

The pages: the step-through, the practice page, the training replay page, and the pages the command line writes
(``glassgrad html ... -o``, with and without ``--practice``). The places: value labels, names given with ``names=``,
parameter names, the title; the model's class name, metric names, layer names. A script that ran would set
``window.pwned`` or open an alert; a page that broke would log an error.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import nn
from autograd import Value
from autograd.explain import save_html
from tests.autograd.pages.browser import HOSTILE, alert_text, assert_ran_nothing, console_errors, needs_dot, open_page


def hostile_graph(text: str) -> tuple[Value, dict[Value, str], list[tuple[str, Value]], dict[str, str]]:
    """A small graph whose every name holds ``text``: (root, names=, parameters=, what each should show)."""
    a = Value(2.0, label=text)
    w = Value(-3.0, label="w")
    c = Value(0.5)
    y = (a * w).tanh() + c
    y.label = f"out {text}"
    return y, {c: f"c {text}"}, [(f"weight {text}", w)], {"a": text, "w": f"weight {text}", "c": f"c {text}"}


def page_texts(browser) -> dict[str, object]:
    return browser.execute_script(
        "function all(q) { return Array.from(document.querySelectorAll(q)).map(e => e.textContent); }"
        "return {title: document.title, heading: document.querySelector('h1').textContent, names: all('td.name'),"
        "  svg: all('#graph text'), formula: document.getElementById('formula').textContent,"
        "  update: document.getElementById('update').textContent,"
        "  question: (document.getElementById('question') || {}).textContent};"
    )


def step_to_the_end(browser) -> None:
    from selenium.webdriver.common.by import By

    button = browser.find_element(By.ID, "next")
    while button.is_enabled():
        button.click()


@needs_dot
@pytest.mark.parametrize("text", HOSTILE)
def test_the_step_through_shows_hostile_labels_names_and_title_as_text(browser, tmp_path, text):
    root, names, parameters, shown = hostile_graph(text)
    title = f"title {text}"
    path = save_html(root, tmp_path / "page.html", names=names, parameters=parameters, title=title)
    open_page(browser, path)
    texts = page_texts(browser)
    assert texts["title"] == title and texts["heading"] == title
    assert {shown["a"], shown["w"], shown["c"], f"out {text}"} <= set(texts["names"])
    assert {shown["a"], shown["w"], shown["c"], f"out {text}"} <= set(texts["svg"])  # the picture's labels too
    step_to_the_end(browser)
    texts = page_texts(browser)
    assert texts["formula"].startswith(f"d out {text} / d ") or texts["formula"].startswith("d ")
    assert shown["c"] in " ".join([texts["update"], *texts["names"]])
    assert_ran_nothing(browser)


@needs_dot
@pytest.mark.parametrize("text", HOSTILE)
def test_the_practice_page_asks_about_hostile_names_as_text(browser, tmp_path, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    root, names, parameters, shown = hostile_graph(text)
    path = save_html(root, tmp_path / "practice.html", names=names, parameters=parameters, practice=True, title=text)
    open_page(browser, path)
    question = browser.find_element(By.ID, "question")
    assert question.get_attribute("textContent").startswith(f"Step 1 of 5, edge out {text} -> ")
    answer = browser.find_element(By.ID, "answer")
    for typed in (text, "1e999", "__proto__(1)", "constructor(1)"):  # hostile answers are not numbers: asked again
        answer.clear()
        answer.send_keys(typed, Keys.ENTER)
        assert browser.find_element(By.ID, "feedback").get_attribute("data-state") == "invalid", typed
    answer.send_keys(Keys.ESCAPE)  # show the answer: the feedback names the parent as text
    feedback = browser.find_element(By.ID, "feedback").get_attribute("textContent")
    assert re.search(r"\.grad = ", feedback) and any(name in feedback for name in (*shown.values(), f"out {text}"))
    assert browser.execute_script("return document.title") == text
    assert_ran_nothing(browser)


class HostileMetric(nn.Callback):
    """Records one more number per epoch, under a hostile name, as numpy gives it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def on_epoch_end(self, epoch, record, training):
        np = pytest.importorskip("numpy")
        record[self.name] = np.float64(0.5 + epoch)
        record[self.name + " count"] = np.int64(epoch)


def train_a_replay(model, name: str, epochs: int = 3):
    points = nn.moons(16, 0.1, rng=1, signed_labels=True)
    return nn.fit(
        model,
        nn.hinge_loss,
        points,
        optimizer=nn.SGD(model.parameters(), lr=0.3),
        epochs=epochs,
        batch_size=16,
        shuffle=False,
        progress=False,
        callbacks=[nn.WeightSnapshots(every=1), HostileMetric(name)],
    )


def replay_texts(browser) -> dict[str, object]:
    return browser.execute_script(
        "function all(q) { return Array.from(document.querySelectorAll(q)).map(e => e.textContent); }"
        "return {title: document.title, heading: document.querySelector('h1').textContent,"
        "  numbers: all('#numbers .name'), legends: all('.chart .legend li'), charts: all('.chart h2'),"
        "  network: all('#network-legend li')};"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_the_replay_page_shows_a_hostile_class_metric_and_layer_name_as_text(browser, tmp_path, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    class Blocks(nn.Module):  # a model of the user's own, its layers named by a dict key
        def __init__(self):
            self.blocks = {text: nn.Layer(2, 3, rng=0), "out": nn.Layer(3, 1, activation="linear", rng=1)}

        def __call__(self, x):
            return self.blocks["out"](self.blocks[text](x))[0]

    model_class = type(text, (Blocks,), {})  # the class's name is the hostile text
    history = train_a_replay(model_class(), text)
    path = history.save_html(tmp_path / "replay.html", grid=6)
    open_page(browser, path)
    browser.find_element(By.ID, "slider").send_keys(Keys.END)
    texts = replay_texts(browser)
    assert texts["title"] == texts["heading"] == f"training replay: {text}"
    assert {text, f"{text} count"} <= set(texts["numbers"])
    assert {text, f"{text} count"} <= set(texts["charts"]) and text in texts["legends"]
    assert any(f"blocks.{text} (3 neurons, relu)" in item for item in texts["network"])
    assert_ran_nothing(browser)


def test_a_model_class_named_data_and_a_metric_named_a_comment_both_work(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    model = type("__DATA__", (nn.MLP,), {})(2, [4, 1], rng=0)
    history = train_a_replay(model, "<!--<script>", epochs=4)
    path = history.save_html(tmp_path / "replay.html", grid=8)
    open_page(browser, path)
    browser.find_element(By.ID, "slider").send_keys(Keys.END)
    texts = replay_texts(browser)
    assert texts["title"] == "training replay: __DATA__"
    assert "<!--<script>" in texts["numbers"] and "<!--<script>" in texts["charts"]
    # the page is whole: every part drew (a comment opened by the name would blank the rest of the page)
    assert browser.execute_script("return document.querySelectorAll('#network line.edge').length") == 2 * 4 + 4
    assert browser.find_element(By.ID, "epoch").get_attribute("data-epoch") == "4"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#findings li")) >= 1
    assert_ran_nothing(browser)


# ---------------------------------------------------------------------------
# The pages the command line writes
# ---------------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("practice", [False, True], ids=["html", "html --practice"])
def test_the_command_lines_pages_show_its_names_as_text_and_run_nothing(browser, tmp_path, practice):
    from autograd.cli import main

    # names that a page filled by text replacement would mistake for its own placeholders
    expression = "tanh(title*DATA + svg) * script"
    path = tmp_path / 'page "1" <b>&amp; \u2028.html'
    out, err = io.StringIO(), io.StringIO()
    arguments = ["html", expression, "title=-3", "DATA=2", "svg=6.5", "script=2", "-o", str(path)]
    status = main([*arguments, *(["--practice"] if practice else [])], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    open_page(browser, Path(out.getvalue().split("wrote ", 1)[1].strip()))
    texts = page_texts(browser)
    assert {"title", "DATA", "svg", "script", "out"} <= set(texts["names"])
    assert {"title", "DATA", "svg", "script"} <= set(texts["svg"])
    data = json.loads(browser.execute_script("return document.getElementById('glassgrad-data').textContent"))
    assert data["page"] == ("practice" if practice else "step_through")
    if practice:
        assert texts["question"].startswith("Step 1 of ")
    else:
        step_to_the_end(browser)
    assert_ran_nothing(browser)


# ---------------------------------------------------------------------------
# The kit's picture import: SVG parsed as SVG, drawing elements only
# ---------------------------------------------------------------------------
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="window.pwned=1">'
    "<script>window.pwned=1</script>"
    '<g id="kept"><text x="1" y="9" onclick="window.pwned=1">&lt;/script&gt; &amp; text</text>'
    '<rect width="5" height="5" style="fill:red"/></g>'
    '<image href="x" onerror="window.pwned=1"/><image xlink:href="data:," onload="window.pwned=1"/>'
    '<foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="x" onerror="window.pwned=1"/></foreignObject>'
    '<a href="javascript:window.pwned=1"><text>link</text></a>'
    '<use href="#kept"/><animate attributeName="x" to="1" onbegin="window.pwned=1"/>'
    "</svg>"
)


@needs_dot
def test_the_kit_imports_a_picture_as_svg_and_keeps_drawing_elements_only(browser, tmp_path):
    a = Value(1.0, label="a")
    open_page(browser, save_html(a * 2.0, tmp_path / "page.html"))
    kept = browser.execute_script(
        "const box = document.createElement('div'); document.body.appendChild(box);"
        "const svg = window.glassgrad.importSvg(arguments[0], box);"
        "return {names: Array.from(svg.querySelectorAll('*')).map(e => e.localName),"
        "  attributes: Array.from(svg.querySelectorAll('*')).concat([svg]).flatMap("
        "    e => Array.from(e.attributes).map(a => a.name)),"
        "  text: svg.querySelector('text').textContent};",
        HOSTILE_SVG,
    )
    assert kept["names"] == ["g", "text", "rect"]
    assert not [name for name in kept["attributes"] if name.startswith("on") or name in ("style", "href")]
    assert kept["text"] == "</script> & text"
    refused = browser.execute_script(
        "try { window.glassgrad.importSvg('<svg><p>not svg</svg>', document.body); return 'imported'; }"
        "catch (error) { return error.message; }"
    )
    assert "not a well-formed SVG" in refused
    import time

    time.sleep(0.3)  # an image's error or load event would have fired by now
    assert alert_text(browser) is None and browser.execute_script("return typeof window.pwned") == "undefined"
    # while the string is parsed (before its handlers are dropped), the page's policy refuses each one: said in the
    # console, and nothing else is (Graphviz's pictures hold no handler, so a page never logs this)
    errors = console_errors(browser)
    assert errors and all("violates the following Content Security Policy" in e for e in errors), errors

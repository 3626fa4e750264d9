"""Rich displays in a notebook: explain() shown once as tables, a Value in one line, the step-through inline."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from autograd import Value
from autograd.explain import Explanation, StepThrough, backward_steps, explain, step_through
from autograd.viz import draw

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz program dot")


def small_graph() -> Value:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b).tanh() + a
    y.label = "y"
    return y


def test_explain_returns_the_steps_as_a_list_with_a_short_repr_and_a_table():
    y = small_graph()
    out = io.StringIO()
    steps = explain(y, file=out)
    assert isinstance(steps, list) and isinstance(steps, Explanation)
    fresh = backward_steps(y)
    assert [(s.node_name, s.parent_name, s.parent_grad_after) for s in steps] == [
        (s.node_name, s.parent_name, s.parent_grad_after) for s in fresh
    ]
    assert len(repr(steps)) < 120 and f"{len(fresh)} chain-rule steps" in repr(steps)
    assert str(steps) == out.getvalue()  # printed once, and the same text is str()
    table = steps._repr_html_()
    assert table.count("<table ") == 3  # forward, backward, grads
    for step in fresh:
        assert html.escape(step.formula) in table
    assert "<script" not in table


def test_explain_escapes_labels_in_its_table():
    a = Value(1.0, label="<b>x</b>")
    table = explain(a * 2.0, file=io.StringIO())._repr_html_()
    assert "<b>x</b>" not in table and "&lt;b&gt;x&lt;/b&gt;" in table


def test_a_value_shows_its_label_data_and_grad_in_one_line():
    a = Value(0.5, label="w")
    y = a * 3.0
    y.backward()
    assert a._repr_html_() == "<code><b>w</b> &nbsp;data 0.5 &nbsp;grad 3.0</code>"
    assert "data 1.5" in y._repr_html_() and "(mul)" in y._repr_html_()


@needs_dot
def test_step_through_is_the_page_in_an_iframe_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    y = small_graph()
    shown = step_through(y)
    assert isinstance(shown, StepThrough) and "backward steps" in repr(shown)
    frame = shown._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" [^>]*></iframe>', frame)
    assert match, frame[:200]
    assert html.unescape(match[1]) == shown.html
    assert shown.html.startswith("<!DOCTYPE html>") and 'id="glassgrad-data"' in shown.html
    assert list(tmp_path.iterdir()) == []  # no server, no file left behind
    assert all(node.grad == 0.0 for node in (y, *y.parents))
    with pytest.raises(ValueError, match=r"step_through\(\) height"):
        step_through(y, height=5)


@needs_dot
def test_draw_shows_inline_in_a_box_that_scrolls_so_a_wide_graph_is_not_clipped():
    xs = [Value(float(k), label=f"x{k}") for k in range(30)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x  # a long chain: a very wide picture
    bundle = draw(total)._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml") or "<svg" in bundle["image/svg+xml"]
    box = bundle["text/html"]
    assert re.match(r'<div class="glassgrad-graph" style="max-width:100%;overflow:auto"><svg width="(\d+)pt"', box)
    assert int(re.search(r'<svg width="(\d+)pt"', box)[1]) > 1500  # wider than a notebook: it scrolls


NOTEBOOK_CELLS = [
    "from autograd import Value\nfrom autograd.explain import explain\n"
    "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\ny = a * b",
    "explain(y)",
    "steps = explain(y)",
    "steps",
    "a",
    "import nn\nhistory = nn.History([{'epoch': e, 'loss': 1.0 / e, 'accuracy': 0.5 + e / 40} for e in range(1, 11)])",
    "history",
]


def test_in_a_real_kernel_explain_shows_its_trace_once_as_tables():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS])
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in notebook.cells]
    for k in (1, 2, 3):  # last line, assigned, then shown again in a later cell: once each, as tables
        assert len(outputs[k]) == 1, (NOTEBOOK_CELLS[k], outputs[k])
        assert outputs[k][0].output_type in ("display_data", "execute_result")
        assert outputs[k][0].data["text/html"].count("<table ") == 3
        assert "Forward pass" in outputs[k][0].data["text/plain"]
    assert outputs[4][0].data["text/html"] == "<code><b>a</b> &nbsp;data 2.0 &nbsp;grad 0.0</code>"
    (history,) = outputs[6]  # a History: one short line, and in the notebook a table and its curves
    assert history.data["text/plain"] == "<History: 10 epochs, loss 1 -> 0.1, accuracy 52.5% -> 75.0%>"
    assert history.data["text/html"].count("<svg") == 2 and "<table" in history.data["text/html"]


# ---------------------------------------------------------------------------
# In a browser: the tables at the text's size, formulas on one line, wide things scroll
# ---------------------------------------------------------------------------
#: What notebook and docs themes do to an output: smaller tables (JupyterLab's 75%), smaller code (Furo's 81.25%), a
#: narrow column; the text's size is the browser's default (a keyword size, which a bare "monospace" shrinks).
HOST_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { font-family: sans-serif; margin: 0; }
.output { width: 480px; margin: 8px; }
table { font-size: 75%; }
code { font-size: 81.25%; background: #eee; }
td, th { padding: 2px; }
</style></head><body><div class="output">{output}</div></body></html>"""


def host(tmp_path, output: str) -> Path:
    path = tmp_path / "notebook.html"
    path.write_text(HOST_PAGE.replace("{output}", output), encoding="utf-8")  # the test's own stand-in notebook
    return path


def test_the_explain_tables_read_at_the_notebooks_font_size_with_formulas_on_one_line(browser, tmp_path):
    from tests.autograd.pages.browser import open_page

    xs = [Value(float(k), label=f"x{k}") for k in range(1, 4)]
    ws = [Value(0.1 * k, label=f"w{k}") for k in range(1, 4)]
    y = sum((w * x for w, x in zip(ws, xs)), Value(0.5, label="b")).tanh()
    table = explain(y, file=io.StringIO())._repr_html_()
    open_page(browser, host(tmp_path, table))
    found = browser.execute_script(
        "const body = parseFloat(getComputedStyle(document.body).fontSize);"
        "const sizes = Array.from(document.querySelectorAll('td, td code')).map(e => parseFloat("
        "  getComputedStyle(e).fontSize));"
        "const formulas = Array.from(document.querySelectorAll('td code')).filter(c => c.textContent.includes('d('))"
        "  .map(c => c.getClientRects().length);"
        "const boxes = Array.from(document.querySelectorAll('.glassgrad-explain table')).map(function (t) {"
        "  const box = t.parentElement; return [box.scrollWidth > box.clientWidth, getComputedStyle(box).overflowX,"
        "  box.getBoundingClientRect().right <= document.querySelector('.output').getBoundingClientRect().right"
        "  + 0.5]; });"
        "return {body: body, sizes: sizes, formulas: formulas, boxes: boxes};"
    )
    assert found["sizes"] and set(found["sizes"]) == {found["body"]}  # numbers and code at the text's size
    assert found["formulas"] and set(found["formulas"]) == {1}  # each formula on one line
    assert any(wide for wide, _, _ in found["boxes"])  # the step table is wider than the column ...
    assert all(overflow == "auto" and inside for _, overflow, inside in found["boxes"])  # ... and scrolls in it


@needs_dot
def test_a_wide_graph_in_the_step_through_scrolls_in_its_box_or_shrinks_to_fit_and_is_never_cut(browser, tmp_path):
    from selenium.webdriver.common.by import By

    from tests.autograd.pages.browser import assert_ran_nothing, open_page

    xs = [Value(float(k), label=f"x{k}") for k in range(12)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x  # a long chain: a picture far wider than a notebook
    open_page(browser, host(tmp_path, step_through(total, height=500)._repr_html_()))
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:

        def graph() -> dict:
            return browser.execute_script(
                "const box = document.getElementById('graph'), svg = box.querySelector('svg');"
                "box.scrollLeft = box.scrollWidth; box.scrollTop = box.scrollHeight;"
                "const b = box.getBoundingClientRect(), s = svg.getBoundingClientRect();"
                "return {overflow: getComputedStyle(box).overflow, svgWidth: s.width, boxWidth: box.clientWidth,"
                "  scrollWidth: box.scrollWidth, svgRight: s.right,"
                "  boxRight: b.left + box.clientLeft + box.clientWidth,"
                "  svgBottom: s.bottom, boxBottom: b.top + box.clientTop + box.clientHeight};"
            )

        actual = graph()  # a narrow frame starts at actual size: the graph scrolls, its far end in reach
        assert actual["overflow"] == "auto" and actual["svgWidth"] > actual["boxWidth"] + 100
        assert abs(actual["svgRight"] - actual["boxRight"]) <= 1 and actual["svgBottom"] <= actual["boxBottom"] + 1
        browser.find_element(By.ID, "zoom").click()
        whole = graph()  # the whole graph, scaled to the box
        assert whole["svgWidth"] <= whole["boxWidth"] + 0.5 and whole["scrollWidth"] <= whole["boxWidth"] + 0.5
        assert_ran_nothing(browser)
    finally:
        browser.switch_to.default_content()


def test_step_through_takes_practice_mode_and_hides_the_grads():
    """``step_through(y, practice=True)``: the practice page inline, its answers to type, no grad changed."""
    import html as html_module

    from autograd import Value
    from autograd.explain import step_through

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    page = step_through(a * b, practice=True).html
    plain = step_through(a * b).html
    assert 'id="practice"' in page and 'id="answer"' in page and 'id="practice"' not in plain
    data = json.loads(re.search(r'id="glassgrad-data">(.*?)</script>', page, re.S)[1])
    assert data["page"] == "practice" and len(data["data"]["practice"]["hints"]) == 2  # one question per step
    assert a.grad == 0.0 and b.grad == 0.0
    assert "srcdoc" in step_through(a * b, practice=True)._repr_html_()
    assert html_module.escape('id="answer"') in step_through(a * b, practice=True)._repr_html_()


@needs_dot
def test_the_page_functions_name_an_option_they_do_not_take(tmp_path):
    from autograd.explain import save_html

    y = small_graph()
    with pytest.raises(TypeError, match=r"save_html\(\) got an unknown option colour='red'; its options are gradient"):
        save_html(y, tmp_path / "page.html", colour="red")
    with pytest.raises(TypeError, match=r"step_through\(\) got an unknown option pratice=True"):
        step_through(y, pratice=True)
    with pytest.raises(ValueError, match=r"rtol and atol judge practice answers: pass them with practice=True"):
        save_html(y, tmp_path / "page.html", rtol=0.01)
    with pytest.raises(ValueError, match=r"save_html\(\) atol must be a finite number >= 0 or None, got -1"):
        save_html(y, tmp_path / "page.html", practice=True, atol=-1)
    assert list(tmp_path.iterdir()) == []

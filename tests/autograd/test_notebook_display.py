"""Rich displays in a notebook: explain() shown once as tables, a Value in one line, the step-through inline."""

from __future__ import annotations

import html
import io
import json
import re
import shutil

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

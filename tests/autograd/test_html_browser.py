"""The HTML step-through in a real headless Chromium: step through, compare grads, screenshot.

The browser fixture (tests/autograd/pages/browser.py) is skipped only when Chromium, chromedriver or selenium is
missing *and* GLASSGRAD_REQUIRE_BROWSER is unset; CI sets GLASSGRAD_REQUIRE_BROWSER=1, so there a missing browser
is a failure, not a skip. The tests that draw need the Graphviz program dot.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from autograd import Value, dot
from autograd.explain import save_html
from autograd.viz import format_number, nodes_in_order
from tests.autograd.pages.browser import needs_dot

pytestmark = needs_dot


def the_textbook_neuron() -> tuple[Value, list[Value], list[Value]]:
    xs = [Value(v, label=f"x{i}") for i, v in enumerate([1.0, 2.0, 3.0, 2.5], start=1)]
    ws = [Value(v, label=f"w{i}") for i, v in enumerate([0.2, 0.8, -0.5, 1.0], start=1)]
    b = Value(2.0, label="b")
    pre_activation = dot(ws, xs, b)
    pre_activation.label = "n"
    out = pre_activation.tanh() * ws[0]  # w1 is used twice: its grad fills in over two steps
    out.label = "o"
    return out, [*ws, b], xs


# ---------------------------------------------------------------------------
# A small PNG reader (standard library only), to look at the screenshot
# ---------------------------------------------------------------------------
def decode_png(png: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows of raw pixel bytes) of an 8-bit RGB/RGBA PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position = 8
    idat = b""
    width = height = bytes_per_pixel = 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
            bytes_per_pixel = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bytes_per_pixel
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filter_type = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if filter_type == 1:  # Sub
            for i in range(bytes_per_pixel, stride):
                row[i] = (row[i] + row[i - bytes_per_pixel]) & 0xFF
        elif filter_type == 2:  # Up
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous))
        elif filter_type == 3:  # Average
            for i in range(stride):
                left = row[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
                row[i] = (row[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif filter_type == 4:  # Paeth
            for i in range(stride):
                a = row[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
                b = previous[i]
                c = previous[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + predictor) & 0xFF
        else:
            assert filter_type == 0, filter_type
        rows.append(bytes(row))
        previous = row
    return width, height, bytes_per_pixel, rows


def test_decode_png_reads_a_png_it_is_given():
    # a 2x2 RGB image written by hand with filter types 1 (Sub) and 2 (Up)
    pixels = [bytes([255, 0, 0, 0, 255, 0]), bytes([0, 0, 255, 255, 255, 255])]
    raw = (
        b"\x01"
        + bytes([255, 0, 0, (0 - 255) & 0xFF, 255, 0])
        + b"\x02"
        + bytes((c - p) & 0xFF for c, p in zip(pixels[1], pixels[0]))
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    assert decode_png(png) == (2, 2, 3, pixels)


# ---------------------------------------------------------------------------
# The page in Chromium
# ---------------------------------------------------------------------------
def test_stepping_through_the_page_fills_in_the_engines_grads(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    root, parameters, inputs = the_textbook_neuron()
    path = save_html(root, tmp_path / "backprop.html", parameters=parameters, inputs=inputs)
    nodes = nodes_in_order(root)
    root.backward()  # the page changed no grad: this pass is the one it shows
    engine_grads = {f"n{i}": node.grad for i, node in enumerate(nodes)}
    step_count = sum(len(node.parents) for node in nodes)
    browser.get(Path(path).as_uri())

    def counter() -> int:
        return int(browser.find_element(By.ID, "counter").get_attribute("data-step"))

    def shown_grads() -> dict[str, tuple[str, str]]:
        cells = browser.find_elements(By.CSS_SELECTOR, "td.grad")
        return {
            cell.get_attribute("id")[len("grad-") :]: (cell.text, cell.get_attribute("data-grad")) for cell in cells
        }

    def svg_grads() -> dict[str, str]:
        return browser.execute_script(
            "const out = {};"
            "document.querySelectorAll('#graph g.node').forEach(function (g) {"
            "  if (/^n[0-9]+$/.test(g.id)) {"
            "    const t = g.querySelectorAll('text'); out[g.id] = t[t.length - 1].textContent;"
            "  }"
            "});"
            "return out;"
        )

    assert counter() == 0
    at_start = shown_grads()
    root_id = f"n{len(nodes) - 1}"
    assert at_start[root_id] == ("1.0", "1.0")
    assert all(text == "?" for node_id, (text, _) in at_start.items() if node_id != root_id)

    next_button = browser.find_element(By.ID, "next")
    for k in range(1, step_count + 1):
        next_button.click()
        assert counter() == k
        formula = browser.find_element(By.ID, "formula").text
        assert formula.startswith("d "), formula
    assert not next_button.is_enabled()

    final = shown_grads()
    assert set(final) == set(engine_grads)
    for node_id, grad in engine_grads.items():
        assert final[node_id] == (format_number(grad), repr(grad)), node_id
    assert svg_grads() == {node_id: f"grad {format_number(grad)}" for node_id, grad in engine_grads.items()}

    # keyboard: left goes back one step, right forward again
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_LEFT)
    assert counter() == step_count - 1
    body.send_keys(Keys.ARROW_RIGHT)
    assert counter() == step_count
    browser.find_element(By.ID, "prev").click()
    assert counter() == step_count - 1
    body.send_keys(Keys.END)
    assert shown_grads() == final

    screenshot = browser.get_screenshot_as_png()
    (tmp_path / "screenshot.png").write_bytes(screenshot)
    width, height, bytes_per_pixel, rows = decode_png(screenshot)
    assert width >= 600 and height >= 400
    pixels = [row[i : i + 3] for row in rows[::2] for i in range(0, len(row), bytes_per_pixel * 2)]
    colours = {}
    for pixel in pixels:
        colours[pixel] = colours.get(pixel, 0) + 1
    background = max(colours.values())
    assert len(colours) >= 20, f"only {len(colours)} colours: the page looks blank"
    assert background / len(pixels) < 0.97, "almost every pixel has one colour: the page looks blank"
    assert any(sum(p) < 100 for p in colours), "no dark pixels: no text or lines were drawn"


def test_play_runs_to_the_end(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    path = save_html(a * b, tmp_path / "play.html")
    browser.get(Path(path).as_uri())
    browser.find_element(By.ID, "play").click()
    counter = browser.find_element(By.ID, "counter")
    WebDriverWait(browser, 10).until(lambda _: counter.get_attribute("data-step") == "2")
    (a * b).backward()
    assert browser.find_element(By.ID, "grad-n0").get_attribute("data-grad") == repr(a.grad)


# ---------------------------------------------------------------------------
# Practice mode: the learner types each grad
# ---------------------------------------------------------------------------
def test_practice_mode_checks_each_answer_shows_the_hint_and_keeps_the_score(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    root, parameters, inputs = the_textbook_neuron()
    path = save_html(root, tmp_path / "practice.html", parameters=parameters, inputs=inputs, practice=True)
    nodes = nodes_in_order(root)
    root.backward()  # the engine's grads, to type in (the page changed none)
    engine = {f"n{i}": node.grad for i, node in enumerate(nodes)}
    browser.get(Path(path).as_uri())
    page = browser.page_source
    assert all(f"grad {format_number(g)}" not in page for n, g in engine.items() if g != 1.0)  # grads hidden

    def counter() -> int:
        return int(browser.find_element(By.ID, "counter").get_attribute("data-step"))

    def question_step() -> int:
        return int(browser.find_element(By.ID, "question").get_attribute("data-step"))

    def feedback() -> tuple[str, str]:
        element = browser.find_element(By.ID, "feedback")
        return element.get_attribute("data-state"), element.text

    answer = browser.find_element(By.ID, "answer")
    assert browser.switch_to.active_element == answer  # keyboard first: the answer box has the focus
    assert counter() == 0 and question_step() == 1
    assert not browser.find_element(By.ID, "next").is_enabled()  # no peeking ahead
    answer.send_keys(Keys.ARROW_RIGHT)  # arrows move the caret in the box, not the steps
    assert counter() == 0

    # the steps the engine took, in its order: (parent id, grad after), read from a fresh recording
    from autograd.explain import backward_steps

    index = {node: i for i, node in enumerate(nodes)}
    steps = [(f"n{index[s.parent]}", s.parent_grad_after) for s in backward_steps(root)]
    total = len(steps)

    def typed(grad: float) -> str:
        return f"{grad:#.4g}"  # as a learner types it: 4 significant digits, as the page shows them

    # step 1: right first time (Enter submits): the step is revealed and the next question asked
    answer.send_keys(typed(steps[0][1]), Keys.ENTER)
    assert feedback()[0] == "right" and counter() == 1 and question_step() == 2
    assert browser.find_element(By.ID, f"grad-{steps[0][0]}").get_attribute("data-grad") == repr(steps[0][1])

    # step 2: not a number, an empty line or too few digits cost nothing; a wrong answer shows the hint; then right
    answer.send_keys("abc", Keys.ENTER)
    assert feedback()[0] == "invalid" and counter() == 1
    answer.clear()
    answer.send_keys(Keys.ENTER)
    assert feedback()[0] == "empty" and counter() == 1
    answer.send_keys(f"{steps[1][1]:.1g}", Keys.ENTER)
    assert feedback()[0] == "digits" and counter() == 1 and question_step() == 2
    answer.clear()
    answer.send_keys(typed(steps[1][1] + 1.0), Keys.ENTER)
    state, text = feedback()
    assert state == "wrong" and "Hint:" in text and counter() == 1 and question_step() == 2
    answer.clear()
    answer.send_keys(f"2 * {steps[1][1] / 2:#.5g}", Keys.ENTER)  # arithmetic on rounded numbers
    assert feedback()[0] == "right" and counter() == 2

    # step 3: wrong twice: the value is shown and the page moves on
    answer.send_keys("12345", Keys.ENTER)
    answer.clear()
    answer.send_keys("54321", Keys.ENTER)
    assert feedback()[0] == "shown" and counter() == 3
    # step 4: Escape shows the answer
    answer.send_keys(Keys.ESCAPE)
    assert feedback()[0] == "shown" and counter() == 4
    # the rest: right first time
    for k in range(4, total):
        answer.clear()
        answer.send_keys(typed(steps[k][1]), Keys.ENTER)
        assert feedback()[0] == "right", (k, feedback())
    assert counter() == total

    score = browser.find_element(By.ID, "score")
    assert score.get_attribute("data-done") == "true"
    first_try = 1 + (total - 4)
    assert (score.get_attribute("data-first-try"), score.get_attribute("data-after-hint")) == (str(first_try), "1")
    assert score.get_attribute("data-shown") == "2"
    assert f"{first_try}/{total} right first time" in score.text
    final = {
        cell.get_attribute("id")[len("grad-") :]: cell.get_attribute("data-grad")
        for cell in browser.find_elements(By.CSS_SELECTOR, "td.grad")
    }
    assert final == {node_id: repr(grad) for node_id, grad in engine.items()}
    assert not answer.is_enabled()


# ---------------------------------------------------------------------------
# What the page teaches: legend, flow direction, slider, speed, forward pass, layout, names
# ---------------------------------------------------------------------------
def _tour_page(tmp_path):
    import sys

    demos = str(Path(__file__).resolve().parents[2] / "demos")
    if demos not in sys.path:
        sys.path.insert(0, demos)
    import tour

    loss, inputs, weights, bias = tour.build_neuron()
    return loss, save_html(loss, tmp_path / "tour.html", parameters=[*weights, bias], inputs=inputs)


def _viewport(browser, width: int, height: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def test_the_legend_names_every_colour_on_the_page(browser, tmp_path):
    from selenium.webdriver.common.by import By

    root, parameters, inputs = the_textbook_neuron()
    browser.get(Path(save_html(root, tmp_path / "p.html", parameters=parameters, inputs=inputs)).as_uri())
    items = {li.get_attribute("data-legend"): li.text for li in browser.find_elements(By.CSS_SELECTOR, "#legend li")}
    assert {"parameter", "input", "interior", "upstream", "receiving", "flow", "partial", "final"} <= set(items)
    # the swatches are the colours the picture and the table use
    swatch = browser.execute_script(
        "return getComputedStyle(document.querySelector('#legend [data-legend=parameter] .swatch')).backgroundColor"
    )
    assert swatch == "rgb(207, 226, 255)"  # KIND_COLOURS["parameter"] = #cfe2ff
    body = browser.find_element(By.TAG_NAME, "body")
    from selenium.webdriver.common.keys import Keys

    body.send_keys(Keys.ARROW_RIGHT)
    partial_colour = browser.execute_script(
        "return getComputedStyle(document.querySelector('#legend .grad-sample.partial')).color"
    )
    body.send_keys(Keys.END)
    final_cells = browser.find_elements(By.CSS_SELECTOR, "td.grad.final")
    final_colour = browser.execute_script("return getComputedStyle(arguments[0]).color", final_cells[0])
    assert final_colour == browser.execute_script(
        "return getComputedStyle(document.querySelector('#legend .grad-sample.final')).color"
    )
    assert partial_colour != final_colour


def test_a_step_outlines_the_upstream_node_and_its_arrow_points_the_way_the_gradient_flows(browser, tmp_path):
    from selenium.webdriver.common.by import By

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = a * b
    y.label = "y"
    browser.get(Path(save_html(y, tmp_path / "flow.html")).as_uri())
    browser.find_element(By.ID, "next").click()  # step 1: y -> a
    marks = browser.execute_script(
        "const out = {};"
        "document.querySelectorAll('#graph [data-mark]').forEach(function (g) { out[g.id] = g.dataset.mark; });"
        "return out;"
    )
    assert marks == {"n2": "upstream", "n0": "receiving"}  # y (upstream) and a (the parent)
    # the overlay on the edge a -> (*) has its arrowhead at its start, at a's end: it points back, to a
    geometry = browser.execute_script(
        "const flow = document.querySelector('#e2_0 path.flow');"
        "const start = flow.getPointAtLength(0), end = flow.getPointAtLength(flow.getTotalLength());"
        "function centre(id) { const b = document.getElementById(id).getBBox();"
        "  return [b.x + b.width / 2, b.y + b.height / 2]; }"
        "return {marker: flow.getAttribute('marker-start'), start: [start.x, start.y], end: [end.x, end.y],"
        "  parent: centre('n0'), op: centre('n2_op'), outFlow: !!document.querySelector('#e2_out path.flow')};"
    )
    assert geometry["marker"] == "url(#glassgrad-back)" and geometry["outFlow"]

    def distance(p, q):
        return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5

    # the path runs from a to the op; its start (where the arrowhead is) is a's end of the edge
    assert distance(geometry["start"], geometry["parent"]) < distance(geometry["end"], geometry["parent"])
    assert distance(geometry["end"], geometry["op"]) < distance(geometry["start"], geometry["op"])
    assert "gradient flows y -> a" in browser.find_element(By.ID, "update").text
    browser.find_element(By.ID, "prev").click()
    assert browser.execute_script("return document.querySelectorAll('#graph .glassgrad-mark').length") == 0


def test_the_slider_moves_over_the_steps_and_the_speed_sets_plays_pace(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    root, parameters, inputs = the_textbook_neuron()
    browser.get(Path(save_html(root, tmp_path / "slider.html", parameters=parameters, inputs=inputs)).as_uri())
    slider = browser.find_element(By.ID, "slider")
    total = int(slider.get_attribute("max"))
    assert total == sum(len(node.parents) for node in nodes_in_order(root))
    browser.execute_script(
        "const s = document.getElementById('slider'); s.value = '5'; s.dispatchEvent(new Event('input'));"
    )
    assert browser.find_element(By.ID, "counter").get_attribute("data-step") == "5"
    browser.find_element(By.ID, "next").click()
    assert slider.get_attribute("value") == "6"  # the slider follows the buttons

    Select(browser.find_element(By.ID, "speed")).select_by_visible_text("fast")
    browser.execute_script(
        "const s = document.getElementById('slider'); s.value = '0'; s.dispatchEvent(new Event('input'));"
    )
    started = browser.execute_script("return performance.now()")
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 20).until(
        lambda _: browser.find_element(By.ID, "counter").get_attribute("data-step") == str(total)
    )
    fast = browser.execute_script("return performance.now()") - started
    assert fast < total * 900 * 0.8  # quicker than the normal pace (900 ms a step)
    assert fast >= (total - 1) * 300 * 0.9  # but it did wait: one step every 300 ms


def test_the_forward_pass_can_be_stepped_each_value_computed_in_order(browser, tmp_path):
    from selenium.webdriver.common.by import By

    root, parameters, inputs = the_textbook_neuron()
    browser.get(Path(save_html(root, tmp_path / "forward.html", parameters=parameters, inputs=inputs)).as_uri())
    nodes = nodes_in_order(root)
    computed = [f"n{i}" for i, node in enumerate(nodes) if node.parents]
    browser.find_element(By.ID, "phase-forward").click()
    counter = browser.find_element(By.ID, "counter")
    assert counter.get_attribute("data-phase") == "forward" and counter.get_attribute("data-step") == "0"

    def data_cells() -> dict[str, str]:
        return {
            cell.get_attribute("id")[len("data-") :]: cell.text
            for cell in browser.find_elements(By.CSS_SELECTOR, "td.data")
        }

    expected = {f"n{i}": format_number(node.data) for i, node in enumerate(nodes)}
    assert data_cells() == {k: ("?" if k in computed else v) for k, v in expected.items()}
    for k, node_id in enumerate(computed, start=1):
        browser.find_element(By.ID, "next").click()
        shown = data_cells()
        assert shown[node_id] == expected[node_id]
        assert all(shown[later] == "?" for later in computed[k:])
        assert f"= {expected[node_id]}" in browser.find_element(By.ID, "formula").text
        svg_data = browser.execute_script(
            "return Array.from(document.getElementById(arguments[0]).querySelectorAll('text'))"
            ".map(function (t) { return t.textContent; }).filter(function (t) { return t.indexOf('data ') === 0; })",
            node_id,
        )
        assert svg_data == [f"data {expected[node_id]}"]
    assert not browser.find_element(By.ID, "next").is_enabled()
    browser.find_element(By.ID, "phase-backward").click()
    assert counter.get_attribute("data-phase") == "backward" and data_cells() == expected


def test_graph_and_table_fit_one_screen_at_1366x768_and_the_page_reads_at_390px(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _, path = _tour_page(tmp_path)
    page = path.read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    try:
        _viewport(browser, 1366, 768)
        browser.get(path.as_uri())
        browser.find_element(By.ID, "next").click()
        boxes = browser.execute_script(
            "function r(q) { const b = document.querySelector(q).getBoundingClientRect();"
            "  return [b.left, b.top, b.right, b.bottom]; }"
            "return {graph: r('#graph svg'), table: r('table.grads'), controls: r('#controls'),"
            "  width: document.documentElement.scrollWidth};"
        )
        for name in ("graph", "table", "controls"):
            left, top, right, bottom = boxes[name]
            assert left >= 0 and top >= 0 and right <= 1366 and bottom <= 768, (name, boxes[name])
        assert boxes["graph"][2] <= boxes["table"][0]  # side by side
        (tmp_path / "page-1366x768.png").write_bytes(browser.get_screenshot_as_png())

        _viewport(browser, 390, 844)
        browser.get(path.as_uri())
        browser.find_element(By.ID, "next").click()
        narrow = browser.execute_script(
            "const b = document.querySelectorAll('#controls button, #controls select, #slider');"
            "return {width: document.documentElement.scrollWidth,"
            "  rights: Array.from(b).map(function (e) { return e.getBoundingClientRect().right; }),"
            "  font: parseFloat(getComputedStyle(document.querySelector('table.grads td')).fontSize),"
            "  formula: parseFloat(getComputedStyle(document.getElementById('formula')).fontSize),"
            "  graph: document.getElementById('graph').getBoundingClientRect().right};"
        )
        assert narrow["width"] <= 390  # nothing sticks out sideways: the graph scrolls in its own box
        assert max(narrow["rights"]) <= 390 and narrow["graph"] <= 390
        assert narrow["font"] >= 12 and narrow["formula"] >= 12
        (tmp_path / "page-390.png").write_bytes(browser.get_screenshot_as_png())
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_an_mlps_weights_carry_their_state_dict_names_on_the_page(browser, tmp_path):
    from selenium.webdriver.common.by import By

    import nn

    model = nn.MLP(2, [2, 1], rng=0)
    out = model([1.0, -2.0])
    path = save_html(out, tmp_path / "mlp.html", parameters=model.named_parameters())
    browser.get(path.as_uri())
    names = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "td.name")]
    assert set(dict(model.named_parameters())) <= set(names)
    assert "layers.0.neurons.1.w.0" in names
    unlabeled = [name for name in names if re.fullmatch(r"n\d+", name)]
    assert unlabeled == [f"n{k}" for k in range(1, len(unlabeled) + 1)]  # numbered consecutively

"""The HTML step-through in a real headless Chromium: step through, compare grads, screenshot.

Skipped only when Chromium, chromedriver, selenium or `dot` is missing *and*
GLASSGRAD_REQUIRE_BROWSER is unset; CI sets GLASSGRAD_REQUIRE_BROWSER=1, so
there a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from autograd import Value, dot
from autograd.explain import save_html
from autograd.viz import format_number, nodes_in_order

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def _first_existing(candidates: tuple[str, ...], name: str) -> str | None:
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def _missing_requirements() -> list[str]:
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install selenium)")
    if _first_existing(CHROMIUM_CANDIDATES, "chromium") is None:
        missing.append("Chromium (apt-get install chromium)")
    if _first_existing(CHROMEDRIVER_CANDIDATES, "chromedriver") is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    if shutil.which("dot") is None:
        missing.append("the Graphviz program dot (apt-get install graphviz)")
    return missing


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = _missing_requirements()
    if missing:
        message = "the browser test needs " + ", ".join(missing)
        if os.environ.get("GLASSGRAD_REQUIRE_BROWSER"):
            pytest.fail(message + " (GLASSGRAD_REQUIRE_BROWSER is set, so this is not skipped)")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _first_existing(CHROMIUM_CANDIDATES, "chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--window-size=1200,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=Service(_first_existing(CHROMEDRIVER_CANDIDATES, "chromedriver")),
        options=options,
    )
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def the_seed_neuron() -> tuple[Value, list[Value], list[Value]]:
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

    root, parameters, inputs = the_seed_neuron()
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

    root, parameters, inputs = the_seed_neuron()
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

    # step 1: right first time (Enter submits): the step is revealed and the next question asked
    answer.send_keys(repr(steps[0][1]), Keys.ENTER)
    assert feedback()[0] == "right" and counter() == 1 and question_step() == 2
    assert browser.find_element(By.ID, f"grad-{steps[0][0]}").get_attribute("data-grad") == repr(steps[0][1])

    # step 2: not a number costs nothing; a wrong answer shows the hint and stays; then right
    answer.send_keys("abc", Keys.ENTER)
    assert feedback()[0] == "invalid" and counter() == 1
    answer.clear()
    answer.send_keys(repr(steps[1][1] + 1.0), Keys.ENTER)
    state, text = feedback()
    assert state == "wrong" and "Hint:" in text and counter() == 1 and question_step() == 2
    answer.clear()
    answer.send_keys(format(steps[1][1] * (1 + 1e-9), ".17g"), Keys.ENTER)  # within the tolerance
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
        answer.send_keys(repr(steps[k][1]), Keys.ENTER)
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

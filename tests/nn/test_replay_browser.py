"""The training replay page in a real headless Chromium: the slider moves the epoch, the boundary and the diagnosis.

Uses the browser fixture of tests/autograd/pages/browser.py (skipped without
Chromium unless GLASSGRAD_REQUIRE_BROWSER is set, as there).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd import no_grad
from tests.autograd.pages.browser import browser, trained_moons  # noqa: F401 - browser: the fixture

GRID = 24


@pytest.fixture(scope="module")
def trained():
    return trained_moons(validation=False)


def test_the_page_is_self_contained(trained, tmp_path):
    _, _, history = trained
    page = history.save_html(tmp_path / "replay.html", grid=GRID).read_text()
    assert re.findall(r"\b(?:src|href)\s*=", page) == []  # nothing loaded from anywhere
    assert re.findall(r"https?://(?!www\.w3\.org/2000/svg)", page) == []
    assert [s["epoch"] for s in history.snapshots] == [0, 5, 10, 15, 20]


def test_moving_the_slider_changes_the_epoch_the_boundary_and_the_marker(browser, trained, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    model, points, history = trained
    path = history.save_html(tmp_path / "replay.html", grid=GRID)
    browser.get(Path(path).as_uri())
    slider = browser.find_element(By.ID, "slider")
    assert slider.get_attribute("max") == str(len(history.snapshots) - 1)

    def shown() -> tuple[str, str, str]:
        epoch = browser.find_element(By.ID, "epoch").get_attribute("data-epoch")
        picture = browser.execute_script("return document.getElementById('boundary').toDataURL();")
        marker = browser.find_element(By.ID, "marker").get_attribute("data-epoch")
        return epoch, picture, marker

    first = shown()
    assert first[0] == first[2] == "0"
    slider.send_keys(Keys.ARROW_RIGHT)  # the keyboard moves a range input and fires its input event
    second = shown()
    assert second[0] == second[2] == "5"
    assert second[1] != first[1], "the boundary picture did not change"
    slider.send_keys(Keys.END)
    last = shown()
    assert last[0] == "20" and last[1] not in (first[1], second[1])

    # the heat map agrees with the model: blue where the final model scores > 0, orange where < 0
    x0, x1, y0, y1 = (min(p[0] for p, _ in points) - 0.5, max(p[0] for p, _ in points) + 0.5,
                      min(p[1] for p, _ in points) - 0.5, max(p[1] for p, _ in points) + 0.5)  # fmt: skip
    checked = 0
    for j in range(1, GRID, 5):
        for i in range(1, GRID, 5):
            with no_grad():
                score = model([x0 + (x1 - x0) * i / (GRID - 1), y1 - (y1 - y0) * j / (GRID - 1)]).data
            if abs(score) < 0.05:
                continue
            red, _, blue = browser.execute_script(
                "const c = document.getElementById('boundary'), s = c.width / arguments[2];"
                "return Array.from(c.getContext('2d').getImageData("
                "Math.floor((arguments[0] + 0.5) * s), Math.floor((arguments[1] + 0.5) * s), 1, 1).data);",
                i,
                j,
                GRID,
            )[:3]
            assert (blue > red) == (score > 0), (i, j, score, red, blue)
            checked += 1
    assert checked >= 5

    # the diagnosis shown is the one taken at that epoch; the weights are edges, one per weight
    findings = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#findings li")]
    expected = history.snapshots[-1]["diagnosis"]["findings"]
    assert len(findings) == max(1, len(expected))
    edges = browser.find_elements(By.CSS_SELECTOR, "#network line.edge")
    assert len(edges) == 2 * 8 + 8 * 1
    weights = sorted(float(e.get_attribute("data-weight")) for e in edges)
    assert weights == pytest.approx(sorted(w.data for layer in model.layers for n in layer.neurons for w in n.w))
    neurons = browser.find_elements(By.CSS_SELECTOR, "#neurons canvas")
    assert len(neurons) == 8

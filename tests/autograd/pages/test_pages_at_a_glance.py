"""The pages read at a glance, in Chromium: every colour a legend names is the colour drawn; charts with axes, tick
values and a legend; nothing cut, nothing running together, nothing off the screen, at 1366x768 and 390 px wide.

Each layout test leaves screenshots in /tmp/glassgrad-screenshots (GLASSGRAD_SCREENSHOTS) to look at.
"""

from __future__ import annotations

import pytest

import nn
from autograd import Value, dot, no_grad
from autograd.explain import save_html
from tests.autograd.pages.browser import (
    CSS_COLOUR,
    assert_ran_nothing,
    needs_dot,
    open_page,
    reset_viewport,
    screenshot,
    trained_moons,
    viewport,
)

GRID = 24


def textbook_neuron() -> tuple[Value, list[Value], list[Value]]:
    xs = [Value(v, label=f"x{i}") for i, v in enumerate([1.0, 2.0, 3.0, 2.5], start=1)]
    ws = [Value(v, label=f"w{i}") for i, v in enumerate([0.2, 0.8, -0.5, 1.0], start=1)]
    b = Value(2.0, label="b")
    pre_activation = dot(ws, xs, b)
    pre_activation.label = "n"
    out = pre_activation.tanh() * ws[0]
    out.label = "o"
    return out, [*ws, b], xs


@pytest.fixture(scope="module")
def trained():
    return trained_moons(validation=True)


def computed(browser, selector: str, prop: str) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => getComputedStyle(e)[arguments[1]]);",
        selector,
        prop,
    )


def one(values: list[str]) -> str:
    assert len(set(values)) == 1, values
    return values[0]


# ---------------------------------------------------------------------------
# The legend's colours are the drawn colours
# ---------------------------------------------------------------------------
@needs_dot
def test_the_step_throughs_legend_names_the_colours_the_picture_and_the_table_draw(browser, tmp_path):
    from selenium.webdriver.common.by import By

    root, parameters, inputs = textbook_neuron()
    open_page(browser, save_html(root, tmp_path / "page.html", parameters=parameters, inputs=inputs))
    browser.find_element(By.ID, "next").click()  # step 1: o (upstream) -> n1 (the parent)

    legend_upstream = one(computed(browser, "#legend [data-legend=upstream] .swatch", "borderTopColor"))
    legend_parent = one(computed(browser, "#legend [data-legend=receiving] .swatch", "borderTopColor"))
    assert legend_upstream == browser.execute_script(CSS_COLOUR, "#d62728")  # red, as the legend says
    assert legend_parent == browser.execute_script(CSS_COLOUR, "#1f77b4")  # blue
    assert legend_upstream == one(computed(browser, "#graph rect.halo.upstream", "stroke"))
    assert legend_upstream == one(computed(browser, "#rows tr.upstream td", "borderTopColor"))
    assert legend_parent == one(computed(browser, "#graph rect.halo.receiving", "stroke"))
    assert legend_parent == one(computed(browser, "#rows tr.receiving td", "borderTopColor"))
    assert legend_parent == one(computed(browser, "#graph text.changed", "fill"))  # the parent's new grad
    assert legend_parent == one(computed(browser, "#legend .grad-sample.changed", "color"))
    assert legend_upstream != legend_parent
    legend_flow = one(computed(browser, "#legend [data-legend=flow] .swatch.line", "borderTopColor"))
    assert legend_flow == one(computed(browser, "#graph path.flow.backward", "stroke"))
    assert legend_flow == one(computed(browser, "#glassgrad-back path", "fill"))  # the arrowhead

    # each kind of value: the legend's swatch, the table's chip and the picture's box have one colour
    kinds = browser.execute_script(
        "const out = {};"
        "document.querySelectorAll('#legend li[data-legend]').forEach(function (li) {"
        "  const s = li.querySelector('.swatch'); if (!s || s.classList.contains('outline') ||"
        "  s.classList.contains('line')) { return; }"
        "  out[li.dataset.legend] = getComputedStyle(s).backgroundColor; });"
        "return out;"
    )
    assert set(kinds) == {"parameter", "input", "interior"}
    for kind, colour in kinds.items():
        rows = "#rows tr." + ("interior, #rows tr.root" if kind == "interior" else kind)
        chips = computed(browser, ", ".join(f"{row} .kind-chip" for row in rows.split(", ")), "backgroundColor")
        assert set(chips) == {colour}, kind
        boxes = browser.execute_script(
            "const probe = document.createElement('span'); document.body.appendChild(probe);"
            "const fills = Array.from(document.querySelectorAll(arguments[0])).map(function (row) {"
            "  const g = document.getElementById(row.id.slice(4));"
            "  return Array.from(g.querySelectorAll('polygon[fill]')).map(function (p) {"
            "    probe.style.color = p.getAttribute('fill'); return getComputedStyle(probe).color; }); });"
            "probe.remove(); return fills;",
            rows,
        )
        assert boxes and all(colour in fills for fills in boxes), (kind, colour, boxes)

    # the forward pass: the value computed now, and its inputs' edges, in the legend's green
    browser.find_element(By.ID, "phase-forward").click()
    browser.find_element(By.ID, "next").click()
    legend_computing = one(computed(browser, "#legend [data-legend=computing] .swatch.outline", "borderTopColor"))
    assert legend_computing == one(computed(browser, "#graph rect.halo.computing", "stroke"))
    assert legend_computing == one(computed(browser, "#rows tr.computing td", "borderTopColor"))
    assert legend_computing == one(computed(browser, "#legend .swatch.line.forward", "borderTopColor"))
    assert legend_computing == one(computed(browser, "#graph path.flow.forward", "stroke"))
    assert_ran_nothing(browser)


def test_the_replays_legends_name_the_colours_its_charts_boundary_and_weights_draw(browser, trained, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, _, history = trained
    open_page(browser, history.save_html(tmp_path / "replay.html", grid=GRID))
    browser.find_element(By.ID, "slider").send_keys(Keys.END)
    series = browser.execute_script(
        "const out = [];"
        "document.querySelectorAll('.chart').forEach(function (chart) {"
        "  chart.querySelectorAll('.legend li[data-key]').forEach(function (li) {"
        "    const key = li.dataset.key, sample = li.querySelector('.sample');"
        "    const drawn = key ? Array.from(chart.querySelectorAll('.series')).filter(s => s.dataset.key === key)"
        "      .map(s => getComputedStyle(s)[s.tagName === 'circle' ? 'fill' : 'stroke'])"
        "      : [getComputedStyle(chart.querySelector('line.marker')).stroke];"
        "    out.push([key, getComputedStyle(sample).borderTopColor, drawn,"
        "      getComputedStyle(sample).borderTopStyle, key ? (chart.querySelector('.series[data-key=\"' + key +"
        "      '\"]') || {getAttribute: () => ''}).getAttribute('stroke-dasharray') : 'marker']); }); });"
        "return out;"
    )
    keys = {key for key, *_ in series}
    assert {"loss", "val_loss", "accuracy", "val_accuracy", "lr", ""} <= keys
    for key, legend, drawn, style, dashes in series:
        assert drawn and set(drawn) == {legend}, (key, legend, drawn)
        assert (style == "dashed") == (key.startswith("val_") or key == ""), (key, style)
        assert (dashes not in ("none", "")) == (style == "dashed"), (key, dashes)

    # the decision boundary: each pixel is on the way from white to the legend's colour of its side
    boxes = computed(browser, "#boundary-legend .box", "backgroundColor")
    pixels = browser.execute_script(
        "const c = document.getElementById('boundary');"
        "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);"
    )

    def rgb(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text[text.index("(") + 1 : text.index(")")].split(","))

    ends = [rgb(box) for box in boxes]
    seen = set()
    for k in range(0, len(pixels), 4 * 7):  # every 7th pixel
        pixel = tuple(pixels[k : k + 3])
        fits = []
        for end in ends:
            t = max((255 - p) / (255 - e) if e != 255 else 0.0 for p, e in zip(pixel, end))
            fits.append(all(abs(255 - t * (255 - e) - p) <= 1.5 for p, e in zip(pixel, end)))
        assert any(fits), pixel
        seen.add(tuple(fits))
    assert {(True, False), (False, True)} <= seen  # both sides drawn
    assert any(tuple(pixels[k : k + 3]) in ends for k in range(0, len(pixels), 4))  # the legend's is the strongest

    dots = computed(browser, "#boundary-legend .dot", "backgroundColor")
    drawn_dots = set(computed(browser, "#plane-marks circle.example", "fill"))
    assert drawn_dots == set(dots) and len(dots) == 2
    line = one(computed(browser, "#boundary-legend .sample", "borderTopColor"))
    assert line == one(computed(browser, "#boundary-line", "stroke"))
    weights = computed(browser, "#network-legend .sample", "borderTopColor")
    drawn = browser.execute_script(
        "const out = {pos: [], neg: []};"
        "document.querySelectorAll('#network line.edge').forEach(function (e) {"
        "  out[Number(e.dataset.weight) >= 0 ? 'pos' : 'neg'].push(getComputedStyle(e).stroke); });"
        "return out;"
    )
    assert set(drawn["pos"]) == {weights[0]} and set(drawn["neg"]) == {weights[1]}
    assert_ran_nothing(browser)


# ---------------------------------------------------------------------------
# Charts with axes, tick values, legends; the boundary line; nothing cut or running together
# ---------------------------------------------------------------------------
def test_the_replays_charts_have_axes_ticks_and_legends_and_the_boundary_line_is_the_models(browser, trained, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    model, points, history = trained
    open_page(browser, history.save_html(tmp_path / "replay.html", grid=GRID))
    browser.find_element(By.ID, "slider").send_keys(Keys.END)
    charts = browser.execute_script(
        "return Array.from(document.querySelectorAll('.chart')).map(function (chart) {"
        "  const texts = s => Array.from(chart.querySelectorAll(s)).map(t => t.textContent);"
        "  return {title: chart.querySelector('h2').textContent, x: texts('text.tick.x'), y: texts('text.tick.y'),"
        "    axes: chart.querySelectorAll('line.axis').length, legend: texts('.legend li'),"
        "    labels: Array.from(chart.querySelectorAll('svg text')).map(t => t.textContent)}; });"
    )
    assert [chart["title"] for chart in charts] == ["loss", "accuracy", "lr"]
    for chart in charts:
        assert chart["axes"] == 2 and len(chart["x"]) >= 3 and len(chart["y"]) >= 3, chart
        assert "epoch" in chart["labels"] and "the snapshot's epoch" in chart["legend"]
        assert all(text.strip() for text in chart["x"] + chart["y"])
    assert charts[0]["x"][0] == "0" and charts[0]["x"][-1] == "20"
    assert charts[1]["y"][0] == "0%" and charts[1]["y"][-1] == "100%"
    assert set(charts[0]["legend"]) == {"loss", "val_loss", "the snapshot's epoch"}

    # the line output = 0 (hinge loss: scores) runs where the model's output crosses 0
    line = browser.execute_script(
        "const p = document.getElementById('boundary-line'); const n = p.getTotalLength(); const out = [];"
        "for (let k = 0; k <= 20; k++) { const q = p.getPointAtLength(n * k / 20); out.push([q.x, q.y]); }"
        "return {points: out, d: p.getAttribute('d').length};"
    )
    assert line["d"] > 20
    x0, x1 = min(p[0] for p, _ in points) - 0.5, max(p[0] for p, _ in points) + 0.5
    y0, y1 = min(p[1] for p, _ in points) - 0.5, max(p[1] for p, _ in points) + 0.5
    with no_grad():
        lattice = [
            [model([x0 + (x1 - x0) * i / (GRID - 1), y1 - (y1 - y0) * j / (GRID - 1)]).data for i in range(GRID)]
            for j in range(GRID)
        ]
        step = max(
            max(abs(row[i + 1] - row[i]) for row in lattice for i in range(GRID - 1)),
            max(abs(lattice[j + 1][i] - lattice[j][i]) for j in range(GRID - 1) for i in range(GRID)),
        )
        for px, py in line["points"]:  # the overlay's coordinates: cell k's centre at 50 + (k + 0.5) * 240 / GRID
            i, j = (px - 50) / (240 / GRID) - 0.5, (py - 8) / (240 / GRID) - 0.5
            score = model([x0 + (x1 - x0) * i / (GRID - 1), y1 - (y1 - y0) * j / (GRID - 1)]).data
            assert abs(score) <= step / 2, (px, py, score, step)
    legend = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#boundary-legend li")]
    assert "the boundary: output = 0" in legend
    assert_ran_nothing(browser)


def test_the_boundary_line_of_a_sigmoid_model_is_at_one_half(browser, tmp_path):
    from selenium.webdriver.common.by import By

    points = [(x, 1.0 if y > 0 else 0.0) for x, y in nn.moons(40, 0.1, rng=0, signed_labels=True)]
    model = nn.MLP(2, [6, 1], rng=0, output_activation="sigmoid")
    history = nn.fit(model, nn.binary_cross_entropy, points, optimizer=nn.SGD(model.parameters(), lr=0.5), epochs=3,
                     progress=False, rng=0, callbacks=[nn.WeightSnapshots(every=3)])  # fmt: skip
    open_page(browser, history.save_html(tmp_path / "sigmoid.html", grid=12))
    legend = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#boundary-legend li")]
    assert "the boundary: output = 0.5" in legend and "a training example labelled 0" in legend
    assert len(browser.find_element(By.ID, "boundary-line").get_attribute("d")) > 20
    assert_ran_nothing(browser)


LAYOUT_CHECK = """
const width = window.innerWidth, problems = [];
function box(e) { return e.getBoundingClientRect(); }
function visible(e) {
  const r = box(e); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
}
// nothing sticks out sideways (the graph scrolls inside its own box)
if (document.documentElement.scrollWidth > width) { problems.push('page wider than the screen: ' +
  document.documentElement.scrollWidth); }
document.querySelectorAll('h1, h2, h3, p, li, td, th, figcaption, button, label, #formula, #update, #question, ' +
  '#feedback, #counter, #epoch').forEach(function (e) {
  if (!visible(e) || e.closest('#graph')) { return; }
  const r = box(e);
  if (r.left < -0.5 || r.right > width + 0.5) {
    problems.push('off screen: ' + e.tagName + ' ' + e.textContent.slice(0, 40));
  }
  if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') {
    problems.push('cut: ' + e.tagName + ' ' + e.textContent.slice(0, 40)); }
});
// no text in a chart or picture runs past its picture's edge (an SVG cuts what lies outside it)
document.querySelectorAll('.chart svg, #plane-marks, #network').forEach(function (svg) {
  if (!visible(svg)) { return; }
  const frame = box(svg);
  svg.querySelectorAll('text').forEach(function (t) {
    const r = box(t);
    if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 ||
        r.bottom > frame.bottom + 0.5) { problems.push('cut in a picture: ' + t.textContent); }
  });
});
// labels never run together: no two captions, tick values or legend entries overlap
function extent(e) {  // where the text is drawn (it may run past its element's box), or the element's box
  if (e.closest('svg') || !e.textContent) { return box(e); }
  const range = document.createRange(); range.selectNodeContents(e); return range.getBoundingClientRect();
}
function overlaps(selector) {
  const items = Array.from(document.querySelectorAll(selector)).filter(visible).map(extent);
  for (let a = 0; a < items.length; a++) { for (let b = a + 1; b < items.length; b++) {
    const p = items[a], q = items[b];
    if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) {
      problems.push('overlap: ' + selector + ' ' + a + ' ' + b); } } }
}
overlaps('#neurons figcaption'); overlaps('#neurons canvas');
document.querySelectorAll('.chart').forEach(function (c, k) {
  c.setAttribute('data-k', k); overlaps('.chart[data-k="' + k + '"] text.tick.x');
  overlaps('.chart[data-k="' + k + '"] text.tick.y'); overlaps('.chart[data-k="' + k + '"] .legend li'); });
overlaps('#plane-marks text.tick.x'); overlaps('#plane-marks text.tick.y'); overlaps('#network text');
overlaps('#legend li'); overlaps('#controls > *');
const fonts = Array.from(document.querySelectorAll('td, li, figcaption, .tick, #formula, #question')).filter(visible)
  .map(e => parseFloat(getComputedStyle(e).fontSize) * (e.closest('svg') ?
    e.closest('svg').getBoundingClientRect().width / e.closest('svg').viewBox.baseVal.width : 1));
return {problems: problems, smallest: Math.min.apply(null, fonts)};
"""


def page_paths(tmp_path, history) -> dict[str, object]:
    root, parameters, inputs = textbook_neuron()
    return {
        "step-through": save_html(root, tmp_path / "steps.html", parameters=parameters, inputs=inputs),
        "practice": save_html(root, tmp_path / "practice.html", parameters=parameters, inputs=inputs, practice=True),
        "replay": history.save_html(tmp_path / "replay.html", grid=GRID),
    }


@needs_dot
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)], ids=["1366x768", "390px"])
def test_every_page_fits_the_screen_cuts_nothing_and_runs_no_labels_together(browser, trained, tmp_path, width, height):
    from selenium.webdriver.common.by import By

    paths = page_paths(tmp_path, trained[2])
    try:
        for name, path in paths.items():
            viewport(browser, width, height)
            open_page(browser, path)
            if name == "replay":
                browser.execute_script(
                    "const s = document.getElementById('slider'); s.value = '2'; s.dispatchEvent(new Event('input'));"
                )
            elif name == "step-through":
                for _ in range(3):
                    browser.find_element(By.ID, "next").click()
            result = browser.execute_script(LAYOUT_CHECK)
            screenshot(browser, f"{name}-{width}")
            screenshot(browser, f"{name}-{width}-full", full_page=True)
            assert result["problems"] == [], (name, width, result["problems"])
            assert result["smallest"] >= 10, (name, width, result["smallest"])  # readable without zooming
            assert_ran_nothing(browser)
    finally:
        reset_viewport(browser)

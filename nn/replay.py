"""The replay page: one self-contained HTML file with a slider over a training run's weight snapshots.

For each snapshot (taken by :class:`nn.WeightSnapshots`) the page shows the
loss and accuracy curves with that epoch marked; for a model of two inputs,
the decision boundary as a heat map over the training data and each hidden
neuron's output over the input plane; the weights as edge colours (blue
positive, orange negative, width by size); and the diagnosis at that epoch.
Every number is computed here, in Python, and written into the page as JSON:
the page draws them on canvases with a few lines of script, needs no server
and loads nothing from the network.
"""

from __future__ import annotations

import html
import json
from typing import Any

from autograd import no_grad

__all__ = ["replay_page", "snapshot_pictures"]


def _bounds(points: list[list[float]], margin: float = 0.5) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs) - margin, max(xs) + margin, min(ys) - margin, max(ys) + margin


def _short(number: float) -> float:
    """4 significant digits: the pictures need no more, and the page stays small."""
    return float(f"{number:.4g}")


def snapshot_pictures(model: Any, bounds: tuple[float, float, float, float], grid: int) -> dict[str, Any]:
    """The model's output and every hidden neuron's output on a ``grid`` x ``grid`` lattice of the plane.

    Numbers are kept to 4 significant digits. Row j, column i is the point
    (x0 + (x1 - x0) i / (grid - 1), y1 - (y1 - y0) j / (grid - 1)): rows go
    from the top of the picture down. Returns ``{"output": rows, "hidden": [[rows per neuron] per layer]}``.

    >>> import nn
    >>> pictures = snapshot_pictures(nn.MLP(2, [3, 1], rng=0), (-1.0, 1.0, -1.0, 1.0), 4)
    >>> sorted(pictures)
    ['hidden', 'output']
    """
    x0, x1, y0, y1 = bounds
    layers = model.layers
    output: list[list[float]] = []
    hidden: list[list[list[list[float]]]] = [[[] for _ in layer.neurons] for layer in layers[:-1]]
    with no_grad():
        for j in range(grid):
            y = y1 - (y1 - y0) * j / (grid - 1)
            out_row: list[float] = []
            hidden_rows = [[[] for _ in layer.neurons] for layer in layers[:-1]]
            for i in range(grid):
                current: Any = [x0 + (x1 - x0) * i / (grid - 1), y]
                for k, layer in enumerate(layers):
                    current = [v.data for v in layer(current)]
                    if k < len(layers) - 1:
                        for n, value in enumerate(current):
                            hidden_rows[k][n].append(_short(value))
                out_row.append(_short(current[0]))
            output.append(out_row)
            for k, rows in enumerate(hidden_rows):
                for n, row in enumerate(rows):
                    hidden[k][n].append(row)
    return {"output": output, "hidden": hidden}


def _weights(model: Any) -> list[list[list[float]]]:
    return [[[w.data for w in neuron.w] for neuron in layer.neurons] for layer in model.layers]


def replay_page(history: Any, grid: int = 30) -> str:
    """The HTML of the replay page for ``history`` (needs snapshots: ``fit(..., callbacks=[WeightSnapshots(k)])``).

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> callbacks = [nn.WeightSnapshots(1, diagnose=False)]
    >>> history = nn.fit(model, nn.mse_loss, [([1.0, 0.0], 1.0)], optimizer=sgd, epochs=1, **quiet, callbacks=callbacks)
    >>> replay_page(history, grid=4).startswith("<!DOCTYPE html>")
    True
    """
    from nn.history import _plain

    if not history.snapshots:
        raise ValueError(
            "save_html() needs weight snapshots: train with fit(..., callbacks=[nn.WeightSnapshots(every=k)])"
        )
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise ValueError(f"save_html() grid must be an int >= 2, got {grid!r}")
    model = history.model
    two_inputs = getattr(model, "nin", None) == 2 and hasattr(model, "layers") and model.layers[-1].nout == 1
    points = [[float(v) for v in x] for x, _ in history.data] if two_inputs else []
    labels = [float(y) if not isinstance(y, list | tuple) else float(y[0]) for _, y in history.data]
    bounds = _bounds(points) if points else (0.0, 1.0, 0.0, 1.0)
    final = model.state_dict()
    frames = []
    try:
        for snapshot in history.snapshots:
            model.load_state_dict(snapshot["state"])
            frame: dict[str, Any] = {"epoch": snapshot["epoch"], "weights": _weights(model)}
            if two_inputs:
                frame.update(snapshot_pictures(model, bounds, grid))
            diagnosis = snapshot.get("diagnosis")
            frame["findings"] = (
                []
                if diagnosis is None
                else [f"[{f['kind']}] {f['layer']}: {f['message']}" for f in diagnosis["findings"]]
            )
            frame["table"] = None if diagnosis is None else diagnosis["layers"]
            frames.append(frame)
    finally:
        model.load_state_dict(final)
    output_activation = getattr(model.layers[-1], "activation", "linear") if hasattr(model, "layers") else "linear"
    document = _plain(
        {
            "epochs": list(history),
            "frames": frames,
            "points": points,
            "labels": labels,
            "bounds": bounds,
            "center": 0.5 if output_activation == "sigmoid" else 0.0,
            "sizes": [model.layers[0].nin, *(layer.nout for layer in model.layers)] if hasattr(model, "layers") else [],
        }
    )
    title = html.escape(f"training replay: {type(model).__name__}")
    payload = json.dumps(document, allow_nan=False).replace("</", "<\\/")
    return _PAGE.replace("__TITLE__", title).replace("__DATA__", payload)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; }
#controls { margin-bottom: 8px; } #slider { width: 420px; vertical-align: middle; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
canvas { border: 1px solid #ccc; image-rendering: pixelated; }
#neurons canvas { width: 72px; height: 72px; } .neuron { display: inline-block; text-align: center; font-size: 11px; }
#findings li { margin-bottom: 4px; } #findings { max-width: 900px; font-size: 13px; }
</style></head><body>
<h2>__TITLE__</h2>
<div id="controls">snapshot <input type="range" id="slider" min="0" value="0" step="1">
 <b>epoch <span id="epoch" data-epoch="0">0</span></b> <span id="summary"></span></div>
<div class="row">
 <div><div>loss and accuracy</div><svg id="curves" width="360" height="220"></svg></div>
 <div id="boundary-box"><div>decision boundary</div><canvas id="boundary" width="240" height="240"></canvas></div>
 <div><div>weights (blue +, orange -)</div><svg id="network" width="320" height="240"></svg></div>
</div>
<div id="neurons-box"><div>each hidden neuron's output over the input plane</div><div id="neurons"></div></div>
<div><h3>diagnosis at this epoch</h3><ul id="findings"></ul></div>
<script id="replay-data" type="application/json">__DATA__</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("replay-data").textContent);
const slider = document.getElementById("slider");
slider.max = D.frames.length - 1;
function colour(v, center, scale) {
  const t = Math.max(-1, Math.min(1, (v - center) / scale));
  const a = Math.abs(t);
  return t >= 0 ? [Math.round(255 - a * 175), Math.round(255 - a * 115), 255]
                : [255, Math.round(255 - a * 95), Math.round(255 - a * 200)];
}
function heat(canvas, rows, center, points) {
  const n = rows.length, ctx = canvas.getContext("2d");
  let scale = 1e-12;
  rows.forEach(r => r.forEach(v => { if (v !== null) scale = Math.max(scale, Math.abs(v - center)); }));
  const img = ctx.createImageData(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const c = colour(rows[j][i] === null ? center : rows[j][i], center, scale), k = 4 * (j * n + i);
    img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
  }
  const off = document.createElement("canvas"); off.width = n; off.height = n;
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  if (points) {
    const b = D.bounds;
    points.forEach((p, q) => {
      const x = (p[0] - b[0]) / (b[1] - b[0]) * canvas.width, y = (b[3] - p[1]) / (b[3] - b[2]) * canvas.height;
      ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.fillStyle = D.labels[q] > (D.center === 0.5 ? 0.5 : 0) ? "#1f5fa8" : "#d9661f"; ctx.fill();
      ctx.strokeStyle = "#000"; ctx.lineWidth = 0.5; ctx.stroke();
    });
  }
}
const SVG = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e); return e;
}
function curves(index) {
  const svg = document.getElementById("curves"); svg.innerHTML = "";
  const E = D.epochs, W = 360, H = 220, pad = 30, last = Math.max(1, E.length);
  const keys = [["loss", "#c0392b", true], ["val_loss", "#e67e22", true], ["accuracy", "#2471a3", false],
                ["val_accuracy", "#5dade2", false]];
  let top = 1e-12;
  E.forEach(r => {
    if (r.loss !== null) top = Math.max(top, r.loss);
    if (r.val_loss) top = Math.max(top, r.val_loss);
  });
  const X = e => pad + (W - 2 * pad) * e / last;
  keys.forEach(([key, c, isLoss]) => {
    const pts = E.filter(r => r[key] !== undefined && r[key] !== null)
      .map(r => X(r.epoch) + "," + (H - pad - (H - 2 * pad) * (isLoss ? r[key] / top : r[key])));
    if (pts.length) el("polyline", {points: pts.join(" "), fill: "none", stroke: c, "stroke-width": 1.5}, svg);
  });
  el("line", {x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: "#888"}, svg);
  const epoch = D.frames[index].epoch;
  el("line", {id: "marker", x1: X(epoch), x2: X(epoch), y1: pad / 2, y2: H - pad, stroke: "#000",
              "stroke-dasharray": "3,2", "data-epoch": epoch}, svg);
  const t = el("text", {x: pad, y: H - 8, "font-size": 11}, svg);
  t.textContent = "loss (red, scaled to its max " + top.toPrecision(3) + "), accuracy (blue); dashed: this epoch";
}
function network(frame) {
  const svg = document.getElementById("network"); svg.innerHTML = "";
  const sizes = D.sizes, W = 320, H = 240;
  if (!sizes.length) return;
  const pos = sizes.map((n, l) => Array.from({length: n}, (_, i) =>
    [20 + (W - 40) * l / (sizes.length - 1), H * (i + 1) / (n + 1)]));
  let big = 1e-12; frame.weights.forEach(L => L.forEach(r => r.forEach(w => big = Math.max(big, Math.abs(w)))));
  frame.weights.forEach((L, l) => L.forEach((row, j) => row.forEach((w, i) => {
    const a = pos[l][i], b = pos[l + 1][j];
    el("line", {x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "edge", "data-weight": w,
                stroke: w >= 0 ? "#2471a3" : "#e67e22", "stroke-width": 0.4 + 3.6 * Math.abs(w) / big,
                "stroke-opacity": 0.85}, svg);
  })));
  pos.forEach(layer => layer.forEach(p => el("circle", {cx: p[0], cy: p[1], r: 5, fill: "#fff", stroke: "#333"}, svg)));
}
function neurons(frame) {
  const box = document.getElementById("neurons"); box.innerHTML = "";
  if (!frame.hidden) { document.getElementById("neurons-box").style.display = "none"; return; }
  frame.hidden.forEach((layer, l) => layer.forEach((rows, n) => {
    const d = document.createElement("div"); d.className = "neuron";
    const c = document.createElement("canvas"); c.width = 72; c.height = 72;
    c.id = "neuron-" + l + "-" + n; d.appendChild(c);
    const t = document.createElement("div"); t.textContent = "layers." + l + ".neurons." + n; d.appendChild(t);
    box.appendChild(d);
    heat(c, rows, 0, null);
  }));
}
function render(index) {
  const frame = D.frames[index];
  const epoch = document.getElementById("epoch");
  epoch.textContent = frame.epoch; epoch.setAttribute("data-epoch", frame.epoch);
  const record = D.epochs.find(r => r.epoch === frame.epoch);
  document.getElementById("summary").textContent = record ?
    "loss " + (record.loss === null ? "nan" : record.loss.toFixed(4)) +
    (record.accuracy !== undefined ? ", accuracy " + (100 * record.accuracy).toFixed(1) + "%" : "") : "before training";
  curves(index);
  if (frame.output) heat(document.getElementById("boundary"), frame.output, D.center, D.points);
  else document.getElementById("boundary-box").style.display = "none";
  network(frame); neurons(frame);
  const list = document.getElementById("findings"); list.innerHTML = "";
  const items = frame.table === null ? ["(no diagnosis for this model)"] :
    (frame.findings.length ? frame.findings : ["no findings: the gradients flow and every neuron is alive"]);
  items.forEach(s => { const li = document.createElement("li"); li.textContent = s; list.appendChild(li); });
}
slider.addEventListener("input", () => render(Number(slider.value)));
render(0);
</script></body></html>
"""

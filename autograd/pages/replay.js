/* The training replay page: a slider over the snapshots of a training run. Charts with axes, tick values and a
   legend; the decision boundary with its line; the weights; each hidden neuron; the diagnosis. Every name (the
   model's class, metrics, layers) is set as text. */
(function () {
  "use strict";
  const kit = window.glassgrad;
  const D = kit.data;
  const PALETTE = ["#c0392b", "#2471a3", "#1e8449", "#8e44ad", "#b9770e", "#148f77", "#566573"];
  const POSITIVE = "#1f5fa8", NEGATIVE = "#d9661f", MARKER = "#333333";
  function byId(id) { return document.getElementById(id); }

  const slider = byId("slider");
  slider.max = String(D.frames.length - 1);
  const lastEpoch = Math.max(1, D.frames[D.frames.length - 1].epoch,
    D.epochs.reduce(function (m, r) { return Math.max(m, r.epoch || 0); }, 0));
  kit.setText(byId("epoch-of"), "of " + lastEpoch);

  // --- numbers on axes
  function niceTicks(lo, hi, count, integer) {
    if (!(hi > lo)) { const pad = Math.abs(lo) * 0.1 || 1; lo -= pad; hi += pad; }
    const raw = (hi - lo) / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).find(function (s) { return s >= raw; });
    if (integer) { step = Math.max(1, Math.round(step)); }
    const start = Math.floor(lo / step + 1e-9) * step, end = Math.ceil(hi / step - 1e-9) * step;
    const ticks = [];
    for (let k = 0; start + k * step <= end + step * 1e-9; k++) { ticks.push(start + k * step); }
    return {lo: start, hi: end, ticks: ticks, step: step};
  }
  function decimalsOf(step) {
    for (let d = 0; d < 8; d++) {
      const scaled = step * Math.pow(10, d);
      if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) { return d; }
    }
    return 8;
  }
  function tickText(value, step, percent) {
    if (percent) { return (100 * value).toFixed(decimalsOf(100 * step)) + "%"; }
    if (Math.abs(value) < step * 1e-6) { return "0"; }
    if (Math.abs(value) >= 1e5 || step < 1e-4) { return value.toExponential(1); }
    return value.toFixed(decimalsOf(step));
  }
  function shown(value, percent) {
    if (value === null || value === undefined) { return "nan (not a number)"; }
    if (typeof value !== "number") { return String(value); }
    if (percent) { return (100 * value).toFixed(1) + "%"; }
    return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) :
      String(Number(value.toPrecision(4)));
  }

  // --- the charts: one per group of metrics, with axes, ticks, a legend and the snapshot's epoch marked
  const W = 380, H = 220, LEFT = 56, RIGHT = 12, TOP = 10, BOTTOM = 38;
  const charts = D.charts.map(function (spec, c) {
    const section = kit.make("section", {className: "chart", attrs: {"data-chart": spec.title}});
    // the loss and the accuracy first, beside the decision boundary; any other number after the weights
    const board = byId("board");
    if (spec.title === "loss" || spec.title === "accuracy") { board.insertBefore(section, byId("boundary-box")); }
    else { board.appendChild(section); }
    kit.make("h2", {text: spec.title}, section);
    const svg = kit.svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img"}, section);
    const values = [];
    spec.keys.forEach(function (key) {
      D.epochs.forEach(function (r) { if (typeof r[key] === "number") { values.push(r[key]); } });
    });
    let lo = values.length ? Math.min.apply(null, values) : 0, hi = values.length ? Math.max.apply(null, values) : 1;
    if (spec.percent) { lo = Math.min(0, lo); hi = Math.max(1, hi); }
    const y = niceTicks(lo, hi, 4, false), x = niceTicks(0, lastEpoch, 6, true);
    const X = function (e) { return LEFT + (W - LEFT - RIGHT) * (e - x.lo) / (x.hi - x.lo); };
    const Y = function (v) { return H - BOTTOM - (H - TOP - BOTTOM) * (v - y.lo) / (y.hi - y.lo); };
    y.ticks.forEach(function (v) {
      kit.svg("line", {x1: LEFT, x2: W - RIGHT, y1: Y(v), y2: Y(v), stroke: "#e5e5e5"}, svg);
      kit.svg("text", {x: LEFT - 5, y: Y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#333",
        "class": "tick y"}, svg, tickText(v, y.step, spec.percent));
    });
    x.ticks.forEach(function (e) {
      kit.svg("line", {x1: X(e), x2: X(e), y1: H - BOTTOM, y2: H - BOTTOM + 4, stroke: "#555"}, svg);
      kit.svg("text", {x: X(e), y: H - BOTTOM + 16, "text-anchor": "middle", "font-size": 11, fill: "#333",
        "class": "tick x"}, svg, String(e));
    });
    kit.svg("line", {x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM, stroke: "#555", "class": "axis"}, svg);
    kit.svg("line", {x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM, stroke: "#555", "class": "axis"}, svg);
    kit.svg("text", {x: (LEFT + W - RIGHT) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12, fill: "#333"},
      svg, "epoch");
    const legend = kit.make("ul", {className: "legend"}, section);
    spec.keys.forEach(function (key, k) {
      const colour = PALETTE[(c + k) % PALETTE.length];
      const dashed = key.indexOf("val_") === 0;
      const points = D.epochs.filter(function (r) { return typeof r[key] === "number"; });
      let segment = [];
      const flush = function () {
        if (segment.length > 1) {
          kit.svg("polyline", {points: segment.join(" "), fill: "none", stroke: colour, "stroke-width": 2,
            "stroke-dasharray": dashed ? "6 4" : "none", "class": "series", "data-key": key}, svg);
        } else if (segment.length === 1) {
          const p = segment[0].split(",");
          kit.svg("circle", {cx: p[0], cy: p[1], r: 3, fill: colour, "class": "series", "data-key": key}, svg);
        }
        segment = [];
      };
      D.epochs.forEach(function (r) {
        if (typeof r[key] === "number") { segment.push(X(r.epoch) + "," + Y(r[key])); } else { flush(); }
      });
      flush();
      const item = kit.make("li", {attrs: {"data-key": key}}, legend);
      const sample = kit.make("span", {className: "sample" + (dashed ? " dashed" : "")}, item);
      sample.style.borderTopColor = colour;
      item.appendChild(document.createTextNode(key + (points.length ? "" : " (no finite values)")));
    });
    const markerItem = kit.make("li", {attrs: {"data-key": ""}}, legend);
    const markerSample = kit.make("span", {className: "sample dashed"}, markerItem);
    markerSample.style.borderTopColor = MARKER;
    markerItem.appendChild(document.createTextNode("the snapshot's epoch"));
    const marker = kit.svg("line", {y1: TOP, y2: H - BOTTOM, stroke: MARKER, "stroke-width": 1.5,
      "stroke-dasharray": "4 3", "class": "marker"}, svg);
    if (c === 0) { marker.id = "marker"; }
    return {marker: marker, X: X};
  });

  // --- the numbers of the snapshot's epoch
  function showNumbers(epoch) {
    const box = byId("numbers");
    box.textContent = "";
    const record = D.epochs.find(function (r) { return r.epoch === epoch; });
    if (!record) {
      kit.make("span", {className: "metric", text: "before training: the model as it was initialised"}, box);
      return;
    }
    D.metrics.forEach(function (key) {
      const item = kit.make("span", {className: "metric", attrs: {"data-key": key}}, box);
      kit.make("span", {className: "name", text: key}, item);
      kit.make("span", {className: "value", text: shown(record[key], key.slice(-8) === "accuracy")}, item);
    });
  }

  // --- heat maps: blue above the centre, orange below, white at it
  function colour(v, center, scale) {
    const t = Math.max(-1, Math.min(1, (v - center) / scale));
    const a = Math.abs(t);
    return t >= 0 ? [Math.round(255 - a * 175), Math.round(255 - a * 115), 255]
                  : [255, Math.round(255 - a * 95), Math.round(255 - a * 200)];
  }
  function css(rgb) { return "rgb(" + rgb.join(", ") + ")"; }
  function heat(canvas, rows, center) {
    const n = rows.length, ctx = canvas.getContext("2d");
    let scale = 1e-12;
    rows.forEach(function (r) { r.forEach(function (v) { if (v !== null) { scale = Math.max(scale, Math.abs(v - center)); } }); });
    const img = ctx.createImageData(n, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const c = colour(rows[j][i] === null ? center : rows[j][i], center, scale), k = 4 * (j * n + i);
        img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
      }
    }
    const off = document.createElement("canvas"); off.width = n; off.height = n;
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  }

  // --- the decision boundary's marks: axes, the line output = threshold, the examples
  const PX = 50, PY = 8, SIDE = 240;
  const plane = byId("plane-marks");
  function planeX(i, n) { return PX + (i + 0.5) * SIDE / n; }
  function planeY(j, n) { return PY + (j + 0.5) * SIDE / n; }
  function contour(rows, level) {
    // marching squares over the grid: each cell whose corners straddle the level adds a segment
    const n = rows.length, parts = [];
    function edge(i0, j0, i1, j1) {
      const a = rows[j0][i0], b = rows[j1][i1];
      const t = (level - a) / (b - a);
      return [planeX(i0 + t * (i1 - i0), n), planeY(j0 + t * (j1 - j0), n)];
    }
    for (let j = 0; j + 1 < n; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const v = [rows[j][i], rows[j][i + 1], rows[j + 1][i + 1], rows[j + 1][i]];
        if (v.some(function (q) { return q === null; })) { continue; }
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        const cuts = [];
        for (let k = 0; k < 4; k++) {
          const p = corners[k], q = corners[(k + 1) % 4];
          const above = v[k] > level, next = v[(k + 1) % 4] > level;
          if (above !== next) { cuts.push(edge(p[0], p[1], q[0], q[1])); }
        }
        for (let k = 0; k + 1 < cuts.length; k += 2) {
          parts.push("M" + cuts[k][0].toFixed(1) + "," + cuts[k][1].toFixed(1) +
            "L" + cuts[k + 1][0].toFixed(1) + "," + cuts[k + 1][1].toFixed(1));
        }
      }
    }
    return parts.join("");
  }
  function drawPlaneAxes(n) {
    const b = D.bounds;
    const xt = niceTicks(b[0], b[1], 4, false), yt = niceTicks(b[2], b[3], 4, false);
    const bottom = PY + SIDE, left = PX;
    kit.svg("rect", {x: PX, y: PY, width: SIDE, height: SIDE, fill: "none", stroke: "#888"}, plane);
    xt.ticks.filter(function (v) { return v >= b[0] && v <= b[1]; }).forEach(function (v) {
      const px = planeX((v - b[0]) / (b[1] - b[0]) * (n - 1), n);
      kit.svg("line", {x1: px, x2: px, y1: bottom, y2: bottom + 4, stroke: "#555"}, plane);
      kit.svg("text", {x: px, y: bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#333",
        "class": "tick x"}, plane, tickText(v, xt.step, false));
    });
    yt.ticks.filter(function (v) { return v >= b[2] && v <= b[3]; }).forEach(function (v) {
      const py = planeY((b[3] - v) / (b[3] - b[2]) * (n - 1), n);
      kit.svg("line", {x1: left - 4, x2: left, y1: py, y2: py, stroke: "#555"}, plane);
      kit.svg("text", {x: left - 6, y: py + 4, "text-anchor": "end", "font-size": 11, fill: "#333",
        "class": "tick y"}, plane, tickText(v, yt.step, false));
    });
    kit.svg("text", {x: PX + SIDE / 2, y: bottom + 32, "text-anchor": "middle", "font-size": 12, fill: "#333"},
      plane, "input 0");
    kit.svg("text", {x: 12, y: PY + SIDE / 2, "text-anchor": "middle", "font-size": 12, fill: "#333",
      transform: "rotate(-90 12 " + (PY + SIDE / 2) + ")"}, plane, "input 1");
  }
  const marks = kit.svg("g", {"class": "marks"});
  const boundaryLine = kit.svg("path", {fill: "none", stroke: "#000", "stroke-width": 2.5, id: "boundary-line"});
  function drawPoints(n) {
    const b = D.bounds;
    D.points.forEach(function (p, q) {
      const i = (p[0] - b[0]) / (b[1] - b[0]) * (n - 1), j = (b[3] - p[1]) / (b[3] - b[2]) * (n - 1);
      kit.svg("circle", {cx: planeX(i, n), cy: planeY(j, n), r: 3.5, "stroke-width": 0.8, stroke: "#000",
        fill: D.labels[q] > D.labelThreshold ? POSITIVE : NEGATIVE, "class": "example"}, marks);
    });
  }
  function boundaryLegend() {
    const list = byId("boundary-legend");
    const t = String(D.threshold);
    const yes = D.labelThreshold === 0 ? "+1" : "1", no = D.labelThreshold === 0 ? "-1" : "0";
    [["box", css(colour(1, 0, 1)), "output above " + t + ": the model says " + yes],
     ["box", css(colour(-1, 0, 1)), "output below " + t + ": the model says " + no],
     ["sample", "#000", "the boundary: output = " + t],
     ["dot", POSITIVE, "a training example labelled " + yes],
     ["dot", NEGATIVE, "a training example labelled " + no]].forEach(function (entry) {
      const item = kit.make("li", {}, list);
      const swatch = kit.make("span", {className: entry[0]}, item);
      if (entry[0] === "sample") { swatch.style.borderTopColor = entry[1]; swatch.style.borderTopWidth = "3px"; }
      else { swatch.style.background = entry[1]; }
      item.appendChild(document.createTextNode(entry[2]));
    });
  }
  const hasPlane = Boolean(D.frames[0].output);
  if (hasPlane) {
    const n = D.frames[0].output.length;
    drawPlaneAxes(n);
    plane.appendChild(boundaryLine);
    plane.appendChild(marks);
    drawPoints(n);
    boundaryLegend();
  } else {
    byId("boundary-box").style.display = "none";
  }

  // --- the weights
  const net = byId("network");
  function networkLegend() {
    const list = byId("network-legend");
    if (!D.sizes.length) {
      net.style.display = "none";
      kit.make("li", {text: "(the weights are drawn for a model made of nn.Neuron, nn.Layer or nn.MLP layers)"}, list);
      return;
    }
    [[POSITIVE, "a positive weight"], [NEGATIVE, "a negative weight"]].forEach(function (entry) {
      const item = kit.make("li", {}, list);
      const sample = kit.make("span", {className: "sample"}, item);
      sample.style.borderTopColor = entry[0];
      sample.style.borderTopWidth = "3px";
      item.appendChild(document.createTextNode(entry[1] + "; the thicker, the larger"));
    });
    const columns = ["in: " + D.sizes[0] + " inputs"].concat(D.layerNames.map(function (name, k) {
      const count = D.sizes[k + 1];
      return (k + 1) + ": " + name + " (" + count + (count === 1 ? " neuron, " : " neurons, ") +
        D.activations[k] + ")";
    }));
    kit.make("li", {text: "columns, left to right: " + columns.join("; ")}, list);
  }
  function network(frame) {
    net.textContent = "";
    const sizes = D.sizes, NW = 320, NH = 240, top = 12, bottom = 24;
    if (!sizes.length || !frame.weights) { return; }
    const pos = sizes.map(function (n, l) {
      return Array.from({length: n}, function (_, i) {
        return [24 + (NW - 48) * l / (sizes.length - 1), top + (NH - top - bottom) * (i + 0.5) / n];
      });
    });
    let big = 1e-12;
    frame.weights.forEach(function (L) { L.forEach(function (r) { r.forEach(function (w) { big = Math.max(big, Math.abs(w)); }); }); });
    frame.weights.forEach(function (L, l) {
      L.forEach(function (row, j) {
        row.forEach(function (w, i) {
          const a = pos[l][i], b = pos[l + 1][j];
          kit.svg("line", {x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "edge", "data-weight": w,
            stroke: w >= 0 ? POSITIVE : NEGATIVE, "stroke-width": 0.4 + 3.6 * Math.abs(w) / big,
            "stroke-opacity": 0.85}, net);
        });
      });
    });
    pos.forEach(function (layer, l) {
      const r = Math.max(1.5, Math.min(5, (NH - top - bottom) / layer.length / 3));
      layer.forEach(function (p) { kit.svg("circle", {cx: p[0], cy: p[1], r: r, fill: "#fff", stroke: "#333"}, net); });
      kit.svg("text", {x: layer[0][0], y: NH - 6, "text-anchor": "middle", "font-size": 11, fill: "#333"}, net,
        l === 0 ? "in" : String(l));
    });
  }
  networkLegend();

  // --- each hidden neuron
  const neuronCanvases = [];
  (function buildNeurons() {
    const first = D.frames[0].hidden;
    if (!first || !first.length) { byId("neurons-box").style.display = "none"; return; }
    const box = byId("neurons");
    first.forEach(function (layer, l) {
      const block = kit.make("div", {className: "layer"}, box);
      kit.make("h3", {text: (D.hiddenNames[l] || ("layer " + l)) + " (" + layer.length + " neurons, " +
        (D.activations[l] || "") + ")"}, block);
      const grid = kit.make("div", {className: "grid"}, block);
      neuronCanvases.push(layer.map(function (_, n) {
        const figure = kit.make("figure", {}, grid);
        const canvas = kit.make("canvas", {id: "neuron-" + l + "-" + n, attrs: {width: 72, height: 72}}, figure);
        kit.make("figcaption", {text: "neuron " + n}, figure);
        return canvas;
      }));
    });
  })();

  // --- the layers' numbers and the diagnosis
  function health(epoch) {
    const body = byId("health").tBodies[0];
    body.textContent = "";
    const layers = epoch >= 1 ? D.layerHealth[epoch - 1] : null;
    if (!layers) {
      const row = kit.make("tr", {}, body);
      kit.make("td", {text: epoch >= 1 ? "(not recorded)" : "(before training: no steps yet)",
        attrs: {colspan: 3}}, row);
      return;
    }
    Object.keys(layers).forEach(function (name) {
      const row = kit.make("tr", {}, body);
      kit.make("td", {text: name}, row);
      kit.make("td", {className: "num", text: shown(layers[name].grad_norm, false)}, row);
      const dead = layers[name].dead_fraction;
      kit.make("td", {className: "num", text: dead === null || dead === undefined ? "-" : shown(dead, true)}, row);
    });
  }

  function render(index) {
    const frame = D.frames[index];
    const epoch = byId("epoch");
    kit.setText(epoch, frame.epoch);
    epoch.setAttribute("data-epoch", frame.epoch);
    slider.value = String(index);
    byId("prev").disabled = index === 0;
    byId("next").disabled = index === D.frames.length - 1;
    showNumbers(frame.epoch);
    charts.forEach(function (chart) {
      const x = chart.X(frame.epoch);
      chart.marker.setAttribute("x1", x); chart.marker.setAttribute("x2", x);
      chart.marker.setAttribute("data-epoch", frame.epoch);
    });
    if (frame.output) {
      heat(byId("boundary"), frame.output, D.threshold);
      boundaryLine.setAttribute("d", contour(frame.output, D.threshold));
    }
    network(frame);
    (frame.hidden || []).forEach(function (layer, l) {
      layer.forEach(function (rows, n) { heat(neuronCanvases[l][n], rows, 0); });
    });
    health(frame.epoch);
    const list = byId("findings");
    list.textContent = "";
    const items = !frame.diagnosed ? ["(no diagnosis kept for this snapshot: nn.diagnose reads an MLP or a Layer)"] :
      (frame.findings.length ? frame.findings : ["no findings: the gradients flow and every neuron is alive"]);
    items.forEach(function (s) { kit.make("li", {text: s}, list); });
  }
  slider.addEventListener("input", function () { render(Number(slider.value)); });
  byId("prev").addEventListener("click", function () { render(Math.max(0, Number(slider.value) - 1)); });
  byId("next").addEventListener("click", function () {
    render(Math.min(D.frames.length - 1, Number(slider.value) + 1));
  });
  render(0);
})();

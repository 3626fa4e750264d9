/* The step-through page: the graph (SVG from Graphviz), a table of every value, and the steps of the engine's
   backward pass (and of the forward pass) to walk through. Every name and number is set as text. */
(function () {
  "use strict";
  const kit = window.glassgrad;
  const data = kit.data;
  const steps = data.steps;
  const forward = data.forward;
  const total = steps.length;
  let phase = "backward";
  let current = 0;
  let limit = data.practice ? 0 : total;  // practice: only the steps answered can be shown
  let timer = null;

  function byId(id) { return document.getElementById(id); }

  // --- what the page shows before any step: counts, the table, the legend's kinds, the picture
  kit.setText(byId("step-count"), total + " steps (" + forward.length + " in the forward pass).");
  const rows = byId("rows");
  data.nodes.forEach(function (node) {
    const row = kit.make("tr", {id: "row-" + node.id, className: node.kind}, rows);
    kit.make("td", {className: "name", text: node.name}, row);
    const kind = kit.make("td", {className: "kind"}, row);
    const chip = kit.make("span", {className: "kind-chip"}, kind);
    chip.style.background = data.kindColours[node.kind] || "#fff";
    kind.appendChild(document.createTextNode(node.kind));
    kit.make("td", {id: "data-" + node.id, className: "num data", text: node.data}, row);
    kit.make("td", {id: "grad-" + node.id, className: "num grad", attrs: {"data-grad": ""}}, row);
  });
  const legend = byId("legend");
  data.kinds.slice().reverse().forEach(function (entry) {
    const item = kit.make("li", {attrs: {"data-legend": entry.kind}});
    const swatch = kit.make("span", {className: "swatch"}, item);
    swatch.style.background = entry.colour;
    item.appendChild(document.createTextNode(entry.note));
    legend.insertBefore(item, legend.firstChild);
  });
  const svg = kit.importSvg(data.svg, byId("graph"));

  // the whole graph scaled to its box, or its actual size (scrolling inside its box); a phone starts at actual
  // size, where the labels are readable, and each step scrolls its nodes into view
  const zoom = byId("zoom");
  function setZoom(actual) {
    byId("graph").classList.toggle("actual", actual);
    zoom.setAttribute("aria-pressed", String(actual));
    kit.setText(zoom, actual ? "Whole graph" : "Actual size");
    kit.setText(byId("zoom-hint"), actual ? "the graph scrolls in its box" : "");
  }
  zoom.addEventListener("click", function () { setZoom(!byId("graph").classList.contains("actual")); });
  setZoom(window.matchMedia("(max-width: 800px)").matches);
  const svgNS = kit.SVG_NS;

  // one arrowhead, drawn at the start of a path and pointing back along it; one at the end for the forward pass
  const defs = kit.svg("defs", {});
  [["glassgrad-back", "back", "auto-start-reverse"], ["glassgrad-ahead", "ahead", "auto"]].forEach(function (m) {
    const marker = kit.svg("marker", {id: m[0], viewBox: "0 0 10 10", refX: "5", refY: "5", markerWidth: "4",
      markerHeight: "4", orient: m[2]}, defs);
    kit.svg("path", {d: "M0,0 L10,5 L0,10 z", "class": m[1]}, marker);
  });
  svg.insertBefore(defs, svg.firstChild);

  function group(id) { return document.getElementById(id); }
  function clearMarks() {
    document.querySelectorAll("#graph .glassgrad-mark").forEach(function (mark) { mark.remove(); });
    document.querySelectorAll("#graph [data-mark]").forEach(function (g) { g.removeAttribute("data-mark"); });
    document.querySelectorAll("#graph g.edge").forEach(function (g) { g.style.opacity = ""; });
    document.querySelectorAll("#rows tr").forEach(function (row) {
      row.classList.remove("upstream", "receiving", "computing");
    });
  }
  function halo(id, kind) {
    const g = group(id);
    if (!g || !g.getBBox) { return; }
    const box = g.getBBox();
    const rect = document.createElementNS(svgNS, "rect");
    rect.setAttribute("class", "halo glassgrad-mark " + kind);
    rect.setAttribute("x", box.x - 3); rect.setAttribute("y", box.y - 3);
    rect.setAttribute("width", box.width + 6); rect.setAttribute("height", box.height + 6);
    rect.setAttribute("rx", "3");
    g.appendChild(rect);
    g.setAttribute("data-mark", kind);
    const row = byId("row-" + id);
    if (row) { row.classList.add(kind); }
  }
  function flow(id, backwards) {
    const g = group(id);
    if (!g) { return; }
    const path = g.querySelector("path");
    if (!path) { return; }
    const copy = document.createElementNS(svgNS, "path");
    copy.setAttribute("d", path.getAttribute("d"));
    copy.setAttribute("class", "flow glassgrad-mark" + (backwards ? " backward" : " forward"));
    if (backwards) {
      copy.setAttribute("marker-start", "url(#glassgrad-back)");
      copy.style.animationDirection = "reverse";  // the dashes run from the node back to the parent
    } else {
      copy.setAttribute("marker-end", "url(#glassgrad-ahead)");
    }
    g.style.opacity = "1";
    g.appendChild(copy);
  }
  function reveal(ids) {
    // scroll the graph's own box (never the page) so the marked nodes are in view, centred: on a phone the graph
    // is wider than the screen
    const box = byId("graph");
    const rects = ids.map(group).filter(Boolean).map(function (g) { return g.getBoundingClientRect(); });
    if (!rects.length) { return; }
    const r = {left: Math.min.apply(null, rects.map(function (q) { return q.left; })),
      right: Math.max.apply(null, rects.map(function (q) { return q.right; })),
      top: Math.min.apply(null, rects.map(function (q) { return q.top; })),
      bottom: Math.max.apply(null, rects.map(function (q) { return q.bottom; }))};
    const b = box.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) { box.scrollLeft += (r.left + r.right) / 2 - (b.left + b.right) / 2; }
    if (r.top < b.top || r.bottom > b.bottom) { box.scrollTop += (r.top + r.bottom) / 2 - (b.top + b.bottom) / 2; }
  }
  function texts(id) {
    const g = group(id);
    return g ? Array.from(g.querySelectorAll("text")) : [];
  }
  function gradText(id) { const t = texts(id); return t.length ? t[t.length - 1] : null; }
  function dataText(id) {
    return texts(id).find(function (t) { return t.textContent.indexOf("data ") === 0; }) || null;
  }
  function known(k) {
    const grads = new Map();
    grads.set(data.root, {text: data.seed.text, repr: data.seed.repr, at: 0});
    for (let s = 0; s < k; s++) {
      grads.set(steps[s].parent, {text: steps[s].after, repr: steps[s].afterRepr, at: s + 1});
    }
    return grads;
  }
  function last() { return phase === "forward" ? forward.length : limit; }
  function showData(computedCount) {
    const computed = new Set(forward.slice(0, computedCount).map(function (f) { return f.node; }));
    const made = new Set(forward.map(function (f) { return f.node; }));
    data.nodes.forEach(function (node) {
      const isKnown = !made.has(node.id) || computed.has(node.id);
      const text = isKnown ? node.data : "?";
      kit.setText(byId("data-" + node.id), text);
      const t = dataText(node.id);
      if (t) { kit.setText(t, "data " + text); }
    });
  }
  function showForward(k) {
    clearMarks();
    showData(k);
    data.nodes.forEach(function (node) {
      const cell = byId("grad-" + node.id);
      kit.setText(cell, ""); cell.setAttribute("data-grad", ""); cell.className = "num grad";
      const t = gradText(node.id);
      if (t) { kit.setText(t, "grad ?"); t.classList.remove("changed"); }
    });
    const formula = byId("formula");
    const update = byId("update");
    if (k === 0) {
      kit.setText(formula, "Forward pass: the leaves are given; press Next to compute each value from its parents.");
      kit.setText(update, "");
    } else {
      const f = forward[k - 1];
      f.edges.forEach(function (id) { flow(id, false); });
      halo(f.node, "computing");
      reveal([f.node].concat(f.parents));
      kit.setText(formula, f.expression);
      kit.setText(update, k === forward.length ? "Forward pass done: now switch to Backward pass." : "");
    }
  }
  function showBackward(k) {
    clearMarks();
    showData(forward.length);
    const grads = known(k);
    data.nodes.forEach(function (node) {
      const grad = grads.get(node.id);
      const cell = byId("grad-" + node.id);
      const svgText = gradText(node.id);
      const text = grad ? grad.text : "?";
      if (svgText) {
        kit.setText(svgText, "grad " + text);
        const justChanged = k > 0 && steps[k - 1].parent === node.id;
        svgText.classList.toggle("changed", justChanged);
      }
      kit.setText(cell, text);
      cell.setAttribute("data-grad", grad ? grad.repr : "");
      const isFinal = grad && k >= node.finalAt;
      cell.className = "num grad" + (grad ? (isFinal ? " final" : " partial") : "");
    });
    const formula = byId("formula");
    const update = byId("update");
    if (k === 0) {
      kit.setText(formula, "Start: the seed, d(output)/d(output) = " + data.seed.text +
        ". Press Next (or the right arrow).");
      kit.setText(update, "");
    } else {
      const step = steps[k - 1];
      flow(step.outEdge, true);
      flow(step.edge, true);
      halo(step.node, "upstream");
      halo(step.parent, "receiving");
      reveal([step.node, step.parent]);
      kit.setText(formula, "d " + step.nodeName + " / d " + step.parentName + ":  " + step.formula);
      kit.setText(update, step.parentName + ".grad += " + step.local + " * " + step.upstream +
        "  (local * upstream = " + step.contribution + "):  " + step.before + " -> " + step.after +
        "   [gradient flows " + step.nodeName + " -> " + step.parentName + "]");
    }
  }
  function show(k) {
    current = Math.max(0, Math.min(last(), k));
    if (phase === "forward") { showForward(current); } else { showBackward(current); }
    const counter = byId("counter");
    const of = phase === "forward" ? forward.length : total;
    kit.setText(counter, (phase === "forward" ? "Forward step " : "Step ") + current + " of " + of);
    counter.setAttribute("data-step", String(current));
    counter.setAttribute("data-phase", phase);
    const slider = byId("slider");
    slider.max = String(phase === "forward" ? forward.length : limit);
    slider.value = String(current);
    byId("prev").disabled = current === 0;
    byId("next").disabled = current >= last();
  }
  function setPhase(name) {
    stop();
    phase = name;
    byId("phase-forward").setAttribute("aria-pressed", String(name === "forward"));
    byId("phase-backward").setAttribute("aria-pressed", String(name === "backward"));
    show(0);
  }
  function interval() { return Number(byId("speed").value); }
  function stop() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    kit.setText(byId("play"), "Play");
  }
  function tick() {
    if (current >= last()) { stop(); return; }
    show(current + 1);
    timer = setTimeout(tick, interval());
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current >= last()) { show(0); }
    kit.setText(byId("play"), "Pause");
    timer = setTimeout(tick, interval());
  }
  byId("prev").addEventListener("click", function () { stop(); show(current - 1); });
  byId("next").addEventListener("click", function () { stop(); show(current + 1); });
  byId("play").addEventListener("click", play);
  byId("slider").addEventListener("input", function (event) { stop(); show(Number(event.target.value)); });
  byId("phase-forward").addEventListener("click", function () { setPhase("forward"); });
  byId("phase-backward").addEventListener("click", function () { setPhase("backward"); });
  if (data.practice) { byId("phase").style.display = "none"; }
  document.addEventListener("keydown", function (event) {
    if (event.target && (event.target.tagName === "INPUT" || event.target.tagName === "SELECT")) { return; }
    if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { stop(); show(0); event.preventDefault(); }
    else if (event.key === "End") { stop(); show(last()); event.preventDefault(); }
    else if (event.key === " ") { play(); event.preventDefault(); }
  });
  function pointAt(index) {
    // practice: mark the edge a question is about (step index + 1), its grads still hidden
    const step = steps[index];
    if (!step) { return; }
    clearMarks();
    flow(step.outEdge, true);
    flow(step.edge, true);
    halo(step.node, "upstream");
    halo(step.parent, "receiving");
    reveal([step.node, step.parent]);
  }
  window.glassgradStepper = {show: show, pointAt: pointAt, setLimit: function (n) { limit = n; }};
  show(0);
})();

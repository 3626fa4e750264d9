"""Backpropagation one step at a time, with the numbers.

:func:`backward_steps` runs the engine's own backward pass
(:func:`autograd.backprop.backward`) and records, through its ``on_step`` hook,
every application of the chain rule: for the edge node -> parent,

    parent.grad += local_derivative * upstream_grad

with the local derivative d node / d parent, its formula in words
(``d(a*b)/da = b = -3.0``), the upstream grad (``node.grad``), the
contribution and the parent's grad after the step. Nothing here computes a
gradient a second way: the records are what the engine did, in its order.

- :func:`explain` prints a forward trace and a step table to follow with pen and paper.
- :func:`frames` renders the graph after every step (SVG files, numbered).
- :func:`save_html` writes one self-contained HTML page that steps through backward.

>>> from autograd import Value
>>> from autograd.explain import backward_steps
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> steps = backward_steps(a * b)
>>> [step.formula for step in steps]
['d(a*b)/da = b = -3.0  [a = a, b = b]', 'd(a*b)/db = a = 2.0  [a = a, b = b]']

Standard library only; pictures (``frames``, ``save_html``) import graphviz
through :mod:`autograd.viz` when called and need the Graphviz ``dot`` program.
"""

from __future__ import annotations

import html
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from autograd import backprop
from autograd.kinds import OPS
from autograd.modes import compare_modes  # noqa: F401 - forward mode beside reverse, shown here too
from autograd.paths import paths  # noqa: F401 - d root/d leaf as a sum over paths, shown here too
from autograd.text import format_number
from autograd.value import Value
from autograd.viz import DEFAULT_MAX_NODES, draw, leaf_kinds, node_names, nodes_in_order

#: Default cap on the pictures ``frames`` renders (one run of ``dot`` each).
DEFAULT_MAX_FRAMES = 200


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One application of the chain rule: ``parent.grad += local_derivative * upstream``.

    ``step`` counts from 1 in the order the engine ran. ``position`` is the
    parent's index in ``node.parents`` (a value used twice, as in ``a * a``,
    gives two steps with positions 0 and 1). ``contribution`` is
    ``local_derivative * upstream`` and ``parent_grad_after`` the parent's
    grad right after it was added (``parent_grad_before`` right before).
    """

    step: int
    node: Value
    parent: Value
    position: int
    node_name: str
    parent_name: str
    local_derivative: float
    formula: str
    upstream: float
    contribution: float
    parent_grad_before: float
    parent_grad_after: float


# ---------------------------------------------------------------------------
# Formulas in words, from the op table
# ---------------------------------------------------------------------------
def _with_value(part: str, value: str) -> str:
    """``part = value`` when that reads well, ``part; here value`` when the part has clauses."""
    if any(clause in part for clause in (";", ",", " if ", "(as ", "undefined")):
        return f"{part}; here {value}"
    return f"{part} = {value}"


def local_derivative_formula(node: Value, position: int, local: Any, names: dict[Value, str]) -> str:
    """d node / d (its parent at ``position``) in words, with the number.

    ``d(a*b)/da = b = -3.0  [a = x, b = y]``: the op's formula from
    :data:`autograd.OPS`, the value the engine stored, and which Values
    the formula's letters stand for (the op kind says which).
    """
    value = format_number(local, 6)
    op = OPS.get(node.op)
    if op is None:
        return f"d {node.op}/d(parent {position}) = {value}"
    part, bindings = op.derivative_text(node, position, names.__getitem__)
    return f"{_with_value(part, value)}  [{bindings}]"


# ---------------------------------------------------------------------------
# The steps, recorded from the engine's backward
# ---------------------------------------------------------------------------
def backward_steps(root: Value, gradient: float = 1.0) -> list[BackwardStep]:
    """Every chain-rule step the engine takes in a backward pass from ``root``, in order; it changes no grad.

    The engine's own backward, watched through its ``on_step`` hook, run
    from zero: every leaf's grad starts at 0.0 for it (the steps show one
    backward pass, not grads accumulated over earlier ones), and afterwards
    every Value's grad is put back exactly as it was, even if the pass is
    interrupted. Steps of one node are consecutive, in ``node.parents``
    order; there is one step per edge of the graph.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps() needs a Value, got {type(root).__name__}: {root!r}")
    if isinstance(gradient, Value):
        raise TypeError("backward_steps() needs a float gradient, got a Value (create_graph is not explained)")
    nodes = nodes_in_order(root)
    names = node_names(nodes)
    grad_so_far: dict[Value, Any] = dict.fromkeys(nodes, 0.0)  # every grad starts from 0.0 for this pass
    steps: list[BackwardStep] = []
    current = {"node": None, "position": -1}

    def record(node: Value, parent: Value, local: Any, upstream: Any) -> None:
        if current["node"] is node:
            current["position"] += 1
        else:
            current["node"], current["position"] = node, 0
        position = current["position"]
        after = parent.grad
        steps.append(
            BackwardStep(
                step=len(steps) + 1,
                node=node,
                parent=parent,
                position=position,
                node_name=names[node],
                parent_name=names[parent],
                local_derivative=local,
                formula=local_derivative_formula(node, position, local, names),
                upstream=upstream,
                contribution=local * upstream,
                parent_grad_before=grad_so_far[parent],
                parent_grad_after=after,
            )
        )
        grad_so_far[parent] = after

    saved = [(node, node.grad) for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        backprop.backward(root, gradient, on_step=record)
    finally:
        for node, grad in saved:
            node.grad = grad
    return steps


def final_grads(root: Value, steps: list[BackwardStep], gradient: float = 1.0) -> dict[Value, Any]:
    """Each Value's grad at the end of the backward pass ``steps`` record (0.0 where no step reached it)."""
    grads: dict[Value, Any] = dict.fromkeys(nodes_in_order(root), 0.0)
    grads[root] = gradient
    for step in steps:
        grads[step.parent] = step.parent_grad_after
    return grads


# ---------------------------------------------------------------------------
# Text: a forward trace and the step table
# ---------------------------------------------------------------------------
def _expression(node: Value, names: dict[Value, str]) -> str:
    """How ``node`` was computed from its parents, in names, then in numbers for an op of one or two operands.

    ``a * b = 2.0 * -3.0``, ``tanh(n3) = tanh(0.8814)``, ``w1*x1 + b``: the op kind writes it.
    """
    op = OPS.get(node.op)
    if op is None:
        return f"{node.op}({', '.join(names[p] for p in node.parents)})"
    in_names = op.expression(node, names.__getitem__)
    if not op.elementwise:  # an n-ary op's numbers would not fit on the line
        return in_names
    return f"{in_names} = {op.expression(node, format_number)}"


def forward_trace(
    root: Value,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    digits: int = 4,
) -> list[str]:
    """The forward pass in words: the leaves, then each op in a computation order with its value.

    The order is topological (every node after its parents), which is an
    order the forward pass could have computed them in.
    """
    nodes = nodes_in_order(root)
    names = node_names(nodes)
    kinds = leaf_kinds(nodes, parameters, inputs)
    leaves = [node for node in nodes if not node.parents]
    width = max(len(names[node]) for node in nodes)
    numbers = {leaf: format_number(leaf.data, digits) for leaf in leaves}
    number_width = max((len(text) for text in numbers.values()), default=0)
    lines = [f"  {names[leaf]:<{width}} = {numbers[leaf]:<{number_width}}   ({kinds[leaf]})" for leaf in leaves]
    for node in nodes:
        if node.parents:
            value = format_number(node.data, digits)
            lines.append(f"  {names[node]:<{width}} = {_expression(node, names)} = {value}")
    return lines


def explain(
    root: Value,
    file: TextIO | None = None,
    *,
    gradient: float = 1.0,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    digits: int = 4,
) -> list[BackwardStep]:
    """Run backward from ``root`` and write the forward trace and every chain-rule step to ``file``.

    Each row is one edge node -> parent:
    ``contribution = local derivative * upstream`` and
    ``parent.grad (after) = parent.grad (before) + contribution``, with the
    local derivative's formula on the line below. Returns the steps.
    ``file`` defaults to ``sys.stdout``.
    """
    out = sys.stdout if file is None else file
    parameters = list(parameters) if parameters is not None else None
    inputs = list(inputs) if inputs is not None else None
    trace = forward_trace(root, parameters, inputs, digits)
    steps = backward_steps(root, gradient)
    nodes = nodes_in_order(root)
    names = node_names(nodes)

    def number(x: Any) -> str:
        return format_number(x, digits)

    out.write("Forward pass (each value after the values it is computed from):\n")
    out.write("\n".join(trace) + "\n\n")
    out.write(
        f"Backward pass: {len(steps)} chain-rule steps, "
        "parent.grad += local derivative d(node)/d(parent) * upstream grad (node.grad)\n"
    )
    out.write(f"  start: {names[root]}.grad = {number(gradient)} (the seed)\n")
    header = ("step", "node -> parent", "local", "upstream", "contribution", "parent.grad before -> after")
    rows = [
        (
            str(step.step),
            f"{step.node_name} -> {step.parent_name}",
            number(step.local_derivative),
            number(step.upstream),
            number(step.contribution),
            f"{number(step.parent_grad_before)} -> {number(step.parent_grad_after)}",
        )
        for step in steps
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(
            cell.rjust(w) if k != 1 else cell.ljust(w) for k, (cell, w) in enumerate(zip(cells, widths))
        )

    if steps:
        out.write(line(header).rstrip() + "\n")
        out.write("  " + "  ".join("-" * w for w in widths) + "\n")
        for step, row in zip(steps, rows):
            out.write(line(row).rstrip() + "\n")
            out.write(f"  {' ' * widths[0]}  why: {step.formula}\n")
    out.write("\nGradients (d " + names[root] + " / d value):\n")
    width = max(len(names[node]) for node in nodes)
    grads = final_grads(root, steps, gradient)
    for node in nodes:
        out.write(f"  {names[node]:<{width}}  grad = {number(grads[node])}\n")
    return steps


# ---------------------------------------------------------------------------
# Pictures: one frame per step, and the HTML step-through
# ---------------------------------------------------------------------------
def frames(
    root: Value,
    folder: str | os.PathLike[str],
    *,
    gradient: float = 1.0,
    image_format: str = "svg",
    max_frames: int = DEFAULT_MAX_FRAMES,
    **draw_options: Any,
) -> list[Path]:
    """Run backward and render the graph after every step into ``folder``.

    ``step_000.svg`` is the start (only the seed known); ``step_k.svg`` shows
    the grads known after step k, the step's edge and node highlighted and its
    formula as the title. ``draw_options`` go to :func:`autograd.viz.draw`
    (``parameters=``, ``inputs=``, ``rankdir=``, ``collapse=``, ...).
    Needs the Graphviz ``dot`` program (one run per frame); more than
    ``max_frames`` frames raises ValueError before any is drawn. Returns the
    files, in order.
    """
    edge_count = sum(len(node.parents) for node in nodes_in_order(root))
    if edge_count + 1 > max_frames:
        raise ValueError(
            f"frames(): {edge_count} steps would make {edge_count + 1} pictures, more than max_frames={max_frames}; "
            "explain a smaller graph (one neuron, one example), use save_html() (one picture for all steps), "
            "or raise max_frames"
        )
    steps = backward_steps(root, gradient)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digits_in_name = max(3, len(str(len(steps))))
    known: dict[Value, Any] = {root: gradient}
    names = node_names(nodes_in_order(root))
    files = []
    for k in range(len(steps) + 1):
        if k == 0:
            title = f"start: {names[root]}.grad = {format_number(known[root])}"
            highlight = None
        else:
            step = steps[k - 1]
            known[step.parent] = step.parent_grad_after
            title = (
                f"step {k}/{len(steps)}: {step.parent_name}.grad += {format_number(step.local_derivative)} * "
                f"{format_number(step.upstream)} = {format_number(step.parent_grad_after)}\n{step.formula}"
            )
            highlight = (step.node, step.position)
        picture = draw(root, grads=dict(known), highlight=highlight, title=title, **draw_options)
        path = folder / f"step_{k:0{digits_in_name}d}.{image_format}"
        path.write_bytes(picture.pipe(format=image_format))
        files.append(path)
    return files


def _svg_element(svg: str) -> str:
    """The ``<svg>...</svg>`` element of Graphviz's SVG output (no XML prolog or DOCTYPE to fetch)."""
    start = svg.index("<svg")
    return svg[start:].strip()


def save_html(
    root: Value,
    path: str | os.PathLike[str],
    *,
    gradient: float = 1.0,
    title: str = "glassgrad: backpropagation, step by step",
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    rankdir: str = "LR",
    collapse: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    digits: int = 4,
    practice: bool = False,
) -> Path:
    """Run backward and write one self-contained HTML page that steps through it.

    The page holds the graph (inline SVG drawn by Graphviz), a table of every
    Value's grad, and Previous / Next / Play buttons (keyboard: left and right
    arrows, space to play, Home / End). Each step highlights its edge, shows
    its formula and ``parent.grad += local * upstream`` with the numbers, and
    fills in the grads known so far. Nothing is fetched from the network.
    Needs the Graphviz ``dot`` program. Returns the path written.

    ``practice=True``: the grads are hidden and the learner types each
    step's result, checked as :func:`autograd.practice.check_gradients`
    checks (see :mod:`autograd.practice_page`).
    """
    parameters = list(parameters) if parameters is not None else None
    inputs = list(inputs) if inputs is not None else None
    steps = backward_steps(root, gradient)
    nodes = nodes_in_order(root)
    names = node_names(nodes)
    kinds = leaf_kinds(nodes, parameters, inputs)
    index = {node: i for i, node in enumerate(nodes)}
    picture = draw(
        root,
        rankdir=rankdir,
        grads={root: gradient} if practice else final_grads(root, steps, gradient),
        parameters=parameters,
        inputs=inputs,
        collapse=collapse,
        max_nodes=max_nodes,
        digits=digits,
    )
    svg = _svg_element(picture.pipe(format="svg").decode("utf-8"))
    seed = gradient
    last_step = {}
    for step in steps:
        last_step[step.parent] = step.step

    def number(x: Any) -> str:
        return format_number(x, digits)

    data = {
        "root": f"n{index[root]}",
        "seed": {"text": number(seed), "repr": repr(seed)},
        "nodes": [
            {
                "id": f"n{index[node]}",
                "name": names[node],
                "kind": kinds[node],
                "finalAt": last_step.get(node, 0),
            }
            for node in nodes
        ],
        "steps": [
            {
                "step": step.step,
                "node": f"n{index[step.node]}",
                "parent": f"n{index[step.parent]}",
                "edge": f"e{index[step.node]}_{step.position}",
                "nodeName": step.node_name,
                "parentName": step.parent_name,
                "formula": step.formula,
                "local": number(step.local_derivative),
                "upstream": number(step.upstream),
                "contribution": number(step.contribution),
                "before": number(step.parent_grad_before),
                "after": number(step.parent_grad_after),
                "afterRepr": repr(step.parent_grad_after),
            }
            for step in steps
        ],
    }
    practice_box = practice_style = practice_script = ""
    if practice:
        from autograd.practice_page import practice_block, practice_data

        data["practice"] = practice_data(steps, names)
        practice_box, practice_style, practice_script = practice_block(len(steps))
    # "<" escaped inside the JSON so no string can close the <script> element.
    data_json = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    rows = "\n".join(
        f'<tr id="row-n{index[node]}" class="{kinds[node]}"><td class="name">{html.escape(names[node])}</td>'
        f'<td>{html.escape(kinds[node])}</td><td class="num">{html.escape(number(node.data))}</td>'
        f'<td class="num grad" id="grad-n{index[node]}" data-grad=""></td></tr>'
        for node in nodes
    )
    page = _HTML_TEMPLATE.format(
        title=html.escape(title),
        svg=svg,
        rows=rows,
        data=data_json,
        step_count=len(steps),
        style=_STYLE + practice_style,
        script=_SCRIPT,
        practice=practice_box,
        practice_script=f"<script>{practice_script}</script>" if practice_script else "",
    )
    path = Path(path)
    if path.parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.2em; color: #222; background: #fff; }
h1 { font-size: 1.3em; margin: 0 0 0.4em 0; }
#controls { margin: 0.6em 0; display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; }
#controls button { font-size: 1em; padding: 0.3em 0.9em; }
#counter { font-weight: bold; min-width: 9em; }
#explanation { background: #f6f6f6; border-left: 4px solid #d62728; padding: 0.5em 0.8em; min-height: 3.2em; }
#formula { font-family: monospace; white-space: pre-wrap; }
#update { font-family: monospace; margin-top: 0.3em; }
#graph { overflow: auto; border: 1px solid #ddd; margin: 0.8em 0; }
#graph svg { max-width: 100%; height: auto; }
table.grads { border-collapse: collapse; }
table.grads td, table.grads th { border: 1px solid #ccc; padding: 0.15em 0.6em; }
td.num { font-family: monospace; text-align: right; }
td.grad.partial { color: #b35900; font-style: italic; }
td.grad.final { color: #116611; }
tr.active td { background: #ffe4e1; }
.hint { color: #666; font-size: 0.9em; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("steps-data").textContent);
  const steps = data.steps;
  const total = steps.length;
  let current = 0;
  let limit = data.practice ? 0 : total;  // practice: only the steps answered can be shown
  let timer = null;
  const highlight = "#d62728";

  function edgeShapes(id) {
    const group = document.getElementById(id);
    return group ? Array.from(group.querySelectorAll("path, polygon")) : [];
  }
  const originals = new Map();
  steps.forEach(function (step) {
    edgeShapes(step.edge).forEach(function (shape) {
      originals.set(shape, ["stroke", "fill", "stroke-width"].map(function (name) {
        return shape.getAttribute(name);
      }));
    });
  });
  function paintEdge(id, on) {
    edgeShapes(id).forEach(function (shape) {
      const original = originals.get(shape) || [null, null, null];
      if (on) {
        shape.setAttribute("stroke", highlight);
        shape.setAttribute("stroke-width", "3");
        if (shape.tagName.toLowerCase() === "polygon") { shape.setAttribute("fill", highlight); }
      } else {
        ["stroke", "fill", "stroke-width"].forEach(function (name, k) {
          if (original[k] === null) { shape.removeAttribute(name); } else { shape.setAttribute(name, original[k]); }
        });
      }
    });
  }
  function gradText(id) {
    const group = document.getElementById(id);
    if (!group) { return null; }
    const texts = group.querySelectorAll("text");
    return texts.length ? texts[texts.length - 1] : null;
  }
  function known(k) {
    const grads = new Map();
    grads.set(data.root, {text: data.seed.text, repr: data.seed.repr, at: 0});
    for (let s = 0; s < k; s++) {
      grads.set(steps[s].parent, {text: steps[s].after, repr: steps[s].afterRepr, at: s + 1});
    }
    return grads;
  }
  function show(k) {
    current = Math.max(0, Math.min(limit, k));
    const grads = known(current);
    data.nodes.forEach(function (node) {
      const grad = grads.get(node.id);
      const cell = document.getElementById("grad-" + node.id);
      const svgText = gradText(node.id);
      const text = grad ? grad.text : "?";
      if (svgText) {
        svgText.textContent = "grad " + text;
        const justChanged = current > 0 && steps[current - 1].parent === node.id;
        if (justChanged) { svgText.setAttribute("fill", highlight); } else { svgText.removeAttribute("fill"); }
      }
      cell.textContent = text;
      cell.setAttribute("data-grad", grad ? grad.repr : "");
      const isFinal = grad && current >= node.finalAt;
      cell.className = "num grad" + (grad ? (isFinal ? " final" : " partial") : "");
      document.getElementById("row-" + node.id).classList.remove("active");
    });
    steps.forEach(function (step) { paintEdge(step.edge, false); });
    const counter = document.getElementById("counter");
    const formula = document.getElementById("formula");
    const update = document.getElementById("update");
    counter.textContent = "Step " + current + " of " + total;
    counter.setAttribute("data-step", String(current));
    if (current === 0) {
      formula.textContent = "Start: the seed, d(output)/d(output) = " + data.seed.text +
        ". Press Next (or the right arrow).";
      update.textContent = "";
    } else {
      const step = steps[current - 1];
      paintEdge(step.edge, true);
      document.getElementById("row-" + step.parent).classList.add("active");
      formula.textContent = "d " + step.nodeName + " / d " + step.parentName + ":  " + step.formula;
      update.textContent = step.parentName + ".grad += " + step.local + " * " + step.upstream +
        "  (local * upstream = " + step.contribution + "):  " + step.before + " -> " + step.after;
    }
    document.getElementById("prev").disabled = current === 0;
    document.getElementById("next").disabled = current >= limit;
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current === total) { show(0); }
    document.getElementById("play").textContent = "Pause";
    timer = setInterval(function () {
      if (current >= total) { stop(); return; }
      show(current + 1);
    }, 900);
  }
  document.getElementById("prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  document.getElementById("play").addEventListener("click", play);
  document.addEventListener("keydown", function (event) {
    if (event.target && event.target.tagName === "INPUT") { return; }  // typing an answer
    if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { stop(); show(0); event.preventDefault(); }
    else if (event.key === "End") { stop(); show(total); event.preventDefault(); }
    else if (event.key === " ") { play(); event.preventDefault(); }
  });
  window.glassgradStepper = {show: show, setLimit: function (n) { limit = n; }};
  show(0);
})();
"""

_HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<p class="hint">Each step applies the chain rule to one edge:
parent.grad += (d node / d parent) * node.grad. {step_count} steps.
Keys: left/right arrows, space to play, Home/End.</p>
<div id="controls">
<button id="prev" type="button">Previous</button>
<button id="next" type="button">Next</button>
<button id="play" type="button">Play</button>
<span id="counter" data-step="0">Step 0 of {step_count}</span>
</div>
{practice}
<div id="explanation"><div id="formula"></div><div id="update"></div></div>
<div id="graph">
{svg}
</div>
<table class="grads">
<thead><tr><th>value</th><th>kind</th><th>data</th><th>grad so far</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script type="application/json" id="steps-data">{data}</script>
<script>{script}</script>
{practice_script}
</body>
</html>
"""

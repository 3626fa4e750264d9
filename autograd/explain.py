"""Backpropagation one step at a time, with the numbers.

:func:`backward_steps` runs the engine's own backward pass
(:func:`autograd.backward`) and records, through its ``on_step`` hook,
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
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from autograd import describe
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import leaf_kinds, named_values, node_names, nodes_in_order
from autograd.modes import compare_modes  # forward mode beside reverse, shown here too
from autograd.paths import paths  # d root/d leaf as a sum over paths, shown here too
from autograd.steps import BackwardStep, backward_steps, final_grads, local_derivative_formula
from autograd.viz import DEFAULT_MAX_NODES, KIND_COLOURS, check_draw_options, draw

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "BackwardStep",
    "Explanation",
    "StepThrough",
    "backward_steps",
    "compare_modes",
    "explain",
    "final_grads",
    "forward_trace",
    "frames",
    "html_page",
    "local_derivative_formula",
    "paths",
    "save_html",
    "step_through",
]

#: Default cap on the pictures ``frames`` renders (one run of ``dot`` each).
DEFAULT_MAX_FRAMES = 200


# ---------------------------------------------------------------------------
# Text: a forward trace and the step table
# ---------------------------------------------------------------------------
def _expression(node: Value, names: dict[Value, str]) -> str:
    """How ``node`` was computed from its parents, in names, then in numbers for an op of one or two operands.

    ``a * b = 2.0 * -3.0``, ``tanh(n3) = tanh(0.8814)``, ``w1*x1 + b``: the op kind writes it.
    """
    in_names = describe.expression(node, names.__getitem__)
    if not describe.is_elementwise(node):  # an n-ary op's numbers would not fit on the line
        return in_names
    return f"{in_names} = {describe.expression(node, format_number)}"


def forward_trace(
    root: Value,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    digits: int = 4,
    *,
    names: Mapping[Value, str] | None = None,
) -> list[str]:
    """The forward pass in words: the leaves, then each op in a computation order with its value.

    The order is topological (every node after its parents), which is an
    order the forward pass could have computed them in.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> forward_trace(a * a - 3.0)
    ['  a  = 2.0   (leaf)', '  n1 = a * a = 2.0 * 2.0 = 4.0', '  n2 = n1 - 3.0 = 4.0 - 3.0 = 1.0']
    """
    nodes = nodes_in_order(root)
    names = node_names(nodes, names)
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


class Explanation(list):
    """What :func:`explain` returns: the list of :class:`BackwardStep` it recorded, that also reads well.

    It is a ``list`` (index it, loop over it, ``len`` it, as before);
    ``str()`` is the text trace, ``repr()`` one short line, and a notebook
    shows it once, as tables (``_repr_html_``): the forward pass, every
    chain-rule step, the final grads.

    >>> from autograd import Value
    >>> import io
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> steps = explain(a * b, file=io.StringIO())
    >>> steps
    <Explanation: 2 chain-rule steps of backward from n1; print() it for the trace>
    >>> steps[0].parent_name, steps[0].parent_grad_after
    ('a', -3.0)
    """

    def __init__(self, steps: Iterable[BackwardStep], text: str, html_text: str, root_name: str) -> None:
        super().__init__(steps)
        self.text = text
        self.html = html_text
        self.root_name = root_name
        self._shown_in_cell: int | None = None  # the notebook cell explain() already displayed it in

    def __repr__(self) -> str:
        noun = "step" if len(self) == 1 else "steps"
        return (
            f"<Explanation: {len(self)} chain-rule {noun} of backward from {self.root_name}; print() it for the trace>"
        )

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        """Show the tables, unless explain() has just shown them in this very cell (then nothing: shown once)."""
        shell = _notebook_shell()
        if shell is not None and self._shown_in_cell == shell.execution_count:
            self._shown_in_cell = None
            return
        from IPython.display import display

        display({"text/plain": self.text, "text/html": self.html}, raw=True)


def _notebook_shell() -> Any:
    """The IPython shell when running in a Jupyter kernel (a notebook), else None. Imports nothing new."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _html_table(header: Iterable[str], rows: Iterable[Iterable[str]], numeric: Iterable[int] = ()) -> str:
    right = set(numeric)
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:right;font-family:monospace'>{html.escape(c)}</td>"
            if k in right
            else f"<td style='text-align:left'><code>{html.escape(c)}</code></td>"
            for k, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def explain(
    root: Value,
    file: TextIO | None = None,
    *,
    gradient: float = 1.0,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    digits: int = 4,
    names: Mapping[Value, str] | None = None,
) -> Explanation:
    """Run backward from ``root`` and write the forward trace and every chain-rule step to ``file``.

    Each row is one edge node -> parent:
    ``contribution = local derivative * upstream`` and
    ``parent.grad (after) = parent.grad (before) + contribution``, with the
    local derivative's formula on the line below. ``file`` defaults to
    ``sys.stdout``; in a notebook (a Jupyter kernel) with no ``file`` the
    trace is displayed once, as tables, instead of printed. Returns the
    steps: an :class:`Explanation`, a list of :class:`BackwardStep`. It
    changes no grad. ``parameters`` may be a model or ``(name, Value)``
    pairs (``model.named_parameters()``): the weights are then named as in
    the state dict; ``names`` maps any Value to a name.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b
    >>> y.label = "y"
    >>> steps = explain(y)  # doctest: +ELLIPSIS
    Forward pass (each value after the values it is computed from):
      a = 2.0    (leaf)
      b = -3.0   (leaf)
      y = a * b = 2.0 * -3.0 = -6.0
    ...
    >>> [step.parent_grad_after for step in steps]
    [-3.0, 2.0]
    """
    parameters, parameter_names = named_values(parameters)
    all_names = {**parameter_names, **(names or {})}
    trace = forward_trace(root, parameters, inputs, digits, names=all_names)
    steps = backward_steps(root, gradient, names=all_names)
    nodes = nodes_in_order(root)
    node_name = node_names(nodes, all_names)

    def number(x: Any) -> str:
        return format_number(x, digits)

    out = io.StringIO()
    out.write("Forward pass (each value after the values it is computed from):\n")
    out.write("\n".join(trace) + "\n\n")
    out.write(
        f"Backward pass: {len(steps)} chain-rule steps, "
        "parent.grad += local derivative d(node)/d(parent) * upstream grad (node.grad)\n"
    )
    out.write(f"  start: {node_name[root]}.grad = {number(gradient)} (the seed)\n")
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
    out.write("\nGradients (d " + node_name[root] + " / d value):\n")
    width = max(len(node_name[node]) for node in nodes)
    grads = final_grads(root, steps, gradient)
    for node in nodes:
        out.write(f"  {node_name[node]:<{width}}  grad = {number(grads[node])}\n")
    text = out.getvalue()

    forward_rows = [line.strip().split(" = ", 1) for line in trace]
    page = (
        "<div class='glassgrad-explain'>"
        "<p><b>Forward pass</b> (each value after the values it is computed from)</p>"
        + _html_table(("value", "computed as = value"), forward_rows)
        + f"<p><b>Backward pass</b>: {len(steps)} chain-rule steps, parent.grad += local derivative "
        f"d(node)/d(parent) * upstream grad (node.grad); start: {html.escape(node_name[root])}.grad = "
        f"{html.escape(number(gradient))}</p>"
        + _html_table((*header, "why"), [(*row, step.formula) for step, row in zip(steps, rows)], numeric=(0, 2, 3, 4))
        + f"<p><b>Gradients</b> (d {html.escape(node_name[root])} / d value)</p>"
        + _html_table(("value", "grad"), [(node_name[node], number(grads[node])) for node in nodes], numeric=(1,))
        + "</div>"
    )
    result = Explanation(steps, text, page, node_name[root])
    shell = _notebook_shell() if file is None else None
    if shell is not None:
        from IPython.display import display

        display(result)
        result._shown_in_cell = shell.execution_count  # the cell's own display of the result adds nothing
    else:
        (sys.stdout if file is None else file).write(text)
    return result


# ---------------------------------------------------------------------------
# Pictures: one frame per step, and the HTML step-through
# ---------------------------------------------------------------------------
#: The formats ``frames`` writes (Graphviz output formats).
FRAME_FORMATS = ("svg", "png", "jpg", "gif", "pdf")
#: Options ``frames`` passes on to :func:`autograd.viz.draw`.
FRAME_DRAW_OPTIONS = ("parameters", "inputs", "rankdir", "collapse", "max_nodes", "digits", "show_grad", "names")

_SVG_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="([-0-9. ]+)"')


def _same_size_svgs(svgs: list[str]) -> list[str]:
    """Every SVG on one canvas, the largest frame's: same ``width``, ``height`` and ``viewBox`` (no jitter)."""
    sizes = [_SVG_SIZE.search(svg) for svg in svgs]
    if not all(sizes):
        return svgs
    width = max(float(m[1]) for m in sizes)
    height = max(float(m[2]) for m in sizes)
    fixed = []
    for svg, match in zip(svgs, sizes):
        # Graphviz draws upwards from the bottom-left corner: grow the canvas to the right and at the top.
        x0, y0, _, h = (float(v) for v in match[3].split())
        box = f"{x0:.2f} {y0 - (height - h):.2f} {width:.2f} {height:.2f}"
        replacement = f'<svg width="{width:.0f}pt" height="{height:.0f}pt"\n viewBox="{box}"'
        fixed.append(svg[: match.start()] + replacement + svg[match.end() :])
    return fixed


def frames(
    root: Value,
    folder: str | os.PathLike[str],
    *,
    gradient: float = 1.0,
    image_format: str = "svg",
    max_frames: int = DEFAULT_MAX_FRAMES,
    **draw_options: Any,
) -> list[Path]:
    """Run backward and render the graph after every step into ``folder``; it changes no grad.

    ``step_000.svg`` is the start (only the seed known); ``step_k.svg`` shows
    the grads known after step k, the step's edge and node highlighted and its
    formula as the title. ``draw_options`` go to :func:`autograd.viz.draw`
    (``parameters=``, ``inputs=``, ``rankdir=``, ``collapse=``, ``names=``, ...);
    an unknown option or a bad value raises TypeError/ValueError naming it.
    SVG frames all have one size (the largest frame's ``width``, ``height``
    and ``viewBox``), so a GIF or video made of them does not jitter.
    Needs the Graphviz ``dot`` program (one run per frame); more than
    ``max_frames`` frames raises ValueError before any is drawn. Returns the
    files, in order.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> [p.name for p in frames(a * b, "frames")]  # doctest: +SKIP
    ['step_000.svg', 'step_001.svg', 'step_002.svg']
    """
    unknown = sorted(set(draw_options) - set(FRAME_DRAW_OPTIONS))
    if unknown:
        raise TypeError(
            f"frames() got an unknown option {unknown[0]}={draw_options[unknown[0]]!r}; "
            f"it takes gradient, image_format, max_frames and the draw options {', '.join(FRAME_DRAW_OPTIONS)}"
        )
    if image_format not in FRAME_FORMATS:
        raise ValueError(f"frames() image_format must be one of {', '.join(FRAME_FORMATS)}, got {image_format!r}")
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 1:
        raise ValueError(f"frames() max_frames must be a positive int, got {max_frames!r}")
    check_draw_options("frames()", **draw_options)
    edge_count = sum(len(node.parents) for node in nodes_in_order(root))
    if edge_count + 1 > max_frames:
        raise ValueError(
            f"frames(): {edge_count} steps would make {edge_count + 1} pictures, more than max_frames={max_frames}; "
            "explain a smaller graph (one neuron, one example), use save_html() (one picture for all steps), "
            "or raise max_frames"
        )
    parameters, parameter_names = named_values(draw_options.pop("parameters", None))
    all_names = {**parameter_names, **(draw_options.pop("names", None) or {})}
    steps = backward_steps(root, gradient, names=all_names)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digits_in_name = max(3, len(str(len(steps))))
    known: dict[Value, Any] = {root: gradient}
    names = node_names(nodes_in_order(root), all_names)
    pictures = []
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
        picture = draw(
            root,
            grads=dict(known),
            highlight=highlight,
            title=title,
            parameters=parameters,
            names=all_names,
            **draw_options,
        )
        pictures.append(picture.pipe(format=image_format))
    if image_format == "svg":
        pictures = [svg.encode("utf-8") for svg in _same_size_svgs([p.decode("utf-8") for p in pictures])]
    files = []
    for k, picture_bytes in enumerate(pictures):
        path = folder / f"step_{k:0{digits_in_name}d}.{image_format}"
        path.write_bytes(picture_bytes)
        files.append(path)
    return files


def _svg_element(svg: str) -> str:
    """The ``<svg>...</svg>`` element of Graphviz's SVG output (no XML prolog or DOCTYPE to fetch)."""
    start = svg.index("<svg")
    return svg[start:].strip()


def html_page(
    root: Value,
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
    names: Mapping[Value, str] | None = None,
) -> str:
    """The step-through page of :func:`save_html` as a string (one self-contained HTML document).

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> html_page(a * b).startswith("<!DOCTYPE html>")  # doctest: +SKIP
    True
    """
    check_draw_options("save_html()", collapse=collapse, digits=digits, title=title)
    if not isinstance(practice, bool):
        raise TypeError(f"save_html() practice must be True or False, got {type(practice).__name__}: {practice!r}")
    parameters, parameter_names = named_values(parameters)
    inputs = list(inputs) if inputs is not None else None
    all_names = {**parameter_names, **(names or {})}
    steps = backward_steps(root, gradient, names=all_names)
    nodes = nodes_in_order(root)
    node_name = node_names(nodes, all_names)
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
        names=all_names,
    )
    svg = _svg_element(picture.pipe(format="svg").decode("utf-8"))
    last_step = {}
    for step in steps:
        last_step[step.parent] = step.step

    def number(x: Any) -> str:
        return format_number(x, digits)

    computed = [node for node in nodes if node.parents]
    data = {
        "root": f"n{index[root]}",
        "seed": {"text": number(gradient), "repr": repr(gradient)},
        "nodes": [
            {
                "id": f"n{index[node]}",
                "name": node_name[node],
                "kind": kinds[node],
                "finalAt": last_step.get(node, 0),
                "data": number(node.data),
            }
            for node in nodes
        ],
        "forward": [
            {
                "node": f"n{index[node]}",
                "name": node_name[node],
                "expression": f"{node_name[node]} = {_expression(node, node_name)} = {number(node.data)}",
                "edges": [f"e{index[node]}_{k}" for k in range(len(node.parents))] + [f"e{index[node]}_out"],
                "parents": [f"n{index[parent]}" for parent in node.parents],
            }
            for node in computed
        ],
        "steps": [
            {
                "step": step.step,
                "node": f"n{index[step.node]}",
                "parent": f"n{index[step.parent]}",
                "edge": f"e{index[step.node]}_{step.position}",
                "outEdge": f"e{index[step.node]}_out",
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

        data["practice"] = practice_data(steps, node_name)
        practice_box, practice_style, practice_script = practice_block(len(steps))
    # "<" escaped inside the JSON so no string can close the <script> element.
    data_json = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    rows = "\n".join(
        f'<tr id="row-n{index[node]}" class="{kinds[node]}"><td class="name">{html.escape(node_name[node])}</td>'
        f'<td>{html.escape(kinds[node])}</td><td class="num data" id="data-n{index[node]}">'
        f"{html.escape(number(node.data))}</td>"
        f'<td class="num grad" id="grad-n{index[node]}" data-grad=""></td></tr>'
        for node in nodes
    )
    present = set(kinds.values())
    kind_notes = {
        "parameter": "parameter (a weight or bias)",
        "input": "input",
        "leaf": "leaf (a Value no op made)",
        "interior": "computed by an op",
    }
    legend_items = [
        f'<li data-legend="{kind}"><span class="swatch" style="background:{KIND_COLOURS[kind]}"></span>'
        f"{html.escape(kind_notes[kind])}</li>"
        for kind in ("parameter", "input", "leaf", "interior")
        if kind in present or (kind == "interior" and "root" in present)
    ]
    legend_items += [
        f'<li data-legend="{key}"><span class="swatch {swatch}"></span>{text}</li>'
        for key, swatch, text in (
            ("upstream", "outline upstream", "upstream node: its grad flows back"),
            ("receiving", "outline receiving", "parent: receives local * upstream"),
            ("flow", "line", "active edge; its arrow shows the gradient's flow (backward: output to inputs)"),
            ("computing", "outline computing", "forward: the value computed now"),
        )
    ]
    legend_items += [
        '<li data-legend="partial"><span class="grad-sample partial">0.5</span>grad so far: partial (more steps add '
        "to it)</li>",
        '<li data-legend="final"><span class="grad-sample final">0.5</span>grad final (no step adds to it)</li>',
    ]
    return _HTML_TEMPLATE.format(
        title=html.escape(title),
        svg=svg,
        rows=rows,
        data=data_json,
        step_count=len(steps),
        forward_count=len(computed),
        legend="\n".join(legend_items),
        style=_STYLE + practice_style,
        script=_SCRIPT,
        practice=practice_box,
        practice_script=f"<script>{practice_script}</script>" if practice_script else "",
    )


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
    names: Mapping[Value, str] | None = None,
) -> Path:
    """Run backward and write one self-contained HTML page that steps through it; it changes no grad.

    The page holds the graph (inline SVG drawn by Graphviz) beside a table of
    every Value's data and grad, a legend for every colour, Previous / Next /
    Play buttons, a slider over the steps and a speed for Play (keyboard:
    left and right arrows, space to play, Home / End). Each backward step
    highlights its edge with an arrow pointing the way the gradient flows
    (from the node back to its parent), outlines the upstream node and the
    parent, shows the formula and ``parent.grad += local * upstream`` with the
    numbers, and fills in the grads known so far. "Forward pass" steps
    through the forward pass instead: each node's value computed in order.
    Nothing is fetched from the network; the page fits 1366x768 and a 390 px
    phone. ``parameters`` may be a model or ``model.named_parameters()``
    (state-dict names); ``names`` maps any Value to a name. Needs the
    Graphviz ``dot`` program. Returns the path written.

    ``practice=True``: the grads are hidden and the learner types each
    step's result, checked as :func:`autograd.practice.check_gradients`
    checks (see :mod:`autograd.practice_page`).

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> save_html(a * b, "backprop.html")  # doctest: +SKIP
    PosixPath('backprop.html')
    """
    page = html_page(
        root,
        gradient=gradient,
        title=title,
        parameters=parameters,
        inputs=inputs,
        rankdir=rankdir,
        collapse=collapse,
        max_nodes=max_nodes,
        digits=digits,
        practice=practice,
        names=names,
    )
    path = Path(path)
    if path.parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


class StepThrough:
    """The step-through page for a notebook: shown inline, in an iframe holding the whole page (``srcdoc``).

    Nothing is served or written: ``html`` is the page, ``save(path)``
    writes it to a file if you want one.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> step_through(a * b)  # doctest: +SKIP
    <StepThrough: 2 backward steps; shown inline in a notebook>
    """

    def __init__(self, page: str, step_count: int, height: int = 720) -> None:
        self.html = page
        self.step_count = step_count
        self.height = height

    def __repr__(self) -> str:
        return f"<StepThrough: {self.step_count} backward steps; shown inline in a notebook, .save(path) to keep it>"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="glassgrad step-through" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ddd" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` and return the path."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path


def step_through(root: Value, *, height: int = 720, **options: Any) -> StepThrough:
    """The interactive step-through of :func:`save_html`, to show inline in a notebook (no server, no file).

    A notebook cell ending in ``step_through(y)`` shows the page in the
    output; ``options`` are :func:`save_html`'s (``parameters=``,
    ``practice=True``, ...). It changes no grad.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * 2.0
    >>> "<" in step_through(y)._repr_html_()
    True
    """
    if isinstance(height, bool) or not isinstance(height, int) or height < 100:
        raise ValueError(f"step_through() height must be an int of at least 100 (pixels), got {height!r}")
    page = html_page(root, **options)
    edge_count = sum(len(node.parents) for node in nodes_in_order(root))
    return StepThrough(page, edge_count, height)


_STYLE = """
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; margin: 0.8em; color: #222; background: #fff; font-size: 15px; }
h1 { font-size: 1.2em; margin: 0 0 0.3em 0; }
.hint { color: #555; font-size: 0.9em; margin: 0.2em 0; }
#controls { margin: 0.4em 0; display: flex; gap: 0.4em; align-items: center; flex-wrap: wrap; }
#controls button { font-size: 1em; padding: 0.3em 0.8em; }
#phase button[aria-pressed="true"] { background: #333; color: #fff; }
#slider { flex: 1 1 10em; min-width: 8em; }
#counter { font-weight: bold; min-width: 9em; }
#explanation { background: #f6f6f6; border-left: 4px solid #d62728; padding: 0.4em 0.7em; min-height: 3em; }
#formula { font-family: monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
#update { font-family: monospace; margin-top: 0.2em; overflow-wrap: anywhere; }
#layout { display: grid; grid-template-columns: minmax(0, 2.4fr) minmax(17em, 1fr); gap: 0.8em; align-items: start;
  margin-top: 0.5em; }
#graph { overflow: auto; border: 1px solid #ddd; max-height: calc(100vh - 13em); min-height: 8em; }
#graph svg { display: block; max-width: 100%; height: auto; max-height: calc(100vh - 13.5em); }
#side { min-width: 0; }
table.grads { border-collapse: collapse; width: 100%; font-size: 0.9em; }
table.grads td, table.grads th { border: 1px solid #ccc; padding: 0.1em 0.4em; }
td.name { overflow-wrap: anywhere; }
td.num { font-family: monospace; text-align: right; }
.partial { color: #b35900; font-style: italic; }
.final { color: #116611; font-weight: bold; }
tr.active td { background: #ffe4e1; }
tr.upstream td { background: #fff0c2; }
#legend { list-style: none; padding: 0; margin: 0.5em 0 0 0; font-size: 0.85em; }
#legend li { margin: 0.1em 0; break-inside: avoid; }
.swatch { display: inline-block; width: 1.1em; height: 0.9em; border: 1px solid #888; margin-right: 0.4em;
  vertical-align: middle; }
.swatch.outline { background: #fff; border-width: 3px; }
.swatch.upstream { border-color: #d62728; }
.swatch.receiving { border-color: #1f77b4; }
.swatch.computing { border-color: #2ca02c; }
.swatch.line { border: 0; border-top: 3px solid #d62728; height: 0.2em; }
.grad-sample { font-family: monospace; margin-right: 0.4em; }
rect.halo { fill: none; stroke-width: 3; pointer-events: none; }
rect.halo.upstream { stroke: #d62728; }
rect.halo.receiving { stroke: #1f77b4; }
rect.halo.computing { stroke: #2ca02c; }
path.flow { fill: none; stroke: #d62728; stroke-width: 3; stroke-dasharray: 7 4;
  animation: glassgrad-flow 0.6s linear infinite; }
path.flow.forward { stroke: #2ca02c; }
@keyframes glassgrad-flow { to { stroke-dashoffset: 11; } }
@media (prefers-reduced-motion: reduce) { path.flow { animation: none; } }
@media (max-width: 800px) {
  body { margin: 0.5em; font-size: 14px; }
  #layout { grid-template-columns: minmax(0, 1fr); }
  #graph { max-height: none; }
  #graph svg { max-width: none; max-height: 60vh; width: auto; }
}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("steps-data").textContent);
  const steps = data.steps;
  const forward = data.forward;
  const total = steps.length;
  let phase = "backward";
  let current = 0;
  let limit = data.practice ? 0 : total;  // practice: only the steps answered can be shown
  let timer = null;
  const highlight = "#d62728";
  const svg = document.querySelector("#graph svg");
  const svgNS = svg ? svg.namespaceURI : "";  // the SVG namespace, read from the page (nothing to fetch)

  // one arrowhead, drawn at the start of a path and pointing back along it
  if (svg) {
    const defs = document.createElementNS(svgNS, "defs");
    [["glassgrad-back", highlight, "auto-start-reverse", "marker-start"],
     ["glassgrad-ahead", "#2ca02c", "auto", "marker-end"]].forEach(function (m) {
      const marker = document.createElementNS(svgNS, "marker");
      marker.setAttribute("id", m[0]);
      marker.setAttribute("viewBox", "0 0 10 10");
      marker.setAttribute("refX", "5"); marker.setAttribute("refY", "5");
      marker.setAttribute("markerWidth", "4"); marker.setAttribute("markerHeight", "4");
      marker.setAttribute("orient", m[2]);
      const tip = document.createElementNS(svgNS, "path");
      tip.setAttribute("d", "M0,0 L10,5 L0,10 z");
      tip.setAttribute("fill", m[1]);
      marker.appendChild(tip);
      defs.appendChild(marker);
    });
    svg.insertBefore(defs, svg.firstChild);
  }
  function group(id) { return document.getElementById(id); }
  function clearMarks() {
    document.querySelectorAll("#graph .glassgrad-mark").forEach(function (mark) { mark.remove(); });
    document.querySelectorAll("#graph g.edge").forEach(function (g) { g.style.opacity = ""; });
    document.querySelectorAll("tr.active, tr.upstream").forEach(function (row) {
      row.classList.remove("active"); row.classList.remove("upstream");
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
  function reveal(id) {
    // scroll the graph's own box (never the page) so the node is in view: on a phone the graph is wider than the screen
    const g = group(id);
    const box = document.getElementById("graph");
    if (!g || !g.getBoundingClientRect) { return; }
    const r = g.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) { box.scrollLeft += r.left - b.left - (b.width - r.width) / 2; }
    if (r.top < b.top || r.bottom > b.bottom) { box.scrollTop += r.top - b.top - (b.height - r.height) / 2; }
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
    const leaves = new Set(forward.map(function (f) { return f.node; }));
    data.nodes.forEach(function (node) {
      const isKnown = !leaves.has(node.id) || computed.has(node.id);
      const text = isKnown ? node.data : "?";
      document.getElementById("data-" + node.id).textContent = text;
      const t = dataText(node.id);
      if (t) { t.textContent = "data " + text; }
    });
  }
  function showForward(k) {
    clearMarks();
    showData(k);
    data.nodes.forEach(function (node) {
      const cell = document.getElementById("grad-" + node.id);
      cell.textContent = ""; cell.setAttribute("data-grad", ""); cell.className = "num grad";
      const t = gradText(node.id);
      if (t) { t.textContent = "grad ?"; t.removeAttribute("fill"); }
    });
    const formula = document.getElementById("formula");
    const update = document.getElementById("update");
    if (k === 0) {
      formula.textContent = "Forward pass: the leaves are given; press Next to compute each value from its parents.";
      update.textContent = "";
    } else {
      const f = forward[k - 1];
      f.edges.forEach(function (id) { flow(id, false); });
      halo(f.node, "computing");
      reveal(f.node);
      document.getElementById("row-" + f.node).classList.add("active");
      formula.textContent = f.expression;
      update.textContent = k === forward.length ? "Forward pass done: now switch to Backward pass." : "";
    }
  }
  function showBackward(k) {
    clearMarks();
    showData(forward.length);
    const grads = known(k);
    data.nodes.forEach(function (node) {
      const grad = grads.get(node.id);
      const cell = document.getElementById("grad-" + node.id);
      const svgText = gradText(node.id);
      const text = grad ? grad.text : "?";
      if (svgText) {
        svgText.textContent = "grad " + text;
        const justChanged = k > 0 && steps[k - 1].parent === node.id;
        if (justChanged) { svgText.setAttribute("fill", highlight); } else { svgText.removeAttribute("fill"); }
      }
      cell.textContent = text;
      cell.setAttribute("data-grad", grad ? grad.repr : "");
      const isFinal = grad && k >= node.finalAt;
      cell.className = "num grad" + (grad ? (isFinal ? " final" : " partial") : "");
    });
    const formula = document.getElementById("formula");
    const update = document.getElementById("update");
    if (k === 0) {
      formula.textContent = "Start: the seed, d(output)/d(output) = " + data.seed.text +
        ". Press Next (or the right arrow).";
      update.textContent = "";
    } else {
      const step = steps[k - 1];
      flow(step.outEdge, true);
      flow(step.edge, true);
      halo(step.node, "upstream");
      halo(step.parent, "receiving");
      reveal(step.node);
      document.getElementById("row-" + step.parent).classList.add("active");
      document.getElementById("row-" + step.node).classList.add("upstream");
      formula.textContent = "d " + step.nodeName + " / d " + step.parentName + ":  " + step.formula;
      update.textContent = step.parentName + ".grad += " + step.local + " * " + step.upstream +
        "  (local * upstream = " + step.contribution + "):  " + step.before + " -> " + step.after +
        "   [gradient flows " + step.nodeName + " -> " + step.parentName + "]";
    }
  }
  function show(k) {
    current = Math.max(0, Math.min(last(), k));
    if (phase === "forward") { showForward(current); } else { showBackward(current); }
    const counter = document.getElementById("counter");
    const of = phase === "forward" ? forward.length : total;
    counter.textContent = (phase === "forward" ? "Forward step " : "Step ") + current + " of " + of;
    counter.setAttribute("data-step", String(current));
    counter.setAttribute("data-phase", phase);
    const slider = document.getElementById("slider");
    slider.max = String(phase === "forward" ? forward.length : limit);
    slider.value = String(current);
    document.getElementById("prev").disabled = current === 0;
    document.getElementById("next").disabled = current >= last();
  }
  function setPhase(name) {
    stop();
    phase = name;
    document.getElementById("phase-forward").setAttribute("aria-pressed", String(name === "forward"));
    document.getElementById("phase-backward").setAttribute("aria-pressed", String(name === "backward"));
    show(0);
  }
  function interval() { return Number(document.getElementById("speed").value); }
  function stop() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }
  function tick() {
    if (current >= last()) { stop(); return; }
    show(current + 1);
    timer = setTimeout(tick, interval());
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current >= last()) { show(0); }
    document.getElementById("play").textContent = "Pause";
    timer = setTimeout(tick, interval());
  }
  document.getElementById("prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  document.getElementById("play").addEventListener("click", play);
  document.getElementById("slider").addEventListener("input", function (event) {
    stop(); show(Number(event.target.value));
  });
  document.getElementById("phase-forward").addEventListener("click", function () { setPhase("forward"); });
  document.getElementById("phase-backward").addEventListener("click", function () { setPhase("backward"); });
  if (data.practice) { document.getElementById("phase").style.display = "none"; }
  document.addEventListener("keydown", function (event) {
    if (event.target && (event.target.tagName === "INPUT" || event.target.tagName === "SELECT")) { return; }
    if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { stop(); show(0); event.preventDefault(); }
    else if (event.key === "End") { stop(); show(last()); event.preventDefault(); }
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
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<p class="hint">Backward: each step applies the chain rule to one edge, the gradient flowing from a node back to
its parent: parent.grad += (d node / d parent) * node.grad. {step_count} steps ({forward_count} in the forward pass).
Keys: left/right arrows, space to play, Home/End.</p>
<div id="controls">
<span id="phase"><button id="phase-forward" type="button" aria-pressed="false">Forward pass</button>
<button id="phase-backward" type="button" aria-pressed="true">Backward pass</button></span>
<button id="prev" type="button">Previous</button>
<button id="next" type="button">Next</button>
<button id="play" type="button">Play</button>
<label for="speed">Speed</label>
<select id="speed"><option value="1800">slow</option><option value="900" selected>normal</option>
<option value="300">fast</option></select>
<input id="slider" type="range" min="0" max="{step_count}" value="0" step="1" aria-label="step">
<span id="counter" data-step="0" data-phase="backward">Step 0 of {step_count}</span>
</div>
{practice}
<div id="explanation"><div id="formula"></div><div id="update"></div></div>
<div id="layout">
<div id="graph">
{svg}
</div>
<div id="side">
<table class="grads">
<thead><tr><th>value</th><th>kind</th><th>data</th><th>grad so far</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<ul id="legend">
{legend}
</ul>
</div>
</div>
<script type="application/json" id="steps-data">{data}</script>
<script>{script}</script>
{practice_script}
</body>
</html>
"""

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
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from autograd import describe
from autograd.core.checks import quote
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.files import write_file
from autograd.graph import leaf_kinds, named_values, node_names, nodes_in_order
from autograd.modes import compare_modes  # forward mode beside reverse, shown here too
from autograd.pages import InlinePage, render
from autograd.paths import paths  # d root/d leaf as a sum over paths, shown here too
from autograd.steps import BackwardStep, backward_steps, final_grads, local_derivative_formula
from autograd.viz import DEFAULT_MAX_NODES, KIND_COLOURS, check_draw_options, draw

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "PAGE_OPTIONS",
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


# The notebook tables: numbers at the text's own size (a bare "monospace" font shrinks to about 13 px in browsers,
# and notebook and docs themes shrink tables and code further), formulas on one line, a wide table scrolling.
_MONOSPACE = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace"
_NUMBER_STYLE = f"text-align:right;font-size:inherit;white-space:nowrap;font-variant-numeric:tabular-nums;{_MONOSPACE}"
_TEXT_STYLE = "text-align:left;font-size:inherit"
_CODE_STYLE = f"white-space:nowrap;font-size:inherit;background:none;padding:0;{_MONOSPACE}"
_TABLE_STYLE = "border-collapse:collapse;font-size:inherit;margin:0.3em 0"


def _html_table(header: Iterable[str], rows: Iterable[Iterable[str]], numeric: Iterable[int] = ()) -> str:
    right = set(numeric)
    head = "".join(f"<th style='{_TEXT_STYLE}'>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{_NUMBER_STYLE}">{html.escape(c)}</td>'
            if k in right
            else f"<td style='{_TEXT_STYLE}'><code style=\"{_CODE_STYLE}\">{html.escape(c)}</code></td>"
            for k, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        "<div style='max-width:100%;overflow-x:auto'>"
        f"<table style='{_TABLE_STYLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


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
        "<div class='glassgrad-explain' style='font-size:inherit'>"
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
    found = [_SVG_SIZE.search(svg) for svg in svgs]
    sizes = [match for match in found if match is not None]
    if len(sizes) != len(svgs):
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
        files.append(write_file(path, picture_bytes, what="frames()"))
    return files


def _svg_element(svg: str) -> str:
    """The ``<svg>...</svg>`` element of Graphviz's SVG output (no XML prolog or DOCTYPE to fetch)."""
    start = svg.index("<svg")
    return svg[start:].strip()


#: What the legend says of each kind of value, beside its colour in the picture.
_KIND_NOTES = {
    "parameter": "parameter (a weight or bias)",
    "input": "input",
    "leaf": "leaf (a Value no op made)",
    "interior": "computed by an op",
}
#: The options of :func:`html_page`, which :func:`save_html` and :func:`step_through` pass on.
PAGE_OPTIONS = (
    "gradient",
    "title",
    "parameters",
    "inputs",
    "rankdir",
    "collapse",
    "max_nodes",
    "digits",
    "practice",
    "names",
    "rtol",
    "atol",
)


def _check_page_options(function: str, options: Mapping[str, Any]) -> None:
    unknown = sorted(set(options) - set(PAGE_OPTIONS))
    if unknown:
        raise TypeError(
            f"{function} got an unknown option {unknown[0]}={quote(options[unknown[0]])}; "
            f"its options are {', '.join(PAGE_OPTIONS)}"
        )


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
    rtol: float | None = None,
    atol: float | None = None,
) -> str:
    """The step-through page of :func:`save_html` as a string (one self-contained HTML document).

    Made by the page kit (:func:`autograd.pages.render`): the graph, the
    names and the numbers travel as JSON and the page's script shows them
    as text, so a label or title shows as written, whatever it holds.
    ``rtol`` and ``atol`` (practice only, both or neither) replace the
    practice rule by a tolerance.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> html_page(a * b).startswith("<!DOCTYPE html>")  # doctest: +SKIP
    True
    """

    check_draw_options("save_html()", collapse=collapse, digits=digits, title=title)
    if not isinstance(practice, bool):
        raise TypeError(f"save_html() practice must be True or False, got {type(practice).__name__}: {quote(practice)}")
    if not practice and (rtol is not None or atol is not None):
        raise ValueError("save_html() rtol and atol judge practice answers: pass them with practice=True")
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

    present = set(kinds.values())
    data: dict[str, Any] = {
        "svg": svg,
        "root": f"n{index[root]}",
        "seed": {"text": number(gradient), "repr": repr(gradient)},
        "kindColours": dict(KIND_COLOURS),
        "kinds": [
            {"kind": kind, "colour": KIND_COLOURS[kind], "note": note}
            for kind, note in _KIND_NOTES.items()
            if kind in present or (kind == "interior" and "root" in present)
        ],
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
            for node in nodes
            if node.parents
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
    if practice:
        from autograd.practice_page import practice_data

        data["practice"] = practice_data(root, steps, node_name, rtol=rtol, atol=atol)
    return render("practice" if practice else "step_through", data, title=title)


def save_html(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Run backward and write one self-contained HTML page that steps through it; it changes no grad.

    The page holds the graph (SVG drawn by Graphviz) beside a table of
    every Value's data and grad, a legend for every colour, Previous / Next /
    Play buttons, a slider over the steps and a speed for Play (keyboard:
    left and right arrows, space to play, Home / End). Each backward step
    highlights its edge with an arrow pointing the way the gradient flows
    (from the node back to its parent), outlines the upstream node (red) and
    the parent (blue) in the picture and in the table, shows the formula and
    ``parent.grad += local * upstream`` with the numbers, and fills in the
    grads known so far. "Forward pass" steps through the forward pass
    instead: each node's value computed in order. Nothing is fetched from
    the network; the page fits 1366x768 and a 390 px phone.

    ``options`` are :func:`html_page`'s: ``gradient``, ``title``,
    ``parameters`` (a model or ``model.named_parameters()``: state-dict
    names), ``inputs``, ``names`` (any Value to a name), ``rankdir``,
    ``collapse``, ``max_nodes``, ``digits``, and ``practice=True``: the grads
    are hidden and the learner types each step's result, judged as
    :mod:`autograd.practice_page` says (``rtol``/``atol`` replace the rule).
    Needs the Graphviz ``dot`` program. The page is written whole or not at
    all (:func:`autograd.files.write_file`); a missing folder is made.
    Returns the path written.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> save_html(a * b, "backprop.html")  # doctest: +SKIP
    PosixPath('backprop.html')
    """
    _check_page_options("save_html()", options)
    page = html_page(root, **options)
    folder = Path(os.fsdecode(path)).parent
    if not folder.exists():
        folder.mkdir(parents=True)
    return write_file(path, page, what="save_html()")


class StepThrough(InlinePage):
    """The step-through page for a notebook: shown inline, in an iframe holding the whole page (``srcdoc``).

    Nothing is served or written: ``html`` is the page, ``save(path)`` writes it to a file if you want one. In the
    iframe the graph keeps its size and scrolls inside its box when it is wider than the notebook.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> step_through(a * b)  # doctest: +SKIP
    <StepThrough: 2 backward steps; shown inline in a notebook, .save(path) to keep it>
    """

    def __init__(self, page: str, step_count: int, height: int = 720) -> None:
        super().__init__(page, f"StepThrough: {step_count} backward steps", height)
        self.step_count = step_count


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
        raise ValueError(f"step_through() height must be an int of at least 100 (pixels), got {quote(height)}")
    _check_page_options("step_through()", options)
    page = html_page(root, **options)
    edge_count = sum(len(node.parents) for node in nodes_in_order(root))
    return StepThrough(page, edge_count, height)

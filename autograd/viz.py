"""Pictures of the computation graph: ``draw(root)`` -> a ``graphviz.Digraph``.

Every Value becomes one box showing its name, ``data`` and ``grad``; the op
that made it is a separate small node (``+``, ``*``, ``tanh``, ``dot``, ...)
with an edge from each parent. Plain numbers folded into a node as constants
appear as small dashed nodes. Leaves are coloured by kind: parameters (blue),
inputs (green), other leaves (yellow).

Node ids come from the topological index (``n0``, ``n1``, ...: parents before
children, leaves included), never from ``id()``, so the DOT source of the same
graph is the same from run to run and can be compared in tests.

>>> from autograd import Value
>>> from autograd.viz import draw
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> picture = draw(a * b + 1)            # a graphviz.Digraph
>>> picture.render("graph", format="svg")  # needs the Graphviz `dot` program  # doctest: +SKIP

The module itself is standard library only: ``graphviz`` is imported when
``draw`` is called, so ``import autograd`` never loads it.
"""

from __future__ import annotations

import functools
import html
import numbers
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from autograd import describe
from autograd.core.checks import quote
from autograd.core.kinds import OPS
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import leaf_kinds, named_values, node_names, nodes_in_order, printable

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

__all__ = [
    "DEFAULT_MAX_NODES",
    "HIGHLIGHT_COLOUR",
    "INSTALL_GRAPHVIZ_PACKAGE",
    "INSTALL_GRAPHVIZ_PROGRAM",
    "KIND_COLOURS",
    "UNKNOWN_GRAD",
    "check_draw_options",
    "constant_caption",
    "draw",
    "escape_label_text",
    "escape_label_text_for_graph",
    "folded_constants",
    "graphviz_not_found_error",
    "leaf_kinds",
    "named_values",
    "node_names",
    "nodes_in_order",
    "op_caption",
]

#: How to install what drawing needs; used in the error messages.
INSTALL_GRAPHVIZ_PACKAGE = 'pip install "glassgrad[viz]"  (or: pip install graphviz)'
INSTALL_GRAPHVIZ_PROGRAM = (
    "install the Graphviz program `dot`: apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), or see https://graphviz.org/download/"
)

#: Default cap on the number of DOT nodes (Value boxes + op nodes + constants) in one picture.
DEFAULT_MAX_NODES = 500

# Fill colours by kind of node (light, so black text stays readable).
KIND_COLOURS = {
    "parameter": "#cfe2ff",
    "input": "#d1f2dc",
    "leaf": "#fff3c4",
    "interior": "#ffffff",
    "root": "#ffffff",
}
HIGHLIGHT_COLOUR = "#d62728"
UNKNOWN_GRAD = "?"


def folded_constants(node: Value) -> list[float]:
    """The plain numbers folded into ``node`` as constants (they are not parents).

    >>> from autograd import Value
    >>> folded_constants(Value(1.0) * 2.0), folded_constants(Value(1.0) * Value(2.0))
    ([2.0], [])
    """
    return describe.constants(node)


def op_caption(node: Value) -> str:
    """The op's symbol, with its parameters: ``*``, ``tanh``, ``leaky_relu(0.1)``, ``softmax[2]``.

    >>> from autograd import Value
    >>> op_caption(Value(1.0).leaky_relu(0.1)), op_caption(Value(1.0) * Value(2.0))
    ('leaky_relu(0.1)', '*')
    """
    return describe.caption(node)


def constant_caption(node: Value) -> str:
    """Text for the constants folded into ``node``: ``2.0``, ``b = 2.0``, or a short list for a ``dot``.

    >>> from autograd import Value
    >>> constant_caption(Value(1.0) * 2.0)
    '2.0'
    """
    return describe.constant_caption(node)


# ---------------------------------------------------------------------------
# Escaping: any label text becomes a safe HTML-like DOT label
# ---------------------------------------------------------------------------
def escape_label_text(text: str) -> str:
    """``text`` as content of a Graphviz HTML-like label.

    ``& < > " '`` become entities, newlines become ``<BR/>``, other control
    characters (which XML forbids) are shown as ``\\xNN``, a lone surrogate (not
    text: a file name's undecodable byte) as U+FFFD, and backslashes are
    doubled (Graphviz would expand ``\\N`` to the node's name). ``| { }`` need
    nothing: in HTML-like labels they are not record syntax.

    >>> escape_label_text("a < b & c")
    'a &lt; b &amp; c'
    """
    lines = printable(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    escaped = []
    for line in lines:
        visible = "".join(
            f"\\x{ord(ch):02x}" if (ord(ch) < 32 or ord(ch) == 127 or 0xFFFE <= ord(ch) <= 0xFFFF) else ch
            for ch in line
        )
        # Graphviz expands \N, \G, \E, \T, \H, \L even in HTML-like labels and
        # reads "\\" as one backslash: doubling every backslash keeps them all literal.
        # "]" is written as an entity: Graphviz 2.43 rejects some labels that start with it.
        escaped.append(html.escape(visible, quote=True).replace("\\", "\\\\").replace("]", "&#93;"))
    return "<BR/>".join(escaped)


# ---------------------------------------------------------------------------
# Rendering errors that say what to install
# ---------------------------------------------------------------------------
def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(f"drawing needs the graphviz Python package: {INSTALL_GRAPHVIZ_PACKAGE}") from error
    return graphviz


@functools.cache
def _digraph_class() -> type:
    """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz.

    Built on first use, so graphviz is imported only when drawing.
    """
    graphviz = _import_graphviz()

    class GraphvizNotFoundError(graphviz.ExecutableNotFound):
        """The Graphviz program ``dot`` is missing: the DOT source is fine, rendering is not possible."""

        def __init__(self, args: Any) -> None:
            super().__init__(args)
            self.message = "rendering the graph needs the Graphviz program `dot`, which was not found; " + (
                f"{INSTALL_GRAPHVIZ_PROGRAM}. (The DOT source is available without it: .source)"
            )

        def __str__(self) -> str:
            return self.message

    def explained(method: Any) -> Any:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                if isinstance(error, GraphvizNotFoundError):
                    raise
                raise GraphvizNotFoundError(error.args[0] if error.args else "dot") from error

        return wrapper

    class GlassgradDigraph(graphviz.Digraph):
        """A graphviz.Digraph of a glassgrad graph; rendering without ``dot`` says how to install it.

        It counts the nodes and edges it draws (its subgraphs' too), for its ``repr``.
        """

        pipe = explained(graphviz.Digraph.pipe)
        render = explained(graphviz.Digraph.render)
        view = explained(graphviz.Digraph.view)
        drawn_nodes = 0
        drawn_edges = 0

        def node(self, *args: Any, **kwargs: Any) -> None:
            graphviz.Digraph.node(self, *args, **kwargs)
            self.drawn_nodes += 1

        def edge(self, *args: Any, **kwargs: Any) -> None:
            graphviz.Digraph.edge(self, *args, **kwargs)
            self.drawn_edges += 1

        def subgraph(self, graph: Any = None, *args: Any, **kwargs: Any) -> Any:
            if isinstance(graph, GlassgradDigraph):
                self.drawn_nodes += graph.drawn_nodes
                self.drawn_edges += graph.drawn_edges
            return graphviz.Digraph.subgraph(self, graph, *args, **kwargs)

        def __repr__(self) -> str:
            nodes, edges = self.drawn_nodes, self.drawn_edges
            return (
                f"<glassgrad graph: {nodes} node{'' if nodes == 1 else 's'}, {edges} edge{'' if edges == 1 else 's'}; "
                "show it in a notebook or .render(...)>"
            )

        @explained
        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
            """graphviz's bundle (SVG), plus the SVG in a box that scrolls: a wide graph is not clipped."""
            bundle = graphviz.Digraph._repr_mimebundle_(self, include, exclude, **kwargs)
            svg = bundle.get("image/svg+xml")
            if svg is not None and (exclude is None or "text/html" not in exclude):
                start = svg.find("<svg")
                bundle["text/html"] = (
                    '<div class="glassgrad-graph" style="max-width:100%;overflow:auto">'
                    + svg[max(start, 0) :]
                    + "</div>"
                )
            return bundle

    GlassgradDigraph.NotFoundError = GraphvizNotFoundError
    return GlassgradDigraph


def graphviz_not_found_error() -> type:
    """The exception type raised when rendering without ``dot`` (a ``graphviz.ExecutableNotFound``).

    >>> issubclass(graphviz_not_found_error(), Exception)
    True
    """
    return _digraph_class().NotFoundError


# ---------------------------------------------------------------------------
# draw
# ---------------------------------------------------------------------------
def _value_label(
    name: str,
    data: str,
    grad: str | None,
    colour: str,
    header: str | None,
    border: int,
    grad_colour: str | None = None,
) -> str:
    cells = []
    if header is not None:
        cells.append(f'<TD BGCOLOR="#eeeeee"><FONT POINT-SIZE="11">{escape_label_text(header)}</FONT></TD>')
    cells.append(f"<TD><B>{escape_label_text(name)}</B></TD>")
    cells.append(f"<TD>data {escape_label_text(data)}</TD>")
    if grad is not None:
        grad_text = f"grad {escape_label_text(grad)}"
        if grad_colour is not None:
            grad_text = f'<FONT COLOR="{grad_colour}">{grad_text}</FONT>'
        cells.append(f"<TD>{grad_text}</TD>")
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{colour}">'
        f"<TR>{''.join(cells)}</TR></TABLE>>"
    )


class _Layout:
    """What will be drawn: which Values are boxes, which leaves are folded away."""

    def __init__(self, nodes: list[Value], collapse: bool) -> None:
        self.nodes = nodes
        self.index = {node: i for i, node in enumerate(nodes)}
        self.collapse = collapse
        self.folded: set[Value] = set()
        if collapse:
            consumers: dict[Value, set[str]] = {}
            for node in nodes:
                for parent in node.parents:
                    if not parent.parents:
                        consumers.setdefault(parent, set()).add(node.op)
            folding = {name for name, op in OPS.items() if describe.description(op).folds_in}
            self.folded = {leaf for leaf, ops in consumers.items() if ops <= folding}

    def dot_node_count(self) -> int:
        count = 0
        for node in self.nodes:
            if node in self.folded:
                continue
            count += 1
            if node.parents and not self.collapse:
                count += 1  # the op node
            if node.parents and folded_constants(node) and not (self.collapse and describe.folds_in(node)):
                count += 1  # the constants node
        return count


def draw(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    *,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    collapse: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    digits: int = 4,
    grads: Mapping[Value, Any] | None = None,
    highlight: tuple[Value, int] | Any = None,
    title: str | None = None,
    names: Mapping[Value, str] | None = None,
    graph_attributes: Mapping[str, str] | None = None,
) -> graphviz.Digraph:
    """A ``graphviz.Digraph`` of everything ``root`` depends on.

    - One box per Value: name (label, or ``n<index>``), ``data`` and (with
      ``show_grad``) ``grad``. DOT ids are ``n<topological index>``; the op
      node of ``n5`` is ``n5_op``, its folded constants ``n5_const``, and the
      edge from its k-th parent ``e5_k``.
    - Leaves are coloured by kind (see :func:`leaf_kinds`): pass
      ``parameters=model.parameters()`` and/or ``inputs=[...]``. Pass the
      model itself, or ``model.named_parameters()``, and the weights are
      named as in its state dict (``layers.0.neurons.1.w.0``); ``names=``
      (a mapping Value -> name) names any Value.
    - ``collapse=True`` draws each op inside its Value's box and folds leaves
      used only by ``dot`` and ``relu_dot`` nodes (a neuron's weights and
      bias) into the neuron: a fused neuron shows as one node (its
      plain-number inputs are counted in its box, not drawn). Use it for
      networks. With state-dict names each layer is a cluster
      (``layers.0``) and its neurons have short names (``neurons.1``).
    - More than ``max_nodes`` DOT nodes raises ValueError saying how to draw less.
    - ``grads``: draw these grads instead of ``.grad`` (a Value missing from the
      mapping shows ``grad ?``); ``highlight=(node, k)`` marks the edge from
      ``node``'s k-th parent. The step-through (``autograd.explain``) uses both.
      ``highlight=path`` (one of ``autograd.explain.paths(root, leaf)``, or any
      object with ``edges``, a sequence of ``(node, k)``) marks every edge and
      box on that path.
    - ``graph_attributes``: extra Graphviz graph attributes (``size``, ``ratio``, ...).
    - A bad option raises TypeError or ValueError naming it and the value.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> "n2_op [label=<*>" in draw(a * b).source
    True

    Rendering (``.render``, ``.pipe``, notebook display) needs the Graphviz
    ``dot`` program; without it the error says how to install it.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw() needs a Value as root, got {type(root).__name__}: {quote(root)}")
    if not isinstance(rankdir, str) or rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw() rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {quote(rankdir)}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw() max_nodes must be a positive int, got {type(max_nodes).__name__}: {quote(max_nodes)}")
    check_draw_options("draw()", show_grad=show_grad, collapse=collapse, digits=digits, title=title)
    for option, value in (("grads", grads), ("names", names), ("graph_attributes", graph_attributes)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"draw() {option} must be a mapping or None, got {type(value).__name__}: {quote(value)}")
    _check_mappings(grads, names, graph_attributes)
    parameters, parameter_names = named_values(parameters, where="draw()")
    inputs = _values_option(inputs, "inputs")
    digraph_class = _digraph_class()  # fails early and clearly without the graphviz package

    nodes = nodes_in_order(root)
    layout = _Layout(nodes, collapse)
    count = layout.dot_node_count()
    if count > max_nodes:
        advice = "draw a smaller model or a single example's loss, or raise max_nodes"
        if not collapse:
            collapsed = _Layout(nodes, True).dot_node_count()
            advice = f"pass collapse=True (one node per neuron: {collapsed} nodes for this graph), " + advice
        raise ValueError(
            f"draw(): the graph has {count} nodes ({len(nodes)} Values), more than max_nodes={max_nodes}; "
            f"to draw less, {advice}"
        )

    names = node_names(nodes, {**parameter_names, **(names or {})})
    kinds = leaf_kinds(nodes, parameters, inputs)
    index = layout.index
    cluster_of, short_names = _layer_clusters(nodes, layout, names) if collapse else ({}, {})
    clusters: dict[str, Any] = {}
    highlighted_edges, highlighted_nodes, path_mode = _highlighted(highlight)

    picture = digraph_class(name="glassgrad", comment="a glassgrad computation graph")
    picture.attr(rankdir=rankdir, fontname="Helvetica", nodesep="0.25", ranksep="0.35", **(graph_attributes or {}))
    if title is not None:
        picture.attr(label=escape_label_text_for_graph(title), labelloc="t", fontsize="14")
    picture.attr("node", fontname="Helvetica", fontsize="12")
    picture.attr("edge", arrowsize="0.7", fontname="Helvetica")

    for node in nodes:
        if node in layout.folded:
            continue
        i = index[node]
        node_id = f"n{i}"
        if show_grad:
            if grads is None:
                grad_text: str | None = format_number(node.grad, digits)
            else:
                grad_text = format_number(grads[node], digits) if node in grads else UNKNOWN_GRAD
        else:
            grad_text = None
        kind = kinds[node]
        header = None
        if not node.parents:
            header = kind
        elif node in cluster_of:
            header = op_caption(node)  # short: the cluster and the name say the rest
        elif collapse:
            header = op_caption(node)
            folded = []
            folded_count = sum(1 for parent in node.parents if parent in layout.folded)
            if folded_count:
                folded.append(f"{folded_count} leaves")
            if describe.folds_in(node) and folded_constants(node):
                folded.append(f"{len(folded_constants(node))} constants")
            if folded:
                header += f" ({', '.join(folded)} folded in)"
        is_active = node in highlighted_nodes
        label = _value_label(
            short_names.get(node, names[node]),
            format_number(node.data, digits),
            grad_text,
            KIND_COLOURS[kind],
            header,
            border=2 if (kind == "root" or is_active) else 0,
            grad_colour=HIGHLIGHT_COLOUR if is_active else None,
        )
        attributes = {"shape": "plain", "id": node_id}
        if is_active:
            attributes["color"] = HIGHLIGHT_COLOUR
        home = picture
        if node in cluster_of:
            home = clusters.get(cluster_of[node])
            if home is None:
                home = clusters[cluster_of[node]] = digraph_class(name=f"cluster_{cluster_of[node]}")
                home.attr(label=escape_label_text_for_graph(cluster_of[node]), style="rounded,dashed", color="#888888")
        home.node(node_id, label=label, **attributes)

        if not node.parents:
            continue
        target = node_id
        if not collapse:
            target = f"n{i}_op"
            picture.node(
                target,
                label=escape_label_text_for_graph(op_caption(node)),
                id=target,
                shape="ellipse",
                style="filled",
                fillcolor="#eeeeee",
                fontsize="11",
                margin="0.04,0.02",
                height="0.3",
            )
            on_path = path_mode and any((node, k) in highlighted_edges for k in range(len(node.parents)))
            out_edge = {"color": HIGHLIGHT_COLOUR, "penwidth": "3"} if on_path else {}
            picture.edge(target, node_id, id=f"e{i}_out", **out_edge)
        if folded_constants(node) and not (collapse and describe.folds_in(node)):
            constants_id = f"n{i}_const"
            picture.node(
                constants_id,
                label=escape_label_text_for_graph(constant_caption(node)),
                id=constants_id,
                shape="box",
                style="dashed,rounded",
                fontsize="10",
                margin="0.04,0.02",
                height="0.25",
                color="#888888",
                fontcolor="#555555",
            )
            picture.edge(constants_id, target, id=f"e{i}_const", style="dashed", color="#888888")
        for position, parent in enumerate(node.parents):
            if parent in layout.folded:
                continue
            edge_attributes = {"id": f"e{i}_{position}"}
            letter = describe.operand_letter(node, position)
            if letter is not None:
                edge_attributes["label"] = letter
                edge_attributes["fontsize"] = "10"
            if (node, position) in highlighted_edges:
                edge_attributes.update(color=HIGHLIGHT_COLOUR, penwidth="3")
            picture.edge(f"n{index[parent]}", target, **edge_attributes)
    for cluster in clusters.values():
        picture.subgraph(cluster)
    return picture


def _values_option(values: Any, option: str) -> list[Value] | None:
    """``inputs=``: None, or an iterable of Values, as a list; TypeError naming the option otherwise."""
    if values is None:
        return None
    if isinstance(values, Value | str | bytes) or not isinstance(values, Iterable):
        raise TypeError(
            f"draw() {option}= must be Values (a list or set of them) or None, got "
            f"{type(values).__name__}: {quote(values)}"
        )
    found = list(values)
    for item in found:
        if not isinstance(item, Value):
            raise TypeError(f"draw() {option}= must hold Values, got {type(item).__name__}: {quote(item)}")
    return found


def _check_mappings(grads: Any, names: Any, graph_attributes: Any) -> None:
    """Each entry of ``grads=`` (Value -> number), ``names=`` (Value -> str), ``graph_attributes=`` (str -> str)."""
    for node, grad in (grads or {}).items():
        if not isinstance(node, Value) or isinstance(grad, bool) or not isinstance(grad, numbers.Real | Value):
            raise TypeError(
                f"draw() grads= must map Values to numbers, got {type(node).__name__}: {quote(node)} -> "
                f"{type(grad).__name__}: {quote(grad)}"
            )
    for node, name in (names or {}).items():
        if not isinstance(node, Value) or not isinstance(name, str):
            raise TypeError(
                f"draw() names= must map Values to str, got {type(node).__name__}: {quote(node)} -> "
                f"{type(name).__name__}: {quote(name)}"
            )
    for key, value in (graph_attributes or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                f"draw() graph_attributes= must map str to str (Graphviz attributes, like size='8,5'), got "
                f"{type(key).__name__}: {quote(key)} -> {type(value).__name__}: {quote(value)}"
            )


def check_draw_options(function: str, **options: Any) -> None:
    """TypeError/ValueError naming the option for a bad ``show_grad``, ``collapse``, ``digits`` or ``title``.

    >>> check_draw_options("draw_dot", digits=-1)
    Traceback (most recent call last):
      ...
    ValueError: ...
    """
    for option in ("show_grad", "collapse"):
        if option in options and not isinstance(options[option], bool):
            value = options[option]
            raise TypeError(f"{function} {option} must be True or False, got {type(value).__name__}: {quote(value)}")
    digits = options.get("digits", 4)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"{function} digits must be an int from 1 to 17, got {quote(digits)}")
    title = options.get("title")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{function} title must be a str or None, got {type(title).__name__}: {quote(title)}")


def _common_prefix(dotted: list[str]) -> list[str]:
    parts = [name.split(".") for name in dotted]
    prefix: list[str] = []
    for column in zip(*parts):
        if len(set(column)) != 1:
            break
        prefix.append(column[0])
    return prefix


def _layer_clusters(nodes: list[Value], layout: _Layout, names: dict[Value, str]) -> tuple[dict, dict]:
    """For ``collapse=True``: the layer (cluster) of each neuron and its short name, read from state-dict names.

    A neuron whose folded leaves are named ``layers.0.neurons.1.w.0``, ...,
    ``layers.0.neurons.1.b`` is ``neurons.1`` in the cluster ``layers.0``; an
    unlabeled activation of it (``tanh``) joins its cluster as ``neurons.1 tanh``.
    """
    cluster_of: dict[Value, str] = {}
    short: dict[Value, str] = {}
    for node in nodes:
        if not node.parents or node.label:
            continue
        folded = [names[p] for p in node.parents if p in layout.folded]
        if folded and describe.folds_in(node):
            prefix = _common_prefix(folded)
            if len(prefix) >= 3:
                cluster_of[node] = ".".join(prefix[:-2])
                short[node] = ".".join(prefix[-2:])
        elif len(node.parents) == 1 and node.parents[0] in cluster_of:
            parent = node.parents[0]
            cluster_of[node] = cluster_of[parent]
            short[node] = f"{short[parent]} {op_caption(node)}"
    return cluster_of, short


def escape_label_text_for_graph(text: str) -> str:
    """``text`` as a complete HTML-like DOT label (``<...>``), safe for any characters.

    >>> escape_label_text_for_graph("a < b")
    '<a &lt; b>'
    """
    return f"<{escape_label_text(text)}>"


def _highlighted(highlight: Any) -> tuple[set[tuple[Value, int]], set[Value], bool]:
    """The edges ``(node, k)`` and the boxes ``draw(highlight=...)`` marks, and whether they are a whole path."""
    if highlight is None:
        return set(), set(), False
    edges = getattr(highlight, "edges", None)
    single = edges is None and isinstance(highlight, tuple) and len(highlight) == 2 and isinstance(highlight[0], Value)
    if single:
        edges = [highlight]
    elif edges is None:
        edges = highlight
    wanted = "draw() highlight must be (node, k), a path from paths(), or (node, k) pairs"
    try:
        pairs = {(node, position) for node, position in edges}
    except (TypeError, ValueError):
        raise TypeError(f"{wanted}, got {type(highlight).__name__}: {quote(highlight)}") from None
    for node, position in pairs:
        if not isinstance(node, Value) or isinstance(position, bool) or not isinstance(position, int):
            raise TypeError(f"{wanted}, a Value and an int, got ({quote(node)}, {quote(position)})")
        if not 0 <= position < len(node.parents):
            raise ValueError(
                f"draw() highlight ({quote(node)}, {position}): k must index the node's parents, 0 to "
                f"{len(node.parents) - 1}"
                if node.parents
                else f"draw() highlight: {quote(node)} has no parents"
            )
    boxes = {node for node, _ in pairs}
    if not single:
        boxes |= {node.parents[position] for node, position in pairs}
    return pairs, boxes, not single

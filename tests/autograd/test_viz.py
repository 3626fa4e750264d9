"""autograd.viz: the DOT source, safe labels, leaf kinds, the size cap, and rendering with and without `dot`."""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, cross_entropy, dot, relu_dot
from autograd.viz import (
    HIGHLIGHT_COLOUR,
    KIND_COLOURS,
    draw,
    escape_label_text,
    format_number,
    node_names,
    nodes_in_order,
)

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program `dot` is not installed")


def small_graph() -> tuple[Value, dict[str, Value]]:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    d = c + 10.0
    e = d.tanh()
    e.label = "e"
    return e, {"a": a, "b": b, "c": c, "d": d, "e": e}


def svg_texts(svg: bytes) -> list[str]:
    tree = ET.fromstring(svg)
    return [element.text or "" for element in tree.iter(f"{SVG}text")]


def svg_group(svg: bytes, group_id: str) -> ET.Element:
    tree = ET.fromstring(svg)
    for element in tree.iter(f"{SVG}g"):
        if element.get("id") == group_id:
            return element
    raise AssertionError(f"no <g id={group_id!r}> in the SVG")


# ---------------------------------------------------------------------------
# Order, names, numbers
# ---------------------------------------------------------------------------
def test_nodes_in_order_puts_parents_first_and_keeps_grads():
    root, named = small_graph()
    root.backward()
    grads_before = {node: node.grad for node in nodes_in_order(root)}
    order = nodes_in_order(root)
    assert order == [named[k] for k in "abcde"]
    position = {node: i for i, node in enumerate(order)}
    assert all(position[parent] < position[node] for node in order for parent in node.parents)
    assert {node: node.grad for node in order} == grads_before  # unlike topological_order, no reset


def test_nodes_in_order_handles_a_long_chain_without_recursion():
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    order = nodes_in_order(y)
    assert len(order) == 20_001
    assert order[0] is x and order[-1] is y


def test_node_names_use_labels_and_disambiguate_repeats():
    a, b = Value(1.0, label="w"), Value(2.0, label="w")
    c = a + b
    names = node_names(nodes_in_order(c))
    assert names == {a: "w#1", b: "w#2", c: "n1"}  # unlabeled nodes numbered consecutively: n1, n2, ...


@pytest.mark.parametrize(
    ("number", "text"),
    [(-3.0, "-3.0"), (0.42, "0.42"), (1 / 3, "0.3333"), (1.5e-7, "1.5e-07"), (float("nan"), "nan")],
)
def test_format_number(number, text):
    assert format_number(number) == text
    assert format_number(Value(number)) == text


# ---------------------------------------------------------------------------
# The DOT source
# ---------------------------------------------------------------------------
def test_dot_source_is_the_same_for_the_same_graph_built_twice():
    # Two builds have different id()s: equal sources mean ids come from the graph's shape.
    first, _ = small_graph()
    second, _ = small_graph()
    first.backward()
    second.backward()
    assert draw(first).source == draw(second).source
    assert str(id(first)) not in draw(first).source


def test_dot_source_is_the_same_in_a_fresh_interpreter():
    program = (
        "import sys; sys.path.insert(0, '.')\n"
        "from tests.autograd.test_viz import small_graph\n"
        "from autograd.viz import draw\n"
        "root, _ = small_graph(); root.backward(); sys.stdout.write(draw(root).source)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=True)
    root, _ = small_graph()
    root.backward()
    assert result.stdout == draw(root).source


def test_dot_source_has_one_box_per_value_an_op_node_each_and_edges_by_position():
    root, named = small_graph()
    root.backward()
    source = draw(root).source
    for index, key in enumerate("abcde"):
        value = named[key]
        line = next(line for line in source.splitlines() if line.strip().startswith(f"n{index} [label="))
        assert f"data {format_number(value.data)}" in line
        assert f"grad {format_number(value.grad)}" in line
    for index, symbol in ((2, "*"), (3, "+"), (4, "tanh")):
        assert re.search(rf"\bn{index}_op \[label=<{re.escape(escape_label_text(symbol))}>", source)
        assert f"n{index}_op -> n{index} [id=e{index}_out]" in source
    assert "n0 -> n2_op [id=e2_0]" in source
    assert "n1 -> n2_op [id=e2_1]" in source
    assert "n2 -> n3_op [id=e3_0]" in source
    # the folded constant 10.0 (position b of +) is its own small node
    assert "n3_const [label=<10.0>" in source
    assert "n3_const -> n3_op" in source


def test_a_value_used_twice_gives_two_edges():
    a = Value(3.0, label="a")
    square = a * a
    source = draw(square).source
    assert "n0 -> n1_op [id=e1_0]" in source
    assert "n0 -> n1_op [id=e1_1]" in source


def test_operand_order_is_shown_for_sub_div_pow():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    source = draw(a / b).source
    assert re.search(r"n0 -> n2_op \[[^]]*label=a", source)
    assert re.search(r"n1 -> n2_op \[[^]]*label=b", source)
    # the constant's caption names its operand in words: never "b = 2.0", read as a parameter b
    assert "n1_const [label=<2.0 (1st operand)>" in draw(2.0 - a).source
    assert "n1_const [label=<2.0 (2nd operand)>" in draw(a - 2.0).source


def test_show_grad_false_leaves_grads_out():
    root, _ = small_graph()
    assert "<TD>grad " not in draw(root, show_grad=False).source
    assert "<TD>grad " in draw(root).source


def test_rankdir_is_passed_and_checked():
    root, _ = small_graph()
    assert "rankdir=TB" in draw(root, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(root, rankdir="sideways")
    with pytest.raises(TypeError, match="draw"):
        draw(3.0)


def test_parameters_inputs_and_constants_have_different_styles():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    other = Value(1.0, label="other")
    y = dot([w, 3.0], [x, other], 0.25)
    source = draw(y, parameters=[w], inputs=[x]).source

    def line_of(name):
        return next(line for line in source.splitlines() if f"<B>{name}</B>" in line)

    assert KIND_COLOURS["parameter"] in line_of("w") and ">parameter<" in line_of("w")
    assert KIND_COLOURS["input"] in line_of("x") and ">input<" in line_of("x")
    assert KIND_COLOURS["leaf"] in line_of("other") and ">leaf<" in line_of("other")
    assert len({KIND_COLOURS["parameter"], KIND_COLOURS["input"], KIND_COLOURS["leaf"]}) == 3
    constants = next(line for line in source.splitlines() if line.strip().startswith("n3_const [label="))
    assert "3.0" in constants and "0.25" in constants and "dashed" in constants
    # only parameters given: every other leaf is an input
    only_parameters = draw(y, parameters=[w]).source
    assert ">input<" in next(line for line in only_parameters.splitlines() if "<B>other</B>" in line)


def test_grads_mapping_and_highlight_draw_a_moment_of_backward():
    root, named = small_graph()
    source = draw(root, grads={root: 1.0}, highlight=(named["c"], 1)).source
    assert "grad ?" in source  # unknown grads
    assert "grad 1.0" in source
    edge = next(line for line in source.splitlines() if "[id=e2_1" in line or "id=e2_1 " in line)
    assert HIGHLIGHT_COLOUR in edge and "penwidth=3" in edge
    other_edge = next(line for line in source.splitlines() if "id=e2_0" in line)
    assert HIGHLIGHT_COLOUR not in other_edge


# ---------------------------------------------------------------------------
# Labels with any text
# ---------------------------------------------------------------------------
NASTY_LABELS = [
    'a | b { c } < d > " e \\ f',
    "two\nlines",
    "record {x|<port> y}",
    "&amp; & &lt; ; '",
    "back\\slash\\n\\l\\N\\G",
    "tab\tand \x01 control",
    "ünïcödé ∂L/∂w → ✓",
    "<B>not bold</B>",
    "]; evil [label=x",
    "]",
    "]]>",
    "",
]


def render_svg(picture) -> bytes:
    return picture.pipe(format="svg")


def assert_label_in_svg(svg: bytes, label: str) -> None:
    """Every line of the label appears as text in the SVG (whitespace runs compared collapsed)."""
    texts = [" ".join(text.replace("\xa0", " ").split()) for text in svg_texts(svg)]
    for line in label.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        shown = re.sub(r"[\x00-\x1f\x7f\ufffe\uffff]", lambda m: f"\\x{ord(m.group()):02x}", line)
        wanted = " ".join(shown.replace("\xa0", " ").split())
        if wanted:
            assert any(wanted in text for text in texts), (wanted, texts)


@needs_dot
def test_nasty_labels_render_with_the_real_dot():
    values = [Value(float(i), label=label) for i, label in enumerate(NASTY_LABELS)]
    root = values[0]
    for value in values[1:]:
        root = root + value
    root.label = NASTY_LABELS[0]
    svg = render_svg(draw(root))
    ET.fromstring(svg)  # well-formed
    for label in NASTY_LABELS:
        assert_label_in_svg(svg, label)


@needs_dot
@settings(max_examples=100)  # each example runs the dot program once
@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_any_label_text_renders_with_the_real_dot(labels):
    values = [Value(float(i), label=label) for i, label in enumerate(labels)]
    root = values[0] * 2.0
    for value in values[1:]:
        root = root + value
    svg = render_svg(draw(root))
    ET.fromstring(svg)
    for label in labels:
        assert_label_in_svg(svg, label)


# ---------------------------------------------------------------------------
# Large graphs: a 64-32-10 MLP's loss
# ---------------------------------------------------------------------------
def mlp_loss(sizes=(64, 32, 10), seed=0) -> tuple[Value, list[Value]]:
    rng = random.Random(seed)
    parameters = []
    activations: list = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        outputs = []
        for _ in range(fan_out):
            weights = [Value(rng.uniform(-1, 1) / fan_in**0.5) for _ in range(fan_in)]
            bias = Value(0.0)
            parameters += [*weights, bias]
            pre_activation = dot(weights, activations, bias)
            outputs.append(pre_activation.tanh() if layer < len(sizes) - 2 else pre_activation)
        activations = outputs
    return cross_entropy(activations, 3), parameters


def test_a_big_graph_says_how_to_draw_less():
    loss, _ = mlp_loss()
    with pytest.raises(ValueError, match=r"collapse=True") as error:
        draw(loss)
    message = str(error.value)
    assert "max_nodes=500" in message and "smaller model" in message
    with pytest.raises(ValueError, match="max_nodes"):
        draw(loss, max_nodes=0)


def test_collapse_folds_each_neuron_into_one_node():
    loss, parameters = mlp_loss()
    loss.backward()
    source = draw(loss, collapse=True, parameters=parameters).source
    boxes = re.findall(r"^\s*n\d+ \[label=", source, flags=re.MULTILINE)
    assert len(boxes) == 32 + 32 + 10 + 1  # dot + tanh per hidden neuron, dot per output, the loss
    assert "_op" not in source
    assert "(65 leaves, 64 constants folded in)" in source and "(33 leaves folded in)" in source
    assert source.count("(65 leaves, 64 constants folded in)") == 32  # 64 weights and a bias per hidden neuron


@needs_dot
def test_the_collapsed_mlp_loss_renders():
    loss, _ = mlp_loss()
    loss.backward()
    svg = render_svg(draw(loss, collapse=True))
    tree = ET.fromstring(svg)
    groups = [g for g in tree.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(groups) == 75


def test_a_relu_mlp_collapses_to_one_box_per_neuron():
    """nn's relu layers are relu_dot nodes: collapsed, a relu neuron is one box with its weights folded in."""
    nn = pytest.importorskip("nn")
    model = nn.MLP(64, [32, 10], rng=0)  # relu hidden layer
    loss = cross_entropy(model([0.01 * k for k in range(64)]), 3)
    loss.backward()
    source = draw(loss, collapse=True, parameters=model.parameters()).source
    boxes = re.findall(r"^\s*n\d+ \[label=", source, flags=re.MULTILINE)
    assert len(boxes) == 32 + 10 + 1  # a relu_dot per hidden neuron, a dot per output, the loss
    assert source.count("relu(dot) (65 leaves, 64 constants folded in)") == 32
    assert "_op" not in source
    plain = draw(relu_dot([Value(0.5, label="w")], [3.0], 0.25)).source
    assert "relu(dot)" in plain and "3.0, 0.25" in plain  # the op node and the folded constants


def test_collapse_keeps_leaves_that_are_used_elsewhere():
    w = Value(1.0, label="shared")
    y = dot([w], [2.0], 0.0) * w
    source = draw(y, collapse=True).source
    assert "<B>shared</B>" in source  # w also feeds the *, so it stays a box


# ---------------------------------------------------------------------------
# Rendering: with dot, without dot, without the graphviz package, in a notebook
# ---------------------------------------------------------------------------
@needs_dot
def test_render_and_pipe_with_dot(tmp_path):
    root, _ = small_graph()
    root.backward()
    picture = draw(root)
    written = Path(picture.render(tmp_path / "graph", format="svg"))
    assert written.exists() and written.read_bytes().lstrip().startswith(b"<?xml")
    assert "tanh" in svg_texts(picture.pipe(format="svg"))


@needs_dot
def test_notebook_display_is_svg():
    root, _ = small_graph()
    bundle = draw(root)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_without_dot_the_source_works_and_rendering_says_how_to_install(monkeypatch, tmp_path):
    root, _ = small_graph()
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` to be found
    picture = draw(root)
    assert picture.source.startswith("//")
    for render in (
        lambda: picture.pipe(format="svg"),
        lambda: picture.render(tmp_path / "graph", format="svg"),
        lambda: picture._repr_mimebundle_(),
    ):
        with pytest.raises(graphviz.ExecutableNotFound) as error:
            render()
        message = str(error.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "`dot`" in message


def test_without_the_graphviz_package_drawing_says_what_to_pip_install(monkeypatch):
    import autograd.viz as viz

    viz._digraph_class.cache_clear()
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now raises ImportError
    try:
        root, _ = small_graph()
        with pytest.raises(ImportError, match=r'pip install "glassgrad\[viz\]"'):
            draw(root)
    finally:
        viz._digraph_class.cache_clear()


def test_importing_viz_and_explain_does_not_import_graphviz():
    program = (
        "import sys\nimport autograd, autograd.viz, autograd.explain\n"
        "from autograd.viz import draw\nprint('graphviz' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


@needs_dot
def test_highlighted_edge_is_red_in_the_svg():
    root, named = small_graph()
    svg = render_svg(draw(root, highlight=(named["c"], 0)))
    edge = svg_group(svg, "e2_0")
    strokes = {element.get("stroke") for element in edge if element.tag == f"{SVG}path"}
    assert strokes == {HIGHLIGHT_COLOUR}
    other = svg_group(svg, "e2_1")
    assert {element.get("stroke") for element in other if element.tag == f"{SVG}path"} == {"black"}


@needs_dot
def test_an_nn_mlp_64_32_10_loss_renders_collapsed():
    nn = pytest.importorskip("nn")  # the nn package is optional for the engine
    model = nn.MLP(64, [32, 10], activation="tanh", rng=0)
    loss = cross_entropy(model([0.01 * k for k in range(64)]), 3)
    loss.backward()
    with pytest.raises(ValueError, match="collapse=True"):
        draw(loss, parameters=model.parameters())
    picture = draw(loss, parameters=model.parameters(), collapse=True)
    tree = ET.fromstring(render_svg(picture))
    assert len([g for g in tree.iter(f"{SVG}g") if g.get("class") == "node"]) <= 500

"""autograd.explain: the recorded steps replay to the engine's grads bit for bit; the text, frames and page."""

from __future__ import annotations

import io
import itertools
import json
import math
import random
import re
import shutil
import struct
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, Value, cross_entropy, dot, log_softmax, logsumexp, relu_dot, softmax, sum_values
from autograd.explain import BackwardStep, backward_steps, explain, forward_trace, frames, save_html
from autograd.ops import BinaryOp, UnaryOp
from autograd.pages import page_files
from autograd.viz import HIGHLIGHT_COLOUR, format_number, node_names, nodes_in_order

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program `dot` is not installed")


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


# ---------------------------------------------------------------------------
# Random expression graphs over the whole op table
# ---------------------------------------------------------------------------
NARY = ("sum", "dot", "relu_dot", "softmax", "log_softmax", "logsumexp", "cross_entropy")
OP_NAMES = sorted(OPS)


@st.composite
def expression_graphs(draw) -> tuple[Value, float]:
    """A random DAG of ops from OPS over a few leaves (with grads left from before), and a seed.

    Operands are picked among all earlier nodes, so values are shared; plain
    numbers appear as folded constants. An op whose input is outside its
    domain is skipped. The root sums every node nothing else consumed.
    """
    floats = st.floats(-3.0, 3.0, allow_nan=False)
    leaves = [Value(draw(floats), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for leaf in leaves:
        leaf.grad = draw(st.sampled_from([0.0, 0.0, 1.0])) * draw(floats)  # leaves accumulate onto this
    nodes: list[Value] = list(leaves)
    for _ in range(draw(st.integers(1, 10))):
        name = draw(st.sampled_from(OP_NAMES))
        op = OPS[name]
        picks = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=4))
        operands = [nodes[p % len(nodes)] for p in picks]
        constant = draw(floats)
        try:
            if isinstance(op, UnaryOp):
                node = op(operands[0], *op.test_params)
            elif isinstance(op, BinaryOp):
                form = draw(st.sampled_from(["values", "constant_a", "constant_b"]))
                b = operands[1] if len(operands) > 1 else operands[0]
                if form == "values":
                    node = op(operands[0], b)
                elif form == "constant_a":
                    node = op(constant, operands[0])
                else:
                    node = op(operands[0], constant)
            elif name == "sum":
                node = sum_values([*operands, constant] if draw(st.booleans()) else operands)
            elif name in ("dot", "relu_dot"):
                weights = [v if draw(st.booleans()) else constant for v in operands]
                inputs = list(reversed(operands))
                bias = draw(st.sampled_from([0.0, constant, operands[0]]))
                node = (dot if name == "dot" else relu_dot)(weights, inputs, bias)
            elif name in ("softmax", "log_softmax"):
                outputs = (softmax if name == "softmax" else log_softmax)(operands)
                node = outputs[draw(st.integers(0, len(outputs) - 1))]
            elif name == "logsumexp":
                node = logsumexp(operands)
            else:
                node = cross_entropy(operands, draw(st.integers(0, len(operands) - 1)))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        nodes.append(node)
    consumed = {parent for node in nodes for parent in node.parents}
    sinks = [node for node in nodes if node.parents and node not in consumed]
    root = sum_values(sinks or leaves)
    seed = draw(st.sampled_from([1.0, 1.0, draw(floats)]))
    return root, seed


def replay(root: Value, steps: list[BackwardStep], leaf_grads: dict[Value, float], seed: float) -> dict:
    """Apply the recorded contributions by hand; check each record against the replay as it goes."""
    grads = {node: leaf_grads.get(node, 0.0) for node in nodes_in_order(root)}
    grads[root] = seed  # an interior root is seeded (a leaf root would be leaf_grads + seed)
    done: set[Value] = set()
    for number, step in enumerate(steps, start=1):
        assert step.step == number
        assert step.node.parents[step.position] is step.parent
        assert bits(step.local_derivative) == bits(step.node.local_grads[step.position])
        # the node's grad is complete when it propagates: nothing reaches it afterwards
        assert bits(step.upstream) == bits(grads[step.node])
        assert step.node not in done or steps[number - 2].node is step.node  # a node's steps are consecutive
        done.add(step.node)
        assert step.parent not in done
        passes_nothing = step.local_derivative == 0.0 and step.contribution == 0.0  # an off relu, even under inf
        assert bits(step.contribution) == bits(step.local_derivative * step.upstream) or passes_nothing
        assert bits(step.parent_grad_before) == bits(grads[step.parent])
        grads[step.parent] += step.contribution
        assert bits(step.parent_grad_after) == bits(grads[step.parent])
    return grads


def check_replay_matches_backward(root: Value, seed: float) -> None:
    """The steps change no grad, and replayed from zero they give what a plain backward from zero gives."""
    nodes = nodes_in_order(root)
    before = {node: node.grad for node in nodes}
    steps = backward_steps(root, seed)
    assert len(steps) == sum(len(node.parents) for node in nodes if node.parents)
    assert all(bits(node.grad) == bits(before[node]) for node in nodes)  # it observes, it never changes
    leaves = [node for node in nodes if not node.parents]
    replayed = replay(root, steps, dict.fromkeys(leaves, 0.0), seed)
    for leaf in leaves:
        leaf.grad = 0.0
    root.backward(seed)
    for node in nodes:
        # Plain backward() skips a node whose upstream grad is 0 (every contribution
        # is a zero); the steps apply them. Adding a zero changes no number, only,
        # at most, the sign of a zero (-0.0 + 0.0 is 0.0).
        assert bits(replayed[node]) == bits(node.grad) or replayed[node] == node.grad == 0.0, node


@given(expression_graphs())
def test_replaying_the_steps_gives_the_grads_of_backward_bit_for_bit(graph_and_seed):
    root, seed = graph_and_seed
    check_replay_matches_backward(root, seed)


def small_mlp_loss(seed: int) -> tuple[Value, list[Value]]:
    """A 3-4-4-3 tanh/relu MLP's cross-entropy plus an L2 term, summed over two examples (shared weights)."""
    rng = random.Random(seed)
    sizes = (3, 4, 4, 3)
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers.append(
            [([Value(rng.gauss(0, 0.7)) for _ in range(fan_in)], Value(rng.gauss(0, 0.1))) for _ in range(fan_out)]
        )
    parameters = [p for layer in layers for weights, bias in layer for p in (*weights, bias)]
    losses = []
    for example in range(2):
        activations: list = [rng.uniform(-1, 1) for _ in range(sizes[0])]
        for depth, layer in enumerate(layers):
            outputs = [dot(weights, activations, bias) for weights, bias in layer]
            if depth == 0:
                outputs = [o.tanh() for o in outputs]
            elif depth == 1:
                outputs = [o.relu() for o in outputs]
            activations = outputs
        losses.append(cross_entropy(activations, example))
    l2 = sum_values([p * p for p in parameters])
    return sum_values(losses) * 0.5 + 1e-3 * l2, parameters


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_replaying_the_steps_of_an_mlp_loss_gives_backwards_grads(seed):
    loss, parameters = small_mlp_loss(seed)
    for p in parameters:
        p.grad = 0.0
    check_replay_matches_backward(loss, 1.0)


def test_an_nn_mlp_loss_replays_too():
    nn = pytest.importorskip("nn")  # the nn package is optional for the engine
    model = nn.MLP(3, [4, 4, 2], activation="tanh", rng=0)
    outputs = model([0.5, -1.0, 2.0])
    loss = cross_entropy(outputs, 1)
    model.zero_grad()
    check_replay_matches_backward(loss, 1.0)


# ---------------------------------------------------------------------------
# Records and formulas
# ---------------------------------------------------------------------------
def test_the_steps_of_a_times_b():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    steps = backward_steps(c)
    assert [(s.node, s.parent, s.position) for s in steps] == [(c, a, 0), (c, b, 1)]
    assert steps[0].formula.startswith("d(a*b)/da = b = -3.0")
    assert steps[1].formula.startswith("d(a*b)/db = a = 2.0")
    assert (steps[0].upstream, steps[0].contribution, steps[0].parent_grad_after) == (1.0, -3.0, -3.0)
    assert (steps[1].parent_grad_after, a.grad, b.grad) == (2.0, 0.0, 0.0)  # it observes: no grad changed


def test_every_explainer_leaves_every_grad_as_it_found_it(tmp_path):
    """explain, backward_steps and save_html each show one backward pass from zero and change no grad."""
    import io

    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (w * x + 6.5).tanh()
    w.grad = 10.0  # left from an earlier pass
    first = backward_steps(y)
    explain(y, file=io.StringIO())
    second = backward_steps(y)
    assert (w.grad, x.grad, y.grad) == (10.0, 0.0, 0.0)
    assert [s.parent_grad_after for s in first] == [s.parent_grad_after for s in second]
    w.grad = 0.0
    y.backward()
    assert w.grad == [s.parent_grad_after for s in first if s.parent is w][-1]


def test_a_value_used_twice_gives_two_steps_and_accumulates():
    a = Value(3.0, label="a")
    square = a * a
    steps = backward_steps(square)
    assert [s.position for s in steps] == [0, 1]
    assert [s.parent_grad_before for s in steps] == [0.0, 3.0]
    assert [s.parent_grad_after for s in steps] == [3.0, 6.0]


def test_a_leaf_root_has_no_steps_and_keeps_its_grad():
    a = Value(3.0)
    a.grad = 1.5
    assert backward_steps(a, 2.0) == []
    assert a.grad == 1.5  # unchanged: the explainer observes


def test_bad_arguments_name_the_function():
    with pytest.raises(TypeError, match="backward_steps"):
        backward_steps(2.0)
    with pytest.raises(TypeError, match="backward_steps"):
        backward_steps(Value(1.0) * 2, Value(1.0))


def one_node_per_op(name: str) -> Value:
    """A node of op ``name`` over labelled Values, inputs inside the op's domain."""
    op = OPS[name]
    if isinstance(op, UnaryOp):
        low, high = op.domain
        x = low + 0.37 * (high - low)
        if any(abs(x - kink) < 1e-3 for kink in op.kinks):
            x += 0.1
        return op(Value(x, label="p"), *op.test_params)
    if isinstance(op, BinaryOp):
        low, high = op.domain
        low2, high2 = op.second_domain or op.domain
        return op(Value(low + 0.6 * (high - low), label="p"), Value(low2 + 0.7 * (high2 - low2), label="q"))
    values = [Value(0.3, label="p"), Value(-0.8, label="q"), Value(1.1, label="r")]
    if name == "sum":
        return sum_values(values)
    if name == "dot":
        return dot(values[:2], [2.0, values[2]], Value(0.5, label="s"))
    if name == "relu_dot":  # 0.3 * 2 - 0.8 * 1.1 + 0.5 > 0: on
        return relu_dot(values[:2], [2.0, values[2]], Value(0.5, label="s"))
    if name == "softmax":
        return softmax(values)[1]
    if name == "log_softmax":
        return log_softmax(values)[1]
    if name == "logsumexp":
        return logsumexp(values)
    return cross_entropy(values, 2)


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_explains_its_local_derivative_with_its_formula_and_number(name):
    node = one_node_per_op(name)
    steps = backward_steps(node)
    assert len(steps) == len(node.parents)
    formula = OPS[name].formula
    for step in steps:
        assert format_number(step.local_derivative, 6) in step.formula
        pieces = re.split(r",\s+(?=d)", formula)
        assert any(step.formula.startswith(piece) for piece in pieces), (step.formula, formula)
        assert "[" in step.formula  # says what the letters stand for


def test_binary_formula_picks_the_variables_side_when_a_constant_is_folded():
    x = Value(4.0, label="x")
    (step,) = backward_steps(2.0 / x)
    assert step.formula.startswith("d(a/b)/db = -a/b^2 = -0.125")
    assert "[a = 2.0, b = x]" in step.formula
    (step,) = backward_steps(x / 2.0)
    assert step.formula.startswith("d(a/b)/da = 1/b = 0.5")


def test_dot_formula_names_the_role_and_index():
    w, x, b = Value(0.5, label="w"), Value(3.0, label="x"), Value(1.0, label="b")
    steps = backward_steps(dot([w, 2.0], [x, -1.0], b))
    assert steps[0].formula.startswith("d(w.x + b)/dw_i = x_i = 3.0") and "[i = 1, x_1 = x]" in steps[0].formula
    assert steps[1].formula.startswith("d(w.x + b)/dx_i = w_i = 0.5") and "[i = 1, w_1 = w]" in steps[1].formula
    assert steps[2].formula.startswith("d(w.x + b)/db = 1 = 1.0")


def test_dot_formula_follows_the_parent_order_with_values_on_both_sides():
    """A hidden layer's dot: parents w_1, w_2, x_1, x_2, b; each step names its own role and partner."""
    w1, w2 = Value(0.5, label="w1"), Value(-2.0, label="w2")
    x1, x2 = Value(3.0, label="u") * 1.0, Value(4.0, label="v") * 1.0
    x1.label, x2.label = "x1", "x2"
    b = Value(1.0, label="b")
    node = dot([w1, w2], [x1, x2], b)
    steps = [step for step in backward_steps(node) if step.node is node]
    assert [step.parent for step in steps] == [w1, w2, x1, x2, b]
    assert "= x_i = 3.0" in steps[0].formula and "[i = 1, x_1 = x1]" in steps[0].formula
    assert "= x_i = 4.0" in steps[1].formula and "[i = 2, x_2 = x2]" in steps[1].formula
    assert "= w_i = 0.5" in steps[2].formula and "[i = 1, w_1 = w1]" in steps[2].formula
    assert "= w_i = -2.0" in steps[3].formula and "[i = 2, w_2 = w2]" in steps[3].formula
    assert steps[4].formula.startswith("d(w.x + b)/db = 1 = 1.0")


def test_relu_dot_steps_show_every_edge_with_its_number_on_or_off():
    """A relu neuron in one node: on, each step is the dot's; off, each step is a 0, shown all the same."""
    w, x, b = Value(0.5, label="w"), Value(3.0, label="x"), Value(1.0, label="b")
    on = relu_dot([w, 2.0], [x, -1.0], b)  # 1.5 - 2 + 1 > 0
    steps = backward_steps(on)
    assert [step.parent for step in steps] == [w, x, b]
    assert [step.local_derivative for step in steps] == [3.0, 0.5, 1.0]
    assert steps[0].formula.startswith("d relu(w.x + b)/dw_i = x_i if w.x + b > 0 else 0; here 3.0")
    assert "[i = 1, x_1 = x]" in steps[0].formula
    off = relu_dot([w, 2.0], [x, 1.0], -4.0)
    off.label = "n"
    steps = backward_steps(off * 2.0)
    zero_steps = [step for step in steps if step.node is off]
    shown = [(step.parent, step.local_derivative, step.contribution) for step in zero_steps]
    assert shown == [(w, 0.0, 0.0), (x, 0.0, 0.0)]
    out = io.StringIO()
    explain(off * 2.0, file=out)
    assert "relu(w*x + 2.0*1.0 + -4.0)" in out.getvalue()


# ---------------------------------------------------------------------------
# explain(): text to follow with pen and paper
# ---------------------------------------------------------------------------
def neuron() -> tuple[Value, list[Value], list[Value]]:
    xs = [Value(v, label=f"x{i}") for i, v in enumerate([1.0, 2.0, 3.0, 2.5], start=1)]
    ws = [Value(v, label=f"w{i}") for i, v in enumerate([0.2, 0.8, -0.5, 1.0], start=1)]
    b = Value(2.0, label="b")
    n = dot(ws, xs, b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [*ws, b], xs


def test_explain_prints_the_forward_trace_and_one_row_per_step():
    root, parameters, inputs = neuron()
    out = io.StringIO()
    steps = explain(root, out, parameters=parameters, inputs=inputs)
    text = out.getvalue()
    assert len(steps) == 10
    assert text.count("why: ") == len(steps)
    for step in steps:
        row = re.search(
            rf"^\s+{step.step}\s+{re.escape(step.node_name)} -> {re.escape(step.parent_name)}\s", text, re.M
        )
        assert row, step
        line = text[row.start() : text.index("\n", row.start())]
        assert format_number(step.contribution) in line and format_number(step.parent_grad_after) in line
    assert re.search(r"^  n\s+= w1\*x1 \+ w2\*x2 \+ w3\*x3 \+ w4\*x4 \+ b = 4\.8$", text, re.M)
    assert re.search(r"^  o\s+= tanh\(n\) = tanh\(4\.8\) = 0\.9999$", text, re.M)
    assert re.search(r"w1\s+= 0.2\s+\(parameter\)", text) and re.search(r"x1\s+= 1.0\s+\(input\)", text)
    gradients = text[text.index("Gradients") :]
    root.backward()  # explain changed no grad; the grads it prints are this pass's
    for node in nodes_in_order(root):
        grad = re.escape(format_number(node.grad))
        assert re.search(rf"^\s+{re.escape(node.label)}\s+grad = {grad}$", gradients, re.M)


def test_explain_writes_to_stdout_by_default_and_is_reproducible(capsys):
    explain(neuron()[0])
    first = capsys.readouterr().out
    explain(neuron()[0])
    assert capsys.readouterr().out == first
    assert "Backward pass: 10 chain-rule steps" in first


def test_forward_trace_lists_ops_after_their_inputs():
    a = Value(2.0, label="a")
    c = (a * a - 3) / (1 + a.exp())
    lines = forward_trace(c)
    assert lines[0].split() == ["a", "=", "2.0", "(leaf)"]
    names = [line.split()[0] for line in lines]
    assert names == [node_names(nodes_in_order(c))[node] for node in nodes_in_order(c)]
    assert "n1 = a * a = 2.0 * 2.0 = 4.0" in lines[1]
    assert "n2 = n1 - 3.0 = 4.0 - 3.0 = 1.0" in lines[2]


# ---------------------------------------------------------------------------
# frames() and save_html(): pictures (need dot)
# ---------------------------------------------------------------------------
def svg_grad_texts(svg: bytes) -> dict[str, str]:
    """node id -> the text of its grad cell (the last text in its group)."""
    tree = ET.fromstring(svg)
    found = {}
    for group in tree.iter(f"{SVG}g"):
        if group.get("class") == "node" and re.fullmatch(r"n\d+", group.get("id", "")):
            texts = [t.text for t in group.iter(f"{SVG}text")]
            found[group.get("id")] = texts[-1]
    return found


@needs_dot
def test_frames_show_the_grads_known_so_far_and_the_active_edge(tmp_path):
    root, parameters, _ = neuron()
    paths = frames(root, tmp_path / "frames", parameters=parameters)
    steps = backward_steps(neuron()[0])  # the same steps on a fresh copy of the graph
    assert [p.name for p in paths] == [f"step_{k:03d}.svg" for k in range(len(steps) + 1)]
    nodes = nodes_in_order(root)
    index = {node: f"n{i}" for i, node in enumerate(nodes)}
    fresh_index = {node: f"n{i}" for i, node in enumerate(nodes_in_order(steps[0].node))}
    known = {index[root]: "grad 1.0"}
    for k, path in enumerate(paths):
        svg = path.read_bytes()
        if k:
            step = steps[k - 1]
            known[fresh_index[step.parent]] = f"grad {format_number(step.parent_grad_after)}"
            edge_id = f"e{fresh_index[step.node][1:]}_{step.position}"
            tree = ET.fromstring(svg)
            edge = next(g for g in tree.iter(f"{SVG}g") if g.get("id") == edge_id)
            assert {p.get("stroke") for p in edge.iter(f"{SVG}path")} == {HIGHLIGHT_COLOUR}
        shown = svg_grad_texts(svg)
        assert shown == {node_id: known.get(node_id, "grad ?") for node_id in index.values()}


@needs_dot
def test_save_html_writes_one_self_contained_page(tmp_path):
    root, parameters, inputs = neuron()
    path = save_html(root, tmp_path / "sub" / "steps.html", parameters=parameters, inputs=inputs)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # nothing to fetch: no external scripts, styles, images or links
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page, re.I)
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # names, never fetched
    assert set(re.findall(r"https?://[^\s\"'\\]*", page)) <= namespaces
    data = json.loads(re.search(r'<script type="application/json" id="glassgrad-data">(.*?)</script>', page, re.S)[1])
    data = data["data"]
    assert data["svg"].startswith("<svg") and "<!DOCTYPE" not in data["svg"]  # the picture, as JSON text
    assert len(data["steps"]) == 10
    assert parameters[-1].grad == 0.0  # the page's pass changed no grad
    root.backward()
    assert data["steps"][-1]["afterRepr"] == repr(parameters[-1].grad)
    for control in ('id="prev"', 'id="next"', 'id="play"', "ArrowRight", "ArrowLeft"):
        assert control in page


@needs_dot
def test_save_html_survives_labels_that_look_like_markup(tmp_path):
    a = Value(1.0, label="</script><script>alert(1)</script>")
    b = Value(2.0, label="& <b> \\N")
    path = save_html(a * b, tmp_path / "page.html")
    page = path.read_text(encoding="utf-8")
    scripts = sum(name.endswith(".js") for name in page_files("step_through"))
    assert page.count("</script>") == 1 + scripts  # the data and the page's own scripts, nothing injected
    data = json.loads(re.search(r'id="glassgrad-data">(.*?)</script>', page, re.S)[1])["data"]
    assert data["steps"][0]["parentName"] == "</script><script>alert(1)</script>"
    assert math.isclose(float(data["steps"][0]["afterRepr"]), 2.0) and a.grad == 0.0


def test_frames_refuses_too_many_pictures_before_running_backward(tmp_path):
    a = Value(1.0, label="a")
    root = sum_values([a * float(k) for k in range(10)])
    with pytest.raises(ValueError, match=r"20 steps would make 21 pictures, more than max_frames=20"):
        frames(root, tmp_path / "frames", max_frames=20)
    assert a.grad == 0.0  # nothing ran
    assert not (tmp_path / "frames").exists()


def test_an_off_relu_shows_a_zero_contribution_even_for_an_infinite_upstream():
    """The steps show what the engine added: nothing through an off relu, as PyTorch (not 0 * inf = nan)."""
    x = Value(-1.0)
    hidden = x * 2.0  # an interior parent, reset by the sort
    (step,) = [s for s in backward_steps(hidden.relu(), math.inf) if s.parent is hidden]
    assert step.contribution == 0.0 and step.parent_grad_after == 0.0
    zero = Value(0.0)
    (product_step,) = backward_steps(zero * 0.0, math.inf)  # a real zero derivative: 0 * inf is nan
    assert math.isnan(product_step.contribution) and math.isnan(product_step.parent_grad_after)

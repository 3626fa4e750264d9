"""Names a learner recognises (state-dict names, n1, n2, ...), layer clusters, checked options, steady frames."""

from __future__ import annotations

import io
import os
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from autograd.explain import backward_steps, explain, frames
from autograd.practice import check_gradients
from autograd.viz import draw, named_values, node_names, nodes_in_order

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz program dot")


def test_a_models_state_dict_names_name_its_weights_in_draw_and_explain():
    model = nn.MLP(2, [2, 1], rng=0)
    out = model([1.0, -2.0])
    source = draw(out, parameters=model).source
    for name in dict(model.named_parameters()):
        assert f"<B>{name}</B>" in source
    steps = backward_steps(out, names=named_values(model.named_parameters())[1])
    assert "layers.0.neurons.1.w.0" in {step.parent_name for step in steps}
    text = str(explain(out, parameters=model.named_parameters(), file=__import__("io").StringIO()))
    assert "layers.1.neurons.0.b" in text


def test_unlabeled_nodes_are_numbered_consecutively_and_never_clash_with_a_label():
    a = Value(1.0, label="a")
    taken = Value(2.0, label="n2")
    y = ((a * 2.0) + taken).tanh() * 3.0
    names = node_names(nodes_in_order(y))
    unlabeled = [name for node, name in names.items() if not node.label]
    assert unlabeled == ["n1", "n3", "n4", "n5"]  # n2 is a label already
    assert len(set(names.values())) == len(names)


def test_named_values_rejects_what_is_neither_a_value_nor_a_named_pair():
    with pytest.raises(TypeError, match=r"parameters= must hold Values or \(name, Value\) pairs"):
        named_values([1.5])


def test_a_folded_constant_is_never_captioned_like_a_parameter():
    bias = Value(1.0, label="b")
    y = (bias - 4.0) / 2.0
    source = draw(y).source
    captions = re.findall(r"_const \[label=<([^>]*)>", source)
    assert captions == ["4.0 (2nd operand)", "2.0 (2nd operand)"]
    assert not any(re.match(r"[ab] = ", caption) for caption in captions)


def test_collapse_groups_each_layer_of_an_mlp_in_a_cluster_with_short_names():
    model = nn.MLP(3, [4, 2], rng=1, activation="tanh")
    out = model([1.0, 0.5, -1.0])
    source = draw(out[0] if isinstance(out, list) else out, parameters=model, collapse=True).source
    assert 'subgraph "cluster_layers.0"' in source and 'subgraph "cluster_layers.1"' in source
    layer0 = source.split('subgraph "cluster_layers.0"')[1].split("}")[0]
    assert len(re.findall(r"<B>neurons\.\d+", layer0)) >= 4  # every neuron of layer 0 inside its cluster
    assert "<B>layers.0.neurons" not in source  # the names inside a cluster are short


@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        ({"show_grad": "yes"}, TypeError, r"draw\(\) show_grad must be True or False, got str: 'yes'"),
        ({"collapse": 1}, TypeError, r"draw\(\) collapse must be True or False, got int: 1"),
        ({"digits": 0}, ValueError, r"draw\(\) digits must be an int from 1 to 17, got 0"),
        ({"title": 3}, TypeError, r"draw\(\) title must be a str or None, got int: 3"),
        ({"grads": [1.0]}, TypeError, r"draw\(\) grads must be a mapping or None, got list"),
        ({"rankdir": "up"}, ValueError, r"draw\(\) rankdir must be one of"),
    ],
)
def test_draw_rejects_a_bad_option_by_name(options, error, pattern):
    with pytest.raises(error, match=pattern):
        draw(Value(1.0) * 2.0, **options)


@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        ({"colour": "red"}, TypeError, r"frames\(\) got an unknown option colour='red'"),
        ({"image_format": "bmp"}, ValueError, r"frames\(\) image_format must be one of svg, png.*got 'bmp'"),
        ({"max_frames": 0}, ValueError, r"frames\(\) max_frames must be a positive int, got 0"),
        ({"collapse": "no"}, TypeError, r"frames\(\) collapse must be True or False"),
    ],
)
def test_frames_rejects_a_bad_option_by_name_before_drawing(tmp_path, options, error, pattern):
    with pytest.raises(error, match=pattern):
        frames(Value(1.0) * 2.0, tmp_path / "frames", **options)
    assert not (tmp_path / "frames").exists()


@needs_dot
def test_svg_frames_all_have_one_size(tmp_path):
    xs = [Value(float(v), label=f"x{k}") for k, v in enumerate([1.0, -2.0, 3.0])]
    y = (xs[0] * xs[1] + xs[2]).tanh() * xs[0]
    files = frames(y, tmp_path / "frames")
    sizes = {
        re.search(r'<svg width="([^"]+)" height="([^"]+)"\s+viewBox="\S+ \S+ (\S+) (\S+)"', f.read_text()).groups()
        for f in files
    }
    assert len(files) == 8 and len(sizes) == 1  # 7 steps and the start
    # without the fix the frames differ: the grads' text widens the boxes as they fill in
    raw = {re.search(r'<svg width="[^"]+"', draw(y, grads={y: 1.0}).pipe(format="svg").decode())[0]}
    raw.add(re.search(r'<svg width="[^"]+"', draw(y).pipe(format="svg").decode())[0])
    assert len(raw) == 2
    assert all(x.grad == 0.0 for x in xs)


# ---------------------------------------------------------------------------
# Every node has its own name, whatever the labels
# ---------------------------------------------------------------------------
def colliding() -> tuple[Value, list[Value]]:
    """Three leaves labelled x, x and x#1 (the name a generated suffix would take), and an unlabeled n1-to-be."""
    leaves = [Value(1.0, label="x"), Value(2.0, label="x"), Value(3.0, label="x#1"), Value(4.0, label="n1")]
    y = (leaves[0] * leaves[1] + leaves[2]) * leaves[3]
    return y, leaves


def test_labels_that_collide_with_generated_names_still_get_distinct_names_everywhere():
    y, leaves = colliding()
    names = node_names(nodes_in_order(y))
    assert len(set(names.values())) == len(names)
    assert [names[leaf] for leaf in leaves] == ["x#2", "x#3", "x#1", "n1"]  # a label no other node has is kept
    steps = backward_steps(y)
    assert {step.parent_name for step in steps} >= {"x#1", "x#2", "x#3"}
    text = explain(y, file=io.StringIO())
    assert all(f" {name} " in str(text) or f" {name}\n" in str(text) for name in ("x#1", "x#2", "x#3"))
    source = draw(y).source
    assert [source.count(f"<B>{name}</B>") for name in ("x#1", "x#2", "x#3")] == [1, 1, 1]
    with pytest.raises(ValueError, match=r"the label 'x' names 2 values; use 'x#2' or 'x#3'") as raised:
        check_gradients(y, {"x": 1.0})
    assert "'x#1'" not in str(raised.value)
    report = check_gradients(y, {"x#1": "4.00", "x#2": "8.00", "x#3": "4.00", "n1": "5.00"})
    assert report.ok, str(report)


@given(
    st.lists(st.sampled_from(["", "x", "x#1", "x#2", "x#1#1", "n1", "n2", "n3#1"]), min_size=1, max_size=12),
    st.lists(st.sampled_from(["", "x", "x#1", "n1", "n2"]), max_size=4),
)
def test_node_names_are_always_distinct(leaf_labels, interior_labels):
    leaves = [Value(float(k), label=label) for k, label in enumerate(leaf_labels)]
    y = leaves[0]
    for k, leaf in enumerate(leaves[1:]):
        y = y + leaf
        if k < len(interior_labels):
            y.label = interior_labels[k]
    names = node_names(nodes_in_order(y))
    assert len(set(names.values())) == len(names)
    for node, name in names.items():  # a label shared by no other node is the node's name
        if node.label and sum(other.label == node.label for other in names) == 1:
            assert name == node.label


def test_a_label_that_is_not_text_is_drawn_and_explained_with_a_replacement_character(tmp_path):
    undecodable = os.fsdecode(b"data\xff.csv")  # as os.listdir returns a file name that is not UTF-8
    assert "\udcff" in undecodable
    x = Value(1.5, label="x")
    x.label = undecodable  # (Value() refuses it; a label set afterwards is drawn safely all the same)
    y = (x * 2.0).tanh()
    assert node_names(nodes_in_order(y))[x] == "data\ufffd.csv"
    source = draw(y, title=undecodable, names={y: "out\udcfe"}).source
    source.encode("utf-8")  # nothing left that cannot be written
    assert "data\ufffd.csv" in source and "out\ufffd" in source
    out = tmp_path / "explain.txt"
    with out.open("w", encoding="utf-8") as file:
        explain(y, file=file)
    assert "data\ufffd.csv" in out.read_text(encoding="utf-8")


@needs_dot
def test_a_label_that_is_not_text_renders(tmp_path):
    x = Value(1.5, label="x")
    x.label = os.fsdecode(b"\xfe\xff")
    svg = draw(x * 2.0, title=os.fsdecode(b"t\xff")).pipe(format="svg").decode("utf-8")
    assert "\ufffd\ufffd" in svg


# ---------------------------------------------------------------------------
# draw's options are checked by name
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        ({"parameters": 3}, TypeError, r"draw\(\) parameters= must be a model, or Values .* got int: 3"),
        ({"parameters": [3]}, TypeError, r"draw\(\) parameters= must hold Values or \(name, Value\) pairs.*got int: 3"),
        ({"parameters": "w" * 300}, TypeError, r"draw\(\) parameters= .*got str: 'w+\.\.\.w+' \(300 characters\)"),
        ({"inputs": 3}, TypeError, r"draw\(\) inputs= must be Values \(a list or set of them\) or None, got int: 3"),
        ({"inputs": [1.0]}, TypeError, r"draw\(\) inputs= must hold Values, got float: 1.0"),
        ({"names": {"x": "y"}}, TypeError, r"draw\(\) names= must map Values to str, got str: 'x' -> str: 'y'"),
        ({"grads": {"x": 1.0}}, TypeError, r"draw\(\) grads= must map Values to numbers, got str: 'x'"),
        ({"graph_attributes": {"size": 3}}, TypeError, r"draw\(\) graph_attributes= must map str to str"),
        ({"highlight": 5}, TypeError, r"draw\(\) highlight must be \(node, k\), a path from paths\(\)"),
        ({"max_nodes": "9"}, ValueError, r"draw\(\) max_nodes must be a positive int, got str: '9'"),
        ({"rankdir": ["LR"]}, ValueError, r"draw\(\) rankdir must be one of .* got \['LR'\]"),
    ],
)
def test_draw_names_each_bad_option_and_what_it_needs(options, error, pattern):
    with pytest.raises(error, match=pattern) as raised:
        draw(Value(1.0) * 2.0, **options)
    assert len(str(raised.value)) < 300


def test_draw_checks_a_highlighted_edge():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"draw\(\) highlight .*: k must index the node's parents, 0 to 0"):
        draw(y, highlight=(y, 1))
    with pytest.raises(TypeError, match=r"a Value and an int, got .*'a'"):
        draw(y, highlight=(y, "a"))
    assert "penwidth=3" in draw(y, highlight=(y, 0)).source


def test_a_drawn_graph_says_what_it_draws():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + 1.0).tanh()
    picture = draw(y)
    # boxes a, b, a*b, a*b+1, tanh; op nodes *, +, tanh; the constant 1.0: 9 nodes; 2 + 1 + 1 + 1 + 3 = 8 edges
    assert repr(picture) == "<glassgrad graph: 9 nodes, 8 edges; show it in a notebook or .render(...)>"
    assert picture.source.count(" -> ") == 8
    assert repr(draw(y, collapse=True)).startswith("<glassgrad graph: 6 nodes, 5 edges;")  # the ops in their boxes
    model = nn.MLP(2, [3, 1], rng=0)
    clustered = draw(model([1.0, 2.0]), parameters=model, collapse=True)  # nodes inside the layers' clusters count
    assert repr(clustered) == f"<glassgrad graph: 4 nodes, {clustered.source.count(' -> ')} edges; " + (
        "show it in a notebook or .render(...)>"
    )

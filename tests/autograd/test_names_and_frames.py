"""Names a learner recognises (state-dict names, n1, n2, ...), layer clusters, checked options, steady frames."""

from __future__ import annotations

import re
import shutil

import pytest

import nn
from autograd import Value
from autograd.explain import backward_steps, explain, frames
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

"""Files and objects: saving through symlinks and bytes paths, pickle and deepcopy of models and deep graphs,
repr of modules that contain themselves."""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import sys

import pytest

import nn
from autograd import ZERO_GRADS, Value, no_grad, relu_dot, softmax
from autograd.core.value import NO_GRAPH

ACTIVATIONS = ["relu", "tanh", "leaky_relu", "gelu", "elu", "selu", "rrelu", "linear", "sigmoid", "softsign"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_saving_through_a_symlink_updates_its_target(tmp_path):
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    first = nn.MLP(2, [3, 1], rng=0)
    first.save(target)
    os.symlink(target, link)
    second = nn.MLP(2, [3, 1], rng=1)
    second.save(link)
    assert link.is_symlink(), "the link stays a link"
    loaded = nn.load(target)
    assert [p.data for p in loaded.parameters()] == [p.data for p in second.parameters()]


def test_bytes_paths_work_wherever_str_paths_do(tmp_path):
    model = nn.MLP(2, [3, 1], rng=0)
    path = os.fsencode(tmp_path / "model.json")
    model.save(path)
    assert [p.data for p in nn.load(path).parameters()] == [p.data for p in model.parameters()]
    assert nn.MLP(2, [3, 1], rng=5).load(path)([0.5, 0.5]).data == model([0.5, 0.5]).data
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    optimizer.save(os.fsencode(tmp_path / "adam.json"))
    assert nn.Adam(model.parameters()).load(os.fsencode(tmp_path / "adam.json")).lr == 0.01


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_what_save_writes_load_takes(tmp_path, activation):
    model = nn.MLP(3, [4, 2], activation=activation, rng=0)
    model.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json")([0.1, 0.2, 0.3])[0].data == model([0.1, 0.2, 0.3])[0].data


def test_save_refuses_rather_than_writing_a_file_load_rejects(tmp_path):
    model = nn.MLP(2, [2, 1], rng=0)
    model.parameters()[0].data = float("nan")
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.w\[0\] = nan: it is not finite"):
        model.save(tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()


def _outputs(model: nn.Module) -> list[float]:
    out = model([0.3, -0.7])
    return [v.data for v in (out if isinstance(out, list) else [out])]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_pickle_and_deepcopy_of_a_model_give_the_same_model(activation):
    model = nn.MLP(2, [4, 3], activation=activation, rng=0).eval()  # eval: rrelu draws nothing
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert _outputs(clone) == _outputs(model)
        assert [p.data for p in clone.parameters()] == [p.data for p in model.parameters()]
        assert not set(map(id, clone.parameters())) & set(map(id, model.parameters()))
        optimizer = nn.SGD(clone.parameters(), lr=0.1)
        nn.fit(clone, nn.mse_loss, [([0.3, -0.7], [1.0, 0.0, 0.5])], optimizer=optimizer, progress=False, rng=0)
        assert _outputs(clone) != _outputs(model), "the clone trains on its own parameters"


def _train_in_a_process(model: nn.Module) -> list[float]:
    nn.fit(model, nn.mse_loss, [([0.3, -0.7], 1.0)], optimizer=nn.SGD(model.parameters(), lr=0.1), progress=False)
    return [p.data for p in model.parameters()]


def test_a_model_goes_to_another_process():
    model = nn.MLP(2, [3, 1], rng=0)
    here = _train_in_a_process(copy.deepcopy(model))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        there = pool.apply(_train_in_a_process, (model,))
    assert there == here


def _chain(length: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for k in range(length):
        y = (y * 1.0001).tanh() if k % 1000 == 0 else y * 1.0 + 0.0
    return x, y


@pytest.mark.parametrize("clone", [lambda o: pickle.loads(pickle.dumps(o)), copy.deepcopy], ids=["pickle", "deepcopy"])
def test_a_100000_node_graph_is_copied_without_recursion_and_keeps_identity(clone):
    x, y = _chain(100_000)
    assert sys.getrecursionlimit() < 100_000
    x2, y2 = clone((x, y))
    y.backward()
    y2.backward()
    assert y2.data == y.data and x2.grad == x.grad and x2.label == "x"
    assert x2 is not x and y2 is not y
    node = y2
    while node.parents:  # the copied chain reaches the copied x, not the original one
        node = node.parents[0]
    assert node is x2


def test_markers_and_shared_nodes_survive_a_copy():
    w = Value(1.0)
    off = relu_dot([w], [-1.0])
    with no_grad():
        made = w * 2.0
    s = softmax([w, Value(2.0)])
    for clone in (lambda o: pickle.loads(pickle.dumps(o)), copy.deepcopy):
        off2, made2, s2 = clone((off, made, s))
        assert off2._local_grads is ZERO_GRADS and made2.context is NO_GRAPH
        with pytest.raises(RuntimeError, match="no_grad"):
            made2.backward()
        assert s2[0].parents[0] is s2[1].parents[0]
        s2[0].backward()
        s[0].backward()
        assert s2[0].parents[0].grad == s[0].parents[0].grad


def test_repr_of_modules_that_contain_themselves_or_each_other_terminates():
    a = nn.Module()
    a.items = [a]
    a.table = {"me": a, "items": a.items}
    assert repr(a).startswith("Module(")
    b, c = nn.Module(), nn.Module()
    b.child, c.parent = c, b
    b.layers = [nn.Neuron(2, rng=0), c]
    text = repr(b)
    assert "..." in text and "Neuron(2" in text

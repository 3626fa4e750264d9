"""An activation is said once: one op entry, and nn, explain, draw, save/load, the exporters and the compiler know it.

Each test registers a new op with an ``activation`` record, uses it everywhere a learner would, and takes it out of
the op table again, so nothing else in the suite sees it.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator

import pytest

import nn
from autograd import OPS, Value
from autograd.core.kinds import INSTALLED, UnaryOp, register
from autograd.explain import explain
from autograd.graph import nodes_in_order
from autograd.ops import Activation


def _tanhshrink_derivative(x, out):
    """d (x - tanh x)/dx = tanh(x)^2 = (x - out)^2: the same expression on floats and on Values (create_graph)."""
    difference = x - out
    return difference * difference


def _bent_derivative(x, out):
    """d ((sqrt(x^2 + 1) - 1)/2 + x)/dx = x / (2 sqrt(x^2 + 1)) + 1."""
    return x / (2.0 * (x * x + 1.0) ** 0.5) + 1.0


def _entry(name: str) -> UnaryOp:
    if name == "tanhshrink":
        return UnaryOp(
            "tanhshrink",
            lambda x: x - math.tanh(x),
            _tanhshrink_derivative,
            "d (x - tanh(x))/dx = tanh(x)^2",
            activation=Activation(torch=("Tanhshrink", {})),
        )
    return UnaryOp(
        "bent_identity",
        lambda x: (math.sqrt(x * x + 1.0) - 1.0) / 2.0 + x,
        _bent_derivative,
        "d bent(x)/dx = x / (2 sqrt(x^2 + 1)) + 1",
        activation=Activation(),  # PyTorch and ONNX have no counterpart
    )


@pytest.fixture(params=["tanhshrink", "bent_identity"])
def new_activation(request) -> Iterator[UnaryOp]:
    """A new activation registered in one entry for the test, removed afterwards."""
    op = _entry(request.param)
    assert op.name not in OPS and not hasattr(Value, op.name)
    register(op)
    try:
        yield op
    finally:
        OPS.pop(op.name, None)
        for name, _ in op.methods():
            INSTALLED.pop(name, None)
            if name in vars(Value):
                delattr(Value, name)


def name_in_file(path, name: str) -> bool:
    """Whether the saved JSON document names the activation (as a value anywhere in it)."""

    def strings(item):
        if isinstance(item, dict):
            for value in item.values():
                yield from strings(value)
        elif isinstance(item, list):
            for value in item:
                yield from strings(value)
        elif isinstance(item, str):
            yield item

    return name in set(strings(json.loads(path.read_text())))


def _model(name: str) -> nn.MLP:
    return nn.MLP(3, [4, 2], activation=name, rng=3)


def test_the_value_method_and_the_chain_rule_come_from_the_entry(new_activation):
    x = Value(0.7)
    y = getattr(x, new_activation.name)()
    y.backward()
    assert y.data == new_activation.forward(0.7)
    h = 1e-6
    numeric = (new_activation.forward(0.7 + h) - new_activation.forward(0.7 - h)) / (2 * h)
    assert x.grad == pytest.approx(numeric, rel=1e-7)


def test_nn_accepts_its_name_and_trains_through_it(new_activation):
    name = new_activation.name
    assert name in nn.activation_names()
    model = _model(name)
    assert all(layer.activation == name for layer in model.layers[:-1])
    out = model([0.5, -1.0, 2.0])
    # the hidden layer applies the new op: four of its nodes are in the graph each output was made from
    assert sum(node.op == name for node in nodes_in_order(out[0])) == 4
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    data = [([0.5, -1.0, 2.0], 1), ([1.0, 0.0, -0.5], 0)]
    first = None
    for _ in range(20):
        loss = nn.cross_entropy([model(x) for x, _ in data], [t for _, t in data])
        first = loss.data if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.data < first


def test_explain_shows_its_formula(new_activation):
    x = Value(0.3, label="x")
    y = getattr(x, new_activation.name)()
    y.label = "y"
    text = io.StringIO()
    steps = explain(y, file=text)
    assert new_activation.formula in text.getvalue()
    assert len(steps) == 1 and steps[0].contribution == pytest.approx(new_activation.derivative(0.3, y.data))


def test_draw_names_the_op(new_activation):
    pytest.importorskip("graphviz")
    from autograd.viz import draw

    model = _model(new_activation.name)
    out = model([0.5, -1.0, 2.0])[0]
    source = draw(out, parameters=model).source
    assert new_activation.name in source


def test_a_saved_model_loads_with_its_activation(new_activation, tmp_path):
    model = _model(new_activation.name)
    path = tmp_path / "model.json"
    model.save(path)
    assert name_in_file(path, new_activation.name)
    loaded = nn.load(path)
    x = [0.5, -1.0, 2.0]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


def test_the_compiled_step_runs_it_from_the_entry(new_activation):
    """The entry has no template: the compiled code calls the entry's own functions, and equals the eager step."""
    data = [([0.5, -1.0, 2.0], 1), ([1.0, 0.0, -0.5], 0)]
    eager, compiled = _model(new_activation.name), _model(new_activation.name)
    eager_optimizer = nn.SGD(eager.parameters(), lr=0.1)
    step = nn.compile(compiled, nn.cross_entropy, nn.SGD(compiled.parameters(), lr=0.1))
    for _ in range(3):
        loss = nn.cross_entropy([eager(x) for x, _ in data], [t for _, t in data])
        eager_optimizer.zero_grad()
        loss.backward()
        eager_optimizer.step()
        assert step(data) == loss.data
    assert [p.data for p in compiled.parameters()] == [p.data for p in eager.parameters()]


def test_to_torch_exports_it_or_refuses_it_by_name(new_activation):
    torch = pytest.importorskip("torch")
    model = _model(new_activation.name)
    if new_activation.activation.torch is None:
        with pytest.raises(ValueError, match=r"PyTorch has no module for the activation 'bent_identity'"):
            nn.to_torch(model)
        return
    module = nn.to_torch(model)
    assert any(type(layer).__name__ == "Tanhshrink" for layer in module)
    x = [0.5, -1.0, 2.0]
    with torch.no_grad():
        theirs = module(torch.tensor([x], dtype=torch.float64))[0].tolist()
    ours = [v.data for v in model(x)]
    assert theirs == pytest.approx(ours, rel=1e-12, abs=1e-12)

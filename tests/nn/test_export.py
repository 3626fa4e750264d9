"""nn.export: to PyTorch and back, a standalone PyTorch script, and ONNX, each checked against glassgrad."""

from __future__ import annotations

import ast
import json
import os
import re
import runpy
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.activations import activation_entry, activation_names
from nn.export import ONNX_TOLERANCE

ELEMENTWISE_ACTIVATIONS = activation_names(layer=False)
# Read from the op table: each activation's torch.nn module, and those onnxruntime runs in float64.
TORCH_ACTIVATIONS = {n: activation_entry(n)[1].torch for n in activation_names() if activation_entry(n)[1].torch}
ONNX_DOUBLE_ACTIVATIONS = tuple(n for n in activation_names() if activation_entry(n)[1].onnx_double)


def _require(name: str):
    """The module, or a skip where it is not installed; in CI (CI set) a missing one fails: the extras are there."""
    if os.environ.get("CI"):
        __import__(name)
        return sys.modules[name]
    return pytest.importorskip(name)


torch = _require("torch")

#: The activations PyTorch has a module for (every glassgrad activation but binary_step).
TORCH_NAMES = tuple(name for name in ELEMENTWISE_ACTIVATIONS if name == "linear" or name in TORCH_ACTIVATIONS)
TOLERANCE = 1e-12


def _close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    return abs(a - b) <= tolerance + tolerance * abs(b)


@st.composite
def models(draw, activations, using=None):
    """A tiny network: an MLP of random sizes and activations, or a lone Layer or Neuron.

    With ``using``, that activation is in it: the Neuron's or Layer's, or the MLP's hidden one (its only one
    when it has one layer), the MLP's output activation drawn from ``activations`` and softmax.
    """
    nin = draw(st.integers(1, 4))
    bias = draw(st.booleans())
    init = draw(st.sampled_from(sorted(nn.INITIALIZERS)))
    seed = draw(st.integers(0, 2**32))
    kind = draw(st.sampled_from(["MLP", "MLP", "MLP", "Layer", "Neuron"]))
    chosen = using or draw(st.sampled_from(activations))
    if kind == "Neuron":
        return nn.Neuron(nin, chosen, bias=bias, init=init, rng=seed)
    if kind == "Layer":
        activation = using or draw(st.sampled_from((*activations, "softmax")))
        return nn.Layer(nin, draw(st.integers(1, 4)), activation=activation, bias=bias, init=init, rng=seed)
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    output = draw(st.sampled_from((*activations, "softmax")))
    if using and len(sizes) == 1:
        output = using
    return nn.MLP(nin, sizes, activation=chosen, output_activation=output, bias=bias, init=init, rng=seed)


def _nin(model) -> int:
    return model.nin


def _rows(model, batch: list[list[float]]) -> list[list[float]]:
    """glassgrad's outputs, one row per input, as PyTorch and ONNX lay them out."""
    rows = []
    for x in batch:
        out = model(x)
        rows.append([v.data for v in (out if isinstance(out, list) else [out])])
    return rows


def _batches(nin: int):
    return st.lists(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin), min_size=1, max_size=3)


def _glassgrad_linears(model) -> list[tuple[list[list], list | None]]:
    """Each layer's weight Values by row and bias Values (or None), in the order of the torch Linears."""
    if isinstance(model, nn.Neuron):
        return [([model.w], None if model.b is None else [model.b])]
    layers = model.layers if isinstance(model, nn.MLP) else [model]
    return [
        ([n.w for n in layer.neurons], None if layer.neurons[0].b is None else [n.b for n in layer.neurons])
        for layer in layers
    ]


# ---------------------------------------------------------------- to_torch: the same function, the same gradients
@pytest.mark.parametrize("activation", TORCH_NAMES)
@settings(max_examples=6)
@given(data=st.data())
def test_to_torch_gives_the_same_outputs_and_gradients(activation, data):
    model = data.draw(models(TORCH_NAMES, using=activation))
    model.eval()  # rrelu: its evaluation slope in both (in training each draws its own)
    network = nn.to_torch(model)
    assert isinstance(network, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in network.parameters())
    assert not network.training
    batch = data.draw(_batches(_nin(model)))
    expected = _rows(model, batch)
    cotangents = [[data.draw(st.floats(-2, 2)) for _ in row] for row in expected]

    # glassgrad: loss = sum over the batch of c . y, one graph per input
    model.zero_grad()
    for x, c in zip(batch, cotangents):
        out = model(x)
        outputs = out if isinstance(out, list) else [out]
        sum((ci * yi for ci, yi in zip(c, outputs)), 0.0).backward()
    # PyTorch: the same loss on the whole batch
    y = network(torch.tensor(batch, dtype=torch.float64))
    assert y.shape == (len(batch), len(expected[0]))
    (y * torch.tensor(cotangents, dtype=torch.float64)).sum().backward()

    for got_row, want_row in zip(y.tolist(), expected):
        assert all(_close(g, w) for g, w in zip(got_row, want_row)), (got_row, want_row)
    linears = [m for m in network if isinstance(m, torch.nn.Linear)]
    for linear, (rows, biases) in zip(linears, _glassgrad_linears(model), strict=True):
        for torch_row, values in zip(linear.weight.grad.tolist(), rows, strict=True):
            assert all(_close(g, v.grad) for g, v in zip(torch_row, values, strict=True))
        if biases is None:
            assert linear.bias is None
        else:
            assert all(_close(g, v.grad) for g, v in zip(linear.bias.grad.tolist(), biases, strict=True))


@pytest.mark.parametrize("pre_activation", [19.5, 20.5, 27.0, 33.0, 39.0, 41.0, 300.0])
def test_softplus_agrees_past_pytorchs_default_threshold(pre_activation):
    neuron = nn.Neuron(1, activation="softplus", rng=0)
    neuron.w[0].data, neuron.b.data = 1.0, pre_activation - 1.0
    out = neuron([1.0])
    out.backward()
    network = nn.to_torch(neuron)
    y = network(torch.ones(1, 1, dtype=torch.float64))
    y.sum().backward()
    assert _close(y.item(), out.data)
    assert _close(network[0].weight.grad.item(), neuron.w[0].grad)


def test_to_torch_layout_is_linear_then_activation():
    model = nn.MLP(2, [3, 1], activation="leaky_relu", output_activation="linear", bias=False, rng=0)
    network = nn.to_torch(model)
    assert [type(m).__name__ for m in network] == ["Linear", "LeakyReLU", "Linear"]
    assert network[1].negative_slope == 0.01
    assert network[0].weight.tolist() == [[w.data for w in n.w] for n in model.layers[0].neurons]
    assert network.training  # the model's mode


@pytest.mark.parametrize("activation", ["binary_step", lambda v: v.tanh()])
def test_to_torch_refuses_an_activation_torch_has_no_module_for(activation):
    model = nn.MLP(2, [3, 1], rng=0)
    model.layers[0] = nn.Layer(2, 3, activation=activation, rng=0)
    match = (
        "PyTorch has no module for the activation 'binary_step' \\(layer 0\\)"
        if activation == "binary_step"
        else "names"
    )
    with pytest.raises(ValueError, match=match):
        nn.to_torch(model)


def test_to_torch_refuses_what_is_not_a_neuron_layer_or_mlp():
    class Custom(nn.Module):
        pass

    with pytest.raises(ValueError, match=r"to_torch\(\) converts a Neuron, Layer or MLP"):
        nn.to_torch(Custom())


# ---------------------------------------------------------------- from_torch: and back
@settings(max_examples=20)
@given(model=models(TORCH_NAMES))
def test_from_torch_of_to_torch_is_the_model_again(model):
    back = nn.from_torch(nn.to_torch(model), rng=0)
    assert isinstance(back, nn.MLP)
    layers = back.architecture()["layers"]
    original = model.architecture()
    if original["type"] == "MLP":
        assert [{**s, "init": "uniform"} for s in original["layers"]] == layers
    else:
        nout = original.get("nout", 1)
        assert layers == [
            {"nout": nout, "activation": original["activation"], "bias": original["bias"], "init": "uniform"}
        ]
    assert [p.data.hex() for p in back.parameters()] == [p.data.hex() for p in model.parameters()]


def test_from_torch_reads_a_float32_network_built_in_pytorch():
    torch.manual_seed(0)
    network = torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.GELU(),
        torch.nn.Linear(5, 4, bias=False),
        torch.nn.Linear(4, 2),
        torch.nn.Softmax(dim=1),
    )
    model = nn.from_torch(network, rng=0)
    assert [(s["activation"], s["bias"]) for s in model.architecture()["layers"]] == [
        ("gelu", True),
        ("linear", False),
        ("softmax", True),
    ]
    x = [[0.3, -1.2, 2.0]]
    want = network(torch.tensor(x)).tolist()[0]
    got = _rows(model, x)[0]
    assert all(abs(g - w) <= 1e-6 for g, w in zip(got, want))  # PyTorch ran in float32, glassgrad in float64


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (lambda t: [t.Linear(2, 3), t.Dropout(0.5)], r"position 1.*no activation for the module Dropout"),
        (lambda t: [t.Linear(2, 3), t.LeakyReLU(0.2)], r"LeakyReLU has negative_slope=0\.01"),
        (lambda t: [t.Linear(2, 3), t.ELU(alpha=2.0)], r"ELU has alpha=1\.0"),
        (lambda t: [t.Linear(2, 3), t.Softplus(beta=2.0)], r"Softplus has beta=1"),
        (lambda t: [t.Linear(2, 3), t.Tanh(), t.Tanh()], r"expected a Linear at position 2"),
        (lambda t: [t.Tanh(), t.Linear(2, 3)], r"expected a Linear at position 0"),
        (lambda t: [t.Linear(2, 3), t.Linear(4, 1)], r"position 1 takes 4 inputs, but the layer before gives 3"),
        (lambda t: [], r"empty"),
    ],
)
def test_from_torch_refuses_what_glassgrad_cannot_be(modules, message):
    with pytest.raises(ValueError, match=message):
        nn.from_torch(torch.nn.Sequential(*modules(torch.nn)))


def test_from_torch_needs_a_sequential():
    with pytest.raises(TypeError, match=r"from_torch\(\) needs a torch\.nn\.Sequential"):
        nn.from_torch(torch.nn.Linear(2, 3))


# ---------------------------------------------------------------- export_torch_source: a script to read and run
@settings(max_examples=10)
@given(model=models(TORCH_NAMES), data=st.data())
def test_the_exported_script_builds_the_same_network(tmp_path_factory, model, data):
    folder = tmp_path_factory.mktemp("script")
    script = nn.export_torch_source(model, folder / "network.py")
    assert script == folder / "network.py"
    assert nn.load(folder / "network.json").architecture() == model.architecture()
    source = script.read_text()
    imported = {
        alias.name.split(".")[0] if isinstance(node, ast.Import) else node.module.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"json", "pathlib", "torch"}  # no pickle
    calls = [ast.unparse(node.func) for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    assert "json.loads" in calls
    assert not {"eval", "exec", "torch.load", "__import__"} & set(calls)
    namespace = runpy.run_path(str(folder / "network.py"))
    network = namespace["load"]()
    model.eval()
    reference = nn.to_torch(model)
    assert str(network) == str(reference)
    batch = torch.tensor(data.draw(_batches(_nin(model))), dtype=torch.float64)
    assert torch.equal(network(batch), reference(batch))


def test_the_exported_script_runs_on_its_own_wherever_it_and_its_weights_go(tmp_path):
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="softmax", rng=0)
    (tmp_path / "made").mkdir()
    nn.export_torch_source(model, tmp_path / "made" / "net.py")
    moved = tmp_path / "elsewhere"
    shutil.move(tmp_path / "made", moved)
    result = subprocess.run([sys.executable, str(moved / "net.py")], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Softmax(dim=-1)" in result.stdout
    expected = _rows(model, [[0.0, 0.0, 0.0]])[0]
    assert f"{expected[0]:.4f}" in result.stdout


def test_the_script_can_read_weights_kept_in_another_folder(tmp_path):
    model = nn.Neuron(2, activation="sigmoid", rng=0)
    (tmp_path / "code").mkdir()
    (tmp_path / "data").mkdir()
    nn.export_torch_source(model, tmp_path / "code" / "neuron.py", weights_path=tmp_path / "data" / "weights.json")
    network = runpy.run_path(str(tmp_path / "code" / "neuron.py"))["load"]()
    assert network(torch.tensor([[1.0, -2.0]], dtype=torch.float64)).item() == model([1.0, -2.0]).data


def test_the_script_refuses_a_file_of_another_shape(tmp_path):
    nn.export_torch_source(nn.MLP(2, [3, 1], rng=0), tmp_path / "net.py")
    nn.MLP(3, [3, 1], rng=0).save(tmp_path / "other.json")
    namespace = runpy.run_path(str(tmp_path / "net.py"))
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.w has 3 weights, not 2"):
        namespace["load"](tmp_path / "other.json")


def test_export_torch_source_refuses_binary_step(tmp_path):
    with pytest.raises(ValueError, match="no module for the activation 'binary_step'"):
        nn.export_torch_source(nn.Neuron(2, activation="binary_step", rng=0), tmp_path / "net.py")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- ONNX
onnx = _require("onnx")
onnxruntime = _require("onnxruntime")
np = _require("numpy")


def _run_onnx(path, batch: list[list[float]], dtype: str) -> list[list[float]]:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": np.array(batch, dtype=dtype)})[0].tolist()


def _uses(model) -> set[str]:
    description = model.architecture()
    return {spec["activation"] for spec in description.get("layers", [description])}


@pytest.mark.parametrize("activation", ELEMENTWISE_ACTIVATIONS)
@settings(max_examples=4)
@given(data=st.data())
def test_onnxruntime_gives_glassgrads_outputs_within_the_stated_tolerance(tmp_path_factory, activation, data):
    model = data.draw(models(ELEMENTWISE_ACTIVATIONS, using=activation))
    path = tmp_path_factory.mktemp("onnx") / "model.onnx"
    proto = nn.to_onnx(model, path)
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded == proto
    element = loaded.graph.input[0].type.tensor_type.elem_type
    dtype = "float64" if _uses(model) <= set(ONNX_DOUBLE_ACTIVATIONS) else "float32"
    assert element == {"float64": onnx.TensorProto.DOUBLE, "float32": onnx.TensorProto.FLOAT}[dtype]
    ops = {node.op_type for node in loaded.graph.node}
    assert "Gemm" in ops
    batch = data.draw(_batches(_nin(model)))
    model.eval()  # an ONNX graph is for inference: rrelu in its evaluation form
    got = _run_onnx(path, batch, dtype)
    rtol, atol = ONNX_TOLERANCE[dtype]
    for got_row, want_row in zip(got, _rows(model, batch), strict=True):
        for g, w in zip(got_row, want_row, strict=True):
            assert abs(g - w) <= atol + rtol * abs(w), (g, w, dtype)


def test_the_onnx_graph_is_gemm_then_the_activation_operators():
    model = nn.MLP(2, [3, 3, 2], activation="silu", output_activation="softmax", bias=False, rng=0)
    proto = nn.to_onnx(model)
    assert [node.op_type for node in proto.graph.node] == [
        "Gemm",
        "Sigmoid",
        "Mul",
        "Gemm",
        "Sigmoid",
        "Mul",
        "Gemm",
        "Softmax",
    ]
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert [init.name for init in proto.graph.initializer] == ["layers.0.weight", "layers.1.weight", "layers.2.weight"]


def test_an_operator_onnxruntime_runs_in_float32_only_makes_the_graph_float32(tmp_path):
    model = nn.MLP(2, [3, 1], activation="elu", rng=0)
    proto = nn.to_onnx(model, tmp_path / "elu.onnx")
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert "Elu" in {node.op_type for node in proto.graph.node}
    assert _run_onnx(tmp_path / "elu.onnx", [[0.5, -1.0]], "float32")[0][0] == pytest.approx(
        model([0.5, -1.0]).data, rel=ONNX_TOLERANCE["float32"][0], abs=ONNX_TOLERANCE["float32"][1]
    )


def test_float32_can_be_asked_for(tmp_path):
    model = nn.MLP(3, [4, 2], activation="tanh", rng=1)
    nn.to_onnx(model, tmp_path / "m.onnx", dtype="float32")
    got = _run_onnx(tmp_path / "m.onnx", [[1.0, 2.0, -0.5]], "float32")[0]
    rtol, atol = ONNX_TOLERANCE["float32"]
    assert all(abs(g - w) <= atol + rtol * abs(w) for g, w in zip(got, _rows(model, [[1.0, 2.0, -0.5]])[0]))
    with pytest.raises(ValueError, match=r"dtype must be 'auto', 'float64' or 'float32', got 'float16'"):
        nn.to_onnx(model, dtype="float16")


def test_to_onnx_refuses_a_callable_activation():
    with pytest.raises(ValueError, match=r"to_onnx\(\) converts a Neuron, Layer or MLP"):
        nn.to_onnx(nn.Neuron(2, activation=lambda v: v * 2, rng=0))


# ---------------------------------------------------------------- without the extras
@pytest.mark.parametrize(
    ("missing", "call", "extra"),
    [
        ("torch", lambda: nn.to_torch(nn.MLP(2, [1], rng=0)), "glassgrad[torch]"),
        ("torch", lambda: nn.from_torch(object()), "glassgrad[torch]"),
        ("onnx", lambda: nn.to_onnx(nn.MLP(2, [1], rng=0)), "glassgrad[onnx]"),
    ],
)
def test_without_the_extra_the_error_says_which_to_install(monkeypatch, missing, call, extra):
    monkeypatch.setitem(sys.modules, missing, None)  # import then raises ImportError
    with pytest.raises(ImportError, match=re.escape(f'pip install "{extra}"')):
        call()


def test_writing_the_script_does_not_need_torch(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)
    nn.export_torch_source(nn.MLP(2, [2, 1], rng=0), tmp_path / "net.py")
    assert json.loads((tmp_path / "net.json").read_text())["architecture"]["nin"] == 2


def test_importing_nn_export_imports_neither_torch_nor_onnx():
    code = "import sys, nn, nn.export; print(sorted({'torch', 'onnx', 'onnxruntime', 'numpy'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_parity_is_checked_for_every_activation_torch_has_a_module_for():
    """The strategies above draw from these names: a new activation is tested the day it exists (or refused)."""
    assert set(TORCH_NAMES) == set(ELEMENTWISE_ACTIVATIONS) - {"binary_step"}
    assert set(TORCH_ACTIVATIONS) == set(ELEMENTWISE_ACTIVATIONS) - {"binary_step", "linear"} | {"softmax"}

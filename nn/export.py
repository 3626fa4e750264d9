"""Models that travel: a glassgrad Neuron, Layer or MLP out to PyTorch and ONNX, and back from PyTorch.

- :func:`to_torch`: a ``torch.nn.Sequential`` of ``Linear`` layers and activation
  modules in float64, computing what the glassgrad model computes: outputs and
  parameter gradients agree to 1e-12 (the tests check it for random sizes,
  inputs and every activation).
- :func:`from_torch`: such a Sequential back to an :class:`nn.MLP`.
- :func:`export_torch_source`: a standalone, readable ``.py`` file that builds
  the network with ``torch.nn`` and loads its weights from the model's JSON
  file (with the ``json`` module: no pickle).
- :func:`to_onnx`: an ONNX graph (``Gemm`` and the activation operators),
  checked by ``onnx.checker``; float64 where onnxruntime runs every operator
  of the model in float64, float32 otherwise (see :data:`ONNX_TOLERANCE`).

A glassgrad layer of ``nout`` neurons over ``nin`` inputs is one
``Linear(nin, nout)``: neuron ``j``'s weights are row ``j`` of its ``weight``,
its bias entry ``j`` of ``bias``. The glassgrad ``"linear"`` activation adds no
module. PyTorch and ONNX always work on batches: an input of shape
``(batch, nin)`` gives ``(batch, nout)``, where glassgrad takes one sample and
returns a single Value for a one-neuron output layer.

torch and onnx are optional: ``pip install "glassgrad[torch]"`` and
``pip install "glassgrad[onnx]"``; they are imported only inside these
functions, and without them the error says which extra to install.
"""

from __future__ import annotations

import ast
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd.core.checks import quote
from autograd.files import check_writable, write_file
from nn.activations import activation_entry, activation_names
from nn.module import architecture_text, build, save

__all__ = [
    "ONNX_OPSET",
    "ONNX_TOLERANCE",
    "export_torch_source",
    "from_torch",
    "to_onnx",
    "to_torch",
]

#: The ONNX opset the graphs use (``Gelu`` needs 20).
ONNX_OPSET = 20


def _activation_facts(name: str) -> Any:
    """The op table's record of the activation ``name`` (:class:`autograd.ops.Activation`)."""
    return activation_entry(name)[1]


def _exports_nothing(name: str) -> bool:
    """Whether the activation adds no node (nn's ``"linear"``): no module, no ONNX operator."""
    return not _activation_facts(name).adds_node


#: How close onnxruntime's outputs are to glassgrad's, by graph type: ``(rtol, atol)``, meaning
#: ``|onnx - glassgrad| <= atol + rtol * |glassgrad|``. float64 graphs do the same arithmetic in another
#: order (Gemm sums); float32 graphs round the weights and every step to float32 (about 6e-8 each),
#: which tiny networks with inputs and weights of order 1 keep within 1e-5.
ONNX_TOLERANCE: dict[str, tuple[float, float]] = {"float64": (1e-12, 1e-12), "float32": (1e-5, 1e-5)}

_TORCH_EXTRA = 'pip install "glassgrad[torch]"'
_ONNX_EXTRA = 'pip install "glassgrad[onnx]"'


@dataclass(frozen=True)
class _Dense:
    """One fully connected layer, read off a glassgrad layer: weights by row (one per neuron), biases or None."""

    nin: int
    nout: int
    activation: str
    weights: list[list[float]]
    biases: list[float] | None


def _import_torch(where: str) -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(f"{where} needs PyTorch, which is not installed: {_TORCH_EXTRA}") from None
    return torch


def _dense_layers(model: Any, where: str) -> list[_Dense]:
    """The model as a list of dense layers; a ValueError naming what cannot be converted."""
    from nn.layers import MLP, Layer, Neuron

    architecture = model.architecture() if isinstance(model, MLP | Layer | Neuron) else None
    if architecture is None:
        raise ValueError(
            f"{where} converts a Neuron, Layer or MLP whose activations are names (see nn.activation_names()), "
            f"got {type(model).__name__} {quote(model)}"
        )
    if architecture["type"] == "Neuron":
        biases = None if model.b is None else [model.b.data]
        return [_Dense(model.nin, 1, model.activation, [[w.data for w in model.w]], biases)]
    layers = model.layers if isinstance(model, MLP) else [model]
    dense = []
    for layer in layers:
        assert isinstance(layer, Layer)
        has_bias = layer.neurons[0].b is not None
        dense.append(
            _Dense(
                layer.nin,
                layer.nout,
                layer.activation,
                [[w.data for w in neuron.w] for neuron in layer.neurons],
                [neuron.b.data for neuron in layer.neurons] if has_bias else None,
            )
        )
    return dense


def _torch_activation(name: str, index: int, where: str) -> tuple[str, dict[str, Any]] | None:
    """The activation's ``torch.nn`` module (class name, keyword arguments); None for one that adds nothing."""
    if _exports_nothing(name):
        return None
    torch_module = _activation_facts(name).torch
    if torch_module is None:
        convertible = [n for n in activation_names() if _exports_nothing(n) or _activation_facts(n).torch is not None]
        raise ValueError(
            f"{where}: PyTorch has no module for the activation {name!r} (layer {index}); "
            f"convertible activations are {', '.join(map(repr, convertible))}"
        )
    class_name, arguments = torch_module
    return class_name, dict(arguments)


# ---------------------------------------------------------------- PyTorch
def to_torch(model: Any) -> Any:
    """The model as a ``torch.nn.Sequential`` of ``Linear`` and activation modules, in float64.

    Outputs and parameter gradients equal glassgrad's to 1e-12. The
    Sequential is in the model's mode (``train()`` or ``eval()``): rrelu
    draws its slopes in training, from PyTorch's generator, so the two agree
    in evaluation. An activation PyTorch has no module for
    (``"binary_step"``, a callable) is a ValueError naming it.

    >>> import nn
    >>> nn.to_torch(nn.MLP(2, [3, 1], activation="tanh", rng=0))  # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    """
    where = "to_torch()"
    layers = _dense_layers(model, where)
    torch = _import_torch(where)
    modules = []
    for index, layer in enumerate(layers):
        activation = _torch_activation(layer.activation, index, where)
        linear = torch.nn.Linear(layer.nin, layer.nout, bias=layer.biases is not None, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.weights, dtype=torch.float64))
            if layer.biases is not None:
                linear.bias.copy_(torch.tensor(layer.biases, dtype=torch.float64))
        modules.append(linear)
        if activation is not None:
            class_name, arguments = activation
            modules.append(getattr(torch.nn, class_name)(**arguments))
    return torch.nn.Sequential(*modules).train(model.training)


def _activation_from_torch(module: Any, torch: Any, where: str) -> str:
    """The glassgrad name of a PyTorch activation module; a ValueError for one it cannot stand for."""
    kind = type(module)
    candidates = []
    for name in activation_names():
        facts = _activation_facts(name)
        if facts.torch is None or getattr(torch.nn, facts.torch[0], None) is not kind:
            continue
        arguments = facts.torch[1]
        matches = facts.torch_matches or (lambda m, a=arguments: all(getattr(m, k) == v for k, v in a.items()))
        if matches(module):
            return name
        candidates.append(", ".join(f"{key}={value!r}" for key, value in arguments.items()))
    if candidates:
        raise ValueError(f"{where}: glassgrad's {kind.__name__} has {' or '.join(candidates)}, got {quote(module)}")
    raise ValueError(f"{where}: glassgrad has no activation for the module {quote(module)}")


def from_torch(module: Any, rng: random.Random | int | None = None) -> Any:
    """A ``torch.nn.Sequential`` of ``Linear`` layers, each optionally followed by an activation, as an :class:`nn.MLP`.

    The inverse of :func:`to_torch`: ``from_torch(to_torch(model))`` has the
    model's architecture and weights, bit for bit (float32 weights become the
    same numbers in float64). A Linear with no activation after it is a
    ``"linear"`` layer. Anything else in the Sequential (dropout,
    normalization, two activations in a row, an activation with settings
    glassgrad's has not) is a ValueError naming the module and its position.
    ``rng`` goes to the MLP's constructor (its weights are then replaced).

    >>> import torch   # needs glassgrad[torch]
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)), rng=0)
    MLP(2 -> [3, 1], 13 parameters)
      (layers.0): Layer(2 -> 3, activation='tanh')
      (layers.1): Layer(3 -> 1, activation='linear')
    """
    where = "from_torch()"
    torch = _import_torch(where)
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"{where} needs a torch.nn.Sequential of Linear and activation modules, got {type(module).__name__}"
        )
    children = list(module)
    specs: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    nin: int | None = None
    position = 0
    while position < len(children):
        linear = children[position]
        if not isinstance(linear, torch.nn.Linear):
            raise ValueError(f"{where}: expected a Linear at position {position}, got {quote(linear)}")
        if nin is not None and linear.in_features != specs[-1]["nout"]:
            raise ValueError(
                f"{where}: the Linear at position {position} takes {linear.in_features} inputs, "
                f"but the layer before gives {specs[-1]['nout']}"
            )
        nin = linear.in_features if nin is None else nin
        activation = "linear"
        following = children[position + 1] if position + 1 < len(children) else None
        position += 1
        if following is not None and not isinstance(following, torch.nn.Linear):
            activation = _activation_from_torch(following, torch, f"{where} position {position}")
            position += 1
        index = len(specs)
        bias = linear.bias is not None
        specs.append({"nout": linear.out_features, "activation": activation, "bias": bias, "init": "uniform"})
        weights = linear.weight.detach().to(torch.float64).tolist()
        biases = linear.bias.detach().to(torch.float64).tolist() if bias else []
        for j, row in enumerate(weights):
            state[f"layers.{index}.neurons.{j}.w"] = row
            if bias:
                state[f"layers.{index}.neurons.{j}.b"] = biases[j]
    if not specs:
        raise ValueError(f"{where}: the Sequential is empty")
    model = build({"type": "MLP", "nin": nin, "layers": specs}, rng=rng)
    model.load_state_dict(state)
    return model.train(module.training)


_SOURCE_TEMPLATE = '''"""A PyTorch version of a glassgrad model, written by glassgrad's nn.export_torch_source().

It builds the network with torch.nn modules in float64 and fills in the weights
from the glassgrad model file that WEIGHTS_FILE names (JSON, read with the json
module: no pickle). Edit it freely. Run as a script, it builds the network,
loads the weights and runs one input.

In glassgrad, neuron j of a layer computes activation(w . x + b); here a layer is
one Linear(nin, nout) whose weight row j is neuron j's w and bias[j] its b.
"""

import json
from pathlib import Path

import torch
from torch import nn

ARCHITECTURE = {architecture}
WEIGHTS_FILE = {weights_file}


def build() -> nn.Sequential:
    """The network ARCHITECTURE describes."""
    return nn.Sequential(
{modules}
    )


# The glassgrad parameters of each Linear, by its index in the Sequential. For row j, with
# name = pattern.format(j=j): the weights (a list) are parameters[name + "w"], the bias parameters[name + "b"].
LINEAR_LAYERS = {{
{linear_layers}
}}


def load_weights(network: nn.Sequential, path: str | Path = WEIGHTS_FILE) -> nn.Sequential:
    """Copy the weights of the glassgrad model file at path into network; returns network."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if document.get("format") != "glassgrad-state":
        raise ValueError(f"{{path}} is not a glassgrad model file")
    parameters = document["parameters"]
    with torch.no_grad():
        for index, neuron in LINEAR_LAYERS.items():
            linear = network[index]
            for j in range(linear.out_features):
                name = neuron.format(j=j)
                weights = parameters[name + "w"]
                if len(weights) != linear.in_features:
                    raise ValueError(f"{{path}}: {{name}}w has {{len(weights)}} weights, not {{linear.in_features}}")
                linear.weight[j] = torch.tensor(weights, dtype=torch.float64)
                if linear.bias is not None:
                    linear.bias[j] = parameters[name + "b"]
    return network


def load(path: str | Path = WEIGHTS_FILE) -> nn.Sequential:
    """The network with its trained weights, in evaluation mode."""
    return load_weights(build(), path).eval()


if __name__ == "__main__":
    network = load()
    print(network)
    print(network(torch.zeros(1, {nin}, dtype=torch.float64)))
'''

#: The only modules a generated script imports.
_SCRIPT_IMPORTS = frozenset({"json", "pathlib", "torch"})
#: What stands for the user's weights path in the reference rendering the generated script is compared with.
_PLACEHOLDER = "weights.json"
_PLAIN_ARGUMENTS = (bool, int, float, str, type(None))


def _module_call(class_name: str, arguments: dict[str, Any]) -> str:
    """``nn.Tanh()``, ``nn.LeakyReLU(negative_slope=0.01)``: a torch module from the op table's facts, checked."""
    if not class_name.isidentifier() or not all(
        key.isidentifier() and isinstance(value, _PLAIN_ARGUMENTS) for key, value in arguments.items()
    ):
        raise ValueError(f"export_torch_source(): the op table's module {quote(class_name)} is not code it can write")
    return f"nn.{class_name}({', '.join(f'{key}={value!r}' for key, value in arguments.items())})"


def _torch_source(layers: list[_Dense], kind: str, weights_file: str, architecture: str, where: str) -> str:
    """The script's source; ``weights_file`` is the expression of WEIGHTS_FILE (holding one ``repr()`` literal)."""
    lines, linear_layers, index = [], [], 0
    for number, layer in enumerate(layers):
        activation = _torch_activation(layer.activation, number, where)
        bias = "" if layer.biases is not None else ", bias=False"
        lines.append(f"        nn.Linear({layer.nin}, {layer.nout}{bias}, dtype=torch.float64),")
        neuron = {"MLP": f"layers.{number}.neurons.{{j}}.", "Layer": "neurons.{j}.", "Neuron": ""}[kind]
        linear_layers.append(f"    {index}: {neuron!r},")
        index += 1
        if activation is not None:
            lines.append(f"        {_module_call(*activation)},")
            index += 1
    return _SOURCE_TEMPLATE.format(
        architecture=repr(architecture),
        weights_file=weights_file,
        modules="\n".join(lines),
        linear_layers="\n".join(linear_layers),
        nin=layers[0].nin,
    )


def _weights_file_literal(tree: ast.Module) -> ast.Constant:
    """The one string literal in the expression assigned to WEIGHTS_FILE."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == ["WEIGHTS_FILE"]:
            found = [c for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if len(found) == 1:
                return found[0]
    raise AssertionError("the generated script has no WEIGHTS_FILE of one string")  # a bug here, not the user's


def _checked_source(source: str, reference: str, user_text: str, where: str) -> str:
    """``source``, once ``ast`` shows that the user's text is in it only as WEIGHTS_FILE's string literal.

    The source must parse; its WEIGHTS_FILE literal must hold exactly ``user_text``; with that literal set back
    to the placeholder, its tree must be the reference script's (rendered with the placeholder), node for node,
    so the text changed nothing else; and the script imports only json, pathlib and torch.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise ValueError(f"{where}: the weights path {quote(user_text)} changed the generated script") from None
    literal = _weights_file_literal(tree)
    if literal.value != user_text:
        raise ValueError(f"{where}: the weights path did not survive as a string literal: {quote(user_text)}")
    literal.value = _PLACEHOLDER
    if ast.dump(tree) != ast.dump(ast.parse(reference)):
        raise ValueError(f"{where}: the weights path {quote(user_text)} changed the generated script")
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    if not {name.split(".")[0] for name in imported} <= _SCRIPT_IMPORTS:
        raise ValueError(f"{where}: the generated script would import {sorted(imported)}")
    return source


def export_torch_source(
    model: Any,
    path: str | os.PathLike[str] | bytes,
    weights_path: str | os.PathLike[str] | bytes | None = None,
) -> Path:
    """Write a standalone PyTorch script (``path``) that builds the model and loads its weights from JSON.

    The weights go to ``weights_path`` (by default beside the script, with the
    same name and ``.json``), written as ``model.save`` writes them. The script
    imports only ``json``, ``pathlib`` and ``torch``; it has ``build()`` (the
    ``nn.Sequential``, as :func:`to_torch` makes it), ``load_weights(network,
    path)`` and ``load(path)``, and running it prints the network and one
    output. It finds a weights file in its own folder wherever the two are
    moved together. Writing it does not need torch. Returns the script's path.

    File names are data, never code: the weights file's name (or, in another
    folder, its absolute path) enters the script only as a ``repr()`` string
    literal, and the script is parsed and compared with the same script for a
    plain name before anything is written, so any legal file name works
    (quotes, backslashes, newlines, three double quotes, any unicode). Both
    files are written through :func:`autograd.files.write_file` (regular files
    only, whole or not at all); a destination that is a folder, FIFO or device
    is refused before either file is written.

    >>> import nn, tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = export_torch_source(nn.MLP(2, [3, 1], rng=0), os.path.join(folder, "model.py"))
    ...     sorted(os.listdir(folder))      # the script and its weights
    ['model.json', 'model.py']
    """
    where = "export_torch_source()"
    layers = _dense_layers(model, where)
    for name, given in (("path", path), ("weights_path", weights_path)):
        if given is not None and not isinstance(given, str | bytes | os.PathLike):
            raise TypeError(f"{where} {name} must be a file path (str or os.PathLike), got {type(given).__name__}")
    script = Path(os.fsdecode(path))
    weights = Path(os.fsdecode(weights_path)) if weights_path is not None else script.with_suffix(".json")
    if weights.resolve() == script.resolve():
        raise ValueError(
            f"{where}: the script and its weights would be the same file {quote(str(script))}; "
            "give the script a .py name or pass weights_path="
        )
    if weights.resolve().parent == script.resolve().parent:
        user_text, expression = weights.name, "Path(__file__).with_name({})"
    else:
        user_text, expression = str(weights.resolve()), "Path({})"
    architecture = architecture_text(model.architecture())
    kind = type(model).__name__
    source = _torch_source(layers, kind, expression.format(repr(user_text)), architecture, where)
    reference = _torch_source(layers, kind, expression.format(repr(_PLACEHOLDER)), architecture, where)
    _checked_source(source, reference, user_text, where)
    for target in (script, weights):  # refuse a folder, FIFO or device before either file is written
        check_writable(target, what=where)
    save(model, weights, what=where)
    write_file(script, source, what=where)
    return script


# ---------------------------------------------------------------- ONNX
def _import_onnx(where: str) -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError(f"{where} needs the onnx package, which is not installed: {_ONNX_EXTRA}") from None
    return onnx


def _onnx_activation(onnx: Any, name: str, x: str, out: str, prefix: str, element: int) -> tuple[list[Any], list[Any]]:
    """ONNX nodes (and constants) computing glassgrad's activation ``name`` of ``x`` into ``out``."""
    helper = onnx.helper
    steps = _activation_facts(name).onnx
    if not steps:
        raise ValueError(f"to_onnx(): no ONNX operator for the activation {name!r}")
    nodes, constants, outputs = [], [], {"x": x}
    for number, (op_type, inputs, attributes) in enumerate(steps, start=1):
        names = []
        for item in inputs:
            if isinstance(item, str):
                names.append(outputs[item])
            else:  # a number: a constant tensor of the graph's type
                constant = f"{prefix}.constant{len(constants)}"
                constants.append(helper.make_tensor(constant, element, [], [float(item)]))
                names.append(constant)
        last = number == len(steps)
        result = out if last else f"{prefix}.{name}_step{number}"
        settings = {key: element if value == "element type" else value for key, value in attributes.items()}
        nodes.append(helper.make_node(op_type, names, [result], name=f"{prefix}.{name}.{number}", **settings))
        outputs[f"step{number}"] = result
    return nodes, constants


def to_onnx(model: Any, path: str | os.PathLike[str] | None = None, dtype: str = "auto") -> Any:
    """The model as an ONNX graph (``Gemm`` and activation operators), checked by ``onnx.checker``; written to ``path``.

    The graph's input ``"input"`` has shape ``(batch, nin)``, its output
    ``"output"`` ``(batch, nout)``. ``dtype="auto"`` makes it float64 when
    onnxruntime runs every activation of the model in float64 (see
    each activation's ``onnx_double`` in the op table), float32 otherwise; ``"float64"`` or
    ``"float32"`` force one (a float64 graph with, say, ``Elu`` is valid ONNX
    that onnxruntime cannot run). onnxruntime's outputs are within
    :data:`ONNX_TOLERANCE` of glassgrad's. rrelu is exported in its evaluation
    form. Returns the ``onnx.ModelProto`` (also written, atomically, when
    ``path`` is given). Needs ``pip install "glassgrad[onnx]"``.

    >>> import nn
    >>> graph = to_onnx(nn.MLP(2, [3, 1], activation="tanh", rng=0))   # needs glassgrad[onnx]
    >>> sorted({node.op_type for node in graph.graph.node})
    ['Gemm', 'Tanh']
    """
    where = "to_onnx()"
    layers = _dense_layers(model, where)
    if dtype not in ("auto", "float64", "float32"):
        raise ValueError(f"{where} dtype must be 'auto', 'float64' or 'float32', got {quote(dtype)}")
    onnx = _import_onnx(where)
    helper, tensor_proto = onnx.helper, onnx.TensorProto
    if dtype == "auto":
        doubles = all(_activation_facts(layer.activation).onnx_double for layer in layers)
        dtype = "float64" if doubles else "float32"
    element = tensor_proto.DOUBLE if dtype == "float64" else tensor_proto.FLOAT
    nodes, initializers = [], []
    current = "input"
    for index, layer in enumerate(layers):
        prefix = f"layers.{index}"
        weight = helper.make_tensor(
            f"{prefix}.weight", element, [layer.nout, layer.nin], [w for row in layer.weights for w in row]
        )
        initializers.append(weight)
        inputs = [current, weight.name]
        if layer.biases is not None:
            initializers.append(helper.make_tensor(f"{prefix}.bias", element, [layer.nout], layer.biases))
            inputs.append(f"{prefix}.bias")
        last = index == len(layers) - 1
        adds_nothing = _exports_nothing(layer.activation)
        gemm_out = "output" if last and adds_nothing else f"{prefix}.linear"
        nodes.append(helper.make_node("Gemm", inputs, [gemm_out], name=f"{prefix}.gemm", transB=1))
        current = gemm_out
        if not adds_nothing:
            out = "output" if last else f"{prefix}.{layer.activation}_out"
            more_nodes, constants = _onnx_activation(onnx, layer.activation, current, out, prefix, element)
            nodes += more_nodes
            initializers += constants
            current = out
    summary = architecture_text(model.architecture())
    graph = helper.make_graph(
        nodes,
        f"glassgrad {summary}",
        [helper.make_tensor_value_info("input", element, ["batch", layers[0].nin])],
        [helper.make_tensor_value_info("output", element, ["batch", layers[-1].nout])],
        initializer=initializers,
    )
    proto = helper.make_model(graph, producer_name="glassgrad", opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    proto.ir_version = 10  # onnxruntime 1.18 and later read it
    proto.doc_string = f"glassgrad {summary}, {dtype}"
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        write_file(path, proto.SerializeToString(), what=where)
    return proto

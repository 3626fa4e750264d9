"""Saving and loading modules: self-describing JSON files, written atomically, checked before anything is set.

A saved file (format version 2)::

    {"format": "glassgrad-state", "version": 2, "module": "MLP",
     "architecture": {"type": "MLP", "nin": 2, "layers": [
         {"nout": 4, "activation": "tanh", "bias": true, "init": "uniform"},
         {"nout": 1, "activation": "sigmoid", "bias": true, "init": "uniform"}]},
     "parameters": {"layers.0.neurons.0.w": [0.1, -0.3], "layers.0.neurons.0.b": 0.0, ...}}

``architecture`` says what the model is, so :func:`load` can rebuild it from
the file alone (see :func:`describe` for each type). It is left out for a
module that cannot describe itself (a Module subclass of your own, or a
callable activation): such a file loads only into a model you build.
Version 1 files (no ``architecture``; glassgrad 0.1.0) still load into a
model with :meth:`Module.load <nn.Module.load>`.

A list of Values (a neuron's ``w``) is one entry holding a list of numbers; a
lone Value is one number. Floats are written with ``repr``, so a save and a
load give back the same bits. No pickle and no eval: a file can only ever set
numbers, and :func:`load_into` checks all of them before it sets any.
``Module.save`` and ``Module.load`` call these; optimizers have their own
files (:func:`save_optimizer`, format ``"glassgrad-optimizer"``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import tempfile
from collections.abc import Callable, Mapping
from typing import IO, Any

__all__ = [
    "FILE_FORMAT",
    "FILE_VERSION",
    "OPTIMIZER_FORMAT",
    "OPTIMIZER_VERSION",
    "architecture_text",
    "build",
    "describe",
    "load",
    "load_into",
    "load_optimizer_into",
    "save",
    "save_optimizer",
]

#: Written into every saved model file; the loaders refuse other formats.
FILE_FORMAT = "glassgrad-state"
#: The model file layout version this code writes; it reads this one and every older one.
FILE_VERSION = 2
#: The top-level keys each model file version may hold.
_FILE_KEYS = {
    1: {"format", "version", "module", "parameters"},
    2: {"format", "version", "module", "architecture", "parameters"},
}
#: Written into every saved optimizer file.
OPTIMIZER_FORMAT = "glassgrad-optimizer"
#: The optimizer file layout version this code writes and reads.
OPTIMIZER_VERSION = 1
_OPTIMIZER_KEYS = {"format", "version", "optimizer", "state"}

_BUILDABLE = ("Neuron", "Layer", "MLP")
_LAYER_KEYS = {"nout", "activation", "bias", "init"}
_SPEC_KEYS = {
    "Neuron": {"type", "nin", "activation", "bias", "init"},
    "Layer": {"type", "nin", "nout", "activation", "bias", "init"},
    "MLP": {"type", "nin", "layers"},
}


# ---------------------------------------------------------------- architecture
def describe(module: Any) -> dict[str, Any] | None:
    """What ``module`` is, as JSON-ready data: enough to rebuild it with :func:`build`; None if it cannot say.

    - ``Neuron``: ``{"type": "Neuron", "nin": 3, "activation": "tanh", "bias": true, "init": "uniform"}``
    - ``Layer``: ``{"type": "Layer", "nin": 3, "nout": 4, "activation": "tanh", "bias": true, "init": "uniform"}``
    - ``MLP``: ``{"type": "MLP", "nin": 3, "layers": [{"nout": 4, "activation": "tanh", "bias": true,
      "init": "uniform"}, ...]}``, one entry per layer, each layer's input size being the previous one's output.

    ``activation`` is a name of :func:`nn.activation_names`; ``init`` the
    initializer's name (a record of how the weights started: the file's
    numbers replace them). None for what a file cannot rebuild: a subclass
    (its own code may differ), a callable activation, or a layer whose neurons
    were changed by hand so that they no longer agree (sizes, bias, activation).

    >>> import nn
    >>> describe(nn.Layer(3, 2, activation="tanh", rng=0))
    {'type': 'Layer', 'nin': 3, 'nout': 2, 'activation': 'tanh', 'bias': True, 'init': 'uniform'}
    """
    from nn.layers import MLP, Layer, Neuron

    kind = type(module)
    if kind is Neuron:
        if not isinstance(module.activation, str) or not isinstance(module.init, str):
            return None
        return {
            "type": "Neuron",
            "nin": module.nin,
            "activation": module.activation,
            "bias": module.b is not None,
            "init": module.init,
        }
    if kind is Layer:
        spec = _describe_layer(module)
        return None if spec is None else {"type": "Layer", "nin": module.nin, **spec}
    if kind is MLP:
        layers, nin = [], module.nin
        if not isinstance(module.layers, list) or not module.layers:
            return None
        for layer in module.layers:
            spec = _describe_layer(layer) if type(layer) is Layer else None
            if spec is None or layer.nin != nin:
                return None
            layers.append(spec)
            nin = layer.nout
        return {"type": "MLP", "nin": module.nin, "layers": layers}
    return None


def _describe_layer(layer: Any) -> dict[str, Any] | None:
    """A layer's ``nout``/``activation``/``bias``/``init``, if its neurons agree with it and each other."""
    from nn.layers import Neuron

    activation = layer.activation
    if not isinstance(activation, str) or not layer.neurons:
        return None
    expected = "linear" if activation == "softmax" else activation
    first = layer.neurons[0]
    for neuron in layer.neurons:
        if (
            type(neuron) is not Neuron
            or neuron.activation != expected
            or neuron.nin != layer.nin
            or (neuron.b is None) != (first.b is None)
            or neuron.init != first.init
            or not isinstance(neuron.init, str)
        ):
            return None
    return {"nout": layer.nout, "activation": activation, "bias": first.b is not None, "init": first.init}


def build(architecture: Mapping[str, Any], rng: random.Random | int | None = None) -> Any:
    """A new module as ``architecture`` (from :func:`describe`) says: a Neuron, Layer or MLP.

    Its weights are drawn as the constructor draws them (from ``rng``); a
    loader then replaces them. ``init`` names that are not one of
    :data:`nn.INITIALIZERS` (a callable's name) are kept on the neurons as a
    record, the weights being drawn with ``"uniform"``.

    >>> build({"type": "Layer", "nin": 3, "nout": 2, "activation": "tanh", "bias": True, "init": "uniform"}, rng=0)
    Layer(3 -> 2, activation='tanh')
    """
    from nn.layers import MLP, Neuron

    problem = _architecture_problem(architecture)
    if problem:
        raise ValueError(f"build(): {problem}")
    kind = architecture["type"]
    if kind == "Neuron":
        init = _buildable_init(architecture["init"])
        neuron = Neuron(architecture["nin"], architecture["activation"], architecture["bias"], init, rng)
        neuron.init = architecture["init"]
        return neuron
    if kind == "Layer":
        return _build_layer(architecture["nin"], architecture, rng)
    specs = architecture["layers"]
    hidden = specs[0]["activation"] if len(specs) > 1 and specs[0]["activation"] != "softmax" else "relu"
    first = specs[0]
    model = MLP(
        architecture["nin"],
        [spec["nout"] for spec in specs],
        activation=hidden,
        output_activation=specs[-1]["activation"],
        bias=first["bias"],
        init=_buildable_init(first["init"]),
        rng=rng,
    )
    nin = architecture["nin"]
    for i, spec in enumerate(specs):  # a layer the constructor could not make as described (changed by hand)
        if _describe_layer(model.layers[i]) != spec:
            model.layers[i] = _build_layer(nin, spec, rng)
        nin = spec["nout"]
    return model


def _buildable_init(name: str) -> str:
    from nn.init import INITIALIZERS

    return name if name in INITIALIZERS else "uniform"


def _build_layer(nin: int, spec: Mapping[str, Any], rng: random.Random | int | None) -> Any:
    from nn.layers import Layer

    layer = Layer(nin, spec["nout"], spec["activation"], spec["bias"], _buildable_init(spec["init"]), rng)
    for neuron in layer.neurons:
        neuron.init = spec["init"]
    return layer


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _architecture_problem(architecture: object) -> str | None:
    """What is wrong with an architecture description, in words, or None when it is one :func:`build` can use."""
    from nn.activations import activation_names

    if not isinstance(architecture, Mapping):
        return f"the architecture must be an object, got {type(architecture).__name__}"
    kind = architecture.get("type")
    if kind not in _BUILDABLE:
        return f"architecture type must be one of {', '.join(_BUILDABLE)}, got {kind!r}"
    keys = set(architecture)
    if keys != _SPEC_KEYS[kind]:
        missing, extra = sorted(_SPEC_KEYS[kind] - keys), sorted(keys - _SPEC_KEYS[kind])
        said = [f"missing {', '.join(missing)}"] * bool(missing) + [f"unexpected {', '.join(extra)}"] * bool(extra)
        return f"{kind} architecture: {'; '.join(said)}"
    if not _is_size(architecture["nin"]):
        return f"{kind} architecture: nin must be a positive int, got {architecture['nin']!r}"
    if kind == "MLP":
        specs = architecture["layers"]
        if not isinstance(specs, list) or not specs:
            return f"MLP architecture: layers must be a non-empty list, got {specs!r}"
        where = [f"MLP architecture layer {i}" for i in range(len(specs))]
    else:
        specs, where = [architecture], [f"{kind} architecture"]
    for spec, place in zip(specs, where):
        if not isinstance(spec, Mapping):
            return f"{place}: expected an object, got {type(spec).__name__}"
        if kind == "MLP" and set(spec) != _LAYER_KEYS:
            return f"{place}: expected the keys {', '.join(sorted(_LAYER_KEYS))}, got {', '.join(sorted(spec))}"
        if kind != "Neuron" and not _is_size(spec["nout"]):
            return f"{place}: nout must be a positive int, got {spec['nout']!r}"
        activation = spec["activation"]
        if activation not in activation_names(layer=kind != "Neuron"):
            return f"{place}: unknown activation {activation!r}"
        if not isinstance(spec["bias"], bool):
            return f"{place}: bias must be true or false, got {spec['bias']!r}"
        if not isinstance(spec["init"], str) or not spec["init"]:
            return f"{place}: init must be an initializer's name, got {spec['init']!r}"
    return None


def architecture_text(architecture: Mapping[str, Any] | None) -> str:
    """A one-line reading of an architecture, for messages: ``MLP(2 -> 4 tanh -> 1 sigmoid)``.

    A layer without bias says so (``4 tanh no bias``); None reads as "no recorded architecture".

    >>> architecture_text({"type": "Neuron", "nin": 3, "activation": "relu", "bias": False, "init": "he"})
    'Neuron(3 -> 1 relu no bias)'
    """
    if architecture is None:
        return "no recorded architecture"
    kind = architecture["type"]
    if kind == "MLP":
        specs = architecture["layers"]
    elif kind == "Layer":
        specs = [architecture]
    else:
        specs = [{**architecture, "nout": 1}]
    steps = [f"{s['nout']} {s['activation']}" + ("" if s["bias"] else " no bias") for s in specs]
    return f"{kind}({' -> '.join([str(architecture['nin']), *steps])})"


def _without_init(architecture: Mapping[str, Any]) -> dict[str, Any]:
    """The parts that decide what a model computes: everything but how its weights started."""
    kept = {key: value for key, value in architecture.items() if key != "init"}
    if "layers" in kept:
        kept["layers"] = [{k: v for k, v in spec.items() if k != "init"} for spec in kept["layers"]]
    return kept


def _differences(file: Mapping[str, Any], model: Mapping[str, Any]) -> list[str]:
    """Each way the file's architecture and the model's differ, in words."""
    if file["type"] != model["type"] or file["type"] != "MLP":
        pairs = [(key, file.get(key), model.get(key)) for key in ("type", "nin", "nout", "activation", "bias")]
        return [f"{key}: file {a!r}, model {b!r}" for key, a, b in pairs if a != b]
    found = [f"nin: file {file['nin']!r}, model {model['nin']!r}"] if file["nin"] != model["nin"] else []
    if len(file["layers"]) != len(model["layers"]):
        found.append(f"layers: file has {len(file['layers'])}, model has {len(model['layers'])}")
    for i, (a, b) in enumerate(zip(file["layers"], model["layers"])):
        found += [
            f"layer {i} {key}: file {a[key]!r}, model {b[key]!r}"
            for key in ("nout", "activation", "bias")
            if a[key] != b[key]
        ]
    return found


# ---------------------------------------------------------------- model files
def _real_path(path: str | os.PathLike[str] | bytes) -> str:
    """The file a save writes: ``path`` with any symlinks resolved, so saving through a link updates its target."""
    return os.path.realpath(os.fsdecode(path))


def _check_finite(name: str, entry: float | list[float], where: str) -> None:
    numbers = entry if isinstance(entry, list) else [entry]
    for number in numbers:
        if not math.isfinite(number):
            raise ValueError(f"{where} cannot write {name} = {number!r}: it is not finite")


def save(module: Any, path: str | os.PathLike[str] | bytes) -> None:
    """Write the module's architecture and parameters to ``path`` as JSON, atomically.

    The architecture is ``module.architecture()`` (see :func:`describe`), left
    out when that is None. The file is written next to ``path`` under a
    temporary name, flushed and fsync'ed, then renamed over ``path`` in one
    step (``os.replace``): a crash at any moment leaves either the old file or
    the new one, never a half-written file. Non-finite parameters (NaN, inf)
    are refused with a ValueError, since JSON cannot hold them and they could
    not be loaded.

    >>> import nn, tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(nn.Neuron(2, rng=0), os.path.join(folder, "n.json"))
    ...     sorted(os.listdir(folder))
    ['n.json']
    """
    state = module.state_dict()
    for name, entry in state.items():
        _check_finite(f"parameter {name}", entry, "save()")
    document: dict[str, Any] = {"format": FILE_FORMAT, "version": FILE_VERSION, "module": type(module).__name__}
    architecture = module.architecture()
    if architecture is not None:
        document["architecture"] = architecture
    document["parameters"] = state
    target = _real_path(path)
    try:  # what load would refuse is never written: the document, read back as load reads it
        _check_model_document(target, json.loads(json.dumps(document, allow_nan=False)))
    except ValueError as error:
        raise ValueError(f"save() would write a file that load refuses: {error}") from None
    _write_json_atomically(target, document)


def _read_document(path: str, expected_format: str, newest: int, what: str) -> dict[str, Any]:
    """The JSON object in ``path``, its ``format`` and ``version`` checked; a ValueError naming the file otherwise."""
    with open(path, "rb") as file:
        raw = file.read()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"load({path!r}): not a valid glassgrad JSON file: {error}") from None
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"load({path!r}): expected a JSON object, got {type(document).__name__}")
    if document.get("format") != expected_format:
        raise ValueError(f"load({path!r}): not a glassgrad {what} file (format is {document.get('format')!r})")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"load({path!r}): bad format version {version!r}")
    if version > newest:
        raise ValueError(f"load({path!r}): file format version {version} is newer than this glassgrad reads ({newest})")
    return document


def _read_model_file(path: str | os.PathLike[str] | bytes) -> tuple[str, dict[str, Any]]:
    """The path as text and the model file's document, every part of it but the numbers checked."""
    path = os.fsdecode(path)
    document = _read_document(path, FILE_FORMAT, FILE_VERSION, "model")
    _check_model_document(path, document)
    return path, document


def _check_model_document(path: str, document: dict[str, Any]) -> None:
    """Every part of a model file's document but the numbers, as load checks it (save checks it too)."""
    unknown = sorted(set(document) - _FILE_KEYS[document["version"]])
    if unknown:
        raise ValueError(f"load({path!r}): unexpected top-level keys: {', '.join(unknown)}")
    if not isinstance(document.get("module", ""), str):
        raise ValueError(f"load({path!r}): 'module' must be a class name, got {document['module']!r}")
    if "parameters" not in document:
        raise ValueError(f"load({path!r}): no 'parameters' entry")
    if "architecture" in document:
        problem = _architecture_problem(document["architecture"])
        if problem:
            raise ValueError(f"load({path!r}): {problem}")
        if document.get("module", document["architecture"]["type"]) != document["architecture"]["type"]:
            raise ValueError(
                f"load({path!r}): 'module' is {document['module']!r} but the architecture's type is "
                f"{document['architecture']['type']!r}"
            )


def load_into(module: Any, path: str | os.PathLike[str] | bytes, strict: bool = True) -> None:
    """Read a file saved by :func:`save` into ``module``; all or nothing.

    Everything is checked before anything is assigned: valid JSON, the
    format and version, the architecture, the keys, the count of numbers in
    each entry, and that each one is a finite number (not a string, not a
    bool, not NaN). With ``strict=True`` a file whose architecture differs
    from the model's (another size, activation or bias; the initializer is
    not compared, the file's weights replacing the first ones) is refused,
    naming both. With ``strict=False`` the architecture is not compared, and
    entries are matched by name as :meth:`Module.load_state_dict
    <nn.Module.load_state_dict>` does. Any problem is a ``ValueError`` naming
    the file, and the model is left unchanged. A missing file is the usual
    ``FileNotFoundError``. Version 1 files (no architecture) are matched by
    their keys alone.

    >>> import nn, tempfile, os
    >>> a, b = nn.Neuron(2, rng=0), nn.Neuron(2, rng=1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(a, os.path.join(folder, "n.json")); load_into(b, os.path.join(folder, "n.json"))
    >>> [p.data for p in b.parameters()] == [p.data for p in a.parameters()]
    True
    """
    path, document = _read_model_file(path)
    recorded = document.get("architecture")
    if strict and recorded is not None:
        own = module.architecture()
        if own is not None and _without_init(own) != _without_init(recorded):
            raise ValueError(
                f"load({path!r}): the file holds {architecture_text(recorded)}, but this model is "
                f"{architecture_text(own)} ({'; '.join(_differences(recorded, own))}); nothing was changed"
            )
    try:
        module.load_state_dict(document["parameters"], strict=strict)
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None


def load(path: str | os.PathLike[str] | bytes, rng: random.Random | int | None = None) -> Any:
    """The model saved in ``path``, rebuilt from the file alone: ``nn.load("model.json")``.

    The file's architecture (see :func:`describe`) says what to build, and
    its parameters are then loaded, all of them checked first (as
    :func:`load_into`). ``rng`` goes to the constructor (weights drawn and then
    replaced; an rrelu neuron's own generator is seeded from it). A file with
    no architecture (version 1, or a module that could not describe itself) is
    a ValueError that says to build the model and call ``model.load(path)``.

    >>> import nn, tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     nn.MLP(2, [3, 1], activation="tanh", rng=0).save(os.path.join(folder, "m.json"))
    ...     nn.load(os.path.join(folder, "m.json"), rng=0)
    MLP(2 -> [3, 1], 13 parameters ...)
    """
    path, document = _read_model_file(path)
    if "architecture" not in document:
        why = (
            "version 1 files do not record it"
            if document["version"] == 1
            else f"it was saved from a {document.get('module', 'module')} that cannot describe itself"
        )
        raise ValueError(
            f"load({path!r}): the file has no architecture to rebuild the model from ({why}); "
            "build the model as it was built and call model.load(path)"
        )
    module = build(document["architecture"], rng=rng)
    try:
        module.load_state_dict(document["parameters"], strict=True)
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None
    return module


# ---------------------------------------------------------------- optimizer files
def save_optimizer(optimizer: Any, path: str | os.PathLike[str] | bytes) -> None:
    """Write ``optimizer.state_dict()`` to ``path`` as JSON, atomically (as :func:`save`).

    The file::

        {"format": "glassgrad-optimizer", "version": 1, "optimizer": "Adam",
         "state": {"type": "Adam", "parameters": 13, "lr": 0.01, ..., "steps_taken": 10,
                   "first_moments": [...], "second_moments": [...]}}

    >>> import nn, tempfile, os, json
    >>> opt = nn.SGD(nn.Neuron(2, rng=0).parameters(), lr=0.1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_optimizer(opt, os.path.join(folder, "o.json"))
    ...     "lr" in open(os.path.join(folder, "o.json")).read()
    True
    """
    state = optimizer.state_dict()
    for name, entry in state.items():
        if isinstance(entry, float | list):
            _check_finite(name, entry, "save()")
    document = {
        "format": OPTIMIZER_FORMAT,
        "version": OPTIMIZER_VERSION,
        "optimizer": type(optimizer).__name__,
        "state": state,
    }
    _write_json_atomically(_real_path(path), document)


def load_optimizer_into(optimizer: Any, path: str | os.PathLike[str] | bytes) -> None:
    """Read a file saved by :func:`save_optimizer` into ``optimizer``; all or nothing (ValueError naming the file).

    >>> import nn, tempfile, os
    >>> params = nn.Neuron(2, rng=0).parameters()
    >>> a, b = nn.SGD(params, lr=0.1), nn.SGD(params, lr=0.5)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_optimizer(a, os.path.join(folder, "o.json")); load_optimizer_into(b, os.path.join(folder, "o.json"))
    >>> b.lr
    0.1
    """
    path = os.fsdecode(path)
    document = _read_document(path, OPTIMIZER_FORMAT, OPTIMIZER_VERSION, "optimizer")
    unknown = sorted(set(document) - _OPTIMIZER_KEYS)
    if unknown:
        raise ValueError(f"load({path!r}): unexpected top-level keys: {', '.join(unknown)}")
    if "state" not in document:
        raise ValueError(f"load({path!r}): no 'state' entry")
    try:
        optimizer.load_state_dict(document["state"])
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None


# ---------------------------------------------------------------- writing
def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a model can hold (JSON allows only finite numbers)")


def _write_json_atomically(path: str, document: object) -> None:
    """Write ``document`` as JSON to ``path`` atomically (see :func:`_write_atomically`)."""

    def write(file: IO[str]) -> None:
        json.dump(document, file, allow_nan=False)
        file.write("\n")

    _write_atomically(path, write)


def _write_atomically(path: str, write: Callable[[IO[Any]], None], binary: bool = False) -> None:
    """Call ``write`` on a temporary file in the target's folder, fsync it, then ``os.replace`` it over ``path``.

    A crash at any moment leaves the old file or the new one, never half of
    one; the temporary is removed on any error. ``binary`` opens it for bytes.
    """
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") if binary else os.fdopen(descriptor, "w", encoding="utf-8") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        try:  # keep the permissions of the file being replaced; a new file gets rw-r--r--
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); a no-op elsewhere."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

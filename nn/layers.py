"""``Neuron``, ``Layer`` and ``MLP``: micrograd's API, one fused node per neuron.

A neuron computes ``activation(w . x + b)``. The pre-activation ``w . x + b``
is one node (:func:`autograd.dot`), not ``2n`` binary nodes: the chain rule
then does one step per weight instead of two, which is most of glassgrad's
speed. A relu neuron is one node in all, ``relu(w . x + b)``
(:func:`autograd.relu_dot`): the same numbers and gradients as a dot node and
a relu node, with one node less to build and walk, and nothing to send back
while the relu is off. Plain float inputs stay floats: they are constants of
the dot node, not Values, so a network's input costs no nodes and no
gradient work.

micrograd compatible: ``MLP(2, [16, 16, 1])`` has relu hidden layers and a
linear output; ``model.layers[i].neurons[j].w`` and ``.b``; ``parameters()``
and ``zero_grad()``; an MLP whose last layer has one neuron returns a single
Value (a ``Layer`` always returns a list).

Initializers, each a draw for one weight from ``rng`` (biases start at 0):

- ``"uniform"``: w ~ U(-1, 1), as micrograd;
- ``"xavier"`` / ``"glorot"``: w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010);
- ``"he"`` / ``"kaiming"``: w ~ N(0, 2 / fan_in), standard deviation sqrt(2 / fan_in) (He et al., 2015);
- a callable ``init(rng, fan_in, fan_out) -> float``.

Randomness: with ``rng`` (a ``random.Random`` or an int seed) one seed
always gives one model and the global ``random`` state is left alone. Without
one, the weights are drawn from Python's ``random`` module exactly as
micrograd draws them: ``random.uniform(-1, 1)`` per weight, layer by layer,
neuron by neuron, weight by weight, biases 0 and not drawn. So
``random.seed(1337); MLP(2, [16, 16, 1])`` holds micrograd's weights, bit for bit.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from autograd import CheckedRows, Value, as_rng, dot, relu_dot, softmax
from autograd.core.checks import quote
from nn.activations import Activation, activation_name, check_activation, get_activation, is_mode_dependent
from nn.init import INITIALIZERS, Initializer, get_initializer
from nn.module import Module
from nn.serialization import listing

__all__ = ["MLP", "Layer", "Neuron"]


def _check_size(value: object, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}() {what} must be a positive int, got {type(value).__name__} {quote(value)}")
    if value < 1:
        raise ValueError(f"{where}() {what} must be at least 1, got {quote(value)}")
    return value


def _check_bias(bias: object, where: str) -> bool:
    if not isinstance(bias, bool):
        raise ValueError(f"{where}() bias must be True or False, got {quote(bias)}")
    return bias


# ---------------------------------------------------------------- descriptions (what a file may say)
#: The settings of one layer in an MLP's description (its ``nin`` is the previous layer's ``nout``).
_LAYER_SETTINGS = ("nout", "activation", "bias", "init")


def _check_keys(description: Mapping[str, Any], expected: Sequence[str], what: str) -> None:
    if not isinstance(description, Mapping):
        raise ValueError(f"{what}: expected an object, got {type(description).__name__}")
    if set(description) != set(expected):
        missing = [key for key in expected if key not in description]
        extra = [key for key in description if key not in expected]
        said = [f"missing {listing(missing)}"] * bool(missing) + [f"unexpected {listing(extra)}"] * bool(extra)
        raise ValueError(f"{what}: {'; '.join(said)}")


#: The largest size a description may declare: far beyond any model a scalar engine holds (the weights a file
#: holds are counted against the sizes anyway), and it keeps every count in a message a short number.
LARGEST_SIZE = 2**40


def _check_described_size(description: Mapping[str, Any], key: str, what: str) -> None:
    value = description[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_SIZE:
        raise ValueError(f"{what}: {key} must be a positive int of at most 2**40, got {quote(value)}")


def _check_unit(description: Mapping[str, Any], what: str, *, allow_layer: bool) -> None:
    """A described neuron's or layer's activation (a name), bias (a bool) and init (a name)."""
    activation = description["activation"]
    if not isinstance(activation, str):
        raise ValueError(f"{what}: activation must be a name, got {type(activation).__name__} {quote(activation)}")
    try:
        check_activation(activation, allow_layer=allow_layer)
    except ValueError as error:
        raise ValueError(f"{what}: {error}") from None
    if not isinstance(description["bias"], bool):
        raise ValueError(f"{what}: bias must be true or false, got {quote(description['bias'])}")
    init = description["init"]
    if not isinstance(init, str) or not init:
        raise ValueError(f"{what}: init must be an initializer's name, got {quote(init)}")


def _buildable_init(name: str) -> str:
    """The initializer to draw with for a recorded ``init``: itself if it is a known name, else "uniform"."""
    return name if name in INITIALIZERS else "uniform"


def _unit_text(size: int, activation: str, bias: bool) -> str:
    return f"{size} {activation}" + ("" if bias else " no bias")


_PLAIN_INPUTS = {float, int, Value}
_IDENTITY = get_activation("linear")  # a linear neuron's activation: its output is its dot node


def _as_inputs(x: Any, expected: int, module: Module) -> Any:
    """The input as a sequence of length ``expected``; a lone number or Value is accepted when expected == 1.

    Each input must be a Value or a real number: a sequence of sequences is a batch, and the error says how
    to map the module over it. Errors name the module by its one-line summary (built only when there is an error).
    """
    kind = type(x)
    if (kind is list or kind is tuple) and len(x) == expected and {*map(type, x)} <= _PLAIN_INPUTS:
        return x  # the common case, checked at C speed
    if isinstance(x, Value | int | float):
        x = [x]
    try:
        given = len(x)
    except TypeError:
        where = f"{type(module).__name__}({module.extra_repr()})"
        raise TypeError(
            f"{where} needs a sequence of {expected} numbers or Values, got {type(x).__name__} {quote(x)}"
        ) from None
    if isinstance(x, str | bytes | Mapping) or not {*map(type, x)} <= _PLAIN_INPUTS:  # at C speed; rare: look closer
        _check_each_input(x, expected, module)
    if given != expected:
        raise ValueError(f"{type(module).__name__}({module.extra_repr()}) expects {expected} inputs, got {given}")
    return x


def _check_each_input(x: Any, expected: int, module: Module) -> None:
    where = f"{type(module).__name__}({module.extra_repr()})"
    if isinstance(x, str | bytes | Mapping):
        raise TypeError(f"{where} needs a sequence of {expected} numbers or Values, got {type(x).__name__} {quote(x)}")
    for index, item in enumerate(x):
        if isinstance(item, Value | numbers.Real):
            continue
        if isinstance(item, Sequence) and not isinstance(item, str | bytes):
            raise TypeError(
                f"{where} takes one sample (a sequence of {expected} numbers or Values), got a batch of "
                f"{len(x)}: map it over the batch, [model(x) for x in batch]"
            )
        raise TypeError(f"{where} input {index} must be a Value or a number, got {type(item).__name__}: {quote(item)}")


def _micrograd_nonlin(nonlin: bool | None, activation: str | Activation, where: str) -> str | Activation:
    """micrograd's ``nonlin`` flag as an activation name: True -> "relu", False -> "linear"."""
    if nonlin is None:
        return activation
    if not isinstance(nonlin, bool):
        raise ValueError(f"{where}() nonlin must be True or False (micrograd's flag), got {quote(nonlin)}")
    return "relu" if nonlin else "linear"


class Neuron(Module, buildable=True):
    """One neuron: ``activation(w . x + b)``, with ``w . x + b`` as one node (and relu included, for relu).

    >>> neuron = Neuron(2, activation="tanh", rng=0)
    >>> len(neuron.parameters())     # 2 weights and a bias
    3
    >>> neuron([1.0, -2.0]).op
    'tanh'

    ``activation`` is a name from :func:`nn.activations.activation_names`
    or a callable Value -> Value. ``fan_out`` only matters to ``init="xavier"``
    (a :class:`Layer` passes its size). ``nonlin`` is micrograd's spelling,
    kept so its code runs: True means ``"relu"``, False ``"linear"``.
    """

    def __init__(
        self,
        nin: int,
        activation: str | Activation = "relu",
        bias: bool = True,
        init: str | Initializer = "uniform",
        rng: random.Random | int | None = None,
        fan_out: int = 1,
        nonlin: bool | None = None,
    ) -> None:
        activation = _micrograd_nonlin(nonlin, activation, "Neuron")
        _check_size(nin, "nin", "Neuron")
        _check_size(fan_out, "fan_out", "Neuron")
        _check_bias(bias, "Neuron")
        check_activation(activation, allow_layer=False)
        draw = get_initializer(init)
        rng = as_rng(rng, "Neuron")
        self.w = [Value(float(draw(rng, nin, fan_out)), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b") if bias else None
        self.activation = activation
        self.init = init if isinstance(init, str) else activation_name(init)
        self._activate = get_activation(activation)
        self._relu = activation == "relu"  # relu(w . x + b) as one relu_dot node
        self._mode_dependent = is_mode_dependent(activation)
        # Mode-dependent activations (rrelu) draw from the neuron's own generator, seeded from rng.
        self._noise_rng = random.Random(rng.getrandbits(64)) if self._mode_dependent else None

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self.w)

    def __call__(self, x: Sequence[Value | float] | Value | float) -> Value:
        """activation(w . x + b) for one input vector ``x`` of length ``nin``."""
        return self._forward(_as_inputs(x, len(self.w), self))

    def _forward(self, x: Sequence[Value | float]) -> Value:
        """The forward pass without checks (a Layer checks the input once for all its neurons)."""
        b = self.b
        if self._relu:
            return relu_dot(self.w, x, 0.0 if b is None else b)
        return self._activation(dot(self.w, x, 0.0 if b is None else b))

    def _activation(self, pre_activation: Value) -> Value:
        """activation(w . x + b), given w . x + b."""
        if self._mode_dependent:
            return self._activate(pre_activation, self.training, self._noise_rng)  # type: ignore[call-arg]
        return self._activate(pre_activation)

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={quote(activation_name(self.activation))}, bias={self.b is not None}"

    # ------------------------------------------------------------ description
    _SETTINGS = ("nin", "activation", "bias", "init")

    def describe(self) -> dict[str, Any] | None:
        """``{"nin", "activation", "bias", "init"}``; None for a callable activation or initializer."""
        if not isinstance(self.activation, str) or not isinstance(self.init, str):
            return None
        return {"nin": self.nin, "activation": self.activation, "bias": self.b is not None, "init": self.init}

    @classmethod
    def check_description(cls, description: Mapping[str, Any]) -> None:
        _check_keys(description, cls._SETTINGS, "Neuron architecture")
        _check_described_size(description, "nin", "Neuron architecture")
        _check_unit(description, "Neuron architecture", allow_layer=False)

    @classmethod
    def count_parameters(cls, description: Mapping[str, Any]) -> int:
        return description["nin"] + description["bias"]

    @classmethod
    def parameter_shapes(cls, description: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
        yield "w", description["nin"]
        if description["bias"]:
            yield "b", None

    @classmethod
    def from_description(cls, description: Mapping[str, Any], rng: Any = None) -> Neuron:
        init = description["init"]
        neuron = cls(description["nin"], description["activation"], description["bias"], _buildable_init(init), rng)
        neuron.init = init  # the record of how the file's weights started
        return neuron

    @classmethod
    def description_text(cls, description: Mapping[str, Any]) -> str:
        unit = _unit_text(1, description["activation"], description["bias"])
        return f"Neuron({description['nin']} -> {unit})"


class Layer(Module, buildable=True):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout`` Values, always.

    >>> layer = Layer(3, 2, activation="tanh", rng=0)
    >>> len(layer([1.0, 2.0, 3.0]))
    2

    ``activation="softmax"`` makes the neurons linear and applies
    ``softmax(z)_i = e^z_i / sum_j e^z_j`` to the layer's outputs together.
    ``nonlin=True/False`` is micrograd's spelling of ``"relu"``/``"linear"``.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | Activation = "relu",
        bias: bool = True,
        init: str | Initializer = "uniform",
        rng: random.Random | int | None = None,
        nonlin: bool | None = None,
    ) -> None:
        activation = _micrograd_nonlin(nonlin, activation, "Layer")
        _check_size(nin, "nin", "Layer")
        _check_size(nout, "nout", "Layer")
        _check_bias(bias, "Layer")
        check_activation(activation, allow_layer=True)
        get_initializer(init)
        rng = as_rng(rng, "Layer")
        self._softmax = activation == "softmax"
        neuron_activation = "linear" if self._softmax else activation
        self.neurons = [Neuron(nin, neuron_activation, bias, init, rng, fan_out=nout) for _ in range(nout)]
        self.activation = activation
        self.nin = nin
        self._rows: CheckedRows | None = None  # the neurons' rows, checked (see _checked_rows)
        self._every_relu = self._every_linear = False

    @property
    def nout(self) -> int:
        """The number of outputs (neurons)."""
        return len(self.neurons)

    def __call__(self, x: Sequence[Value | float] | Value | float) -> list[Value]:
        """Every neuron's output for the input vector ``x`` (length ``nin``), as a list."""
        return self._forward(_as_inputs(x, self.nin, self))

    def _forward(self, x: Sequence[Value | float]) -> list[Value]:
        # One CheckedRows.dots call for all the neurons reads the inputs once: 32 neurons over 64
        # inputs are built in about a third less time than with one dot() each (measured).
        neurons = self.neurons
        rows = self._checked_rows()
        if rows is None:  # a weight that is not a leaf Value: the reference rule, neuron by neuron
            outputs = [neuron._forward(x) for neuron in neurons]
        elif self._every_relu:  # one relu_dot node per neuron (see autograd.fast)
            return rows.dots(x, relu=True)
        elif self._every_linear:  # the dot nodes are the outputs: no call per neuron
            outputs = rows.dots(x)
        else:
            outputs = [neuron._activation(z) for neuron, z in zip(neurons, rows.dots(x))]
        return softmax(outputs) if self._softmax else outputs

    def _checked_rows(self) -> CheckedRows | None:
        """The neurons' weights and biases as :class:`autograd.CheckedRows`, kept between calls while it holds.

        Rebuilt (with ``_every_relu``, whether every neuron is a relu one) when
        ``holds`` says a neuron's ``w`` or ``b`` is no longer the Value it
        checked (a neuron replaced, a weight rebound); None when a weight is
        not a leaf Value (the reference rule then builds the nodes). Rebuilding
        it on every call was 4-6% of the T2 moons step (measured).
        """
        rows = [neuron.w for neuron in self.neurons]
        biases = [0.0 if neuron.b is None else neuron.b for neuron in self.neurons]
        checked = self._rows
        if checked is None or not checked.holds(rows, biases):
            try:
                checked = CheckedRows(rows, biases)
            except (TypeError, ValueError):
                return None
            self._rows = checked
            self._every_relu = all(neuron._relu for neuron in self.neurons)
            self._every_linear = all(neuron._activate is _IDENTITY for neuron in self.neurons)
        return checked

    def extra_repr(self) -> str:
        return f"{self.nin} -> {self.nout}, activation={quote(activation_name(self.activation))}"

    def _child_modules(self) -> list[tuple[str, Module]]:
        return []  # the neurons are alike; the one-line summary says it all

    # ------------------------------------------------------------ description
    def _settings(self) -> dict[str, Any] | None:
        """``nout``/``activation``/``bias``/``init``, if the neurons agree with the layer and each other."""
        activation, neurons = self.activation, self.neurons
        if not isinstance(activation, str) or not isinstance(neurons, list) or not neurons:
            return None
        expected = "linear" if activation == "softmax" else activation
        first = neurons[0]
        for neuron in neurons:
            if (
                type(neuron) is not Neuron
                or neuron.activation != expected
                or neuron.nin != self.nin
                or (neuron.b is None) != (first.b is None)
                or neuron.init != first.init
                or not isinstance(neuron.init, str)
            ):
                return None
        return {"nout": self.nout, "activation": activation, "bias": first.b is not None, "init": first.init}

    def describe(self) -> dict[str, Any] | None:
        """``{"nin", "nout", "activation", "bias", "init"}``; None if a neuron was changed by hand to disagree."""
        settings = self._settings()
        return None if settings is None else {"nin": self.nin, **settings}

    @classmethod
    def check_description(cls, description: Mapping[str, Any]) -> None:
        _check_keys(description, ("nin", *_LAYER_SETTINGS), "Layer architecture")
        _check_described_size(description, "nin", "Layer architecture")
        _check_described_size(description, "nout", "Layer architecture")
        _check_unit(description, "Layer architecture", allow_layer=True)

    @classmethod
    def count_parameters(cls, description: Mapping[str, Any]) -> int:
        return description["nout"] * (description["nin"] + description["bias"])

    @classmethod
    def parameter_shapes(cls, description: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
        nin, bias = description["nin"], description["bias"]
        for j in range(description["nout"]):
            yield f"neurons.{j}.w", nin
            if bias:
                yield f"neurons.{j}.b", None

    @classmethod
    def from_description(cls, description: Mapping[str, Any], rng: Any = None) -> Layer:
        init = description["init"]
        layer = cls(
            description["nin"],
            description["nout"],
            description["activation"],
            description["bias"],
            _buildable_init(init),
            rng,
        )
        for neuron in layer.neurons:
            neuron.init = init  # the record of how the file's weights started
        return layer

    @classmethod
    def description_text(cls, description: Mapping[str, Any]) -> str:
        unit = _unit_text(description["nout"], description["activation"], description["bias"])
        return f"Layer({description['nin']} -> {unit})"


class MLP(Module, buildable=True):
    """A multi-layer perceptron: ``MLP(nin, [size_1, ..., size_k])``, k fully connected layers.

    Hidden layers use ``activation`` (relu by default), the last layer
    ``output_activation`` (linear by default: no activation), as micrograd.

    >>> model = MLP(2, [16, 16, 1], rng=1337)
    >>> len(model.parameters())      # (2+1)*16 + (16+1)*16 + (16+1)*1
    337
    >>> isinstance(model([0.5, -1.0]), Value)   # one output neuron: a single Value
    True
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Activation = "relu",
        output_activation: str | Activation = "linear",
        bias: bool = True,
        init: str | Initializer = "uniform",
        rng: random.Random | int | None = None,
    ) -> None:
        _check_size(nin, "nin", "MLP")
        if not isinstance(nouts, list | tuple):
            raise ValueError(f"MLP() nouts must be a list of layer sizes such as [16, 16, 1], got {quote(nouts)}")
        if len(nouts) == 0:
            raise ValueError("MLP() nouts must name at least one layer, got an empty list")
        for size in nouts:
            _check_size(size, "layer size in nouts", "MLP")
        _check_bias(bias, "MLP")
        check_activation(activation, allow_layer=False)
        check_activation(output_activation, allow_layer=True)
        get_initializer(init)
        rng = as_rng(rng, "MLP")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, bias, init, rng)
            for i in range(len(nouts))
        ]
        self.nin = nin

    def __call__(self, x: Sequence[Value | float] | Value | float) -> Any:
        """The network's output: a list of Values, or a single Value when the last layer has one neuron.

        Typed ``Any``: which of the two it is depends on the sizes, known at run time only (``model(x).data`` and
        ``[v.data for v in model(x)]`` both type-check)."""
        x = _as_inputs(x, self.nin, self)
        # Under no_grad each layer's outputs are leaves (CheckedRows.dots makes no node). A float-only
        # path between layers bought 5.7% of the T1 inference's instructions (measured): not kept.
        for layer in self.layers:
            x = layer._forward(x)
        return x[0] if len(x) == 1 else x

    def extra_repr(self) -> str:
        sizes = [layer.nout for layer in self.layers]
        return f"{self.nin} -> {sizes}, {len(self.parameters())} parameters"

    # ------------------------------------------------------------ description
    def describe(self) -> dict[str, Any] | None:
        """``{"nin", "layers": [{"nout", "activation", "bias", "init"}, ...]}``, each layer's input the previous
        one's output; None if a layer is not a plain :class:`Layer` that can describe itself."""
        layers, nin = [], self.nin
        if not isinstance(self.layers, list) or not self.layers:
            return None
        for layer in self.layers:
            settings = layer._settings() if type(layer) is Layer else None
            if settings is None or layer.nin != nin:
                return None
            layers.append(settings)
            nin = layer.nout
        return {"nin": self.nin, "layers": layers}

    @staticmethod
    def _layer_descriptions(description: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Each layer's description as a Layer's (with its ``nin``), in order."""
        nin = description["nin"]
        for spec in description["layers"]:
            yield {"nin": nin, **spec}
            nin = spec["nout"]

    @classmethod
    def check_description(cls, description: Mapping[str, Any]) -> None:
        _check_keys(description, ("nin", "layers"), "MLP architecture")
        _check_described_size(description, "nin", "MLP architecture")
        specs = description["layers"]
        if not isinstance(specs, list) or not specs:
            raise ValueError(f"MLP architecture: layers must be a non-empty list, got {quote(specs)}")
        for index, spec in enumerate(specs):
            where = f"MLP architecture layer {index}"
            _check_keys(spec, _LAYER_SETTINGS, where)
            _check_described_size(spec, "nout", where)
            _check_unit(spec, where, allow_layer=True)

    @classmethod
    def count_parameters(cls, description: Mapping[str, Any]) -> int:
        return sum(Layer.count_parameters(layer) for layer in cls._layer_descriptions(description))

    @classmethod
    def parameter_shapes(cls, description: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
        for index, layer in enumerate(cls._layer_descriptions(description)):
            for name, length in Layer.parameter_shapes(layer):
                yield f"layers.{index}.{name}", length

    @classmethod
    def from_description(cls, description: Mapping[str, Any], rng: Any = None) -> MLP:
        rng = as_rng(rng, "MLP")
        model = cls.__new__(cls)  # the layers as described, each drawn from rng in turn (as the constructor does)
        model.layers = [Layer.from_description(layer, rng) for layer in cls._layer_descriptions(description)]
        model.nin = description["nin"]
        return model

    @classmethod
    def description_text(cls, description: Mapping[str, Any]) -> str:
        specs = description["layers"]
        shown = specs if len(specs) <= 8 else [*specs[:4], None, *specs[-2:]]  # a message stays short
        steps = [
            f"... ({len(specs) - 6:,} more layers)"
            if spec is None
            else _unit_text(spec["nout"], spec["activation"], spec["bias"])
            for spec in shown
        ]
        return f"MLP({' -> '.join([str(description['nin']), *steps])})"

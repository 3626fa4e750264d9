"""The contenders: the same networks written for every engine the benchmark compares.

- :class:`HandWrittenMLP`: the pure-Python limit, plain lists of floats and no graph.
- :class:`GlassgradNN`: glassgrad as a user writes it (``nn.MLP``, an ``nn`` loss, ``nn.SGD``).
- :class:`GlassgradEngine`: glassgrad's engine alone, through its public functions.
- :class:`GlassgradCompiled`: glassgrad's compiled training step (``nn.compile``), called per batch or by ``nn.fit``.
- :class:`ScalarOpNetwork`: the network from scalar ops only, the same code for any engine's ``Value``.
- :class:`MicrogradMLP`: micrograd's own ``nn.MLP``.
- :class:`TorchMLP`: PyTorch, one thread, float64, one sample at a time.

Every network starts from the same :data:`Weights` (see :func:`initial_weights`)
and offers ``gradients(batch)`` (one step's gradients, from the current
weights, nothing changed) and ``step(batch, lr)`` (one SGD step on the mean
loss over ``batch``; T1 and T1h pass batches of one sample).

A glassgrad contender runs against a :class:`Glassgrad`: the ``autograd`` and
``nn`` packages of one checkout. :func:`current_glassgrad` is the one imported
normally; :func:`load_checkout` imports a second copy from another directory
under other names in ``sys.modules`` (the ``--before`` mode), so two versions
can be measured side by side in one process.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import math
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import mul
from pathlib import Path
from types import ModuleType
from typing import Any

#: Layer weights shared by every contender: per layer, (rows of weights, biases).
Weights = list[tuple[list[list[float]], list[float]]]
#: One sample: the input and its target (a class index, or a label -1.0 / +1.0 for the hinge loss).
Example = tuple[list[float], Any]

#: The names of glassgrad's packages; a checkout's modules are these and their submodules.
PACKAGES = ("autograd", "nn")


def initial_weights(sizes: Sequence[int], seed: int) -> Weights:
    """Uniform(-1, 1) / sqrt(fan_in) weights and small biases, the same for every contender."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in pairwise(sizes):
        scale = 1.0 / math.sqrt(nin)
        rows = [[rng.uniform(-scale, scale) for _ in range(nin)] for _ in range(nout)]
        layers.append((rows, [rng.uniform(-0.1, 0.1) for _ in range(nout)]))
    return layers


def flat(weights: Weights) -> list[float]:
    """Layer by layer, neuron by neuron: the weights, then the bias."""
    return [v for rows, biases in weights for row, b in zip(rows, biases) for v in (*row, b)]


def missing(module: str) -> str | None:
    """Why a contender's package cannot be used, or None."""
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed"
    return None


# ---------------------------------------------------------------------------
# The hand-written pure-Python network (no graph)
# ---------------------------------------------------------------------------
class HandWrittenMLP:
    """relu hidden layers and a linear output layer, forward and backward written out by hand.

    It stands for the pure-Python limit, so each step is written the fastest
    way we know in plain Python: lists of floats, ``sum(map(mul, row, x), b)``
    for each neuron, list comprehensions for the updates, and no work for a
    neuron whose gradient is 0 (a relu that is off, a hinge term that is
    inactive, a sample already past the margin).

    One sample (T1, T1h), :meth:`_train_sample`: the backward pass applies
    each neuron's update in the pass that computes it, ``c = lr * dz;
    row[:] = [w - c * x for w, x in zip(row, inputs)]; b -= c``. No gradient
    is stored. Going down through a layer needs its old weights (the layer
    below's ``dz`` is ``sum_j dz_j * w_j`` before the update), so the same
    loop adds ``dz_j * row_j`` into ``dx`` before overwriting ``row_j``.

    A batch (T2, the mean loss over 100 samples), :meth:`_train_batch`: every
    sample's gradient is taken at the weights from before the step, so no
    update can be applied until the whole batch has been through the
    backward pass. Each sample's forward and backward keep only what the
    update needs: per layer, the sample's input and its ``dz`` (a sample past
    the margin has ``dz = 0`` and is dropped right away), with ``dx`` from
    the old weights' columns (taken once per step). The update then reads the
    gradient of weight (j, i) as ``sum(map(mul, dz_column_j, input_column_i))``
    over the kept samples, a loop in C, and applies it in the same list
    comprehension, ``row[:] = [w - lr * sum(map(mul, d, x)) for w, x in
    zip(row, input_columns)]``: no per-sample gradient matrices are built or
    summed.

    :meth:`gradients` computes a step's gradients with the same formulation
    (it is what the benchmark checks against glassgrad's before timing);
    ``tests/benchmarks`` check that both training paths land on the weights
    that gradients-then-update gives.
    """

    def __init__(self, weights: Weights, loss: str, l2: float = 0.0) -> None:
        self.layers = [([list(row) for row in rows], list(biases)) for rows, biases in weights]
        self.loss = loss
        self.l2 = l2  # micrograd's demo adds alpha * sum(p^2): every parameter's gradient gets 2 alpha p

    def weights(self) -> Weights:
        """A copy of the current weights."""
        return [([list(row) for row in rows], list(biases)) for rows, biases in self.layers]

    def forward(self, x: list[float]) -> list[float]:
        """The network's output (logits) for one input: the INF row's hand-written forward pass."""
        *hidden, (rows, biases) = self.layers
        for hidden_rows, hidden_biases in hidden:
            x = [
                z if z > 0.0 else 0.0 for z in [sum(map(mul, row, x), b) for row, b in zip(hidden_rows, hidden_biases)]
            ]
        return [sum(map(mul, row, x), b) for row, b in zip(rows, biases)]

    def _output_gradient(self, z: list[float], target: Any, scale: float) -> list[float]:
        """d loss / d z for one sample (``scale`` = 1 / batch size, for the mean hinge loss)."""
        if self.loss == "cross_entropy":  # softmax(z) - onehot(t)
            top = max(z)
            exps = [math.exp(v - top) for v in z]
            total = sum(exps)
            dz = [e / total for e in exps]
            dz[target] -= 1.0
            return dz
        if self.loss == "multiclass_hinge":  # sum_{j != t} relu(z_j - z_t + 1)
            zt = z[target]
            dz = [1.0 if v - zt + 1.0 > 0.0 else 0.0 for v in z]
            dz[target] = 1.0 - sum(dz)  # the target's own term (z_t - z_t + 1 > 0) is not in the loss
            return dz
        # hinge: relu(1 - y s), averaged over the batch
        return [-target * scale if 1.0 - target * z[0] > 0.0 else 0.0]

    def _forward_keeping_inputs(self, x: list[float]) -> tuple[list[list[float]], list[float]]:
        """Each layer's input (for the backward pass) and the output."""
        inputs = []
        *hidden, (rows, biases) = self.layers
        for hidden_rows, hidden_biases in hidden:
            inputs.append(x)
            x = [
                z if z > 0.0 else 0.0 for z in [sum(map(mul, row, x), b) for row, b in zip(hidden_rows, hidden_biases)]
            ]
        inputs.append(x)
        return inputs, [sum(map(mul, row, x), b) for row, b in zip(rows, biases)]

    # -- one sample: update in the backward pass --------------------------------
    def _train_sample(self, x: list[float], target: Any, lr: float) -> None:
        """One SGD step on one sample, each neuron's update applied where its gradient is computed."""
        inputs, z = self._forward_keeping_inputs(x)
        dz = self._output_gradient(z, target, 1.0)
        layers = self.layers
        for index in range(len(layers) - 1, 0, -1):
            rows, biases = layers[index]
            layer_input = inputs[index]
            dx = None
            for j, d in enumerate(dz):
                if d:
                    row = rows[j]
                    # Into the layer below, through the old weights, before they change.
                    dx = [w * d for w in row] if dx is None else [s + w * d for s, w in zip(dx, row)]
                    c = lr * d
                    row[:] = [w - c * xi for w, xi in zip(row, layer_input)]
                    biases[j] -= c
            if dx is None:  # no gradient reaches the layers below
                return
            # Through the relu of the layer below: its output is this layer's input.
            dz = [s if xi > 0.0 else 0.0 for s, xi in zip(dx, layer_input)]
        rows, biases = layers[0]
        layer_input = inputs[0]
        for j, d in enumerate(dz):
            if d:
                c = lr * d
                row = rows[j]
                row[:] = [w - c * xi for w, xi in zip(row, layer_input)]
                biases[j] -= c

    # -- a batch: per-layer inputs and dz's, then one update pass ----------------
    def _backward_terms(self, batch: Sequence[Example]) -> tuple[list[list[list[float]]], list[list[list[float]]]]:
        """Per layer, the inputs and the ``dz`` of every sample whose gradient is not 0, from the current weights."""
        layers = self.layers
        last = len(layers) - 1
        scale = 1.0 / len(batch)
        columns = [list(zip(*rows)) for rows, _ in layers]  # the old weights, by input
        kept_inputs: list[list[list[float]]] = [[] for _ in layers]
        kept_dz: list[list[list[float]]] = [[] for _ in layers]
        for x, target in batch:
            inputs, z = self._forward_keeping_inputs(x)
            dz = self._output_gradient(z, target, scale)
            if not any(dz):
                continue  # past the margin: this sample adds nothing to the gradient
            for index in range(last, -1, -1):
                layer_input = inputs[index]
                kept_inputs[index].append(layer_input)
                kept_dz[index].append(dz)
                if index:
                    dz = [
                        sum(map(mul, column, dz)) if xi > 0.0 else 0.0
                        for column, xi in zip(columns[index], layer_input)
                    ]
        return kept_inputs, kept_dz

    def _train_batch(self, batch: Sequence[Example], lr: float) -> None:
        """One SGD step on the mean loss over ``batch``, each weight updated in the pass that computes its gradient."""
        kept_inputs, kept_dz = self._backward_terms(batch)
        if self.l2:
            self._train_batch_l2(kept_inputs, kept_dz, lr)
            return
        for (rows, biases), inputs, dzs in zip(self.layers, kept_inputs, kept_dz):
            if not dzs:
                continue
            input_columns = list(zip(*inputs))
            for j, d in enumerate(zip(*dzs)):  # d: neuron j's dz in each kept sample
                if any(d):
                    row = rows[j]
                    row[:] = [w - lr * sum(map(mul, d, x)) for w, x in zip(row, input_columns)]
                    biases[j] -= lr * sum(d)

    def _train_batch_l2(self, kept_inputs: list, kept_dz: list, lr: float) -> None:
        """The batch step with the L2 term: every weight moves, by ``lr * (its data gradient + 2 alpha w)``."""
        c = 2.0 * self.l2
        for (rows, biases), inputs, dzs in zip(self.layers, kept_inputs, kept_dz):
            if not dzs:
                for row in rows:
                    row[:] = [w - lr * c * w for w in row]
                biases[:] = [b - lr * c * b for b in biases]
                continue
            input_columns = list(zip(*inputs))
            for j, d in enumerate(zip(*dzs)):
                row = rows[j]
                row[:] = [w - lr * (sum(map(mul, d, x)) + c * w) for w, x in zip(row, input_columns)]
                biases[j] -= lr * (sum(d) + c * biases[j])

    def gradients(self, batch: Sequence[Example]) -> Weights:
        """The gradients of the mean loss over ``batch`` at the current weights, per layer (rows, biases)."""
        kept_inputs, kept_dz = self._backward_terms(batch)
        grads: Weights = []
        for (rows, biases), inputs, dzs in zip(self.layers, kept_inputs, kept_dz):
            if not dzs:
                grads.append(([[0.0] * len(row) for row in rows], [0.0] * len(biases)))
                continue
            input_columns = list(zip(*inputs))
            dz_columns = list(zip(*dzs))
            grads.append(
                (
                    [[sum(map(mul, d, x)) for x in input_columns] for d in dz_columns],
                    [sum(d) for d in dz_columns],
                )
            )
        if self.l2:  # + 2 alpha p for every parameter
            c = 2.0 * self.l2
            grads = [
                (
                    [[g + c * w for g, w in zip(grow, row)] for grow, row in zip(grows, rows)],
                    [g + c * b for g, b in zip(gb, bs)],
                )
                for (grows, gb), (rows, bs) in zip(grads, self.layers)
            ]
        return grads

    def step(self, batch: Sequence[Example], lr: float) -> None:
        """One SGD step: :meth:`_train_sample` for one sample, :meth:`_train_batch` for more (or with an L2 term)."""
        if len(batch) == 1 and not self.l2:
            ((x, target),) = batch
            self._train_sample(x, target, lr)
        else:
            self._train_batch(batch, lr)


# ---------------------------------------------------------------------------
# glassgrad: one checkout's packages
# ---------------------------------------------------------------------------
def _is_glassgrad_module(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in PACKAGES)


def _take_glassgrad_modules() -> dict[str, ModuleType]:
    """Remove every ``autograd``/``autograd.*``/``nn``/``nn.*`` entry from ``sys.modules``, and return them."""
    return {name: sys.modules.pop(name) for name in [name for name in sys.modules if _is_glassgrad_module(name)]}


@dataclass
class Glassgrad:
    """One version of glassgrad: its ``autograd`` and ``nn`` modules and the label its contenders get.

    ``modules`` is None for the version imported normally. For a second
    version (:func:`load_checkout`) it holds that version's entries of
    ``sys.modules``, which :meth:`active` puts in place while the version's
    code runs, so that an import inside the library at call time (``from
    autograd.ops import ...`` in a function) finds its own modules and not
    the other version's.
    """

    label: str
    autograd: ModuleType
    nn: ModuleType | None
    directory: Path
    modules: dict[str, ModuleType] | None = field(default=None, repr=False)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Inside: ``import autograd`` (and ``nn``) give this version's modules."""
        if self.modules is None:
            yield
            return
        current = _take_glassgrad_modules()
        sys.modules.update(self.modules)
        try:
            yield
        finally:
            self.modules.update(_take_glassgrad_modules())  # keeps what was imported lazily meanwhile
            sys.modules.update(current)


def current_glassgrad() -> Glassgrad:
    """The glassgrad that ``import autograd`` gives (this checkout when run from it)."""
    import autograd

    try:
        import nn
    except ImportError:
        nn = None
    return Glassgrad("glassgrad", autograd, nn, Path(autograd.__file__).resolve().parent.parent)


def load_checkout(directory: Path | str, label: str = "glassgrad (before)") -> Glassgrad:
    """Import the ``autograd`` and ``nn`` packages of the checkout in ``directory`` as a second glassgrad.

    They are imported with ``directory`` first on ``sys.path``, then their
    ``sys.modules`` entries are moved aside (into the returned
    :class:`Glassgrad`), and the entries that were there before are put
    back. Their functions keep their own module globals, so both versions
    work side by side.
    """
    directory = Path(directory).resolve()
    if not (directory / "autograd" / "__init__.py").is_file():
        raise ValueError(f"{directory} is not a glassgrad checkout: it has no autograd/__init__.py")
    current = _take_glassgrad_modules()
    sys.path.insert(0, str(directory))
    importlib.invalidate_caches()
    try:
        autograd = importlib.import_module("autograd")
        nn = importlib.import_module("nn") if (directory / "nn" / "__init__.py").is_file() else None
        if Path(autograd.__file__).resolve().parent != directory / "autograd":
            raise ImportError(f"importing autograd from {directory} gave {autograd.__file__}")
    finally:
        sys.path.remove(str(directory))
        loaded = _take_glassgrad_modules()
        sys.modules.update(current)
    return Glassgrad(label, autograd, nn, directory, loaded)


# ---------------------------------------------------------------------------
# Contenders built on Values: glassgrad (nn and engine) and micrograd
# ---------------------------------------------------------------------------
def multiclass_hinge(logits: Sequence[Any], target: int) -> Any:
    """sum_{j != t} relu(z_j - z_t + 1), from +, - and relu: any scalar engine can write it."""
    zt = logits[target]
    return sum((z - zt + 1.0).relu() for j, z in enumerate(logits) if j != target)


def hinge(scores: Sequence[Any], labels: Sequence[float]) -> Any:
    """(1/n) sum_i relu(1 - y_i s_i), from scalar ops."""
    return sum((1.0 + -y * s).relu() for s, y in zip(scores, labels)) * (1.0 / len(scores))


class ValueNetwork:
    """A network of Value parameters: ``params`` (flat, in :func:`flat`'s order), ``gradients`` and ``step``."""

    params: list[Any]

    def forward(self, x: list[float]) -> Any:
        raise NotImplementedError

    def loss(self, batch: Sequence[Example]) -> Any:
        raise NotImplementedError

    def gradients(self, batch: Sequence[Example]) -> list[float]:
        for p in self.params:
            p.grad = 0.0
        self.loss(batch).backward()
        return [float(p.grad) for p in self.params]

    def step(self, batch: Sequence[Example], lr: float) -> None:
        for p in self.params:
            p.grad = 0.0
        self.loss(batch).backward()
        for p in self.params:
            p.data -= lr * p.grad


class GlassgradNN(ValueNetwork):
    """glassgrad as a user writes it: ``nn.MLP``, an ``nn`` loss (with ``l2``: plus ``nn.l2_penalty``), ``nn.SGD``."""

    def __init__(self, weights: Weights, loss: str, lr: float, glassgrad: Glassgrad, l2: float = 0.0) -> None:
        nn = glassgrad.nn
        if nn is None:
            raise ValueError(f"{glassgrad.directory} has no nn package")
        sizes = [len(weights[0][0][0])] + [len(rows) for rows, _ in weights]
        self.model = nn.MLP(sizes[0], sizes[1:], rng=random.Random(0))
        for layer, (rows, biases) in zip(self.model.layers, weights):
            for neuron, row, b in zip(layer.neurons, rows, biases):
                for w, value in zip(neuron.w, row):
                    w.data = value
                neuron.b.data = b
        self.params = [p for layer in self.model.layers for n in layer.neurons for p in (*n.w, n.b)]
        self._glassgrad = glassgrad
        self.optimizer = nn.SGD(self.model.parameters(), lr=lr)
        self._loss_name = loss
        self._nn = nn
        self.l2 = l2

    def forward(self, x: list[float]) -> Any:
        return self.model(x)

    def loss(self, batch: Sequence[Example]) -> Any:
        if self._loss_name == "cross_entropy":
            ((x, target),) = batch
            return self._nn.cross_entropy(self.model(x), target)
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            return multiclass_hinge(self.model(x), target)
        loss = self._nn.hinge_loss([self.model(x) for x, _ in batch], [y for _, y in batch])
        return loss + self.penalty(self.model) if self.l2 else loss

    def penalty(self, model: Any) -> Any:
        """micrograd's demo's L2 term, ``alpha * sum(p^2)`` over every parameter."""
        return self._nn.l2_penalty(model.parameters(), self.l2)

    def loss_function(self) -> Any:
        """The nn loss of ``(outputs, targets)`` a compiled step takes (cross_entropy and hinge)."""
        if self._loss_name == "cross_entropy":
            return self._nn.cross_entropy
        if self._loss_name == "hinge":
            return self._nn.hinge_loss
        raise ValueError(f"no nn loss for {self._loss_name!r}")

    def step(self, batch: Sequence[Example], lr: float) -> None:
        self.optimizer.zero_grad()
        self.loss(batch).backward()
        self.optimizer.step()


class GlassgradCompiled(GlassgradNN):
    """glassgrad's compiled step, ``nn.compile(model, loss_fn, optimizer)`` (with the L2 term as its penalty).

    ``mode="step"``: ``step(batch)`` per batch, the model's Values read and written at each call. ``mode="fit"``:
    ``nn.fit(..., compile=True)`` over the batches, which keeps the weights as floats between steps.
    ``gradients`` are the eager engine's (the compiled step is checked against the eager step, bit for bit, by
    :meth:`checked_step_error`).
    """

    def __init__(
        self, weights: Weights, loss: str, lr: float, glassgrad: Glassgrad, l2: float = 0.0, mode: str = "step"
    ) -> None:
        super().__init__(weights, loss, lr, glassgrad, l2)
        nn = self._nn
        self.mode = mode
        penalty = self.penalty if l2 else None
        self.compiled = nn.compile(self.model, self.loss_function(), self.optimizer, penalty=penalty)

    def step(self, batch: Sequence[Example], lr: float) -> None:
        self.optimizer.lr = lr
        self.compiled(batch)

    def train(self, batches: list[list[Example]], lr: float) -> None:
        """One pass over ``batches``: through nn.fit(compile=True) in fit mode, else one step per batch."""
        self.optimizer.lr = lr
        if self.mode != "fit":
            for batch in batches:
                self.compiled(batch)
            return
        examples = [example for batch in batches for example in batch]
        self._nn.fit(
            self.model,
            self.loss_function(),
            examples,
            optimizer=self.optimizer,
            penalty=self.penalty if self.l2 else None,
            batch_size=len(batches[0]),
            shuffle=False,
            progress=False,
            accuracy=None,
            compile=self.compiled,  # the step's code, compiled once (its compile time is measured apart)
        )

    def checked_step_error(self, batch: Sequence[Example], lr: float) -> float:
        """Relative distance of one compiled step's weights from one eager step's (0.0: bit for bit)."""
        twin = GlassgradNN(self.weights_now(), self._loss_name, lr, self._glassgrad, self.l2)
        twin.optimizer.zero_grad()
        twin.loss(batch).backward()
        twin.optimizer.step()
        self.step(batch, lr)
        return relative_weights_error([p.data for p in twin.params], [p.data for p in self.params])

    def weights_now(self) -> Weights:
        return [
            ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
            for layer in self.model.layers
        ]


def relative_weights_error(reference: list[float], other: list[float]) -> float:
    scale = max(1.0, *map(abs, reference))
    return max(abs(a - b) for a, b in zip(reference, other)) / scale


def compiles(glassgrad: Glassgrad) -> bool:
    """Whether this glassgrad has nn.compile (a --before checkout may not)."""
    return glassgrad.nn is not None and hasattr(glassgrad.nn, "compile")


def fit_compiles(glassgrad: Glassgrad) -> bool:
    """Whether this glassgrad's nn.fit takes compile=True."""
    import inspect

    return compiles(glassgrad) and "compile" in inspect.signature(glassgrad.nn.fit).parameters


class GlassgradEngine(ValueNetwork):
    """glassgrad's engine alone, public functions only: lists of Values, ``relu_dots`` per hidden layer, ``dots`` last.

    The losses are ``cross_entropy`` (one node), :func:`multiclass_hinge`
    from scalar ops, and the mean hinge loss through ``sum_values``.
    """

    def __init__(self, weights: Weights, loss: str, glassgrad: Glassgrad) -> None:
        engine = glassgrad.autograd
        value = engine.Value
        self.layers = [
            ([[value(w) for w in row] for row in rows], [value(b) for b in biases]) for rows, biases in weights
        ]
        self.params = [p for rows, biases in self.layers for row, b in zip(rows, biases) for p in (*row, b)]
        self._loss_name = loss
        self._dots, self._relu_dots = engine.dots, engine.relu_dots
        self._cross_entropy, self._sum_values = engine.cross_entropy, engine.sum_values

    def forward(self, x: list[Any]) -> list[Any]:
        last = len(self.layers) - 1
        for index, (rows, biases) in enumerate(self.layers):
            x = self._dots(rows, x, biases) if index == last else self._relu_dots(rows, x, biases)
        return x

    def loss(self, batch: Sequence[Example]) -> Any:
        if self._loss_name == "cross_entropy":
            ((x, target),) = batch
            return self._cross_entropy(self.forward(x), target)
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            return multiclass_hinge(self.forward(x), target)
        terms = [(1.0 - y * self.forward(x)[0]).relu() for x, y in batch]
        return self._sum_values(terms) * (1.0 / len(terms))


class ScalarOpNetwork(ValueNetwork):
    """The learner's network, from scalar ops only: the same code runs on any engine's ``Value``.

    Each neuron is ``sum((wi * xi for wi, xi in zip(w, x)), b)`` then ``.relu()``:
    two nodes per weight, no fused nodes.
    """

    def __init__(self, weights: Weights, loss: str, value_class: type) -> None:
        self.layers = [
            ([[value_class(w) for w in row] for row in rows], [value_class(b) for b in biases])
            for rows, biases in weights
        ]
        self.params = [p for rows, biases in self.layers for row, b in zip(rows, biases) for p in (*row, b)]
        self._loss_name = loss

    def forward(self, x: list[Any]) -> list[Any]:
        last = len(self.layers) - 1
        for index, (rows, biases) in enumerate(self.layers):
            outputs = []
            for row, b in zip(rows, biases):
                act = sum((wi * xi for wi, xi in zip(row, x)), b)
                outputs.append(act if index == last else act.relu())
            x = outputs
        return x

    def loss(self, batch: Sequence[Example]) -> Any:
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            return multiclass_hinge(self.forward(x), target)
        return hinge([self.forward(x)[0] for x, _ in batch], [y for _, y in batch])


class MicrogradMLP(ValueNetwork):
    """micrograd's own ``nn.MLP`` (relu hidden layers, linear output), given the shared weights."""

    def __init__(self, weights: Weights, loss: str) -> None:
        from micrograd import nn as micrograd_nn

        sizes = [len(weights[0][0][0])] + [len(rows) for rows, _ in weights]
        state = random.getstate()  # micrograd draws its initial weights from the global generator
        try:
            self.model = micrograd_nn.MLP(sizes[0], sizes[1:])
        finally:
            random.setstate(state)
        for layer, (rows, biases) in zip(self.model.layers, weights):
            for neuron, row, b in zip(layer.neurons, rows, biases):
                for w, value in zip(neuron.w, row):
                    w.data = value
                neuron.b.data = b
        self.params = self.model.parameters()
        self._loss_name = loss

    def forward(self, x: list[float]) -> Any:
        return self.model(x)

    def loss(self, batch: Sequence[Example]) -> Any:
        ((x, target),) = batch
        return multiclass_hinge(self.model(x), target)


# ---------------------------------------------------------------------------
# PyTorch, one thread, float64, one sample at a time
# ---------------------------------------------------------------------------
class TorchMLP:
    """``torch.nn.Sequential`` of Linear and ReLU in float64 (so gradients compare to 1e-12), one thread."""

    def __init__(self, weights: Weights, loss: str, lr: float) -> None:
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        modules: list[Any] = []
        for index, (rows, biases) in enumerate(weights):
            linear = torch.nn.Linear(len(rows[0]), len(rows), dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(rows, dtype=torch.float64))
                linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
            modules.append(linear)
            if index < len(weights) - 1:
                modules.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*modules)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self._loss_name = loss
        self._tensors: dict[int, Any] = {}

    def _tensor(self, x: list[float]) -> Any:
        key = id(x)  # the data are converted once, outside the timed loop's work
        if key not in self._tensors:
            self._tensors[key] = self.torch.tensor(x, dtype=self.torch.float64)
        return self._tensors[key]

    def forward(self, x: list[float]) -> Any:
        return self.model(self._tensor(x))

    def loss(self, batch: Sequence[Example]) -> Any:
        torch = self.torch
        if self._loss_name == "cross_entropy":
            ((x, target),) = batch
            return torch.nn.functional.cross_entropy(self.forward(x).unsqueeze(0), torch.tensor([target]))
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            z = self.forward(x)
            margins = torch.relu(z - z[target] + 1.0)
            return margins.sum() - margins[target]
        scores = torch.stack([self.forward(x)[0] for x, _ in batch])
        labels = torch.tensor([y for _, y in batch], dtype=torch.float64)
        return torch.relu(1.0 - labels * scores).mean()

    def gradients(self, batch: Sequence[Example]) -> list[float]:
        self.optimizer.zero_grad()
        self.loss(batch).backward()
        grads = []
        layers = [m for m in self.model if isinstance(m, self.torch.nn.Linear)]
        for linear in layers:
            for row, b in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
                grads.extend(row)
                grads.append(b)
        return grads

    def step(self, batch: Sequence[Example], lr: float) -> None:
        self.optimizer.zero_grad()
        self.loss(batch).backward()
        self.optimizer.step()


# ---------------------------------------------------------------------------
# Which contenders a row runs
# ---------------------------------------------------------------------------
@dataclass
class Contender:
    """A contender of one row: ``make`` builds a fresh network, ``reason`` says why it is skipped.

    ``context`` is entered around everything the contender runs (building,
    the gradient check, each timed run, outside the timer): a second
    glassgrad's :meth:`Glassgrad.active`.
    """

    name: str
    make: Callable[[], Any] | None = None
    reason: str | None = None
    context: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext


def network_contenders(
    weights: Weights,
    loss: str,
    lr: float,
    versions: Sequence[Glassgrad],
    *,
    micrograd: bool,
    torch: bool,
    compiled: Sequence[str] = (),
    l2: float = 0.0,
    engine: bool = True,
) -> list[Contender]:
    """A network row's contenders: each glassgrad version (nn, then engine), the baseline, micrograd, PyTorch.

    The first is the reference the others' gradients are compared with. ``compiled`` adds glassgrad's compiled
    step in those modes (``"step"``, ``"fit"``) after each version's eager contenders; ``l2``: micrograd's L2
    term in every contender's loss.
    """
    found: list[Contender] = []
    for version in versions:
        if version.nn is not None:
            found.append(
                Contender(
                    version.label, lambda v=version: GlassgradNN(weights, loss, lr, v, l2), context=version.active
                )
            )
        else:
            found.append(Contender(version.label, reason=f"{version.directory} has no nn package"))
        if engine:
            engine_name = version.label.replace("glassgrad", "glassgrad engine", 1)
            found.append(
                Contender(engine_name, lambda v=version: GlassgradEngine(weights, loss, v), context=version.active)
            )
        for mode in compiled:
            name = version.label.replace("glassgrad", f"glassgrad compiled {mode}", 1)
            usable = fit_compiles(version) if mode == "fit" else compiles(version)
            if not usable:
                why = "nn.fit takes no compile=True" if mode == "fit" else "no nn.compile"
                found.append(Contender(name, reason=f"{version.directory}: {why}"))
                continue
            found.append(
                Contender(
                    name,
                    lambda v=version, m=mode: GlassgradCompiled(weights, loss, lr, v, l2, m),
                    context=version.active,
                )
            )
    if found[0].make is None:  # without nn, the engine alone is the reference
        found.append(found.pop(0))
    found.append(Contender("baseline", lambda: HandWrittenMLP(weights, loss, l2)))
    if micrograd:
        reason = missing("micrograd")
        if reason is None and loss == "cross_entropy":
            reason = "micrograd has no exp or log, so no softmax cross-entropy: see row T1h"
        found.append(Contender("micrograd", None if reason else (lambda: MicrogradMLP(weights, loss)), reason))
    if torch:
        reason = missing("torch")
        found.append(Contender("pytorch", None if reason else (lambda: TorchMLP(weights, loss, lr)), reason))
    return found

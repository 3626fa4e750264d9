"""How fast is glassgrad? The same work through several engines, in one process and one run.

Rows (each a median over ``--repeats`` timed repeats, after a warm-up):

- T1   digits step: MLP 64 -> 32 (relu) -> 10 logits, softmax cross-entropy,
       one sample at a time (forward, backward, SGD update); us/sample.
- T1h  the same step with the multiclass hinge loss sum_{j != t} relu(z_j - z_t + 1),
       the loss micrograd can express (it has no exp or log); us/sample.
- T2   moons step: MLP 2 -> 16 -> 16 -> 1, hinge loss relu(1 - y s) averaged
       over a batch of 100 (forward, backward, update); ms/step.
- T3   deep chain: x = x * 1.0001 + 0.001 repeated until the chain has N nodes
       (each repetition makes two), then backward; us and peak bytes per node.
- T4   the T2 step written the way a learner writes it, from scalar ops only
       (``sum(wi * xi for ...) + b``, ``.relu()``): the same code for every engine.
- INF  the T1 forward pass under ``no_grad`` against the one that records the graph,
       and what the no_grad pass would have to take for the 1.3x target
       (see ``inference_bound``).

Contenders: glassgrad (through ``nn``, and the engine alone), a hand-written
pure-Python network with no graph at all (the pure-Python limit: plain lists,
list comprehensions, ``sum(map(mul, w, x))``), micrograd and PyTorch (one
thread, float64) where installed. A contender that is missing is reported as
skipped. Before any timing, every contender computes the gradients of one step
from the same weights and they are compared with glassgrad's; the hand-written
baseline must agree to 1e-12 or the benchmark stops.

    python demos/benchmark.py                      # the full run (a few minutes)
    python demos/benchmark.py --json bench.json    # ... and the table as JSON
    python demos/benchmark.py --quick              # tiny sizes, seconds: a smoke test

How it is measured: contenders take turns, one timed run each per round, so
a change in the machine's load falls on all alike; micrograd, slow, gets 3
rounds and a short warm-up. The cyclic garbage collector stays on while timing
(as in a user's program); ``gc.collect()`` runs before each timed run, and the
objects alive before each row's timing (imported modules, data, models) are
frozen with ``gc.freeze()``, so that the collector's passes cost what the timed
work allocates, not what happens to be loaded in the process (see ``settle``).
"in gc" is the median share of a contender's time spent in the cyclic
garbage collector (timed through ``gc.callbacks``). T3's memory is measured
in a separate pass with tracemalloc (which slows everything down), with the
collector off, which also checks that dropping the graph frees it by
reference counting alone: a collection afterwards must find nothing.
micrograd sorts its graph recursively, so T3 notes where it fails.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import mul
from pathlib import Path
from typing import Any

if importlib.util.find_spec("autograd") is None:  # run from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd
from autograd import Value, cross_entropy, dots, no_grad, relu_dots, sum_values

#: Layer weights shared by every contender: per layer, (rows of weights, biases).
Weights = list[tuple[list[list[float]], list[float]]]
Example = tuple[list[float], Any]

DIGITS_SIZES = [64, 32, 10]
MOONS_SIZES = [2, 16, 16, 1]
DIGITS_LR = 0.01
MOONS_LR = 0.05
#: Gradients must agree with glassgrad's to this, relative to the largest gradient (or 1).
GRADIENT_TOLERANCE = 1e-12


# ---------------------------------------------------------------------------
# Data and the shared starting weights
# ---------------------------------------------------------------------------
def digits_data(count: int, seed: int) -> tuple[list[Example], str]:
    """``count`` digits (64 pixels / 16, label 0-9) from scikit-learn, or synthetic data if it is missing."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = random.Random(seed)
        centres = [[rng.random() for _ in range(64)] for _ in range(10)]
        examples = []
        for i in range(count):
            label = i % 10
            examples.append(([min(1.0, max(0.0, c + rng.gauss(0.0, 0.2))) for c in centres[label]], label))
        return examples, "synthetic 64-dim data (scikit-learn is not installed)"
    bunch = load_digits()
    examples = [([float(p) / 16.0 for p in row], int(label)) for row, label in zip(bunch.data, bunch.target)]
    while len(examples) < count:
        examples = examples + examples
    return examples[:count], "scikit-learn digits"


def moons_data(count: int, seed: int) -> list[Example]:
    """Two noisy interleaved half circles, labels -1 and +1 (for the hinge loss)."""
    rng = random.Random(seed)
    examples = []
    for i in range(count):
        t = math.pi * rng.random()
        if i % 2:
            point, label = [math.cos(t), math.sin(t)], -1.0
        else:
            point, label = [1.0 - math.cos(t), 0.5 - math.sin(t)], 1.0
        examples.append(([point[0] + rng.gauss(0.0, 0.1), point[1] + rng.gauss(0.0, 0.1)], label))
    return examples


def initial_weights(sizes: Sequence[int], seed: int) -> Weights:
    """Uniform(-1, 1) / sqrt(fan_in) weights and small biases, the same for every contender."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in pairwise(sizes):
        scale = 1.0 / math.sqrt(nin)
        rows = [[rng.uniform(-scale, scale) for _ in range(nin)] for _ in range(nout)]
        layers.append((rows, [rng.uniform(-0.1, 0.1) for _ in range(nout)]))
    return layers


# ---------------------------------------------------------------------------
# Contender: the hand-written pure-Python network (no graph)
# ---------------------------------------------------------------------------
class HandWrittenMLP:
    """relu hidden layers, a linear output layer; forward and backward written out by hand.

    ``gradients`` returns, per layer, (weight-gradient rows, bias gradients);
    ``step`` computes them and then applies ``w -= lr * g``.
    """

    def __init__(self, weights: Weights, loss: str) -> None:
        self.layers = [([list(row) for row in rows], list(biases)) for rows, biases in weights]
        self.loss = loss

    def forward(self, x: list[float]) -> list[float]:
        for index, (rows, biases) in enumerate(self.layers):
            z = [sum(map(mul, row, x), b) for row, b in zip(rows, biases)]
            x = z if index == len(self.layers) - 1 else [v if v > 0.0 else 0.0 for v in z]
        return x

    def _output_gradient(self, z: list[float], target: Any, scale: float) -> list[float]:
        """d loss / d z for one sample (``scale`` = 1 / batch size)."""
        if self.loss == "cross_entropy":  # softmax(z) - onehot(t)
            top = max(z)
            exps = [math.exp(v - top) for v in z]
            total = math.fsum(exps)
            dz = [e / total for e in exps]
            dz[target] -= 1.0
            return dz
        if self.loss == "multiclass_hinge":  # sum_{j != t} relu(z_j - z_t + 1)
            zt = z[target]
            dz = [1.0 if v - zt + 1.0 > 0.0 else 0.0 for v in z]
            dz[target] = -(sum(dz) - dz[target])
            return dz
        # hinge: relu(1 - y s), averaged over the batch
        return [-target * scale if 1.0 - target * z[0] > 0.0 else 0.0]

    def gradients(self, batch: Sequence[Example]) -> Weights:
        """Sum over ``batch`` of each sample's gradients (scaled by 1 / len(batch) for the hinge loss)."""
        totals: Weights | None = None
        scale = 1.0 / len(batch)
        last = len(self.layers) - 1
        for x, target in batch:
            inputs = []  # each layer's input, kept for the backward pass
            for index, (rows, biases) in enumerate(self.layers):
                inputs.append(x)
                z = [sum(map(mul, row, x), b) for row, b in zip(rows, biases)]
                x = z if index == last else [v if v > 0.0 else 0.0 for v in z]
            dz = self._output_gradient(x, target, scale)
            sample: Weights = []
            for index in range(last, -1, -1):
                rows, _ = self.layers[index]
                layer_input = inputs[index]
                sample.append(([[d * xi for xi in layer_input] for d in dz], dz))
                if index:  # through the weights, then through the relu of the layer below
                    dx = [sum(map(mul, column, dz)) for column in zip(*rows)]
                    dz = [d if xi > 0.0 else 0.0 for d, xi in zip(dx, layer_input)]
            sample.reverse()
            if totals is None:
                totals = sample
            else:
                totals = [
                    ([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(g1, g2)], [a + b for a, b in zip(b1, b2)])
                    for (g1, b1), (g2, b2) in zip(totals, sample)
                ]
        assert totals is not None
        return totals

    def step(self, batch: Sequence[Example], lr: float) -> None:
        for (rows, biases), (row_grads, bias_grads) in zip(self.layers, self.gradients(batch)):
            for row, grads in zip(rows, row_grads):
                row[:] = [w - lr * g for w, g in zip(row, grads)]
            biases[:] = [b - lr * g for b, g in zip(biases, bias_grads)]


def flat(weights: Weights) -> list[float]:
    """Layer by layer, neuron by neuron: the weights, then the bias."""
    return [v for rows, biases in weights for row, b in zip(rows, biases) for v in (*row, b)]


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
    """A network of Value parameters: ``params`` (flat, in :func:`flat`'s order) and ``step``."""

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
    """glassgrad as a user writes it: ``nn.MLP``, an ``nn`` loss, ``nn.SGD``."""

    def __init__(self, weights: Weights, loss: str, lr: float) -> None:
        import nn

        sizes = [len(weights[0][0][0])] + [len(rows) for rows, _ in weights]
        self.model = nn.MLP(sizes[0], sizes[1:], rng=0)
        for layer, (rows, biases) in zip(self.model.layers, weights):
            for neuron, row, b in zip(layer.neurons, rows, biases):
                for w, value in zip(neuron.w, row):
                    w.data = value
                neuron.b.data = b
        self.params = [p for layer in self.model.layers for n in layer.neurons for p in (*n.w, n.b)]
        self.optimizer = nn.SGD(self.model.parameters(), lr=lr)
        self._loss_name = loss
        self._nn = nn

    def forward(self, x: list[float]) -> Any:
        return self.model(x)

    def loss(self, batch: Sequence[Example]) -> Any:
        if self._loss_name == "cross_entropy":
            ((x, target),) = batch
            return self._nn.cross_entropy(self.model(x), target)
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            return multiclass_hinge(self.model(x), target)
        return self._nn.hinge_loss([self.model(x) for x, _ in batch], [y for _, y in batch])

    def step(self, batch: Sequence[Example], lr: float) -> None:
        self.optimizer.zero_grad()
        self.loss(batch).backward()
        self.optimizer.step()


class GlassgradEngine(ValueNetwork):
    """glassgrad's engine alone: lists of Values, ``relu_dots`` per hidden layer (a node per neuron), ``dots`` last."""

    def __init__(self, weights: Weights, loss: str) -> None:
        self.layers = [
            ([[Value(w) for w in row] for row in rows], [Value(b) for b in biases]) for rows, biases in weights
        ]
        self.params = [p for rows, biases in self.layers for row, b in zip(rows, biases) for p in (*row, b)]
        self._loss_name = loss

    def forward(self, x: list[Any]) -> list[Any]:
        last = len(self.layers) - 1
        for index, (rows, biases) in enumerate(self.layers):
            x = dots(rows, x, biases) if index == last else relu_dots(rows, x, biases)
        return x

    def loss(self, batch: Sequence[Example]) -> Any:
        if self._loss_name == "cross_entropy":
            ((x, target),) = batch
            return cross_entropy(self.forward(x), target)
        if self._loss_name == "multiclass_hinge":
            ((x, target),) = batch
            return multiclass_hinge(self.forward(x), target)
        terms = [(1.0 - y * self.forward(x)[0]).relu() for x, y in batch]
        return sum_values(terms) * (1.0 / len(terms))


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
# Contender: PyTorch, one thread, float64, one sample at a time
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
# Measuring
# ---------------------------------------------------------------------------
def settle() -> None:
    """Collect, then freeze every object alive (``gc.freeze()``) until the run ends.

    The cyclic garbage collector's full passes walk every tracked object in
    the process. Objects made before the timing starts (modules a contender
    imports lazily, such as PyTorch's, the models, the data) would otherwise
    make each pass cost more for whoever allocates most: importing torch
    alone made the T2 glassgrad step 2.3x slower. Frozen, they are left out,
    and a pass costs what the timed work itself allocates.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Timed:
    """One contender's work: ``run`` is timed ``repeats`` times, after ``warm`` (untimed)."""

    run: Callable[[], object]
    warm: Callable[[], object]
    repeats: int


class CollectorClock:
    """Time spent in the cyclic garbage collector while switched on (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.on = False
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self.on:
            self.seconds += time.perf_counter() - self._started


def interleaved_times(contenders: dict[str, Timed], warmup: int) -> dict[str, list[tuple[float, float]]]:
    """(wall time, time in the garbage collector) of each ``run``, taken in rounds, one run of each per round.

    Taking turns means a change in the machine's load (other processes) falls
    on every contender alike, so the ratios hold even when the times drift.
    ``gc.collect()`` runs before each timed run.
    """
    for contender in contenders.values():
        for _ in range(warmup):
            contender.warm()
    settle()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    clock = CollectorClock()
    gc.callbacks.append(clock)
    try:
        for round_ in range(max((c.repeats for c in contenders.values()), default=0)):
            for name, contender in contenders.items():
                if round_ < contender.repeats:
                    gc.collect()
                    clock.seconds, clock.on = 0.0, True
                    start = time.perf_counter()
                    contender.run()
                    elapsed = time.perf_counter() - start
                    clock.on = False
                    times[name].append((elapsed, clock.seconds))
    finally:
        gc.callbacks.remove(clock)
    return times


def timing_summary(measured: list[tuple[float, float]], per: float) -> dict[str, Any]:
    """Median time (in the row's unit), every time, and the median share of it spent in the garbage collector."""
    return {
        "median": statistics.median(t for t, _ in measured) * per,
        "times": [t * per for t, _ in measured],
        "gc_share": statistics.median(collecting / t for t, collecting in measured),
    }


def gradient_error(reference: list[float], other: list[float]) -> float:
    """Largest |difference|, relative to the largest reference gradient (or 1)."""
    if len(reference) != len(other):
        return math.inf
    scale = max(1.0, *map(abs, reference))
    return max(abs(a - b) for a, b in zip(reference, other)) / scale


def missing(module: str) -> str | None:
    """Why a contender's package cannot be used, or None."""
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed"
    return None


def skipped(name: str, reason: str) -> dict[str, Any]:
    return {"contender": name, "status": "skipped", "reason": reason}


def network_row(
    row_id: str,
    title: str,
    unit: str,
    make: dict[str, Callable[[], Any] | str],
    batches: list[list[Example]],
    lr: float,
    per: float,
    settings: argparse.Namespace,
    slow: Sequence[str] = (),
) -> dict[str, Any]:
    """Time ``step`` over ``batches`` for every contender; ``per`` converts seconds per pass to ``unit``.

    ``make`` maps a contender's name to a factory, or to the reason it is skipped.
    Contenders named in ``slow`` get at most 3 repeats and a warm-up on a few batches.
    """
    results: dict[str, dict[str, Any]] = {}
    timed: dict[str, Timed] = {}
    few_batches = batches[: max(1, len(batches) // 10)]  # a slow contender's warm-up
    reference_gradients: list[float] | None = None
    for name, factory in make.items():
        if isinstance(factory, str):
            results[name] = skipped(name, factory)
            continue
        # Gradients of the first batch from the starting weights, before any training.
        grads = factory().gradients(batches[0])
        if isinstance(grads, list) and grads and isinstance(grads[0], tuple):
            grads = flat(grads)
        if reference_gradients is None:
            reference_gradients = grads  # glassgrad is listed first
        error = gradient_error(reference_gradients, grads)
        if name == "baseline" and not error <= GRADIENT_TOLERANCE:
            raise AssertionError(f"{row_id}: the hand-written gradients differ from glassgrad's by {error:.3g}")
        results[name] = {"contender": name, "status": "ok", "gradient_error": error}
        network = factory()

        def run(network: Any = network, batches: list[list[Example]] = batches) -> None:
            for batch in batches:
                network.step(batch, lr)

        def warm(network: Any = network, few: list[list[Example]] = few_batches) -> None:
            for batch in few:
                network.step(batch, lr)

        if name in slow:
            timed[name] = Timed(run, warm, min(settings.repeats, 3))
        else:
            timed[name] = Timed(run, run, settings.repeats)
    for name, measured in interleaved_times(timed, settings.warmup).items():
        results[name].update(timing_summary(measured, per))
    return {"id": row_id, "title": title, "unit": unit, "results": list(results.values())}


def contenders_for(weights: Weights, loss: str, lr: float, *, micrograd: bool, torch: bool) -> dict[str, Any]:
    make: dict[str, Any] = {
        "glassgrad": (lambda: GlassgradNN(weights, loss, lr)) if missing("nn") is None else "nn is not available",
        "glassgrad engine": lambda: GlassgradEngine(weights, loss),
        "baseline": lambda: HandWrittenMLP(weights, loss),
    }
    if isinstance(make["glassgrad"], str):  # without nn, the engine-level network is the glassgrad contender
        make = {"glassgrad": make.pop("glassgrad engine"), "baseline": make["baseline"]}
    if micrograd:
        reason = missing("micrograd")
        if reason is None and loss == "cross_entropy":
            reason = "micrograd has no exp or log, so no softmax cross-entropy: see row T1h"
        make["micrograd"] = reason or (lambda: MicrogradMLP(weights, loss))
    if torch:
        reason = missing("torch")
        make["pytorch"] = reason or (lambda: TorchMLP(weights, loss, lr))
    return make


def chain_row(settings: argparse.Namespace) -> dict[str, Any]:
    """T3: build x = x * 1.0001 + 0.001 until the chain has N nodes, backward; time, memory, cycles."""
    sizes = []
    micrograd_failed_at = None
    for nodes in settings.chain_nodes:
        steps = nodes // 2

        def build(steps: int = steps, value_class: type = Value) -> tuple[Any, Any]:
            x0 = value_class(1.0)
            x = x0
            for _ in range(steps):
                x = x * 1.0001 + 0.001
            return x0, x

        # Time: build, then backward, with the garbage collector on as usual.
        settle()
        build_times, backward_times, collecting_times = [], [], []
        clock = CollectorClock()
        gc.callbacks.append(clock)
        try:
            for attempt in range(settings.warmup + settings.chain_repeats):
                gc.collect()
                clock.seconds, clock.on = 0.0, True
                start = time.perf_counter()
                x0, x = build()
                built = time.perf_counter()
                x.backward()
                done = time.perf_counter()
                clock.on = False
                if attempt >= settings.warmup:
                    build_times.append(built - start)
                    backward_times.append(done - built)
                    collecting_times.append(clock.seconds)
                derivative = x0.grad
                del x0, x
        finally:
            gc.callbacks.remove(clock)
        expected = 1.0001**steps  # dx_n/dx_0 = 1.0001^n
        entry: dict[str, Any] = {
            "nodes": 2 * steps,
            "build_us_per_node": statistics.median(build_times) / (2 * steps) * 1e6,
            "backward_us_per_node": statistics.median(backward_times) / (2 * steps) * 1e6,
            "total_us_per_node": statistics.median(map(sum, zip(build_times, backward_times))) / (2 * steps) * 1e6,
            "gc_share": statistics.median(
                collecting / (building + propagating)
                for building, propagating, collecting in zip(build_times, backward_times, collecting_times)
            ),
            "derivative_relative_error": abs(derivative - expected) / expected,
        }
        # Memory: a separate pass under tracemalloc, collector off; dropping the graph must free it.
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            x0, x = build()
            x.backward()
            peak = tracemalloc.get_traced_memory()[1] - before
            del x0, x
            left = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            unreachable = gc.collect()  # a reference cycle in the graph would show up here
        finally:
            if was_enabled:
                gc.enable()
        entry.update(
            {
                "peak_bytes_per_node": peak / (2 * steps),
                "bytes_left_after_del": left,
                "cyclic_garbage_found": unreachable,
            }
        )
        # micrograd sorts its graph recursively: see where that stops working.
        if not settings.micrograd or missing("micrograd"):
            entry["micrograd"] = missing("micrograd") or "not run"
        elif micrograd_failed_at is not None:
            entry["micrograd"] = f"not run: failed at {micrograd_failed_at} nodes"
        else:
            entry["micrograd"] = micrograd_chain(build, steps)
            if entry["micrograd"].startswith("RecursionError"):
                micrograd_failed_at = 2 * steps
            gc.collect()
        sizes.append(entry)
    return {"id": "T3", "title": "deep chain x = x * 1.0001 + 0.001, build + backward", "sizes": sizes}


def micrograd_chain(build: Callable[..., tuple[Any, Any]], steps: int) -> str:
    """The T3 chain in micrograd: us/node, or the error its recursive sort runs into."""
    from micrograd.engine import Value as MicrogradValue

    try:
        start = time.perf_counter()
        _, last = build(value_class=MicrogradValue)
        last.backward()
    except RecursionError:
        return f"RecursionError (recursion limit {sys.getrecursionlimit()})"
    return f"{(time.perf_counter() - start) / (2 * steps) * 1e6:.3f} us/node (one run)"


def _torch_inference(weights: Weights, inputs: list[list[float]]) -> Callable[[], None]:
    """PyTorch's forward pass, one sample at a time, under ``torch.no_grad()``."""
    import torch

    network = TorchMLP(weights, "cross_entropy", DIGITS_LR)

    def run() -> None:
        with torch.no_grad():
            for x in inputs:
                network.forward(x)

    return run


def inference_row(weights: Weights, samples: list[Example], settings: argparse.Namespace) -> dict[str, Any]:
    """The T1 forward pass: recording the graph, under no_grad, and the hand-written forward."""
    network = GlassgradNN(weights, "cross_entropy", DIGITS_LR) if missing("nn") is None else None
    forward = network.forward if network else GlassgradEngine(weights, "cross_entropy").forward
    baseline = HandWrittenMLP(weights, "cross_entropy")
    inputs = [x for x, _ in samples]
    recorded = [v.data for v in forward(inputs[0])]
    with no_grad():
        unrecorded = forward(inputs[0])
    assert [v.data for v in unrecorded] == recorded and all(not v.parents for v in unrecorded)

    def recording() -> None:
        for x in inputs:
            forward(x)

    def not_recording() -> None:
        with no_grad():
            for x in inputs:
                forward(x)

    def hand_written() -> None:
        for x in inputs:
            baseline.forward(x)

    per = 1e6 / len(inputs)
    runs: dict[str, Callable[[], None] | str] = {
        "glassgrad recording": recording,
        "glassgrad no_grad": not_recording,
        "baseline": hand_written,
    }
    if settings.torch:
        runs["pytorch no_grad"] = missing("torch") or _torch_inference(weights, inputs)
    timed = {name: Timed(run, run, settings.repeats) for name, run in runs.items() if not isinstance(run, str)}
    measured = interleaved_times(timed, settings.warmup)
    results = [
        skipped(name, run)
        if isinstance(run, str)
        else {"contender": name, "status": "ok", **timing_summary(measured[name], per)}
        for name, run in runs.items()
    ]
    return {"id": "INF", "title": "T1 forward pass (64 -> 32 -> 10)", "unit": "us/sample", "results": results}


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------
#: INF's target: the recording forward pass takes at least this many times no_grad's time.
INFERENCE_TARGET = 1.3


def inference_bound(row: dict[str, Any], target: float = INFERENCE_TARGET) -> dict[str, float] | None:
    """What the INF target asks of the no_grad pass, from one INF row's medians (None if one is missing).

    Both passes do the same arithmetic (read every weight, the same
    multiply-adds); recording adds its nodes on top, ``extra = recording -
    no_grad``. Making the arithmetic faster makes both passes faster, and
    leaves ``extra`` as it is, so recording / no_grad >= target holds only if
    (no_grad + extra) / no_grad >= target, that is no_grad <= extra / (target
    - 1); when recording is no slower (``extra <= 0``), no time does, and
    the bound is 0. ``needed_over_baseline`` sets that time against the
    hand-written forward pass, which has no Values at all.
    """
    recording = _median_of(row, "glassgrad recording")
    not_recording = _median_of(row, "glassgrad no_grad")
    baseline = _median_of(row, "baseline")
    if recording is None or not_recording is None or baseline is None:
        return None
    extra = recording - not_recording
    needed = max(extra, 0.0) / (target - 1.0)
    return {
        "target": target,
        "recording_extra": extra,
        "no_grad_needed": needed,
        "baseline": baseline,
        "needed_over_baseline": needed / baseline,
    }


def _median_of(row: dict[str, Any], name: str) -> float | None:
    for result in row["results"]:
        if result["contender"] == name and result["status"] == "ok":
            return result["median"]
    return None


def add_ratios(row: dict[str, Any], reference: str) -> None:
    """Each contender's time divided by ``reference``'s (x times the reference's time)."""
    base = _median_of(row, reference)
    row["ratio_to"] = reference
    for result in row["results"]:
        if result["status"] == "ok" and base:
            result["ratio"] = result["median"] / base


def targets(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured figure and whether it is met (None: not measured)."""

    def ratio(row_id: str, slower: str, faster: str) -> float | None:
        if row_id not in rows:
            return None
        a, b = _median_of(rows[row_id], slower), _median_of(rows[row_id], faster)
        return a / b if a and b else None

    found = []

    def check(name: str, value: float | None, limit: float, at_most: bool) -> None:
        met = None if value is None else (value <= limit if at_most else value >= limit)
        found.append({"target": name, "value": value, "limit": limit, "met": met})

    check("T1: glassgrad time / baseline time <= 1.5", ratio("T1", "glassgrad", "baseline"), 1.5, True)
    check("T1h: micrograd time / glassgrad time >= 100", ratio("T1h", "micrograd", "glassgrad"), 100.0, False)
    check("T2: glassgrad time / baseline time <= 1.7", ratio("T2", "glassgrad", "baseline"), 1.7, True)
    check("T4: micrograd time / glassgrad time >= 10", ratio("T4", "micrograd", "glassgrad"), 10.0, False)
    check(
        f"INF: recording time / no_grad time >= {INFERENCE_TARGET}",
        ratio("INF", "glassgrad recording", "glassgrad no_grad"),
        INFERENCE_TARGET,
        False,
    )
    if "T3" in rows:
        largest = max(rows["T3"]["sizes"], key=lambda entry: entry["nodes"])
        tag = f"T3 ({largest['nodes']:,} nodes)"
        check(f"{tag}: build + backward us/node <= 2.5", largest["total_us_per_node"], 2.5, True)
        check(f"{tag}: peak bytes/node <= 400", largest["peak_bytes_per_node"], 400.0, True)
        check(
            "T3: cyclic garbage found after dropping each graph == 0",
            max(entry["cyclic_garbage_found"] for entry in rows["T3"]["sizes"]),
            0.0,
            True,
        )
    return found


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"glassgrad benchmark: Python {report['python']}, {report['machine']}, "
        f"{report['settings']['repeats']} repeats (median) after {report['settings']['warmup']} warm-up",
        f"T1 data: {report['digits_source']}, {report['settings']['samples']} samples; "
        f"T2/T4: batch of {report['settings']['batch']}, {report['settings']['steps']} steps per repeat",
        "",
    ]
    for row in report["rows"]:
        if row["id"] == "T3":
            lines.append(f"{row['id']}  {row['title']}")
            lines.append(
                f"  {'nodes':>10} {'build':>8} {'backward':>9} {'total':>8} {'in gc':>6} {'peak B':>8} {'cycles':>6}"
                "  micrograd"
            )
            for entry in row["sizes"]:
                lines.append(
                    f"  {entry['nodes']:>10,} {entry['build_us_per_node']:>8.3f} {entry['backward_us_per_node']:>9.3f}"
                    f" {entry['total_us_per_node']:>8.3f} {entry['gc_share']:>6.0%}"
                    f" {entry['peak_bytes_per_node']:>8.1f} {entry['cyclic_garbage_found']:>6}  {entry['micrograd']}"
                )
            lines.append(
                "  (us per node; in gc = share of the time in the cyclic garbage collector's passes over the live"
                " graph; peak B = peak traced bytes per node; cycles = objects gc.collect() found)"
            )
            lines.append("")
            continue
        lines.append(f"{row['id']}  {row['title']}  [{row['unit']}, ratio = time / {row['ratio_to']}'s time]")
        for result in row["results"]:
            if result["status"] != "ok":
                lines.append(f"  {result['contender']:<22} skipped: {result['reason']}")
                continue
            error = result.get("gradient_error")
            grad_note = "" if error is None else f"   grad diff {error:.1e}"
            ratio = result.get("ratio", math.nan)
            collector = f"   in gc {result['gc_share']:>4.0%}" if "gc_share" in result else ""
            figures = f"{result['median']:>12.2f}   {ratio:>8.2f}x{collector}"
            lines.append(f"  {result['contender']:<22} {figures}{grad_note}")
        bound = row.get("bound")
        if bound:
            lines.append(
                f"  (recording adds {bound['recording_extra']:.2f} {row['unit']} to no_grad's time; for"
                f" {bound['target']}x, no_grad would have to take at most {bound['no_grad_needed']:.2f},"
                f" {bound['needed_over_baseline']:.2f}x the baseline's time)"
            )
        lines.append("")
    lines.append("Targets")
    for target in report["targets"]:
        mark = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        value = "-" if target["value"] is None else f"{target['value']:.3g}"
        lines.append(f"  {mark:<12} {target['target']}  (measured {value})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="glassgrad against the pure-Python limit and other engines",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test, seconds)")
    parser.add_argument("--samples", type=int, default=200, help="T1 and inference: digits samples per repeat")
    parser.add_argument("--batch", type=int, default=100, help="T2/T4: batch size")
    parser.add_argument("--steps", type=int, default=5, help="T2/T4: steps per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (the median is reported)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed repeats first")
    parser.add_argument(
        "--chain-nodes",
        type=lambda text: [int(float(n)) for n in text.split(",")],
        default=[1_000, 10_000, 100_000, 1_000_000],
        help="T3: chain lengths in nodes, comma-separated",
    )
    parser.add_argument("--chain-repeats", type=int, default=3, help="T3: timed repeats per length")
    parser.add_argument("--rows", default="T1,T1h,T2,T3,T4,INF", help="rows to run, comma-separated")
    parser.add_argument("--no-micrograd", dest="micrograd", action="store_false", help="leave micrograd out")
    parser.add_argument("--no-torch", dest="torch", action="store_false", help="leave PyTorch out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.batch, args.steps = 4, 4, 1
        args.repeats, args.warmup, args.chain_repeats = 1, 0, 1
        args.chain_nodes = [1_000, 10_000]
    for name in ("samples", "batch", "steps", "repeats", "chain_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; return the report (the table as a dict)."""
    settings = parse_args(argv)
    wanted = set(settings.rows.split(","))
    digits, digits_source = digits_data(settings.samples, settings.seed)
    moons = moons_data(settings.batch * settings.steps, settings.seed)
    moons_batches = [moons[i : i + settings.batch] for i in range(0, len(moons), settings.batch)]
    digits_weights = initial_weights(DIGITS_SIZES, settings.seed)
    moons_weights = initial_weights(MOONS_SIZES, settings.seed + 1)
    rows: dict[str, dict[str, Any]] = {}
    use = {"micrograd": settings.micrograd, "torch": settings.torch}
    # Import what the contenders use now, then freeze every object alive (see
    # settle(), called again before each row's timing); gc.unfreeze() at the end.
    for module, wanted_module in (("nn", True), ("micrograd.nn", settings.micrograd), ("torch", settings.torch)):
        if wanted_module and missing(module.split(".")[0]) is None:
            importlib.import_module(module)
    settle()
    try:
        _run_rows(settings, wanted, rows, use, digits, moons_batches, digits_weights, moons_weights)
    finally:
        gc.unfreeze()
    report = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}, {_cpu_count()} cores",
        "glassgrad": autograd.__version__,
        "digits_source": digits_source,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(settings).items()},
        "rows": list(rows.values()),
        "targets": targets(rows),
    }
    return report


def _run_rows(
    settings: argparse.Namespace,
    wanted: set[str],
    rows: dict[str, dict[str, Any]],
    use: dict[str, bool],
    digits: list[Example],
    moons_batches: list[list[Example]],
    digits_weights: Weights,
    moons_weights: Weights,
) -> None:
    per_sample = 1e6 / len(digits)
    per_step = 1e3 / len(moons_batches)

    if "T1" in wanted:
        make = contenders_for(digits_weights, "cross_entropy", DIGITS_LR, **use)
        rows["T1"] = network_row(
            "T1",
            "digits step 64 -> 32 -> 10, softmax cross-entropy",
            "us/sample",
            make,
            [[example] for example in digits],
            DIGITS_LR,
            per_sample,
            settings,
        )
        add_ratios(rows["T1"], "baseline")
    if "T1h" in wanted:
        make = contenders_for(digits_weights, "multiclass_hinge", DIGITS_LR, **use)
        rows["T1h"] = network_row(
            "T1h",
            "digits step 64 -> 32 -> 10, multiclass hinge loss",
            "us/sample",
            make,
            [[example] for example in digits],
            DIGITS_LR,
            per_sample,
            settings,
            slow=("micrograd",),
        )
        add_ratios(rows["T1h"], "baseline")
    if "T2" in wanted:
        make = contenders_for(moons_weights, "hinge", MOONS_LR, micrograd=False, torch=settings.torch)
        rows["T2"] = network_row(
            "T2",
            f"moons step 2 -> 16 -> 16 -> 1, hinge loss, batch of {settings.batch}",
            "ms/step",
            make,
            moons_batches,
            MOONS_LR,
            per_step,
            settings,
        )
        add_ratios(rows["T2"], "baseline")
    if "T3" in wanted:
        rows["T3"] = chain_row(settings)
    if "T4" in wanted:
        make = {"glassgrad": lambda: ScalarOpNetwork(moons_weights, "hinge", Value)}
        if settings.micrograd:
            reason = missing("micrograd")
            if reason is None:
                from micrograd.engine import Value as MicrogradValue

                make["micrograd"] = lambda: ScalarOpNetwork(moons_weights, "hinge", MicrogradValue)
            else:
                make["micrograd"] = reason
        rows["T4"] = network_row(
            "T4",
            f"moons step from scalar ops only (micrograd-style code), batch of {settings.batch}",
            "ms/step",
            make,
            moons_batches,
            MOONS_LR,
            per_step,
            settings,
            slow=("micrograd",),
        )
        add_ratios(rows["T4"], "glassgrad")
    if "INF" in wanted:
        rows["INF"] = inference_row(digits_weights, digits, settings)
        add_ratios(rows["INF"], "glassgrad no_grad")
        rows["INF"]["bound"] = inference_bound(rows["INF"])


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run, print the table, write the JSON if asked; return the report."""
    report = run(argv)
    print(format_table(report))
    json_path = report["settings"]["json"]
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {json_path}")
    return report


if __name__ == "__main__":
    main()

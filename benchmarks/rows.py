"""The rows of the table: what each one runs, on which data, and how it is checked before it is timed.

- T1   digits step: MLP 64 -> 32 (relu) -> 10 logits, softmax cross-entropy,
       one sample at a time (forward, backward, SGD update); us/sample.
- T1h  the same step with the multiclass hinge loss sum_{j != t} relu(z_j - z_t + 1),
       the loss micrograd can express (it has no exp or log); us/sample.
- T2   moons step: MLP 2 -> 16 -> 16 -> 1, hinge loss relu(1 - y s) averaged
       over a batch of 100 (forward, backward, update); ms/step.
- T2r  the T2 step as micrograd's demo trains it, with its L2 term alpha sum(p^2) (alpha = 1e-4): glassgrad eager,
       glassgrad compiled (nn.compile) and the hand-written step with the same term; ms/step. The compiled
       contenders of T1 and T2r also give their compile time (trace, code, check) in ms.
- T3   deep chain: x = x * 1.0001 + 0.001 repeated until the chain has N nodes
       (each repetition makes two), then backward; us and peak bytes per node.
- T4   the T2 step written the way a learner writes it, from scalar ops only
       (``sum(wi * xi for ...) + b``, ``.relu()``): the same code for every engine.
- INF  the T1 forward pass under ``no_grad`` (inference), against the
       hand-written forward pass; the pass that records the graph is shown too, and
       the compiled forward pass (``nn.compile(model)``, all the samples in one call).

Before any timing, every contender of T1, T1h, T2 and T4 computes the
gradients of the first batch from the same weights, and they are compared
with the first contender's (glassgrad's); the hand-written baseline must agree
to :data:`GRADIENT_TOLERANCE`, and one step of it must land on the weights
that its gradients give, or the benchmark stops. INF checks that glassgrad's
no_grad outputs have no parents and agree with the hand-written forward pass.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.contenders import (
    Contender,
    Example,
    Glassgrad,
    GlassgradCompiled,
    GlassgradEngine,
    GlassgradNN,
    HandWrittenMLP,
    ScalarOpNetwork,
    TorchMLP,
    Weights,
    compiles,
    flat,
    initial_weights,
    missing,
    network_contenders,
)
from benchmarks.harness import CollectorClock, Timed, interleaved_times, relative_error, settle, timing_summary

DIGITS_SIZES = [64, 32, 10]
MOONS_SIZES = [2, 16, 16, 1]
DIGITS_LR = 0.01
MOONS_LR = 0.05
#: Gradients (and outputs) must agree with glassgrad's to this, relative to the largest one (or 1).
GRADIENT_TOLERANCE = 1e-12
ROW_IDS = ("T1", "T1h", "T2", "T2r", "T3", "T4", "INF")
#: micrograd's demo's L2 term (T2r): alpha * sum(p^2) over every parameter.
MOONS_L2 = 1e-4
#: How many fresh compiles a compile time is the median of.
COMPILE_REPEATS = 5


# ---------------------------------------------------------------------------
# Data
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


def skipped(name: str, reason: str) -> dict[str, Any]:
    return {"contender": name, "status": "skipped", "reason": reason}


# ---------------------------------------------------------------------------
# Network rows: T1, T1h, T2, T4
# ---------------------------------------------------------------------------
def check_baseline_step(network: HandWrittenMLP, batch: list[Example], lr: float) -> float:
    """How far one training step of the hand-written network lands from ``w - lr * gradient`` (relative)."""
    start = flat(network.weights())
    expected = [w - lr * g for w, g in zip(start, flat(network.gradients(batch)))]
    network.step(batch, lr)
    return relative_error(expected, flat(network.weights()))


def network_row(
    row_id: str,
    title: str,
    unit: str,
    contenders: Sequence[Contender],
    batches: list[list[Example]],
    lr: float,
    per: float,
    settings: argparse.Namespace,
    slow: Sequence[str] = (),
) -> dict[str, Any]:
    """Time ``step`` over ``batches`` for every contender; ``per`` converts seconds per pass to ``unit``.

    Each timed run is one pass over ``batches`` (training goes on from run
    to run). The first contender that runs is the reference for the
    gradient check. Contenders named in ``slow`` get at most 3 repeats and a
    warm-up on a tenth of the batches.
    """
    results: dict[str, dict[str, Any]] = {}
    timed: dict[str, Timed] = {}
    few_batches = batches[: max(1, len(batches) // 10)]  # a slow contender's warm-up
    reference: list[float] | None = None
    for contender in contenders:
        name = contender.name
        if contender.make is None:
            results[name] = skipped(name, contender.reason or "not available")
            continue
        with contender.context():
            # Gradients of the first batch from the starting weights, before any training.
            grads = contender.make().gradients(batches[0])
            if grads and isinstance(grads[0], tuple):
                grads = flat(grads)
            if reference is None:
                reference = grads
            error = relative_error(reference, grads)
            results[name] = {"contender": name, "status": "ok", "gradient_error": error}
            if name == "baseline":
                if not error <= GRADIENT_TOLERANCE:
                    raise AssertionError(f"{row_id}: the hand-written gradients differ from glassgrad's by {error:.3g}")
                step_error = check_baseline_step(contender.make(), batches[0], lr)
                if not step_error <= GRADIENT_TOLERANCE:
                    raise AssertionError(
                        f"{row_id}: the hand-written step differs from its gradients' update by {step_error:.3g}"
                    )
                results[name]["step_error"] = step_error
            if isinstance(contender.make(), GlassgradCompiled):
                step_error = contender.make().checked_step_error(batches[0], lr)
                if step_error != 0.0:
                    raise AssertionError(f"{row_id}: {name}'s step differs from the eager step by {step_error:.3g}")
                results[name]["step_error"] = step_error
            network = contender.make()

        def run(network: Any = network, batches: list[list[Example]] = batches) -> None:
            if hasattr(network, "train"):
                network.train(batches, lr)
                return
            for batch in batches:
                network.step(batch, lr)

        def warm(network: Any = network, few: list[list[Example]] = few_batches) -> None:
            if hasattr(network, "train"):
                network.train(few, lr)
                return
            for batch in few:
                network.step(batch, lr)

        if name in slow:
            timed[name] = Timed(run, warm, min(settings.repeats, 3), contender.context)
        else:
            timed[name] = Timed(run, run, settings.repeats, contender.context)
    for name, measured in interleaved_times(timed, settings.warmup).items():
        results[name].update(timing_summary(measured, per))
    return {"id": row_id, "title": title, "unit": unit, "results": list(results.values())}


def compile_times(
    weights: Weights, loss: str, batch: list[Example], lr: float, l2: float, versions: Sequence[Glassgrad], repeats: int
) -> dict[str, dict[str, Any]]:
    """For each version with nn.compile: the time to compile its step (trace, write and check the code), in ms.

    Each of ``repeats`` fresh steps takes its first call (compile and one step) and three more; the compile time is
    the first call's time less the median of the others. The median over the repeats is reported.
    """
    found: dict[str, dict[str, Any]] = {}
    for version in versions:
        if not compiles(version):
            continue
        times = []
        with version.active():
            for _ in range(repeats):
                network = GlassgradCompiled(weights, loss, lr, version, l2)
                gc.collect()
                start = time.perf_counter()
                network.step(batch, lr)
                first = time.perf_counter() - start
                steady = []
                for _ in range(3):
                    start = time.perf_counter()
                    network.step(batch, lr)
                    steady.append(time.perf_counter() - start)
                times.append((first - statistics.median(steady)) * 1e3)
        found[version.label] = {"median_ms": statistics.median(times), "times_ms": times}
    return found


def scalar_op_contenders(weights: Weights, versions: Sequence[Glassgrad], *, micrograd: bool) -> list[Contender]:
    """T4's contenders: the scalar-op network on each glassgrad version's Value, then on micrograd's."""
    found = [
        Contender(v.label, lambda v=v: ScalarOpNetwork(weights, "hinge", v.autograd.Value), context=v.active)
        for v in versions
    ]
    if micrograd:
        reason = missing("micrograd")

        def make() -> ScalarOpNetwork:
            from micrograd.engine import Value as MicrogradValue

            return ScalarOpNetwork(weights, "hinge", MicrogradValue)

        found.append(Contender("micrograd", None if reason else make, reason))
    return found


# ---------------------------------------------------------------------------
# T3: the deep chain
# ---------------------------------------------------------------------------
def chain(steps: int, value_class: type) -> tuple[Any, Any]:
    """x0 and x = x * 1.0001 + 0.001 applied ``steps`` times to it (2 nodes per step)."""
    x0 = value_class(1.0)
    x = x0
    for _ in range(steps):
        x = x * 1.0001 + 0.001
    return x0, x


def chain_memory(steps: int, value_class: type) -> dict[str, Any]:
    """Peak traced bytes per node of building and backpropagating the chain, and what dropping it leaves.

    tracemalloc runs with the collector off, so the graph must be freed by
    reference counting alone: the ``gc.collect()`` afterwards finds the
    objects of any reference cycle (``cyclic_garbage_found``).
    """
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        x0, x = chain(steps, value_class)
        x.backward()
        peak = tracemalloc.get_traced_memory()[1] - before
        del x0, x
        left = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        unreachable = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    return {
        "peak_bytes_per_node": peak / (2 * steps),
        "bytes_left_after_del": left,
        "cyclic_garbage_found": unreachable,
    }


def chain_row(settings: argparse.Namespace, versions: Sequence[Glassgrad]) -> dict[str, Any]:
    """T3: for each length, every glassgrad version builds the chain and backpropagates, taking turns.

    Time: ``warmup`` + ``chain_repeats`` attempts, the versions taking turns
    in each, with the collector on; the medians of the timed attempts are
    reported per node. Memory: one more pass each under tracemalloc
    (:func:`chain_memory`). micrograd runs once per length until its
    recursive sort fails.
    """
    sizes = []
    micrograd_failed_at = None
    for nodes in settings.chain_nodes:
        steps = max(1, nodes // 2)
        measured: dict[str, list[tuple[float, float, float, float]]] = {v.label: [] for v in versions}
        settle()
        clock = CollectorClock()
        gc.callbacks.append(clock)
        try:
            for attempt in range(settings.warmup + settings.chain_repeats):
                for version in versions:
                    with version.active():
                        gc.collect()
                        clock.seconds, clock.on = 0.0, True
                        start = time.perf_counter()
                        x0, x = chain(steps, version.autograd.Value)
                        built = time.perf_counter()
                        x.backward()
                        done = time.perf_counter()
                        clock.on = False
                        derivative = x0.grad
                        del x0, x
                    if attempt >= settings.warmup:
                        measured[version.label].append((built - start, done - built, clock.seconds, derivative))
        finally:
            gc.callbacks.remove(clock)
        expected = 1.0001**steps  # dx_n/dx_0 = 1.0001^n
        results = []
        for version in versions:
            times = measured[version.label]
            per_node = 1e6 / (2 * steps)
            result: dict[str, Any] = {
                "contender": version.label,
                "build_us_per_node": statistics.median(b for b, _, _, _ in times) * per_node,
                "backward_us_per_node": statistics.median(p for _, p, _, _ in times) * per_node,
                "total_us_per_node": statistics.median(b + p for b, p, _, _ in times) * per_node,
                "gc_share": statistics.median(c / (b + p) for b, p, c, _ in times),
                "derivative_relative_error": max(abs(d - expected) / expected for _, _, _, d in times),
            }
            with version.active():
                result.update(chain_memory(steps, version.autograd.Value))
            results.append(result)
        entry: dict[str, Any] = {"nodes": 2 * steps, "results": results}
        # micrograd sorts its graph recursively: see where that stops working.
        if not settings.micrograd or missing("micrograd"):
            entry["micrograd"] = missing("micrograd") or "not run"
        elif micrograd_failed_at is not None:
            entry["micrograd"] = f"not run: failed at {micrograd_failed_at:,} nodes"
        else:
            entry["micrograd"] = micrograd_chain(steps)
            if entry["micrograd"].startswith("RecursionError"):
                micrograd_failed_at = 2 * steps
            gc.collect()
        sizes.append(entry)
    return {"id": "T3", "title": "deep chain x = x * 1.0001 + 0.001, build + backward", "sizes": sizes}


def micrograd_chain(steps: int) -> str:
    """The T3 chain in micrograd: us/node, or the error its recursive sort runs into."""
    from micrograd.engine import Value as MicrogradValue

    try:
        start = time.perf_counter()
        _, last = chain(steps, MicrogradValue)
        last.backward()
    except RecursionError:
        return f"RecursionError (recursion limit {sys.getrecursionlimit()})"
    return f"{(time.perf_counter() - start) / (2 * steps) * 1e6:.3f} us/node (one run)"


# ---------------------------------------------------------------------------
# INF: inference
# ---------------------------------------------------------------------------
def check_no_grad_forward(version: Glassgrad, forward: Callable[[list[float]], Any], x: list[float]) -> list[float]:
    """The outputs of ``forward(x)`` under ``no_grad``, checked to be nodes of no graph (``parents == ()``)."""
    with version.autograd.no_grad():
        out = forward(x)
    outputs = out if isinstance(out, list) else [out]
    for index, value in enumerate(outputs):
        if value.parents != ():
            raise AssertionError(f"{version.label}: output {index} under no_grad has parents {value.parents!r}")
    return [value.data for value in outputs]


def inference_row(
    weights: Weights, samples: list[Example], settings: argparse.Namespace, versions: Sequence[Glassgrad]
):
    """INF: the T1 forward pass, one sample at a time: glassgrad under no_grad against the hand-written forward.

    For each glassgrad version: ``nn.MLP`` under ``no_grad`` (NAME no_grad,
    the figure the target is about), the engine's ``relu_dots``/``dots``
    under ``no_grad``, and ``nn.MLP`` recording the graph (for information).
    Before timing, each no_grad pass's outputs on the first sample must have
    no parents and agree with the hand-written forward to
    :data:`GRADIENT_TOLERANCE`.
    """
    baseline = HandWrittenMLP(weights, "cross_entropy")
    inputs = [x for x, _ in samples]
    expected = baseline.forward(inputs[0])
    runs: dict[str, Callable[[], None] | str] = {}
    contexts: dict[str, Any] = {}
    errors: dict[str, float] = {}
    compiled_errors: dict[str, float] = {}  # the compiled forward makes no Value at all
    for version in versions:
        with version.active():
            passes = []
            if version.nn is not None:
                passes.append((version.label, GlassgradNN(weights, "cross_entropy", DIGITS_LR, version).forward))
            engine_label = version.label.replace("glassgrad", "glassgrad engine", 1)
            passes.append((engine_label, GlassgradEngine(weights, "cross_entropy", version).forward))
            for label, forward in passes:
                error = relative_error(expected, check_no_grad_forward(version, forward, inputs[0]))
                if not error <= GRADIENT_TOLERANCE:
                    raise AssertionError(f"INF: {label}'s no_grad outputs differ from the hand-written ones by {error}")
                errors[f"{label} no_grad"] = error

                def not_recording(
                    forward: Callable[[list[float]], Any] = forward, version: Glassgrad = version
                ) -> None:
                    with version.autograd.no_grad():
                        for x in inputs:
                            forward(x)

                runs[f"{label} no_grad"] = not_recording
                contexts[f"{label} no_grad"] = version.active
            if version.nn is not None:
                forward = passes[0][1]

                def recording(forward: Callable[[list[float]], Any] = forward) -> None:
                    for x in inputs:
                        forward(x)

                runs[f"{version.label} recording"] = recording
                contexts[f"{version.label} recording"] = version.active
            if compiles(version):
                predict = version.nn.compile(GlassgradNN(weights, "cross_entropy", DIGITS_LR, version).model)
                label = version.label.replace("glassgrad", "glassgrad compiled", 1)
                error = relative_error(expected, predict([inputs[0]])[0])
                if not error <= GRADIENT_TOLERANCE:
                    raise AssertionError(f"INF: {label}'s outputs differ from the hand-written ones by {error}")
                compiled_errors[label] = error

                def compiled(predict: Callable[[list], Any] = predict) -> None:
                    predict(inputs)  # every sample in one call: the weights are read once per call

                runs[label] = compiled
                contexts[label] = version.active

    def hand_written() -> None:
        for x in inputs:
            baseline.forward(x)

    runs["baseline"] = hand_written
    if settings.torch:
        runs["pytorch no_grad"] = missing("torch") or _torch_inference(weights, inputs)
    timed = {
        name: Timed(run, run, settings.repeats, contexts.get(name, contextlib.nullcontext))
        for name, run in runs.items()
        if not isinstance(run, str)
    }
    measured = interleaved_times(timed, settings.warmup)
    per = 1e6 / len(inputs)
    results = []
    for name, run in runs.items():
        if isinstance(run, str):
            results.append(skipped(name, run))
            continue
        result = {"contender": name, "status": "ok", **timing_summary(measured[name], per)}
        if name in errors:
            result["output_error"] = errors[name]
            result["no_parents"] = True
        elif name in compiled_errors:
            result["output_error"] = compiled_errors[name]
        results.append(result)
    return {
        "id": "INF",
        "title": "T1 forward pass (64 -> 32 -> 10), one sample at a time",
        "unit": "us/sample",
        "results": results,
    }


def _torch_inference(weights: Weights, inputs: list[list[float]]) -> Callable[[], None]:
    """PyTorch's forward pass, one sample at a time, under ``torch.no_grad()``."""
    import torch

    network = TorchMLP(weights, "cross_entropy", DIGITS_LR)

    def run() -> None:
        with torch.no_grad():
            for x in inputs:
                network.forward(x)

    return run


# ---------------------------------------------------------------------------
# All rows
# ---------------------------------------------------------------------------
def run_rows(settings: argparse.Namespace, versions: Sequence[Glassgrad]) -> tuple[dict[str, dict[str, Any]], str]:
    """Run the rows named in ``settings.rows``; return them by id, and where the digits came from."""
    wanted = set(settings.rows.split(","))
    digits, digits_source = digits_data(settings.samples, settings.seed)
    moons = moons_data(settings.batch * settings.steps, settings.seed)
    moons_batches = [moons[i : i + settings.batch] for i in range(0, len(moons), settings.batch)]
    digits_weights = initial_weights(DIGITS_SIZES, settings.seed)
    moons_weights = initial_weights(MOONS_SIZES, settings.seed + 1)
    per_sample = 1e6 / len(digits)
    per_step = 1e3 / len(moons_batches)
    use = {"micrograd": settings.micrograd, "torch": settings.torch}
    rows: dict[str, dict[str, Any]] = {}
    if "T1" in wanted:
        rows["T1"] = network_row(
            "T1",
            "digits step 64 -> 32 -> 10, softmax cross-entropy",
            "us/sample",
            network_contenders(digits_weights, "cross_entropy", DIGITS_LR, versions, compiled=("step", "fit"), **use),
            [[example] for example in digits],
            DIGITS_LR,
            per_sample,
            settings,
        )
        rows["T1"]["compile"] = compile_times(
            digits_weights, "cross_entropy", [digits[0]], DIGITS_LR, 0.0, versions, COMPILE_REPEATS
        )
    if "T1h" in wanted:
        rows["T1h"] = network_row(
            "T1h",
            "digits step 64 -> 32 -> 10, multiclass hinge loss",
            "us/sample",
            network_contenders(digits_weights, "multiclass_hinge", DIGITS_LR, versions, **use),
            [[example] for example in digits],
            DIGITS_LR,
            per_sample,
            settings,
            slow=("micrograd",),
        )
    if "T2" in wanted:
        rows["T2"] = network_row(
            "T2",
            f"moons step 2 -> 16 -> 16 -> 1, hinge loss, batch of {settings.batch}",
            "ms/step",
            network_contenders(moons_weights, "hinge", MOONS_LR, versions, micrograd=False, torch=settings.torch),
            moons_batches,
            MOONS_LR,
            per_step,
            settings,
        )
    if "T2r" in wanted:
        rows["T2r"] = network_row(
            "T2r",
            f"moons step with micrograd's L2 term (alpha {MOONS_L2:g}), batch of {settings.batch}",
            "ms/step",
            network_contenders(
                moons_weights,
                "hinge",
                MOONS_LR,
                versions,
                micrograd=False,
                torch=False,
                compiled=("step",),
                l2=MOONS_L2,
                engine=False,
            ),
            moons_batches,
            MOONS_LR,
            per_step,
            settings,
        )
        rows["T2r"]["compile"] = compile_times(
            moons_weights, "hinge", moons_batches[0], MOONS_LR, MOONS_L2, versions, COMPILE_REPEATS
        )
    if "T3" in wanted:
        rows["T3"] = chain_row(settings, versions)
    if "T4" in wanted:
        rows["T4"] = network_row(
            "T4",
            f"moons step from scalar ops only (micrograd-style code), batch of {settings.batch}",
            "ms/step",
            scalar_op_contenders(moons_weights, versions, micrograd=settings.micrograd),
            moons_batches,
            MOONS_LR,
            per_step,
            settings,
            slow=("micrograd",),
        )
    if "INF" in wanted:
        rows["INF"] = inference_row(digits_weights, digits, settings, versions)
    return rows, digits_source

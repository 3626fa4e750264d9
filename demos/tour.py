"""A tour of glassgrad in one run: watch backprop on one neuron, then train a digit recognizer.

1. The textbook neuron (inputs [1, 2, 3, 2.5], weights [0.2, 0.8, -0.5, 1.0],
   bias 2.0) with a relu, scored against a target with a squared error. Its
   backward pass is explained step by step: each line is one use of the chain
   rule, parent.grad += local derivative * upstream grad, with the numbers.
2. Its computation graph, drawn with Graphviz (SVG), and an HTML page that
   steps through the backward pass in a browser.
3. One gradient-descent step on that neuron: the loss goes down.
4. An MLP (64 -> 64 -> 10, softmax cross-entropy) trained on scikit-learn's
   8x8 handwritten digits, with a progress bar; its test accuracy, its saved
   model and two pictures.

    python demos/tour.py                   # about a minute; everything goes to ./glassgrad-out
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import _common
import digits
import neuron

from autograd import Value

TARGET = 4.0
LEARNING_RATE = 0.01


def build_neuron() -> tuple[Value, list[Value], list[Value], Value]:
    """loss = (relu(w . x + b) - 4)^2 on the textbook neuron; returns loss, inputs, weights, bias."""
    pre_activation, inputs, weights, bias = neuron.one_neuron()
    pre_activation.label = "w.x+b"
    output = pre_activation.relu()
    output.label = "out"
    error = output - TARGET
    error.label = "error"
    loss = error**2
    loss.label = "loss"
    return loss, inputs, weights, bias


def explain_neuron(folder: Path) -> list[tuple[Path, str]]:
    """Part 1-3: explain, draw, step; returns the files written."""
    from autograd.explain import explain

    written: list[tuple[Path, str]] = []
    loss, inputs, weights, bias = build_neuron()
    print(f"== 1. A neuron: out = relu(w . x + b), loss = (out - {TARGET:g})^2 ==")
    print(
        f"x = {_common.format_vector([x.data for x in inputs])}, w = {_common.format_vector([w.data for w in weights])}"
        f", b = {bias.data:g}\n"
    )
    steps = explain(loss, parameters=[*weights, bias], inputs=inputs)  # shows the steps, changes no grad
    loss.backward()  # the same pass, for real: the grads the step below uses
    print(f"\n{len(steps)} chain-rule steps. d loss/d w_i = 2 (out - {TARGET:g}) * x_i: the inputs, scaled.")

    print("\n== 2. Its graph ==")
    path, note = _common.draw_graph(loss, folder, "tour-neuron", parameters=[*weights, bias], inputs=inputs)
    if path is None:
        print(note)
    else:
        written.append((path, note))
        print(f"{path}: {note}")
    html = step_through(folder)
    if html is not None:
        written.append(html)
        print(f"{html[0]}: {html[1]}")

    print(f"\n== 3. One gradient-descent step, lr {LEARNING_RATE:g}: p = p - lr * p.grad ==")
    before = loss.data
    for parameter in (*weights, bias):
        parameter.data -= LEARNING_RATE * parameter.grad
    after = build_loss_from(inputs, weights, bias)
    print(f"w = {_common.format_vector([w.data for w in weights])}, b = {bias.data:.4f}")
    print(f"loss {before:.4f} -> {after:.4f}")
    return written


def build_loss_from(inputs: Sequence[Value], weights: Sequence[Value], bias: Value) -> float:
    """The same loss, recomputed with the current parameter values."""
    from autograd import dot

    return ((dot(weights, inputs, bias).relu() - TARGET) ** 2).data


def step_through(folder: Path) -> tuple[Path, str] | None:
    """The backward pass as a self-contained HTML page (needs Graphviz's dot); None where dot is missing."""
    try:
        import graphviz

        from autograd.explain import save_html
    except ImportError:
        return None
    loss, inputs, weights, bias = build_neuron()
    try:
        path = save_html(loss, folder / "tour-neuron-steps.html", parameters=[*weights, bias], inputs=inputs)
    except graphviz.ExecutableNotFound:
        print("(no HTML step-through: it needs Graphviz's `dot` program, e.g. apt-get install graphviz)")
        return None
    return Path(path), "the backward pass step by step in a browser: Next, Previous, Play"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    digits.add_training_flags(parser)
    args = parser.parse_args(argv)
    if args.samples is not None and args.samples < 5:
        parser.error("--samples needs at least 5 images (a training and a test set)")
    folder = _common.output_folder(args.out)
    started = time.perf_counter()

    written = explain_neuron(folder)

    print("\n== 4. Handwritten digits: MLP 64 -> hidden -> 10, softmax cross-entropy, Adam ==")
    run = digits.train_and_report(args, folder, folder / digits.MODEL_FILE, verbose=False)
    written.extend(run.outputs)

    print(f"\n== Where everything went (tour took {time.perf_counter() - started:.0f} s) ==")
    for path, what in written:
        _common.wrote(path, what)
    print("next: python demos/activations.py, demos/xor.py, demos/moons.py; each has --help")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The seed's worked examples with Values: one neuron, a layer, a batch, two layers.

Every number is a Value built with ``autograd.dot`` (one node for w . x + b),
so each result remembers how it was computed; the demo ends by drawing one
neuron's computation graph after a backward pass.

    python demos/neuron.py                 # prints the numbers, writes glassgrad-out/neuron.svg
"""

from __future__ import annotations

from collections.abc import Sequence

import _common

from autograd import Value, dot

INPUTS = [1.0, 2.0, 3.0, 2.5]
WEIGHTS = [0.2, 0.8, -0.5, 1.0]
BIAS = 2.0

LAYER_WEIGHTS = [
    [0.2, 0.8, -0.5, 1.0],
    [0.5, -0.91, 0.26, -0.5],
    [-0.26, -0.27, 0.17, 0.87],
]
LAYER_BIASES = [2.0, 3.0, 0.5]

BATCH = [
    [1.0, 2.0, 3.0, 2.5],
    [2.0, 5.0, -1.0, 2.0],
    [-1.5, 2.7, 3.3, -0.8],
]

SECOND_LAYER_WEIGHTS = [
    [0.1, -0.14, 0.5],
    [-0.5, 0.12, -0.33],
    [-0.44, 0.73, -0.13],
]
SECOND_LAYER_BIASES = [-1.0, 2.0, -0.5]

#: What the seed prints for the layer of three. Its third number is not what
#: these weights give (2.385); it is what they give with -0.27 read as +0.27.
SEED_LAYER_OUTPUT = [4.8, 1.21, 3.465]


def parameters(rows: Sequence[Sequence[float]], biases: Sequence[float], name: str) -> tuple[list, list]:
    """Weights and biases as labelled leaf Values (``w1[0][2]``, ``b1[0]``)."""
    weights = [[Value(w, label=f"{name}w[{i}][{j}]") for j, w in enumerate(row)] for i, row in enumerate(rows)]
    bias_values = [Value(b, label=f"{name}b[{i}]") for i, b in enumerate(biases)]
    return weights, bias_values


def layer(weights: Sequence[Sequence[Value]], biases: Sequence[Value], inputs: Sequence) -> list[Value]:
    """One output per neuron: dot(w_i, x, b_i)."""
    return [dot(w, inputs, b) for w, b in zip(weights, biases)]


def one_neuron() -> tuple[Value, list[Value], list[Value], Value]:
    """The seed's neuron: inputs [1, 2, 3, 2.5], weights [0.2, 0.8, -0.5, 1.0], bias 2 -> 4.8."""
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(INPUTS)]
    ws = [Value(w, label=f"w{i}") for i, w in enumerate(WEIGHTS)]
    b = Value(BIAS, label="b")
    out = dot(ws, xs, b)
    out.label = "out"
    return out, xs, ws, b


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    folder = _common.output_folder(args.out)

    print("1. One neuron: out = w . x + b")
    out, xs, ws, b = one_neuron()
    print(f"   x = {_common.format_vector(INPUTS)}, w = {_common.format_vector(WEIGHTS)}, b = {BIAS:g}")
    print(f"   out = {out.data:.4f}")

    print("\n2. A layer of three neurons (same inputs)")
    w1, b1 = parameters(LAYER_WEIGHTS, LAYER_BIASES, "1")
    layer_out = layer(w1, b1, INPUTS)
    print(f"   out = {_common.format_vector([v.data for v in layer_out])}")
    if abs(layer_out[2].data - SEED_LAYER_OUTPUT[2]) > 1e-9:
        typo = [row[:] for row in LAYER_WEIGHTS]
        typo[2][1] = -typo[2][1]
        with_typo = sum(w * x for w, x in zip(typo[2], INPUTS)) + LAYER_BIASES[2]
        print(
            f"   note: the seed prints {_common.format_vector(SEED_LAYER_OUTPUT)}; its third number is "
            f"{with_typo:.4f} only if w[2][1] is +0.27 instead of -0.27"
        )

    print("\n3. A batch of three samples through that layer (one row per sample)")
    batch_out = [layer(w1, b1, sample) for sample in BATCH]
    for sample, row in zip(BATCH, batch_out):
        print(f"   x = {_common.format_vector(sample):<26} -> {_common.format_vector([v.data for v in row])}")

    print("\n4. Two layers: the batch's outputs through a second layer of three")
    w2, b2 = parameters(SECOND_LAYER_WEIGHTS, SECOND_LAYER_BIASES, "2")
    second_out = [layer(w2, b2, row) for row in batch_out]
    for row in second_out:
        print(f"   -> {_common.format_vector([v.data for v in row], digits=5)}")

    # Backprop through the two-layer batch: every weight learns how it moves the sum of outputs.
    total = sum(v for row in second_out for v in row)
    total.backward()
    print(f"   d(sum of all outputs)/d(1w[0][0]) = {w1[0][0].grad:.4f}, d/d(2b[1]) = {b2[1].grad:.4f}")

    print("\n5. The neuron's graph after out.backward()")
    out.backward()
    print(f"   d out/dw = {_common.format_vector([w.grad for w in ws])} (= the inputs)")
    print(f"   d out/dx = {_common.format_vector([x.grad for x in xs])} (= the weights), d out/db = {b.grad:g}")
    path, note = _common.draw_graph(out, folder, "neuron", parameters=[*ws, b], inputs=xs)
    if path is None:
        print(f"   {note}")
    else:
        _common.wrote(path, note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

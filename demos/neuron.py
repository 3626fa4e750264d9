"""The textbook's worked examples with Values: one neuron, a layer, a batch, two layers.

The classic "neurons and layers" text of neural-networks-from-scratch
courses prints these numbers, and this demo reproduces every one of them
with the text's own weights and conventions:

- one neuron: inputs [1, 2, 3, 2.5], weights [0.2, 0.8, -0.5, 1.0], bias 2 -> 4.8;
- a layer of three: its third neuron's weights are [-0.26, 0.27, 0.17, 0.87]
  in the layer example -> [4.8, 1.21, 3.465];
- a batch of three samples: in the batch examples the text writes that
  weight as -0.27 -> [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]].
  Both are the text's numbers; the two examples just use different weights;
- two layers: the text stores the second layer's weights as one *column*
  per neuron (row i = the weights leaving input i: ``np.dot(layer1_outputs,
  weights2)``), so output j is sum_i h[i] * weights2[i][j] + biases2[j] ->
  [[-2.1744, 3.21425, 1.19065], [0.707, 0.6828, 4.5213], [-1.39594, 1.9477, -0.14521]].

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

#: The layer example's weights, one row per neuron (its third row has +0.27).
LAYER_WEIGHTS = [
    [0.2, 0.8, -0.5, 1.0],
    [0.5, -0.91, 0.26, -0.5],
    [-0.26, 0.27, 0.17, 0.87],
]
LAYER_BIASES = [2.0, 3.0, 0.5]
#: What the text prints for the layer example.
TEXTBOOK_LAYER_OUTPUT = [4.8, 1.21, 3.465]

BATCH = [
    [1.0, 2.0, 3.0, 2.5],
    [2.0, 5.0, -1.0, 2.0],
    [-1.5, 2.7, 3.3, -0.8],
]
#: The batch examples' first layer: the same rows, but the third has -0.27.
BATCH_LAYER_WEIGHTS = [
    [0.2, 0.8, -0.5, 1.0],
    [0.5, -0.91, 0.26, -0.5],
    [-0.26, -0.27, 0.17, 0.87],
]
#: What the text prints for the batch.
TEXTBOOK_BATCH_OUTPUT = [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]

#: The second layer's weights as the text writes them: row i holds the weights leaving input i,
#: so neuron j's weights are column j.
SECOND_LAYER_WEIGHTS = [
    [0.1, -0.14, 0.5],
    [-0.5, 0.12, -0.33],
    [-0.44, 0.73, -0.13],
]
SECOND_LAYER_BIASES = [-1.0, 2.0, -0.5]
#: What the text prints for the two layers.
TEXTBOOK_TWO_LAYER_OUTPUT = [
    [-2.1744, 3.21425, 1.19065],
    [0.707, 0.6828, 4.5213],
    [-1.39594, 1.9477, -0.14521],
]


def columns(rows: Sequence[Sequence[float]]) -> list[list[float]]:
    """The transpose: ``columns(weights2)[j]`` is neuron j's weights when the text stores one column per neuron.

    >>> columns([[1.0, 2.0], [3.0, 4.0]])
    [[1.0, 3.0], [2.0, 4.0]]
    """
    return [list(column) for column in zip(*rows)]


def parameters(rows: Sequence[Sequence[float]], biases: Sequence[float], name: str) -> tuple[list, list]:
    """Weights and biases as labelled leaf Values (``w1[0][2]``, ``b1[0]``)."""
    weights = [[Value(w, label=f"{name}w[{i}][{j}]") for j, w in enumerate(row)] for i, row in enumerate(rows)]
    bias_values = [Value(b, label=f"{name}b[{i}]") for i, b in enumerate(biases)]
    return weights, bias_values


def layer(weights: Sequence[Sequence[Value]], biases: Sequence[Value], inputs: Sequence) -> list[Value]:
    """One output per neuron: dot(w_i, x, b_i)."""
    return [dot(w, inputs, b) for w, b in zip(weights, biases)]


def one_neuron() -> tuple[Value, list[Value], list[Value], Value]:
    """The textbook's neuron: inputs [1, 2, 3, 2.5], weights [0.2, 0.8, -0.5, 1.0], bias 2 -> 4.8."""
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

    print("\n2. A layer of three neurons (same inputs; the layer example's third row is [-0.26, 0.27, 0.17, 0.87])")
    w1, b1 = parameters(LAYER_WEIGHTS, LAYER_BIASES, "1")
    layer_out = layer(w1, b1, INPUTS)
    print(f"   out = {_common.format_vector([v.data for v in layer_out])}")

    print("\n3. A batch of three samples (one row per sample; the batch examples' third row has -0.27)")
    wb, bb = parameters(BATCH_LAYER_WEIGHTS, LAYER_BIASES, "1")
    batch_out = [layer(wb, bb, sample) for sample in BATCH]
    for sample, row in zip(BATCH, batch_out):
        print(f"   x = {_common.format_vector(sample):<26} -> {_common.format_vector([v.data for v in row])}")

    print("\n4. Two layers: the batch's outputs through a second layer of three")
    print("   (the text gives weights2 with one column per neuron: out_j = sum_i h_i * weights2[i][j] + b_j)")
    w2, b2 = parameters(columns(SECOND_LAYER_WEIGHTS), SECOND_LAYER_BIASES, "2")
    second_out = [layer(w2, b2, row) for row in batch_out]
    for row in second_out:
        print(f"   -> {_common.format_vector([v.data for v in row], digits=5)}")

    # Backprop through the two-layer batch: every weight learns how it moves the sum of outputs.
    total = sum(v for row in second_out for v in row)
    total.backward()
    print(f"   d(sum of all outputs)/d(1w[0][0]) = {wb[0][0].grad:.4f}, d/d(2b[1]) = {b2[1].grad:.4f}")

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

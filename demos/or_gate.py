"""The seed's single sigmoid neuron learning OR, with autograd alone.

p = sigmoid(w1 x1 + w2 x2 + b), starting from w = [0.1, 0.2], b = 0.3, trained
for 1000 epochs of per-sample SGD (one update per example) with lr 0.05.

The loss is binary cross-entropy by default, computed from the logit z as
softplus(z) - y z (the same number as -[y ln p + (1 - y) ln(1 - p)], but it
never takes the log of 0; its derivative is p - y). ``--loss mse`` uses the
squared error (p - y)^2 instead: it learns OR too, but more slowly, because
its gradient 2 (p - y) p (1 - p) fades as p nears 0 or 1. The demo prints the
other loss's result as well, so the two can be compared.

    python demos/or_gate.py                # writes glassgrad-out/or_gate.png
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import _common

from autograd import Value, dot

OR_TABLE = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 1.0)]
START_WEIGHTS = (0.1, 0.2)
START_BIAS = 0.3
LEARNING_RATE = 0.05
EPOCHS = 1000
#: The inputs the seed asks about, in its order.
QUERIES = [(1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]


def loss_of(logit: Value, target: float, loss: str) -> Value:
    """Binary cross-entropy from the logit, or the squared error of the probability."""
    if loss == "bce":
        return logit.softplus() - target * logit
    if loss == "mse":
        return (logit.sigmoid() - target) ** 2
    raise ValueError(f"or_gate loss must be 'bce' or 'mse', got {loss!r}")


def train(loss: str, epochs: int, learning_rate: float = LEARNING_RATE) -> tuple[list[Value], Value, list[float]]:
    """Per-sample SGD from the seed's start; returns weights, bias and the mean loss of each epoch."""
    weights = [Value(w, label=f"w{i + 1}") for i, w in enumerate(START_WEIGHTS)]
    bias = Value(START_BIAS, label="b")
    history = []
    for _ in range(epochs):
        total = 0.0
        for inputs, target in OR_TABLE:
            sample_loss = loss_of(dot(weights, inputs, bias), target, loss)
            for parameter in (*weights, bias):
                parameter.grad = 0.0
            sample_loss.backward()
            for parameter in (*weights, bias):
                parameter.data -= learning_rate * parameter.grad
            total += sample_loss.data
        history.append(total / len(OR_TABLE))
    return weights, bias, history


def predict(weights: Sequence[Value], bias: Value, inputs: Sequence[float]) -> float:
    """sigmoid(w . x + b) as a float."""
    return dot([w.data for w in weights], inputs, bias.data).sigmoid().data


def plot(histories: dict[str, list[float]], path: Path) -> Path:
    plt = _common.pyplot()
    figure, ax = plt.subplots(figsize=(6, 3.6))
    for loss, history in histories.items():
        ax.plot(range(1, len(history) + 1), history, label=f"{loss.upper()} (mean over the 4 rows)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title("One sigmoid neuron learning OR (lr 0.05, per-sample SGD)")
    ax.legend()
    return _common.save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    parser.add_argument("--loss", choices=("bce", "mse"), default="bce", help="binary cross-entropy or squared error")
    parser.add_argument("--epochs", type=_common.positive_int, default=EPOCHS, help="passes over the 4 rows")
    args = parser.parse_args(argv)  # --seed is accepted for uniformity: nothing here is random
    folder = _common.output_folder(args.out)

    other = "mse" if args.loss == "bce" else "bce"
    histories = {}
    results = {}
    for loss in (args.loss, other):
        weights, bias, histories[loss] = train(loss, args.epochs)
        results[loss] = (weights, bias)

    weights, bias = results[args.loss]
    print(f"loss: {args.loss.upper()}, {args.epochs} epochs of per-sample SGD, lr {LEARNING_RATE}")
    print(f"start: w = {_common.format_vector(START_WEIGHTS)}, b = {START_BIAS}")
    print(f"learned: w = {_common.format_vector([w.data for w in weights])}, b = {bias.data:.4f}")
    print(f"final loss: {histories[args.loss][-1]:.4f}")
    for inputs in QUERIES:
        p = predict(weights, bias, inputs)
        print(f"OR{(int(inputs[0]), int(inputs[1]))} -> {p:.4f}  (rounds to {round(p)})")
    other_weights, other_bias = results[other]
    other_predictions = ", ".join(f"{predict(other_weights, other_bias, q):.4f}" for q in QUERIES)
    print(f"for comparison, {other.upper()} from the same start gives {other_predictions} for the same three inputs")
    _common.wrote(plot(histories, folder / "or_gate.png"), "loss per epoch, both losses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

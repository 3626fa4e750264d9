"""The textbook's single sigmoid neuron learning OR, with autograd alone.

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
from dataclasses import dataclass, field
from pathlib import Path

import _common

from autograd import Value, dot

OR_TABLE = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 1.0)]
START_WEIGHTS = (0.1, 0.2)
START_BIAS = 0.3
LEARNING_RATE = 0.05
EPOCHS = 1000
#: The inputs the textbook asks about, in its order.
QUERIES = [(1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]


def loss_of(logit: Value, target: float, loss: str) -> Value:
    """Binary cross-entropy from the logit, or the squared error of the probability."""
    if loss == "bce":
        return logit.softplus() - target * logit
    if loss == "mse":
        return (logit.sigmoid() - target) ** 2
    raise ValueError(f"or_gate loss must be 'bce' or 'mse', got {loss!r}")


@dataclass
class Training:
    """The learned parameters, the mean loss of each epoch, and each query's prediction after each epoch."""

    weights: list[Value]
    bias: Value
    losses: list[float] = field(default_factory=list)
    predictions: dict[tuple[float, float], list[float]] = field(default_factory=dict)


def train(loss: str, epochs: int, learning_rate: float = LEARNING_RATE) -> Training:
    """Per-sample SGD from the textbook's start."""
    weights = [Value(w, label=f"w{i + 1}") for i, w in enumerate(START_WEIGHTS)]
    bias = Value(START_BIAS, label="b")
    run = Training(weights, bias, predictions={query: [] for query in QUERIES})
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
        run.losses.append(total / len(OR_TABLE))
        for query, trace in run.predictions.items():
            trace.append(predict(weights, bias, query))
    return run


def predict(weights: Sequence[Value], bias: Value, inputs: Sequence[float]) -> float:
    """sigmoid(w . x + b) as a float."""
    return dot([w.data for w in weights], inputs, bias.data).sigmoid().data


def plot(runs: dict[str, Training], path: Path) -> Path:
    """Left: each loss per epoch. Right: the predictions for the textbook's three inputs, both losses."""
    plt = _common.pyplot()
    figure, (loss_axes, prediction_axes) = plt.subplots(1, 2, figsize=(10, 3.6))
    styles = {"bce": "-", "mse": "--"}
    for loss, run in runs.items():
        epochs = range(1, len(run.losses) + 1)
        loss_axes.plot(epochs, run.losses, styles[loss], label=f"{loss.upper()} (mean over the 4 rows)")
        for (query, trace), color in zip(run.predictions.items(), ("tab:blue", "tab:green", "tab:red")):
            name = f"OR({int(query[0])},{int(query[1])}), {loss.upper()}"
            prediction_axes.plot(epochs, trace, styles[loss], color=color, label=name)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("loss (BCE and MSE are on different scales)", fontsize=10)
    loss_axes.legend(fontsize=8)
    prediction_axes.set_xlabel("epoch")
    prediction_axes.set_ylabel("sigmoid(w . x + b)")
    prediction_axes.set_ylim(0.0, 1.0)
    prediction_axes.set_title("predictions: OR(1,0) and OR(1,1) go to 1, OR(0,0) to 0", fontsize=10)
    prediction_axes.legend(fontsize=7, ncol=2)
    figure.suptitle("One sigmoid neuron learning OR (start w = [0.1, 0.2], b = 0.3, lr 0.05, per-sample SGD)")
    figure.tight_layout()
    return _common.save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    parser.add_argument("--loss", choices=("bce", "mse"), default="bce", help="binary cross-entropy or squared error")
    parser.add_argument("--epochs", type=_common.positive_int, default=EPOCHS, help="passes over the 4 rows")
    args = parser.parse_args(argv)  # --seed is accepted for uniformity: nothing here is random
    folder = _common.output_folder(args.out)

    other = "mse" if args.loss == "bce" else "bce"
    runs = {loss: train(loss, args.epochs) for loss in (args.loss, other)}

    chosen = runs[args.loss]
    print(f"loss: {args.loss.upper()}, {args.epochs} epochs of per-sample SGD, lr {LEARNING_RATE}")
    print(f"start: w = {_common.format_vector(START_WEIGHTS)}, b = {START_BIAS}")
    print(f"learned: w = {_common.format_vector([w.data for w in chosen.weights])}, b = {chosen.bias.data:.4f}")
    print(f"final loss: {chosen.losses[-1]:.4f}")
    for query in QUERIES:
        p = chosen.predictions[query][-1]
        print(f"OR{(int(query[0]), int(query[1]))} -> {p:.4f}  (rounds to {round(p)})")
    other_predictions = ", ".join(f"{runs[other].predictions[q][-1]:.4f}" for q in QUERIES)
    print(f"for comparison, {other.upper()} from the same start gives {other_predictions} for the same three inputs")
    _common.wrote(plot(runs, folder / "or_gate.png"), "loss and predictions per epoch, both losses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

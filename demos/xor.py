"""XOR: the textbook's network that stays stuck at loss 0.25, next to one that learns it.

Both are 2-4-1 MLPs trained with full-batch SGD on the four XOR rows for the
same number of steps, with the mean squared error.

- The textbook's network: sigmoid everywhere, no biases, weights drawn from
  N(0, 1) * 0.01, lr 0.1. Every output starts at sigmoid(~0) = 0.5, the best
  constant answer, whose MSE on XOR is exactly 0.25. There the gradient
  nearly vanishes: the four rows' pulls cancel (two targets are 0, two are 1),
  and the first layer's gradient is scaled by second-layer weights of about
  0.01. Gradient descent sits on that plateau for all 1000 steps.
- The one that learns: tanh hidden units, biases, weights drawn from
  uniform(-1, 1), lr 0.5 (sigmoid output and MSE kept). The demo also prints
  what each change alone does.

Before training, ``nn.diagnose`` looks at both nets and says why the first
is stuck (vanishing gradients: the first layer's step is ~1e-5 of its
weights, the gradient shrinks ~400x on its way back through weights of size
0.01, every sigmoid sits at its midpoint and the output is the best constant
answer); the two diagnoses are printed side by side, then for each change
alone what it does to the numbers.

    python demos/xor.py                    # writes glassgrad-out/xor.png
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import _common

import nn
from nn import data


def textbook_init(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """The textbook's initial weights: N(0, 1) * 0.01."""
    return rng.gauss(0.0, 1.0) * 0.01


@dataclass(frozen=True)
class Setup:
    """One way to build and train the 2-4-1 network."""

    title: str
    hidden_activation: str
    bias: bool
    init: str  # "textbook" for N(0, 1) * 0.01, else an nn initializer name
    lr: float

    def describe(self) -> str:
        init = "N(0,1)*0.01" if self.init == "textbook" else f"{self.init}(-1,1)"
        biases = "biases" if self.bias else "no biases"
        return f"{self.hidden_activation} hidden, {biases}, init {init}, lr {self.lr:g}"


TEXTBOOK_SETUP = Setup("textbook (stuck)", "sigmoid", False, "textbook", 0.1)
WORKING_SETUP = Setup("learns", "tanh", True, "uniform", 0.5)
#: One change at a time away from the textbook's setup, and all of them minus one.
ABLATIONS = [
    Setup("textbook + biases", "sigmoid", True, "textbook", 0.1),
    Setup("textbook + uniform init", "sigmoid", False, "uniform", 0.1),
    Setup("textbook + lr 0.5", "sigmoid", False, "textbook", 0.5),
    Setup("textbook + tanh hidden", "tanh", False, "textbook", 0.1),
    Setup("learns, but sigmoid hidden", "sigmoid", True, "uniform", 0.5),
    Setup("learns, but no biases", "tanh", False, "uniform", 0.5),
]


def train(setup: Setup, steps: int, seed: int) -> tuple[nn.MLP, list[float]]:
    """Build the 2-4-1 MLP for ``setup`` and run ``steps`` full-batch SGD steps; returns it and its losses."""
    model = build(setup, seed)
    optimizer = nn.SGD(model.parameters(), lr=setup.lr)
    rows = data.xor()
    history = nn.fit(
        model,
        nn.mse_loss,
        rows,
        optimizer=optimizer,
        epochs=steps,
        batch_size=len(rows),
        shuffle=False,
        accuracy=None,
        progress=False,
    )
    return model, [record["loss"] for record in history]


def build(setup: Setup, seed: int) -> nn.MLP:
    """The untrained 2-4-1 MLP of ``setup``."""
    return nn.MLP(
        2,
        [4, 1],
        activation=setup.hidden_activation,
        output_activation="sigmoid",
        bias=setup.bias,
        init=textbook_init if setup.init == "textbook" else setup.init,
        rng=seed,
    )


def diagnosis(setup: Setup, seed: int) -> nn.Diagnosis:
    """``nn.diagnose`` of the untrained net of ``setup`` on XOR, for its learning rate."""
    return nn.diagnose(build(setup, seed), data.xor(), loss=nn.mse_loss, lr=setup.lr)


def key_numbers(report: nn.Diagnosis) -> dict[str, str]:
    """The numbers that tell a stuck net from a learning one, formatted."""
    first, last = report.layers[0], report.layers[-1]
    shrink = first.grad_to_weight / last.grad_to_weight if last.grad_to_weight else float("nan")
    return {
        "loss": f"{report.loss:.4f}",
        "output spread over the 4 rows": f"{report.output_spread:.2g}",
        "layers.0 update/weight (one step)": f"{first.update_to_weight:.2g}",
        "layers.0 grad/weight vs layers.1": f"{shrink:.2g}",
        "layers.0 mean activation slope": "-" if first.mean_slope is None else f"{first.mean_slope:.2g}",
        "layers.1 mean |w|": f"{last.mean_abs_weight:.2g}",
        "findings": ", ".join(f"{f.kind} ({f.layer})" for f in report.findings) or "none",
    }


def print_side_by_side(left: nn.Diagnosis, right: nn.Diagnosis, titles: tuple[str, str]) -> None:
    numbers = key_numbers(left), key_numbers(right)
    print(f"\n{'diagnosis before training':<36} {titles[0]:<32} {titles[1]}")
    for key in numbers[0]:
        print(f"  {key:<34} {numbers[0][key]:<32} {numbers[1][key]}")
    for title, report in zip(titles, (left, right)):
        print(f"\nfindings, {title}:")
        for finding in report.findings or ["none: the gradients flow and every neuron is alive"]:
            print(f"  - {finding}")


def plot(curves: dict[str, list[float]], path: Path) -> Path:
    plt = _common.pyplot()
    figure, ax = plt.subplots(figsize=(6.4, 3.8))
    for label, losses in curves.items():
        ax.plot(range(1, len(losses) + 1), losses, label=label, linewidth=1.8)
    ax.axhline(0.25, color="0.6", linestyle=":", linewidth=1, label="0.25: always answering 0.5")
    ax.set_xlabel("full-batch SGD step")
    ax.set_ylabel("mean squared error")
    ax.set_ylim(bottom=0.0)
    ax.set_title("XOR with a 2-4-1 MLP")
    ax.legend(fontsize=8)
    return _common.save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    parser.add_argument("--steps", type=_common.positive_int, default=1000, help="full-batch SGD steps")
    parser.add_argument("--no-ablations", action="store_true", help="skip the one-change-at-a-time table")
    args = parser.parse_args(argv)
    folder = _common.output_folder(args.out)

    curves = {}
    for setup in (TEXTBOOK_SETUP, WORKING_SETUP):
        model, losses = train(setup, args.steps, args.seed)
        curves[f"{setup.title}: {setup.describe()}"] = losses
        predictions = ", ".join(f"{model(x).data:.3f}" for x, _ in data.xor())
        print(f"{setup.title:<13} {setup.describe()}")
        print(f"{'':<13} loss {losses[0]:.6f} -> {losses[-1]:.6f} after {args.steps} steps")
        print(f"{'':<13} XOR(0,0), (0,1), (1,0), (1,1) -> {predictions}  (targets 0, 1, 1, 0)")
    print_side_by_side(diagnosis(TEXTBOOK_SETUP, args.seed), diagnosis(WORKING_SETUP, args.seed), ("stuck", "learns"))
    if not args.no_ablations:
        print(f"\none change at a time (final loss after {args.steps} steps, seed {args.seed}):")
        for setup in ABLATIONS:
            _, losses = train(setup, args.steps, args.seed)
            print(f"  {setup.title:<27} {setup.describe():<52} loss {losses[-1]:.4f}")
        print("\nwhat each change does to the diagnosis before training:")
        for setup in ABLATIONS:
            numbers = key_numbers(diagnosis(setup, args.seed))
            print(
                f"  {setup.title:<27} step/weight {numbers['layers.0 update/weight (one step)']:<8} "
                f"shrink {numbers['layers.0 grad/weight vs layers.1']:<8} "
                f"slope {numbers['layers.0 mean activation slope']:<6} findings: {numbers['findings']}"
            )
    _common.wrote(plot(curves, folder / "xor.png"), "loss curves, stuck and learning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Every activation in glassgrad's op table and its derivative, as backprop computes it.

For each activation f and each x on a grid, the demo builds y = f(x) from a
fresh Value, calls ``y.backward()`` and reads ``x.grad``: the derivative curve
in the picture is what the engine's chain rule gives, not a formula typed in
here. Each panel's title carries the derivative formula from the op table.

    python demos/activations.py            # writes glassgrad-out/activations.png
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import _common

from autograd import OPS, Value
from autograd.ops import UnaryOp

#: Unary ops in the table that are elementary functions, not activations.
ELEMENTARY_FUNCTIONS = frozenset({"neg", "abs", "exp", "log", "sqrt", "sin", "cos", "erf"})

#: How to call the activations that take parameters or have a mode; the rest are ``OPS[name](x)``.
CALLS: dict[str, tuple[str, Callable[[Value], Value]]] = {
    "linear": ("linear (c = 1)", lambda x: x.linear(1.0)),
    "leaky_relu": ("leaky_relu (slope 0.01)", lambda x: x.leaky_relu(0.01)),
    "rrelu": ("rrelu (eval: slope (1/8 + 1/3)/2)", lambda x: x.rrelu(training=False)),
    "gelu": ("gelu (exact, erf)", lambda x: x.gelu("none")),
    "gelu_tanh": ("gelu (tanh approximation)", lambda x: x.gelu("tanh")),
    "elu": ("elu (alpha 1)", lambda x: x.elu(1.0)),
}


def activation_names() -> list[str]:
    """The activations in the op table, in the order they are registered."""
    return [name for name, op in OPS.items() if isinstance(op, UnaryOp) and name not in ELEMENTARY_FUNCTIONS]


def activation(name: str) -> tuple[str, Callable[[Value], Value]]:
    """(title, function on a Value) for the op called ``name``."""
    if name in CALLS:
        return CALLS[name]
    op = OPS[name]
    return name, lambda x: op(x)


def value_and_derivative(function: Callable[[Value], Value], x: float) -> tuple[float, float]:
    """f(x) and df/dx at one point, the derivative read from ``x.grad`` after ``backward()``."""
    leaf = Value(x)
    y = function(leaf)
    y.backward()
    return y.data, leaf.grad


def grid(low: float, high: float, points: int) -> list[float]:
    """``points`` evenly spaced numbers from low to high, both included."""
    if points == 1:
        return [low]
    step = (high - low) / (points - 1)
    return [low + i * step for i in range(points)]


def curves(names: Sequence[str], xs: Sequence[float]) -> dict[str, tuple[list[float], list[float]]]:
    """For each activation: its values and its backprop derivatives on ``xs``."""
    result = {}
    for name in names:
        _, function = activation(name)
        pairs = [value_and_derivative(function, x) for x in xs]
        result[name] = ([y for y, _ in pairs], [d for _, d in pairs])
    return result


def plot(names: Sequence[str], xs: Sequence[float], data: dict, path: Path) -> Path:
    """A grid of panels, one per activation: f(x) solid, f'(x) from backprop dashed."""
    plt = _common.pyplot()
    columns = 4
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        values, derivatives = data[name]
        title, _ = activation(name)
        ax.axhline(0.0, color="0.85", linewidth=0.8)
        ax.axvline(0.0, color="0.85", linewidth=0.8)
        ax.plot(xs, values, color="tab:blue", linewidth=1.8, label="f(x)")
        ax.plot(xs, derivatives, color="tab:orange", linewidth=1.5, linestyle="--", label="f'(x) by backprop")
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    figure.suptitle("glassgrad activations: f(x) and f'(x) = x.grad after y.backward()", fontsize=11)
    figure.tight_layout()
    return _common.save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    parser.add_argument("--points", type=_common.positive_int, default=401, help="grid points per curve")
    parser.add_argument("--range", type=float, default=4.0, dest="half_width", help="plot x in [-RANGE, RANGE]")
    args = parser.parse_args(argv)
    folder = _common.output_folder(args.out)

    names = activation_names()
    xs = grid(-args.half_width, args.half_width, args.points)
    data = curves(names, xs)

    print(f"{len(names)} activations, derivative = x.grad after backward() on {len(xs)} points")
    print(f"{'activation':<12} {'f(-1)':>8} {'f(1)':>8} {'df/dx(-1)':>10} {'df/dx(1)':>9}   derivative rule (op table)")
    for name in names:
        _, function = activation(name)
        f_minus, d_minus = value_and_derivative(function, -1.0)
        f_plus, d_plus = value_and_derivative(function, 1.0)
        print(f"{name:<12} {f_minus:>8.4f} {f_plus:>8.4f} {d_minus:>10.4f} {d_plus:>9.4f}   {OPS[name].formula}")
    _common.wrote(plot(names, xs, data, folder / "activations.png"), "every activation and its derivative")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

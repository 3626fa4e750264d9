"""Newton's method with glassgrad's grad() and hessian(), against plain gradient descent.

Two problems, each solved both ways to the same tolerance on the gradient:

1. a 1-D convex function, f(x) = e^x - 2x (minimum at x = ln 2);
2. a tiny L2-regularised logistic regression with two features and a bias.

Newton's step is x <- x - H^-1 g, with g and H from autograd.grad and
autograd.hessian; near the minimum it doubles the correct digits each step.
Gradient descent's step is x <- x - lr g. The demo prints both step counts.

    python demos/newton.py
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from autograd import Value, grad, hessian

# A small, non-separable data set: (feature 1, feature 2) -> label.
POINTS = [(0.5, 1.0), (1.5, -0.5), (-1.0, 0.5), (2.0, 1.5), (-0.5, -1.5), (0.0, 0.3), (1.0, 1.0), (-1.5, -0.5)]
LABELS = [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
L2 = 0.1


def one_dimensional(x: Value) -> Value:
    """f(x) = e^x - 2x; f'(x) = e^x - 2; f''(x) = e^x."""
    return x.exp() - 2.0 * x


def logistic_loss(bias: Value, w1: Value, w2: Value) -> Value:
    """Mean of softplus(z) - y z over the points, z = bias + w1 x1 + w2 x2, plus L2/2 (w1^2 + w2^2)."""
    total = 0.0
    for (x1, x2), y in zip(POINTS, LABELS):
        z = bias + w1 * x1 + w2 * x2
        total = total + z.softplus() - y * z
    return total / len(POINTS) + 0.5 * L2 * (w1 * w1 + w2 * w2)


def solve(matrix: Sequence[Sequence[float]], vector: Sequence[float]) -> list[float]:
    """Solve matrix @ x = vector by Gaussian elimination with partial pivoting."""
    n = len(vector)
    rows = [[*map(float, row), float(b)] for row, b in zip(matrix, vector)]
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        if rows[pivot][column] == 0.0:
            raise ValueError("solve(): the Hessian is singular; Newton's step is undefined")
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(column + 1, n):
            factor = rows[r][column] / rows[column][column]
            for c in range(column, n + 1):
                rows[r][c] -= factor * rows[column][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        known = sum(rows[r][c] * solution[c] for c in range(r + 1, n))
        solution[r] = (rows[r][n] - known) / rows[r][r]
    return solution


def minimise(
    f: Callable[..., Value], start: Sequence[float], method: str, tolerance: float, max_steps: int, lr: float
) -> tuple[list[float], int]:
    """Run ``method`` ("newton" or "gradient descent") until |gradient| < tolerance; return (point, steps)."""
    point = list(start)
    gradient_of = grad(f, argnums=tuple(range(len(point))))
    hessian_of = hessian(f)
    for step in range(max_steps + 1):
        gradient = list(gradient_of(*point))
        if math.sqrt(sum(g * g for g in gradient)) < tolerance:
            return point, step
        if step == max_steps:
            break
        if method == "newton":
            direction = solve(hessian_of(*point), gradient)
            point = [p - d for p, d in zip(point, direction)]
        else:
            point = [p - lr * g for p, g in zip(point, gradient)]
    raise RuntimeError(f"{method} did not reach |gradient| < {tolerance} in {max_steps} steps")


def main(argv: Sequence[str] | None = None) -> dict[str, int]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    # Every demo takes --seed and --out; this one draws nothing at random and writes no file.
    parser.add_argument("--seed", type=int, default=0, help="accepted like every demo's; nothing here is random")
    parser.add_argument(
        "--out", type=Path, default=Path("glassgrad-out"), help="accepted like every demo's; nothing is written"
    )
    parser.add_argument("--tolerance", type=float, default=1e-8, help="stop when |gradient| is below this")
    parser.add_argument("--lr", type=float, default=0.1, help="gradient descent's learning rate")
    parser.add_argument("--max-steps", type=int, default=100_000, help="give up after this many steps")
    args = parser.parse_args(argv)

    counts = {}
    print("1-D: f(x) = e^x - 2x, from x = 2.0 (minimum at ln 2 = 0.693147...)")
    for method in ("newton", "gradient descent"):
        point, steps = minimise(lambda x: one_dimensional(x), [2.0], method, args.tolerance, args.max_steps, args.lr)
        counts[f"1d {method}"] = steps
        print(f"  {method:>16}: x = {point[0]:.10f} after {steps} steps")

    print(f"logistic regression on {len(POINTS)} points (bias, w1, w2), L2 = {L2}, from (0, 0, 0)")
    for method in ("newton", "gradient descent"):
        point, steps = minimise(logistic_loss, [0.0, 0.0, 0.0], method, args.tolerance, args.max_steps, args.lr)
        counts[f"logistic {method}"] = steps
        weights = ", ".join(f"{p:.6f}" for p in point)
        print(f"  {method:>16}: ({weights}) after {steps} steps")

    print(
        f"Newton needed {counts['1d newton']} and {counts['logistic newton']} steps; "
        f"gradient descent needed {counts['1d gradient descent']} and {counts['logistic gradient descent']}."
    )
    return counts


if __name__ == "__main__":
    main()

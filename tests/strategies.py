"""Hypothesis strategies shared by the tests: inputs from an op's domain, random expressions."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from autograd import Value
from autograd.ops import BinaryOp, UnaryOp

#: How far from a kink an input must be for central differences to be meaningful.
KINK_MARGIN = 1e-3


def _away_from(kinks: tuple[float, ...]):
    return lambda x: all(abs(x - k) > KINK_MARGIN for k in kinks)


def op_inputs(op: UnaryOp | BinaryOp) -> st.SearchStrategy[tuple[float, ...]]:
    """Inputs drawn from ``op.domain`` (and ``op.second_domain`` for a binary op), away from its kinks."""
    low, high = op.domain
    first = st.floats(low, high, allow_nan=False).filter(_away_from(op.kinks))
    if isinstance(op, UnaryOp):
        return st.tuples(first)
    low2, high2 = op.second_domain or op.domain
    return st.tuples(first, st.floats(low2, high2, allow_nan=False))


# Smooth, bounded building blocks for random expressions: every composition stays
# finite and differentiable, so central differences are a fair reference.
UNARY_BUILDERS: dict[str, Any] = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "softsign": lambda x: x.softsign(),
    "gelu": lambda x: x.gelu(),
    "silu": lambda x: x.silu(),
    "mish": lambda x: x.mish(),
    "softplus": lambda x: x.softplus(),
    "exp_of_tanh": lambda x: x.tanh().exp(),
    "square_of_tanh": lambda x: x.tanh() ** 2,
    "neg": lambda x: -x,
    "scale": lambda x: 0.5 * x,
    "shift": lambda x: x + 1.5,
}
BINARY_BUILDERS: dict[str, Any] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div_by_positive": lambda a, b: a / (1.0 + b * b),
    "rsub_const": lambda a, b: 2.0 - a * b,
}

Expression = Any  # ("leaf", i) | (unary_name, expr) | (binary_name, expr, expr)


def expressions(n_leaves: int) -> st.SearchStrategy[Expression]:
    """Random expression trees over ``n_leaves`` inputs; leaves may repeat (shared nodes)."""
    leaves = st.integers(0, n_leaves - 1).map(lambda i: ("leaf", i))
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.tuples(st.sampled_from(sorted(UNARY_BUILDERS)), children),
            st.tuples(st.sampled_from(sorted(BINARY_BUILDERS)), children, children),
        ),
        max_leaves=12,
    )


def evaluate(expression: Expression, inputs: list[Value]) -> Value:
    """Build the graph of ``expression`` on ``inputs``; each subtree is built once per occurrence."""
    kind = expression[0]
    if kind == "leaf":
        return inputs[expression[1]]
    if kind in UNARY_BUILDERS:
        return UNARY_BUILDERS[kind](evaluate(expression[1], inputs))
    return BINARY_BUILDERS[kind](evaluate(expression[1], inputs), evaluate(expression[2], inputs))


def small_floats(low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)

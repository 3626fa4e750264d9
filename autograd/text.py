"""How each op kind reads in words: captions, expressions and formulas for explain and viz.

The op kinds of :mod:`autograd.kinds` inherit these, so an op describes
itself and explain and viz need no per-op code; an n-ary entry whose node
reads differently (a dot product, a sum) overrides them in :mod:`autograd.ops`.

>>> format_number(0.5), format_number(2), format_number(1.5e-7)
('0.5', '2.0', '1.5e-07')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from autograd.value import Value

__all__ = ["BinaryText", "NaryText", "UnaryText", "format_number", "formula_parts", "named_error", "terms"]

Name = Callable[[Value], str]  # how explain and viz name a Value


def format_number(x: Any, digits: int = 4) -> str:
    """``x`` (a float, or a Value's data) in at most ``digits`` significant digits, always with a point or an exponent.

    >>> format_number(0.42), format_number(-3.0), format_number(1.5e-7)
    ('0.42', '-3.0', '1.5e-07')
    """
    x = float(getattr(x, "data", x))  # a Value shows its data
    if not math.isfinite(x):
        return repr(x)
    text = f"{x:.{digits}g}"
    return text if "." in text or "e" in text else text + ".0"


def named_error(error: Exception, name: str, operands: tuple) -> Exception:
    """``error`` from an op's float math (``math domain error``), as the same type naming the op and operands.

    >>> named_error(ValueError("math domain error"), "sin", (math.inf,))
    ValueError('sin(inf): math domain error')
    """
    message = str(error)
    if message.startswith(f"{name}("):  # the op's own message names it already
        return error
    return type(error)(f"{name}({', '.join(map(repr, operands))}): {message}")


def formula_parts(formula: str) -> list[str]:
    """``"d(a+b)/da = 1, d(a+b)/db = 1"`` -> one part per partial derivative.

    >>> formula_parts("d(a+b)/da = 1, d(a+b)/db = 1")
    ['d(a+b)/da = 1', 'd(a+b)/db = 1']
    """
    return re.split(r",\s+(?=d)", formula)


def terms(texts: list[str], limit: int = 8) -> list[str]:
    """``texts``, shortened to the first three and last two when there are more than ``limit``.

    >>> terms([str(i) for i in range(10)])
    ['0', '1', '2', '... (5 more)', '8', '9']
    """
    return texts if len(texts) <= limit else [*texts[:3], f"... ({len(texts) - 5} more)", *texts[-2:]]


class OpText:
    """What every op kind offers explain and viz, with the defaults most ops need."""

    folds_in = False  # collapse=True draws leaf parents inside the node's box (a dot product does)

    def constants(self, node: Value) -> list[float]:
        """The plain numbers folded into the node (not parents)."""
        return []

    def constant_caption(self, node: Value) -> str:
        return ""

    def operand_letter(self, node: Value, position: int) -> str | None:
        """The letter on a picture's edge from the parent at ``position``, where order matters."""
        return None


class UnaryText(OpText):
    """A unary op reads ``tanh(x)``; its parameters, if any, follow x.

    >>> from autograd import Value
    >>> from autograd.kinds import OPS
    >>> OPS["tanh"].expression(Value(0.5).tanh(), lambda v: "x")
    'tanh(x)'
    """

    def caption(self, node: Value) -> str:
        """The node's label in pictures: the symbol, with its parameters (``leaky_relu(0.1)``)."""
        params = node.context
        return f"{self.symbol}({', '.join(map(format_number, params))})" if params else self.symbol

    def expression(self, node: Value, name: Name) -> str:
        """The node as a formula of its parents, each called what ``name`` gives."""
        params = "".join(f", {format_number(p)}" for p in node.context or ())
        return f"{self.symbol}({name(node.parents[0])}{params})"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        """The derivative formula for the parent at ``position``, and what its letters stand for."""
        return self.formula, f"x = {name(node.parents[0])}"


class BinaryText(OpText):
    """A binary op reads ``a * b``; a folded constant stands in for a or b.

    >>> from autograd import Value
    >>> from autograd.kinds import OPS
    >>> OPS["mul"].expression(Value(2.0) * 3.0, lambda v: "a")
    'a * 3.0'
    """

    def caption(self, node: Value) -> str:
        """The node's label in pictures: the op's symbol."""
        return self.symbol

    def expression(self, node: Value, name: Name) -> str:
        """The node as a formula of its parents, each called what ``name`` gives."""
        a, b = (name(x) if isinstance(x, Value) else format_number(x) for x in self.operands(node))
        return f"{a} {self.symbol} {b}"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        """The derivative formula for the parent at ``position``, and what its letters stand for."""
        a, b = (name(x) if isinstance(x, Value) else format_number(x) for x in self.operands(node))
        parts = formula_parts(self.formula)
        operand = position if node.context is None else 1 - node.context[0]
        return (parts[operand] if len(parts) == 2 else self.formula), f"a = {a}, b = {b}"

    def constants(self, node: Value) -> list[float]:
        return [] if node.context is None else [float(node.context[1])]

    def constant_caption(self, node: Value) -> str:
        """The folded constant, and which operand it is unless the op is commutative (``""`` for none)."""
        if node.context is None:
            return ""
        position, constant = node.context
        # Never "b = 4.0": a learner would read it as the bias b. Which operand it is, in words.
        return (
            format_number(constant)
            if self.commutative
            else f"{format_number(constant)} ({'1st' if position == 0 else '2nd'} operand)"
        )

    def operand_letter(self, node: Value, position: int) -> str | None:
        return None if self.commutative or node.context is not None else "ab"[position]


class NaryText(OpText):
    """An n-ary op reads ``softmax(z1, z2, z3)[1]``: its parents, then its context.

    >>> from autograd import softmax, Value
    >>> from autograd.kinds import OPS
    >>> OPS["softmax"].expression(softmax([Value(1.0), Value(2.0)])[0], lambda v: "z")
    'softmax(z, z)[0]'
    """

    def context_text(self, context: Any) -> str:
        """How the node's context reads after the op's symbol: ``[2]`` for output 2, ``""`` for none."""
        return "" if context is None else f"[{context}]"

    def caption(self, node: Value) -> str:
        """The node's label in pictures: the symbol and its context (``softmax[2]``)."""
        return self.symbol + self.context_text(node.context)

    def expression(self, node: Value, name: Name) -> str:
        """The node as a formula of its parents, each called what ``name`` gives."""
        return f"{self.symbol}({', '.join(terms([name(p) for p in node.parents]))}){self.context_text(node.context)}"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        """The derivative formula for the parent at ``position``, and what its letters stand for."""
        index = "" if node.context is None else f"i = {node.context + 1}, "
        return self.formula, f"{index}j = {position + 1}"

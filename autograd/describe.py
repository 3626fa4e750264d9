"""How each op reads in words: captions, expressions and derivative formulas, for the tools that show them.

explain, viz, practice and anomaly describe a node through the functions here (``caption(node)``,
``expression(node, name)``, ``derivative_text(node, position, name)``, ...). Each op is described by its kind's
:class:`Description`, or by one of its own in :data:`DESCRIPTIONS` (keyed by the op's name) where its node reads
differently (a dot product, a sum, a cross-entropy). An op entry's ``formula`` is the text they start from.

>>> format_number(0.5), format_number(2), format_number(1.5e-7)
('0.5', '2.0', '1.5e-07')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from autograd.core.kinds import OPS, BinaryOp, UnaryOp
from autograd.core.value import Value
from autograd.ops.dot_product import dot_terms

__all__ = [
    "DESCRIPTIONS",
    "Description",
    "caption",
    "constant_caption",
    "constants",
    "derivative_text",
    "description",
    "expression",
    "folds_in",
    "format_number",
    "formula_parts",
    "operand_letter",
    "terms",
]

Name = Callable[[Value], str]  # how explain and viz name a Value


def format_number(x: Any, digits: int = 4) -> str:
    """``x`` (a float, or a Value's data) in at most ``digits`` significant digits, always with a point or exponent.

    >>> format_number(0.42), format_number(-3.0), format_number(1.5e-7)
    ('0.42', '-3.0', '1.5e-07')
    """
    x = float(getattr(x, "data", x))  # a Value shows its data
    if not math.isfinite(x):
        return repr(x)
    text = f"{x:.{digits}g}"
    return text if "." in text or "e" in text else text + ".0"


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


def _shown(x: Any, name: Name) -> str:
    return name(x) if isinstance(x, Value) else format_number(x)


class Description:
    """How the nodes of one op read; the defaults are an n-ary op's: ``softmax(z1, z2, z3)[1]``.

    An op whose nodes read differently gives a subclass in :data:`DESCRIPTIONS`, keyed by the op's name.

    >>> from autograd import OPS, Value, softmax
    >>> s = softmax([Value(2.0, label="x"), Value(-3.0, label="w")])
    >>> Description().expression(OPS["softmax"], s[1], lambda v: v.label)
    'softmax(x, w)[1]'
    """

    folds_in = False  # collapse=True draws leaf parents inside the node's box (a dot product does)
    elementwise = False  # one or two operands: explain shows the numbers beside the names

    def context_text(self, op: Any, context: Any) -> str:
        """How the node's context reads after the op's symbol: ``[2]`` for output 2, ``""`` for none."""
        return "" if context is None else f"[{context}]"

    def caption(self, op: Any, node: Value) -> str:
        """The node's label in pictures: the symbol and its context (``softmax[2]``)."""
        return op.symbol + self.context_text(op, node.context)

    def expression(self, op: Any, node: Value, name: Name) -> str:
        """The node as a formula of its parents, each called what ``name`` gives."""
        parents = ", ".join(terms([name(p) for p in node.parents]))
        return f"{op.symbol}({parents}){self.context_text(op, node.context)}"

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        """The derivative formula for the parent at ``position``, and what its letters stand for."""
        index = "" if node.context is None else f"i = {node.context + 1}, "
        return op.formula, f"{index}j = {position + 1}"

    def constants(self, op: Any, node: Value) -> list[float]:
        """The plain numbers folded into the node (not parents)."""
        return []

    def constant_caption(self, op: Any, node: Value) -> str:
        """The folded constants as a picture shows them beside the node (``""`` for none)."""
        return ""

    def operand_letter(self, op: Any, node: Value, position: int) -> str | None:
        """The letter on a picture's edge from the parent at ``position``, where order matters."""
        return None


class UnaryDescription(Description):
    """``tanh(x)``; parameters, if any, follow x (``leaky_relu(x, 0.1)``)."""

    elementwise = True

    def caption(self, op: Any, node: Value) -> str:
        params = node.context
        return f"{op.symbol}({', '.join(map(format_number, params))})" if params else op.symbol

    def expression(self, op: Any, node: Value, name: Name) -> str:
        params = "".join(f", {format_number(p)}" for p in node.context or ())
        return f"{op.symbol}({name(node.parents[0])}{params})"

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        return op.formula, f"x = {name(node.parents[0])}"


class BinaryDescription(Description):
    """``a * b``; a folded constant stands in for a or b."""

    elementwise = True

    def caption(self, op: Any, node: Value) -> str:
        return op.symbol

    def expression(self, op: Any, node: Value, name: Name) -> str:
        a, b = (_shown(x, name) for x in op.operands(node))
        return f"{a} {op.symbol} {b}"

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        a, b = (_shown(x, name) for x in op.operands(node))
        parts = formula_parts(op.formula)
        operand = position if node.context is None else 1 - node.context[0]
        return (parts[operand] if len(parts) == 2 else op.formula), f"a = {a}, b = {b}"

    def constants(self, op: Any, node: Value) -> list[float]:
        return [] if node.context is None else [float(node.context[1])]

    def constant_caption(self, op: Any, node: Value) -> str:
        """The folded constant, and which operand it is unless the op is commutative."""
        if node.context is None:
            return ""
        position, constant = node.context
        # Never "b = 4.0": a learner would read it as the bias b. Which operand it is, in words.
        shown = format_number(constant)
        return shown if op.commutative else f"{shown} ({'1st' if position == 0 else '2nd'} operand)"

    def operand_letter(self, op: Any, node: Value, position: int) -> str | None:
        return None if op.commutative or node.context is not None else "ab"[position]


class SumDescription(Description):
    """``v1 + v2 + v3``."""

    def expression(self, op: Any, node: Value, name: Name) -> str:
        return " + ".join(terms([name(p) for p in node.parents]))

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        return op.formula, f"i = {position + 1}"


class CrossEntropyDescription(Description):
    """``cross_entropy((z1, z2, z3), target=1)``."""

    def context_text(self, op: Any, context: Any) -> str:
        return f"(target={context})"

    def expression(self, op: Any, node: Value, name: Name) -> str:
        return f"{op.symbol}(({', '.join(terms([name(p) for p in node.parents]))}), target={node.context})"

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        target = node.context
        return op.formula, f"j = {position + 1}, t = {target + 1} (class index {target})"


class DotDescription(Description):
    """``w1*x1 + w2*x2 + b`` (``relu(...)`` around it for relu_dot); the weights, inputs and bias from the context."""

    folds_in = True

    def caption(self, op: Any, node: Value) -> str:
        return op.symbol

    def _terms(self, op: Any, node: Value, name: Name) -> str:
        weights, inputs, bias = op.arguments(node)
        parts = [f"{_shown(w, name)}*{_shown(x, name)}" for w, x in zip(weights, inputs)]
        if isinstance(bias, Value) or bias != 0.0:
            parts.append(_shown(bias, name))
        return " + ".join(terms(parts))

    def expression(self, op: Any, node: Value, name: Name) -> str:
        total = self._terms(op, node, name)
        return f"relu({total})" if op.name == "relu_dot" else total

    def derivative_text(self, op: Any, node: Value, position: int, name: Name) -> tuple[str, str]:
        role, index, value, partner = dot_terms(*op.arguments(node))[position]
        part = formula_parts(op.formula)[{"w": 0, "x": 1, "b": 2}[role]]
        if role == "b":
            return part, f"b = {name(value)}"
        other = "x" if role == "w" else "w"
        return part, f"i = {index}, {other}_{index} = {_shown(partner, name)}"

    def constants(self, op: Any, node: Value) -> list[float]:
        weights, inputs, bias = op.arguments(node)
        found = [w for w, x in zip(weights, inputs) if not isinstance(w, Value)]
        found += [x for w, x in zip(weights, inputs) if not isinstance(x, Value)]
        if not isinstance(bias, Value) and bias != 0.0:
            found.append(bias)
        return [float(c) for c in found]

    def constant_caption(self, op: Any, node: Value, limit: int = 6) -> str:
        found = self.constants(op, node)
        shown = ", ".join(format_number(c) for c in found[:limit])
        return shown + (f", ... ({len(found)} constants)" if len(found) > limit else "")


#: Descriptions of their own, by op name; every other op reads as its kind does.
DESCRIPTIONS: dict[str, Description] = {
    "sum": SumDescription(),
    "cross_entropy": CrossEntropyDescription(),
    "dot": DotDescription(),
    "relu_dot": DotDescription(),
}
_UNARY, _BINARY, _NARY = UnaryDescription(), BinaryDescription(), Description()


def description(op: Any) -> Description:
    """How the nodes of ``op`` (an entry of ``OPS``) read: its own description, or its kind's.

    >>> from autograd import OPS
    >>> type(description(OPS["tanh"])).__name__, type(description(OPS["dot"])).__name__
    ('UnaryDescription', 'DotDescription')
    """
    found = DESCRIPTIONS.get(op.name)
    if found is not None:
        return found
    return _UNARY if isinstance(op, UnaryOp) else _BINARY if isinstance(op, BinaryOp) else _NARY


def caption(node: Value) -> str:
    """The node's label in pictures: ``*``, ``tanh``, ``leaky_relu(0.1)``, ``softmax[2]``.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> caption(x * x), caption(x.leaky_relu(0.1))
    ('*', 'leaky_relu(0.1)')
    """
    op = OPS.get(node.op)
    return node.op if op is None else description(op).caption(op, node)


def expression(node: Value, name: Name) -> str:
    """The node as a formula of its parents: ``a * b``, ``tanh(n1)``, ``w1*x1 + b``; ``name`` names each parent.

    >>> from autograd import Value, dot
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> expression(w * x, lambda v: v.label), expression(dot([w], [x], 1.0), lambda v: v.label)
    ('w * x', 'w*x + 1.0')
    """
    op = OPS.get(node.op)
    if op is None:
        return f"{node.op}({', '.join(name(p) for p in node.parents)})"
    return description(op).expression(op, node, name)


def derivative_text(node: Value, position: int, name: Name) -> tuple[str, str]:
    """d node / d (the parent at ``position``) as a formula, and what its letters stand for.

    For a product a * b: d(a*b)/da = b, and a, b are the node's two parents.

    >>> from autograd import Value
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> derivative_text(w * x, 0, lambda v: v.label)
    ('d(a*b)/da = b', 'a = w, b = x')
    """
    op = OPS.get(node.op)
    if op is None:
        return f"d {node.op}/d(parent {position})", ""
    return description(op).derivative_text(op, node, position, name)


def constants(node: Value) -> list[float]:
    """The plain numbers folded into the node (not parents): the 4.0 of ``x * 4.0``.

    >>> from autograd import Value
    >>> constants(Value(2.0) * 4.0), constants(Value(2.0) * Value(4.0))
    ([4.0], [])
    """
    op = OPS.get(node.op)
    return [] if op is None else description(op).constants(op, node)


def constant_caption(node: Value) -> str:
    """The folded constants as a picture shows them (``""`` for none), saying which operand where order matters.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> constant_caption(x * 4.0), constant_caption(4.0 - x)
    ('4.0', '4.0 (1st operand)')
    """
    op = OPS.get(node.op)
    return "" if op is None else description(op).constant_caption(op, node)


def operand_letter(node: Value, position: int) -> str | None:
    """``"a"`` or ``"b"`` on a picture's edge where the order of operands matters, else None.

    >>> from autograd import Value
    >>> x, w = Value(2.0), Value(-3.0)
    >>> operand_letter(x - w, 0), operand_letter(x - w, 1), operand_letter(x * w, 0)
    ('a', 'b', None)
    """
    op = OPS.get(node.op)
    return None if op is None else description(op).operand_letter(op, node, position)


def folds_in(node: Value) -> bool:
    """Whether ``collapse=True`` draws the node's leaf parents inside its box (a dot product's).

    >>> from autograd import Value, dot
    >>> x, w = Value(2.0), Value(-3.0)
    >>> folds_in(dot([w], [x])), folds_in(w * x)
    (True, False)
    """
    op = OPS.get(node.op)
    return op is not None and description(op).folds_in


def is_elementwise(node: Value) -> bool:
    """Whether the node has one or two operands (explain then shows the numbers beside the names)."""
    op = OPS.get(node.op)
    return op is not None and description(op).elementwise

"""The op kinds (unary, binary, n-ary) and the registry that installs them on ``Value``.

An op is one entry of a kind: its forward rule on floats, its derivative (one
function that works on floats at forward time and on Values for
``backward(create_graph=True)``), its formula in words, the ``Value`` method
or operator it becomes, and where tests draw its inputs. The kind knows how
to make the op's node and how to describe it (caption, expression, the
formula for each operand), so :mod:`autograd.explain` and :mod:`autograd.viz`
need no per-op code. Every op is in :data:`OPS`, filled by :func:`register`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.mode import is_recording
from autograd.value import Value, as_float, binary_node, leaf, unary_node, wide_node

#: Every op by name, in the order registered.
OPS: dict[str, Any] = {}

Scalar = Any  # a float, or a Value when building the graph of a gradient
Name = Callable[[Value], str]  # how explain and viz name a Value


def register(op: Any) -> Any:
    """Add ``op`` to :data:`OPS` and install it on ``Value`` under the names its entry gives."""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    for attribute, function in op.methods():
        setattr(Value, attribute, function)
    return op


def method(name: str, *, static: bool = False) -> Callable[[Callable], Callable]:
    """Install a function that wraps ops (``gelu``, ``softmax``) as ``Value.<name>``; returns it unchanged."""

    def install(function: Callable) -> Callable:
        setattr(Value, name, staticmethod(function) if static else function)
        return function

    return install


def format_number(x: Any, digits: int = 4) -> str:
    """``x`` (a float, or a Value's data) with ``digits`` significant digits: 0.4200, -3.0, 1.5e-07."""
    x = float(x.data if isinstance(x, Value) else x)
    if not math.isfinite(x):
        return repr(x)
    text = f"{x:.{digits}g}"
    return text if "." in text or "e" in text else text + ".0"


def formula_parts(formula: str) -> list[str]:
    """``"d(a+b)/da = 1, d(a+b)/db = 1"`` -> one part per partial derivative."""
    return re.split(r",\s+(?=d)", formula)


def terms(texts: list[str], limit: int = 8) -> list[str]:
    """``texts``, shortened to the first three and last two when there are more than ``limit``."""
    return texts if len(texts) <= limit else [*texts[:3], f"... ({len(texts) - 5} more)", *texts[-2:]]


@dataclass(frozen=True, eq=False)
class UnaryOp:
    """f(x, *params): ``forward(x, *params)`` on floats, ``derivative(x, out, *params)`` = df/dx.

    Calling the op (``tanh(x)``) runs ``apply``, a plain function built from
    the two rules when the op is made; ``Value.<method>`` is that very
    function, so ``x.tanh()`` is one Python call (330 ns, not 510, measured).
    """

    elementwise = True  # one or two operands: explain shows the numbers beside the names
    name: str
    forward: Callable[..., float]
    derivative: Callable[..., Scalar]
    formula: str  # the derivative in words, for docs, pictures and explain()
    method: str | None = ""  # the Value method it becomes ("" = its name, None = none)
    symbol: str = ""
    domain: tuple[float, float] = (-5.0, 5.0)  # where tests draw inputs
    kinks: tuple[float, ...] = ()  # points where the derivative jumps
    smooth: bool = True  # twice differentiable on the domain away from kinks
    test_params: tuple = ()  # parameters the tests call it with
    apply: Callable[..., Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", self.symbol or self.name)
        object.__setattr__(self, "apply", _unary_apply(self))

    def __call__(self, x: Value | float, *params: Any) -> Value:
        return self.apply(x, *params)

    def methods(self) -> list[tuple[str, Callable]]:
        return [] if self.method is None else [(self.method or self.name, self.apply)]

    def local_grads_as_values(self, node: Value) -> tuple:
        return (self.derivative(node.parents[0], node, *(node.context or ())),)

    def caption(self, node: Value) -> str:
        params = node.context
        return f"{self.symbol}({', '.join(map(format_number, params))})" if params else self.symbol

    def expression(self, node: Value, name: Name) -> str:
        params = "".join(f", {format_number(p)}" for p in node.context or ())
        return f"{self.symbol}({name(node.parents[0])}{params})"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        return self.formula, f"x = {name(node.parents[0])}"

    def constants(self, node: Value) -> list[float]:
        return []

    def constant_caption(self, node: Value) -> str:
        return ""

    folds_in = False  # collapse=True draws leaf parents inside the node's box (a dot product does)

    def operand_letter(self, node: Value, position: int) -> str | None:
        return None


def _unary_apply(op: UnaryOp) -> Callable[..., Value]:
    """``op`` as ``apply(x, *params)``: the forward rule, then a node holding the derivative as a float.

    Under ``no_grad`` the derivative is not computed and the result is a leaf.
    Without parameters the rules are called without ``*params`` (which costs as much again).
    """
    name, forward, derivative = op.name, op.forward, op.derivative

    def apply(x: Value | float, *params: Any) -> Value:
        if params:
            params = tuple(as_float(p, name) for p in params)
        if type(x) is not Value:
            x = x if isinstance(x, Value) else Value(as_float(x, name))
        xd = x.data
        out = forward(xd, *params) if params else forward(xd)
        if not is_recording():
            return leaf(out)
        if params:
            return unary_node(out, x, derivative(xd, out, *params), name, params)
        return unary_node(out, x, derivative(xd, out), name, None)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(x): one node; {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class BinaryOp:
    """f(a, b): ``forward(a, b)`` on floats, ``derivative(a, b, out)`` = (df/da, df/db).

    Either operand may be a plain number: it is folded into the node as a
    constant, ``context = (position, constant)``, instead of becoming a Value
    of its own (a node less per constant). ``method`` is the operator it
    becomes (``"__mul__"``, with the reflected ``"__rmul__"``).
    """

    elementwise = True
    name: str
    forward: Callable[[float, float], float]
    derivative: Callable[[Scalar, Scalar, Scalar], tuple]
    formula: str
    symbol: str
    method: str
    commutative: bool = False  # a and b can be swapped: pictures need not say which is which
    domain: tuple[float, float] = (-5.0, 5.0)
    second_domain: tuple[float, float] | None = None
    kinks: tuple[float, ...] = ()
    smooth: bool = True
    test_params: tuple = ()
    apply: Callable[[Any, Any], Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "apply", _binary_apply(self))

    def __call__(self, a: Value | float, b: Value | float) -> Value:
        return self.apply(a, b)

    def methods(self) -> list[tuple[str, Callable]]:
        apply = self.apply

        def reflected(self: Value, other: Any) -> Value:
            return apply(other, self)  # 2.0 - x is sub(2.0, x)

        reflected.__name__ = reflected.__qualname__ = f"reflected_{self.name}"
        return [(self.method, apply), (self.method.replace("__", "__r", 1), reflected)]

    def operands(self, node: Value) -> tuple[Any, Any]:
        """(a, b): Values, or the number folded in as a constant."""
        if node.context is None:
            a, b = node.parents
            return a, b
        position, constant = node.context
        return (constant, node.parents[0]) if position == 0 else (node.parents[0], constant)

    def local_grads_as_values(self, node: Value) -> tuple:
        a, b = self.operands(node)
        grads = self.derivative(a, b, node)
        return grads if node.context is None else (grads[1 - node.context[0]],)

    def caption(self, node: Value) -> str:
        return self.symbol

    def expression(self, node: Value, name: Name) -> str:
        a, b = (name(x) if isinstance(x, Value) else format_number(x) for x in self.operands(node))
        return f"{a} {self.symbol} {b}"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        a, b = (name(x) if isinstance(x, Value) else format_number(x) for x in self.operands(node))
        parts = formula_parts(self.formula)
        operand = position if node.context is None else 1 - node.context[0]
        return (parts[operand] if len(parts) == 2 else self.formula), f"a = {a}, b = {b}"

    def constants(self, node: Value) -> list[float]:
        return [] if node.context is None else [float(node.context[1])]

    def constant_caption(self, node: Value) -> str:
        if node.context is None:
            return ""
        position, constant = node.context
        return format_number(constant) if self.commutative else f"{'ab'[position]} = {format_number(constant)}"

    folds_in = False

    def operand_letter(self, node: Value, position: int) -> str | None:
        """``a`` or ``b`` on a picture's edge, where the order of the operands matters."""
        return None if self.commutative or node.context is not None else "ab"[position]


def _binary_apply(op: BinaryOp) -> Callable[[Any, Any], Value]:
    """``op`` as ``apply(a, b)``: the forward rule, then the node (a leaf under ``no_grad``).

    A folded constant's context, (position, constant), is reused by the next
    node whose constant is the same float object, as the literal in a loop
    ``x = x * 1.0001 + 0.001``: a tuple less per node for the cyclic garbage
    collector (the T3 chain build: 1.4-2.2 -> 1.2 us/node, measured). One
    variable holds the pair, so threads can only make an extra tuple.
    """
    name, forward, derivative = op.name, op.forward, op.derivative
    constant_b: tuple = (1, None)
    constant_a: tuple = (0, None)

    def apply(a: Value | float, b: Value | float) -> Value:
        nonlocal constant_a, constant_b
        if isinstance(a, Value):
            ad = a.data
            if isinstance(b, Value):
                bd = b.data
                out = forward(ad, bd)
                if not is_recording():
                    return leaf(out)
                local_a, local_b = derivative(ad, bd, out)
                return binary_node(out, a, b, local_a, local_b, name)
            bd = b if type(b) is float else as_float(b, name)
            out = forward(ad, bd)
            if not is_recording():
                return leaf(out)
            context = constant_b
            if context[1] is not bd:
                context = constant_b = (1, bd)
            return unary_node(out, a, derivative(ad, bd, out)[0], name, context)
        if isinstance(b, Value):
            ad = a if type(a) is float else as_float(a, name)
            bd = b.data
            out = forward(ad, bd)
            if not is_recording():
                return leaf(out)
            context = constant_a
            if context[1] is not ad:
                context = constant_a = (0, ad)
            return unary_node(out, b, derivative(ad, bd, out)[1], name, context)
        return Value(forward(as_float(a, name), as_float(b, name)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(a, b), one node: {op.formula}."
    return apply


class DeferredGrads(Sequence):
    """Local derivatives computed when read, by the op's own derivative: ``derivative(*arguments)``.

    For ops whose every output depends on every input (softmax): n nodes of
    n stored derivatives each would take memory quadratic in n (10,000
    logits: over 3 GB); deferred, it stays linear.
    """

    __slots__ = ("arguments", "derivative", "length")

    def __init__(self, derivative: Callable[..., Sequence], arguments: tuple, length: int) -> None:
        self.derivative, self.arguments, self.length = derivative, arguments, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Any:
        return iter(self.derivative(*self.arguments))

    def __getitem__(self, index: Any) -> Any:
        return tuple(self)[index]


@dataclass(frozen=True, eq=False)
class NaryOp:
    """An op over a sequence of inputs, stored as one node per output.

    ``derivative(arguments, out, context)`` returns the local derivatives,
    one per parent: the forward pass calls it with floats, and
    ``create_graph`` with the node's own arguments (Values) and the node as
    ``out``. ``arguments(node)`` gives those arguments back (the parents, by
    default); the methods below describe the node for explain and viz, and an
    entry overrides them where its node reads differently (a dot product, a sum).
    """

    elementwise = False
    name: str
    derivative: Callable[[Sequence[Scalar], Scalar, Any], Sequence[Scalar]]
    formula: str
    symbol: str
    method: str | None = None  # the static Value method it becomes
    apply: Callable[..., Any] | None = field(default=None, repr=False)

    def methods(self) -> list[tuple[str, Callable]]:
        return [] if self.method is None or self.apply is None else [(self.method, staticmethod(self.apply))]

    def arguments(self, node: Value) -> Any:
        return node.parents

    def local_grads_as_values(self, node: Value) -> tuple:
        return tuple(self.derivative(self.arguments(node), node, node.context))

    def context_text(self, context: Any) -> str:
        """How the node's context reads after the op's symbol: ``[2]`` for output 2, ``""`` for none."""
        return "" if context is None else f"[{context}]"

    def caption(self, node: Value) -> str:
        return self.symbol + self.context_text(node.context)

    def expression(self, node: Value, name: Name) -> str:
        return f"{self.symbol}({', '.join(terms([name(p) for p in node.parents]))}){self.context_text(node.context)}"

    def derivative_text(self, node: Value, position: int, name: Name) -> tuple[str, str]:
        index = "" if node.context is None else f"i = {node.context + 1}, "
        return self.formula, f"{index}j = {position + 1}"

    def constants(self, node: Value) -> list[float]:
        return []

    def constant_caption(self, node: Value) -> str:
        return ""

    folds_in = False

    def operand_letter(self, node: Value, position: int) -> str | None:
        return None


def nary_node(op: NaryOp, out: float, parents: tuple, local_grads: Sequence, context: Any = None) -> Value:
    """The node of an n-ary op's output (a leaf under ``no_grad`` or with no parents)."""
    return wide_node(out, parents, local_grads, op.name, context) if is_recording() else leaf(out)


def local_grads_as_values(node: Value) -> tuple:
    """The local derivatives of ``node`` rebuilt as Values (a graph) by its op's one derivative."""
    return OPS[node.op].local_grads_as_values(node)

"""The op kinds (unary, binary, n-ary) and the registry that installs them on ``Value``.

An op is one entry of a kind: its forward rule, its one derivative (on floats at forward time, on Values for
``create_graph``), its formula, the ``Value`` method it becomes and its test domain. The kind makes the op's
node and describes it (:mod:`autograd.text`), so explain and viz need no per-op code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.mode import is_recording
from autograd.text import BinaryText, NaryText, UnaryText, named_error
from autograd.value import ZERO_GRADS, Value, as_float, leaf, small_node, wide_nodes

__all__ = ["OPS", "BinaryOp", "NaryOp", "UnaryOp", "local_grads_as_values", "method", "nary_node", "register"]
OPS: dict[str, Any] = {}  #: Every op by name, in the order registered.
Scalar = Any  # a float, or a Value when building the graph of a gradient


def register(op: Any) -> Any:
    """Add ``op`` to :data:`OPS` and install it on ``Value`` under the names its entry gives.
    >>> import autograd; assert OPS["tanh"].apply is Value.tanh"""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    for attribute, function in op.methods():
        setattr(Value, attribute, function)
    return op


def method(name: str) -> Callable[[Callable], Callable]:
    """Install a function that wraps an op (``gelu``, ``rrelu``) as ``Value.<name>``; returns it unchanged.
    >>> import autograd; assert OPS["mul"].method == "__mul__" and Value.gelu.__name__ == 'gelu'"""

    def install(function: Callable) -> Callable:
        setattr(Value, name, function)
        return function

    return install


@dataclass(frozen=True, eq=False)
class UnaryOp(UnaryText):
    """f(x, *params): ``forward(x, *params)`` on floats, ``derivative(x, out, *params)`` = df/dx;
    ``Value.<method>`` is ``apply`` itself: ``x.tanh()`` is one call (330 ns, not 510, measured).
    >>> import autograd; assert OPS["tanh"](Value(0.0)).local_grads == (1.0,)  # d tanh/dx = 1 - tanh^2"""

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
    selects: bool = False  # a 0/1 mask (relu): where it is 0 the node is ZERO_GRADS, no grad passes (not 0 * inf)
    apply: Callable[..., Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", self.symbol or self.name)
        object.__setattr__(self, "apply", _unary_apply(self))

    def __call__(self, x: Value | float, *params: Any) -> Value:
        return self.apply(x, *params)

    def methods(self) -> list[tuple[str, Callable]]:
        """The ``(name, function)`` pairs that :func:`register` sets on ``Value``."""
        return [] if self.method is None else [(self.method or self.name, self.apply)]

    def local_grads_as_values(self, node: Value) -> tuple:
        """d node / d x rebuilt as a Value (a graph) by the one derivative."""
        return (self.derivative(node.parents[0], node, *(node.context or ())),)


def _unary_apply(op: UnaryOp) -> Callable[..., Value]:
    """``op`` as ``apply(x, *params)``: the forward rule, then the node (a leaf under ``no_grad``)."""
    name, forward, derivative, selects = op.name, op.forward, op.derivative, op.selects

    def apply(x: Value | float, *params: Any) -> Value:
        if params:
            params = tuple(as_float(p, name) for p in params)
        if type(x) is not Value:
            x = x if isinstance(x, Value) else Value(as_float(x, name))
        xd = x.data
        try:
            out = forward(xd, *params) if params else forward(xd)
        except (ValueError, OverflowError) as error:
            raise named_error(error, name, (xd, *params)) from None
        if not is_recording():
            return leaf(out)
        if params:
            return small_node(out, x, None, derivative(xd, out, *params), 0.0, name, params)
        local = derivative(xd, out)
        if selects and local == 0.0:
            return wide_nodes(((out, (x,), ZERO_GRADS, None),), name)[0]
        return small_node(out, x, None, local, 0.0, name, None)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(x): one node; {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class BinaryOp(BinaryText):
    """f(a, b): ``forward(a, b)`` on floats, ``derivative(a, b, out)`` = (df/da, df/db).

    Either operand may be a plain number: it is folded into the node as a constant, ``context = (position,
    constant)``, instead of becoming a Value of its own (a node less per constant). ``method`` is the operator it
    becomes (``"__mul__"``, with the reflected ``"__rmul__"``).
    >>> import autograd; assert (2.0 * Value(3.0)).context == (0, 2.0)  # one parent, the 2.0 folded in"""

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
        """The operator and its reflected twin (``__mul__``, ``__rmul__``), for :func:`register`."""
        apply = self.apply

        def reflected(self: Value, other: Any) -> Value:
            return apply(other, self)  # 2.0 - x is sub(2.0, x)

        reflected.__name__ = reflected.__qualname__ = f"reflected_{self.name}"
        return [(self.method, apply), (self.method.replace("__", "__r", 1), reflected)]

    def operands(self, node: Value) -> tuple[Any, Any]:
        """(a, b): Values, or the number folded in as a constant."""
        if node.context is None:
            return node.parents  # type: ignore[return-value]
        position, constant = node.context
        return (constant, node.parents[0]) if position == 0 else (node.parents[0], constant)

    def local_grads_as_values(self, node: Value) -> tuple:
        """(df/da, df/db) rebuilt as Values by the one derivative; one of them for a folded constant."""
        a, b = self.operands(node)
        grads = self.derivative(a, b, node)
        return grads if node.context is None else (grads[1 - node.context[0]],)


def _binary_apply(op: BinaryOp) -> Callable[[Any, Any], Value]:
    """``op`` as ``apply(a, b)``: the forward rule, then the node (a leaf under ``no_grad``).

    A folded constant's context, (position, constant), is reused by the next node whose constant is the same float
    object, as the literal in a loop ``x = x * 1.0001 + 0.001``: a tuple less per node for the cyclic collector (T3
    chain build: 1.4-2.2 -> 1.2 us/node, measured). One variable holds the pair: threads can only make an extra tuple.
    """
    name, forward, derivative = op.name, op.forward, op.derivative
    constant_b: tuple = (1, None)
    constant_a: tuple = (0, None)

    def apply(a: Value | float, b: Value | float) -> Value:
        nonlocal constant_a, constant_b
        if type(a) is Value or isinstance(a, Value):  # exact types first: isinstance only where they fail
            ad = a.data
            if type(b) is Value or (type(b) is not float and isinstance(b, Value)):
                bd = b.data
                out = forward(ad, bd)
                if not is_recording():
                    return leaf(out)
                local_a, local_b = derivative(ad, bd, out)
                return small_node(out, a, b, local_a, local_b, name, None)
            bd = b if type(b) is float else as_float(b, name)
            out = forward(ad, bd)
            if not is_recording():
                return leaf(out)
            context = constant_b
            if context[1] is not bd:
                context = constant_b = (1, bd)
            return small_node(out, a, None, derivative(ad, bd, out)[0], 0.0, name, context)
        if isinstance(b, Value):
            ad = a if type(a) is float else as_float(a, name)
            bd = b.data
            out = forward(ad, bd)
            if not is_recording():
                return leaf(out)
            context = constant_a
            if context[1] is not ad:
                context = constant_a = (0, ad)
            return small_node(out, b, None, derivative(ad, bd, out)[1], 0.0, name, context)
        return Value(forward(as_float(a, name), as_float(b, name)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(a, b), one node: {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class NaryOp(NaryText):
    """An op over a sequence of inputs, stored as one node per output.

    ``derivative(arguments, out, context)`` returns the local derivatives, one per parent: the forward pass calls
    it with floats, and ``create_graph`` with the node's own arguments (Values) and the node as ``out``.
    ``arguments(node)`` gives those arguments back (the parents, by default); the methods below describe the node
    for explain and viz, and an entry overrides them where its node reads differently (a dot product, a sum).
    >>> import autograd; assert autograd.softmax([Value(0.0), Value(0.0)])[0].data == 0.5  # e^0 / (e^0 + e^0)"""

    elementwise = False
    name: str
    derivative: Callable[[Sequence[Scalar], Scalar, Any], Sequence[Scalar]]
    formula: str
    symbol: str
    method: str | None = None  # the static Value method it becomes
    apply: Callable[..., Any] | None = field(default=None, repr=False)

    def methods(self) -> list[tuple[str, Callable]]:
        """The static ``Value`` method it becomes, if any, for :func:`register`."""
        return [] if self.method is None or self.apply is None else [(self.method, staticmethod(self.apply))]

    def arguments(self, node: Value) -> Any:
        """What ``derivative`` is called with: the node's parents (an entry may override)."""
        return node.parents

    def local_grads_as_values(self, node: Value) -> tuple:
        """The local derivatives rebuilt as Values by the one derivative."""
        return tuple(self.derivative(self.arguments(node), node, node.context))


def nary_node(op: NaryOp, out: float, parents: tuple, local_grads: Sequence, context: Any = None) -> Value:
    """The node of an n-ary op's output (a leaf under ``no_grad`` or with no parents).
    >>> import autograd; assert nary_node(OPS["softmax"], 0.5, (Value(1.0), Value(2.0)), (1.0, 1.0)).op == 'softmax'"""
    return wide_nodes(((out, parents, local_grads, context),), op.name)[0] if is_recording() else leaf(out)


def local_grads_as_values(node: Value) -> tuple:
    """The local derivatives of ``node`` rebuilt as Values (a graph) by its op's one derivative.
    >>> import autograd; x = Value(3.0); assert local_grads_as_values(x * x)[0].data == 3.0  # d(x*x)/dx = x"""
    return OPS[node.op].local_grads_as_values(node)

"""The op kinds (unary, binary, n-ary) and the registry: :func:`register` adds an op to :data:`OPS` and installs its
method on ``Value``; :func:`install` is the one way anything is added to ``Value`` (:data:`INSTALLED` records it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from autograd.core.checks import as_float, named_error
from autograd.core.mode import RECORDING, GradMode, grad_mode
from autograd.core.value import ZERO_GRADS, Value, leaf, small_node, wide_nodes

__all__ = ["INSTALLED", "OPS", "BinaryOp", "NaryOp", "Op", "UnaryOp", "install", "register"]
OPS: dict[str, Any] = {}  #: Every op by name, in the order registered.
INSTALLED: dict[str, str] = {}  #: Every attribute added to ``Value``, and the module that added it.


def install(name: str, attribute: Any, where: str) -> Any:
    """Set ``Value.<name>`` (a method, property or operator) and record it in :data:`INSTALLED`; returns it.
    >>> import autograd; assert INSTALLED["backward"] == "autograd.core.backward\""""
    if INSTALLED.get(name, where) != where:
        raise ValueError(f"Value.{name} is installed twice: by {INSTALLED[name]} and {where}")
    setattr(Value, name, attribute)
    INSTALLED[name] = where
    return attribute


def register(op: Op) -> Any:
    """Add ``op`` to :data:`OPS` and install it on ``Value`` under the names its entry gives.
    >>> import autograd; assert OPS["tanh"].apply is Value.tanh"""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    for name, function in op.methods():
        install(name, function, f"op {op.name}")
    return op


def watched(node: Value, mode: GradMode) -> Value:  # what an op returns when the mode is not RECORDING
    if mode.watcher is not None:  # a tool's hook
        mode.watcher.made(node)
    return node


def _not_recording(mode: GradMode, out: float, *layout: Any) -> Value:  # a leaf (no_grad), or a node watched
    return watched(small_node(out, *layout), mode) if mode.recording else leaf(out)


@dataclass(frozen=True, eq=False)
class Op:
    """What an op entry says besides its math: its name, symbol, the ``Value`` method it becomes (``""``: its name),
    where tests draw inputs (``domain`` away from ``kinks``, ``smooth``, ``test_params``), and what other concerns
    read: ``activation`` (nn's, :class:`autograd.ops.Activation`), ``template`` (:class:`autograd.ops.Template`).
    >>> import autograd; assert OPS["tanh"].symbol == "tanh" and OPS["mul"].method == "__mul__\""""

    name: str
    _: KW_ONLY
    symbol: str = ""
    method: str | None = ""
    domain: tuple[float, float] = (-5.0, 5.0)
    kinks: tuple[float, ...] = ()
    smooth: bool = True
    test_params: tuple = ()
    activation: Any = None
    template: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", self.symbol or self.name)

    __call__ = property(lambda self: self.apply)  # op(x) is op.apply(x)

    def methods(self) -> list[tuple[str, Callable]]:
        """The ``(name, function)`` pairs :func:`register` installs on ``Value``."""
        return [] if self.method is None else [(self.method or self.name, self.apply)]  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class UnaryOp(Op):
    """f(x, *params): ``forward(x, *params)`` on floats, ``derivative(x, out, *params)`` = df/dx; ``params``: the
    (name, default) of each parameter; ``selects``: a 0/1 mask (relu), so an off node passes no grad (not 0 * inf).
    >>> import autograd; assert OPS["tanh"](Value(0.0)).local_grads == (1.0,)  # d tanh/dx = 1 - tanh^2"""

    forward: Callable[..., float]
    derivative: Callable[..., Any]
    formula: str  # the derivative in words, for docs, pictures and explain()
    _: KW_ONLY
    params: tuple[tuple[str, float], ...] = ()
    selects: bool = False
    apply: Callable[..., Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "apply", _unary_apply(self))

    def local_grads_as_values(self, node: Value) -> tuple:
        """d node / d parent rebuilt as a Value (a graph) by the one derivative, for create_graph."""
        return (self.derivative(node.parents[0], node, *(node.context or ())),)


def _unary_apply(op: UnaryOp) -> Callable[..., Value]:
    name, forward, derivative, selects = op.name, op.forward, op.derivative, op.selects
    defaults = tuple(default for _, default in op.params)

    def apply(x: Value | float, *params: Any) -> Value:
        if params or defaults:  # an op with parameters: given ones checked, missing ones from the entry
            if len(params) > len(defaults):
                raise TypeError(f"{name}() takes {len(defaults)} parameters, got {len(params)}")
            params = tuple(as_float(p, name) for p in params) + defaults[len(params) :]
        if type(x) is not Value:
            x = x if isinstance(x, Value) else Value(as_float(x, name))
        xd = x.data
        try:
            out = forward(xd, *params) if params else forward(xd)
        except (ValueError, OverflowError) as error:
            raise named_error(error, name, (xd, *params)) from None
        if (mode := grad_mode()) is not RECORDING and not mode.recording:
            return leaf(out)
        local = derivative(xd, out, *params) if params else derivative(xd, out)
        if selects and local == 0.0:  # off: no grad passes, not even 0 * inf
            node = wide_nodes(((out, (x,), ZERO_GRADS, params or None),), name)[0]
        else:
            node = small_node(out, x, None, local, 0.0, name, params or None)
        return node if mode is RECORDING else watched(node, mode)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(x{''.join(f', {p}={d!r}' for p, d in op.params)}): one node; {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class BinaryOp(Op):
    """f(a, b): ``forward(a, b)`` on floats, ``derivative(a, b, out)`` = (df/da, df/db). A number operand is folded
    in as a constant, ``context = (position, constant)``; ``method``: its operator (``__mul__``, and ``__rmul__``).
    >>> import autograd; assert (2.0 * Value(3.0)).context == (0, 2.0)  # one parent, the 2.0 folded in"""

    forward: Callable[[float, float], float]
    derivative: Callable[[Any, Any, Any], tuple]
    formula: str
    _: KW_ONLY
    commutative: bool = False  # a and b can be swapped: pictures need not say which is which
    second_domain: tuple[float, float] | None = None
    apply: Callable[[Any, Any], Value] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "apply", _binary_apply(self))

    def methods(self) -> list[tuple[str, Callable]]:
        """The operator and its reflected form: ``__mul__`` is ``apply``, ``__rmul__`` the operands swapped."""
        apply, method = self.apply, str(self.method)

        def reflected(self: Value, other: Any) -> Value:
            return apply(other, self)  # 2.0 - x is sub(2.0, x)

        reflected.__name__ = reflected.__qualname__ = f"reflected_{self.name}"
        return [(method, apply), (method.replace("__", "__r", 1), reflected)]

    def operands(self, node: Value) -> tuple[Any, Any]:
        """(a, b): Values, or the number folded in as a constant."""
        if node.context is None:
            return node.parents  # type: ignore[return-value]
        position, constant = node.context
        return (constant, node.parents[0]) if position == 0 else (node.parents[0], constant)

    def local_grads_as_values(self, node: Value) -> tuple:
        """d node / d parent for each parent rebuilt as Values by the one derivative (a folded constant has none)."""
        grads = self.derivative(*self.operands(node), node)
        return grads if node.context is None else (grads[1 - node.context[0]],)


def _binary_apply(op: BinaryOp) -> Callable[[Any, Any], Value]:
    """A folded constant's context is reused by the next node whose constant is the same float object (a literal in
    a loop): a tuple less per node for the cyclic collector (T3 chain: 1.4-2.2 -> 1.2 us/node, measured)."""
    name, forward, derivative = op.name, op.forward, op.derivative
    constant_b: tuple = (1, None)
    constant_a: tuple = (0, None)

    def apply(a: Value | float, b: Value | float) -> Value:
        nonlocal constant_a, constant_b
        if type(a) is Value or isinstance(a, Value):  # exact types first: isinstance only where they fail
            ad = a.data
            if type(b) is Value or (type(b) is not float and isinstance(b, Value)):
                out = forward(ad, bd := b.data)
                local_a, local_b = derivative(ad, bd, out)
                if (mode := grad_mode()) is RECORDING:  # the common case first: one identity check
                    return small_node(out, a, b, local_a, local_b, name, None)
                return _not_recording(mode, out, a, b, local_a, local_b, name, None)
            out = forward(ad, bd := b if type(b) is float else as_float(b, name))
            context = constant_b
            if context[1] is not bd:
                context = constant_b = (1, bd)
            if (mode := grad_mode()) is RECORDING:
                return small_node(out, a, None, derivative(ad, bd, out)[0], 0.0, name, context)
            return _not_recording(mode, out, a, None, derivative(ad, bd, out)[0], 0.0, name, context)
        if isinstance(b, Value):
            out = forward(ad := a if type(a) is float else as_float(a, name), bd := b.data)
            context = constant_a
            if context[1] is not ad:
                context = constant_a = (0, ad)
            if (mode := grad_mode()) is RECORDING:
                return small_node(out, b, None, derivative(ad, bd, out)[1], 0.0, name, context)
            return _not_recording(mode, out, b, None, derivative(ad, bd, out)[1], 0.0, name, context)
        return Value(forward(as_float(a, name), as_float(b, name)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(a, b), one node: {op.formula}."
    return apply


@dataclass(frozen=True, eq=False)
class NaryOp(Op):
    """An op over a sequence of inputs, one node per output: ``apply`` is its function (``softmax``); ``derivative(
    arguments, out, context)`` gives one local derivative per parent, on floats or (create_graph) on the Values that
    ``arguments(node)`` gives back.
    >>> import autograd; assert autograd.softmax([Value(0.0), Value(0.0)])[0].data == 0.5  # e^0 / (e^0 + e^0)"""

    derivative: Callable[[Sequence[Any], Any, Any], Sequence[Any]]
    formula: str
    _: KW_ONLY
    method: str | None = None
    apply: Callable[..., Any] | None = field(default=None, repr=False)
    arguments: Callable[[Value], Any] = Value.parents.fget  # type: ignore[attr-defined]  # what derivative is given

    def local_grads_as_values(self, node: Value) -> tuple:
        """d node / d parent for each parent rebuilt as Values by the one derivative, for create_graph."""
        return tuple(self.derivative(self.arguments(node), node, node.context))


def nary_node(op: NaryOp, out: float, parents: tuple, local_grads: Sequence, context: Any = None) -> Value:
    """The node of an n-ary op's output (a leaf under ``no_grad`` or with no parents)."""
    if not (mode := grad_mode()).recording:
        return leaf(out)
    node = wide_nodes(((out, parents, local_grads, context),), op.name)[0]
    return node if mode is RECORDING else watched(node, mode)

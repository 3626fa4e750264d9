"""A trace as data: the nodes the root depends on, in the order they were made, each with its op entry, its
parents as references and what its context holds; and the order in which the eager engine's backward visits them.

A reference (:data:`Ref`) is a tuple:

- ``("node", i)``: the i-th node of the graph;
- ``("input", k, j)``: input j of example k (or argument j of a function: k is 0);
- ``("param", p)``: parameter p (a leaf read before each call and, in a training step, updated);
- ``("external", e)``: any other leaf Value: read before each call, never changed;
- ``("const", x)``: a number folded into the node (a constant, or a unary op's parameter);
- ``("target", k, j)``: the target of example k (j: its position in a list of targets, or None).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.compiler.trace import CompileError
from autograd.core.backward import topological_order
from autograd.core.kinds import OPS, BinaryOp, NaryOp, UnaryOp
from autograd.core.value import NO_GRAPH, Value, quote
from autograd.ops.dot_product import dot_arguments, dot_terms

__all__ = ["Graph", "Node", "Ref", "bits", "build_graph"]

Ref = tuple  # see the module docstring


def bits(x: float) -> bytes:
    """The 8 bytes of a float: equal only for the same float (0.0 and -0.0 differ; a nan equals itself)."""
    return struct.pack("<d", x)


@dataclass
class Node:
    """One node: ``op`` (its entry), ``parents`` (refs, in the node's parent order), ``context`` (per kind: a unary
    op's parameters as const refs; a binary op's folded constant as ``(position, ref)``; a dot's ``(weights,
    inputs, bias)`` as refs; softmax's output index; cross_entropy's target as a ref), ``value`` (its number in the
    trace) and ``label`` (user text: only ever shown in comments, made safe)."""

    index: int
    op: Any
    parents: list[Ref]
    context: Any
    value: float
    label: str
    zero_grads: bool = False  # an off relu (relu_dot) in the trace: passes nothing back

    @property
    def name(self) -> str:
        return self.op.name


@dataclass
class Graph:
    """The nodes (in the order made), the roots (refs), and the eager backward's order of node indices."""

    nodes: list[Node]
    roots: list[Ref]
    backward_order: list[int] = field(default_factory=list)
    params: list[Value] = field(default_factory=list)
    externals: list[Value] = field(default_factory=list)
    made_index: list[int] = field(default_factory=list)  # node i was the made_index[i]-th node recorded
    refs: dict[Value, Ref] = field(default_factory=dict)  # every node's Value -> its ref (drop after use)

    def consumers(self) -> dict[Ref, list[int]]:
        """For each ref, the nodes that read it (each once per edge, in node order)."""
        found: dict[Ref, list[int]] = {}
        for node in self.nodes:
            for parent in node.parents:
                found.setdefault(parent, []).append(node.index)
        return found


def _const(x: Any) -> Ref:
    return ("const", float(x))


def build_graph(
    roots: Sequence[Value],
    made: Sequence[Value],
    inputs: Mapping[Value, Ref],
    params: Sequence[Value],
    target_of: Callable[[Any], Ref | None] = lambda constant: None,
) -> Graph:
    """The graph of ``roots``: the nodes of ``made`` they depend on, in order; ``inputs`` maps a traced input Value
    to its ref, ``params`` are the parameters (``("param", p)`` by position); any other leaf becomes an external;
    ``target_of(constant)`` says whether a folded constant is a target (its ref) or not (None)."""
    recorded = {node: i for i, node in enumerate(made)}
    param_index = {value: p for p, value in enumerate(params)}
    externals: dict[Value, int] = {}
    needed = _needed(roots, recorded, inputs, param_index)
    numbering = {made[i]: n for n, i in enumerate(sorted(needed))}
    graph = Graph([], [], params=list(params), made_index=sorted(needed))

    def ref(value: Any) -> Ref:
        if not isinstance(value, Value):
            return _const(value)
        if value in numbering:
            return ("node", numbering[value])
        if value in inputs:
            return inputs[value]
        if value in param_index:
            return ("param", param_index[value])
        if value.op:  # an interior node the trace did not see being made
            raise CompileError(
                f"compile: a {value.op} node ({quote(value)}) was made before the traced call, or by hand "
                "(micrograd's Value(data, children, op)), so the compiler did not see it made; build it inside "
                "the function from its inputs"
            )
        if value.context is NO_GRAPH:
            raise CompileError(
                f"compile: a Value made under no_grad() ({quote(value)}) is used: it holds one call's number with "
                "no graph, which the compiled code would keep; compute it with the graph recorded, or pass it in"
            )
        if value not in externals:
            externals[value] = len(externals)
            graph.externals.append(value)
        return ("external", externals[value])

    for i in sorted(needed):
        value = made[i]
        op = OPS.get(value.op)
        if op is None:
            raise CompileError(f"compile: the op {value.op!r} is not in the op table")
        index = numbering[value]
        parents = [ref(parent) for parent in value.parents]
        context: Any = None
        if isinstance(op, UnaryOp):
            context = tuple(_const(p) for p in (value.context or ()))
        elif isinstance(op, BinaryOp):
            if value.context is not None:
                position, constant = value.context
                context = (position, target_of(constant) or _const(constant))
        elif op.name in ("dot", "relu_dot"):
            weights, inputs_, bias = dot_arguments(value)
            context = ([ref(w) for w in weights], [ref(x) for x in inputs_], ref(bias))
            expected = [ref(v) for _, _, v, _ in dot_terms(weights, inputs_, bias)]
            if expected != parents:
                raise CompileError(f"compile: a {op.name} node's parents do not follow its weights and inputs")
        elif op.name == "cross_entropy":
            context = target_of(value.context) or ("const", value.context)
        elif op.name in ("softmax", "log_softmax"):
            context = value.context
        elif op.name == "sum":
            _check_sum(value)
        elif op.template is None:
            raise CompileError(f"compile: the op {op.name!r} has no template, and its kind has no float functions")
        local_grads = value.local_grads if op.name == "relu_dot" else ()
        zero = op.name == "relu_dot" and bool(local_grads) and all(g == 0.0 for g in local_grads)
        graph.nodes.append(Node(index, op, parents, context, value.data, value.label, zero))
    graph.roots = [ref(root) for root in roots]
    graph.refs = {value: ("node", n) for value, n in numbering.items()}
    order = _eager_order(roots)
    graph.backward_order = [numbering[node] for node in order if node in numbering]
    return graph


def _needed(
    roots: Sequence[Value], recorded: Mapping[Value, int], inputs: Mapping[Value, Ref], params: Mapping[Value, int]
) -> set[int]:
    """Indices (in ``recorded``) of the made nodes the roots depend on."""
    needed: set[int] = set()
    stack = [root for root in roots if root in recorded]
    while stack:
        node = stack.pop()
        i = recorded[node]
        if i in needed:
            continue
        needed.add(i)
        for parent in node.parents:
            if parent in recorded and recorded[parent] not in needed:
                stack.append(parent)
    return needed


def _eager_order(roots: Sequence[Value]) -> list[Value]:
    """The nodes in the order the eager backward processes them (one root: exactly its order)."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        if not isinstance(root, Value) or not root.op:
            continue
        for node in reversed(topological_order(root)):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _check_sum(node: Value) -> None:
    """A sum node holds no record of the numbers added in (``sum_values([a, 2.0])``): refuse one that had some."""
    total = 0.0
    for parent in node.parents:
        total += parent.data
    if bits(total) != bits(node.data) and not (math.isnan(total) and math.isnan(node.data)):
        raise CompileError(
            "compile: sum_values() was given plain numbers besides Values (or a start): the sum node keeps no record "
            "of them, so the compiled code cannot add them in; make them Values, or add them after the sum"
        )


def is_nary(op: Any) -> bool:
    return isinstance(op, NaryOp)

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
from autograd.core.checks import quote
from autograd.core.kinds import OPS, BinaryOp, NaryOp, UnaryOp
from autograd.core.value import NO_GRAPH, Value
from autograd.ops.dot_product import dot_arguments

__all__ = ["Graph", "Node", "build_graph"]

Ref = tuple  # see the module docstring


def bits(x: float) -> bytes:
    """The 8 bytes of a float: equal only for the same float (0.0 and -0.0 differ; a nan equals itself).

    >>> bits(0.0) == bits(-0.0)
    False
    """
    return struct.pack("<d", x)


@dataclass(slots=True)
class Node:
    """One node: ``op`` (its entry), ``parents`` (refs, in the node's parent order), ``context`` (per kind: a unary
    op's parameters as const refs; a binary op's folded constant as ``(position, ref)``; a dot's ``(weights,
    inputs, bias)`` as refs; softmax's output index; cross_entropy's target as a ref), ``value`` (its number in the
    trace) and ``label`` (user text: only ever shown in comments, made safe).

    >>> from autograd import OPS
    >>> Node(0, OPS["mul"], [("input", 0, 0)], (1, ("const", 2.0)), 6.0, "").name
    'mul'
    """

    index: int
    op: Any
    parents: list[Ref]
    context: Any
    value: float
    label: str

    @property
    def name(self) -> str:
        """The op's name."""
        return self.op.name


@dataclass
class Graph:
    """The nodes (in the order made), the roots (refs), and the eager backward's order of node indices.

    >>> from autograd import Value
    >>> from autograd.compiler import Recorder, tracing
    >>> x = Value(3.0)
    >>> recorder = Recorder()
    >>> with tracing(recorder):
    ...     y = (x * x).tanh()
    >>> recorder.restore()
    >>> graph = build_graph([y], recorder.nodes, {x: ("input", 0, 0)}, [])
    >>> [(node.name, node.parents) for node in graph.nodes]
    [('mul', [('input', 0, 0), ('input', 0, 0)]), ('tanh', [('node', 0)])]
    >>> graph.backward_order, graph.roots
    ([1, 0], [('node', 1)])
    """

    nodes: list[Node]
    roots: list[Ref]
    backward_order: list[int] = field(default_factory=list)
    params: list[Value] = field(default_factory=list)
    externals: list[Value] = field(default_factory=list)
    made_index: list[int] = field(default_factory=list)  # node i was the made_index[i]-th node recorded
    refs: dict[Value, Ref] = field(default_factory=dict)  # every node's Value -> its ref (drop after use)
    cache: dict = field(default_factory=dict)  # what the planner worked out once (the examples' nodes)

    def consumers(self, among: Sequence[int] | None = None) -> dict[Ref, list[int]]:
        """For each node's ref, the nodes (of ``among``, by default all) that read it, once per edge, in order."""
        key = ("consumers", None if among is None else len(among))
        found = self.cache.get(key)
        if found is None:
            found = {}
            for node in self.nodes if among is None else [self.nodes[i] for i in among]:
                index = node.index
                for parent in node.parents:
                    if parent[0] == "node":
                        found.setdefault(parent, []).append(index)
            self.cache[key] = found
        return found


def _const(x: Any) -> Ref:
    return ("const", float(x))


def build_graph(
    roots: Sequence[Value],
    made: Sequence[Value],
    inputs: Mapping[Value, Ref],
    params: Sequence[Value],
    target_of: Callable[[Any], Ref | None] = lambda constant: None,
    order: bool = True,
) -> Graph:
    """The graph of ``roots``: the nodes of ``made`` they depend on, in order; ``inputs`` maps a traced input Value
    to its ref, ``params`` are the parameters (``("param", p)`` by position); any other leaf becomes an external;
    ``target_of(constant)`` says whether a folded constant is a target (its ref) or not (None); ``order=False``
    leaves out the engine's backward order (a graph only to look at).

    >>> from autograd import Value
    >>> from autograd.compiler import Recorder, tracing
    >>> w, scale = Value(2.0), Value(0.5)
    >>> recorder = Recorder()
    >>> with tracing(recorder):
    ...     y = w * 3.0 * scale
    >>> recorder.restore()
    >>> graph = build_graph([y], recorder.nodes, {}, [w])
    >>> [node.parents for node in graph.nodes], graph.externals == [scale]
    ([[('param', 0)], [('node', 0), ('external', 0)]], True)
    """
    recorded = dict(zip(made, range(len(made))))
    topological = _eager_order(roots) if order else None
    if topological is not None:  # the nodes the roots depend on, found by the engine's own sort
        needed = sorted(i for i in map(recorded.get, topological) if i is not None)
    else:
        needed = sorted(_needed(roots, recorded))
    known: dict[Value, Ref] = dict(inputs)
    known.update(zip(params, [("param", p) for p in range(len(params))]))
    known.update(zip(map(made.__getitem__, needed), [("node", n) for n in range(len(needed))]))
    graph = Graph([], [], params=list(params), made_index=needed)

    def ref(value: Any) -> Ref:
        found = known.get(value) if isinstance(value, Value) else None
        if found is not None:
            return found
        if not isinstance(value, Value):
            return ("const", float(value))
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
        known[value] = found = ("external", len(graph.externals))
        graph.externals.append(value)
        return found

    nodes = graph.nodes
    lookup = known.__getitem__
    lists: dict[int, tuple[Sequence[Value], list[Ref]]] = {}
    for index, i in enumerate(needed):
        value = made[i]
        op = OPS.get(value.op)
        if op is None:
            raise CompileError(f"compile: the op {value.op!r} is not in the op table")
        context: Any = None
        name = op.name
        if name == "dot" or name == "relu_dot":  # its parents follow from its weights, inputs and bias
            given = value.context
            if len(given) == 1:  # a layer's row (autograd.fast): weights are parents[:n], the bias parents[-1]
                inputs_ = given[0]
                all_parents = value.parents
                weights, bias = all_parents[: len(inputs_)], all_parents[-1]
            else:
                weights, inputs_, bias = dot_arguments(value)
            # A layer's rows and inputs repeat (a row in every example, the inputs in every row): the refs of one
            # list of Values (by identity) are made once.
            found = lists.get(id(weights[0])) if weights else None
            w = (
                found[1]
                if found is not None and (found[0] is weights or found[0] == weights)
                else _refs(weights, lists, lookup, ref)
            )
            found = lists.get(id(inputs_[0])) if inputs_ else None
            x = (
                found[1]
                if found is not None and (found[0] is inputs_ or found[0] == inputs_)
                else _refs(inputs_, lists, lookup, ref)
            )
            b = ref(bias)
            context = (w, x, b)
            count = len(value.parents)
            if count == len(w) + len(x) + 1 and b[0] != "const":  # every weight, input and the bias are Values
                parents = w + x
                parents.append(b)
            else:
                parents = [r for r in w if r[0] != "const"] + [r for r in x if r[0] != "const"]
                if b[0] != "const":
                    parents.append(b)
            if len(parents) != count:
                raise CompileError(f"compile: a {name} node's parents do not follow its weights and inputs")
            nodes.append(Node(index, op, parents, context, value.data, value.label))
            continue
        parents = [ref(parent) for parent in value.parents]
        if isinstance(op, UnaryOp):
            context = tuple(("const", float(p)) for p in (value.context or ()))
        elif isinstance(op, BinaryOp):
            if value.context is not None:
                position, constant = value.context
                context = (position, target_of(constant) or ("const", float(constant)))
        elif name == "cross_entropy":
            context = target_of(value.context) or ("const", value.context)
        elif name == "softmax" or name == "log_softmax":
            context = value.context
        elif name == "sum":
            _check_sum(value)
        elif op.template is None:
            raise CompileError(f"compile: the op {name!r} has no template, and its kind has no float functions")
        nodes.append(Node(index, op, parents, context, value.data, value.label))
    graph.roots = [ref(root) for root in roots]
    graph.refs = known  # each Value's ref (the nodes', the inputs', the parameters')
    if topological is not None:
        graph.backward_order = [known[node][1] for node in topological]
    return graph


def _refs(values: Sequence[Any], lists: dict, lookup: Callable[[Any], Ref], ref: Callable[[Any], Ref]) -> list[Ref]:
    """The refs of a list of weights or inputs; the same list (the same Values, by identity) gets the same list of
    refs, found once (a row's weights in every example, a layer's inputs in every row)."""
    if not values:
        return []
    key = id(values[0])
    found = lists.get(key)
    if found is not None and (found[0] is values or found[0] == values):  # tuples of Values: compared by identity
        return found[1]
    try:  # every one known (the common case): looked up at C speed
        refs = list(map(lookup, values))
    except (KeyError, TypeError):
        refs = [ref(v) for v in values]
    lists[key] = (values, refs)
    return refs


def _needed(roots: Sequence[Value], recorded: Mapping[Value, int]) -> set[int]:
    """Indices (in ``recorded``) of the made nodes the roots depend on."""
    needed: set[int] = set()
    stack = [root for root in roots if root in recorded]
    is_recorded = recorded.__contains__
    while stack:
        node = stack.pop()
        i = recorded[node]
        if i in needed:
            continue
        needed.add(i)
        stack.extend(filter(is_recorded, node.parents))  # leaves (weights) are skipped at C speed
    return needed


def _eager_order(roots: Sequence[Value]) -> list[Value]:
    """The nodes in the order the eager engine's backward from the first root processes them; the other roots are
    nodes of its graph (a training step's data loss), or, if not, follow in their own orders."""
    order: list[Value] = []
    seen: set[Value] | None = None
    for root in roots:
        if not isinstance(root, Value) or not root.op:
            continue
        if not order:
            order = topological_order(root)
            order.reverse()
            continue
        if seen is None:
            seen = set(order)
        if root in seen:
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

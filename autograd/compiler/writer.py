"""From a graph to Python: units, blocks, the forward pass in order, the backward pass in the engine's order.

**Units.** Nodes are emitted in units: one node (straight-line float code), or a *layer* (the dot nodes of a
layer's rows over one input list, relu fused: ``[sum(map(mul, row, x), b) for row, b in zip(W, B)]``), an
element-wise op over a layer's outputs (``[tanh(z) for z in a1]``), or an op with several outputs (softmax). Each
unit's code comes from its op's entry (``template``), or calls the entry's own functions.

**Blocks.** A training step over a batch of examples whose graphs have the same shape is one loop over the
examples (the *loop*); nodes that depend on no example (an L2 penalty) come before it, nodes that gather several
examples (the mean) after. The forward pass runs the blocks in that order; the backward pass follows the eager
engine's order (:func:`autograd.topological_order`, reversed).

**Exactness.** Floating-point addition is not associative, so each gradient must receive its contributions in the
order the engine adds them. :func:`check_order` compares, for every accumulated gradient, the order of the
contributions in the plan with the engine's; a plan that differs is replaced by a simpler one (no loop, then one
node at a time, which is the engine's order itself).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from operator import mul
from typing import Any

from autograd.compiler.graph import Graph, Node, Ref, bits
from autograd.compiler.source import Lines, quoted
from autograd.compiler.trace import CompileError
from autograd.core.kinds import OPS, BinaryOp, UnaryOp

__all__ = ["Layout", "Matrix", "Program", "Spec", "UpdateRule", "emit", "groups_differ", "sum_in_order"]

sum_in_order: Callable[..., Any]
if sys.version_info < (3, 12):
    # Python < 3.12's sum adds floats one by one, in order, as the engine's backward adds contributions: the C
    # loop itself. sum_in_order(items, start) is sum(items, start).
    sum_in_order = sum
else:
    from functools import reduce
    from operator import add

    def sum_in_order(items: Any, start: float = 0.0) -> float:
        """The items added one by one from ``start``, as the engine's backward adds contributions (Python 3.12's
        ``sum`` compensates its rounding, which the engine does not).

        >>> sum_in_order([0.1, 0.2, 0.3], 0.0) == (0.1 + 0.2) + 0.3
        True
        """
        return reduce(add, items, start)


_ATOM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\[\]]*\])*$|^[0-9.]+(e[-+]?[0-9]+)?$")


def atom(expression: str) -> str:
    """``expression`` in parentheses unless it is a name, a subscript or an unsigned number."""
    return expression if _ATOM.match(expression) else f"({expression})"


def literal(x: float) -> str:
    """A float as Python source that evaluates to the same float (``inf``, ``nan`` are names in the namespace); an
    int (a class index) as itself."""
    if type(x) is int:
        return repr(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(float(x))


# ---------------------------------------------------------------------------------------------------------------
# Parameters and the optimizer's update, as the caller lays them out
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Matrix:
    """A layer's parameters: ``rows[j][i]`` (param indices) held as ``W{m}``, ``biases[j]`` as ``B{m}`` (or None).

    >>> Matrix(0, [[0, 1], [3, 4]], [2, 5], "layers.0").weights_name
    'W0'
    """

    index: int
    rows: list[list[int]]
    biases: list[int] | None
    name: str = ""  # user text: a comment only

    @property
    def weights_name(self) -> str:
        """The list of rows of weights in the code: ``W0``."""
        return f"W{self.index}"

    @property
    def bias_name(self) -> str:
        """The list of biases in the code: ``B0``."""
        return f"B{self.index}"


@dataclass
class Layout:
    """Where each parameter lives in the generated code: a matrix row, a bias list, or the list ``P``.

    >>> layout = Layout([Matrix(0, [[0, 1]], [2])], loose=[3])
    >>> layout.expression(1), layout.expression(2), layout.grad_expression(3), layout.containers()
    ('W0[0][1]', 'B0[0]', 'gP[0]', ['W0', 'B0', 'P'])
    """

    matrices: list[Matrix] = field(default_factory=list)
    loose: list[int] = field(default_factory=list)
    where: dict[int, tuple] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for m in self.matrices:
            for j, row in enumerate(m.rows):
                for i, p in enumerate(row):
                    self.where[p] = ("w", m.index, j, i)
            for j, p in enumerate(m.biases or ()):
                self.where[p] = ("b", m.index, j)
        for i, p in enumerate(self.loose):
            self.where[p] = ("p", i)

    def expression(self, p: int) -> str:
        """Parameter ``p`` in the code."""
        place = self.where[p]
        if place[0] == "w":
            return f"W{place[1]}[{place[2]}][{place[3]}]"
        if place[0] == "b":
            return f"B{place[1]}[{place[2]}]"
        return f"P[{place[1]}]"

    def grad_expression(self, p: int) -> str:
        """The gradient list entry of parameter ``p`` (where gradients are kept in lists)."""
        place = self.where[p]
        if place[0] == "w":
            return f"gW{place[1]}[{place[2]}][{place[3]}]"
        if place[0] == "b":
            return f"gB{place[1]}[{place[2]}]"
        return f"gP[{place[1]}]"

    def gather(self, params: Sequence[int]) -> str | None:
        """An expression for the list of these parameters, when it is whole matrices (each neuron's weights then
        its bias, as ``Module.parameters()`` lists them) and the loose list, in some order; else None."""
        blocks: dict[int, tuple[list[int], str]] = {}
        for m in self.matrices:
            if m.biases is None:
                flat = [p for row in m.rows for p in row]
                blocks[flat[0]] = (flat, f"[v for row in {m.weights_name} for v in row]")
            else:
                flat = [p for row, b in zip(m.rows, m.biases) for p in (*row, b)]
                blocks[flat[0]] = (flat, f"[v for row, b in zip({m.weights_name}, {m.bias_name}) for v in (*row, b)]")
        if self.loose:
            blocks[self.loose[0]] = (list(self.loose), "P")
        parts, i = [], 0
        params = list(params)
        while i < len(params):
            found = blocks.get(params[i])
            if found is None or params[i : i + len(found[0])] != found[0]:
                return None
            parts.append(found[1])
            i += len(found[0])
        return " + ".join(parts) if parts else None

    def containers(self) -> list[str]:
        """The lists the code takes as arguments, in order."""
        names = []
        for m in self.matrices:
            names.append(m.weights_name)
            if m.biases is not None:
                names.append(m.bias_name)
        names.append("P")
        return names


@dataclass(frozen=True)
class UpdateRule:
    """An optimizer's update of one parameter ``w`` from its gradient ``g``, as ordered assignments.

    ``scalars``: per-call numbers (``lr``); ``states``: per-parameter buffers laid out like the parameters;
    ``steps``: ``(target, expression)`` with target ``"g"``, ``"w"`` or a state name; ``plain``: the update is
    ``w - lr * g`` and skips a zero gradient (SGD without momentum or weight decay), which allows the fast paths.

    >>> momentum = UpdateRule(("lr", "m"), ("v",), (("v", "m * v + g"), ("w", "w - lr * v")))
    >>> momentum.steps[-1]
    ('w', 'w - lr * v')
    """

    scalars: tuple[str, ...]
    states: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]
    plain: bool = False
    names: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Unit:
    """Nodes emitted together; ``nodes`` in their order in the unit (a layer's rows, a softmax's outputs)."""

    nodes: list[Node]
    kind: str  # "node", "layer", "map", "multi"
    name: str = ""  # the variable of a vector unit
    matrix: Matrix | None = None  # a layer's parameters
    inputs: list[Ref] = field(default_factory=list)  # a layer's (or a map's, a multi's) input list
    relu: bool = False

    @property
    def vector(self) -> bool:
        return self.kind != "node"


@dataclass
class Program:
    """The generated function: its source, the names its namespace needs, and how it was planned.

    >>> import autograd
    >>> f = autograd.compile(lambda x: x * x)
    >>> _ = f(3.0)
    >>> f.program.plan, f.program.arguments
    ('unrolled', ['x0', 'ext'])
    """

    source: str
    names: dict[str, Any]
    plan: str  # "loop", "unrolled" or "node by node"
    arguments: list[str]


@dataclass
class Spec:
    """What to emit.

    - ``examples``: 0 for a function of ``arguments`` numbers (``def f(x0, x1, ...)``, returning the value and the
      gradient of each argument); N >= 1 for a training step over a batch of N examples ``(x, y)``;
    - ``grad_kinds``: the leaves whose gradients are wanted (``{"input"}`` for a function, ``{"param"}`` for a step);
    - ``layout``: where the parameters live; ``rule``: the optimizer's update (None: return the gradients);
    - ``outputs``: per example, the refs of the model's outputs (returned too, for accuracy; or alone, for
      inference with ``forward_only``); ``single_output``: an output is one number, not a list;
    - ``title``: what the function is (a comment); ``labels``: safe comments for argument names.

    >>> Spec(arguments=2).grad_kinds
    frozenset({'input'})
    """

    examples: int = 0
    arguments: int = 0
    grad_kinds: frozenset = frozenset({"input"})
    layout: Layout = field(default_factory=Layout)
    rule: UpdateRule | None = None
    outputs: list[list[Ref]] = field(default_factory=list)
    single_output: bool = False
    forward_only: bool = False
    input_size: int = 0
    title: str = ""
    argument_labels: list[str] = field(default_factory=list)
    report: Ref | None = None  # the value to return, if not the root (the data loss, without a penalty)
    fixed_targets: bool = False  # the targets are this batch's numbers, folded in: no loop over the examples
    #: Nodes 0 to ``trusted - 1`` are the examples' passes through library code that makes one graph shape for any
    #: example (nn's own layers), example k's being those from ``trusted_starts[k]`` on: their shapes need not be
    #: compared, nor what they depend on worked out.
    trusted: int = 0
    trusted_starts: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Examples: which nodes belong to one example, and whether every example's nodes have the same shape
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Segments:
    prologue: list[int]  # depend on no example
    segments: list[list[int]]  # segments[k]: the nodes of example k only, in the order made
    epilogue: list[int]  # gather several examples
    position: dict[int, tuple[int, int]]  # node -> (example, position in its segment)


def _example_refs(ref: Ref) -> int:
    if ref[0] in ("input", "target"):
        return 1 << ref[1]
    return 0


def _context_refs(node: Node) -> list[Ref]:
    context = node.context
    if isinstance(node.op, BinaryOp) and context is not None:
        return [context[1]]
    if node.name == "cross_entropy":
        return [context]
    return []


def _segments(graph: Graph, examples: int, trusted: int = 0, starts: Sequence[int] = ()) -> Segments | None:
    """The nodes of each example, or None when there are fewer than 2; raises :class:`_Differs` when the examples'
    graphs differ in shape."""
    if examples < 2:
        return None
    cached = graph.cache.get(("segments", examples))
    if cached is not None:
        if isinstance(cached, _Differs):
            raise cached
        return cached
    try:
        found = _find_segments(graph, examples, trusted, starts)
    except _Differs as differs:
        graph.cache[("segments", examples)] = differs
        raise
    graph.cache[("segments", examples)] = found
    return found


def _find_segments(graph: Graph, examples: int, trusted: int = 0, starts: Sequence[int] = ()) -> Segments:
    depends: list[int] = []
    if trusted:  # each example's pass through the library's layers depends on that example alone
        bounds = [*starts, trusted]
        for k in range(len(starts)):
            depends.extend([1 << k] * (bounds[k + 1] - bounds[k]))
    list_masks: dict[int, int] = {}  # a layer's input list is shared by its rows: its mask is found once

    def mask_of(refs: Sequence[Ref]) -> int:
        mask = 0
        for ref in refs:
            kind = ref[0]
            if kind == "node":
                mask |= depends[ref[1]]
            elif kind == "input" or kind == "target":
                mask |= 1 << ref[1]
        return mask

    for node in graph.nodes[trusted:]:
        if node.name in ("dot", "relu_dot"):
            weights, inputs, bias = node.context
            mask = list_masks.get(id(inputs))
            if mask is None:
                mask = list_masks[id(inputs)] = mask_of(inputs)
            if weights and weights[0][0] != "param":
                mask |= mask_of(weights)
            depends.append(mask | mask_of((bias,)))
            continue
        depends.append(mask_of(node.parents) | mask_of(_context_refs(node)))
    prologue, epilogue = [], []
    segments: list[list[int]] = [[] for _ in range(examples)]
    for node, mask in zip(graph.nodes, depends):
        if mask == 0:
            prologue.append(node.index)
        elif mask & (mask - 1):
            epilogue.append(node.index)
        else:
            segments[mask.bit_length() - 1].append(node.index)
    position = {i: (k, p) for k, segment in enumerate(segments) for p, i in enumerate(segment)}
    nodes = graph.nodes
    first = segments[0]
    same_lists: set[tuple[int, int]] = set()  # (id of a list, id of example 0's list) found alike
    for k in range(1, examples):
        if len(segments[k]) != len(first):
            raise _Differs(k, len(first), len(segments[k]))
        for p, i in enumerate(segments[k]):
            if i >= trusted and not _same_shape(nodes[i], nodes[first[p]], position, k, same_lists):
                raise _Differs(k, p, nodes[i])
    return Segments(prologue, segments, epilogue, position)


class _Differs(Exception):  # noqa: N818 - a signal between the planner's parts, never raised to a user
    """Example k's graph differs from example 0's."""


def _same_shape(
    node: Node, first: Node, position: Mapping[int, tuple[int, int]], k: int, same_lists: set[tuple[int, int]]
) -> bool:
    """Whether example k's node has the shape of example 0's node at the same place."""
    if node.op is not first.op:
        return False

    def same(ref: Ref, ref0: Ref) -> bool:
        if ref is ref0 and ref[0] not in ("node", "input", "target"):
            return True  # one parameter, external or constant ref object (shared by the examples' rows)
        kind = ref[0]
        if kind != ref0[0]:
            return False
        if kind == "node":
            where, where0 = position.get(ref[1]), position.get(ref0[1])
            if where is None or where0 is None:
                return ref == ref0
            return where[0] == k and where0[0] == 0 and where[1] == where0[1]
        if kind == "input" or kind == "target":
            return ref[1] == k and ref0[1] == 0 and ref[2] == ref0[2]
        if kind == "const":
            return bits(ref[1]) == bits(ref0[1])
        return ref == ref0

    context, context0 = node.context, first.context
    if node.name in ("dot", "relu_dot"):
        weights, inputs, bias = context
        weights0, inputs0, bias0 = context0
        if len(weights) != len(weights0) or len(inputs) != len(inputs0):
            return False
        if weights is not weights0 and weights != weights0 and not all(map(same, weights, weights0)):
            return False
        if inputs is not inputs0 and (id(inputs), id(inputs0)) not in same_lists:
            if not all(map(same, inputs, inputs0)):
                return False
            same_lists.add((id(inputs), id(inputs0)))
        return same(bias, bias0)
    if len(node.parents) != len(first.parents) or not all(map(same, node.parents, first.parents)):
        return False
    if isinstance(node.op, UnaryOp):
        return all(map(same, context, context0))
    if isinstance(node.op, BinaryOp):
        if context is None or context0 is None:
            return context is context0
        return context[0] == context0[0] and same(context[1], context0[1])
    if node.name == "cross_entropy":
        return same(context, context0)
    return context == context0


def groups_differ(graph: Graph, groups: Sequence[Sequence[int]]) -> str | None:
    """Why the groups of nodes (each example's pass through the model) differ in shape (a message), or None.
    A node of group k may read the nodes of group k and nodes outside every group; inputs ``("input", k, j)``.

    >>> from autograd import OPS
    >>> from autograd.compiler.graph import Graph, Node
    >>> tanh, relu = OPS["tanh"], OPS["relu"]
    >>> nodes = [Node(0, tanh, [("input", 0, 0)], (), 0.0, ""), Node(1, relu, [("input", 1, 0)], (), 0.0, "")]
    >>> graph = Graph(nodes, [])
    >>> groups_differ(graph, [[0], [1]])
    "example 1's node 0 (relu) differs from example 0's (tanh)"
    """
    position = {i: (k, p) for k, group in enumerate(groups) for p, i in enumerate(group)}
    same_lists: set[tuple[int, int]] = set()
    nodes = graph.nodes
    for k in range(1, len(groups)):
        if len(groups[k]) != len(groups[0]):
            return f"example {k}'s pass makes {len(groups[k])} nodes where example 0's makes {len(groups[0])}"
        for p, (i, i0) in enumerate(zip(groups[k], groups[0])):
            if not _same_shape(nodes[i], nodes[i0], position, k, same_lists):
                return f"example {k}'s node {p} ({nodes[i].name}) differs from example 0's ({nodes[i0].name})"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Units: which nodes are emitted together
# ---------------------------------------------------------------------------------------------------------------
def _layer_row(node: Node, layout: Layout) -> tuple[int, int] | None:
    """``(matrix, row)`` when the dot node's weights are row ``j`` of a matrix (in order) and its bias that row's."""
    weights, _, bias = node.context
    if not weights or weights[0][0] != "param":
        return None
    place = layout.where.get(weights[0][1])
    if place is None or place[0] != "w":
        return None
    _, m, j, _ = place
    matrix = layout.matrices[m]
    if len(weights) != len(matrix.rows[j]) or any(w != ("param", p) for w, p in zip(weights, matrix.rows[j])):
        return None
    if matrix.biases is None:
        return (m, j) if bias == ("const", 0.0) else None
    return (m, j) if bias == ("param", matrix.biases[j]) else None


def form_units(nodes: Sequence[Node], layout: Layout, vectors: bool) -> list[Unit]:
    """The units of ``nodes`` (one block, in the order made), in an order that respects their dependencies."""
    units: list[Unit] = []
    unit_of: dict[int, Unit] = {}
    if vectors:
        layers: dict[tuple, list[tuple[int, Node]]] = {}
        for node in nodes:
            if node.name in ("dot", "relu_dot"):
                row = _layer_row(node, layout)
                if row is not None:
                    key = (node.name, row[0], tuple(node.context[1]))
                    layers.setdefault(key, []).append((row[1], node))
        for (name, m, inputs), rows in layers.items():
            if [j for j, _ in rows] == list(range(len(layout.matrices[m].rows))):
                unit = Unit([n for _, n in rows], "layer", matrix=layout.matrices[m], inputs=list(inputs))
                unit.relu = name == "relu_dot"
                units.append(unit)
                for n in unit.nodes:
                    unit_of[n.index] = unit
        # element-wise ops over a whole vector unit, and softmax-like ops with several outputs
        grown = True
        while grown:
            grown = False
            maps: dict[tuple, list[Node]] = {}
            multis: dict[tuple, list[Node]] = {}
            for node in nodes:
                if node.index in unit_of:
                    continue
                if isinstance(node.op, UnaryOp) and node.parents[0][0] == "node":
                    source = unit_of.get(node.parents[0][1])
                    if source is not None:
                        map_key: tuple = (id(source), node.name, tuple(bits(r[1]) for r in node.context))
                        maps.setdefault(map_key, []).append(node)
                elif node.name in ("softmax", "log_softmax"):
                    multis.setdefault((node.name, tuple(node.parents)), []).append(node)
            for group in maps.values():
                source = unit_of[group[0].parents[0][1]]
                if [n.parents[0] for n in group] == [("node", s.index) for s in source.nodes]:
                    unit = Unit(group, "map", inputs=[("node", s.index) for s in source.nodes])
                    units.append(unit)
                    for n in group:
                        unit_of[n.index] = unit
                    grown = True
            for (_, parents), group in multis.items():
                if [n.context for n in group] == list(range(len(parents))) and len(group) == len(parents):
                    unit = Unit(group, "multi", inputs=list(parents))
                    units.append(unit)
                    for n in group:
                        unit_of[n.index] = unit
                    grown = True
    for node in nodes:
        if node.index not in unit_of:
            unit = Unit([node], "node")
            units.append(unit)
            unit_of[node.index] = unit
    units.sort(key=lambda u: max(n.index for n in u.nodes))
    done: set[int] = set()
    for unit in units:  # every parent made by an earlier unit (or outside this block)
        for node in unit.nodes:
            for parent in node.parents:
                maker = unit_of.get(parent[1]) if parent[0] == "node" else None
                if maker is not None and maker is not unit and id(maker) not in done:
                    return form_units(nodes, layout, False) if vectors else units
        done.add(id(unit))
    return units


# ---------------------------------------------------------------------------------------------------------------
# The plan: units per block, the order of the backward pass, and the check against the engine's order
# ---------------------------------------------------------------------------------------------------------------
class _OrderDiffers(Exception):  # noqa: N818 - as _Differs
    """The plan would add some gradient's contributions in another order than the engine."""


def _one_run(order: Sequence[int], block_of: Mapping[int, str]) -> bool:
    """Whether the loop's nodes make one unbroken run of ``order``."""
    state = 0  # 0: before the loop, 1: in it, 2: after it
    for n in order:
        inside = block_of[n] == "loop"
        if inside and state == 2:
            return False
        if inside:
            state = 1
        elif state == 1:
            state = 2
    return True


def _range_text(order: Sequence[int]) -> str:
    n = len(order)
    if list(order) == list(range(n)):
        return f"range({n})"
    if list(order) == list(range(n - 1, -1, -1)):
        return f"range({n - 1}, -1, -1)"
    return repr(tuple(order))


class Plan:
    """Units per block, each unit's nodes in the engine's backward order, and the order of the backward pass."""

    def __init__(self, graph: Graph, spec: Spec, vectors: bool, loop: bool) -> None:
        self.graph, self.spec = graph, spec
        self.r_position = {n: i for i, n in enumerate(graph.backward_order)}
        self.segments = _segments(graph, spec.examples, spec.trusted, spec.trusted_starts) if loop else None
        nodes = graph.nodes
        layout = spec.layout
        if self.segments is None:
            self.blocks = {"main": form_units(nodes, layout, vectors)}
        else:
            s = self.segments
            self.blocks = {
                "prologue": form_units([nodes[i] for i in s.prologue], layout, vectors),
                "loop": form_units([nodes[i] for i in s.segments[0]], layout, vectors),
                "epilogue": form_units([nodes[i] for i in s.epilogue], layout, vectors),
            }
        self.unit_of: dict[int, Unit] = {}
        self.block_of: dict[int, str] = {}
        for block, units in self.blocks.items():
            for unit in units:
                for node in unit.nodes:
                    self.unit_of[node.index] = unit
                    self.block_of[node.index] = block
        if self.segments is not None:
            for segment in self.segments.segments[1:]:
                for i in segment:
                    self.block_of[i] = "loop"
        if spec.forward_only:
            self.backward_units: list[Any] = []
            self.example_order: list[int] = []
            return
        self._order_units()
        self._check()

    def internal(self, unit: Unit) -> list[Node]:
        """The unit's nodes in the engine's backward order (example 0's, for a unit of the loop)."""
        return sorted(unit.nodes, key=lambda n: self.r_position[n.index])

    def _copy(self, i: int, k: int) -> int:
        """The node at example 0's node i's position in example k."""
        assert self.segments is not None
        return self.segments.segments[k][self.segments.position[i][1]]

    def _order_units(self) -> None:
        """The backward order: each unit where the engine reaches its last node; the loop where it first reaches an
        example."""
        items: list[Any] = []
        units = list({id(u): u for u in self.unit_of.values()}.values())
        self.units_list = units
        remaining = {id(u): len(u.nodes) for u in units}
        loop_k: list[int] = []
        looped = False
        position_k = self.segments.position if self.segments else {}
        for n in self.graph.backward_order:
            if self.block_of[n] == "loop":
                k = position_k[n][0]
                if not loop_k or loop_k[-1] != k:
                    loop_k.append(k)
                if not looped:
                    items.append("loop")
                    looped = True
                continue
            unit = self.unit_of[n]
            remaining[id(unit)] -= 1
            if remaining[id(unit)] == 0:  # its last node: every consumer of every node of it is done
                items.append(unit)
        self.backward_units = items
        self.example_order = loop_k
        loop_rank: dict[int, int] = {}
        if self.segments is not None:
            n = len(self.segments.segments)
            if sorted(loop_k) != list(range(n)):  # the engine goes back and forth between examples
                raise _OrderDiffers
            loop_units = self.blocks["loop"]
            last = {id(u): max(self.r_position[x.index] for x in u.nodes) for u in loop_units}
            self.loop_backward = sorted(loop_units, key=lambda u: last[id(u)])
            loop_rank = {id(u): r for r, u in enumerate(self.loop_backward)}
        # each unit's consumers come earlier in the backward pass
        order: dict[int, int] = {}
        for position, item in enumerate(items):
            if item == "loop":
                for unit in self.blocks.get("loop", []):
                    order[id(unit)] = position
            else:
                order[id(item)] = position
        consumers = self.graph.consumers(sorted(self.unit_of))
        for unit in units:
            mine = order[id(unit)]
            in_loop = self.block_of[unit.nodes[0].index] == "loop"
            for node in unit.nodes:
                for c in consumers.get(("node", node.index), ()):
                    consumer = self.unit_of.get(c)
                    if consumer is None:
                        continue  # a node of another example: checked by the order of contributions
                    if consumer is unit:
                        raise _OrderDiffers
                    theirs = order[id(consumer)]
                    if theirs > mine or (theirs == mine and in_loop and loop_rank[id(consumer)] > loop_rank[id(unit)]):
                        raise _OrderDiffers

    def _sequence(self, examples: Collection[int] | None = None) -> list[int]:
        """Node indices in the order the plan's backward pass applies their edges (only these examples' copies of
        the loop's nodes, when given)."""
        sequence: list[int] = []
        for item in self.backward_units:
            if item == "loop":
                for k in self.example_order:
                    if examples is not None and k not in examples:
                        continue
                    for unit in self.loop_backward:
                        sequence.extend(self._copy(n.index, k) if k else n.index for n in self.internal(unit))
            else:
                sequence.extend(n.index for n in self.internal(item))
        return sequence

    def _check(self) -> None:
        """Every accumulated gradient gets its contributions in the engine's order: walking the engine's order,
        each gradient's contributions must come at increasing places of the plan's. A layer row's weights all
        get theirs from the same nodes, so they are checked as one (with any other contribution to one of them)."""
        order = self.graph.backward_order
        if self.segments is not None and len(self.example_order) > 2:
            # The loop's nodes are one run of the engine's order, example after example, each in one pattern (the
            # examples' graphs have one shape, and the engine's depth-first sort walks each alike): checking the
            # first two examples with everything outside the loop checks every example.
            first_two = set(self.example_order[:2])
            position = self.segments.position
            if not _one_run(order, self.block_of):
                raise _OrderDiffers

            def kept(n: int) -> bool:
                where = position.get(n)
                return where is None or where[0] in first_two

            order = [n for n in order if kept(n)]
            sequence = self._sequence(first_two)
        else:
            sequence = self._sequence()
        if len(sequence) != len(order) or set(sequence) != set(order):
            raise _OrderDiffers
        place = {n: i for i, n in enumerate(sequence)}
        kinds = self.spec.grad_kinds
        nodes = self.graph.nodes
        layout = self.spec.layout
        row_of: dict[Ref, tuple] = {}
        rows: dict[Ref, list[Ref]] = {}
        for m in layout.matrices:
            for j, row in enumerate(m.rows):
                refs = [("param", p) for p in row]
                rows[refs[0]] = refs
                for r in refs:
                    row_of[r] = ("row", m.index, j)
        last: dict[Any, int] = {}
        get = last.get
        for n in order:
            here = place[n]
            node = nodes[n]
            parents: Any = node.parents
            if node.name in ("dot", "relu_dot"):
                weights = node.context[0]
                if weights and rows.get(weights[0]) == weights:
                    key = row_of[weights[0]]
                    before = get(key)
                    if before is not None and before > here:
                        raise _OrderDiffers
                    last[key] = here
                    parents = parents[len(weights) :]
            for parent in parents:
                if parent[0] == "node" or parent[0] in kinds:
                    key = row_of.get(parent, parent)
                    before = get(key)
                    if before is not None and before > here:
                        raise _OrderDiffers
                    last[key] = here

    def compact(self) -> list[int]:
        """The plan's order with the loop written once (example 0's nodes): what the code does, once each."""
        found: list[int] = []
        for item in self.backward_units:
            if item == "loop":
                for unit in self.loop_backward:
                    found.extend(n.index for n in self.internal(unit))
            else:
                found.extend(n.index for n in self.internal(item))
        return found


# ---------------------------------------------------------------------------------------------------------------
# Writing the code
# ---------------------------------------------------------------------------------------------------------------
def _fill(text: str, **values: str) -> str:
    """A template with its holes filled (``{x}``, ``{out}``, ...): plain replacement, no format mini-language."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    if re.search(r"\{[a-z_0-9]+\}", text):
        raise CompileError(f"compile: a template hole was left unfilled in {text!r}")
    return text


def _edge_rule(formula: str, edge: int) -> str:
    """The part of a binary op's formula about one operand (``d(a*b)/db = a``), else the whole formula."""
    parts = re.split(r",\s*(?=d)", formula)
    return parts[edge] if len(parts) == 2 else formula


def _times(local: str, upstream: str) -> str:
    """``local * upstream`` as the engine computes it; 1.0 and -1.0 written out (the same float either way)."""
    if local == "1.0":
        return upstream
    if local == "-1.0":
        return f"-{atom(upstream)}"
    return f"{atom(local)} * {atom(upstream)}"


def _uses(expression: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){name}(?!\w)", expression) is not None


def _substitute(expression: str, names: Mapping[str, str]) -> str:
    for name, value in names.items():
        expression = re.sub(rf"(?<![\w.]){name}(?!\w)", value.replace("\\", "\\\\"), expression)
    return expression


class _UpdateMixin:
    """The optimizer's update, written after the backward pass (part of :class:`Writer`)."""

    def _square(self: Any, node: Node) -> bool:
        """A dot of a list with itself (``l2_penalty``): each parameter p gets ``p * upstream`` twice."""
        if node.name != "dot":
            return False
        weights, inputs, bias = node.context
        return weights == inputs and bias[0] == "const" and all(w[0] == "param" for w in weights)

    def _in_fast(self: Any, p: int) -> bool:
        place = self.layout.where.get(p)
        return place is not None and place[0] in ("w", "b") and place[1] in self.fast

    def _choose_fast_matrices(self: Any) -> None:
        """Which matrices' gradients come only from their layer's rows (and an L2 penalty): those are updated
        straight from the layer's ``d`` (and the inputs it kept), with no gradient lists."""
        plan = self.plan
        by_param: dict[int, list[tuple]] = {}
        for n in plan.compact():
            node = self.nodes[n]
            unit = plan.unit_of.get(n)
            part: tuple
            if unit is not None and unit.kind == "layer":
                part = ("loop", id(unit)) if plan.block_of[n] == "loop" else ("layer", id(unit))
            elif unit is not None and unit.kind == "node" and self._square(node):
                part = ("square", n)
            else:
                part = ("other",)
            for parent in node.parents:
                if parent[0] != "param":
                    continue
                parts = by_param.setdefault(parent[1], [])
                if not (part[0] == "loop" and parts and parts[-1] == part):
                    parts.append(part)
        for matrix in self.layout.matrices:
            params = [p for row in matrix.rows for p in row] + list(matrix.biases or ())
            patterns = {tuple(by_param.get(p, ())) for p in params}
            if len(patterns) != 1:
                continue
            (pattern,) = patterns
            layers = [part for part in pattern if part[0] in ("layer", "loop")]
            squares = [part for part in pattern if part[0] == "square"]
            if len(layers) != 1 or len(pattern) not in (1, 3) or any(part[0] == "other" for part in pattern):
                continue
            if squares and (len(squares) != 2 or squares[0] != squares[1] or pattern[1] != squares[0]):
                continue
            unit = next(u for u in plan.unit_of.values() if id(u) == layers[0][1])
            before = squares[0][1] if squares and pattern[0][0] == "square" else None
            after = squares[0][1] if squares and pattern[-1][0] == "square" else None
            self.fast.add(matrix.index)
            self.parts[matrix.index] = (layers[0][0], unit, before, after)

    def _steps(self: Any, lines: Lines, w: str, g: str, states: Mapping[str, str], in_place: bool) -> None:
        """The rule's steps on one list of parameters ``w`` (a row, or a whole list with ``in_place``)."""
        rule = self.spec.rule
        sources = {"w": w, "g": g, **states}
        for target, expression in rule.steps:
            used = [name for name in sources if _uses(expression, name)]
            zipped = sources[used[0]] if len(used) == 1 else f"zip({', '.join(sources[name] for name in used)})"
            comprehension = f"[{expression} for {', '.join(used)} in {zipped}]"
            if target == "g":
                lines.add(f"grads = {comprehension}")
                sources["g"] = "grads"
                continue
            place = sources[target]
            lines.add(f"{place}[:] = {comprehension}" if in_place else f"{place} = {comprehension}")

    def _scalar_steps(self: Any, lines: Lines, w: str, g: str, states: Mapping[str, str]) -> None:
        rule = self.spec.rule
        names = {"w": w, "g": atom(g), **states}
        for target, expression in rule.steps:
            value = _substitute(expression, names)
            if target == "g":
                lines.add(f"grad = {value}")
                names["g"] = "grad"
            else:
                lines.add(f"{names[target]} = {value}")

    def _state_rows(self: Any, container: str, row: str) -> dict[str, str]:
        return {state: f"{state}{container}{row}" for state in self.spec.rule.states}

    def update(self: Any, lines: Lines) -> None:
        rule = self.spec.rule
        lines.blank()
        terms = self._gradient_terms()
        if terms:
            lines.add(f"made_from = {' + '.join(terms)}", "every gradient is made from these numbers")
            with lines.block("if not made_from - made_from == 0.0:", "inf or nan: stop before any weight changes"):
                lines.add("return loss, None" if self.spec.outputs else "return None")
        lines.note("update: " + "; ".join(f"{t} = {e}" for t, e in rule.steps))
        for matrix in self.layout.matrices:
            if matrix.index in self.fast:
                self._fast_update(matrix, lines)
            else:
                self._listed_update(matrix, lines)
        self._loose_update(lines)

    def _gradient_terms(self: Any) -> list[str]:
        """Sums of the numbers every parameter's gradient is made from (products and sums of them): a layer's d
        vectors and its inputs (the examples' inputs are finite, checked before the call), the gradient lists, and
        the penalty's part. Their total is finite when each is (or it overflowed: then the step stops as well)."""
        terms: list[str] = []
        for matrix in self.layout.matrices:
            if matrix.index in self.fast:
                kind, unit, before, after = self.parts[matrix.index]
                square = before if before is not None else after
                u = self.grad_of(self.nodes[square]) if square is not None else None
                if u is not None:
                    terms.append(u)
                if kind == "loop":
                    inputs_kept, d_kept = self.kept_names(unit)
                    terms.append(f"sum(map(sum, {d_kept}))")
                    if not (unit.inputs and unit.inputs[0][0] == "input"):
                        terms.append(f"sum(map(sum, {inputs_kept}))")
                    continue
                g = self.grad_of(unit)
                if g is not None:
                    terms.append(f"sum({g})")
                    if not (unit.inputs and unit.inputs[0][0] == "input"):
                        terms.append(f"sum({self.vector(unit.inputs)})")
            elif not self.spec.rule.plain or self._matrix_wanted(matrix):
                terms.append(f"sum(map(sum, g{matrix.weights_name}))")
                if matrix.biases is not None:
                    terms.append(f"sum(g{matrix.bias_name})")
        if self.layout.loose and (not self.spec.rule.plain or any(self.wants(("param", p)) for p in self.layout.loose)):
            terms.append("sum(gP)")
        return list(dict.fromkeys(terms))

    def _matrix_wanted(self: Any, matrix: Matrix) -> bool:
        params = [p for row in matrix.rows for p in row] + list(matrix.biases or ())
        return any(self.wants(("param", p)) for p in params)

    def _listed_update(self: Any, matrix: Matrix, lines: Lines) -> None:
        rule = self.spec.rule
        if rule.plain and not self._matrix_wanted(matrix):
            return  # no gradient: SGD leaves it as it is
        w_name, b_name = matrix.weights_name, matrix.bias_name
        label = f"layer {quoted(matrix.name)}" if matrix.name else "layer"
        with lines.block(f"for j in range({len(matrix.rows)}):", f"{label}: every weight from its gradient"):
            self._steps(lines, f"{w_name}[j]", f"g{w_name}[j]", self._state_rows(w_name, "[j]"), False)
        if matrix.biases is not None:
            self._steps(lines, b_name, f"g{b_name}", self._state_rows(b_name, ""), True)

    def _loose_update(self: Any, lines: Lines) -> None:
        rule = self.spec.rule
        if not self.layout.loose:
            return
        if rule.plain and not any(self.wants(("param", p)) for p in self.layout.loose):
            return
        self._steps(lines, "P", "gP", self._state_rows("P", ""), True)

    def _fast_update(self: Any, matrix: Matrix, lines: Lines) -> None:
        kind, unit, before, after = self.parts[matrix.index]
        rule = self.spec.rule
        w_name, b_name = matrix.weights_name, matrix.bias_name
        has_bias = matrix.biases is not None
        rows, size = len(matrix.rows), len(unit.inputs)
        name = self.unit_var[id(unit)]
        label = f"layer {quoted(matrix.name)}" if matrix.name else "layer"
        square = before if before is not None else after
        u = self.grad_of(self.nodes[square]) if square is not None else None
        if square is not None and u is None:
            square = before = after = None  # the penalty's gradient never arrived

        def with_squares(core: str | None, own: str) -> str:
            """The gradient: the layer's part and the penalty's two parts, in the engine's order."""
            twice = f"{own} * {u} + {own} * {u}"
            if square is None:
                return (core or "0.0").replace("START", "0.0")
            if core is None:
                return twice
            if before is not None:
                return core.replace("START", twice)
            return f"{core.replace('START', '0.0')} + {twice}"

        if kind == "loop":
            inputs_kept, d_kept = self.kept_names(unit)
            lines.add(
                f"columns = list(zip(*{inputs_kept})) or [()] * {size}", f"{label}: each input over the kept examples"
            )
            lines.add(f"d_columns = list(zip(*{d_kept})) or [()] * {rows}")
            grad_w = with_squares("sum_in_order(map(mul, dc, xc), START)", "w")
            grad_b = with_squares("sum_in_order(dc, START)", f"{b_name}[j]")
            with lines.block(
                "for j, dc in enumerate(d_columns):", f"{label}: d loss / d w_ji = sum over examples of d_j x_i"
            ):
                if rule.plain and square is None:
                    with lines.block("if any(dc):"):
                        lines.add(f"{w_name}[j] = [w - lr * {grad_w} for w, xc in zip({w_name}[j], columns)]")
                        if has_bias:
                            lines.add(f"{b_name}[j] -= lr * {grad_b}")
                    return
                if rule.plain:
                    lines.add(f"{w_name}[j] = [w - lr * ({grad_w}) for w, xc in zip({w_name}[j], columns)]")
                    if has_bias:
                        lines.add(f"{b_name}[j] -= lr * ({grad_b})")
                    return
                lines.add(f"grow = [{grad_w} for w, xc in zip({w_name}[j], columns)]")
                self._steps(lines, f"{w_name}[j]", "grow", self._state_rows(w_name, "[j]"), False)
                if has_bias:
                    self._scalar_steps(lines, f"{b_name}[j]", grad_b, self._state_rows(b_name, "[j]"))
            return
        # one example, no loop: d is the layer's gradient list, x its input
        g = self.grad_of(unit)
        x = self.vector(unit.inputs)
        on = f"not {name}[j] <= 0.0" if unit.relu else ""
        if g is None:
            d_source, on = f"[0.0] * {rows}", "False"
        else:
            d_source = g
        grad_on = with_squares("START + xi * d" if before is not None else "xi * d", "w")
        grad_off = with_squares(None, "w")
        bias_on = with_squares("START + d" if before is not None else "d", f"{b_name}[j]")
        bias_off = with_squares(None, f"{b_name}[j]")
        with lines.block(f"for j, d in enumerate({d_source}):", f"{label}: d loss / d w_ji = d_j x_i"):
            if rule.plain and square is None:
                gate = unit.relu and g not in self.gated  # a gated d is 0.0 where the relu is off
                lines.add(f"if not d{' or ' + name + '[j] <= 0.0' if gate else ''}:", "no gradient: unchanged")
                lines.add("    continue")
                lines.add(f"{w_name}[j] = [w - lr * (xi * d) for w, xi in zip({w_name}[j], {x})]")
                if has_bias:
                    lines.add(f"{b_name}[j] -= lr * d")
                return
            if on == "False":  # no gradient reaches the layer: only the penalty's part (or nothing) moves it
                variants = [("", grad_off, bias_off)]
            elif on:
                variants = [(on, grad_on, bias_on), ("", grad_off, bias_off)]
            else:
                variants = [("", grad_on, bias_on)]
            for index, (condition, grad_w, grad_b) in enumerate(variants):
                header = f"if {condition}:" if condition else ("else:" if index else "")
                with lines.block(header) if header else _nothing():
                    if rule.plain:
                        lines.add(f"{w_name}[j] = [w - lr * ({grad_w}) for w, xi in zip({w_name}[j], {x})]")
                        if has_bias:
                            lines.add(f"{b_name}[j] -= lr * ({grad_b})")
                    else:
                        if grad_w == "0.0":
                            lines.add(f"grow = [0.0] * {size}")
                        else:
                            lines.add(f"grow = [{grad_w} for w, xi in zip({w_name}[j], {x})]")
                        self._steps(lines, f"{w_name}[j]", "grow", self._state_rows(w_name, "[j]"), False)
                        if has_bias:
                            self._scalar_steps(lines, f"{b_name}[j]", grad_b, self._state_rows(b_name, "[j]"))


class _nothing:  # noqa: N801 - a context manager that does nothing
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


class Writer(_UpdateMixin):
    """Writes the program of a :class:`Plan`."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.graph = plan.graph
        self.spec = plan.spec
        self.layout = plan.spec.layout
        self.nodes = plan.graph.nodes
        self.names: dict[str, Any] = {"mul": mul, "sum_in_order": sum_in_order, "inf": math.inf, "nan": math.nan}
        self.segments = plan.segments
        self.var: dict[int, str] = {}  # node index -> its variable (a scalar, or "name[j]" in a vector)
        self.unit_var: dict[int, str] = {}  # id(unit) -> the vector's variable
        self.has: set[str] = set()  # accumulators that exist
        self.pre_loop: list[str] = []  # accumulators of outer values first touched inside the loop
        self.batch_vectors: set[str] = set()  # per-example variables gathered for the epilogue
        self.block = "main"
        self.needs_grad = self._needs_grad()
        self.fast: set[int] = set()  # matrices updated from their layer units directly
        self.parts: dict[int, tuple] = {}  # matrix -> its gradient's parts
        self.vector_count = 0
        self.columns: dict[str, str] = {}  # a matrix's columns (transposed once per step), for input gradients
        self.pending: set[str] | None = None  # the loop's gradients made but not yet passed back (None: no loop)
        self.gated: set[str] = set()  # gradient lists already 0.0 wherever their relu is off (nothing added since)
        self.nonzero: str | None = None  # the gradient list just checked by `if not any(...): continue`
        self._name_units()
        if not self.spec.forward_only and self.spec.rule is not None:
            self._choose_fast_matrices()

    # ------------------------------------------------------------------------------------------- names
    def _needs_grad(self) -> set[Ref]:
        """The refs whose gradient is wanted: the leaves of the wanted kinds and every node on a path to one (for
        the loop, example 0's nodes stand for every example's: see :meth:`wants`)."""
        wanted: set[Ref] = set()
        kinds = self.spec.grad_kinds
        rep = self._rep
        for i in sorted(self.plan.unit_of):
            node = self.nodes[i]
            parents = node.parents
            if node.name in ("dot", "relu_dot") and "param" in kinds:
                weights = node.context[0]
                if weights and weights[0][0] == "param" and weights[-1][0] == "param":
                    wanted.update(weights)
                    wanted.add(("node", i))
                    parents = parents[len(weights) :]
            for p in parents:
                if p[0] in kinds:
                    wanted.add(p)
                    wanted.add(("node", i))
                elif p[0] == "node" and ("node", rep(p[1])) in wanted:
                    wanted.add(("node", i))
        return wanted

    def wants(self, ref: Ref) -> bool:
        """Whether ``ref``'s gradient is wanted."""
        if ref[0] == "node":
            return ("node", self._rep(ref[1])) in self.needs_grad
        return ref in self.needs_grad

    def _name_units(self) -> None:
        for block in self.plan.blocks.values():
            for unit in sorted(block, key=lambda u: u.nodes[0].index):
                if unit.kind == "node":
                    self.var[unit.nodes[0].index] = f"v{unit.nodes[0].index + 1}"
                    continue
                if unit.kind == "layer":
                    self.vector_count += 1
                    name = f"a{self.vector_count}" if unit.relu else f"z{self.vector_count}"
                elif unit.kind == "map":
                    source = self.unit_var[id(self.plan.unit_of[unit.inputs[0][1]])]
                    name = (
                        "a" + source[1:]
                        if source.startswith("z") and f"a{source[1:]}" not in self.unit_var.values()
                        else f"h{unit.nodes[0].index + 1}"
                    )
                else:
                    name = f"p{unit.nodes[0].index + 1}"
                self.unit_var[id(unit)] = name
                for j, node in enumerate(unit.nodes):
                    self.var[node.index] = f"{name}[{j}]"

    def _rep(self, i: int) -> int:
        """Example 0's node at the position of node i (itself when i is not in an example's nodes)."""
        if self.segments is None or i not in self.segments.position:
            return i
        return self.segments.segments[0][self.segments.position[i][1]]

    def _example(self, i: int) -> int | None:
        if self.segments is None or i not in self.segments.position:
            return None
        return self.segments.position[i][0]

    # ------------------------------------------------------------------------------------------- values
    def value(self, ref: Ref) -> str:
        kind = ref[0]
        if kind == "node":
            i = ref[1]
            k = self._example(i)
            if k is not None and self.block == "epilogue":
                return self._batch_value(i, k)
            return self.var[i]
        if kind == "input":
            if self.spec.examples == 0:
                return f"x{ref[2]}"
            return f"{self._x(ref[1])}[{ref[2]}]"
        if kind == "target":
            y = self._y(ref[1])
            return y if ref[2] is None else f"{y}[{ref[2]}]"
        if kind == "param":
            return self.layout.expression(ref[1])
        if kind == "external":
            return f"ext[{ref[1]}]"
        if kind == "const":
            return literal(ref[1])
        raise CompileError(f"compile: cannot read {ref!r}")

    def _x(self, k: int) -> str:
        return "x" if self.spec.examples == 1 or self.block == "loop" else f"x_{k}"

    def _y(self, k: int) -> str:
        return "y" if self.spec.examples == 1 or self.block == "loop" else f"y_{k}"

    def _batch_value(self, i: int, k: int) -> str:
        base = self.var[self._rep(i)]
        name, _, rest = base.partition("[")
        self.batch_vectors.add(name)
        return f"{name}s[{k}]" + (f"[{rest}" if rest else "")

    def vector(self, refs: Sequence[Ref]) -> str:
        """A list of refs as one expression: a vector's name, the example's input, a gathered list, or a display."""
        refs = list(refs)
        if refs and all(r[0] == "node" for r in refs):
            unit = self.plan.unit_of.get(self._rep(refs[0][1]))
            if unit is not None and unit.vector and len(unit.nodes) == len(refs):
                k = self._example(refs[0][1])
                if [self._rep(r[1]) for r in refs] == [n.index for n in unit.nodes] and all(
                    self._example(r[1]) == k for r in refs
                ):
                    name = self.unit_var[id(unit)]
                    if k is not None and self.block == "epilogue":
                        self.batch_vectors.add(name)
                        return f"{name}s[{k}]"
                    return name
            if self.segments is not None and self.block == "epilogue":
                first = self._rep(refs[0][1])
                if (
                    len(refs) == len(self.segments.segments)
                    and all(
                        self.segments.position.get(r[1]) == (k, self.segments.position.get(first, (0, -1))[1])
                        for k, r in enumerate(refs)
                    )
                    and "[" not in self.var[first]
                ):
                    self.batch_vectors.add(self.var[first])
                    return f"{self.var[first]}s"
        if len(refs) > 8 and all(r[0] == "param" for r in refs):
            gathered = self.layout.gather([r[1] for r in refs])
            if gathered is not None:
                return gathered
        if refs and all(r[0] == "input" for r in refs) and self.spec.examples:
            k = refs[0][1]
            if refs == [("input", k, j) for j in range(self.spec.input_size)]:
                return self._x(k)
        return "[" + ", ".join(self.value(r) for r in refs) + "]"

    # ------------------------------------------------------------------------------------------- grads
    def accumulator(self, ref: Ref) -> tuple[str, str, str | None]:
        """(element to add into, key of what must exist, the line that makes it when it does not)."""
        kind = ref[0]
        if kind == "input":
            return f"g_x{ref[2]}", f"g_x{ref[2]}", None
        if kind == "param":
            expression = self.layout.grad_expression(ref[1])
            return expression, "params", None
        i = ref[1]
        k = self._example(i)
        base = self.var[self._rep(i)]
        name, _, rest = base.partition("[")
        n_examples = len(self.segments.segments) if self.segments else 0
        if k is not None and self.block == "epilogue":
            if rest:
                size = len(self.plan.unit_of[self._rep(i)].nodes)
                key = f"g_{name}s"
                return f"{key}[{k}][{rest}", key, f"{key} = [[0.0] * {size} for _ in range({n_examples})]"
            key = f"g_{name}s"
            return f"{key}[{k}]", key, f"{key} = [0.0] * {n_examples}"
        if rest:
            size = len(self.plan.unit_of[i].nodes)
            return f"g_{name}[{rest}", f"g_{name}", f"g_{name} = [0.0] * {size}"
        return f"g_{name}", f"g_{name}", None

    def contribute(self, lines: Lines, ref: Ref, expression: str, condition: str = "", note: str = "") -> None:
        """``ref``'s gradient += ``expression`` (only when ``condition``), as the engine's chain rule adds it."""
        element, key, make = self.accumulator(ref)
        self.gated.discard(key)
        outer = self.block == "loop" and self._is_outer(ref)
        if key not in self.has:
            if outer:
                self.pre_loop.append(make or f"{element} = 0.0")
                self.has.add(key)
            elif make is not None:
                lines.add(make)
                self.has.add(key)
                if self.pending is not None:
                    self.pending.add(key)
            elif condition:
                lines.add(f"{element} = 0.0")
                self.has.add(key)
                if self.pending is not None:
                    self.pending.add(key)
            else:
                lines.add(f"{element} = {expression}", note)
                self.has.add(key)
                if self.pending is not None and not outer:
                    self.pending.add(key)
                return
        if condition:
            with lines.block(f"if {condition}:"):
                lines.add(f"{element} += {expression}", note)
        else:
            lines.add(f"{element} += {expression}", note)

    def _is_outer(self, ref: Ref) -> bool:
        """A value outside the loop (depends on no example): its gradient adds up over the examples."""
        return ref[0] == "node" and self._example(ref[1]) is None

    def grad_of(self, unit_or_node: Any) -> str | None:
        """The upstream gradient of a node (its variable) or a vector unit (its list), or None when it has none."""
        if isinstance(unit_or_node, Unit):
            key = f"g_{self.unit_var[id(unit_or_node)]}"
        else:
            key = f"g_{self.var[unit_or_node.index]}"
        return key if key in self.has else None

    # ------------------------------------------------------------------------------------------- op code
    def _use(self, op: Any) -> None:
        """Put the names the op's template calls into the namespace (the same object for one name)."""
        template = op.template
        if template is None:
            self._entry_function(op, "forward")
            self._entry_function(op, "derivative")
            return
        for name, thing in template.names.items():
            if name in self.names and self.names[name] is not thing and self.names[name] != thing:
                raise CompileError(f"compile: two ops give the name {name!r} different meanings")
            self.names[name] = thing

    def _entry_function(self, op: Any, part: str) -> str:
        name = f"{op.name}_{part}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise CompileError(f"compile: the op name {op.name!r} cannot name a function")
        self.names[name] = getattr(op, part)
        return name

    def _parameters(self, node: Node) -> list[str]:
        return [literal(r[1]) for r in node.context]

    def _elementwise_forward(self, node: Node, operands: Sequence[str]) -> str:
        op = node.op
        self._use(op)
        if op.template is None:
            arguments = [*operands, *self._parameters(node)] if isinstance(op, UnaryOp) else list(operands)
            return f"{self._entry_function(op, 'forward')}({', '.join(arguments)})"
        if isinstance(op, UnaryOp):
            holes = {"x": atom(operands[0])}
            holes.update({f"p{i}": atom(p) for i, p in enumerate(self._parameters(node))})
            return _fill(op.template.forward, **holes)
        return _fill(op.template.forward, a=atom(operands[0]), b=atom(operands[1]))

    def _local(self, node: Node, operands: Sequence[str], out: str, edge: int) -> tuple[str, str]:
        """(d out / d operand ``edge``, the condition under which any gradient passes ("" = always))."""
        op = node.op
        if op.template is None:
            function = self._entry_function(op, "derivative")
            if isinstance(op, UnaryOp):
                arguments = [operands[0], out, *self._parameters(node)]
                condition = ""
                if op.selects:
                    return f"{function}({', '.join(arguments)})", ""
                return f"{function}({', '.join(arguments)})", condition
            return f"{function}({operands[0]}, {operands[1]}, {out})[{edge}]", ""
        holes = {"out": atom(out)}
        if isinstance(op, UnaryOp):
            holes["x"] = atom(operands[0])
            holes.update({f"p{i}": atom(p) for i, p in enumerate(self._parameters(node))})
        else:
            holes["a"], holes["b"] = atom(operands[0]), atom(operands[1])
        local = _fill(op.template.derivative[edge], **holes)
        condition = _fill(op.template.passes, **holes) if op.template.passes else ""
        return local, condition

    def _operands(self, node: Node) -> list[str]:
        """The operands of an element-wise node: its parents' values, a folded constant in its place."""
        if isinstance(node.op, BinaryOp) and node.context is not None:
            position, constant = node.context
            mine = self.value(node.parents[0])
            other = self.value(constant)
            return [other, mine] if position == 0 else [mine, other]
        return [self.value(p) for p in node.parents]

    # ------------------------------------------------------------------------------------------- forward
    def forward(self, unit: Unit, lines: Lines) -> None:
        if unit.kind == "layer":
            self._layer_forward(unit, lines)
        elif unit.kind == "map":
            self._map_forward(unit, lines)
        elif unit.kind == "multi":
            self._multi_forward(unit, lines)
        else:
            self._node_forward(unit.nodes[0], lines)

    def _label(self, node: Node) -> str:
        return f"  {quoted(node.label)}" if node.label else ""

    def _node_forward(self, node: Node, lines: Lines) -> None:
        out = self.var[node.index]
        op = node.op
        if isinstance(op, UnaryOp | BinaryOp):
            lines.add(f"{out} = {self._elementwise_forward(node, self._operands(node))}", op.name + self._label(node))
            return
        self._use(op)
        if node.name in ("dot", "relu_dot"):
            weights, inputs, bias = node.context
            dot = _fill(self.graph_dot_template(), w=self.vector(weights), x=self.vector(inputs), b=self.value(bias))
            if node.name == "dot":
                lines.add(f"{out} = {dot}", "dot: w . x + b" + self._label(node))
            else:
                z = f"{out}_z"
                lines.add(f"{z} = {dot}", "relu_dot: w . x + b, then relu" + self._label(node))
                lines.add(f"{out} = {_fill(op.template.forward, z=z)}")
            return
        if node.name in ("softmax", "log_softmax"):  # one output of several, alone
            z, i = self.vector(node.parents), node.context
            if node.name == "softmax":
                self.names["stable_softmax"] = op.template.names["stable_softmax"]
                lines.add(f"{out} = stable_softmax({z})[{i}]", f"softmax, output {i}" + self._label(node))
            else:
                self.names["softmax_and_logsumexp"] = op.template.names["softmax_and_logsumexp"]
                lines.add(
                    f"{out} = {self.value(node.parents[i])} - softmax_and_logsumexp({z})[1]",
                    f"log_softmax, output {i}" + self._label(node),
                )
            return
        holes = {"out": out, "z": self.vector(node.parents), "tmp": f"{out}_"}
        if node.name == "cross_entropy":
            holes["t"] = self.value(node.context)
        text = _fill(op.template.forward, **holes)
        for i, part in enumerate(text.split("\n")):
            lines.add(part, (node.name + self._label(node)) if i == 0 else "")

    def graph_dot_template(self) -> str:
        from autograd.core.kinds import OPS

        self._use(OPS["dot"])
        return OPS["dot"].template.forward

    def _layer_forward(self, unit: Unit, lines: Lines) -> None:
        matrix = unit.matrix
        assert matrix is not None
        name = self.unit_var[id(unit)]
        x = self.vector(unit.inputs)
        rows, size = len(matrix.rows), len(unit.inputs)
        label = f"layer {quoted(matrix.name)}" if matrix.name else "layer"
        bias = "b" if matrix.biases is not None else "0.0"
        dot = _fill(self.graph_dot_template(), w="row", x=x, b=bias)
        zipped = f"zip({matrix.weights_name}, {matrix.bias_name})" if matrix.biases is not None else matrix.weights_name
        head = "row, b" if matrix.biases is not None else "row"
        comprehension = f"[{dot} for {head} in {zipped}]"
        if unit.relu:
            relu = unit.nodes[0].op
            self._use(relu)
            lines.add(
                f"{name} = [{_fill(relu.template.forward, z='z')} for z in {comprehension}]",
                f"{label}: relu(w . x + b), {size} -> {rows}",
            )
        else:
            lines.add(f"{name} = {comprehension}", f"{label}: w . x + b, {size} -> {rows}")

    def _map_forward(self, unit: Unit, lines: Lines) -> None:
        name = self.unit_var[id(unit)]
        source = self.vector(unit.inputs)
        node = unit.nodes[0]
        expression = self._elementwise_forward(node, ["z"])
        lines.add(f"{name} = [{expression} for z in {source}]", f"{node.name}, element by element")

    def _multi_forward(self, unit: Unit, lines: Lines) -> None:
        node = unit.nodes[0]
        self._use(node.op)
        name = self.unit_var[id(unit)]
        text = _fill(node.op.template.forward, out=name, z=self.vector(unit.inputs), tmp=f"{name}_")
        for i, part in enumerate(text.split("\n")):
            lines.add(part, node.name if i == 0 else "")

    # ------------------------------------------------------------------------------------------- backward
    def backward(self, unit: Unit, lines: Lines) -> None:
        key = "g_" + (self.unit_var[id(unit)] if unit.vector else self.var[unit.nodes[0].index])
        if self.pending is not None:
            if unit.kind == "layer" and self.pending == {key} and key in self.has:
                lines.add(f"if not any({key}):", "no gradient reaches this example's layers: nothing more to do")
                lines.add("    continue")
                self.nonzero = key
            self.pending.discard(key)
        if unit.kind == "layer":
            self._layer_backward(unit, lines)
        elif unit.kind == "map":
            self._map_backward(unit, lines)
        elif unit.kind == "multi":
            self._multi_backward(unit, lines)
        else:
            self._node_backward(unit.nodes[0], lines)

    def _node_backward(self, node: Node, lines: Lines) -> None:
        g = self.grad_of(node)
        if g is None or not self.wants(("node", node.index)):
            return
        op = node.op
        out = self.var[node.index]
        rule = op.formula
        if isinstance(op, UnaryOp | BinaryOp):
            operands = self._operands(node)
            if isinstance(op, BinaryOp) and node.context is not None:
                edges = [(1 - node.context[0], node.parents[0])]
            else:
                edges = list(enumerate(node.parents))
            for edge, parent in edges:
                if not self.wants(parent):
                    continue
                local, condition = self._local(node, operands, out, edge)
                if condition == "False":
                    lines.note(f"{op.name} passes no gradient back ({rule})")
                    continue
                self.contribute(lines, parent, _times(local, g), condition, _edge_rule(rule, edge))
            return
        if node.name in ("dot", "relu_dot"):
            self._dot_backward(node, g, lines)
            return
        if node.name in ("softmax", "log_softmax"):
            self._softmax_node_backward(node, g, lines)
            return
        wanted = [p for p in node.parents if self.wants(p)]
        if not wanted:
            return
        if node.name == "sum" and not self.vector(node.parents).isidentifier():  # a few values: one line each
            for parent in node.parents:
                if self.wants(parent):
                    self.contribute(lines, parent, g, note=rule)
            return
        holes = {"out": out, "z": self.vector(node.parents), "tmp": f"{out}_", "g": g}
        if node.name == "cross_entropy":
            holes["t"] = self.value(node.context)
        target = self._whole_new(node.parents)
        holes["contrib"] = target or f"c_{out}"
        text = _fill(node.op.template.backward, **holes)
        for i, part in enumerate(text.split("\n")):
            lines.add(part, rule if i == 0 else "")
        if target is None:
            self.contribute_list(lines, node.parents, f"c_{out}")

    def _whole_new(self, refs: Sequence[Ref]) -> str | None:
        """The gradient list of ``refs`` when they are one whole vector whose gradient does not exist yet."""
        if not refs or not all(self.wants(r) for r in refs):
            return None
        keys = [self.accumulator(r) for r in refs]
        key = keys[0][1]
        if key in self.has or keys[0][2] is None or any(k[1] != key for k in keys):
            return None
        if self.block == "loop" and self._is_outer(refs[0]):
            return None
        elements = [k[0] for k in keys]
        size_line = keys[0][2]
        if elements != [f"{key}[{j}]" for j in range(len(refs))] or f"* {len(refs)}" not in size_line:
            return None
        self.has.add(key)
        if self.pending is not None:
            self.pending.add(key)
        return key

    def _whole_existing(self, refs: Sequence[Ref]) -> str:
        """The gradient list of ``refs`` when they are one whole vector whose gradient list exists (else the plan
        cannot be written with vectors)."""
        keys = [self.accumulator(r) for r in refs]
        key = keys[0][1]
        self.gated.discard(key)
        if (
            key not in self.has
            or (self.block == "loop" and self._is_outer(refs[0]))
            or [k[0] for k in keys] != [f"{key}[{j}]" for j in range(len(refs))]
        ):
            raise _CannotWrite
        return key

    def contribute_list(self, lines: Lines, refs: Sequence[Ref], contributions: str) -> None:
        """Each ref's gradient += its element of the list ``contributions`` (in order)."""
        keys = [self.accumulator(r) for r in refs]
        key = keys[0][1]
        self.gated.discard(key)
        whole = (
            all(self.wants(r) for r in refs)
            and all(k[1] == key for k in keys)
            and [k[0] for k in keys] == [f"{key}[{j}]" for j in range(len(refs))]
            and keys[0][2] is not None
            and f"* {len(refs)}" in keys[0][2]
            and key in self.has
            and not (self.block == "loop" and self._is_outer(refs[0]))
        )
        if whole:
            lines.add(f"{key} = [a + c for a, c in zip({key}, {contributions})]")
            return
        for j, ref in enumerate(refs):
            if self.wants(ref):
                self.contribute(lines, ref, f"{contributions}[{j}]")

    def _dot_backward(self, node: Node, g: str, lines: Lines) -> None:
        weights, inputs, bias = node.context
        condition = ""
        if node.name == "relu_dot":
            condition = _fill(node.op.template.passes, z=f"{self.var[node.index]}_z")
        edges = [(w, self.value(inputs[i])) for i, w in enumerate(weights) if w[0] != "const"]
        edges += [(x, self.value(weights[i])) for i, x in enumerate(inputs) if x[0] != "const"]
        if bias[0] != "const":
            edges.append((bias, "1.0"))
        square = self._square(node)
        body = Lines()
        for parent, local in edges:
            if not self.wants(parent):
                continue
            if square and parent[0] == "param" and self._in_fast(parent[1]):
                continue  # added in with the update (see _fast_update)
            self.contribute(body, parent, _times(local, g))
        if not body:
            return
        lines.note(node.op.formula)
        if condition:
            with lines.block(f"if {condition}:"):
                lines.extend(body)
        else:
            lines.extend(body)

    def _softmax_node_backward(self, node: Node, g: str, lines: Lines) -> None:
        self._use(node.op)
        out, i = self.var[node.index], node.context
        probabilities = f"{out}_s"
        self.names["stable_softmax"] = OPS["softmax"].template.names["stable_softmax"]
        lines.add(f"{probabilities} = stable_softmax({self.vector(node.parents)})", node.op.formula)
        for j, parent in enumerate(node.parents):
            if not self.wants(parent):
                continue
            delta = f"({int(i == j)} - {probabilities}[{j}])"
            local = f"{out} * {delta}" if node.name == "softmax" else delta
            self.contribute(lines, parent, f"{local} * {atom(g)}")

    def _layer_backward(self, unit: Unit, lines: Lines) -> None:
        g = self.grad_of(unit)
        if g is None:
            return
        matrix = unit.matrix
        assert matrix is not None
        name = self.unit_var[id(unit)]
        order = [unit.nodes.index(n) for n in self.plan.internal(unit)]
        x = self.vector(unit.inputs)
        wants_inputs = any(self.wants(r) for r in unit.inputs)
        fast = matrix.index in self.fast
        label = f"layer {quoted(matrix.name)}" if matrix.name else "layer"
        rule = "d(w.x + b)/dx_i = w_i, d/dw_i = x_i, d/db = 1" + (", where relu is on" if unit.relu else "")
        d = g
        uses_d = wants_inputs or not fast or self.block == "loop"
        if not uses_d:
            lines.note(f"{label}, backward: {rule}; its weights' gradients d_j x_i are taken in the update")
        else:
            lines.note(f"{label}, backward: {rule}")
        if unit.relu and g not in self.gated and uses_d:  # (a gated list is 0.0 where the relu is off already)
            d = f"d_{name}"
            lines.add(
                f"{d} = [d if not a <= 0.0 else 0.0 for d, a in zip({g}, {name})]", "relu off: 0, it passes nothing"
            )
        if wants_inputs:
            target = self._whole_new(unit.inputs)
            if target is None:
                key = self._whole_existing(unit.inputs)
            source = self.plan.unit_of.get(unit.inputs[0][1]) if unit.inputs[0][0] == "node" else None
            # Below a relu layer only the inputs whose relu is on pass anything on: the others are not summed.
            off = None
            if source is not None and source.kind == "layer" and source.relu and x == self.unit_var[id(source)]:
                off = x
            if len(order) == 1 and target is not None:  # one row: d loss / d x_i = w_i d, as 0.0 + w_i d
                j = order[0]
                lines.add(f"d{j} = {d}[{j}]")
                share = f"0.0 + w * d{j}"
                if off:
                    lines.add(
                        f"{target} = [{share} if not a <= 0.0 else 0.0 for w, a in "
                        f"zip({matrix.weights_name}[{j}], {off})]",
                        "d loss / d x_i = w_i d (where x_i's relu is on)",
                    )
                    self.gated.add(target)
                else:
                    lines.add(f"{target} = [{share} for w in {matrix.weights_name}[{j}]]", "d loss / d x_i = w_i d")
            elif len(order) > 1 and order == sorted(order):  # rows in order: each input's gradient as one C loop
                columns = f"{matrix.weights_name}_columns"
                self.columns.setdefault(columns, f"{columns} = list(zip(*{matrix.weights_name}))")
                if target is not None:
                    total = f"sum_in_order(map(mul, column, {d}), 0.0)"
                    if off:
                        lines.add(
                            f"{target} = [{total} if not a <= 0.0 else 0.0 for column, a in zip({columns}, {off})]",
                            "d loss / d x_i = sum over rows j of w_ji d_j (where x_i's relu is on)",
                        )
                        self.gated.add(target)
                    else:
                        lines.add(f"{target} = [{total} for column in {columns}]", "d loss / d x_i = sum_j w_ji d_j")
                else:
                    total = f"sum_in_order(map(mul, column, {d}), s)"
                    if off:
                        rows_in = f"zip({columns}, {key}, {off})"
                        lines.add(
                            f"{key} = [{total} if not a <= 0.0 else s for column, s, a in {rows_in}]",
                            "d loss / d x_i += sum over rows j of w_ji d_j (where x_i's relu is on)",
                        )
                    else:
                        lines.add(
                            f"{key} = [{total} for column, s in zip({columns}, {key})]",
                            "d loss / d x_i += sum over rows j of w_ji d_j",
                        )
            else:
                if target is not None:
                    lines.add(f"{target} = [0.0] * {len(unit.inputs)}")
                else:
                    target = key
                with lines.block(f"for j in {_range_text(order)}:", "d loss / d x_i += w_ji d_j, row by row"):
                    lines.add(f"{target} = [s + w * {d}[j] for s, w in zip({target}, {matrix.weights_name}[j])]")
        if not fast:
            w_name, b_name = matrix.weights_name, matrix.bias_name
            with lines.block(f"for j in {_range_text(order)}:", "d loss / d w_ji += d_j x_i"):
                lines.add(f"dj = {d}[j]")
                with lines.block("if dj:"):
                    lines.add(f"g{w_name}[j] = [gw + xi * dj for gw, xi in zip(g{w_name}[j], {x})]")
                    if matrix.biases is not None:
                        lines.add(f"g{b_name}[j] += dj")
        if fast and self.block == "loop":
            kept = self.kept_names(unit)
            if d == g and self.nonzero == g:  # checked above: not all 0.0
                lines.add(f"{kept[0]}.append({x})", "this example changes the layer's weights")
                lines.add(f"{kept[1]}.append({d})")
            else:
                with lines.block(f"if any({d}):", "this example changes the layer's weights"):
                    lines.add(f"{kept[0]}.append({x})")
                    lines.add(f"{kept[1]}.append({d})")

    def kept_names(self, unit: Unit) -> tuple[str, str]:
        name = self.unit_var[id(unit)]
        return f"kept_x_{name}", f"kept_d_{name}"

    def _map_backward(self, unit: Unit, lines: Lines) -> None:
        g = self.grad_of(unit)
        if g is None or not any(self.wants(r) for r in unit.inputs):
            return
        node = unit.nodes[0]
        local, condition = self._local(node, ["z"], "o", 0)
        if condition == "False":
            lines.note(f"{node.name} passes no gradient back ({node.op.formula})")
            return
        share = _times(local, "g")
        source, name = self.vector(unit.inputs), self.unit_var[id(unit)]
        target = self._whole_new(unit.inputs)
        if target is not None:
            if condition:
                share = f"{share} if {condition} else 0.0"
            lines.add(f"{target} = [{share} for z, o, g in zip({source}, {name}, {g})]", node.op.formula)
            return
        key = self._whole_existing(unit.inputs)
        added = f"s + {share} if {condition} else s" if condition else f"s + {share}"
        lines.add(f"{key} = [{added} for s, z, o, g in zip({key}, {source}, {name}, {g})]", node.op.formula)

    def _multi_backward(self, unit: Unit, lines: Lines) -> None:
        g = self.grad_of(unit)
        if g is None or not any(self.wants(r) for r in unit.inputs):
            return
        node = unit.nodes[0]
        target = self._whole_new(unit.inputs)
        if target is not None:
            lines.add(f"{target} = [0.0] * {len(unit.inputs)}")
        else:
            target = self._whole_existing(unit.inputs)
        name = self.unit_var[id(unit)]
        order = _range_text([unit.nodes.index(n) for n in self.plan.internal(unit)])
        text = _fill(node.op.template.backward, acc=target, g=g, out=name, order=order, tmp=f"{name}_")
        for i, part in enumerate(text.split("\n")):
            lines.add(part, node.op.formula if i == 0 else "")


class _CannotWrite(Exception):  # noqa: N818 - as _Differs
    """This plan cannot be written with vectors: try one node at a time."""


# ---------------------------------------------------------------------------------------------------------------
# The whole function
# ---------------------------------------------------------------------------------------------------------------
def _names_in(code: str, kind: type) -> set[str]:
    """The names ``code`` reads (``ast.Load``) or assigns (``ast.Store``), outside comprehensions (whose variables
    are their own)."""
    import ast

    tree = ast.parse("for _ in ():\n" + "\n".join("    " + line for line in code.split("\n")))
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ListComp) and kind is ast.Store:
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, kind):
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found


def write(writer: Writer) -> Program:
    """The source of the whole function."""
    import ast

    plan, spec = writer.plan, writer.spec
    layout = spec.layout
    rule = spec.rule
    examples = spec.examples
    body = Lines()
    arguments: list[str]
    if examples == 0:
        arguments = [f"x{j}" for j in range(spec.arguments)]
    elif spec.forward_only:
        arguments = ["xs"]
    else:
        arguments = ["batch", *(rule.scalars if rule else ())]
    arguments += layout.containers() if (examples or layout.where) else []
    if rule is not None and not spec.forward_only:
        for state in rule.states:
            arguments += [f"{state}{c}" for c in layout.containers()]
    arguments.append("ext")
    for j, label in enumerate(spec.argument_labels):
        if label:
            body.note(f"x{j} is {quoted(label)}")

    # ---- forward
    forward_blocks: dict[str, Lines] = {}
    for block, units in plan.blocks.items():
        writer.block = block
        lines = Lines()
        for unit in units:
            writer.forward(unit, lines)
        forward_blocks[block] = lines
    root = writer.graph.roots
    outputs_code = ""
    if spec.outputs:
        writer.block = "loop" if plan.segments is not None else "main"

        def output_of(refs: list[Ref]) -> str:
            return writer.value(refs[0]) if spec.single_output else writer.vector(refs)

        outputs_code = output_of(spec.outputs[0])
    loss = report = ""
    if not spec.forward_only:
        writer.block = plan.block_of[root[0][1]] if root[0][0] == "node" else "main"
        loss = writer.value(root[0])
        if spec.report is not None:
            writer.block = plan.block_of[spec.report[1]] if spec.report[0] == "node" else "main"
            report = writer.value(spec.report)

    # ---- backward
    backward = Lines()
    loop_lines = Lines()
    saved: list[str] = []
    if not spec.forward_only:
        writer.block = plan.block_of.get(root[0][1], "main") if root[0][0] == "node" else "main"
        backward.note("backward: each line is the chain rule, gradient += local derivative * upstream gradient")
        if root[0][0] == "node":
            writer.contribute(backward, root[0], "1.0", note="d loss / d loss")
        if examples == 0:
            wanted = [f"g_x{j}" for j in range(spec.arguments)]
            if wanted:
                backward.add(" = ".join(wanted) + " = 0.0", "gradients of the inputs start at 0")
                writer.has.update(wanted)
            if root[0][0] == "input":  # the value is an input itself
                writer.contribute(backward, root[0], "1.0", note="d x / d x")
        if rule is not None:
            writer.has.add("params")
            for matrix in layout.matrices:
                if matrix.index in writer.fast or (rule.plain and not writer._matrix_wanted(matrix)):
                    continue
                backward.add(
                    f"g{matrix.weights_name} = [[0.0] * {len(matrix.rows[0])} for _ in range({len(matrix.rows)})]"
                )
                if matrix.biases is not None:
                    backward.add(f"g{matrix.bias_name} = [0.0] * {len(matrix.biases)}")
            if layout.loose:
                backward.add(f"gP = [0.0] * {len(layout.loose)}")
        for item in plan.backward_units:
            if item == "loop":
                writer.block = "loop"
                loop_keys = {f"g_{writer.var[n.index].partition('[')[0]}" for u in plan.blocks["loop"] for n in u.nodes}
                writer.has -= loop_keys
                loads = []
                writer.pending = set()
                for key in sorted(loop_keys):
                    if f"{key}s" in writer.has:
                        loads.append(f"{key} = {key}s[k]")
                        writer.has.add(key)
                        writer.pending.add(key)
                for unit in plan.loop_backward:
                    writer.backward(unit, loop_lines)
                writer.pending = None
                for load in reversed(loads):
                    loop_lines.lines.insert(0, (0, load, ""))
                writer.has -= loop_keys
                backward.add("LOOP_PLACEHOLDER")
                continue
            writer.block = plan.block_of[item.nodes[0].index]
            writer.backward(item, backward)
        if rule is not None:
            writer.block = "main"
            writer.update(backward)
        if writer.columns:
            at = 1
            for line in writer.columns.values():
                backward.lines.insert(at, (0, line, "the weights by input, for the inputs' gradients"))
                at += 1

    # ---- the loop over examples: what its backward reads from the forward pass is kept per example
    source = Lines()
    if examples == 0 or spec.forward_only:
        pass
    elif plan.segments is None:
        if examples == 1:
            source.add("(x, y), = batch", "the one example: its input list and its target")
        else:
            for k in range(examples):
                source.add(f"x_{k}, y_{k} = batch[{k}]")
    if plan.segments is not None:
        loop_forward = forward_blocks["loop"]
        forward_text = loop_forward.text()
        stored = _names_in(forward_text, ast.Store) | {"x", "y"} if forward_text else {"x", "y"}
        read = _names_in(loop_lines.text(), ast.Load) if loop_lines else set()
        saved = sorted(read & stored, key=lambda n: (n not in ("x", "y"), n))
        source.extend(forward_blocks["prologue"])
        gathered = sorted(writer.batch_vectors)
        inits = [f"{name}s = []" for name in gathered] + (["kept = []"] if saved else [])
        inits += [
            f"{a}, {b} = [], []"
            for a, b in (
                writer.kept_names(u)
                for u in plan.blocks["loop"]
                if u.kind == "layer" and u.matrix and u.matrix.index in writer.fast
            )
        ]
        if spec.outputs:
            inits.append("outputs = []")
        for line in inits:
            source.add(line)
        with source.block("for x, y in batch:", "forward, one example at a time"):
            source.extend(loop_forward)
            for name in gathered:
                source.add(f"{name}s.append({name})")
            if saved:
                source.add(f"kept.append(({', '.join(saved)},))")
            if spec.outputs:
                source.add(f"outputs.append({outputs_code})")
        source.extend(forward_blocks["epilogue"])
    else:
        main = forward_blocks["main"]
        if spec.forward_only:
            source.add("outputs = []")
            with source.block("for x in xs:"):
                source.extend(main)
                source.add(f"outputs.append({outputs_code})")
            source.add("return outputs")
        else:
            source.extend(main)
    if not spec.forward_only:
        if examples and report:
            source.add(f"loss = {report}", "the loss")
            source.add(f"objective = {loss}", "the loss and the penalty: what backward differentiates")
        else:
            source.add(f"loss = {loss}", "the loss" if examples else "the value")
        if examples:
            checked = "objective" if report else "loss"
            with source.block(f"if not {checked} - {checked} == 0.0:", "inf or nan: stop before any weight changes"):
                source.add(f"return {checked}, []" if spec.outputs else f"return {checked}")
        source.blank()
        text = backward.text()
        if plan.segments is not None and "LOOP_PLACEHOLDER" in text:
            loop_block = Lines()
            for line in writer.pre_loop:
                loop_block.add(line)
            order = _range_text(plan.example_order)
            with loop_block.block(f"for k in {order}:", "backward, one example at a time, in the engine's order"):
                if saved:
                    loop_block.add(f"{', '.join(saved)}, = kept[k]")
                loop_block.extend(loop_lines)
            placeholder = next(i for i, line in enumerate(backward.lines) if line[1] == "LOOP_PLACEHOLDER")
            depth = backward.lines[placeholder][0]
            backward.lines[placeholder : placeholder + 1] = [(d + depth, c, n) for d, c, n in loop_block.lines]
        source.extend(backward)
        source.blank()
        if examples == 0:
            grads = ", ".join(f"g_x{j}" for j in range(spec.arguments))
            source.add(f"return loss, ({grads}{',' if spec.arguments == 1 else ''})")
        elif spec.outputs:
            if plan.segments is None:
                out = "[" + ", ".join(_output_text(writer, refs, k) for k, refs in enumerate(spec.outputs)) + "]"
                source.add(f"return loss, {out}")
            else:
                source.add("return loss, outputs")
        else:
            source.add("return loss")
    name = "forward" if spec.forward_only else ("step" if examples else "value_and_grad")
    header = Lines()
    if spec.title:
        header.note(spec.title)
    with header.block(f"def {name}({', '.join(arguments)}):"):
        header.extend(body)
        header.extend(source)
    names = dict(writer.names)
    if rule is not None:
        names.update(rule.names)
    return Program(header.text() + "\n", names, "", arguments)


def _output_text(writer: Writer, refs: list[Ref], k: int) -> str:
    writer.block = "main"
    return writer.value(refs[0]) if writer.spec.single_output else writer.vector(refs)


def emit(graph: Graph, spec: Spec) -> Program:
    """The program for ``graph``: with a loop over the examples and vectors where the engine's order allows, else
    unrolled, else one node at a time (which is the engine's order itself).

    >>> from autograd import Value
    >>> from autograd.compiler import Recorder, build_graph, tracing
    >>> x = Value(0.5)
    >>> recorder = Recorder()
    >>> with tracing(recorder):
    ...     y = x.tanh()
    >>> recorder.restore()
    >>> program = emit(build_graph([y], recorder.nodes, {x: ("input", 0, 0)}, []), Spec(arguments=1))
    >>> print([line.strip() for line in program.source.splitlines() if "tanh" in line][0])
    v1 = tanh(x0)                                 # tanh
    """
    tiers = [("loop", True, True), ("unrolled", True, False), ("node by node", False, False)]
    if spec.examples < 2 or spec.forward_only or spec.fixed_targets:
        tiers = tiers[1:]
    for description, vectors, loop in tiers:
        try:
            plan = Plan(graph, spec, vectors, loop)
            program = write(Writer(plan))
        except (_OrderDiffers, _CannotWrite, _Differs):  # _Differs: the examples differ (a sum chain): no loop
            continue
        program.plan = description
        return program
    raise CompileError("compile: no plan adds the gradients in the engine's order")  # node by node always does

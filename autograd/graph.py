"""The one chain rule: topological order and backward.

``backward`` walks the nodes in reverse topological order and, for each edge
node -> parent, adds ``local_derivative * node.grad`` into ``parent.grad``.
That single line is the whole of backpropagation in glassgrad; the
step-by-step explainer (``autograd.explain``) watches it through the
``on_step`` hook rather than re-implementing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from math import isfinite

from autograd.mode import enable_grad
from autograd.value import Value

#: ``on_step(node, parent, local_derivative, upstream_grad)``, called right
#: after the engine has added ``local_derivative * upstream_grad`` to ``parent.grad``.
StepHook = Callable[[Value, Value, object, object], None]


def topological_order(root: Value, stop_at: Iterable[Value] = ()) -> list[Value]:
    """The interior nodes that ``root`` depends on, each after all of its parents.

    Found with an explicit stack (no recursion: a chain of a million nodes
    works). Leaves are never pushed: they have nothing to propagate, so the
    order holds interior nodes only (``root`` included if it has parents).
    Nodes in ``stop_at`` are treated as leaves.

    It resets each interior node's ``grad`` to 0.0, ready for a backward
    pass (leaves keep theirs and accumulate). While it runs, the grads of the
    nodes it has expanded hold a marker, so two threads must not sort one
    graph at the same time (nor backpropagate through it, which was never
    safe: grads accumulate). It visits each node's ``_interior_parents``: its
    parents, less those its op knows to be leaves; or, for a node that holds
    its one or two parents itself (see ``Value``), those.
    """
    order: list[Value] = []
    if not root.parents:
        return order
    # A node is marked as seen by setting its grad to _SEEN, not by a set of
    # seen nodes: no hashing, and nothing allocated per node (0.55 -> 0.40
    # us/node on the T4 benchmark's graph of 64,500 nodes, measured). The
    # grads are reset to 0.0 at the end, which a backward pass needs anyway.
    # Stop nodes are marked too, so the sort goes no further, and get their
    # grads back afterwards.
    stops = [(node, node.grad) for node in stop_at]
    for node, _ in stops:
        node.grad = _SEEN
    # Depth-first, post-order, on one stack of nodes. Expanding a node pushes
    # the node, then the _EMIT marker, then its parents: when the marker comes
    # off again, everything above it (the parents) is done, and the node just
    # under it is emitted. A node is marked when it is expanded, not when it
    # is pushed, so a parent still waiting lower on the stack is pushed again
    # and emitted in time. (A marker instead of a (node, flag) tuple per push
    # allocates nothing the cyclic garbage collector tracks: 0.7 -> 0.4
    # us/node on a 1,000,000-node chain, measured.)
    stack: list[Value | object] = [root]
    append_order = order.append
    push = stack.append
    pop = stack.pop
    try:
        while stack:
            node = pop()
            if node is _EMIT:
                append_order(pop())
                continue
            if node.grad is _SEEN:
                continue
            node.grad = _SEEN
            push(node)
            push(_EMIT)
            parents = node._interior_parents  # the parents, less those an op knows are leaves
            if parents is None:  # one or two parents, held on the node (see Value)
                parent = node._first
                if parent.op and parent.grad is not _SEEN:  # op is "" for a leaf
                    push(parent)
                parent = node._second
                if parent is not None and parent.op and parent.grad is not _SEEN:
                    push(parent)
            else:
                for parent in parents:
                    if parent.op and parent.grad is not _SEEN:
                        push(parent)
    finally:
        for node in order:
            node.grad = 0.0
        for node in stack:  # only if interrupted: nodes marked but not yet emitted
            if node is not _EMIT and node.grad is _SEEN:
                node.grad = 0.0
        for node, grad in reversed(stops):  # reversed: a node listed twice gets its first grad
            node.grad = grad
    return order


#: Stack marker in ``topological_order``: "the node under me has its parents done".
_EMIT = object()
#: ``grad`` of a node ``topological_order`` has expanded (for the length of the sort only).
_SEEN = object()


def backward(
    root: Value,
    gradient: float | Value = 1.0,
    *,
    create_graph: bool = False,
    stop_at: Iterable[Value] = (),
    on_step: StepHook | None = None,
) -> None:
    """Backpropagate from ``root``: d root / d v into ``v.grad`` for every v it depends on.

    The chain rule: for each node in reverse topological order and each of its
    parents, ``parent.grad += local_derivative * node.grad``, with ``+=`` so a
    value used twice gets both contributions.

    - ``root.grad`` is seeded with ``gradient``. Leaves accumulate across
      calls (like PyTorch); interior nodes are reset at the start of each call.
    - ``create_graph=True``: the local derivatives are rebuilt as Values from
      the op table and the grads become Values with a graph of their own,
      which can be differentiated again. Recording is switched on for this.
    - ``stop_at``: nodes treated as leaves (their grads are filled in, nothing
      flows past them); ``autograd.grad`` uses this.
    - ``on_step(node, parent, local_derivative, upstream)`` is called after
      each edge's update; ``autograd.explain`` records the steps with it.
    - A node whose grad is 0 is skipped when its local derivatives are finite:
      each of its contributions would be a zero. So are the edges of a
      ``relu_dot`` that is off, whose local derivatives are all 0 (as
      PyTorch's relu, it passes back 0 even for an inf or nan grad). With
      ``on_step`` every edge is applied, so the steps show them all.
    """
    order = topological_order(root, stop_at)
    if create_graph:
        with enable_grad():
            _propagate(root, order, gradient if isinstance(gradient, Value) else Value(gradient), True, on_step)
    else:
        _propagate(root, order, gradient, False, on_step)


def _propagate(root: Value, order: list[Value], seed: object, create_graph: bool, on_step: StepHook | None) -> None:
    if order:
        root.grad = seed  # interior root: reset by topological_order, now seeded
    else:
        root.grad += seed  # a leaf (or a stop node) accumulates like any leaf
    if create_graph:
        from autograd.ops import local_grads_as_values
    skip_zeros = not create_graph and on_step is None
    for node in reversed(order):
        upstream = node.grad
        if skip_zeros and upstream == 0.0 and isfinite(sum(node.local_grads)):
            # Every contribution would be local * 0.0 = 0.0, which changes no
            # grad: skip the node. (Not when a local derivative is inf or nan,
            # where 0 * inf is nan and must propagate.) A relu that is off
            # sends 0 to its neuron, whose 65 edges are then skipped: the T1
            # digits step through the engine, 1.83x -> 1.63x the hand-written
            # network's time (measured). The on_step hook still sees every
            # step, zeros included.
            continue
        # The edges (parent, local derivative): node.parents with node.local_grads,
        # read here from where the node keeps them (see Value). A relu_dot that
        # is off keeps () as its local derivatives (all 0): no edge runs,
        # except for on_step, which is shown every edge.
        if create_graph:
            edges = zip(node.parents, local_grads_as_values(node))
        elif on_step is not None:
            edges = zip(node.parents, node.local_grads)
        elif node._parents is not None:
            edges = zip(node._parents, node._local_grads)
        elif node._second is None:  # one parent, held on the node
            edges = ((node._first, node._first_local),)
        else:  # two parents, held on the node
            edges = ((node._first, node._first_local), (node._second, node._second_local))
        if on_step is not None:
            edges = _watched(edges, node, upstream, on_step)
        for parent, local in edges:
            parent.grad += local * upstream  # the chain rule


def _watched(
    edges: Iterable[tuple[Value, object]], node: Value, upstream: object, on_step: StepHook
) -> Iterator[tuple[Value, object]]:
    """``edges``, calling ``on_step`` for each one after the chain rule's line has run on it."""
    for parent, local in edges:
        yield parent, local  # the loop body in _propagate runs here
        on_step(node, parent, local, upstream)

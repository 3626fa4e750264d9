"""Why a gradient is a sum over paths: every path from a value to the root, and their products.

d root / d leaf is the sum, over every path leaf -> ... -> root in the graph,
of the product of the local derivatives along the path (the chain rule
applied edge by edge, and the multivariable chain rule adding the paths up).
A value used twice opens two paths, which is why grads *add*:

>>> from autograd import Value
>>> from autograd.paths import paths
>>> a = Value(3.0, label="a")
>>> b = a + a
>>> c = b * b
>>> found = paths(c, a)
>>> found.count, found.total          # 2 edges a -> b, times 2 edges b -> c; each path 1 * b = 6
(4, 24.0)

The number of paths can grow exponentially with depth, so the count and the
sum are found by dynamic programming over the graph (each node once, each
edge once), never by listing the paths: only the first ``limit`` are listed.
That programme, run from the root down, is backpropagation itself, so
``total`` equals ``leaf.grad`` after ``root.backward()`` from zero grads.
Nothing here changes a grad.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd.core.checks import quote
from autograd.core.value import Value
from autograd.describe import format_number
from autograd.graph import node_names, nodes_in_order

__all__ = ["GradientPath", "GradientPaths", "paths"]

#: How many paths ``paths()`` lists unless told otherwise.
DEFAULT_PATH_LIMIT = 50


@dataclass(frozen=True, eq=False)
class GradientPath:
    """One path leaf -> ... -> root: its nodes, the local derivative on each edge, and their product.

    ``edges[k] = (node, position)``: the k-th edge goes from ``node.parents[position]``
    (``nodes[k]``) into ``node`` (``nodes[k + 1]``), the form ``draw(highlight=...)`` reads.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * 2.0
    >>> paths(y, x).paths[0].product  # d(2x)/dx along the one path
    2.0
    """

    nodes: tuple[Value, ...]
    edges: tuple[tuple[Value, int], ...]
    local_derivatives: tuple[float, ...]
    product: float

    def text(self, names: dict[Value, str], digits: int = 4) -> str:
        """``a -[1.0]-> b -[6.0]-> c``: the names, with each edge's local derivative in brackets.

        Where a node uses the same value twice (``a + a``), the edge says which
        operand it is: ``a -[1.0, operand 2]-> b``.
        """
        parts = [names[self.nodes[0]]]
        for local, parent, (node, position) in zip(self.local_derivatives, self.nodes, self.edges):
            which = f", operand {position + 1}" if node.parents.count(parent) > 1 else ""
            parts.append(f"-[{format_number(local, digits)}{which}]-> {names[node]}")
        return " ".join(parts)


@dataclass(frozen=True, eq=False)
class GradientPaths:
    """What :func:`paths` found: the listed paths, the count of all paths and the sum of all products.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * x + x
    >>> found = paths(y, x); found.count, found.total  # 2x + 1 = x + x + 1, over three paths
    (3, 7.0)
    """

    root: Value
    leaf: Value
    paths: tuple[GradientPath, ...]
    count: int  # every path leaf -> root, exactly (a Python int)
    total: float  # the sum of the products of every path: d root / d leaf
    absolute_total: float  # the sum of |product|: how large the terms are that cancel in ``total``
    limit: int
    names: dict[Value, str]
    work: int = 0  # edges the listing looked at or wrote into a listed path (linear in the graph for one path)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> GradientPath:
        return self.paths[index]

    def __iter__(self) -> Any:
        return iter(self.paths)

    def _summary(self, digits: int) -> str:
        root, leaf = self.names[self.root], self.names[self.leaf]
        listed = "" if len(self.paths) == self.count else f" (the first {len(self.paths)} listed)"
        noun = "path" if self.count == 1 else "paths"
        return (
            f"{self.count} {noun} from {leaf} to {root}{listed}; "
            f"d {root}/d {leaf} = sum of the products = {format_number(self.total, digits)}"
        )

    def __str__(self) -> str:
        lines = [self._summary(4)]
        width = len(str(len(self.paths)))
        for k, path in enumerate(self.paths, start=1):
            lines.append(f"  {k:>{width}}. {path.text(self.names)}   product {format_number(path.product)}")
        if len(self.paths) < self.count:
            lines.append(f"  ... {self.count - len(self.paths)} more (raise limit= to list them)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{k}</td><td><code>{html.escape(path.text(self.names))}</code></td>"
            f"<td style='text-align:right'>{html.escape(format_number(path.product))}</td></tr>"
            for k, path in enumerate(self.paths, start=1)
        )
        more = ""
        if len(self.paths) < self.count:
            more = f"<tr><td colspan='3'>... {self.count - len(self.paths)} more (raise limit=)</td></tr>"
        return (
            f"<p>{html.escape(self._summary(4))}</p><table><thead><tr><th>#</th>"
            "<th>path (local derivative on each edge)</th><th>product</th></tr></thead>"
            f"<tbody>{rows}{more}</tbody></table>"
        )


def paths(root: Value, leaf: Value, limit: int = DEFAULT_PATH_LIMIT) -> GradientPaths:
    """Every path from ``leaf`` to ``root``: the local derivative on each edge and their product.

    - ``count``: the number of all paths, and ``total``: the sum of all
      their products, both by dynamic programming from the root down
      (each edge once: ``total[parent] += local * total[node]``), so they are
      exact however many paths there are; ``total`` is ``d root / d leaf``.
    - ``paths``: the first ``limit`` paths (a depth-first walk in the order of
      each node's parents), leaf first. The walk enters only values that lead
      to the leaf and shares each path's edges with the paths that branch off
      it, so listing costs the graph's size plus the listed paths' lengths
      (``work`` counts it), never more.
    - ``leaf`` may be any Value ``root`` depends on (an interior one too);
      ``paths(root, root)`` is the one empty path, of product 1.

    The local derivatives are the ones the forward pass stored on each node
    (``node.local_grads``, from the op table's derivative rules).

    >>> from autograd import Value
    >>> x = Value(2.0); y = (x * x).tanh()
    >>> paths(y, x).count
    2
    """
    if not isinstance(root, Value):
        raise TypeError(f"paths() needs a Value as root, got {type(root).__name__}: {quote(root)}")
    if not isinstance(leaf, Value):
        raise TypeError(f"paths() needs a Value as leaf, got {type(leaf).__name__}: {quote(leaf)}")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"paths() limit must be an int >= 0, got {type(limit).__name__}: {quote(limit)}")
    if limit < 0:
        raise ValueError(f"paths() limit must be an int >= 0, got {limit}")
    nodes = nodes_in_order(root)  # each node after its parents
    names = node_names(nodes)
    if leaf not in names:
        raise ValueError(
            f"paths(): the leaf {quote(leaf)} is not in the graph of {quote(names[root])} (root does not depend on it)"
        )
    local_grads = {node: node.local_grads for node in nodes if node.parents}

    # From the root down: how many paths, and what sum of products, lead from each node to the root.
    count: dict[Value, int] = dict.fromkeys(nodes, 0)
    total: dict[Value, float] = dict.fromkeys(nodes, 0.0)
    absolute: dict[Value, float] = dict.fromkeys(nodes, 0.0)
    count[root], total[root], absolute[root] = 1, 1.0, 1.0
    for node in reversed(nodes):
        if node is leaf or not count[node] or not node.parents:
            continue  # nothing flows past the leaf: a path ends there
        for parent, local in zip(node.parents, local_grads[node]):
            count[parent] += count[node]
            total[parent] += local * total[node]
            absolute[parent] += abs(local) * absolute[node]

    listed, work = _first_paths(root, leaf, nodes, count, local_grads, limit)
    return GradientPaths(
        root=root,
        leaf=leaf,
        paths=tuple(listed),
        count=count[leaf],
        total=total[leaf],
        absolute_total=absolute[leaf],
        limit=limit,
        names=names,
        work=work,
    )


# A trail: the edges from a node up to the root, as a linked list (node, position, the rest up to the root),
# shared by every path that branches off it: entering an edge costs one link, not a copy of the trail.
_Trail = tuple  # (Value, int, _Trail) or None


def _first_paths(
    root: Value,
    leaf: Value,
    nodes: Sequence[Value],
    count: dict[Value, int],
    local_grads: dict[Value, tuple],
    limit: int,
) -> tuple[list[GradientPath], int]:
    """Up to ``limit`` paths leaf -> root, by a depth-first walk from the root, and the work it took.

    The work is every edge looked at (each parent of each value entered) and
    every edge written into a listed path: for one path, at most the graph's
    edges plus the path's length.
    """
    found: list[GradientPath] = []
    if limit == 0 or not count[leaf]:
        return found, 0
    # Only values that lead to the leaf are worth entering: every value entered is on some path.
    reaches = {leaf}
    for node in nodes:
        if node is not leaf and any(parent in reaches for parent in node.parents):
            reaches.add(node)
    work = 0
    stack: list[tuple[Value, _Trail | None]] = [(root, None)]
    while stack and len(found) < limit:
        node, trail = stack.pop()
        if node is leaf:
            edges = []
            while trail is not None:
                consumer, position, trail = trail
                edges.append((consumer, position))
            work += len(edges)
            found.append(_path(leaf, tuple(edges), local_grads))
            continue
        parents = node.parents
        work += len(parents)
        for k in range(len(parents) - 1, -1, -1):  # pushed last to first: the first parent is walked first
            if parents[k] in reaches:
                stack.append((parents[k], (node, k, trail)))
    return found, work


def _path(leaf: Value, edges: tuple[tuple[Value, int], ...], local_grads: dict[Value, tuple]) -> GradientPath:
    """The path of ``edges`` (leaf side first), with its local derivatives and their product."""
    locals_ = tuple(local_grads[node][position] for node, position in edges)
    product = math.prod(locals_) if locals_ else 1.0
    return GradientPath(
        nodes=(leaf, *(node for node, _ in edges)),
        edges=edges,
        local_derivatives=locals_,
        product=float(product),
    )

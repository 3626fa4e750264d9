"""The graph as a list, for the tools that show it: every node in an order that depends only on the graph's shape,
a stable name for each, and what kind of leaf each is.

Unlike :func:`autograd.topological_order` (interior nodes only, grads reset for
a backward pass), :func:`nodes_in_order` lists leaves too and touches no grad.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> [v.label or v.op for v in nodes_in_order(a * b + a)]
['a', 'b', 'mul', 'add']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from autograd.core.checks import quote
from autograd.core.value import Value

__all__ = ["leaf_kinds", "named_values", "node_names", "nodes_in_order", "printable"]


def nodes_in_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, leaves and roots included, each after all of its parents.

    A depth-first post-order on an explicit stack (a chain of a million nodes
    works), visiting parents in ``node.parents`` order, so the order, and any
    numbering made from it, depends only on the shape of the graph.

    >>> from autograd import Value
    >>> x = Value(1.0, label="x"); y = x * 2.0; y.label = "y"
    >>> [v.label for v in nodes_in_order(y)]
    ['x', 'y']
    """
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"nodes_in_order() needs Values, got {type(root).__name__}: {root!r:.100}")
    order: list[Value] = []
    done: set[Value] = set()
    for root in roots:
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if node in done:
                continue
            done.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents) if parent not in done)
    return order


def node_names(nodes: Sequence[Value], names: Mapping[Value, str] | None = None) -> dict[Value, str]:
    """A readable, stable name per node, every one different: ``names[node]``, its label, or ``n1``, ``n2``, ...

    ``names`` (a mapping Value -> name, e.g. from :func:`named_values`) comes
    first: an MLP's weights read ``layers.0.neurons.1.w.0``, the state dict's
    names. Unlabeled nodes are numbered consecutively in topological order
    (``n1``, ``n2``, ...; a number some label already uses is skipped). A
    name shared by several nodes gets ``#1``, ``#2``, ... appended, skipping
    any name some node already has (labels ``x``, ``x``, ``x#1`` read ``x#2``,
    ``x#3``, ``x#1``), so every name in a table or a picture points at exactly
    one node. A name that is not text (a lone surrogate, as in a file name
    with bytes that are not UTF-8) shows the replacement character there.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> names = node_names(nodes_in_order(a * a - 3.0))
    >>> sorted(names.values())
    ['a', 'n1', 'n2']
    """
    given = {} if names is None else dict(names)
    for node, name in given.items():
        if not isinstance(name, str):
            raise TypeError(
                f"names= must map Values to str, got {type(name).__name__}: {quote(name)} for {quote(node)}"
            )
    chosen = [printable(given.get(node) or node.label) for node in nodes]
    counts: dict[str, int] = {}
    for name in chosen:
        if name:
            counts[name] = counts.get(name, 0) + 1
    used = set(counts)  # every name some node has: a generated name never takes one
    result: dict[Value, str] = {}
    suffix: dict[str, int] = {}
    number = 0
    for node, name in zip(nodes, chosen):
        if not name:
            number += 1
            while f"n{number}" in used:
                number += 1
            result[node] = f"n{number}"
        elif counts[name] > 1:
            k = suffix.get(name, 0) + 1
            while f"{name}#{k}" in used:
                k += 1
            suffix[name] = k
            result[node] = f"{name}#{k}"
            used.add(result[node])
        else:
            result[node] = name
    return result


def printable(text: object) -> str:
    """``text`` with every lone surrogate (not text: bytes a file name could not decode) as U+FFFD.

    >>> printable("data\\udcff.csv") == "data\\ufffd.csv"
    True
    """
    if not isinstance(text, str):
        text = str(text)  # a label set to something else after the Value was made
    if text.isascii() or not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def named_values(parameters: Any, *, where: str = "") -> tuple[list[Value] | None, dict[Value, str]]:
    """``parameters`` as (the Values, their names): Values, ``(name, Value)`` pairs, or a model.

    A model is anything with ``named_parameters()`` (an ``nn.Module``): its
    dotted state-dict names (``layers.0.neurons.1.w.0``) become the names
    the pictures and the step-through show. ``None`` gives ``(None, {})``.

    >>> from autograd import Value
    >>> w = Value(0.5)
    >>> named_values([("w.0", w)]) == ([w], {w: "w.0"})
    True
    """
    if parameters is None:
        return None, {}
    prefix = f"{where} " if where else ""
    named = getattr(parameters, "named_parameters", None)
    if callable(named):
        parameters = named()
    if isinstance(parameters, Value | str | bytes) or not isinstance(parameters, Iterable):
        raise TypeError(
            f"{prefix}parameters= must be a model, or Values or (name, Value) pairs (a list of them), got "
            f"{type(parameters).__name__}: {quote(parameters)}"
        )
    values: list[Value] = []
    names: dict[Value, str] = {}
    for item in parameters:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Value):
            names[item[1]] = item[0]
            values.append(item[1])
        elif isinstance(item, Value):
            values.append(item)
        else:
            raise TypeError(
                f"{prefix}parameters= must hold Values or (name, Value) pairs (or be a model), got "
                f"{type(item).__name__}: {quote(item)}"
            )
    return values, names


def leaf_kinds(
    nodes: Sequence[Value],
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
) -> dict[Value, str]:
    """``"parameter"``, ``"input"``, ``"leaf"`` for each leaf; ``"interior"``/``"root"`` otherwise.

    Leaves in ``parameters`` are parameters, leaves in ``inputs`` inputs. When
    only one of the two is given, every other leaf is of the other kind; when
    neither is, leaves are plain ``"leaf"``.

    >>> from autograd import Value
    >>> w, x = Value(0.5), Value(2.0); y = w * x
    >>> sorted(leaf_kinds([w, x, y], parameters=[w], inputs=[x]).values())
    ['input', 'parameter', 'root']
    """
    parameter_set = set(parameters) if parameters is not None else None
    input_set = set(inputs) if inputs is not None else None
    if parameter_set is None and input_set is None:
        other = "leaf"
    elif input_set is None:
        other = "input"
    elif parameter_set is None:
        other = "parameter"
    else:
        other = "leaf"
    kinds = {}
    root = nodes[-1] if nodes else None
    for node in nodes:
        if node.parents:
            kinds[node] = "root" if node is root else "interior"
        elif parameter_set is not None and node in parameter_set:
            kinds[node] = "parameter"
        elif input_set is not None and node in input_set:
            kinds[node] = "input"
        else:
            kinds[node] = other
    return kinds

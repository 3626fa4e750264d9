"""Forward mode beside reverse mode: the same Jacobian, and the work each does to get it.

For ``f`` of n inputs and m outputs over a graph of E edges:

- forward mode (:func:`autograd.jvp`) pushes one tangent direction through
  the graph per pass: n passes (one per input) for the whole Jacobian, one
  multiply-add per edge each, n * E in all;
- reverse mode (backpropagation) pulls one output's grad back per pass:
  m passes (one per output), at most E multiply-adds each.

A loss (m = 1) of many weights (n large) takes one backward pass, and n
forward ones: that is why training uses backprop.

>>> from autograd.modes import compare_modes
>>> report = compare_modes(lambda a, b, c: (a * b + c).tanh(), 1.0, 2.0, 0.5)
>>> report.forward_passes, report.reverse_passes
(3, 1)
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.core.checks import quote
from autograd.describe import format_number
from autograd.functional import tangent_pass, trace
from autograd.graph import nodes_in_order
from autograd.steps import backward_steps, final_grads

__all__ = ["ModeComparison", "compare_modes"]


@dataclass(frozen=True)
class ModeComparison:
    """The work forward and reverse mode do for one Jacobian, and the Jacobian (``jacobian[i][j]`` = d out_i/d x_j).

    >>> c = compare_modes(lambda x, y: [x * y, x + y], 2.0, 3.0)
    >>> c.jacobian              # [[y, x], [1, 1]]
    ((3.0, 2.0), (1.0, 1.0))
    """

    inputs: int  # n
    outputs: int  # m
    edges: int  # E: the edges of the graph (every output's, together)
    forward_passes: int
    forward_multiply_adds: int
    reverse_passes: int
    reverse_multiply_adds: int
    jacobian: tuple[tuple[float, ...], ...]  # by reverse mode
    forward_jacobian: tuple[tuple[float, ...], ...]
    largest_difference: float  # between the two Jacobians

    @property
    def cheaper(self) -> str:
        """``"reverse"``, ``"forward"`` or ``"equal"``: the mode with fewer multiply-adds here."""
        if self.forward_multiply_adds == self.reverse_multiply_adds:
            return "equal"
        return "reverse" if self.reverse_multiply_adds < self.forward_multiply_adds else "forward"

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The table rows (mode, one pass per, passes, multiply-adds) that ``str()`` and the notebook show."""
        return [
            ("forward (jvp)", "input", str(self.forward_passes), str(self.forward_multiply_adds)),
            ("reverse (backward)", "output", str(self.reverse_passes), str(self.reverse_multiply_adds)),
        ]

    def _shape(self) -> str:
        def plural(k: int, noun: str) -> str:
            return f"{k} {noun}" + ("" if k == 1 else "s")

        return f"f: {plural(self.inputs, 'input')} -> {plural(self.outputs, 'output')}, {plural(self.edges, 'edge')}"

    def _verdict(self) -> str:
        if self.cheaper == "equal":
            return "Both do the same work here."
        return f"{self.cheaper.capitalize()} mode does less work here."

    def __str__(self) -> str:
        header = ("mode", "one pass per", "passes", "multiply-adds")
        table = [header, *self.rows()]
        widths = [max(len(row[k]) for row in table) for k in range(4)]
        lines = [
            self._shape(),
            *("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table),
            f"{self._verdict()} Both give the same Jacobian "
            f"(largest difference {format_number(self.largest_difference)}).",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in self.rows()
        )
        return (
            f"<p>{html.escape(self._shape())}</p>"
            "<table><thead><tr><th>mode</th><th>one pass per</th><th>passes</th><th>multiply-adds</th></tr></thead>"
            f"<tbody>{cells}</tbody></table><p>{html.escape(self._verdict())} Both give the same Jacobian.</p>"
        )


def compare_modes(f: Callable[..., Any], *args: float) -> ModeComparison:
    """Run ``f(*args)`` through forward mode and reverse mode, and count what each does for the whole Jacobian.

    ``f`` takes n numbers (as Values) and returns a Value or a sequence of m.
    Forward: n passes of :func:`autograd.functional.tangent_pass`, one
    multiply-add per edge each. Reverse: m backward passes by the engine,
    their multiply-adds counted as the steps it takes (one per edge each
    output reaches). Both Jacobians are returned; they agree to rounding.
    No grad is changed.

    >>> c = compare_modes(lambda x, y, z: x * y * z, 1.0, 2.0, 3.0)
    >>> c.forward_passes, c.reverse_passes   # one pass per input, one per output
    (3, 1)
    """

    if not callable(f):
        raise TypeError(f"compare_modes() needs a function f, got {type(f).__name__}: {quote(f)}")
    if not args:
        raise ValueError("compare_modes() needs at least one input for f: compare_modes(f, 1.0, 2.0)")
    if len(args) == 1 and isinstance(args[0], Sequence) and not isinstance(args[0], str | bytes):
        raise TypeError(
            f"compare_modes() takes f's inputs one by one, got a {type(args[0]).__name__}: {quote(args[0])}; "
            "pass compare_modes(f, *inputs)"
        )
    inputs, outputs, _ = trace(f, list(args), "compare_modes", what="args")
    if not outputs:
        raise ValueError("compare_modes() needs f to return at least one output, got an empty sequence")
    graph = {}
    for out in outputs:
        graph.update(dict.fromkeys(nodes_in_order(out)))
    edges = sum(len(node.parents) for node in graph)

    forward_columns = []
    for j in range(len(inputs)):
        direction = [1.0 if k == j else 0.0 for k in range(len(inputs))]
        duals = tangent_pass(inputs, outputs, direction)
        forward_columns.append([duals[out].tangent for out in outputs])
    forward = tuple(tuple(forward_columns[j][i] for j in range(len(inputs))) for i in range(len(outputs)))

    reverse_rows = []
    reverse_work = 0
    for out in outputs:
        steps = backward_steps(out)
        reverse_work += len(steps)
        grads = final_grads(out, steps)
        reverse_rows.append(tuple(float(grads.get(x, 0.0)) for x in inputs))
    reverse = tuple(reverse_rows)
    difference = max((abs(a - b) for row_f, row_r in zip(forward, reverse) for a, b in zip(row_f, row_r)), default=0.0)
    return ModeComparison(
        inputs=len(inputs),
        outputs=len(outputs),
        edges=edges,
        forward_passes=len(inputs),
        forward_multiply_adds=len(inputs) * edges,
        reverse_passes=len(outputs),
        reverse_multiply_adds=reverse_work,
        jacobian=reverse,
        forward_jacobian=forward,
        largest_difference=difference,
    )

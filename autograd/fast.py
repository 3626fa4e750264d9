"""SPEED: a layer's dot nodes, built faster than the reference rule and pinned to it by a test.

The reference is :func:`autograd.ops.dot` (and ``relu_dot``): any mix of
Values and numbers, one row at a time, its derivative from ``dot_terms``.
:class:`CheckedRows` builds exactly the same nodes (the same parents, local
derivatives, data and context, bit for bit; ``tests/autograd/test_fast.py``
checks it with hypothesis for every mix) for the case that dominates
training: a layer whose weights are leaf Values. What it buys, each measured
through ``nn`` on the benchmark's T1 digits step and T2 moons step:

- rows are checked once, not on every call: no leaf check per weight, and
  each row's parents over number inputs ``(*w, b)`` made once (T1 about
  1.45x -> 1.3x the hand-written network's time, T2 1.56-1.68x -> 1.44x);
- the inputs are read once for every row, and rows over number inputs
  share one tuple of local derivatives ``(x_1, ..., x_n, 1)``;
- the topological sort is told that weights and biases are leaves
  (``sort_parents`` holds the inputs only): 2,048 weights per digit it never looks at;
- rows with a bias Value share one context ``(inputs,)``: a tuple less per
  node for the cyclic garbage collector (T2 time in gc 14% -> 10-12%);
- ``relu=True`` fuses the relu into the node, whose local derivatives are
  ``ZERO_GRADS`` while it is off (T2 2.1-2.4x -> 1.5-1.8x: a node less to
  build, sort and free per neuron, and no edges for an off neuron);
- under ``no_grad`` each row's sum becomes a leaf directly, relu's rule
  applied inline and the inputs read once (with ``nn``'s linear layers
  returning these nodes as they are: INF 4.7% fewer instructions, measured).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter, mul
from typing import Any

from autograd.core.checks import as_float, quote
from autograd.core.kinds import watched
from autograd.core.mode import RECORDING, grad_mode
from autograd.core.value import ZERO_GRADS, Value, leaf, wide_nodes
from autograd.ops.dot_product import dot, relu_dot

__all__ = ["CheckedRows", "dots", "relu_dots"]

_op_of = attrgetter("op")  # any(map(_op_of, row)) finds an interior node at C speed


class CheckedRows:
    """Rows of weights that are leaf Values, with one bias each (a leaf Value or a number), checked once.

    >>> w = [[Value(0.2), Value(0.8)], [Value(-0.5), Value(1.0)]]
    >>> rows = CheckedRows(w, [Value(2.0), 0.0])
    >>> [round(v.data, 10) for v in rows.dots([1.0, 2.0])]
    [3.8, 1.5]

    The constructor raises TypeError unless every weight is a leaf Value and
    every bias a leaf Value or a number, and ValueError unless the rows have
    one length and one bias each. With ``keep=True`` it keeps its own copies
    of the lists, for ``holds``; ``keep=False`` (one call of :func:`dots`)
    uses the caller's lists as they are and never ``holds``.

    Invalidation: the object is good for as long as ``holds(weight_rows,
    biases)`` is true: the same Values, by identity, in the same places. A
    caller that keeps one between calls (``nn.Layer``) asks ``holds`` with its
    current rows each time and builds a new one when it is false; that check
    compares lists at C speed (2.6 us for the 2,048 weights of the digits
    net, against 25 us for checking every weight again). A leaf never
    becomes an interior node, so what was checked stays true.
    """

    __slots__ = ("_number_parents", "biases", "kept", "rows", "size")
    biases: list[Any]  # leaf Values and floats: the code tests ``type(b) is Value`` where it matters

    def __init__(
        self, weight_rows: Sequence[Sequence[Value]], biases: Sequence[Value | float], *, keep: bool = True
    ) -> None:
        check_rows("CheckedRows", weight_rows, biases)
        rows = [list(row) for row in weight_rows] if keep else weight_rows
        biases = list(biases)
        if len(rows) != len(biases):
            raise ValueError(f"dots() needs one bias per row of weights, got {len(rows)} rows and {len(biases)}")
        size = len(rows[0]) if rows else 0
        for row in rows:
            if len(row) != size:
                raise ValueError(f"dots() needs rows of one length, got {len(row)} and {size}")
            if keep and ({*map(type, row)} - {Value} or any(map(_op_of, row))):  # one call: checked in dots()
                raise TypeError("CheckedRows() needs weights that are leaf Values")
        for i, bias in enumerate(biases):
            if type(bias) is Value:
                if bias.op:
                    raise TypeError("CheckedRows() needs biases that are leaf Values or numbers")
            else:
                biases[i] = as_float(bias, "dots")
        self.rows, self.biases, self.size, self.kept = rows, biases, size, keep
        self._number_parents: list[tuple] | None = None

    @property
    def number_parents(self) -> list[tuple]:
        """Each row's parents over number inputs, ``(*w, b)`` (``tuple(w)`` without a bias Value), made once."""
        if self._number_parents is None:
            self._number_parents = [
                (*row, b) if type(b) is Value else tuple(row) for row, b in zip(self.rows, self.biases)
            ]
        return self._number_parents

    def holds(self, weight_rows: Sequence[Sequence[Value]], biases: Sequence[Value | float]) -> bool:
        """Whether ``weight_rows`` and ``biases`` are still the Values this object checked (by identity)."""
        return self.kept and self.rows == weight_rows and self.biases == biases

    def numbers(self, inputs: Sequence[Value | float]) -> list[float]:
        """``w . x + b`` for each row, as floats: no node at all (inference)."""
        return self._sums([x.data if type(x) is Value else x for x in inputs])

    def _sums(self, input_data: Sequence[Any]) -> list[float]:
        return [
            sum(map(mul, [w.data for w in row], input_data), b.data if type(b) is Value else b)
            for row, b in zip(self.rows, self.biases)
        ]

    def dots(self, inputs: Sequence[Value | float], relu: bool = False) -> list[Value]:
        """The nodes ``[dot(w, inputs, b) ...]`` (``relu_dot`` when ``relu``) for every row, built together."""
        try:
            inputs = tuple(inputs)
        except TypeError:
            raise TypeError(_not_a_sequence("CheckedRows.dots", "inputs", inputs)) from None
        kinds = {*map(type, inputs)}
        if len(inputs) != self.size or (kinds and kinds != {Value} and kinds != {float}):
            reference = relu_dot if relu else dot
            return [reference(row, inputs, b) for row, b in zip(self.rows, self.biases)]
        value_inputs = kinds == {Value}
        input_data = [x.data for x in inputs] if value_inputs else inputs  # type: ignore[union-attr]
        mode = grad_mode()
        if not mode.recording:  # leaves; relu's rule inline, as below (nan and -0.0 stay)
            sums = self._sums(input_data)
            return [leaf(0.0 if z < 0.0 else z) for z in sums] if relu else [leaf(z) for z in sums]
        op = "relu_dot" if relu else "dot"
        shared_context = (inputs,)  # rows with a bias Value: weights are parents[:n], the bias parents[-1]
        with_one = (*inputs, 1.0)
        rows = []
        for row, bias, number_parents in zip(
            self.rows, self.biases, repeat(()) if value_inputs else self.number_parents
        ):
            has_bias = type(bias) is Value
            # each weight's data read once; rows not checked yet (keep=False) are checked here, in the same pass
            weight_data = [w.data for w in row] if self.kept else [w.data for w in row if not w.op]
            if len(weight_data) != len(row):
                raise TypeError("CheckedRows.dots() needs weights that are leaf Values")
            z = sum(map(mul, weight_data, input_data), bias.data if has_bias else bias)
            if value_inputs:
                parents = (*row, *inputs, bias) if has_bias else (*row, *inputs)
                local_grads: Any = (*input_data, *weight_data, 1.0) if has_bias else (*input_data, *weight_data)
            else:
                parents = number_parents
                local_grads = with_one if has_bias else inputs
            if relu and z <= 0.0:  # relu's rule (nan is on), and no edge to run
                z, local_grads = 0.0 if z < 0.0 else z, ZERO_GRADS
            rows.append((z, parents, local_grads, shared_context if has_bias else (parents, inputs, bias)))
        nodes = wide_nodes(rows, op, inputs if value_inputs else ())
        if mode is not RECORDING:
            for node in nodes:
                watched(node, mode)
        return nodes


def _not_a_sequence(where: str, name: str, value: Any) -> str:
    what = {
        "weight_rows": "rows of weights (a list of lists)",
        "biases": "biases (one per row)",
        "inputs": "inputs (numbers or Values)",
    }[name]
    return f"{where}() {name} must be a sequence of {what}, got {type(value).__name__}: {quote(value)}"


_PLAIN_SEQUENCES = frozenset((list, tuple))


def check_rows(where: str, weight_rows: Any, biases: Any, inputs: Any = ()) -> None:
    """TypeError naming ``where`` and the argument unless each is a sequence (and each row of weights one too)."""
    if (  # lists and tuples, as every caller passes them: checked at C speed, no isinstance of an ABC per row
        type(weight_rows) in _PLAIN_SEQUENCES
        and type(biases) in _PLAIN_SEQUENCES
        and type(inputs) in _PLAIN_SEQUENCES
        and {*map(type, weight_rows)} <= _PLAIN_SEQUENCES
    ):
        return
    for name, value in (("weight_rows", weight_rows), ("inputs", inputs), ("biases", biases)):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(_not_a_sequence(where, name, value))
    for i, row in enumerate(weight_rows):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            raise TypeError(
                f"{where}() weight_rows[{i}] must be a sequence of weights, got {type(row).__name__}: {quote(row)}"
            )


def _reference(where: str, rule: Any, weight_rows: Any, inputs: Any, biases: Any) -> list[Value]:
    """The reference rule row by row; its error says which row, and that it came through ``where``."""
    nodes = []
    for i, (row, bias) in enumerate(zip(weight_rows, biases)):
        try:
            nodes.append(rule(row, inputs, bias))
        except ValueError as error:
            raise ValueError(f"{where}() row {i}: {error}") from error
        except TypeError as error:
            raise TypeError(f"{where}() row {i}: {error}") from error
    return nodes


def _checked_or_none(weight_rows: Any, biases: Any) -> CheckedRows | None:
    try:
        return CheckedRows(weight_rows, biases, keep=False)
    except (TypeError, ValueError):  # not leaves, or ragged rows: the reference rule handles (or names) them
        return None


def dots(
    weight_rows: Sequence[Sequence[Value | float]], inputs: Sequence[Value | float], biases: Sequence[Value | float]
) -> list[Value]:
    """``[dot(w, inputs, b) for w, b in zip(weight_rows, biases)]``: a layer's pre-activations, built together.

    >>> [round(v.data, 10) for v in dots([[Value(1.0)], [Value(2.0)]], [3.0], [0.0, 1.0])]
    [3.0, 7.0]
    """
    check_rows("dots", weight_rows, biases, inputs)
    if len(weight_rows) != len(biases):
        raise ValueError(f"dots() needs one bias per row of weights, got {len(weight_rows)} rows and {len(biases)}")
    checked = _checked_or_none(weight_rows, biases)
    if checked is not None:
        try:
            return checked.dots(inputs)
        except (AttributeError, TypeError, ValueError):  # a number or interior node as weight, a bad input: the rule
            pass
    return _reference("dots", dot, weight_rows, inputs, biases)


def relu_dots(
    weight_rows: Sequence[Sequence[Value | float]], inputs: Sequence[Value | float], biases: Sequence[Value | float]
) -> list[Value]:
    """``[relu_dot(w, inputs, b) for w, b in zip(weight_rows, biases)]``: a relu layer's outputs, built together.

    >>> [v.data for v in relu_dots([[Value(1.0)], [Value(-1.0)]], [3.0], [0.0, 0.0])]
    [3.0, 0.0]
    """
    check_rows("relu_dots", weight_rows, biases, inputs)
    if len(weight_rows) != len(biases):
        raise ValueError(
            f"relu_dots() needs one bias per row of weights, got {len(weight_rows)} rows and {len(biases)}"
        )
    checked = _checked_or_none(weight_rows, biases)
    if checked is not None:
        try:
            return checked.dots(inputs, relu=True)
        except (AttributeError, TypeError, ValueError):
            pass
    return _reference("relu_dots", relu_dot, weight_rows, inputs, biases)

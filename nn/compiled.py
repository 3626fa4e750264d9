"""``nn.compile``: a model's training step (forward, loss, backward, the optimizer's update) as generated Python.

::

    step = nn.compile(model, nn.cross_entropy, optimizer)
    for batch in nn.batches(train, 32, shuffle=True, rng=0):
        loss = step(batch)              # the model's Values hold the new weights when it returns
    print(step.source)                  # the code it runs: your network's backward pass, line by line

The first call traces the step with the eager engine on that batch and writes the code (see
:mod:`autograd.compiler`); later calls run it. Each call reads the weights from the model's Values (so a change made
between calls counts) and writes the new ones back before returning; :func:`nn.fit` with ``compile=True`` keeps
them as floats between its steps instead, and writes them back before anything else can look at them.

The step equals the eager step (``optimizer.zero_grad(); loss.backward(); optimizer.step()``) bit for bit while
the numbers are finite: the code adds every gradient's contributions in the engine's order. The compiled step
refuses what it cannot follow, with a :class:`autograd.CompileError` naming it: a batch of another size, an example
of another length, inputs that are not finite numbers, a class target out of range, a loss that is not finite
(checked before any weight changes), a model whose graph differs from one example to the next, and everything
the tracer refuses (:class:`autograd.TraceError`). ``fallback=True`` runs the eager step instead, saying why once.

``nn.compile(model)`` alone compiles inference: ``predict(inputs)`` gives the model's outputs for a list of inputs.
"""

from __future__ import annotations

import bisect
import math
import numbers
import struct
import warnings
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, cast, overload

from autograd import OPS, CompileError, Value
from autograd.compiler import (
    Layout,
    Matrix,
    Program,
    Spec,
    UpdateRule,
    build_graph,
    collector_paused,
    emit,
    groups_differ,
    load,
    show_source,
)
from autograd.compiler.source import quoted
from autograd.core.checks import quote
from autograd.ops import BinaryOp, UnaryOp
from nn.layers import MLP, Layer
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer

__all__ = ["CompiledModel", "CompiledStep", "CompiledTraining", "compile"]

Ref = tuple  # a reference in a compiled graph (see autograd.compiler.graph)

#: How many versions of a step may be compiled for targets that change the loss's graph (0 and 1 in
#: binary_cross_entropy): beyond this, the step is refused.
MAX_VARIANTS = 8


_data = attrgetter("data")
#: What a step says when a gradient is not finite, compiled or run eagerly (fallback): nothing was changed.
_GRADIENT_NOT_FINITE = "nn.compile: a gradient is not finite (inf or nan); the step was not taken (no weight changed)"


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


# ---------------------------------------------------------------------------------------------------------------
# Where the parameters live
# ---------------------------------------------------------------------------------------------------------------
def _layers(model: Module) -> list[tuple[str, Layer]]:
    if isinstance(model, MLP):
        return [(f"layers.{i}", layer) for i, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [("", model)]
    return []


def _layout(model: Module, params: Sequence[Value]) -> tuple[Layout, list[tuple[Layer, int]]]:
    """Each layer whose parameters are all in ``params`` is a matrix; every other parameter is loose."""
    index = {p: i for i, p in enumerate(params)}
    matrices: list[Matrix] = []
    placed: set[int] = set()
    layers: list[tuple[Layer, int]] = []
    for name, layer in _layers(model):
        rows = [[index.get(w) for w in neuron.w] for neuron in layer.neurons]
        biases = [None if neuron.b is None else index.get(neuron.b) for neuron in layer.neurons]
        has_bias = [b is not None for b in (neuron.b for neuron in layer.neurons)]
        if any(p is None for row in rows for p in row) or len(set(has_bias)) != 1:
            continue
        if has_bias[0] and any(b is None for b in biases):
            continue
        flat: list[int] = [p for row in rows for p in row if p is not None] + [b for b in biases if b is not None]
        if len(set(flat)) != len(flat) or placed & set(flat):
            continue
        placed.update(flat)
        m = len(matrices)
        matrices.append(Matrix(m, rows, biases if has_bias[0] else None, name))  # type: ignore[arg-type]
        layers.append((layer, m))
    loose = [i for i in range(len(params)) if i not in placed]
    return Layout(matrices, loose), layers


# ---------------------------------------------------------------------------------------------------------------
# The optimizers' updates
# ---------------------------------------------------------------------------------------------------------------
def _rule(optimizer: Optimizer) -> tuple[UpdateRule, tuple]:
    """The optimizer's update as an :class:`UpdateRule`, and the settings it was made for (a change rewrites it)."""
    if type(optimizer) is SGD:
        if not optimizer.momentum and not optimizer.weight_decay:
            return UpdateRule(("lr",), (), (("w", "w - lr * g"),), plain=True), ("sgd",)
        rule = UpdateRule(
            ("lr", "momentum", "decay"),
            ("v",),
            (("v", "momentum * v + (g + decay * w)"), ("w", "w - lr * v")),
        )
        return rule, ("sgd momentum",)
    if type(optimizer) is Adam:
        steps: tuple[tuple[str, str], ...] = (
            ("m", "beta1 * m + (1.0 - beta1) * g"),
            ("v", "beta2 * v + (1.0 - beta2) * g * g"),
            ("w", "w - lr * (m / first_correction) / (sqrt(v / second_correction) + eps)"),
        )
        if optimizer.weight_decay:
            steps = (("g", "g + decay * w"), *steps)
        scalars = ("lr", "beta1", "beta2", "eps", "decay", "first_correction", "second_correction")
        return UpdateRule(scalars, ("m", "v"), steps, names={"sqrt": math.sqrt}), ("adam", bool(optimizer.weight_decay))
    raise CompileError(
        f"compile: nn.compile knows the updates of nn.SGD and nn.Adam, not of {type(optimizer).__name__}; "
        "use compile(..., fallback=True) to train it eagerly"
    )


def _settings(optimizer: Optimizer) -> tuple:
    """What :func:`_rule` makes its rule from (a change rewrites the step), without making it. (The settings are
    read from ``defaults``, where the optimizer keeps them: ``optimizer.lr`` goes through its ``__getattr__``.)"""
    settings = optimizer.defaults
    if type(optimizer) is SGD:
        return ("sgd",) if not settings["momentum"] and not settings["weight_decay"] else ("sgd momentum",)
    if type(optimizer) is Adam:
        return ("adam", bool(settings["weight_decay"]))
    return _rule(optimizer)[1]


def _scalars(optimizer: Optimizer) -> list[float]:
    """The numbers the update reads, in the order of its rule's scalars."""
    settings = optimizer.defaults
    if type(optimizer) is Adam:
        beta1, beta2 = settings["betas"]
        t = optimizer.__dict__["steps_taken"] + 1
        decay = settings["weight_decay"]
        return [settings["lr"], beta1, beta2, settings["eps"], decay, 1.0 - beta1**t, 1.0 - beta2**t]
    if type(optimizer) is SGD and (settings["momentum"] or settings["weight_decay"]):
        return [settings["lr"], settings["momentum"], settings["weight_decay"]]
    return [settings["lr"]]


def _buffers(optimizer: Optimizer) -> dict[str, list[float]]:
    if type(optimizer) is Adam:
        return {"m": optimizer.first_moments, "v": optimizer.second_moments}
    settings = optimizer.defaults
    if type(optimizer) is SGD and (settings["momentum"] or settings["weight_decay"]):
        return {"v": optimizer.velocities}
    return {}


# ---------------------------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------------------------
def _input_list(x: Any, size: int, where: str) -> list[float]:
    """One example's input as a list of finite floats of the traced length, or a CompileError naming it."""
    if (
        type(x) is list
        and len(x) == size
        and {*map(type, x)} <= {float}
        and (math.isfinite(sum(x)) or all(map(math.isfinite, x)))  # a finite sum: every number is finite
    ):
        return x
    if isinstance(x, Value | numbers.Real) and size == 1:
        x = [x]
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        raise CompileError(f"compile: {where} must be a list of {size} numbers, got {type(x).__name__}: {quote(x)}")
    if len(x) != size:
        raise CompileError(f"compile: {where} has {len(x)} numbers; the step was compiled for {size}")
    out = []
    for j, item in enumerate(x):
        if isinstance(item, Value):
            raise CompileError(f"compile: {where} holds a Value at {j}; a compiled step takes numbers ({quote(item)})")
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise CompileError(f"compile: {where} item {j} must be a number, got {type(item).__name__}: {quote(item)}")
        number = float(item)
        if not math.isfinite(number):
            raise CompileError(f"compile: {where} item {j} is {number!r}; the compiled step takes finite inputs")
        out.append(number)
    return out


def _pairs(batch: Any) -> list[tuple[Any, Any]]:
    if type(batch) is list and all(type(example) is tuple and len(example) == 2 for example in batch):
        return batch[:]
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence):
        raise CompileError(f"compile: a batch is a list of (x, y) examples, got {type(batch).__name__}: {quote(batch)}")
    for k, example in enumerate(batch):
        if not isinstance(example, tuple | list) or len(example) != 2:
            raise CompileError(f"compile: a batch is a list of (x, y) examples; example {k} is {quote(example)}")
    return list(batch)


def _fresh(target: Any) -> Any:
    """A copy of a target whose floats are new objects (the tracer finds them in the graph by identity)."""
    if type(target) is float:
        return target * 1.0
    if isinstance(target, list | tuple):
        return [_fresh(t) for t in target]
    return target


def _probe(target: Any, strategy: int) -> Any:
    """Another value of the same kind, to see whether the loss's graph depends on the target's value."""
    if isinstance(target, bool):
        return target
    if isinstance(target, int):
        return target - 1 if target > 0 else target + 1
    if isinstance(target, float):
        return (-target if target != 0.0 else 1.0) if strategy == 0 else 1.0 - target
    if isinstance(target, list | tuple):
        return [_probe(t, strategy) for t in target]
    return target


def _leaves(target: Any, k: int) -> list[tuple[tuple, Any]]:
    """``((k, j), value)`` for each number in a target (j None for a lone number)."""
    if isinstance(target, list | tuple):
        return [((k, j), t) for j, t in enumerate(target)]
    return [((k, None), target)]


# ---------------------------------------------------------------------------------------------------------------
# Tracing a step
# ---------------------------------------------------------------------------------------------------------------
class _Variant:
    """One compiled version of a step: its function, its program, and what it expects of a batch."""

    def __init__(self, run: Callable[..., Any], program: Program, externals: list[Value], kinds: dict) -> None:
        self.run, self.program, self.externals, self.kinds = run, program, externals, kinds


def _class_targets(graph: Any, targets: Sequence[Any], tag: str, example_of: Callable[[Ref], int | None]) -> None:
    """A cross_entropy node of example k whose class is example k's target (an int): that target, as a ref.
    ``example_of(ref)`` is the example a parent belongs to (None: several, or none)."""
    for node in graph.nodes:
        if node.name != "cross_entropy" or node.context[0] != "const":
            continue
        examples = {example_of(ref) for ref in node.parents}
        if len(examples) != 1 or None in examples:
            continue
        k = examples.pop()
        assert k is not None
        target = targets[k]
        if type(target) is int and node.context[1] == target:
            node.context = (tag, k, None)
        elif isinstance(target, list | tuple):
            for j, t in enumerate(target):
                if type(t) is int and node.context[1] == t:
                    node.context = (tag, k, j)
                    break


def _same_loss(graph: Any, main: range, probe: range) -> bool:
    """Whether the loss computed twice (main and probe targets) made graphs of one shape, the targets in the same
    places and nothing else changed."""
    main_nodes = [n for n in graph.nodes if graph.made_index[n.index] in main]
    probe_nodes = [n for n in graph.nodes if graph.made_index[n.index] in probe]
    if len(main_nodes) != len(probe_nodes):
        return False
    where = {n.index: p for p, n in enumerate(main_nodes)} | {n.index: p for p, n in enumerate(probe_nodes)}

    def same(ref: Any) -> Any:
        if ref[0] == "node" and ref[1] in where:
            return ("loss", where[ref[1]])
        if ref[0] in ("target", "probe"):
            return ("target", ref[1], ref[2])
        if ref[0] == "const":
            return ("const", _bits(float(ref[1])))
        return ref

    def context(node: Any) -> Any:
        c = node.context
        if isinstance(node.op, UnaryOp):
            return tuple(map(same, c))
        if isinstance(node.op, BinaryOp):
            return None if c is None else (c[0], same(c[1]))
        if node.name in ("dot", "relu_dot"):
            return (tuple(map(same, c[0])), tuple(map(same, c[1])), same(c[2]))
        if node.name == "cross_entropy":
            return same(c)
        return c

    for a, b in zip(main_nodes, probe_nodes):
        if a.name != b.name or [same(r) for r in a.parents] != [same(r) for r in b.parents]:
            return False
        if context(a) != context(b):
            return False
    return True


@collector_paused()
def _trace_step(step: CompiledStep, batch: list[tuple[list[float], Any]], static: bool) -> tuple[_Variant, bool]:
    """Trace one step on ``batch`` and compile it; also whether its targets are variables of the code (False: the
    loss's graph depends on their values, so this version holds this batch's targets)."""
    from autograd.compiler import Recorder, tracing

    model, loss_fn, penalty = step.model, step.loss_fn, step.penalty
    forward: Any = model  # a Module subclass that is called (MLP, Layer, a user's model)
    inputs = [[Value(v) for v in x] for x, _ in batch]
    input_refs = {value: ("input", k, j) for k, row in enumerate(inputs) for j, value in enumerate(row)}
    targets = [_fresh(y) for _, y in batch]
    fresh = {id(t): ("target", k, j) for k, y in enumerate(targets) for (_, j), t in _leaves(y, k) if type(t) is float}
    own = _library_model(model)
    recorder = Recorder(retype=not own)
    watched = [v for row in inputs for v in row] + list(step.params) + model.parameters()
    if not own:
        recorder.mark(watched)
    probe: list[Any] = []
    bounds = [0]
    try:
        with tracing(recorder):
            outputs = []
            for x in inputs:
                outputs.append(forward(x))
                bounds.append(len(recorder.nodes))
            start = len(recorder.nodes)
            if own:  # nn's own layers run no user code: the numbers are hidden from here on, from their outputs on
                recorder.retype = True
                recorder.mark(watched)
                recorder.mark(v for out in outputs for v in (out if isinstance(out, list | tuple) else [out]))
            loss = loss_fn(outputs, targets)
            if not isinstance(loss, Value):
                raise CompileError(
                    f"compile: loss_fn must return a Value (the batch's loss), {loss_fn!r:.60} returned "
                    f"{type(loss).__name__}: {quote(loss)}"
                )
            loss_end = len(recorder.nodes)
            objective = loss + penalty(model) if penalty is not None else loss
            middle = len(recorder.nodes)
            probe_objective = None if static else _probe_loss(step, outputs, targets, fresh, probe)
            end = len(recorder.nodes)
    finally:
        recorder.restore()
    _check_randomness(recorder.nodes)
    shaped = [out if isinstance(out, list | tuple) else [out] for out in outputs]
    for k, out in enumerate(shaped):
        if not out or not all(isinstance(v, Value) for v in out):
            raise CompileError(f"compile: the model's output for example {k} must be Values, got {quote(outputs[k])}")
    made = recorder.nodes
    model_nodes = {value: ("model", i) for i, value in enumerate(made[:start])}

    def example_of(ref: Ref) -> int | None:
        if ref[0] == "model":
            return bisect.bisect_right(bounds, ref[1]) - 1
        return ref[1] if ref[0] == "input" else None

    classes: dict[int, Ref] = {}  # made index of a cross_entropy node -> its target
    variable = False
    if probe_objective is not None:
        loss_part = build_graph(
            [loss, probe_objective],
            made[start:end],
            {**input_refs, **model_nodes},
            step.params,
            lambda c: fresh.get(id(c)),
            order=False,
        )
        _class_targets(loss_part, targets, "target", example_of)
        _class_targets(loss_part, probe[0], "probe", example_of)
        variable = _same_loss(loss_part, range(0, loss_end - start), range(middle - start, end - start))
        classes = {
            loss_part.made_index[n.index] + start: n.context
            for n in loss_part.nodes
            if n.name == "cross_entropy" and n.context[0] == "target"
        }
    graph = build_graph(
        [objective, loss], made, input_refs, step.params, lambda c: fresh.get(id(c)) if variable else None
    )
    if variable:
        for node in graph.nodes:
            if graph.made_index[node.index] in classes:
                node.context = classes[graph.made_index[node.index]]
    report = graph.roots[1] if loss is not objective else None
    graph.roots = graph.roots[:1]
    outputs_refs = [[graph.refs.get(v, ("missing",)) for v in out] for out in shaped]
    if any(r[0] == "missing" for out in outputs_refs for r in out):
        outputs_refs = []
    rule, _ = _rule(step.optimizer)
    spec = Spec(
        examples=len(batch),
        grad_kinds=frozenset({"param"}),
        layout=step.layout,
        rule=rule,
        outputs=outputs_refs,
        single_output=not isinstance(outputs[0], list | tuple),
        input_size=len(batch[0][0]),
        report=report,
        fixed_targets=not variable,
        trusted=bisect.bisect_left(graph.made_index, start) if own else 0,
        trusted_starts=[bisect.bisect_left(graph.made_index, b) for b in bounds[:-1]] if own else [],
        title=f"one training step of {quoted(type(model).__name__)} on a batch of {len(batch)}, compiled by glassgrad",
    )
    program = emit(graph, spec)
    if program.plan != "loop" and len(inputs) > 1:  # a loop over the examples proves they have one shape
        _check_one_shape(graph, bounds, start)
    run = load(program.source, program.names, "step")
    kinds = _target_kinds(graph) if variable else {}
    return _Variant(run, program, graph.externals, kinds), variable


def _library_model(model: Module) -> bool:
    """An MLP, Layer or Neuron of nn with named activations: its forward pass runs library code only, so it can be
    traced on the engine's fast paths (the numbers are hidden from user code before the loss sees them)."""
    if type(model) is MLP:
        layers = model.layers
    elif type(model) is Layer:
        layers = [model]
    else:
        return False
    return all(type(layer) is Layer and all(isinstance(n.activation, str) for n in layer.neurons) for layer in layers)


def _check_one_shape(graph: Any, bounds: list[int], start: int) -> None:
    """Each example's pass through the model made a graph of one shape, or a CompileError saying where not."""
    groups: list[list[int]] = [[] for _ in bounds[1:]]
    for node in graph.nodes:
        made_at = graph.made_index[node.index]
        if made_at < start:
            groups[bisect.bisect_right(bounds, made_at) - 1].append(node.index)
    why = groups_differ(graph, groups)
    if why is not None:
        raise CompileError(
            f"compile: the model's graph differs from one example to the next ({why}): the compiled code is one "
            "program for every example, so a model that makes another graph at each call (a random choice, a Python "
            "branch on a counter) cannot be compiled; use compile(..., fallback=True)"
        )


def _probe_loss(step: CompiledStep, outputs: list, targets: list, fresh: dict, probe: list) -> Value | None:
    """The loss again with other targets (rotated through the batch, or changed), for :func:`_same_loss`."""
    n = len(targets)
    candidates = []
    if n >= 2 and any(_bits_of(targets[k]) != _bits_of(targets[0]) for k in range(n)):
        candidates.append([_fresh(targets[(k + 1) % n]) for k in range(n)])
    candidates += [[_fresh(_probe(t, strategy)) for t in targets] for strategy in (0, 1)]
    for candidate in candidates:
        try:
            probe_loss = step.loss_fn(outputs, candidate)
        except CompileError:
            raise
        except (ValueError, TypeError, IndexError):
            continue  # not a target this loss takes: try another
        if not isinstance(probe_loss, Value):
            return None
        probe.append(candidate)
        for k, y in enumerate(candidate):
            fresh.update({id(t): ("probe", k, j) for (_, j), t in _leaves(y, k) if type(t) is float})
        return probe_loss  # the penalty reads no target: the loss alone is compared
    return None


def _target_kinds(graph: Any) -> dict:
    """What each target must be on later calls: a class index (and how many classes), or a number."""
    kinds: dict = {}
    for node in graph.nodes:
        context = node.context
        if type(context) is not tuple or not context:  # (a dot's context is a tuple of lists: skipped below)
            continue
        if context[0] == "target" and node.name == "cross_entropy":
            kinds[context[1:]] = ("class", len(node.parents))
        elif len(context) == 2 and type(context[1]) is tuple and context[1][0] == "target":
            kinds.setdefault(context[1][1:], ("number",))
    return kinds


def _check_randomness(nodes: Sequence[Value]) -> None:
    """An op that draws at random in training (rrelu) cannot be repeated by generated code: refused."""
    random = {name for name, op in OPS.items() if getattr(getattr(op, "activation", None), "training", False)}
    for node in nodes:
        if node.op not in random:
            continue
        op: Any = OPS[node.op]
        drawn = node.context is not None
        if drawn and tuple(node.context) != tuple(d for _, d in op.params):
            raise CompileError(
                f"compile: {op.name} drew a random slope ({node.context[0]!r}) while tracing: in training it "
                "draws a new one at every call, which generated code cannot repeat; call model.eval() first "
                "(its slope is then fixed), or use compile(..., fallback=True)"
            )


def _bits_of(target: Any) -> Any:
    if isinstance(target, list | tuple):
        return tuple(_bits_of(t) for t in target)
    if isinstance(target, float):
        return _bits(target)
    return target


# ---------------------------------------------------------------------------------------------------------------
# The step
# ---------------------------------------------------------------------------------------------------------------
def _check_model(model: Any, where: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{where} needs a model (an nn.Module), got {type(model).__name__}: {quote(model)}")


class CompiledStep:
    """A training step compiled to Python: ``step(batch)`` runs forward, loss, backward and the optimizer's update,
    and returns the loss (a float). Made by :func:`nn.compile`; see its module for what it checks and refuses.

    - ``source``: the generated code (after the first call), shown highlighted in a notebook;
    - ``plan``: how it was laid out (``"loop"``: one loop over the examples; ``"unrolled"``; ``"node by node"``);
    - ``run(batch)``, ``read_weights()``, ``write_weights()``: the step without reading and writing the model's
      Values around it, for a loop that keeps the weights as floats (:func:`nn.fit` with ``compile=True``).

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], rng=0)
    >>> step = CompiledStep(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    >>> loss = step([([1.0, 0.0], 1.0)])
    >>> step.plan, "def step(batch, lr" in step.source
    ('unrolled', True)
    """

    def __init__(
        self,
        model: Module,
        loss_fn: Callable[[Any, Any], Value],
        optimizer: Optimizer,
        *,
        penalty: Callable[[Module], Value] | None = None,
        fallback: bool = False,
    ) -> None:
        _check_model(model, "nn.compile()")
        if not callable(loss_fn):
            raise TypeError(
                f"nn.compile() loss_fn must be a function (outputs, targets) -> Value, got {quote(loss_fn)}"
            )
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"nn.compile() optimizer must be an nn optimizer (nn.SGD, nn.Adam), got {quote(optimizer)}")
        if penalty is not None and not callable(penalty):
            raise TypeError(f"nn.compile() penalty must be a function model -> Value or None, got {quote(penalty)}")
        self.model, self.loss_fn, self.optimizer, self.penalty = model, loss_fn, optimizer, penalty
        self.fallback = fallback
        self.params = list(optimizer.params)
        self.layout, self._layers = _layout(model, self.params)
        self._variants: dict[Any, _Variant] = {}
        self._variable: bool | None = None  # targets are variables of the code (None: not traced yet)
        self._size: int | None = None
        self._input_size: int | None = None
        self._settings: tuple | None = None
        self._training: bool | None = None
        self._last: _Variant | None = None
        self._eager_reason: str | None = None
        self._state: list[Any] | None = None
        self._values: list[Any] = []

    # ------------------------------------------------------------------------------------------- showing
    @property
    def source(self) -> Any:
        """The generated code of the last compiled version (a str; highlighted in a notebook)."""
        if self._last is None:
            why = f"it runs eagerly ({self._eager_reason})" if self._eager_reason else "call step(batch) once first"
            raise CompileError(f"compile: this step has no generated code yet: {why}")
        return show_source(self._last.program.source)

    @property
    def plan(self) -> str:
        """How the code was laid out: ``"loop"`` (over the examples), ``"unrolled"``, ``"node by node"``."""
        return self._last.program.plan if self._last else "not compiled"

    def _repr_markdown_(self) -> str:
        return self.source._repr_markdown_() if self._last else f"`{self!r}`"

    def __repr__(self) -> str:
        return f"<compiled step of {type(self.model).__name__} ({self.plan})>"

    # ------------------------------------------------------------------------------------------- weights
    def _held_values(self) -> list[Any]:
        """The Values behind each container: a matrix's rows of weights, a bias list, the loose list."""
        params = self.params
        held: list[Any] = []
        for matrix in self.layout.matrices:
            held.append([[params[p] for p in row] for row in matrix.rows])
            if matrix.biases is not None:
                held.append([params[p] for p in matrix.biases])
        held.append([params[p] for p in self.layout.loose])
        return held

    def read_weights(self) -> None:
        """Read the parameters (and the optimizer's buffers) from the model's Values into the step's lists."""
        if not self._values:
            self._values = self._held_values()
        containers: list[Any] = []
        for held in self._values:  # comprehensions, not map(attrgetter): the interpreter reads a slot faster
            if held and type(held[0]) is list:
                containers.append([[v.data for v in row] for row in held])
            else:
                containers.append([v.data for v in held])
        self._read_rows = [list(c) for c in containers]  # which row lists the step replaces
        for buffer in _buffers(self.optimizer).values():
            for matrix in self.layout.matrices:
                containers.append([[buffer[p] for p in row] for row in matrix.rows])
                if matrix.biases is not None:
                    containers.append([buffer[p] for p in matrix.biases])
            containers.append([buffer[p] for p in self.layout.loose])
        self._state = containers

    def write_weights(self) -> None:
        """Write the step's lists back into the model's Values (and the optimizer's buffers)."""
        state = self._state
        if state is None:
            return
        values = self._values
        for container, held, before in zip(state, values, self._read_rows):
            if held and type(held[0]) is list:  # a matrix: only the rows the step replaced changed
                for row, old, targets in zip(container, before, held):
                    if row is not old:
                        for value, number in zip(targets, row):
                            value.data = number
            else:
                for value, number in zip(held, container):
                    value.data = number
        self._read_rows = [list(c) for c in state[: len(values)]]
        position = len(values)
        for buffer in _buffers(self.optimizer).values():
            for matrix in self.layout.matrices:
                for row, params in zip(state[position], matrix.rows):
                    for p, number in zip(params, row):
                        buffer[p] = number
                position += 1
                if matrix.biases is not None:
                    for p, number in zip(matrix.biases, state[position]):
                        buffer[p] = number
                    position += 1
            for p, number in zip(self.layout.loose, state[position]):
                buffer[p] = number
            position += 1

    # ------------------------------------------------------------------------------------------- running
    def __call__(self, batch: Sequence[tuple[Any, Any]]) -> float:
        """One training step on ``batch`` (a list of ``(x, y)``); returns the loss. The model's Values hold the
        new weights when it returns. A step whose loss or a gradient is not finite is not taken (FloatingPointError)."""
        try:
            return self._step(batch)
        except FloatingPointError as error:
            raise FloatingPointError(
                f"{error}: is the learning rate ({self.optimizer.lr!r}) too large, or does the loss take a log or "
                "square root at 0?"
            ) from None

    def _step(self, batch: Sequence[tuple[Any, Any]]) -> float:
        if self._eager_reason is not None:
            return self._eager(batch)[0]
        self.read_weights()
        try:
            loss, _ = self.run(batch)
        except CompileError as error:
            if not self.fallback:
                raise
            self._use_eager(error)
            return self._eager(batch)[0]
        finally:
            if self._eager_reason is None:
                self.write_weights()
        return loss

    def _use_eager(self, error: Exception) -> None:
        self._eager_reason = str(error).splitlines()[0]
        warnings.warn(f"nn.compile: this step runs with the eager engine: {error}", stacklevel=3)

    def _eager(self, batch: Sequence[tuple[Any, Any]]) -> tuple[float, list[Any]]:
        """The same step with the eager engine."""
        optimizer = self.optimizer
        forward: Any = self.model
        outputs = [forward(x) for x, _ in batch]
        loss = self.loss_fn(outputs, [y for _, y in batch])
        objective = loss + self.penalty(self.model) if self.penalty is not None else loss
        if not math.isfinite(objective.data):
            raise FloatingPointError(f"the loss is {objective.data!r}: the step was not taken")
        optimizer.zero_grad()
        objective.backward()
        total = sum([p.grad for p in optimizer.params])  # as the compiled step: stop before the update
        if not (type(total) is float and math.isfinite(total)) and not all(
            math.isfinite(float(getattr(p.grad, "data", p.grad))) for p in optimizer.params
        ):
            raise FloatingPointError(_GRADIENT_NOT_FINITE)
        optimizer.step()
        return loss.data, outputs

    def run(self, batch: Sequence[tuple[Any, Any]], outputs: bool = False) -> tuple[float, list[Any]]:
        """The step on the step's own lists (after :meth:`read_weights`): ``(loss, outputs)``, the outputs as
        numbers (a list per example, or one number for a model with one output), or [] unless ``outputs``."""
        if self._eager_reason is not None:
            loss, out = self._eager(batch)
            return loss, [o.data if isinstance(o, Value) else [v.data for v in o] for o in out] if outputs else []
        if self._state is None:
            self.read_weights()
        pairs = self._checked(batch)
        variant = self._variant(pairs)
        scalars = _scalars(self.optimizer)
        external = [v.data for v in variant.externals]
        result = variant.run(pairs, *scalars, *self._state, external)  # type: ignore[misc]
        if result is None or (type(result) is tuple and result[1] is None):
            raise FloatingPointError(_GRADIENT_NOT_FINITE)
        loss, found = result if type(result) is tuple else (result, [])
        if not math.isfinite(loss):
            what = "the loss with the penalty" if self.penalty is not None else "the loss"
            raise FloatingPointError(f"nn.compile: {what} is {loss!r}; the step was not taken (no weight changed)")
        if type(self.optimizer) is Adam:
            self.optimizer.steps_taken += 1
        return loss, (found if outputs else [])

    def _checked(self, batch: Any) -> list[tuple[list[float], Any]]:
        pairs = _pairs(batch)
        if not pairs:
            raise CompileError("compile: a batch needs at least one example, got none")
        if self._size is not None and len(pairs) != self._size:
            raise CompileError(
                f"compile: this step was compiled for batches of {self._size} examples, got {len(pairs)}; a batch "
                "of another size is another program: make another step with nn.compile for it (nn.fit does)"
            )
        size = self._input_size
        if size is None:
            first = pairs[0][0]
            size = 1 if isinstance(first, Value | numbers.Real) else len(first)
        checked = []
        isfinite, floats = math.isfinite, {float}
        for k, (x, y) in enumerate(pairs):
            if not (
                type(x) is list
                and len(x) == size
                and {*map(type, x)} <= floats
                and (isfinite(sum(x)) or all(map(isfinite, x)))
            ):
                x = _input_list(x, size, f"example {k}'s input")  # a copy as floats, or the error naming it
            checked.append((x, y))
        return checked

    def _variant(self, pairs: list[tuple[list[float], Any]]) -> _Variant:
        settings = _settings(self.optimizer)
        if self._settings is not None and (settings != self._settings or self.model.training != self._training):
            self._variants.clear()  # the optimizer's kind or the model's mode changed: trace again
            self._variable = None
        if self._variable is None:
            variant, variable = _trace_step(self, pairs, static=False)
            self._variable, self._size, self._input_size = variable, len(pairs), len(pairs[0][0])
            self._settings, self._training = settings, self.model.training
            key = None if variable else _bits_of([y for _, y in pairs])
            self._variants[key] = variant
            self._last = variant
        if self._variable:
            variant = self._variants[None]
            self._check_targets(pairs, variant)
            return variant
        key = _bits_of([y for _, y in pairs])
        found = self._variants.get(key)
        if found is None:
            if len(self._variants) >= MAX_VARIANTS:
                raise CompileError(
                    f"compile: the loss's graph depends on the targets' values (as binary_cross_entropy's does at 0 "
                    f"and 1), so each new set of targets needs its own program; {MAX_VARIANTS} are made already. "
                    "Use a loss whose graph is the same for any target (binary_cross_entropy_with_logits), or "
                    "compile(..., fallback=True)"
                )
            found, _ = _trace_step(self, pairs, static=True)
            self._variants[key] = found
        self._last = found
        return found

    def _check_targets(self, pairs: list[tuple[list[float], Any]], variant: _Variant) -> None:
        """Targets the code reads: class indices in range, numbers as floats (converted in place)."""
        kinds = variant.kinds
        for k, (x, y) in enumerate(pairs):
            if type(y) is int or type(y) is float:  # a lone number: a class index or a float the code reads as is
                kind = kinds.get((k, None))
                if kind is None or (
                    (kind[0] == "class" and type(y) is int and 0 <= y < kind[1])
                    or (kind[0] == "number" and type(y) is float)
                ):
                    continue
            for (_, j), value in _leaves(y, k):
                kind = variant.kinds.get((k, j))
                if kind is None:
                    continue
                if kind[0] == "class":
                    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
                        raise CompileError(
                            f"compile: example {k}'s target must be a class index (int), got {quote(value)}"
                        )
                    if not 0 <= int(value) < kind[1]:
                        raise CompileError(
                            f"compile: example {k}'s target is class {value}, out of range for {kind[1]} classes"
                        )
                elif isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise CompileError(f"compile: example {k}'s target must be a number, got {quote(value)}")
            if any(
                kind[0] == "number" and type(value) is not float
                for (_, j), value in _leaves(y, k)
                if (kind := variant.kinds.get((k, j))) is not None
            ):
                y = [float(v) for v in y] if isinstance(y, list | tuple) else float(y)
                pairs[k] = (x, y)


class CompiledTraining:
    """What :func:`nn.fit` trains through with ``compile=True``: one :class:`CompiledStep` per batch size (a batch
    of another size is another program), the weights kept as floats between steps. :meth:`write` puts them into
    the model's Values (fit calls it before every callback, evaluation, progress report and its return) and
    :meth:`read` takes them back (after user code, which may have changed them).

    A step whose loss or a gradient is not finite is not taken: :class:`FloatingPointError` says which.

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], rng=0)
    >>> training = CompiledTraining(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    >>> loss, outputs = training.step([([1.0, 0.0], 1.0), ([0.0, 1.0], 0.0)], outputs=True)
    >>> len(outputs), model.layers[0].neurons[0].w[0].data == training.active.model.layers[0].neurons[0].w[0].data
    (2, True)
    >>> training.write()  # the model's Values now hold the new weights
    """

    def __init__(
        self,
        model: Module,
        loss_fn: Callable[[Any, Any], Value],
        optimizer: Optimizer,
        *,
        penalty: Callable[[Module], Value] | None = None,
    ) -> None:
        self.model, self.loss_fn, self.optimizer, self.penalty = model, loss_fn, optimizer, penalty
        self.steps: dict[int, CompiledStep] = {}
        self.active: CompiledStep | None = None
        self._current = False  # the active step's lists hold the weights (not the Values alone)
        self._given: CompiledStep | None = None  # a step made before, used for the first batch size it fits

    @classmethod
    def for_fit(cls, model: Module, loss_fn: Any, optimizer: Optimizer, penalty: Any, given: Any) -> CompiledTraining:
        """fit's ``compile=``: True, or a :class:`CompiledStep` of this model, loss, optimizer and penalty."""
        if given is True:
            return cls(model, loss_fn, optimizer, penalty=penalty)
        if not isinstance(given, CompiledStep):
            raise TypeError(
                f"fit() compile must be True, False or a step made by nn.compile(model, loss_fn, optimizer), "
                f"got {type(given).__name__} {quote(given)}"
            )
        for name, mine, theirs in (
            ("model", model, given.model),
            ("loss_fn", loss_fn, given.loss_fn),
            ("optimizer", optimizer, given.optimizer),
            ("penalty", penalty, given.penalty),
        ):
            if mine is not theirs:
                raise ValueError(f"fit() compile= was given a step made for another {name} than fit's")
        training = cls(model, loss_fn, optimizer, penalty=penalty)
        training._given = given
        return training

    def step(self, batch: Sequence[tuple[Any, Any]], outputs: bool = False) -> tuple[float, list[Any]]:
        """One step on ``batch``: ``(loss, outputs)`` (outputs as numbers, or [] unless ``outputs``). The model's
        Values are not written: call :meth:`write` before anything reads them."""
        step = self.steps.get(len(batch))
        if step is None:
            given = self._given
            if given is not None and given._size in (None, len(batch)):
                step, self._given = given, None
            else:
                step = CompiledStep(self.model, self.loss_fn, self.optimizer, penalty=self.penalty)
            self.steps[len(batch)] = step
        if step is not self.active:
            self.write()
            self.active, self._current = step, False
        if not self._current:
            step.read_weights()
            self._current = True
        return step.run(batch, outputs)

    def write(self) -> None:
        """The weights (and the optimizer's buffers) into the model's Values."""
        if self.active is not None and self._current:
            self.active.write_weights()

    def read(self) -> None:
        """Forget the floats: the next step reads the model's Values (changed by user code, maybe)."""
        self._current = False


class CompiledModel:
    """A model's forward pass compiled to Python: ``predict(inputs)`` is the list of its outputs, one per input
    (a number for a model with one output, else a list). It reads the weights from the model's Values at each
    call. Made by ``nn.compile(model)``; ``source`` is the code.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0)
    >>> predict = CompiledModel(model)
    >>> predict([[1.0, 2.0], [0.5, -1.0]]) == [model([1.0, 2.0]).data, model([0.5, -1.0]).data]
    True
    """

    def __init__(self, model: Module, *, fallback: bool = False) -> None:
        _check_model(model, "nn.compile()")
        self.model, self.fallback = model, fallback
        self.params = model.parameters()
        self.layout, _ = _layout(model, self.params)
        self._run: Callable[..., Any] | None = None
        self._program: Program | None = None
        self._externals: list[Value] = []
        self._size: int | None = None
        self._training: bool | None = None
        self._eager_reason: str | None = None

    @property
    def source(self) -> Any:
        """The generated code (after the first call), shown highlighted in a notebook."""
        if self._program is None:
            why = f"it runs eagerly ({self._eager_reason})" if self._eager_reason else "call it once first"
            raise CompileError(f"compile: this model has no generated code yet: {why}")
        return show_source(self._program.source)

    @property
    def plan(self) -> str:
        """How the code was laid out, or ``"not compiled"`` before the first call."""
        return self._program.plan if self._program else "not compiled"

    def _repr_markdown_(self) -> str:
        return self.source._repr_markdown_() if self._program else f"`{self!r}`"

    def __repr__(self) -> str:
        return f"<compiled {type(self.model).__name__} forward ({self.plan})>"

    def __call__(self, inputs: Sequence[Any]) -> list[Any]:
        if isinstance(inputs, str | bytes) or not isinstance(inputs, Sequence):
            raise CompileError(
                f"compile: predict() takes a list of inputs, got {type(inputs).__name__}: {quote(inputs)}"
            )
        if self._eager_reason is not None:
            return self._eager(inputs)
        try:
            if self._run is None or self.model.training != self._training:
                self._trace(inputs)
            size = self._size
            xs = [_input_list(x, size, f"input {k}") for k, x in enumerate(inputs)]  # type: ignore[arg-type]
        except CompileError as error:
            if not self.fallback:
                raise
            self._eager_reason = str(error).splitlines()[0]
            warnings.warn(f"nn.compile: this model runs with the eager engine: {error}", stacklevel=2)
            return self._eager(inputs)
        containers: list[Any] = []
        for matrix in self.layout.matrices:
            containers.append([[self.params[p].data for p in row] for row in matrix.rows])
            if matrix.biases is not None:
                containers.append([self.params[p].data for p in matrix.biases])
        containers.append([self.params[p].data for p in self.layout.loose])
        return self._run(xs, *containers, [v.data for v in self._externals])  # type: ignore[misc]

    def _eager(self, inputs: Sequence[Any]) -> list[Any]:
        from autograd import no_grad

        with no_grad():
            outputs = [cast(Any, self.model)(x) for x in inputs]
        return [o.data if isinstance(o, Value) else [v.data for v in o] for o in outputs]

    @collector_paused()
    def _trace(self, inputs: Sequence[Any]) -> None:
        from autograd.compiler import Recorder, tracing

        if not inputs:
            raise CompileError("compile: predict() needs at least one input to trace the model with")
        first = inputs[0]
        size = 1 if isinstance(first, Value | numbers.Real) else len(first)
        x = [Value(v) for v in _input_list(first, size, "input 0")]
        recorder = Recorder()
        recorder.mark(x)
        recorder.mark(self.params)
        try:
            with tracing(recorder):
                output = cast(Any, self.model)(x)
        finally:
            recorder.restore()
        _check_randomness(recorder.nodes)
        shaped = output if isinstance(output, list | tuple) else [output]
        if not shaped or not all(isinstance(v, Value) for v in shaped):
            raise CompileError(f"compile: the model's output must be Values, got {quote(output)}")
        graph = build_graph(
            shaped, recorder.nodes, {v: ("input", 0, j) for j, v in enumerate(x)}, self.params, order=False
        )
        spec = Spec(
            examples=1,
            grad_kinds=frozenset(),
            layout=self.layout,
            outputs=[list(graph.roots)],
            single_output=not isinstance(output, list | tuple),
            forward_only=True,
            input_size=size,
            title=f"the forward pass of {quoted(type(self.model).__name__)}, compiled by glassgrad",
        )
        program = emit(graph, spec)
        self._run = load(program.source, program.names, "forward")
        self._program, self._externals, self._size = program, graph.externals, size
        self._training = self.model.training


@overload
def compile(model: Module, *, fallback: bool = ...) -> CompiledModel: ...  # noqa: A001


@overload
def compile(  # noqa: A001
    model: Module,
    loss_fn: Callable[[Any, Any], Value],
    optimizer: Optimizer,
    *,
    penalty: Callable[[Module], Value] | None = ...,
    fallback: bool = ...,
) -> CompiledStep: ...


def compile(  # noqa: A001 - nn.compile, as autograd.compile
    model: Module,
    loss_fn: Callable[[Any, Any], Value] | None = None,
    optimizer: Optimizer | None = None,
    *,
    penalty: Callable[[Module], Value] | None = None,
    fallback: bool = False,
) -> CompiledModel | CompiledStep:
    """A training step of ``model`` on ``loss_fn`` with ``optimizer``, compiled to Python; or, with the model
    alone, its inference.

    ``step = nn.compile(model, loss_fn, optimizer)``; ``loss = step(batch)`` for a batch of ``(x, y)``: forward,
    ``loss_fn(outputs, targets)`` (``+ penalty(model)``), backward and ``optimizer``'s update (``nn.SGD`` with
    momentum and weight decay, ``nn.Adam``), the same numbers as the eager step. ``step.source`` is its code.
    ``predict = nn.compile(model)``: ``predict(inputs)`` is the model's output for each input.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0)
    >>> step = nn.compile(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    >>> loss = step([([0.5, -1.0], 1.0), ([1.0, 0.0], 0.0)])
    >>> step.plan
    'loop'
    """
    if loss_fn is None and optimizer is None:
        return CompiledModel(model, fallback=fallback)
    if loss_fn is None or optimizer is None:
        raise TypeError("nn.compile() takes a model alone (inference), or a model, a loss_fn and an optimizer")
    return CompiledStep(model, loss_fn, optimizer, penalty=penalty, fallback=fallback)

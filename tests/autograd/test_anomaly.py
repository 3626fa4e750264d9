"""detect_anomaly(): the first op or backward edge that turns finite numbers into inf/nan is named, with its line."""

from __future__ import annotations

import asyncio
import inspect
import math
import sys
import threading

import pytest

import autograd
from autograd import (
    OPS,
    AnomalyError,
    CheckedRows,
    Value,
    backward,
    detect_anomaly,
    dot,
    dots,
    is_anomaly_enabled,
    relu_dots,
)
from autograd.core.mode import GradMode, ModeSwitch
from autograd.ops import BinaryOp, UnaryOp


def line_here() -> int:
    """The line number of the caller's line."""
    return inspect.currentframe().f_back.f_lineno


def test_a_nan_planted_in_forward_names_the_op_its_inputs_and_the_line():
    w = [Value(1e308, label="w_big"), Value(-1e308, label="w_small")]
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        expected_line = line_here() + 1
        dot(w, [10.0, 10.0])  # 1e309 + (-1e309) = inf - inf = nan, from finite numbers
    error = caught.value
    assert isinstance(error, FloatingPointError)
    assert math.isnan(error.node.data)
    assert error.node.op == "dot"
    assert error.where == (__file__, expected_line)
    message = str(error)
    assert "dot gave nan from finite inputs" in message
    assert "w_big = 1e+308" in message and "w_small = -1e+308" in message and "10.0" in message
    assert f"{__file__}:{expected_line}" in message
    assert "dot(w, [10.0, 10.0])" in message  # the user's line itself


def test_an_overflow_in_forward_is_named_and_the_line_is_the_users_not_the_librarys():
    import nn

    model = nn.MLP(2, [3, 1], activation="tanh", rng=0)
    model.layers[0].neurons[1].w[0].data = 1e308
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        expected_line = line_here() + 1
        model([10.0, 0.0])
    assert caught.value.where == (__file__, expected_line)  # not a line inside nn/ or autograd/
    assert caught.value.node.data == math.inf
    assert "dot gave inf" in str(caught.value)


def test_an_op_fed_an_inf_is_not_blamed_and_nothing_is_checked_outside():
    with detect_anomaly():
        infinite = Value(math.inf)
        assert (infinite * 2.0).data == math.inf  # the inf came in: this op did not make it
        assert (infinite - infinite).data != (infinite - infinite).data  # nan from an inf: not this op's doing
    big = Value(1e200)
    assert (big * 1e200).data == math.inf  # outside the block: no error
    assert math.isnan(dot([Value(1e308), Value(-1e308)], [10.0, 10.0]).data)


def test_a_nan_planted_in_backward_names_the_first_edge_node_parent_and_both_numbers():
    x = Value(0.0, label="x")
    with detect_anomaly():
        expected_line = line_here() + 1
        root = x.sqrt()
        root = root * 0.0  # upstream of sqrt is 0.0; d sqrt/dx at 0 is inf; 0 * inf = nan
        with pytest.raises(AnomalyError) as caught:
            root.backward()
    error = caught.value
    assert error.node.op == "sqrt"
    assert error.parent is x
    assert error.local_derivative == math.inf
    assert error.upstream_grad == 0.0
    assert math.isnan(x.grad)
    assert error.where == (__file__, expected_line)
    message = str(error)
    assert "sqrt -> x" in message and "inf * upstream grad 0.0 = nan" in message
    assert "root = x.sqrt()" in message
    # the same graph outside the block: backward runs through and x.grad is nan, silently
    x.grad = 0.0
    root.backward()
    assert math.isnan(x.grad)


def test_the_first_bad_edge_is_reported_not_a_later_one():
    a = Value(0.0, label="a")
    with detect_anomaly():
        s = a.sqrt()  # local derivative inf
        t = s.exp()  # fine
        u = t * 3.0
        with pytest.raises(AnomalyError) as caught:
            u.backward()
    assert (caught.value.node, caught.value.parent) == (s, a)
    assert caught.value.upstream_grad == pytest.approx(3.0 * math.exp(0.0))


def test_a_graph_built_outside_the_block_is_checked_in_backward_with_no_line():
    x = Value(0.0, label="x")
    root = x.sqrt() * 2.0
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        backward(root)
    assert caught.value.where is None
    assert "outside detect_anomaly()" in str(caught.value)


def test_create_graph_builds_the_derivatives_as_ops_and_they_are_checked_too():
    x = Value(1e-310, label="x")  # a subnormal: log(x) is finite, d log/dx = 1/x overflows
    with detect_anomaly():
        y = x.log()
        with pytest.raises(AnomalyError, match="backward made inf at the edge log -> x"):
            y.backward()
        with pytest.raises(AnomalyError, match="div gave inf from finite inputs x = 1e-310"):
            y.backward(create_graph=True)  # 1 / x is now a node of its own, made in backward


def test_a_finite_backward_passes_and_gives_the_same_grads():
    def grads():
        a, b = Value(0.3, label="a"), Value(-1.2, label="b")
        ((a * b).tanh() + a.exp() * b).backward()
        return a.grad, b.grad

    plain = grads()
    with detect_anomaly():
        watched = grads()
    assert watched == plain


def _module_globals() -> dict[str, dict[str, object]]:
    return {
        name: dict(vars(module)) for name, module in sys.modules.items() if name.split(".")[0] in {"autograd", "nn"}
    }


def test_detect_anomaly_watches_through_the_engine_hook_and_patches_nothing():
    before = _module_globals()
    with detect_anomaly():
        assert is_anomaly_enabled()
        inside = _module_globals()
        with detect_anomaly():  # nested
            assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    after = _module_globals()
    for name, names in before.items():
        for seen in (inside, after):
            changed = [key for key, value in names.items() if key in seen[name] and seen[name][key] is not value]
            assert not changed, f"{name}: {changed} replaced while detect_anomaly() is open"


class _Recorder:
    """A watcher (the engine's hook) that keeps every node shown to it and counts the backward steps."""

    def __init__(self):
        self.nodes = []
        self.steps = 0

    def made(self, node):
        self.nodes.append(node)

    def __call__(self, node, parent, local, upstream):
        self.steps += 1


class _Watching(ModeSwitch):
    def __init__(self, recorder):
        self.recorder = recorder

    def _entering(self, current):
        return GradMode(current.recording, self.recorder)


def _every_way_to_make_a_node():
    x, y = Value(0.3, label="x"), Value(0.7, label="y")
    made = []
    for op in OPS.values():
        if isinstance(op, UnaryOp):
            made.append(op(x, *op.test_params))
        elif isinstance(op, BinaryOp):
            made += [op(x, y), op(x, 2.0), op(2.0, y)]
    made += autograd.softmax([x, y]) + autograd.log_softmax([x, y])
    made += [autograd.logsumexp([x, y]), autograd.cross_entropy([x, y], 1), autograd.sum_values([x, y, 1.0])]
    made += [dot([x, y], [1.0, 2.0], 0.5), autograd.relu_dot([x, y], [1.0, 2.0], 0.5), dot([1.0, 2.0], [x, y])]
    weights = [[Value(0.1), Value(-0.2)], [Value(0.3), Value(0.4)]]
    biases = [Value(0.0), 0.5]
    made += dots(weights, [1.0, 2.0], biases) + relu_dots(weights, [1.0, 2.0], biases)
    made += dots(weights, [x, y], biases) + CheckedRows(weights, biases).dots([x, y], relu=True)
    made.append(Value(6.0, (x, y), "*"))  # micrograd's hand-built node is laid out, not made: not an op's
    return made[:-1]


def test_every_node_an_op_makes_and_every_backward_step_is_shown_to_the_watcher():
    recorder = _Recorder()
    with _Watching(recorder):
        made = _every_way_to_make_a_node()
        total = autograd.sum_values(made)
    interior = [node for node in made if node.parents]
    assert len(interior) > len(OPS)
    assert {id(node) for node in interior} <= {id(node) for node in recorder.nodes}
    total.backward()  # outside the block: not watched
    assert recorder.steps == 0
    with _Watching(recorder):
        total.backward()
    assert recorder.steps == sum(len(node.parents) for node in autograd.topological_order(total))


def test_as_a_decorator():
    @detect_anomaly()
    def overflow():
        return Value(1e200) * 1e200

    with pytest.raises(AnomalyError, match="mul gave inf"):
        overflow()
    assert (Value(1e200) * 1e200).data == math.inf


def test_another_thread_is_not_checked_while_one_is_inside_the_block():
    inside = threading.Event()
    done = threading.Event()
    errors = []

    def watched():
        with detect_anomaly():
            inside.set()
            done.wait(5)
            try:
                Value(1e200) * 1e200
            except AnomalyError as error:
                errors.append(error)

    thread = threading.Thread(target=watched)
    thread.start()
    assert inside.wait(5)
    assert not is_anomaly_enabled()
    assert (Value(1e200) * 1e200).data == math.inf  # this thread: no error while the other is in its block
    done.set()
    thread.join(5)
    assert len(errors) == 1  # the other thread: checked


def test_asyncio_tasks_do_not_share_the_switch():
    async def watched(event: asyncio.Event) -> bool:
        with detect_anomaly():
            event.set()
            await asyncio.sleep(0.01)
            try:
                Value(1e200) * 1e200
            except AnomalyError:
                return True
            return False

    async def unwatched(event: asyncio.Event) -> float:
        await event.wait()
        return (Value(1e200) * 1e200).data

    async def main():
        event = asyncio.Event()
        return await asyncio.gather(watched(event), unwatched(event))

    assert asyncio.run(main()) == [True, math.inf]


def test_a_node_made_in_a_notebook_cell_is_placed_by_its_line_not_the_kernels_temporary_file():
    """Jupyter runs a cell from a made-up file (ipykernel_<pid>/<hash>.py in a temporary folder): no such path shows."""
    cell = "from autograd import Value\nbig = Value(1e308, label='big')\nz = big * 10.0\n"
    code = compile(cell, "/tmp/ipykernel_4242/1904564228.py", "exec")
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        exec(code, {})
    message = str(caught.value)
    assert "the node was made in a notebook cell, line 3" in message
    assert "ipykernel" not in message and "/tmp" not in message

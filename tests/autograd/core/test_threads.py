"""Threads, tasks, generators and interrupts: one switch object used anywhere at once, backward interruptible."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

import nn
from autograd import (
    Value,
    backward,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    topological_order,
)


@pytest.fixture(autouse=True)
def _switch_threads_often():
    """Threads take turns every microsecond, not every 5 ms, so they interleave inside the blocks under test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def _in_threads(work, count: int = 4) -> list:
    """Run ``work(i)`` in ``count`` threads started together; their results (or the exceptions they raised)."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as error:  # handed back to the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("make", [no_grad, enable_grad, detect_anomaly])
def test_one_switch_object_entered_from_many_threads_at_once(make):
    switch = make()
    expected = {no_grad: (False, False), enable_grad: (True, False), detect_anomaly: (True, True)}[make]

    def work(i: int) -> int:
        for _ in range(300):
            with switch:
                with switch:  # nested in the same thread, too
                    assert (is_grad_enabled(), is_anomaly_enabled()) == expected
                assert (is_grad_enabled(), is_anomaly_enabled()) == expected
            assert is_grad_enabled() and not is_anomaly_enabled()
        return i

    assert _in_threads(work) == [0, 1, 2, 3]


def test_one_decorator_used_by_many_threads_and_tasks():
    @no_grad()
    def product(a: Value, b: Value) -> Value:
        assert not is_grad_enabled()
        return a * b

    def work(i: int) -> bool:
        return all(product(Value(1.0), Value(2.0)).parents == () for _ in range(300))

    assert _in_threads(work) == [True] * 4

    async def task() -> bool:
        with product_switch:
            await asyncio.sleep(0)
            return is_grad_enabled()

    async def main() -> list:
        return await asyncio.gather(*(task() for _ in range(8)))

    product_switch = no_grad()
    assert asyncio.run(main()) == [False] * 8
    assert is_grad_enabled()


def test_no_grad_on_a_generator_function_switches_its_body_off():
    @no_grad()
    def squares(values):
        for v in values:
            received = yield v * v
            assert received in (None, "sent")
        return "done"

    x = Value(3.0)
    generator = squares([x, x])
    first = next(generator)
    assert is_grad_enabled(), "recording is off only inside the body, not for the caller between steps"
    assert first.parents == () and first.data == 9.0
    assert (x * x).parents == (x, x)
    assert generator.send("sent").parents == ()
    with pytest.raises(StopIteration) as stop:
        next(generator)
    assert stop.value.value == "done"
    assert is_grad_enabled()


def test_a_generator_under_no_grad_sees_throw_and_close_switched_off():
    seen = []

    @no_grad()
    def body():
        try:
            yield 1
        except KeyError:
            seen.append(("throw", is_grad_enabled()))
            yield 2
        finally:
            seen.append(("finally", is_grad_enabled()))

    generator = body()
    next(generator)
    assert generator.throw(KeyError("k")) == 2
    generator.close()
    assert seen == [("throw", False), ("finally", False)]
    assert is_grad_enabled()


def _train(seed: int) -> list[float]:
    """A small MLP trained with Adam on moons, its parameters afterwards."""
    model = nn.MLP(2, [6, 6, 1], rng=seed)
    data = [(x, float(y)) for x, y in nn.moons(40, noise=0.1, rng=seed)]
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    loss = nn.binary_cross_entropy_with_logits
    nn.fit(model, loss, data, optimizer=optimizer, epochs=3, batch_size=8, rng=seed, progress=False)
    return [p.data for p in model.parameters()]


def test_four_threads_training_four_models_match_training_them_one_after_another():
    one_after_another = [_train(seed) for seed in range(4)]
    assert _in_threads(_train) == one_after_another


def _graph():
    x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    h = (x * y).tanh() + x.relu() * y
    out = h * h + (h * x).sigmoid() + y.exp()
    return (x, y), out


def test_keyboard_interrupt_at_any_step_of_backward_leaves_numbers_and_a_usable_graph():
    (x, y), out = _graph()
    out.backward()
    expected = (x.grad, y.grad)
    steps = []
    backward(out, on_step=lambda *edge: steps.append(edge))
    for k in range(len(steps) + 1):
        (x, y), out = _graph()
        count = [0]

        def interrupt(node, parent, local, upstream, k=k, count=count):
            count[0] += 1
            if count[0] == k:
                raise KeyboardInterrupt

        if k:
            with pytest.raises(KeyboardInterrupt):
                backward(out, on_step=interrupt)
        nodes = [*topological_order(out), x, y]
        assert all(type(node.grad) is float for node in nodes)
        x.grad = y.grad = 0.0
        out.backward()  # the same graph, usable again
        assert (x.grad, y.grad) == expected

"""no_grad / enable_grad: context manager, decorator, thread isolation."""

from __future__ import annotations

import threading

from autograd import Value, enable_grad, is_grad_enabled, no_grad


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = (x * 3).tanh() + x
        assert not is_grad_enabled()
    assert y.parents == () and y.op == ""
    assert is_grad_enabled()
    assert (x * 3).parents == (x,)


def test_no_grad_as_a_decorator():
    @no_grad()
    def predict(v):
        return v * 2

    out = predict(Value(1.0))
    assert out.parents == () and out.data == 2.0
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting():
    x = Value(1.0)
    with no_grad():
        with enable_grad():
            y = x * 2
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert y.parents == (x,)


def test_no_grad_is_restored_after_an_exception():
    try:
        with no_grad():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert is_grad_enabled()


def test_no_grad_does_not_leak_into_other_threads():
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def worker():
        inside.wait()
        seen["enabled"] = is_grad_enabled()
        seen["parents"] = len((Value(1.0) * 2).parents)
        release.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad():
        inside.set()
        release.wait(5)
    thread.join(5)
    assert seen == {"enabled": True, "parents": 1}

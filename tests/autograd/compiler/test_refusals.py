"""What a trace cannot see is refused, naming the cause and the user's line; ``fallback=True`` runs eagerly instead.

A compiled function is made once from the operations of one call; a choice made on that call's numbers (a
comparison, ``bool()``, a read of ``.data``) would be baked into the code and silently wrong on the next call.
"""

from __future__ import annotations

import inspect
import warnings

import pytest

import autograd
from autograd import CompileError, TraceError, Value, no_grad


def line_here() -> int:
    return inspect.currentframe().f_back.f_lineno


def test_a_branch_on_a_comparison_is_refused_with_its_line():
    def f(x):
        if x > 0.5:  # the line the error names
            return x * 2.0
        return x

    line = inspect.getsourcelines(f)[1] + 1
    with pytest.raises(TraceError) as caught:
        autograd.compile(f)(1.0)
    error = caught.value
    assert error.where == (__file__, line)
    assert "compared (>)" in str(error) and "if x > 0.5:" in str(error)


@pytest.mark.parametrize(
    ("function", "cause"),
    [
        (lambda x: x * 2.0 if x < 1.0 else x, "compared (<)"),
        (lambda x: x * 2.0 if x <= 1.0 else x, "compared (<=)"),
        (lambda x: x * 2.0 if x >= 1.0 else x, "compared (>=)"),
        (lambda x: x * 2.0 if x else x, "bool()"),
        (lambda x: (x * 2.0) and x, "bool()"),
        (lambda x: x * x.data, ".data) was read"),
        (lambda x: x * x.item(), ".item()"),
        (lambda x: x * 2.0 - x.detach(), "detached"),
        (lambda x: Value(float(f"{x:.3f}")) + x, "formatted as a number"),
        (lambda x: max(x, x * 2.0), "compared"),
    ],
    ids=["<", "<=", ">=", "if x", "and", ".data", ".item()", "detach", "format", "max"],
)
def test_what_looks_at_a_traced_number_is_refused(function, cause):
    with pytest.raises(TraceError, match="while tracing") as caught:
        autograd.compile(function)(0.5)
    assert cause in str(caught.value)
    assert caught.value.where is not None and caught.value.where[0] == __file__


def test_a_branch_on_an_intermediate_value_is_refused():
    """The prototype compiled ``loss.data > 0.5`` in silently: here any node made while tracing is refused too."""

    def f(w, x):
        loss = (w * x - 1.0) ** 2
        if loss.data > 0.5:
            loss = loss * 0.1
        return loss

    with pytest.raises(TraceError, match=r"\.data\) was read"):
        autograd.compile(f)(2.0, 3.0)


def test_setting_the_number_of_a_traced_value_is_refused():
    def f(x):
        y = x * 2.0
        y.data = 1.0
        return y

    with pytest.raises(TraceError, match="was set"):
        autograd.compile(f)(0.5)


def test_backward_inside_a_compiled_function_is_refused():
    def f(x):
        y = x * x
        y.backward()
        return y

    with pytest.raises(TraceError, match=r"backward\(\) was called"):
        autograd.compile(f)(3.0)


def test_a_value_made_under_no_grad_while_tracing_is_refused():
    def f(x):
        with no_grad():
            scale = x * 2.0  # one call's number, with no graph: it would be frozen into the code
        return x * scale

    with pytest.raises(CompileError, match="no_grad"):
        autograd.compile(f)(3.0)


def test_a_node_made_before_the_call_is_refused():
    w = Value(2.0)
    before = w * 3.0  # made outside: the compiler did not see it made

    with pytest.raises(CompileError, match="made before the traced call"):
        autograd.compile(lambda x: x * before)(1.0)


def test_numbers_folded_into_a_sum_are_refused():
    with pytest.raises(CompileError, match="sum_values"):
        autograd.compile(lambda x: autograd.sum_values([x, 2.0]))(1.0)


def test_a_function_that_returns_no_value_is_refused():
    with pytest.raises(CompileError, match="must return one Value"):
        autograd.compile(lambda x: [x, x])(1.0)


def test_fallback_runs_eagerly_and_says_why_once():
    def f(x):
        return x * 2.0 if x > 0.0 else -x

    compiled = autograd.compile(f, fallback=True)
    with pytest.warns(UserWarning, match=r"runs with the eager engine.*compared \(>\)"):
        assert compiled(3.0) == (6.0, (2.0,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once: the next calls are quiet
        assert compiled(-3.0) == (3.0, (-1.0,))  # eagerly, so the branch follows each call's number
    with pytest.raises(CompileError, match="runs eagerly"):
        _ = compiled.source


def test_the_traced_classes_are_put_back_after_a_refusal():
    kept = []

    def f(x):
        kept.append(x * 2.0)
        return x if x > 1.0 else x * 3.0

    with pytest.raises(TraceError):
        autograd.compile(f)(2.0)
    assert type(kept[0]) is Value and kept[0].data == 4.0  # a plain Value again, readable
    assert kept[0] > 1.0


def test_library_code_reads_numbers_freely():
    """The library's own functions look at numbers (a loss checks its inputs): only user code is refused."""
    import nn

    compiled = autograd.compile(lambda p: nn.binary_cross_entropy([p.sigmoid()], [1.0]))
    value, (grad,) = compiled(0.3)
    assert value > 0.0 and grad < 0.0

"""Value: construction, micrograd compatibility, arithmetic, comparisons, repr."""

from __future__ import annotations

import fractions
import math

import pytest

from autograd import Value


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert abs(g.data - 24.70408163265306) < 1e-6
    assert abs(a.grad - 138.8338192419825) < 1e-6
    assert abs(b.grad - 645.5772594752186) < 1e-6


def test_construction():
    v = Value(3, label="x")
    assert type(v.data) is float and v.data == 3.0
    assert v.grad == 0.0 and v.label == "x" and v.op == "" and v.parents == ()
    assert Value(fractions.Fraction(1, 4)).data == 0.25
    assert Value(True).data == 1.0


def test_numpy_scalars_are_accepted():
    np = pytest.importorskip("numpy")
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0


@pytest.mark.parametrize(("bad", "type_name"), [("1.0", "str"), (None, "NoneType"), (1j, "complex"), ([1.0], "list")])
def test_non_real_data_is_a_type_error_naming_the_type(bad, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(bad)


def test_value_of_a_value_is_a_type_error():
    with pytest.raises(TypeError, match="Value"):
        Value(Value(1.0))


def test_arithmetic_with_numbers_on_either_side():
    x = Value(3.0)
    assert (x + 1).data == 4.0 and (1 + x).data == 4.0
    assert (x - 1).data == 2.0 and (1 - x).data == -2.0
    assert (x * 2).data == 6.0 and (2 * x).data == 6.0
    assert (x / 2).data == 1.5 and (6 / x).data == 2.0
    assert (x**2).data == 9.0 and (2**x).data == 8.0
    assert (-x).data == -3.0 and abs(Value(-3.0)).data == 3.0 and (+x) is x
    assert (x / 3).data == 3.0 / 3  # division is exact division, not multiplication by 1/3


def test_gradients_through_reflected_ops():
    x = Value(3.0)
    y = 1 - x + 6 / x + 2**x
    y.backward()
    assert x.grad == pytest.approx(-1 - 6 / 9 + 8 * math.log(2))


def test_a_value_used_twice_gets_both_contributions():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_comparisons_compare_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert (a < 2) is True and (a <= b) is True and (a > 0.5) is True and (a >= b) is True
    assert (2 > a) is True  # noqa: SIM300 - the reflected comparison is what is tested
    assert a != b
    assert a == a
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_repr_shows_data_and_grad():
    v = Value(2.5, label="w")
    v.grad = 0.5
    text = repr(v)
    assert "2.5" in text and "0.5" in text and "w" in text
    assert "tanh" in repr(Value(0.1).tanh())


def test_detach_is_a_leaf_with_the_same_data():
    x = Value(2.0)
    y = (x * 3).detach()
    assert y.data == 6.0 and y.parents == () and y.op == ""
    (y * x).backward()
    assert x.grad == 6.0  # no gradient flows through the detached factor


def test_a_value_is_not_a_float_implicitly_but_formats_and_gives_its_item():
    x = Value(1.25)
    for convert in (float, math.tanh, math.exp, math.isfinite):
        with pytest.raises(TypeError, match=r"x\.tanh\(\).*x\.item\(\)"):
            convert(x)
    assert x.item() == 1.25 and type(x.item()) is float
    assert f"{x:.3f}" == "1.250" and f"{x:>8.2e}" == format(1.25, ">8.2e") and f"{x}" == repr(x)
    assert bool(Value(0.0)) is False and bool(Value(-0.0)) is False
    assert bool(Value(2.0)) is True and bool(Value(math.nan)) is True  # as bool() of the float


def test_every_op_entry_becomes_the_value_method_it_names():
    """Each op entry names the Value method or operator it becomes, and calling it makes that op's node."""
    from autograd.ops import OPS, BinaryOp, UnaryOp

    for op in OPS.values():
        for attribute, _function in op.methods():
            assert hasattr(Value, attribute), (op.name, attribute)
        if isinstance(op, UnaryOp) and op.method is not None:
            x = Value(0.7)
            assert getattr(x, op.method or op.name)().op == op.name
            assert getattr(x, op.method or op.name)().parents == (x,)
        if isinstance(op, BinaryOp):
            a, b = Value(1.5), Value(0.5)
            forward, reflected = (name for name, _ in op.methods())
            assert getattr(a, forward)(b).parents == (a, b) and getattr(a, forward)(b).op == op.name
            assert getattr(a, reflected)(2.0).data == op.forward(2.0, 1.5)  # 2.0 (op) a
    assert (Value(2.0) * 3).op == "mul" and (3 - Value(2.0)).data == 1.0 and (-Value(2.0)).op == "neg"

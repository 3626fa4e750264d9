"""SGD and Adam: the first steps against the published update rules, worked out by hand in each test.

Each test minimises f(p) = p^2 / 2 + c p for a few scalars, whose gradient is
p + c. The expected values are computed in the test from the formulas,
step by step with plain floats, never by calling the optimizer.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, sum_values

OFFSETS = (0.5, -2.0, 0.0)
STARTS = (1.0, -0.5, 3.0)


def _params() -> list[Value]:
    return [Value(s) for s in STARTS]


def _loss(params: list[Value]) -> Value:
    """f = sum_i p_i^2 / 2 + c_i p_i, so df/dp_i = p_i + c_i."""
    return sum_values([0.5 * p * p + c * p for p, c in zip(params, OFFSETS)])


def _run(optimizer: nn.Optimizer, params: list[Value], steps: int) -> list[list[float]]:
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        _loss(params).backward()
        optimizer.step()
        trajectory.append([p.data for p in params])
    return trajectory


def test_plain_sgd_first_three_steps():
    lr = 0.1
    params = _params()
    got = _run(nn.SGD(params, lr=lr), params, 3)
    # p <- p - lr * (p + c)
    p = list(STARTS)
    for step in range(3):
        p = [pi - lr * (pi + c) for pi, c in zip(p, OFFSETS)]
        assert got[step] == pytest.approx(p, rel=1e-15, abs=1e-15)
    # Worked out on paper for the first parameter: 1 - 0.1 * 1.5 = 0.85, then 0.85 - 0.1 * 1.35 = 0.715.
    assert got[0][0] == pytest.approx(0.85)
    assert got[1][0] == pytest.approx(0.715)


@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.one_of(st.just(0.0), st.floats(allow_nan=True, allow_infinity=True)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.floats(min_value=0.0, max_value=10.0),
)
def test_plain_sgd_is_the_formula_bit_for_bit_zero_grads_included(pairs, lr):
    """Plain SGD skips grads of 0; every parameter still ends at data - lr * grad, bit for bit.

    One exception, the sign of a zero: -0.0 with a grad of -0.0 stays -0.0
    (the formula gives -0.0 + 0.0 = 0.0). Backward never leaves a grad of -0.0:
    grads start at 0.0 and 0.0 + -0.0 is 0.0.
    """
    params = [Value(data) for data, _ in pairs]
    for p, (_, grad) in zip(params, pairs):
        p.grad = grad
    nn.SGD(params, lr=lr).step()
    for p, (data, grad) in zip(params, pairs):
        expected = data - lr * grad
        if math.isnan(expected):
            assert math.isnan(p.data)
        elif data == 0.0 and grad == 0.0:
            assert p.data == data and math.copysign(1.0, p.data) == math.copysign(1.0, data)  # untouched
        else:
            assert p.data == expected and math.copysign(1.0, p.data) == math.copysign(1.0, expected)


def test_sgd_momentum_and_weight_decay_first_three_steps():
    lr, momentum, decay = 0.1, 0.9, 0.01
    params = _params()
    got = _run(nn.SGD(params, lr=lr, momentum=momentum, weight_decay=decay), params, 3)
    # g = grad + decay * p; v = momentum * v + g (v0 = 0); p <- p - lr * v
    p = list(STARTS)
    v = [0.0] * len(p)
    for step in range(3):
        g = [(pi + c) + decay * pi for pi, c in zip(p, OFFSETS)]
        v = [momentum * vi + gi for vi, gi in zip(v, g)]
        p = [pi - lr * vi for pi, vi in zip(p, v)]
        assert got[step] == pytest.approx(p, rel=1e-15, abs=1e-15)
    # First parameter by hand: g1 = 1.5 + 0.01 = 1.51, p1 = 1 - 0.151 = 0.849;
    # g2 = 0.849 + 0.5 + 0.00849 = 1.35749, v2 = 0.9 * 1.51 + 1.35749 = 2.71649, p2 = 0.849 - 0.271649.
    assert got[0][0] == pytest.approx(0.849)
    assert got[1][0] == pytest.approx(0.849 - 0.271649)


def test_adam_first_three_steps():
    lr, (beta1, beta2), eps = 0.05, (0.9, 0.999), 1e-8
    params = _params()
    got = _run(nn.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps), params, 3)
    p = list(STARTS)
    m = [0.0] * len(p)
    v = [0.0] * len(p)
    for t in range(1, 4):
        g = [pi + c for pi, c in zip(p, OFFSETS)]
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        v_hat = [vi / (1 - beta2**t) for vi in v]
        p = [pi - lr * mh / (math.sqrt(vh) + eps) for pi, mh, vh in zip(p, m_hat, v_hat)]
        assert got[t - 1] == pytest.approx(p, rel=1e-13, abs=1e-15)
    # Adam's first step moves each parameter by about lr against the sign of its gradient
    # (m_hat / sqrt(v_hat) = g / |g|): 1.0 - 0.05, -0.5 + 0.05, 3.0 - 0.05.
    first = _run(nn.Adam(_params(), lr=lr), _params(), 0)
    assert first == []
    fresh = _params()
    assert _run(nn.Adam(fresh, lr=lr), fresh, 1)[0] == pytest.approx([0.95, -0.45, 2.95], abs=1e-8)


def test_adam_weight_decay_adds_to_the_gradient():
    lr, decay = 0.01, 0.5
    params = [Value(2.0)]
    optimizer = nn.Adam(params, lr=lr, weight_decay=decay)
    params[0].grad = 0.0  # no loss gradient at all: only the decay term pushes
    optimizer.step()
    # g = 0 + 0.5 * 2 = 1, m_hat = 1, v_hat = 1: p = 2 - 0.01 * 1 / (1 + 1e-8)
    assert params[0].data == pytest.approx(2.0 - 0.01 / (1.0 + 1e-8), rel=1e-15)


def test_lr_is_settable_between_steps():
    params = [Value(1.0)]
    optimizer = nn.SGD(params, lr=0.1)
    params[0].grad = 1.0
    optimizer.step()
    optimizer.lr = 0.5
    assert optimizer.lr == 0.5
    optimizer.step()
    assert params[0].data == pytest.approx(1.0 - 0.1 - 0.5)
    with pytest.raises(ValueError, match="lr must be in"):
        optimizer.lr = -1.0
    with pytest.raises(ValueError, match="lr must be a finite number"):
        optimizer.lr = math.nan


def test_zero_grad_and_shared_parameters_updated_once():
    shared = Value(1.0)
    optimizer = nn.SGD([shared, shared, Value(2.0)], lr=0.1)
    assert len(optimizer.params) == 2
    shared.grad = 1.0
    optimizer.step()
    assert shared.data == pytest.approx(0.9)
    optimizer.zero_grad()
    assert all(p.grad == 0.0 for p in optimizer.params)


def test_step_records_no_graph_and_works_with_graph_gradients():
    x = Value(1.5)
    (x * x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)  # 3 x^2 as a Value
    nn.SGD([x], lr=0.1).step()
    assert x.data == pytest.approx(1.5 - 0.1 * 3 * 1.5**2)
    assert x.parents == ()
    assert type(x.data) is float


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: nn.SGD([1.0], lr=0.1), TypeError, "must be Values"),
        (lambda: nn.SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be in"),
        (lambda: nn.SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, "momentum must be in"),
        (lambda: nn.SGD([Value(1.0)], lr=0.1, weight_decay=-1), ValueError, "weight_decay must be in"),
        (lambda: nn.Adam([Value(1.0)], betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda: nn.Adam([Value(1.0)], betas=(1.0, 0.999)), ValueError, "beta1 must be in"),
        (lambda: nn.Adam([Value(1.0)], eps="small"), ValueError, "eps must be a finite number"),
    ],
)
def test_bad_settings_are_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_training_a_model_with_each_optimizer_lowers_the_loss():
    for make in (
        lambda ps: nn.SGD(ps, lr=0.05, momentum=0.5),
        lambda ps: nn.Adam(ps, lr=0.05),
    ):
        model = nn.MLP(2, [4, 1], activation="tanh", rng=3)
        optimizer = make(model.parameters())
        data = nn.or_gate()

        def loss(model=model, data=data):
            return nn.mse_loss([model(x) for x, _ in data], [y for _, y in data])

        start = loss().data
        for _ in range(20):
            optimizer.zero_grad()
            loss().backward()
            optimizer.step()
        assert loss().data < start / 2


# ---------------------------------------------------------------- hyperparameters: one mapping, one rule each
SETTINGS = [
    (nn.SGD, "lr", -0.1, r"SGD\(\) lr must be in \[0, inf\), got -0\.1"),
    (nn.SGD, "momentum", 1.0, r"SGD\(\) momentum must be in \[0, 1\.0\), got 1\.0"),
    (nn.SGD, "weight_decay", math.nan, r"SGD\(\) weight_decay must be a finite number, got float nan"),
    (nn.Adam, "lr", "0.1", r"Adam\(\) lr must be a finite number, got str '0\.1'"),
    (nn.Adam, "betas", (0.9, 1.5), r"Adam\(\) beta2 must be in \[0, 1\.0\), got 1\.5"),
    (nn.Adam, "betas", 0.9, r"Adam\(\) betas must be a pair \(beta1, beta2\), got 0\.9"),
    (nn.Adam, "eps", 0.0, r"Adam\(\) eps must be > 0, got 0\.0"),
    (nn.Adam, "weight_decay", True, r"Adam\(\) weight_decay must be a finite number, got bool True"),
]


@pytest.mark.parametrize(("kind", "name", "bad", "message"), SETTINGS, ids=lambda x: str(x))
def test_a_setting_is_checked_by_one_rule_wherever_it_comes_from(kind, name, bad, message):
    """The constructor, an assignment and a saved state refuse the same value with the same words."""
    params = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match=message):
        kind(params, **{name: bad})
    optimizer = kind(params, lr=0.01)
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=message):
        setattr(optimizer, name, bad)
    state = optimizer.state_dict()
    state[name] = list(bad) if isinstance(bad, tuple) else bad
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(state)
    assert optimizer.state_dict() == before


def test_the_settings_live_in_one_defaults_mapping_read_as_attributes():
    adam = nn.Adam([Value(1.0)], lr=0.01, betas=(0.8, 0.9))
    assert adam.defaults == {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-8, "weight_decay": 0.0}
    assert (adam.lr, adam.betas, adam.eps) == (0.01, (0.8, 0.9), 1e-8)
    adam.lr = 0.5
    assert adam.defaults["lr"] == 0.5 and adam.state_dict()["lr"] == 0.5
    assert repr(adam) == "Adam(1 parameters, lr=0.5, betas=(0.8, 0.9), eps=1e-08, weight_decay=0.0)"


def test_a_new_optimizer_declares_its_settings_once_and_gets_state_saving_and_loading(tmp_path):
    class SignSGD(nn.Optimizer):
        """p -= lr * sign(grad), with a counter of steps."""

        SETTINGS: ClassVar[dict[str, nn.optim.Setting]] = {"lr": nn.optim.RATE}
        COUNTERS = ("steps_taken",)

        def __init__(self, params, lr=0.1):
            super().__init__(params, lr=lr)

        def step(self):
            self.steps_taken += 1
            for p in self.params:
                p.data -= self.defaults["lr"] * math.copysign(1.0, p.grad) if p.grad else 0.0

    w = Value(1.0)
    optimizer = SignSGD([w], lr=0.25)
    (w * w).backward()
    optimizer.step()
    assert w.data == 0.75
    optimizer.save(tmp_path / "sign.json")
    again = SignSGD([Value(1.0)], lr=0.5).load(tmp_path / "sign.json")
    assert (again.lr, again.steps_taken) == (0.25, 1)
    with pytest.raises(ValueError, match=r"SignSGD\(\) lr must be in \[0, inf\), got -1"):
        SignSGD([w], lr=-1)
    with pytest.raises(TypeError, match=r"SignSGD\(\) has no setting 'momentum'"):
        nn.Optimizer.__init__(optimizer, [w], lr=0.1, momentum=0.9)

"""Losses: values against their formulas, gradients against central differences, clear errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, gradcheck

scores = st.floats(-4.0, 4.0, allow_nan=False)
probabilities = st.floats(0.01, 0.99)
unit = st.floats(0.0, 1.0)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@given(st.lists(st.tuples(scores, scores), min_size=1, max_size=6))
def test_mse_is_mean_of_squared_differences(pairs):
    predictions = [Value(p) for p, _ in pairs]
    targets = [t for _, t in pairs]
    expected = sum((p - t) ** 2 for p, t in pairs) / len(pairs)
    assert nn.mse_loss(predictions, targets).data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_mse_multi_output_and_single_pair():
    predictions = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    assert nn.mse_loss(predictions, [[0.0, 2.0], [1.0, 1.0]]).data == pytest.approx((1 + 0 + 1 + 4) / 4)
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0


@given(st.lists(st.tuples(probabilities, unit), min_size=1, max_size=6))
def test_binary_cross_entropy_formula(pairs):
    loss = nn.binary_cross_entropy([Value(p) for p, _ in pairs], [t for _, t in pairs])
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in pairs) / len(pairs)
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(st.lists(st.tuples(scores, unit), min_size=1, max_size=6))
def test_bce_with_logits_equals_bce_of_sigmoid(pairs):
    with_logits = nn.binary_cross_entropy_with_logits([Value(z) for z, _ in pairs], [t for _, t in pairs])
    on_probabilities = nn.binary_cross_entropy([Value(_sigmoid(z)) for z, _ in pairs], [t for _, t in pairs])
    assert with_logits.data == pytest.approx(on_probabilities.data, rel=1e-9, abs=1e-12)


def test_bce_with_logits_is_stable_for_huge_logits():
    loss = nn.binary_cross_entropy_with_logits([Value(1000.0), Value(-1000.0)], [0.0, 1.0])
    assert loss.data == pytest.approx(1000.0)
    loss.backward()
    right = nn.binary_cross_entropy_with_logits([Value(1000.0), Value(-1000.0)], [1.0, 0.0])
    assert right.data == 0.0


def test_bce_certain_and_right_is_zero_certain_and_wrong_is_an_error():
    assert nn.binary_cross_entropy([Value(1.0), Value(0.0)], [1.0, 0.0]).data == 0.0
    with pytest.raises(ValueError, match="infinite"):
        nn.binary_cross_entropy([Value(0.0)], [1.0])
    with pytest.raises(ValueError, match="infinite"):
        nn.binary_cross_entropy([Value(1.0)], [0.5])


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan])
def test_bce_probability_outside_unit_interval_is_an_error(p):
    with pytest.raises(ValueError, match=r"probability 0 must be in \[0, 1\]"):
        nn.binary_cross_entropy([Value(p)], [1.0])


def test_bce_target_outside_unit_interval_is_an_error():
    with pytest.raises(ValueError, match=r"target 1 must be in \[0, 1\]"):
        nn.binary_cross_entropy([Value(0.5), Value(0.5)], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"target 0 must be in \[0, 1\]"):
        nn.binary_cross_entropy_with_logits([Value(0.5)], [-1.0])


@given(st.lists(scores, min_size=2, max_size=6), st.data())
def test_cross_entropy_is_minus_log_softmax_of_the_target(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    loss = nn.cross_entropy([Value(z) for z in logits], target)
    expected = -math.log(math.exp(logits[target]) / sum(math.exp(z) for z in logits))
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert loss.op == "cross_entropy"  # one fused node


def test_cross_entropy_batch_is_the_mean():
    batch = [[Value(1.0), Value(2.0), Value(0.5)], [Value(-1.0), Value(0.0), Value(3.0)]]
    targets = [0, 2]
    expected = (nn.cross_entropy(batch[0], 0).data + nn.cross_entropy(batch[1], 2).data) / 2
    assert nn.cross_entropy(batch, targets).data == pytest.approx(expected)


@pytest.mark.parametrize(
    ("logits", "targets", "message"),
    [
        ([Value(1.0), Value(2.0)], 2, "class 2, out of range for 2 classes"),
        ([Value(1.0), Value(2.0)], -1, "class -1, out of range"),
        ([[Value(1.0), Value(2.0)]], [0, 1], "1 samples of logits but 2 targets"),
        ([[Value(1.0), Value(2.0)]], [1.0], "must be a class index"),
        ([[Value(1.0), Value(2.0)]], [True], "must be a class index"),
        ([Value(1.0), Value(2.0)], [0, 1], "needs a list of logits"),
        ([], [], "at least one sample"),
    ],
)
def test_cross_entropy_errors(logits, targets, message):
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy(logits, targets)


@given(st.lists(st.tuples(scores, st.sampled_from([-1, 1])), min_size=1, max_size=6))
def test_hinge_loss_is_mean_of_relu_of_one_minus_margin(pairs):
    loss = nn.hinge_loss([Value(s) for s, _ in pairs], [y for _, y in pairs])
    expected = sum(max(0.0, 1.0 - y * s) for s, y in pairs) / len(pairs)
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_hinge_loss_needs_signed_labels():
    with pytest.raises(ValueError, match="label 1 must be -1 or \\+1, got 0"):
        nn.hinge_loss([Value(1.0), Value(2.0)], [1, 0])


@pytest.mark.parametrize(
    "loss", [nn.mse_loss, nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits, nn.hinge_loss]
)
def test_mismatched_lengths_are_value_errors(loss):
    with pytest.raises(ValueError, match="got 2 predictions but 3 targets"):
        loss([Value(0.5), Value(0.5)], [1, 1, 1])
    with pytest.raises(ValueError, match="at least one prediction"):
        loss([], [])


@given(st.lists(scores, min_size=1, max_size=5), st.floats(0.0, 2.0))
def test_l2_penalty_value_and_gradient(values, alpha):
    params = [Value(v) for v in values]
    penalty = nn.l2_penalty(params, alpha)
    assert penalty.data == pytest.approx(alpha * sum(v * v for v in values), rel=1e-12, abs=1e-12)
    penalty.backward()
    assert [p.grad for p in params] == pytest.approx([2 * alpha * v for v in values], rel=1e-12, abs=1e-12)


def test_l2_penalty_errors():
    with pytest.raises(ValueError, match="must be Values"):
        nn.l2_penalty([Value(1.0), 2.0], 0.1)
    with pytest.raises(ValueError, match="alpha must be a number"):
        nn.l2_penalty([Value(1.0)], "0.1")


# ------------------------------------------------ gradcheck through a model, parameters included
X = [[0.5, -1.2], [1.5, 0.3], [-0.7, 0.9]]


def _model(output_activation: str = "linear", nout: int = 1) -> nn.MLP:
    return nn.MLP(2, [3, nout], activation="tanh", output_activation=output_activation, rng=11)


LOSS_CASES = {
    "mse": (lambda: _model(), lambda outs: nn.mse_loss(outs, [0.5, -1.0, 2.0])),
    "bce": (lambda: _model("sigmoid"), lambda outs: nn.binary_cross_entropy(outs, [1.0, 0.0, 0.3])),
    "bce_with_logits": (lambda: _model(), lambda outs: nn.binary_cross_entropy_with_logits(outs, [1.0, 0.0, 0.3])),
    "cross_entropy": (lambda: _model(nout=3), lambda outs: nn.cross_entropy(outs, [0, 2, 1])),
    "hinge": (lambda: _model(), lambda outs: nn.hinge_loss(outs, [1, -1, 1])),
    "mse_plus_l2": (
        lambda: _model(),
        None,  # filled below: needs the model for its parameters
    ),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_gradcheck_small_mlp_with_each_loss_parameters_included(case):
    build, loss_of = LOSS_CASES[case]
    model = build()
    if case == "mse_plus_l2":

        def loss_of(outs):
            return nn.mse_loss(outs, [0.5, -1.0, 2.0]) + nn.l2_penalty(model.parameters(), 0.01)

    inputs = [[Value(x) for x in row] for row in X]
    leaves = [v for row in inputs for v in row] + model.parameters()

    def loss(*_leaves):
        return loss_of([model(row) for row in inputs])

    value = loss()
    if case == "hinge":  # keep away from the kink of relu(1 - y s), where the derivative jumps
        margins = [1.0 - y * model(row).data for row, y in zip(inputs, [1, -1, 1])]
        assert all(abs(m) > 1e-3 for m in margins)
        assert any(m > 0 for m in margins)  # some terms are active, so gradients flow
    assert math.isfinite(value.data)
    assert gradcheck(loss, leaves)

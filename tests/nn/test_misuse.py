"""Misuse of nn gives a clear error saying what was expected, never parameters silently left untrained."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Value


def _model(activation: str = "relu") -> nn.MLP:
    return nn.MLP(2, [4, 1], activation=activation, rng=0)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda m: nn.SGD(m), TypeError, r"pass model\.parameters\(\)"),
        (lambda m: nn.SGD(m, lr=0.1), TypeError, r"pass model\.parameters\(\)"),
        (lambda m: nn.Adam(m), TypeError, r"pass model\.parameters\(\)"),
        (lambda m: nn.SGD(Value(1.0), lr=0.1), TypeError, "iterable of Values"),
        (lambda m: nn.SGD([Value(1.0) * 2.0], lr=0.1), TypeError, "leaf Values"),
        (lambda m: nn.Adam([m.parameters()[0].tanh()]), TypeError, "computed by 'tanh'"),
        (lambda m: nn.Adam(m.parameters(), eps=0), ValueError, "eps must be > 0"),
        (lambda m: nn.Adam(m.parameters(), eps=-1e-8), ValueError, "eps must be > 0"),
        (lambda m: nn.Adam(m.parameters(), eps=math.nan), ValueError, "eps must be a finite"),
    ],
)
def test_optimizers_refuse_what_is_not_a_list_of_parameters(build, error, message):
    with pytest.raises(error, match=message):
        build(_model())


def test_adam_state_with_eps_zero_is_refused_and_numpy_rates_are_floats():
    model = _model()
    adam = nn.Adam(model.parameters(), lr=np.float32(0.01))
    assert type(adam.lr) is float
    state = adam.state_dict()
    state["eps"] = 0.0
    with pytest.raises(ValueError, match="eps must be > 0"):
        adam.load_state_dict(state)


def _data():
    return [([0.5, -0.5], 1.0), ([-0.5, 0.5], 0.0)]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"data": [[0.5, -0.5], [1.0, 2.0, 3.0]]}, TypeError, r"list of \(x, y\) pairs, item 1"),
        ({"data": [0.5, 1.0]}, TypeError, r"list of \(x, y\) pairs, item 0"),
        ({"data": "xy"}, TypeError, r"list of \(x, y\) pairs"),
        ({"data": {"x": 1}}, TypeError, r"list of \(x, y\) pairs"),
        ({"data": []}, ValueError, "at least one"),
        ({"validation_data": [1.0]}, TypeError, "validation_data must be a list"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be an nn optimizer"),
        ({"optimizer": nn.SGD(_model().parameters(), lr=0.1)}, ValueError, "none of this model's parameters"),
        ({"loss_fn": "mse"}, TypeError, "loss_fn must be a function"),
        ({"loss_fn": lambda outputs, targets: 0.5}, TypeError, "loss_fn must return a Value"),
        ({"penalty": 1e-4}, TypeError, "penalty must be a function"),
        ({"model": lambda x: x}, TypeError, "needs a model"),
    ],
)
def test_fit_checks_its_arguments_at_the_door(arguments, error, message):
    model = _model()
    given = {"model": model, "loss_fn": nn.mse_loss, "data": _data()}
    given.update(arguments)
    optimizer = given.pop("optimizer", nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(error, match=message):
        nn.fit(
            given.pop("model"), given.pop("loss_fn"), given.pop("data"), optimizer=optimizer, progress=False, **given
        )


@pytest.mark.parametrize("batch", [[[0.5, -0.5], [1.0, 2.0]], [[0.5, -0.5]], [(0.5, -0.5), (1.0, 2.0), (3.0, 4.0)]])
def test_a_model_given_a_batch_says_it_takes_one_sample_and_how_to_map_it(batch):
    for module in (_model(), nn.Layer(2, 3, rng=0), nn.Neuron(2, rng=0)):
        with pytest.raises(TypeError, match=r"takes one sample .* \[model\(x\) for x in batch\]"):
            module(batch)


@pytest.mark.parametrize("bad", [["a", 1.0], [None, 1.0], "ab", {"a": 1.0, "b": 2.0}])
def test_a_model_names_an_input_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match=r"MLP\(2 -> \[4, 1\]"):
        _model()(bad)


def test_a_model_takes_numpy_numbers_as_python_floats():
    model = _model("tanh")
    assert model([np.float32(0.5), np.float64(-0.5)]).data == model([float(np.float32(0.5)), -0.5]).data


@pytest.mark.parametrize(
    ("loss", "predictions", "targets"),
    [
        (nn.mse_loss, [Value(1.0)], ["1.0"]),
        (nn.mse_loss, [Value(1.0)], [None]),
        (nn.mse_loss, [Value(1.0)], [Value(1.0)]),
        (nn.mse_loss, [Value(1.0)], "1"),
        (nn.mse_loss, None, [1.0]),
        (nn.mse_loss, [[Value(1.0)]], [["x"]]),
        (nn.mse_loss, ["p"], [1.0]),
        (nn.binary_cross_entropy, [Value(0.5)], ["1"]),
        (nn.binary_cross_entropy, ["0.5"], [1.0]),
        (nn.binary_cross_entropy_with_logits, [Value(0.5)], [None]),
        (nn.hinge_loss, [Value(0.5)], ["1"]),
        (nn.hinge_loss, [None], [1]),
        (nn.cross_entropy, [[Value(0.5), Value(0.1)]], None),
    ],
)
def test_losses_check_their_targets_and_predictions_by_name(loss, predictions, targets):
    with pytest.raises(TypeError, match=rf"^{loss.__name__}\(\)"):
        loss(predictions, targets)


@pytest.mark.parametrize("activation", ["relu", "tanh", "leaky_relu", "sigmoid"])
def test_a_network_fed_nan_is_refused_at_the_door_naming_the_example_whatever_its_activation(activation):
    model = nn.MLP(2, [4, 4, 1], activation=activation, rng=0)
    before = [p.data for p in model.parameters()]
    data = [([0.5, -0.5], 0.0), ([math.nan, 0.5], 1.0)]
    with pytest.raises(ValueError, match=r"fit\(\) data example 1 has an input that is not finite: input\[0\] = nan"):
        nn.fit(model, nn.mse_loss, data, optimizer=nn.SGD(model.parameters(), lr=0.1), progress=False, rng=0)
    assert [p.data for p in model.parameters()] == before

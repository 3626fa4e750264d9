"""nn.diagnose: each finding checked against numbers computed here, by hand or by finite differences."""

from __future__ import annotations

import json
import math
import random

import pytest

import nn
from autograd import Value, no_grad


def textbook_xor_net(seed: int = 0, **changes) -> nn.MLP:
    """2-4-1, sigmoid everywhere, no biases, weights N(0, 1) * 0.01: the net whose loss stays at 0.25."""
    options = {
        "activation": "sigmoid",
        "output_activation": "sigmoid",
        "bias": False,
        "init": lambda rng, fan_in, fan_out: rng.gauss(0.0, 1.0) * 0.01,
    }
    options.update(changes)
    return nn.MLP(2, [4, 1], rng=seed, **options)


def loss_of(model: nn.MLP, data, loss=nn.mse_loss) -> float:
    with no_grad():
        return loss([model(x) for x, _ in data], [y for _, y in data]).data


def finite_difference_grads(model: nn.MLP, params: list[Value], data, h: float = 1e-6) -> list[float]:
    grads = []
    for p in params:
        kept = p.data
        p.data = kept + h
        up = loss_of(model, data)
        p.data = kept - h
        down = loss_of(model, data)
        p.data = kept
        grads.append((up - down) / (2 * h))
    return grads


def layer_weights(layer: nn.Layer) -> list[Value]:
    return [w for neuron in layer.neurons for w in neuron.w]


def test_the_textbook_xor_net_has_vanishing_gradients_in_its_first_layer_and_the_numbers_agree():
    model = textbook_xor_net()
    data = nn.xor()
    for p in model.parameters():
        p.grad = 7.0  # a sentinel: diagnose must put every grad back
    before = [(p.data, p.grad) for p in model.parameters()]
    report = nn.diagnose(model, data, loss=nn.mse_loss, lr=0.1)
    assert [(p.data, p.grad) for p in model.parameters()] == before  # the model is unchanged

    assert report.kinds() == ["vanishing_gradients"]
    finding = report.findings[0]
    assert finding.layer == "layers.0"
    assert report.loss == pytest.approx(loss_of(model, data), rel=1e-12)
    assert report.loss == pytest.approx(0.25, abs=1e-4)
    for layer, report_layer in zip(model.layers, report.layers):
        weights = layer_weights(layer)
        grads = finite_difference_grads(model, weights, data)
        norm = math.sqrt(sum(g * g for g in grads))  # no biases: the layer's parameters are its weights
        assert report_layer.grad_norm == pytest.approx(norm, rel=1e-4)
        weight_norm = math.sqrt(sum(w.data**2 for w in weights))
        assert report_layer.update_to_weight == pytest.approx(0.1 * norm / weight_norm, rel=1e-4)
        ratio = (sum(map(abs, grads)) / len(grads)) / (sum(abs(w.data) for w in weights) / len(weights))
        assert report_layer.grad_to_weight == pytest.approx(ratio, rel=1e-4)
    first, last = report.layers
    assert first.update_to_weight < 1e-5  # a step moves the first layer by less than 0.001% of its size
    assert finding.numbers["shrink"] == pytest.approx(first.grad_to_weight / last.grad_to_weight)
    assert finding.numbers["shrink"] < 0.01
    # why, in numbers: every sigmoid sits at its midpoint (slope 0.25, the most it can be), the output is the
    # same for every input, and the loss is that of the best constant answer (0.5 for XOR's 0, 1, 1, 0)
    outputs = [model(x).data for x, _ in data]
    assert report.output_spread == pytest.approx(max(outputs) - min(outputs))
    assert report.output_spread < 1e-3
    assert first.mean_slope == pytest.approx(0.25, abs=1e-4)
    assert "best constant answer" in finding.message and "layers.1's weights" in finding.message
    assert "sigmoid" in finding.message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ["vanishing_gradients"]),
        ({"init": "uniform"}, []),  # weights of size ~0.5: the gradient no longer shrinks 400x on the way back
        ({"activation": "tanh", "bias": True, "init": "uniform"}, []),  # the demo's working net
        ({"bias": True}, ["vanishing_gradients"]),  # biases alone do not help
    ],
)
def test_what_each_fix_changes(changes, expected):
    model = textbook_xor_net(**changes)
    report = nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=0.1)
    assert report.kinds() == expected
    shrink = report.layers[0].grad_to_weight / report.layers[1].grad_to_weight
    assert (shrink < 0.01) == bool(expected)


def test_a_relu_net_trained_with_too_large_a_learning_rate_has_dead_neurons_named_as_a_hand_count_finds():
    points = nn.moons(60, 0.1, rng=3, signed_labels=True)
    model = nn.MLP(2, [16, 16, 1], rng=0)
    nn.fit(model, nn.hinge_loss, points, optimizer=nn.SGD(model.parameters(), lr=10.0), epochs=5, progress=False)
    report = nn.diagnose(model, points, loss=nn.hinge_loss, lr=10.0)

    # the hand count: run the layers with floats and list the neurons whose w . x + b <= 0 for every point
    dead_by_hand: dict[str, list[str]] = {}
    inputs = [list(x) for x, _ in points]
    for i, layer in enumerate(model.layers[:-1]):
        outputs = []
        for x in inputs:
            row = []
            for neuron in layer.neurons:
                z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
                row.append(max(z, 0.0))
            outputs.append(row)
        dead_by_hand[f"layers.{i}"] = [
            f"layers.{i}.neurons.{j}" for j in range(len(layer.neurons)) if all(row[j] == 0.0 for row in outputs)
        ]
        inputs = outputs
    assert sum(len(names) for names in dead_by_hand.values()) > 16  # the rate killed most of them
    for layer in report.layers[:-1]:
        assert layer.dead_neurons == dead_by_hand[layer.name]
        assert layer.dead_fraction == len(dead_by_hand[layer.name]) / 16
    dead_findings = {f.layer: f for f in report.findings if f.kind == "dead_relu"}
    for name, names in dead_by_hand.items():
        if len(names) / 16 > 0.4:
            assert dead_findings[name].neurons == names
            assert all(neuron in dead_findings[name].message for neuron in names)
        else:
            assert name not in dead_findings
    assert dead_findings  # at least one layer is mostly dead


def test_a_net_with_all_weights_equal_has_symmetric_neurons_as_a_hand_check_of_rows_finds():
    model = nn.MLP(2, [3, 3, 1], activation="tanh", rng=0)
    for p in model.parameters():
        p.data = 0.3
    model.layers[1].neurons[2].w[0].data = -0.1  # one row differs: it is not in a group
    report = nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=0.1)
    for i, layer in enumerate(model.layers):
        rows = [[*(w.data for w in n.w), n.b.data] for n in layer.neurons]
        expected = []
        for row in rows:
            equal = [f"layers.{i}.neurons.{k}" for k, other in enumerate(rows) if other == row]
            if len(equal) > 1 and equal not in expected:
                expected.append(equal)
        assert report.layers[i].symmetric_groups == expected
    groups = [(f.layer, f.neurons) for f in report.findings if f.kind == "symmetric_neurons"]
    assert groups == [
        ("layers.0", ["layers.0.neurons.0", "layers.0.neurons.1", "layers.0.neurons.2"]),
        ("layers.1", ["layers.1.neurons.0", "layers.1.neurons.1"]),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_healthy_moons_net_has_no_findings_before_and_after_training(seed):
    points = nn.moons(100, 0.1, rng=seed, signed_labels=True)
    model = nn.MLP(2, [16, 16, 1], rng=seed)
    assert nn.diagnose(model, points, loss=nn.hinge_loss, lr=0.1).findings == []
    nn.fit(
        model,
        nn.hinge_loss,
        points,
        optimizer=nn.SGD(model.parameters(), lr=0.5),
        epochs=30,
        batch_size=100,
        shuffle=False,
        progress=False,
    )
    report = nn.diagnose(model, points, loss=nn.hinge_loss, lr=0.5)
    assert report.findings == [], str(report)
    assert "no findings" in str(report)


def test_saturated_tanh_units_are_counted_as_by_hand():
    model = nn.MLP(2, [6, 1], activation="tanh", rng=4)
    for neuron in model.layers[0].neurons:
        for w in neuron.w:
            w.data *= 40.0
    data = [([random.Random(k).uniform(-1, 1), random.Random(k + 100).uniform(-1, 1)], 1.0) for k in range(20)]
    report = nn.diagnose(model, data, loss=nn.mse_loss, lr=0.1)
    near = 0
    for x, _ in data:
        for neuron in model.layers[0].neurons:
            out = math.tanh(sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data)
            near += 1.0 - abs(out) < 0.01
    fraction = near / (len(data) * 6)
    assert report.layers[0].saturated_fraction == pytest.approx(fraction)
    assert fraction > 0.5
    assert "saturated" in report.kinds()


def test_a_huge_learning_rate_is_an_exploding_update():
    model = nn.MLP(2, [8, 1], rng=0)
    report = nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=100.0)
    exploding = [f for f in report.findings if f.kind == "exploding_gradients"]
    assert exploding
    for finding in exploding:
        layer = next(layer for layer in report.layers if layer.name == finding.layer)
        assert layer.update_to_weight > 1.0
        assert finding.numbers["update_to_weight"] == layer.update_to_weight
    assert nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=0.01).kinds() == []


def test_the_report_prints_shows_as_html_and_is_plain_json():
    report = nn.diagnose(textbook_xor_net(), nn.xor(), loss=nn.mse_loss, lr=0.1)
    text = str(report)
    assert "layers.0" in text and "vanishing_gradients" in text and "update/weight" in text
    page = report._repr_html_()
    assert page.count("<tr>") == 3 and "<th>layer</th>" in page
    data = json.loads(json.dumps(report.to_dict()))
    assert data["findings"][0]["kind"] == "vanishing_gradients"
    assert data["layers"][0]["name"] == "layers.0"


def test_bad_input_is_named():
    model = nn.MLP(2, [2, 1], rng=0)
    with pytest.raises(ValueError, match="diagnose\\(\\) needs at least one"):
        nn.diagnose(model, [])
    with pytest.raises(ValueError, match="lr must be a positive number, got int -1"):
        nn.diagnose(model, nn.xor(), lr=-1)
    with pytest.raises(TypeError, match=r"diagnose\(\) needs an nn\.MLP or an nn\.Layer, got Neuron"):
        nn.diagnose(nn.Neuron(2, rng=0), nn.xor())


# ---------------------------------------------------------------- numbers that are not finite are findings
def test_nan_weights_are_a_finding_not_a_healthy_net():
    model = nn.MLP(2, [3, 1], rng=0)
    model.layers[0].neurons[1].w[0].data = math.nan
    model.layers[0].neurons[2].b.data = math.inf
    report = nn.diagnose(model, nn.xor())
    assert report.kinds()[0] == "non_finite_weights"
    finding = report.findings[0]
    assert finding.layer == "layers.0" and finding.neurons == ["layers.0.neurons.1", "layers.0.neurons.2"]
    assert "layers.0.neurons.1.w.0 = nan" in finding.message and "layers.0.neurons.2.b = inf" in finding.message
    assert "no findings" not in str(report)


def test_nan_weights_that_make_the_loss_refuse_still_give_the_finding():
    model = nn.MLP(2, [3, 1], output_activation="sigmoid", rng=0)
    model.layers[1].neurons[0].b.data = math.nan  # binary_cross_entropy refuses a probability of nan
    report = nn.diagnose(model, nn.xor(), loss=nn.binary_cross_entropy)
    assert report.kinds() == ["non_finite_weights"] and math.isnan(report.loss)


def test_nan_data_is_a_finding_and_the_rest_is_measured_without_it():
    model = nn.MLP(2, [3, 1], rng=0)
    clean = [([0.5, -1.0], 1.0), ([1.0, 2.0], 0.0)]
    report = nn.diagnose(model, [clean[0], ([math.nan, 0.5], 1.0), clean[1], ([0.0, 0.0], math.inf)])
    assert report.kinds()[0] == "non_finite_data"
    assert report.findings[0].numbers == {"examples": 2.0, "first": 1.0}
    assert "example 1's input[0] is nan and 1 more examples" in report.findings[0].message
    assert report.loss == nn.diagnose(model, clean).loss
    only_nan = nn.diagnose(model, [([math.nan, 0.5], 1.0)])
    assert only_nan.kinds() == ["non_finite_data"] and "no findings" not in str(only_nan)


def test_gradients_that_overflow_on_finite_numbers_are_a_finding():
    model = nn.MLP(1, [1], activation="linear", rng=0)
    model.layers[0].neurons[0].w[0].data, model.layers[0].neurons[0].b.data = 1e-300, 0.0
    report = nn.diagnose(model, [([1e300], -1e10)])
    assert math.isfinite(report.loss) and report.kinds()[0] == "non_finite_gradients"

"""fit's History (per-layer numbers, JSON, plot) and its callbacks (schedules, early stop, checkpoint, snapshots)."""

from __future__ import annotations

import json
import math

import pytest

import nn
from autograd import no_grad


def small_problem(seed: int = 0):
    points = nn.moons(40, 0.1, rng=seed, signed_labels=True)
    return points[:30], points[30:], nn.MLP(2, [6, 1], rng=seed)


def fit(model, data, lr=0.1, **options):
    options.setdefault("epochs", 6)
    options.setdefault("batch_size", len(data))
    return nn.fit(
        model,
        nn.hinge_loss,
        data,
        optimizer=nn.SGD(model.parameters(), lr=lr),
        progress=False,
        shuffle=False,
        **options,
    )


def test_history_is_the_list_of_records_it_was_and_to_json_is_plain_json():
    train, valid, model = small_problem()
    history = fit(model, train, validation_data=valid)
    assert isinstance(history, list) and isinstance(history, nn.History)
    assert history[-1]["epoch"] == 6 and {"loss", "accuracy", "lr", "val_loss", "val_accuracy"} <= set(history[-1])
    data = json.loads(history.to_json())
    assert data["format"] == "glassgrad-history"
    assert [r["loss"] for r in data["epochs"]] == history.column("loss")
    assert len(data["layers"]) == 6 and set(data["layers"][0]) == {"layers.0", "layers.1"}


def test_the_layer_numbers_agree_with_finite_differences_and_a_hand_count():
    train, _, model = small_problem(1)
    for p in model.layers[0].neurons[0].w:
        p.data *= 0.1
    model.layers[0].neurons[0].b.data = -3.0  # w . x + b < 0 on the whole data set: a dead neuron
    params = model.parameters()
    h = 1e-6

    def loss():
        with no_grad():
            return nn.hinge_loss([model(x) for x, _ in train], [y for _, y in train]).data

    norms = {}
    for name, layer in (("layers.0", model.layers[0]), ("layers.1", model.layers[1])):
        grads = []
        for p in layer.parameters():
            kept = p.data
            p.data = kept + h
            up = loss()
            p.data = kept - h
            down = loss()
            p.data = kept
            grads.append((up - down) / (2 * h))
        norms[name] = math.sqrt(sum(g * g for g in grads))
    dead = sum(
        all(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data <= 0 for x, _ in train)
        for n in model.layers[0].neurons
    )
    assert dead >= 1
    history = fit(model, train, lr=0.0, epochs=1)  # lr 0: the model the numbers are about does not move
    assert [p.data for p in params] == [p.data for p in model.parameters()]
    layers = history.layers[0]
    assert layers["layers.0"]["grad_norm"] == pytest.approx(norms["layers.0"], rel=1e-4)
    assert layers["layers.1"]["grad_norm"] == pytest.approx(norms["layers.1"], rel=1e-4)
    assert layers["layers.0"]["dead_fraction"] == dead / 6
    assert layers["layers.1"]["dead_fraction"] is None  # a linear output layer has no relus


def test_step_lr_and_cosine_follow_pytorchs_formulas():
    train, _, model = small_problem()
    history = fit(model, train, lr=0.8, epochs=7, callbacks=[nn.StepLR(step_size=3, gamma=0.5)])
    assert history.column("lr") == pytest.approx([0.8 * 0.5 ** (e // 3) for e in range(7)])
    train, _, model = small_problem()
    history = fit(model, train, lr=0.8, epochs=5, callbacks=[nn.CosineAnnealingLR(T_max=4, eta_min=0.1)])
    expected = [0.1 + 0.7 * (1 + math.cos(math.pi * min(e, 4) / 4)) / 2 for e in range(5)]
    assert history.column("lr") == pytest.approx(expected)
    assert history.column("lr")[0] == pytest.approx(0.8) and history.column("lr")[4] == pytest.approx(0.1)


def test_early_stopping_stops_once_the_best_validation_loss_is_patience_epochs_old():
    train, valid, model = small_problem()
    stopper = nn.EarlyStopping(patience=2)
    history = fit(model, train, lr=0.0, epochs=20, validation_data=valid, callbacks=[stopper])
    # lr 0: the validation loss never improves after epoch 1, so training stops at epoch 1 + 2
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert (stopper.best_epoch, stopper.stopped_epoch) == (1, 3)
    with pytest.raises(ValueError, match="needs fit\\(\\.\\.\\., validation_data"):
        fit(model, train, callbacks=[nn.EarlyStopping(patience=1)])


def test_early_stopping_with_restore_best_weights_and_a_checkpoint_of_the_best_model(tmp_path):
    train, valid, model = small_problem(2)
    path = tmp_path / "best.json"
    checkpoint = nn.ModelCheckpoint(path)
    stopper = nn.EarlyStopping(patience=3, restore_best_weights=True)
    history = fit(model, train, lr=3.0, epochs=25, validation_data=valid, callbacks=[checkpoint, stopper])
    losses = history.column("val_loss")
    best = min(losses)
    assert checkpoint.best == best and checkpoint.best_epoch == losses.index(best) + 1
    saved = nn.MLP(2, [6, 1], rng=99).load(path)
    assert nn.evaluate(saved, nn.hinge_loss, valid)["loss"] == pytest.approx(best)
    assert nn.evaluate(model, nn.hinge_loss, valid)["loss"] == pytest.approx(best)  # the best weights put back
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically: no temporary file left


def test_weight_snapshots_every_k_epochs_and_the_last():
    train, _, model = small_problem()
    history = fit(model, train, epochs=7, callbacks=[nn.WeightSnapshots(every=3)])
    assert [s["epoch"] for s in history.snapshots] == [0, 3, 6, 7]
    assert history.snapshots[-1]["state"] == model.state_dict()
    assert history.snapshots[0]["state"] != model.state_dict()
    first = history.snapshots[0]["diagnosis"]
    assert [layer["name"] for layer in first["layers"]] == ["layers.0", "layers.1"]
    json.loads(history.to_json())
    with pytest.raises(ValueError, match="WeightSnapshots\\(\\) every must be a positive int"):
        nn.WeightSnapshots(every=0)


def test_plot_returns_a_figure_with_the_curves():
    pytest.importorskip("matplotlib")
    train, valid, model = small_problem()
    figure = fit(model, train, validation_data=valid).plot()
    axes = figure.get_axes()
    assert len(axes) == 3
    assert [line.get_label() for line in axes[0].get_lines()] == ["loss", "val_loss"]
    assert list(axes[0].get_lines()[0].get_ydata()) == pytest.approx(
        fit(small_problem()[2], train, validation_data=valid).column("loss")
    )


def test_save_html_without_snapshots_says_what_to_do(tmp_path):
    train, _, model = small_problem()
    with pytest.raises(ValueError, match="WeightSnapshots"):
        fit(model, train).save_html(tmp_path / "page.html")

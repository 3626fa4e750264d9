"""fit's History (per-layer numbers, JSON, plot) and its callbacks (schedules, early stop, checkpoint, snapshots)."""

from __future__ import annotations

import json
import math

import pytest

import nn
from autograd import Value, no_grad


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


# ---------------------------------------------------------------------------
# The replay page for any model, numpy numbers; a short repr and a notebook summary
# ---------------------------------------------------------------------------
class TwoLayers(nn.Module):
    """A user's own model: two layers under names of its own."""

    def __init__(self):
        self.hidden = nn.Layer(2, 3, activation="tanh", rng=0)
        self.head = nn.Layer(3, 1, activation="linear", rng=1)

    def __call__(self, x):
        return self.head(self.hidden(x))[0]


class Affine(nn.Module):
    """A user's own model with no layers at all: w . x + b."""

    def __init__(self):
        self.w = [Value(0.1), Value(-0.2)]
        self.b = Value(0.0)

    def __call__(self, x):
        return self.w[0] * x[0] + self.w[1] * x[1] + self.b


class NumpyMetrics(nn.Callback):
    """Adds numbers to each epoch's record as numpy gives them."""

    def on_epoch_end(self, epoch, record, training):
        np = pytest.importorskip("numpy")
        record["margin"] = np.float64(0.25 * epoch)
        record["mistakes"] = np.int64(10 - epoch)
        record["loss"] = np.float64(record["loss"])


def replay_data_of(page: str) -> dict:
    import re

    return json.loads(re.search(r'id="glassgrad-data">(.*?)</script>', page, re.S)[1])["data"]


@pytest.mark.parametrize(
    ("make", "has_weights"),
    [
        (lambda: nn.Neuron(2, activation="tanh", rng=0), True),
        (lambda: nn.Layer(2, 1, activation="tanh", rng=0), True),
        (lambda: nn.MLP(2, [3, 1], rng=0), True),
        (TwoLayers, True),
        (Affine, False),
    ],
    ids=["Neuron", "Layer", "MLP", "own Module with layers", "own Module without layers"],
)
def test_save_html_works_for_any_module_and_numpy_metric_values(tmp_path, make, has_weights):
    model = make()
    data = nn.moons(20, 0.1, rng=0, signed_labels=True)

    def loss(outputs, targets):  # a Layer's output is a list of one Value
        return nn.hinge_loss([o[0] if isinstance(o, list) else o for o in outputs], targets)

    history = nn.fit(model, loss, data, optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=3, progress=False,
                     rng=0, callbacks=[nn.WeightSnapshots(every=1), NumpyMetrics()])  # fmt: skip
    path = history.save_html(tmp_path / "replay.html", grid=5)
    page = replay_data_of(path.read_text(encoding="utf-8"))
    assert page["model"] == type(model).__name__
    assert [frame["epoch"] for frame in page["frames"]] == [0, 1, 2, 3]
    assert {"margin", "mistakes", "loss"} <= set(page["metrics"])
    assert [record["mistakes"] for record in page["epochs"]] == [10, 9, 8]
    assert len(page["frames"][-1]["output"]) == 5  # two inputs, one output: the decision boundary is drawn
    with no_grad():
        expected = model([min(p[0] for p, _ in data) - 0.5, max(p[1] for p, _ in data) + 0.5])
    expected = expected[0] if isinstance(expected, list) else expected
    assert page["frames"][-1]["output"][0][0] == pytest.approx(expected.data, rel=1e-3, abs=1e-4)
    assert (page["frames"][-1]["weights"] is not None) == has_weights
    assert model.training  # the page's evaluation left the model in training mode, as it was
    json.loads(history.to_json())  # numpy numbers are plain JSON too


def test_a_history_shows_a_short_summary_and_in_a_notebook_a_table_and_its_curves():
    train, valid, model = small_problem()
    history = fit(model, train, epochs=12, validation_data=valid, callbacks=[nn.WeightSnapshots(every=4)])
    text = repr(history)
    assert len(text) < 200 and text.startswith("<History: 12 epochs, loss ") and "; 4 snapshots>" in text
    assert f"{history[0]['loss']:.4g} -> {history[-1]['loss']:.4g}" in text
    assert repr(nn.History()) == "<History: no epochs>"
    shown = history._repr_html_()
    assert shown.count("<svg") == 2 and shown.count("<polyline") == 4  # loss and accuracy, with validation
    assert shown.count("<tr>") == 1 + 7  # the header, 3 first epochs, "...", 3 last epochs
    assert "<th>val_accuracy</th>" in shown and len(shown) < 12_000
    assert history == list(history)  # still the list of records it was


def test_a_hostile_metric_name_is_text_in_the_notebook_summary():
    history = nn.History([{"epoch": 1, "loss": 0.5, "<img src=x onerror=alert(1)>": 1.0}])
    shown = history._repr_html_()
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_save_html_of_a_history_without_its_model_says_what_to_use(tmp_path):
    history = nn.History([{"epoch": 1, "loss": 0.5}])
    history.snapshots.append({"epoch": 1, "state": {}, "diagnosis": None})
    with pytest.raises(ValueError, match=r"needs the trained model: use the History that nn.fit returns"):
        history.save_html(tmp_path / "page.html")
    assert not (tmp_path / "page.html").exists()


def test_a_training_replays_inline_in_a_notebook_as_the_page_save_html_writes(tmp_path):
    """``history.replay()`` is the replay page in a notebook: an iframe holding the very page ``save_html`` writes,
    escaped into its ``srcdoc``, its scripts sandboxed; without weight snapshots it names what to add."""
    import html as html_module

    model = nn.MLP(2, [3, 1], activation="tanh", rng=0)
    history = nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.5),
        epochs=4,
        rng=0,
        progress=False,
        callbacks=[nn.WeightSnapshots(every=2)],
    )
    inline = history.replay(height=500)
    written = history.save_html(tmp_path / "replay.html").read_text(encoding="utf-8")
    assert inline.html == written
    frame = inline._repr_html_()
    assert frame.startswith(f'<iframe srcdoc="{html_module.escape(written, quote=True)}"')
    assert 'sandbox="allow-scripts allow-forms"' in frame and "height:500px" in frame
    assert repr(inline) == "<training replay, 4 epochs; shown inline in a notebook, .save(path) to keep it>"
    assert inline.save(tmp_path / "copy.html").read_text(encoding="utf-8") == written
    bare = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.5), epochs=1, rng=0)
    with pytest.raises(ValueError, match=r"History\.replay\(\) needs weight snapshots"):
        bare.replay()
    with pytest.raises(ValueError, match="height must be an int of at least 100"):
        history.replay(height=10)

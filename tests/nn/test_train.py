"""Training: XOR learned (and the textbook's XOR net that is not), fit's history, seeds, progress bar."""

from __future__ import annotations

import random
import sys

import pytest

import nn
from autograd import Value

XOR_SEED = 0


def test_2_4_1_net_learns_xor_to_mse_below_0_01_with_a_fixed_seed():
    model = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", rng=XOR_SEED)
    optimizer = nn.SGD(model.parameters(), lr=2.0)
    history = nn.fit(
        model, nn.mse_loss, nn.xor(), optimizer=optimizer, epochs=2000, batch_size=4, rng=XOR_SEED, progress=False
    )
    final = nn.evaluate(model, nn.mse_loss, nn.xor())
    assert final["loss"] < 0.01
    assert final["accuracy"] == 1.0
    assert history[0]["loss"] > 0.2  # it started from chance
    predictions = [model(x).data for x, _ in nn.xor()]
    assert [round(p) for p in predictions] == [0, 1, 1, 0]


def test_seed_notebook_xor_net_stays_stuck_at_0_25_because_tiny_symmetric_weights_sit_on_a_sigmoid_saddle():
    """The seed notebook's XOR net, reproduced: 2-4-1, sigmoid everywhere, no biases,
    weights N(0, 1) * 0.01, lr 0.1, 1000 full-batch steps of MSE. Its loss stays near 0.25.

    Why nothing moves: with weights of size ~0.01 every sigmoid sits at its
    midpoint, so each hidden unit outputs ~0.5 and the output is ~0.5 for all
    four inputs: MSE = mean((0.5 - t)^2) = 0.25 for XOR's targets 0, 1, 1, 0.
    The gradient is tiny, not just small: d loss / d output-weight sums
    2 (y - t) * y (1 - y) * h over the four samples, and with y ~ 0.5 and
    h ~ 0.5 the targets cancel (two 0s, two 1s), leaving only terms of the
    size of the weights; the hidden weights' gradient is that times another
    weight. So the gradient is ~ weights^2 ~ 1e-4 and shrinks as it goes:
    lr 0.1 for 1000 steps moves the weights by far less than they need.
    Without biases the input (0, 0) makes every hidden unit output exactly
    0.5 whatever its weights, so that sample cannot use the hidden layer at all.
    """
    rng = random.Random(XOR_SEED)
    model = nn.MLP(
        2,
        [4, 1],
        activation="sigmoid",
        output_activation="sigmoid",
        bias=False,
        init=lambda r, fan_in, fan_out: r.gauss(0.0, 1.0) * 0.01,
        rng=rng,
    )
    assert len(model.parameters()) == 2 * 4 + 4 * 1
    assert max(abs(p.data) for p in model.parameters()) < 0.05
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    data = nn.xor()
    losses = []
    for _ in range(1000):
        outputs = [model(x) for x, _ in data]
        loss = nn.mse_loss(outputs, [y for _, y in data])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[0] == pytest.approx(0.25, abs=1e-3)
    assert losses[-1] == pytest.approx(0.25, abs=1e-3)
    assert max(abs(p.grad) for p in model.parameters()) < 1e-4  # the gradient has all but vanished
    assert [h.data for h in model.layers[0]([0.0, 0.0])] == [0.5] * 4  # no biases: sigmoid(0) = 0.5 exactly
    assert all(abs(model(x).data - 0.5) < 0.01 for x, _ in data)


def test_fit_history_and_same_seed_same_training():
    def train(seed):
        model = nn.MLP(2, [8, 1], rng=seed)
        optimizer = nn.SGD(model.parameters(), lr=0.05, momentum=0.5)
        moons = nn.moons(40, 0.1, rng=seed, signed_labels=True)
        history = nn.fit(
            model,
            nn.hinge_loss,
            moons,
            optimizer=optimizer,
            epochs=3,
            batch_size=8,
            rng=seed,
            progress=False,
            penalty=lambda m: nn.l2_penalty(m.parameters(), 1e-4),
        )
        return history, [p.data for p in model.parameters()]

    history, params = train(4)
    again_history, again_params = train(4)
    _, other_params = train(5)
    assert params == again_params
    assert [{k: v for k, v in h.items() if k != "seconds"} for h in history] == [
        {k: v for k, v in h.items() if k != "seconds"} for h in again_history
    ]
    assert params != other_params
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "loss", "accuracy", "lr", "seconds"}
    # an accuracy is a count of the 40 samples: a multiple of 1/40, not an average of batch fractions
    assert all(abs(h["accuracy"] * 40 - round(h["accuracy"] * 40)) < 1e-9 and h["seconds"] > 0.0 for h in history)


def test_fit_records_the_mean_data_loss_of_each_epoch():
    model = nn.MLP(1, [1], rng=0)
    data = [([1.0], 2.0), ([2.0], 1.0), ([3.0], 0.0)]
    optimizer = nn.SGD(model.parameters(), lr=0.0)  # lr 0: the model never changes
    history = nn.fit(
        model, nn.mse_loss, data, optimizer=optimizer, epochs=1, batch_size=2, rng=0, progress=False, accuracy=None
    )
    expected = sum((model(x).data - y) ** 2 for x, y in data) / len(data)
    assert history[0]["loss"] == pytest.approx(expected)
    assert "accuracy" not in history[0]


def test_fit_validation_schedule_and_callback():
    model = nn.MLP(2, [4, 2], rng=1)
    train = [([x / 10, 1 - x / 10], x % 2) for x in range(10)]
    seen = []

    class Seen(nn.Callback):
        def on_epoch_end(self, epoch, record, training):
            seen.append(record)

    history = nn.fit(
        model,
        nn.cross_entropy,
        train,
        optimizer=nn.Adam(model.parameters(), lr=0.01),
        epochs=3,
        batch_size=4,
        validation_data=train[:4],
        callbacks=[nn.LambdaLR(lambda epoch: 1 / (epoch + 1)), Seen()],
        rng=0,
        progress=False,
    )
    assert [h["lr"] for h in history] == pytest.approx([0.01, 0.005, 0.01 / 3])
    assert seen == history
    assert {"val_loss", "val_accuracy"} <= set(history[-1])
    assert history[-1]["val_loss"] == pytest.approx(nn.evaluate(model, nn.cross_entropy, train[:4])["loss"])


def test_fit_learns_moons():
    train = nn.moons(60, 0.1, rng=2, signed_labels=True)
    model = nn.MLP(2, [16, 16, 1], rng=2)
    history = nn.fit(
        model,
        nn.hinge_loss,
        train,
        optimizer=nn.SGD(model.parameters(), lr=0.1, momentum=0.9),
        epochs=15,
        batch_size=10,
        rng=2,
        progress=False,
    )
    assert history[-1]["loss"] < history[0]["loss"] / 2
    assert nn.evaluate(model, nn.hinge_loss, train)["accuracy"] >= 0.9


def test_accuracy_rules():
    assert nn.count_correct([[Value(0.1), Value(2.0)], [Value(3.0), Value(1.0)]], [1, 1]) == 1
    assert nn.count_correct([[Value(0.1), Value(2.0)], [Value(3.0), Value(1.0)]], [[0.0, 1.0], [0.0, 1.0]]) == 1
    assert nn.count_correct([Value(0.7), Value(0.2)], [1.0, 1.0]) == 1  # probabilities: 0.5
    assert nn.count_correct([Value(0.3), Value(-0.2)], [1, -1]) == 2  # signed labels: 0
    assert nn.count_correct([Value(0.3)], [1.0], loss_fn=nn.binary_cross_entropy_with_logits) == 1
    assert nn.count_correct([Value(0.3)], [1.0], accuracy=lambda out, y: False) == 0
    with pytest.raises(ValueError, match="accuracy must be"):
        nn.count_correct([Value(0.3)], [1.0], accuracy="top5")


def test_evaluate_records_no_graph_and_restores_the_mode():
    model = nn.MLP(2, [3, 1], activation="rrelu", rng=0)
    assert model.training
    result = nn.evaluate(model, nn.mse_loss, nn.xor())
    assert model.training
    model.eval()
    direct = nn.mse_loss([model(x) for x, _ in nn.xor()], [y for _, y in nn.xor()]).data
    assert result["loss"] == pytest.approx(direct)  # evaluation mode: rrelu used its mean slope


def test_fit_leaves_the_model_in_its_mode():
    model = nn.MLP(2, [2, 1], rng=0).eval()
    nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), rng=0, progress=False)
    assert not model.training


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": -1}, "epochs must be an int >= 0"),
        ({"batch_size": 0}, "batch_size must be an int >= 1"),
        ({"accuracy": "top5"}, "accuracy must be"),
    ],
)
def test_fit_argument_errors(kwargs, message):
    model = nn.MLP(2, [1], rng=0)
    with pytest.raises(ValueError, match=message):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), progress=False, **kwargs)
    with pytest.raises(ValueError, match="at least one training example"):
        nn.fit(model, nn.mse_loss, [], optimizer=nn.SGD(model.parameters(), lr=0.1), progress=False)


def test_progress_bar_shows_loss_and_accuracy(capsys):
    model = nn.MLP(2, [2, 1], rng=0)
    nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=2, batch_size=2, rng=0)
    err = capsys.readouterr().err
    assert "loss=" in err
    assert "acc=" in err
    assert "4/4" in err  # two epochs of two batches


def test_progress_false_needs_no_tqdm_and_prints_nothing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    model = nn.MLP(2, [2, 1], rng=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=optimizer, epochs=2, rng=0, progress=False)
    assert len(history) == 2
    assert capsys.readouterr() == ("", "")
    with pytest.warns(UserWarning, match=r'pip install "glassgrad\[demos\]"'):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=optimizer, epochs=1, rng=0, progress=True)


def test_the_package_docstring_example_runs_and_learns(tmp_path, monkeypatch, capsys):
    """The ten-line script at the top of ``nn``'s docstring, run as written (in a temporary folder)."""
    lines = []
    for line in nn.__doc__.split("::\n\n", 1)[1].splitlines():
        if line and not line.startswith("    "):
            break  # the indented block has ended
        lines.append(line[4:])
    code = "\n".join(lines)
    assert "nn.fit(" in code
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "nn.__doc__", "exec"), namespace)
    assert namespace["history"][-1]["loss"] < 0.01
    assert "'accuracy': 1.0" in capsys.readouterr().out
    assert (tmp_path / "xor.json").exists()


def test_fit_stops_with_a_clear_error_when_the_loss_diverges():
    model = nn.MLP(2, [4, 1], rng=0)
    optimizer = nn.SGD(model.parameters(), lr=1e150)
    with pytest.raises(FloatingPointError, match="diverged"):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=optimizer, epochs=50, batch_size=4, rng=0, progress=False)

"""fit on non-finite numbers, fit's arguments and callbacks checked by name, EarlyStopping as Keras.

No nan or inf ever reaches a weight: data holding one is refused up front, naming the example; a step whose
loss or gradients are not finite stops training before the update, naming the epoch and the batch.
"""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value


def _quiet(**options):
    return {"progress": False, "rng": 0, **options}


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 1], activation="tanh", rng=0)


# ---------------------------------------------------------------- non-finite data, loss and gradients
BAD_DATA = {
    "nan input": ([([0.5, 0.5], 1.0), ([math.nan, 0.5], 0.0)], r"data example 1 has an input .*: input\[0\] = nan"),
    "inf input": ([([0.5, math.inf], 1.0)], r"data example 0 has an input .*: input\[1\] = inf"),
    "-inf input Value": ([([Value(-math.inf), 0.5], 1.0)], r"data example 0 has an input .*: input\[0\] = -inf"),
    "nan target": ([([0.5, 0.5], 1.0)] * 3 + [([0.5, 0.5], math.nan)], r"data example 3 has a target .*: target = nan"),
    "inf in a list target": ([([0.5, 0.5], [0.0, math.inf])], r"data example 0 has a target .*: target\[1\] = inf"),
}


@pytest.mark.parametrize("kind", sorted(BAD_DATA))
def test_data_that_is_not_finite_is_refused_up_front_naming_the_example(kind):
    """An inf input gives a finite loss through tanh (it saturates) but nan gradients (inf x 0): refused first."""
    data, message = BAD_DATA[kind]
    model = _model()
    before = model.state_dict()
    with pytest.raises(ValueError, match=f"fit\\(\\) {message}"):
        nn.fit(model, nn.mse_loss, data, optimizer=nn.SGD(model.parameters(), lr=0.1), **_quiet())
    assert model.state_dict() == before


def test_validation_data_that_is_not_finite_is_refused_too():
    model = _model()
    with pytest.raises(ValueError, match=r"validation_data example 0 has an input"):
        nn.fit(
            model,
            nn.mse_loss,
            nn.xor(),
            optimizer=nn.SGD(model.parameters(), lr=0.1),
            validation_data=[([math.inf, 0.0], 1.0)],
            **_quiet(),
        )


class Weights(nn.Callback):
    """The model's weights after every step."""

    def __init__(self):
        self.seen = []

    def on_batch_end(self, epoch, batch, record, training):
        self.seen.append(training.model.state_dict())


def test_a_step_whose_gradient_is_not_finite_stops_before_the_update_naming_epoch_and_batch():
    """Every input and the loss are finite; one example's gradient overflows (2 * 1e10 * 1e300): training stops
    at that batch, and the weights are those the previous step left."""
    model = nn.MLP(1, [1], activation="linear", rng=0)
    model.layers[0].neurons[0].w[0].data, model.layers[0].neurons[0].b.data = 1e-300, 0.0
    data = [([1.0], 0.0)] * 5 + [([1e300], -1e10)]
    steps = Weights()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(FloatingPointError) as caught:
        nn.fit(
            model,
            nn.mse_loss,
            data,
            optimizer=optimizer,
            epochs=2,
            batch_size=1,
            shuffle=False,
            callbacks=[steps],
            **_quiet(accuracy=None),
        )
    message = str(caught.value)
    assert "in epoch 1 of 2, batch 6 of 6" in message
    assert "the gradient of layers.0.neurons.0.w.0 is inf" in message and "before the update" in message
    assert len(steps.seen) == 5 and model.state_dict() == steps.seen[-1]
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_a_step_whose_loss_is_not_finite_stops_before_the_update_naming_epoch_and_batch():
    model = nn.MLP(2, [4, 1], rng=0)
    optimizer = nn.SGD(model.parameters(), lr=1e150)
    with pytest.raises(FloatingPointError, match=r"in epoch \d+ of 50, batch 1 of 1, the loss became (inf|nan)"):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=optimizer, epochs=50, batch_size=4, **_quiet())
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_the_gradient_check_lets_large_finite_gradients_through():
    """Finite gradients whose sum overflows are not an error (the check's fast sum is only a first look)."""
    model = nn.MLP(2, [1], activation="linear", bias=False, rng=0)
    for w in model.parameters():
        w.data = 1e-308
    data = [([1e308, 1e308], 0.0)]

    def output(outputs, targets):
        return outputs[0]  # 2.0, with a gradient of 1e308 for each weight

    nn.fit(model, output, data, optimizer=nn.SGD(model.parameters(), lr=0.0), **_quiet(accuracy=None))
    grads = [p.grad for p in model.parameters()]
    assert grads == [1e308, 1e308] and math.isinf(sum(grads))


# ---------------------------------------------------------------- fit's arguments and callbacks, by name
def test_fit_without_an_optimizer_says_what_to_pass():
    model = _model()
    with pytest.raises(
        TypeError, match=r"fit\(\) needs an optimizer.*optimizer=nn\.SGD\(model\.parameters\(\), lr=0\.1\)"
    ):
        nn.fit(model, nn.mse_loss, nn.xor(), progress=False)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"callbacks": nn.StepLR(2)}, TypeError, r"callbacks must be a list of callbacks, such as"),
        ({"callbacks": [nn.StepLR]}, TypeError, r"item 0 is the class StepLR, not a callback: make one"),
        ({"callbacks": [lambda epoch: 0.1]}, TypeError, r"item 0 is function .* not a callback.*nn\.LambdaLR"),
        ({"callbacks": [0.1]}, TypeError, r"item 0 is float 0\.1, not a callback"),
        ({"shuffle": "yes"}, TypeError, r"shuffle must be True or False, got str 'yes'"),
        ({"progress": 1}, TypeError, r"progress must be True or False, got int 1"),
        ({"epochs": 2.5}, ValueError, r"epochs must be an int >= 0, got float 2\.5"),
        ({"rng": "seed"}, TypeError, r"rng"),
    ],
)
def test_fit_checks_its_arguments_and_callbacks_by_name(options, error, message):
    model = _model()
    with pytest.raises(error, match=message):
        nn.fit(
            model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), **{"progress": False, **options}
        )


@pytest.mark.parametrize(
    ("keyword", "replacement"),
    [("lr_schedule", r"nn\.LambdaLR"), ("on_epoch_end", r"nn\.Callback"), ("record_layers", r"nn\.LayerStatistics")],
)
def test_the_old_keywords_are_gone_and_say_what_replaced_them(keyword, replacement):
    model = _model()
    with pytest.raises(TypeError, match=rf"fit\(\) no longer takes {keyword}: pass callbacks=.*{replacement}"):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), **{keyword: 0.1})


def test_a_misspelt_keyword_gets_did_you_mean():
    model = _model()
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'epoch'; did you mean 'epochs'\?"):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), epoch=3)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'zzz'; fit\(\) takes model, loss_fn, data"):
        nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), zzz=3)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.LambdaLR(0.1), TypeError, r"lr_lambda must be a function epoch -> factor.*got float 0\.1"),
        (lambda: nn.LambdaLR(nn.StepLR), TypeError, r"lr_lambda must be a function"),
        (lambda: nn.StepLR("2"), ValueError, r"StepLR\(\) step_size must be a positive int, got str '2'"),
        (lambda: nn.StepLR(2, gamma=math.nan), ValueError, r"gamma must be a positive number, got float nan"),
        (lambda: nn.CosineAnnealingLR(eta_min=-1), ValueError, r"eta_min must be a number >= 0"),
        (lambda: nn.CosineAnnealingLR(T_max=0), ValueError, r"T_max must be a positive int"),
        (lambda: nn.WeightSnapshots(diagnose="yes"), ValueError, r"diagnose must be True or False"),
        (lambda: nn.WeightSnapshots(every=0), ValueError, r"every must be a positive int"),
        (lambda: nn.LayerStatistics(samples=-1), ValueError, r"samples must be a positive int"),
        (lambda: nn.ModelCheckpoint(3), TypeError, r"path must be a file path"),
        (lambda: nn.ModelCheckpoint("m.json", monitor="val_los"), ValueError, r"did you mean 'val_loss'"),
        (lambda: nn.ModelCheckpoint("m.json", mode="up"), ValueError, r"mode must be 'auto', 'min' or 'max'"),
    ],
)
def test_callbacks_check_their_arguments_by_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_schedule_that_returns_no_number_says_so_at_the_epoch():
    model = _model()
    callbacks = [nn.LambdaLR(lambda epoch: "fast" if epoch == 1 else 1.0)]
    with pytest.raises(ValueError, match=r"lr_lambda\(1\) returned str 'fast'; it must return a finite number"):
        nn.fit(
            model,
            nn.mse_loss,
            nn.xor(),
            optimizer=nn.SGD(model.parameters(), lr=0.1),
            epochs=3,
            callbacks=callbacks,
            progress=False,
        )


def test_lambda_lr_follows_pytorchs_formula():
    model = _model()
    history = nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.5),
        epochs=4,
        callbacks=[nn.LambdaLR(lambda epoch: 0.9**epoch)],
        **_quiet(),
    )
    assert history.column("lr") == pytest.approx([0.5 * 0.9**e for e in range(4)], rel=1e-15)


# ---------------------------------------------------------------- EarlyStopping as Keras
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_delta": math.nan}, r"min_delta must be a finite number, got float nan"),
        ({"min_delta": "0.1"}, r"min_delta must be a finite number, got str '0\.1'"),
        ({"min_delta": math.inf}, r"min_delta must be a finite number, got float inf"),
        ({"monitor": "val_acc"}, r"monitor must be one of 'loss', 'accuracy', 'val_loss', 'val_accuracy', got str"),
        ({"monitor": 3}, r"monitor must be one of .* got int 3"),
        ({"patience": -1}, r"patience must be an int >= 0"),
        ({"restore_best_weights": "no"}, r"restore_best_weights must be True or False"),
        ({"mode": "maximum"}, r"mode must be 'auto', 'min' or 'max'"),
    ],
)
def test_early_stopping_refuses_bad_settings_by_name(options, message):
    with pytest.raises(ValueError, match=message):
        nn.EarlyStopping(**options)


class Losses(nn.Callback):
    def __init__(self, values):
        self.values = values

    def on_epoch_end(self, epoch, record, training):
        record["val_loss"] = self.values[epoch]  # the validation loss this test wants EarlyStopping to see


def _stopping(values, **options) -> tuple[nn.EarlyStopping, nn.History]:
    model = _model()
    stopper = nn.EarlyStopping(**options)
    history = nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.0),
        epochs=len(values),
        validation_data=nn.xor(),
        callbacks=[Losses(values), stopper],
        **_quiet(),
    )
    return stopper, history


def test_early_stopping_takes_the_size_of_min_delta_as_keras_does():
    values = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75]
    for min_delta in (0.1, -0.1):  # a negative min_delta means the same as its size
        stopper, history = _stopping(values, patience=1, min_delta=min_delta)
        assert (stopper.best_epoch, stopper.stopped_epoch, len(history)) == (1, 2, 2)
    stopper, history = _stopping(values, patience=1, min_delta=0.01)  # each 0.05 step is an improvement
    assert (stopper.best_epoch, stopper.stopped_epoch, len(history)) == (6, 0, 6)


def test_early_stopping_never_counts_nan_as_an_improvement():
    stopper, history = _stopping([1.0, math.nan, math.nan, 0.5], patience=2)
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch, len(history)) == (1.0, 1, 3, 3)


def test_early_stopping_on_an_accuracy_wants_it_to_rise():
    model = _model()
    stopper = nn.EarlyStopping(monitor="accuracy", patience=0)
    assert stopper.mode == "max" and nn.EarlyStopping(monitor="loss").mode == "min"
    nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.0),
        epochs=5,
        callbacks=[stopper],
        **_quiet(),
    )
    assert (stopper.best_epoch, stopper.stopped_epoch) == (1, 2)  # lr 0: the accuracy stays, it does not rise


def test_a_monitor_fit_does_not_record_is_named():
    model = _model()
    with pytest.raises(ValueError, match=r"monitors 'accuracy', which this training does not record"):
        nn.fit(
            model,
            nn.mse_loss,
            nn.xor(),
            optimizer=nn.SGD(model.parameters(), lr=0.1),
            callbacks=[nn.EarlyStopping(monitor="accuracy")],
            **_quiet(accuracy=None),
        )


# ---------------------------------------------------------------- layer statistics, now a callback
def test_layer_statistics_run_in_every_fit_and_a_given_one_is_used_instead():
    model = _model()
    history = nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=2,
        callbacks=[nn.StepLR(1)],
        **_quiet(),
    )
    assert len(history.layers) == 2 and set(history.layers[0]) == {"layers.0", "layers.1"}
    mine = nn.LayerStatistics(samples=1)
    history = nn.fit(
        model,
        nn.mse_loss,
        nn.xor(),
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=3,
        callbacks=[mine],
        **_quiet(),
    )
    assert len(history.layers) == 3

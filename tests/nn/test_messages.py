"""Every error of nn quotes at most about 100 characters of what it was given, and says how long it was.

A 10 MB string or a list of a million items given anywhere (a constructor, a loss, an optimizer, fit, a
callback, a data helper, a state dict) gives a message a log can print. The model files are in
``test_hostile_files.py``.
"""

from __future__ import annotations

import pytest

import nn
from autograd import Value

BIG = "x" * 10_000_000
MILLION = [BIG[:10]] * 1_000_000
#: Long enough for the sentence that explains, far too short for the input.
SHORT = 600


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 1], rng=0)


def _fit(**options):
    model = _model()
    given = {"optimizer": nn.SGD(model.parameters(), lr=0.1), "progress": False, **options}
    return nn.fit(given.pop("model", model), given.pop("loss_fn", nn.mse_loss), given.pop("data", nn.xor()), **given)


CALLS = {
    "Neuron nin": lambda: nn.Neuron(BIG),
    "Neuron activation": lambda: nn.Neuron(2, activation=BIG),
    "Layer bias": lambda: nn.Layer(2, 3, bias=MILLION),
    "MLP nouts": lambda: nn.MLP(2, BIG),
    "MLP a size": lambda: nn.MLP(2, MILLION),
    "MLP init": lambda: nn.MLP(2, [1], init=BIG),
    "model input": lambda: _model()(BIG),
    "model input item": lambda: _model()([BIG, 1.0]),
    "train mode": lambda: _model().train(MILLION),
    "load_state_dict key": lambda: _model().load_state_dict({BIG: 1.0}),
    "load_state_dict value": lambda: _model().load_state_dict({"layers.0.neurons.0.w": MILLION}),
    "load_state_dict state": lambda: _model().load_state_dict(MILLION),
    "SGD lr": lambda: nn.SGD(_model().parameters(), lr=BIG),
    "SGD params": lambda: nn.SGD(MILLION, lr=0.1),
    "Adam betas": lambda: nn.Adam(_model().parameters(), betas=MILLION),
    "optimizer state": lambda: nn.SGD(_model().parameters(), lr=0.1).load_state_dict({"type": BIG}),
    "mse target": lambda: nn.mse_loss([Value(1.0)], [BIG]),
    "mse prediction": lambda: nn.mse_loss([MILLION], [1.0]),
    "cross_entropy target": lambda: nn.cross_entropy([[Value(1.0), Value(2.0)]], [BIG]),
    "hinge label": lambda: nn.hinge_loss([Value(1.0)], [BIG]),
    "l2_penalty alpha": lambda: nn.l2_penalty([Value(1.0)], BIG),
    "l2_penalty params": lambda: nn.l2_penalty(MILLION, 0.1),
    "fit epochs": lambda: _fit(epochs=BIG),
    "fit data": lambda: _fit(data=BIG),
    "fit data item": lambda: _fit(data=[BIG]),
    "fit loss_fn": lambda: _fit(loss_fn=BIG),
    "fit optimizer": lambda: _fit(optimizer=MILLION),
    "fit callbacks": lambda: _fit(callbacks=MILLION),
    "fit accuracy": lambda: _fit(accuracy=BIG),
    "fit penalty": lambda: _fit(penalty=BIG),
    "StepLR step_size": lambda: nn.StepLR(BIG),
    "LambdaLR": lambda: nn.LambdaLR(BIG),
    "EarlyStopping monitor": lambda: nn.EarlyStopping(monitor=BIG),
    "EarlyStopping min_delta": lambda: nn.EarlyStopping(min_delta=MILLION),
    "ModelCheckpoint mode": lambda: nn.ModelCheckpoint("m.json", mode=BIG),
    "diagnose lr": lambda: nn.diagnose(_model(), nn.xor(), lr=BIG),
    "diagnose data": lambda: nn.diagnose(_model(), BIG),
    "moons n": lambda: nn.moons(BIG),
    "batches size": lambda: list(nn.batches([1, 2], BIG)),
    "train_test_split fraction": lambda: nn.train_test_split([1, 2], BIG),
    "to_onnx dtype": lambda: nn.to_onnx(_model(), dtype=BIG),
    "export path": lambda: nn.export_torch_source(_model(), MILLION),
    "count_correct accuracy": lambda: nn.count_correct([Value(0.5)], [1.0], accuracy=BIG),
}


@pytest.mark.parametrize("kind", sorted(CALLS))
def test_a_huge_argument_gives_a_short_message(kind):
    with pytest.raises((TypeError, ValueError)) as caught:
        CALLS[kind]()
    message = str(caught.value)
    assert len(message) < SHORT, f"{kind}: {len(message):,} characters: {message[:300]}"

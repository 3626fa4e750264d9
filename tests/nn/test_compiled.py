"""nn.compile: a compiled training step equals the eager step bit for bit, and refuses what it cannot follow.

The hypothesis test draws MLPs (sizes, every activation of nn, every loss of nn and a user's loss written with ops,
SGD with and without momentum and weight decay, Adam with and without weight decay, an L2 penalty or none) and
takes several steps both ways from the same weights: the losses, every weight and the optimizer's buffers agree
as the 8 bytes of each float.
"""

from __future__ import annotations

import math
import random
import struct
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd import CompileError, TraceError, Value

ACTIVATIONS = [name for name in nn.activation_names(layer=False) if name != "rrelu"]


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def user_loss(outputs, targets):
    """A loss written with ops, as a user writes one: mean |output - target|^1.5 over every output."""
    terms = [(abs(o - t) + 1e-3) ** 1.5 for o, t in zip(outputs, targets)]
    return sum(terms) * (1.0 / len(terms))


LOSSES = {
    "mse": (nn.mse_loss, "linear"),
    "cross_entropy": (nn.cross_entropy, "linear"),
    "hinge": (nn.hinge_loss, "linear"),
    "bce": (nn.binary_cross_entropy, "sigmoid"),
    "bce_logits": (nn.binary_cross_entropy_with_logits, "linear"),
    "user": (user_loss, "tanh"),
    "softmax_mse": (lambda o, y: nn.mse_loss(o, y), "softmax"),
}


def make_optimizer(kind: str, params):
    return {
        "sgd": lambda: nn.SGD(params, lr=0.1),
        "momentum": lambda: nn.SGD(params, lr=0.05, momentum=0.9, weight_decay=0.01),
        "adam": lambda: nn.Adam(params, lr=0.01),
        "adamw": lambda: nn.Adam(params, lr=0.01, weight_decay=0.1),
    }[kind]()


def target(loss: str, outputs: int, draw):
    if loss == "cross_entropy":
        return draw(st.integers(0, outputs - 1))
    if loss == "hinge":
        return draw(st.sampled_from([-1.0, 1.0]))
    if loss in ("bce", "bce_logits"):
        return draw(st.sampled_from([0.0, 1.0, 0.25]))
    if loss == "softmax_mse":
        return [draw(st.floats(0.0, 1.0)) for _ in range(outputs)]
    if outputs == 1:
        return draw(st.floats(-1.0, 1.0))
    return [draw(st.floats(-1.0, 1.0)) for _ in range(outputs)]


def eager_step(model, optimizer, loss_fn, batch, penalty):
    outputs = [model(x) for x, _ in batch]
    loss = loss_fn(outputs, [y for _, y in batch])
    objective = loss + penalty(model) if penalty is not None else loss
    optimizer.zero_grad()
    objective.backward()
    optimizer.step()
    return loss.data


def buffers(optimizer) -> list[float]:
    state = optimizer.state_dict()
    return [x for key in ("velocities", "first_moments", "second_moments") for x in state.get(key, [])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_steps_equal_eager_steps_bit_for_bit(data):
    draw = data.draw
    loss_name = draw(st.sampled_from(sorted(LOSSES)))
    loss_fn, output_activation = LOSSES[loss_name]
    one_output = loss_name in ("hinge", "bce", "bce_logits") or (draw(st.booleans()) and loss_name in ("mse", "user"))
    outputs = 1 if one_output else draw(st.integers(2, 4))
    if loss_name == "user" and outputs > 1:
        loss_fn = lambda o, y: user_loss([v for out in o for v in out], [v for t in y for v in t])  # noqa: E731
    nin = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), min_size=0, max_size=2))
    activation = draw(st.sampled_from(ACTIVATIONS))
    seed = draw(st.integers(0, 2**16))
    batch_size = draw(st.integers(1, 5))
    examples = [([draw(st.floats(-2.0, 2.0)) for _ in range(nin)], target(loss_name, outputs, draw)) for _ in range(8)]
    kind = draw(st.sampled_from(["sgd", "momentum", "adam", "adamw"]))
    penalty = (lambda m: nn.l2_penalty(m.parameters(), 1e-3)) if draw(st.booleans()) else None

    models = [nn.MLP(nin, [*hidden, outputs], activation, output_activation, rng=seed) for _ in range(2)]
    optimizers = [make_optimizer(kind, m.parameters()) for m in models]
    step = nn.compile(models[1], loss_fn, optimizers[1], penalty=penalty)
    rng = random.Random(seed)
    for number in range(3):
        batch = rng.sample(examples, batch_size)
        expected = eager_step(models[0], optimizers[0], loss_fn, batch, penalty)
        loss = step(batch)
        assert bits(loss) == bits(expected), f"step {number}: loss {loss!r} != {expected!r} ({step.plan})"
        for (name, a), b in zip(models[0].named_parameters(), models[1].parameters()):
            assert bits(a.data) == bits(b.data), f"step {number}: {name} {b.data!r} != {a.data!r} ({step.plan})"
        assert [bits(x) for x in buffers(optimizers[1])] == [bits(x) for x in buffers(optimizers[0])]


def digits_batch(size: int, seed: int = 0):
    rng = random.Random(seed)
    return [([rng.random() for _ in range(8)], rng.randrange(3)) for _ in range(size)]


def model_and_step(batch_penalty=None, optimizer=None, **options):
    model = nn.MLP(8, [6, 3], rng=0)
    optimizer = optimizer or nn.SGD(model.parameters(), lr=0.1)
    return model, nn.compile(model, nn.cross_entropy, optimizer, penalty=batch_penalty, **options)


def test_the_models_values_hold_the_new_weights_after_each_step():
    model, step = model_and_step()
    before = [p.data for p in model.parameters()]
    step(digits_batch(4))
    after = [p.data for p in model.parameters()]
    assert before != after
    assert model.layers[0].neurons[0].w[0].data == after[0]


def test_a_change_to_the_weights_between_steps_counts():
    model, step = model_and_step()
    twin = nn.MLP(8, [6, 3], rng=0)
    twin_optimizer = nn.SGD(twin.parameters(), lr=0.1)
    batch = digits_batch(4)
    step(batch)
    eager_step(twin, twin_optimizer, nn.cross_entropy, batch, None)
    for p, q in zip(model.parameters(), twin.parameters()):
        p.data = q.data = p.data * 0.5  # the user rescales the weights between steps
    assert step(batch) == eager_step(twin, twin_optimizer, nn.cross_entropy, batch, None)
    assert [p.data for p in model.parameters()] == [q.data for q in twin.parameters()]


def test_adam_counts_its_steps_and_keeps_its_moments_in_the_optimizer():
    model = nn.MLP(8, [6, 3], rng=0)
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    step = nn.compile(model, nn.cross_entropy, optimizer)
    step(digits_batch(4))
    step(digits_batch(4, seed=1))
    assert optimizer.steps_taken == 2
    assert any(m != 0.0 for m in optimizer.first_moments)


def test_a_batch_of_another_size_is_refused_by_name():
    _, step = model_and_step()
    step(digits_batch(4))
    with pytest.raises(CompileError, match="compiled for batches of 4 examples, got 3"):
        step(digits_batch(3))


@pytest.mark.parametrize(
    ("batch", "match"),
    [
        ([([0.5] * 7, 1)], "has 7 numbers; the step was compiled for 8"),
        ([([0.5] * 7 + [math.inf], 1)], "is inf; the compiled step takes finite inputs"),
        ([([0.5] * 7 + [math.nan], 1)], "is nan"),
        ([([0.5] * 7 + ["0.5"], 1)], "must be a number"),
        ([([0.5] * 7 + [Value(0.5)], 1)], "holds a Value"),
        ([([0.5] * 8, 3)], "class 3, out of range for 3 classes"),
        ([([0.5] * 8, 1.0)], "must be a class index"),
        ("not a batch", "list of \\(x, y\\) examples"),
    ],
    ids=["short", "inf", "nan", "str", "Value", "class out of range", "class not int", "not a batch"],
)
def test_a_bad_batch_is_refused_by_name(batch, match):
    _, step = model_and_step()
    step([([0.25] * 8, 0)])
    with pytest.raises(CompileError, match=match):
        step(batch)


def test_integer_class_targets_are_read_at_each_step():
    """The class index is a variable of the code: a step traced on class 0 trains class 2 on the next batch."""
    model, step = model_and_step()
    twin = nn.MLP(8, [6, 3], rng=0)
    twin_optimizer = nn.SGD(twin.parameters(), lr=0.1)
    for label in (0, 2, 1, 2):
        batch = [([0.3] * 8, label)]
        assert step(batch) == eager_step(twin, twin_optimizer, nn.cross_entropy, batch, None)
    assert [p.data for p in model.parameters()] == [q.data for q in twin.parameters()]
    assert "[y]" in step.source


def test_a_loss_that_is_not_finite_stops_before_any_weight_changes():
    model = nn.MLP(1, [1], activation="linear", rng=0)
    step = nn.compile(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    step([([1.0], 0.0)])
    before = [p.data for p in model.parameters()]
    with pytest.raises(FloatingPointError, match="the step was not taken"):
        step([([1e200], 1e200)])  # (w x + b - t)^2 overflows
    assert [p.data for p in model.parameters()] == before


class Moody(nn.Module):
    """A model whose graph changes from one call to the next: a Python coin decides the activation."""

    def __init__(self):
        self.layer = nn.Layer(2, 1, activation="linear", rng=0)
        self.coin = random.Random(1)

    def __call__(self, x):
        out = self.layer(x)[0]
        return out.tanh() if self.coin.random() < 0.5 else out.sigmoid()


def test_a_graph_that_differs_between_examples_is_refused():
    model = Moody()
    step = nn.compile(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(CompileError, match="graph differs from one example to the next"):
        step([([0.1, 0.2], 0.0)] * 8)


def test_rrelu_drawing_slopes_in_training_is_refused_and_works_in_evaluation():
    model = nn.MLP(2, [3, 1], activation="rrelu", rng=0)
    step = nn.compile(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(CompileError, match="rrelu drew a random slope"):
        step([([0.1, -0.2], 0.5)])
    model.eval()
    assert math.isfinite(step([([0.1, -0.2], 0.5)]))


def test_a_user_loss_that_reads_a_number_is_refused_with_its_line():
    model = nn.MLP(2, [1], rng=0)

    def loss_fn(outputs, targets):
        loss = nn.mse_loss(outputs, targets)
        return loss * 2.0 if loss.data > 1.0 else loss  # a branch on one batch's number

    step = nn.compile(model, loss_fn, nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(TraceError, match=r"\.data\) was read") as caught:
        step([([0.1, 0.2], 0.0)])
    assert caught.value.where is not None and caught.value.where[0] == __file__


def test_an_optimizer_it_does_not_know_is_refused_and_fallback_trains_eagerly():
    class Halving(nn.SGD):
        pass

    model = nn.MLP(8, [6, 3], rng=0)
    optimizer = Halving(model.parameters(), lr=0.1)
    with pytest.raises(CompileError, match=r"knows the updates of nn\.SGD and nn\.Adam"):
        nn.compile(model, nn.cross_entropy, optimizer)(digits_batch(2))
    step = nn.compile(model, nn.cross_entropy, optimizer, fallback=True)
    twin = nn.MLP(8, [6, 3], rng=0)
    twin_optimizer = Halving(twin.parameters(), lr=0.1)
    with pytest.warns(UserWarning, match="runs with the eager engine"):
        first = step(digits_batch(2))
    assert first == eager_step(twin, twin_optimizer, nn.cross_entropy, digits_batch(2), None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once
        step(digits_batch(2, seed=3))


def test_a_loss_whose_graph_depends_on_the_targets_gets_a_version_per_set_of_targets():
    """binary_cross_entropy takes another path at 0 and 1: each new set of targets is traced again, up to a limit."""
    model = nn.MLP(2, [3, 1], output_activation="sigmoid", rng=0)
    twin = nn.MLP(2, [3, 1], output_activation="sigmoid", rng=0)
    step = nn.compile(model, nn.binary_cross_entropy, nn.SGD(model.parameters(), lr=0.1))
    twin_optimizer = nn.SGD(twin.parameters(), lr=0.1)
    for labels in ([0.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]):
        batch = [([0.1, 0.2], labels[0]), ([-0.3, 0.4], labels[1])]
        assert step(batch) == eager_step(twin, twin_optimizer, nn.binary_cross_entropy, batch, None)
    assert len(step._variants) == 3
    with pytest.raises(CompileError, match="depends on the targets' values"):
        for k in range(20):
            step([([0.1, 0.2], 0.0), ([0.3, 0.1], k / 20)])


def test_inference_equals_the_eager_forward_pass_and_reads_the_weights_each_call():
    model = nn.MLP(4, [5, 3], activation="tanh", output_activation="softmax", rng=0)
    predict = nn.compile(model)
    inputs = [[0.1, -0.2, 0.3, 0.4], [1.0, 0.0, -1.0, 0.5]]
    eager = [[v.data for v in model(x)] for x in inputs]
    assert predict(inputs) == eager
    model.layers[0].neurons[0].w[0].data = 3.0
    assert predict(inputs) == [[v.data for v in model(x)] for x in inputs]
    assert "def forward(xs" in predict.source


def test_run_gives_the_outputs_for_accuracy():
    model, step = model_and_step()
    batch = digits_batch(3)
    expected = [[v.data for v in model(x)] for x, _ in batch]
    step.read_weights()
    _, outputs = step.run(batch, outputs=True)
    assert outputs == expected
    step.write_weights()


# ---------------------------------------------------------------------------------------------------------------
# nn.fit(compile=True)
# ---------------------------------------------------------------------------------------------------------------
class Watch(nn.Callback):
    """Records the model's weights (as bytes) wherever user code can see them, and may change one."""

    def __init__(self, nudge: bool = False):
        self.seen: list[tuple] = []
        self.nudge = nudge

    def _record(self, where, training):
        self.seen.append((where, [bits(p.data) for p in training.model.parameters()]))

    def on_epoch_begin(self, epoch, training):
        self._record(("begin", epoch), training)
        if self.nudge:  # user code changing a weight between steps: the compiled steps must see it
            training.model.parameters()[0].data += 0.125

    def on_batch_end(self, epoch, batch, record, training):
        self._record(("batch", epoch, batch, bits(record["loss"])), training)
        if self.nudge:
            training.model.parameters()[-1].data *= 0.75

    def on_epoch_end(self, epoch, record, training):
        self._record(("end", epoch), training)


def fit_both(kind: str, compile_with=True, **options):
    """fit twice from the same weights, eagerly and compiled: the models, histories and watchers."""
    data = digits_batch(23, seed=1)  # batches of 5: the last one has 3 examples (another compiled step)
    found = []
    for compiled in (False, compile_with):
        model = nn.MLP(8, [6, 3], rng=0)
        optimizer = make_optimizer(kind, model.parameters())
        watch = Watch(nudge=options.pop("nudge", False) if not found else found[0][3].nudge)
        given_compile = compiled
        if compiled is not False and compiled != True:  # noqa: E712 - a step made by nn.compile
            given_compile = nn.compile(model, nn.cross_entropy, optimizer, penalty=options.get("penalty"))
        history = nn.fit(
            model,
            nn.cross_entropy,
            data,
            optimizer=optimizer,
            epochs=3,
            batch_size=5,
            rng=0,
            progress=False,
            validation_data=data[:6],
            callbacks=[watch, nn.LambdaLR(lambda epoch: 0.5**epoch)],
            compile=given_compile,
            **options,
        )
        found.append((model, optimizer, history, watch))
    return found


def same_history(a, b) -> bool:
    return [{k: bits(v) for k, v in r.items() if k != "seconds"} for r in a] == [
        {k: bits(v) for k, v in r.items() if k != "seconds"} for r in b
    ]


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam", "adamw"])
def test_fit_compiled_trains_as_fit_bit_for_bit_and_shows_callbacks_the_weights_of_the_moment(kind):
    penalty = lambda m: nn.l2_penalty(m.parameters(), 1e-3)  # noqa: E731
    (eager, eager_opt, eager_history, eager_watch), (model, opt, history, watch) = fit_both(
        kind, penalty=penalty, nudge=True
    )
    assert [bits(p.data) for p in model.parameters()] == [bits(p.data) for p in eager.parameters()]
    assert [bits(x) for x in buffers(opt)] == [bits(x) for x in buffers(eager_opt)]
    assert same_history(history, eager_history)
    assert watch.seen == eager_watch.seen  # every callback saw the same weights, at every batch and epoch
    assert len(watch.seen) == 3 * (2 + 5)


def test_fit_takes_a_step_made_by_nn_compile_and_uses_its_code_again():
    (eager, _, eager_history, _), (model, _, history, _) = fit_both("sgd", compile_with="step")
    assert [bits(p.data) for p in model.parameters()] == [bits(p.data) for p in eager.parameters()]
    assert same_history(history, eager_history)
    model = nn.MLP(8, [6, 3], rng=0)
    other = nn.MLP(8, [6, 3], rng=1)
    sgd = nn.SGD(model.parameters(), lr=0.1)
    step = nn.compile(other, nn.cross_entropy, nn.SGD(other.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="another model"):
        nn.fit(model, nn.cross_entropy, digits_batch(4), optimizer=sgd, progress=False, compile=step)
    with pytest.raises(TypeError, match="compile must be True, False or a step"):
        nn.fit(model, nn.cross_entropy, digits_batch(4), optimizer=sgd, progress=False, compile="yes")


def test_fit_compiled_keeps_no_gradients_so_layer_statistics_is_refused_and_none_are_recorded():
    model = nn.MLP(8, [6, 3], rng=0)
    sgd = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="LayerStatistics"):
        nn.fit(model, nn.cross_entropy, digits_batch(4), optimizer=sgd, progress=False, compile=True,
               callbacks=[nn.LayerStatistics()])  # fmt: skip
    history = nn.fit(model, nn.cross_entropy, digits_batch(4), optimizer=sgd, progress=False, compile=True)
    assert history.layers == []


def test_fit_compiled_writes_the_weights_before_each_progress_report(monkeypatch):
    import nn.train

    shown: list[tuple[int, list[bytes]]] = []

    class Bar:
        def __init__(self, model):
            self.model, self.done = model, 0

        def update(self, count):
            self.done += count
            shown.append((self.done, [bits(p.data) for p in self.model.parameters()]))

        def set_postfix(self, *args, **kwargs):
            pass

        def close(self):
            pass

    runs = []
    for compiled in (False, True):
        model = nn.MLP(8, [6, 3], rng=0)
        monkeypatch.setattr(nn.train, "_progress_bar", lambda *args, model=model: Bar(model))
        shown.clear()
        nn.fit(model, nn.cross_entropy, digits_batch(23, seed=1), optimizer=nn.SGD(model.parameters(), lr=0.1),
               epochs=2, batch_size=5, rng=0, progress=True, compile=compiled)  # fmt: skip
        runs.append(dict(shown))
    eager, compiled_reports = runs
    assert compiled_reports and all(eager[done] == weights for done, weights in compiled_reports.items())
    assert max(compiled_reports) == 10  # the bar reaches the end


def test_a_gradient_that_is_not_finite_stops_the_step_before_any_weight_changes():
    def root_of_nothing(outputs, targets):  # d sqrt(o - o)/do = inf - inf: nan, from a loss of 0.0
        return sum((o - o).sqrt() for out in outputs for o in out)

    model = nn.MLP(8, [6, 3], rng=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    before = [p.data for p in model.parameters()]
    step = nn.compile(model, root_of_nothing, optimizer)
    with pytest.raises(FloatingPointError, match="a gradient is not finite"):
        step(digits_batch(2))
    assert [p.data for p in model.parameters()] == before
    for compiled in (False, True):
        with pytest.raises(FloatingPointError, match="before the update"):
            nn.fit(model, root_of_nothing, digits_batch(4), optimizer=optimizer, progress=False, compile=compiled,
                   accuracy=None)  # fmt: skip
        assert [p.data for p in model.parameters()] == before


def test_the_eager_fallback_also_stops_before_the_update_when_a_gradient_is_not_finite():
    def peeking_root(outputs, targets):  # reads a number (so the step runs eagerly), then nan gradients, loss 0.0
        if outputs[0][0].data > 1e9:
            return outputs[0][0]
        return sum((o - o).sqrt() for out in outputs for o in out)

    model = nn.MLP(8, [6, 3], rng=0)
    before = [p.data for p in model.parameters()]
    step = nn.compile(model, peeking_root, nn.SGD(model.parameters(), lr=0.1), fallback=True)
    with (
        pytest.warns(UserWarning, match="runs with the eager engine"),
        pytest.raises(FloatingPointError, match=r"a gradient is not finite.*learning rate \(0\.1\) too large"),
    ):
        step(digits_batch(2))
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("batch_size", [1, 3])
def test_a_loss_that_reads_the_outputs_last_to_first_gets_the_engine_s_order_of_sums(batch_size):
    """The engine then visits the last layer's rows last to first: each input's gradient adds them in that order
    (row by row), not as one C sum over the rows in order, which would round differently."""

    def backwards(outputs, targets):
        return nn.cross_entropy([out[::-1] for out in outputs], targets)

    models = [nn.MLP(6, [7, 5, 4], rng=3) for _ in range(2)]
    optimizers = [nn.SGD(m.parameters(), lr=0.5) for m in models]
    step = nn.compile(models[1], backwards, optimizers[1])
    rng = random.Random(5)
    data = [([rng.uniform(-1.0, 1.0) for _ in range(6)], rng.randrange(4)) for _ in range(batch_size)]
    for _ in range(4):
        assert bits(step(data)) == bits(eager_step(models[0], optimizers[0], backwards, data, None))
    assert [bits(p.data) for p in models[1].parameters()] == [bits(p.data) for p in models[0].parameters()]

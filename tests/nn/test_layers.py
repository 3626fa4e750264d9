"""Neuron, Layer, MLP: parameter counts, micrograd compatibility, activations, initializers, seeds."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, dots, gradcheck, no_grad, sum_values
from nn.activations import activation_names, get_activation
from nn.init import he_init, uniform_init, xavier_init

ELEMENTWISE_ACTIVATIONS = activation_names(layer=False)

sizes = st.integers(min_value=1, max_value=6)


@given(nin=sizes, nouts=st.lists(sizes, min_size=1, max_size=4))
def test_mlp_parameter_count_is_sum_of_fan_in_plus_one_times_fan_out(nin, nouts):
    model = nn.MLP(nin, nouts, rng=0)
    layer_sizes = [nin, *nouts]
    expected = sum((layer_sizes[i] + 1) * layer_sizes[i + 1] for i in range(len(nouts)))
    assert len(model.parameters()) == expected
    assert len({id(p) for p in model.parameters()}) == expected


@given(nin=sizes, nouts=st.lists(sizes, min_size=1, max_size=3))
def test_mlp_without_bias_has_only_weights(nin, nouts):
    model = nn.MLP(nin, nouts, bias=False, rng=0)
    layer_sizes = [nin, *nouts]
    assert len(model.parameters()) == sum(layer_sizes[i] * layer_sizes[i + 1] for i in range(len(nouts)))


def test_micrograd_structure_and_defaults():
    model = nn.MLP(2, [16, 16, 1], rng=0)
    assert len(model.layers) == 3
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    neuron = model.layers[1].neurons[3]
    assert len(neuron.w) == 16
    assert isinstance(neuron.b, Value)
    assert neuron.b.data == 0.0
    assert len(model.parameters()) == 337
    out = model([0.3, -0.7])
    assert isinstance(out, Value)  # one output neuron: a single Value, as micrograd
    model.layers[0].neurons[0].w[0].grad = 5.0
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_layer_always_returns_a_list_and_mlp_returns_a_list_for_several_outputs():
    layer = nn.Layer(3, 1, rng=0)
    out = layer([1.0, 2.0, 3.0])
    assert isinstance(out, list)
    assert len(out) == 1
    assert isinstance(nn.MLP(3, [4, 2], rng=0)([1.0, 2.0, 3.0]), list)


def test_forward_matches_formula_by_hand():
    model = nn.MLP(3, [2, 1], activation="tanh", rng=5)
    x = [0.5, -1.5, 2.0]
    hidden = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in model.layers[0].neurons]
    (out_neuron,) = model.layers[1].neurons
    expected = sum(w.data * h for w, h in zip(out_neuron.w, hidden)) + out_neuron.b.data
    assert model(x).data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_neuron_is_one_dot_node_and_float_inputs_are_not_wrapped():
    neuron = nn.Neuron(4, activation="tanh", rng=0)
    out = neuron([1.0, 2.0, 3.0, 4.0])
    assert out.op == "tanh"
    (pre_activation,) = out.parents
    assert pre_activation.op == "dot"
    # Only the parameters are parents: float inputs stay constants, no Values are made for them.
    assert list(pre_activation.parents) == [*neuron.w, neuron.b]
    linear = nn.Neuron(3, activation="linear", rng=0)
    assert linear([1.0, 2.0, 3.0]).op == "dot"


def test_hidden_layer_inputs_that_are_values_are_parents():
    model = nn.MLP(2, [3, 1], rng=0)
    out = model([1.0, 2.0])
    hidden_outputs = [p for p in out.parents if p.op]
    assert len(hidden_outputs) == 3


@pytest.mark.parametrize("name", ELEMENTWISE_ACTIVATIONS)
def test_every_activation_by_name_builds_and_runs(name):
    neuron = nn.Neuron(2, activation=name, rng=3)
    out = neuron([0.4, -0.9])
    pre = sum(w.data * x for w, x in zip(neuron.w, [0.4, -0.9])) + neuron.b.data
    if name == "linear":
        assert out.op == "dot"
        assert out.data == pytest.approx(pre)
    elif name == "relu":  # relu(w . x + b) in one node
        assert out.op == "relu_dot"
        assert out.data == pytest.approx(max(pre, 0.0))
    else:
        assert out.op == name
        assert out.parents[0].op == "dot"
        if name != "rrelu":  # rrelu draws its slope in training mode
            assert out.data == pytest.approx(get_activation(name)(Value(pre)).data)


def test_layer_activation_name_list_covers_the_engine_activations():
    from autograd.ops import OPS

    for name in ELEMENTWISE_ACTIVATIONS:
        assert name == "linear" or name in OPS
    assert "softmax" in activation_names()


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'relux'") as error:
        nn.MLP(2, [3, 1], activation="relux")
    for name in ("relu", "tanh", "gelu_tanh", "softmax"):
        assert repr(name) in str(error.value)
    with pytest.raises(ValueError, match="unknown activation"):
        nn.Neuron(2, activation=3)


def test_softmax_is_a_layer_activation_only():
    with pytest.raises(ValueError, match="whole layer"):
        nn.Neuron(2, activation="softmax")
    with pytest.raises(ValueError, match="whole layer"):
        nn.MLP(2, [3, 2], activation="softmax")
    layer = nn.Layer(3, 4, activation="softmax", rng=0)
    out = layer([1.0, -2.0, 0.5])
    assert all(o.op == "softmax" for o in out)
    assert sum(o.data for o in out) == pytest.approx(1.0)
    logits = [n.b.data + sum(w.data * x for w, x in zip(n.w, [1.0, -2.0, 0.5])) for n in layer.neurons]
    total = sum(math.exp(z) for z in logits)
    assert [o.data for o in out] == pytest.approx([math.exp(z) / total for z in logits])
    model = nn.MLP(3, [4, 3], output_activation="softmax", rng=0)
    assert sum(v.data for v in model([1.0, 2.0, 3.0])) == pytest.approx(1.0)


def test_callable_activation():
    neuron = nn.Neuron(2, activation=lambda v: v.leaky_relu(0.2), rng=0)
    out = neuron([1.0, 1.0])
    assert out.op == "leaky_relu"
    assert "<lambda>" in repr(neuron)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.Neuron(0), "nin must be at least 1"),
        (lambda: nn.Layer(0, 2), "nin must be at least 1"),
        (lambda: nn.Layer(2, 0), "nout must be at least 1"),
        (lambda: nn.MLP(0, [2]), "nin must be at least 1"),
        (lambda: nn.MLP(2, []), "at least one layer"),
        (lambda: nn.MLP(2, [3, 0]), "at least 1"),
        (lambda: nn.MLP(2, 3), "list of layer sizes"),
        (lambda: nn.MLP(2.0, [3]), "positive int"),
        (lambda: nn.MLP(True, [3]), "positive int"),
        (lambda: nn.MLP(2, [3], bias="yes"), "bias must be True or False"),
        (lambda: nn.MLP(2, [3], init="zeros"), "unknown init 'zeros'"),
    ],
)
def test_bad_construction_is_a_clear_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_wrong_input_length_is_a_clear_value_error():
    model = nn.MLP(3, [2, 1], rng=0)
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(ValueError, match="expects 3 inputs, got 4"):
        model.layers[0]([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="expects 3 inputs, got 1"):
        model.layers[0].neurons[0]([1.0])
    with pytest.raises(TypeError, match="needs a sequence of 3"):
        model(None)


def test_single_input_network_takes_a_number():
    model = nn.MLP(1, [3, 1], rng=0)
    assert model(0.5).data == model([0.5]).data


def test_same_seed_same_model_and_global_random_state_untouched():
    random.seed(12345)
    state = random.getstate()
    first = nn.MLP(3, [5, 2], init="he", rng=42)
    second = nn.MLP(3, [5, 2], init="he", rng=random.Random(42))
    assert random.getstate() == state
    assert [p.data for p in first.parameters()] == [p.data for p in second.parameters()]
    third = nn.MLP(3, [5, 2], init="he", rng=43)
    assert [p.data for p in first.parameters()] != [p.data for p in third.parameters()]
    # Without an rng the weights come from the random module, as micrograd's: random.seed repeats them.
    random.seed(5)
    unseeded = [p.data for p in nn.MLP(3, [4], init="he").parameters()]
    assert unseeded == [p.data for p in nn.MLP(3, [4], init="he", rng=random.Random(5)).parameters()]
    assert random.getstate() != state


def test_rng_of_wrong_type_is_rejected():
    with pytest.raises(TypeError, match="rng must be"):
        nn.MLP(2, [2], rng="seed")


def test_uniform_init_matches_micrograd_range_and_bias_is_zero():
    model = nn.MLP(8, [50], init="uniform", rng=1)
    weights = [w.data for n in model.layers[0].neurons for w in n.w]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert min(weights) < -0.9
    assert max(weights) > 0.9
    assert all(n.b.data == 0.0 for n in model.layers[0].neurons)


def test_xavier_and_he_spreads_follow_their_formulas():
    nin, nout = 30, 40
    xavier = [w.data for n in nn.Layer(nin, nout, init="xavier", rng=2).neurons for w in n.w]
    limit = math.sqrt(6.0 / (nin + nout))
    assert max(abs(w) for w in xavier) <= limit
    assert statistics.pvariance(xavier) == pytest.approx(2.0 / (nin + nout), rel=0.1)
    he = [w.data for n in nn.Layer(nin, nout, init="kaiming", rng=2).neurons for w in n.w]
    assert statistics.pvariance(he) == pytest.approx(2.0 / nin, rel=0.1)
    assert abs(statistics.fmean(he)) < 0.05
    assert nn.INITIALIZERS["glorot"] is xavier_init
    assert nn.INITIALIZERS["he"] is he_init
    assert nn.INITIALIZERS["uniform"] is uniform_init


def test_callable_init_receives_rng_and_fans():
    calls = []

    def constant(rng, fan_in, fan_out):
        calls.append((type(rng), fan_in, fan_out))
        return 0.25

    layer = nn.Layer(3, 2, init=constant, rng=0)
    assert all(w.data == 0.25 for n in layer.neurons for w in n.w)
    assert calls == [(random.Random, 3, 2)] * 6


def test_rrelu_reads_training_mode():
    model = nn.MLP(2, [3, 1], activation="rrelu", rng=0)
    for neuron in model.layers[0].neurons:
        for w in neuron.w:
            w.data = -1.0  # every hidden pre-activation negative for positive inputs
    model.eval()
    slopes_eval = [h.data / h.parents[0].data for h in model([1.0, 1.0]).parents if h.op == "rrelu"]
    assert slopes_eval == pytest.approx([(1 / 8 + 1 / 3) / 2] * 3)
    model.train()
    slopes_train = [h.data / h.parents[0].data for h in model([1.0, 1.0]).parents if h.op == "rrelu"]
    assert all(1 / 8 <= s <= 1 / 3 for s in slopes_train)
    assert slopes_train != pytest.approx(slopes_eval)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "gelu", "silu", "softplus", "elu"])
def test_gradcheck_through_layers_inputs_and_parameters(activation):
    model = nn.MLP(3, [4, 2], activation=activation, rng=7)
    inputs = [Value(0.3), Value(-0.8), Value(1.1)]

    def output(*_values):
        first, second = model(inputs)
        return first * second + first

    assert gradcheck(output, [*inputs, *model.parameters()])


def test_repr_is_readable():
    model = nn.MLP(2, [16, 16, 1], rng=0)
    text = repr(model)
    assert text.splitlines()[0] == "MLP(2 -> [16, 16, 1], 337 parameters)"  # the first line closes its bracket
    assert "(layers.0): Layer(2 -> 16, activation='relu')" in text
    assert "(layers.2): Layer(16 -> 1, activation='linear')" in text
    assert repr(nn.Neuron(3, activation="tanh", bias=False, rng=0)) == "Neuron(3, activation='tanh', bias=False)"


def test_micrograd_moons_demo_code_runs_with_only_its_imports_changed():
    """micrograd's demo notebook, at a smaller size, with numpy data and scikit-learn's make_moons.

    Only the two imports differ from the notebook: ``from autograd import Value``
    and ``from nn import MLP``. numpy scalars (int64 labels, float64 inputs)
    must mix with Values as they do in micrograd.
    """
    import numpy as np
    from sklearn.datasets import make_moons

    from autograd import Value
    from nn import MLP

    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=30, noise=0.1, random_state=1337)  # noqa: N806 (the notebook's names)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert "MLP" in str(model)

    def loss(batch_size=None):
        if batch_size is None:
            Xb, yb = X, y  # noqa: N806
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]  # noqa: N806
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    first_loss, first_accuracy = loss()
    for k in range(15):
        total_loss, _acc = loss(batch_size=20 if k % 2 else None)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    final_loss, final_accuracy = loss()
    assert isinstance(final_loss, Value)
    assert final_loss.data < first_loss.data
    assert final_accuracy > first_accuracy  # the micrograd notebook's loop learns
    Xmesh = np.c_[np.array([0.0, 1.0]), np.array([0.5, -0.5])]  # noqa: N806
    scores = list(map(model, [list(map(Value, xrow)) for xrow in Xmesh]))
    assert np.array([s.data > 0 for s in scores]).shape == (2,)


def test_micrograd_nonlin_flag():
    assert nn.Neuron(2, nonlin=False, rng=0)([1.0, 2.0]).op == "dot"
    assert nn.Neuron(2, nonlin=True, rng=0)([1.0, 2.0]).op == "relu_dot"
    assert nn.Layer(2, 3, nonlin=False, rng=0).activation == "linear"
    with pytest.raises(ValueError, match="nonlin must be True or False"):
        nn.Neuron(2, nonlin=1)


@given(
    hidden=st.sampled_from([name for name in ELEMENTWISE_ACTIVATIONS if name != "rrelu"] + ["callable"]),
    output=st.sampled_from(["linear", "tanh", "softmax"]),
    bias=st.booleans(),
    value_inputs=st.booleans(),
    x=st.lists(st.floats(-3.0, 3.0, allow_nan=False), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_inference_under_no_grad_gives_the_recorded_numbers_bit_for_bit(hidden, output, bias, value_inputs, x, seed):
    """Under no_grad an MLP passes plain floats between layers where it can; the outputs must not change at all."""
    from autograd import no_grad

    activation = (lambda v: v.leaky_relu(0.2)) if hidden == "callable" else hidden
    model = nn.MLP(3, [4, 4, 2], activation=activation, output_activation=output, bias=bias, rng=seed)
    inputs = [Value(v) for v in x] if value_inputs else x
    recorded = [v.data for v in model(inputs)]
    with no_grad():
        unrecorded = model(inputs)
    assert [v.data for v in unrecorded] == recorded
    assert all(v.parents == () and v.op == "" for v in unrecorded)


@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.floats(-3.0, 3.0, allow_nan=False), min_size=3, max_size=3),
    st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=2, max_size=2),
)
def test_relu_layers_give_the_numbers_and_grads_of_a_dot_then_a_relu(seed, x, upstream):
    """A relu layer's relu_dot nodes against dots() then .relu() on the same parameters: bit for bit."""
    model = nn.MLP(3, [4, 4, 2], rng=seed)
    fused = model(x)
    sum_values([u * v for u, v in zip(upstream, fused)]).backward()
    fused_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    apart: list = list(x)
    for layer in model.layers:
        rows, biases = [n.w for n in layer.neurons], [n.b for n in layer.neurons]
        apart = dots(rows, apart, biases)
        if layer.activation == "relu":
            apart = [z.relu() for z in apart]
    assert [v.op for v in model.layers[0](x)] == ["relu_dot"] * 4
    assert [v.data for v in fused] == [v.data for v in apart]
    sum_values([u * v for u, v in zip(upstream, apart)]).backward()
    assert fused_grads == [p.grad for p in model.parameters()]


def test_a_layer_sees_every_change_to_its_neurons_weights_and_biases():
    """Layer keeps its rows of weights between calls; each way of changing them must still show at once."""
    layer = nn.Layer(3, 4, activation="tanh", rng=0)
    x = [0.5, -1.0, 2.0]

    def by_hand():
        return [
            math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + (0.0 if n.b is None else n.b.data))
            for n in layer.neurons
        ]

    def check():
        assert [v.data for v in layer(x)] == pytest.approx(by_hand(), rel=1e-12, abs=1e-12)

    check()
    layer.neurons[0].w = [Value(1.0), Value(2.0), Value(3.0)]  # a new list
    check()
    layer.neurons[1].b = Value(-5.0)  # a new bias
    check()
    layer.neurons[1].b = None  # no bias
    check()
    layer.neurons[2].w[0] = Value(7.0)  # in place
    check()
    layer.neurons[3].w[1].data = -4.0  # a weight's number
    check()
    layer.neurons[0], layer.neurons[3] = layer.neurons[3], layer.neurons[0]  # reordered, nothing bound anew
    check()
    layer.neurons.pop()  # fewer neurons
    assert len(layer(x)) == 3
    check()
    layer.neurons.append(nn.Neuron(3, activation="tanh", rng=1))
    check()
    assert len(layer.parameters()) == 4 * 3 + 3  # the kept rows are not more parameters


def test_a_relu_layer_with_another_kind_of_neuron_in_it_applies_each_neurons_own_activation():
    layer = nn.Layer(2, 3, rng=0)  # relu
    x = [0.5, -0.25]
    assert [v.op for v in layer(x)] == ["relu_dot"] * 3
    layer.neurons[1] = nn.Neuron(2, activation="tanh", rng=1)
    out = layer(x)
    assert [v.op for v in out] == ["relu", "tanh", "relu"]  # a relu node each, as relu_dots is all or nothing
    assert [v.data for v in out] == [neuron(x).data for neuron in layer.neurons]
    with no_grad():
        assert [v.data for v in layer(x)] == [v.data for v in out]


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_a_weight_that_is_computed_gets_its_gradient_even_put_in_after_a_call(activation):
    """Layer skips the per-weight leaf check for rows it has checked; a row changed in place is checked again."""
    layer = nn.Layer(3, 2, activation=activation, rng=0)
    x = [0.5, 1.5, -1.0]
    layer(x)  # the rows are checked and kept: every weight a leaf
    tied = Value(0.75)
    layer.neurons[0].w[1] = tied * 2.0  # an interior node as a weight, put in place
    for w in layer.neurons[0].w:
        w.data = abs(w.data)  # the neuron's relu is on: 0.5 w0 + 1.5 w1 - w2 + b with w1 = 1.5
    layer.neurons[0].w[2].data = 0.0
    out = layer(x)[0]
    assert out.data > 0.0
    out.backward()
    assert tied.grad == 2.0 * x[1]


def test_a_deep_copy_keeps_its_own_rows():
    """copy.deepcopy copies the layer's kept rows with it: the copy's forward reads the copy's weights only."""
    import copy

    model = nn.MLP(2, [3, 1], rng=0)
    x = [0.5, -1.5]
    before = model(x).data
    twin = copy.deepcopy(model)
    assert twin(x).data == before
    for p in twin.parameters():
        p.data = p.data * 2.0 + 1.0
    twin.layers[0].neurons[0].w[0] = Value(3.0)
    assert model(x).data == before
    hand = nn.MLP(2, [3, 1], rng=0)
    for p, q in zip(hand.parameters(), twin.parameters()):
        p.data = q.data
    assert twin(x).data == hand(x).data != before

"""Self-describing model files: the architecture beside the weights, nn.load, refusals, old files, optimizer state."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
import nn.serialization
from autograd import Value
from nn.activations import activation_names

ELEMENTWISE_ACTIVATIONS = activation_names(layer=False)

FIXTURES = Path(__file__).parent / "fixtures"

#: Activations whose output is the same in every mode (rrelu draws its slope in training).
STEADY = tuple(name for name in ELEMENTWISE_ACTIVATIONS if name != "rrelu")


def _bits(model: nn.Module) -> list[str]:
    return [p.data.hex() for p in model.parameters()]


def _outputs(model: nn.Module, x: list[float]) -> list[str]:
    out = model(x)
    return [v.data.hex() for v in (out if isinstance(out, list) else [out])]


@st.composite
def mlps(draw, activations=ELEMENTWISE_ACTIVATIONS):
    """A small random MLP: any sizes, hidden and output activations, bias or not, initializer and seed."""
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    hidden = draw(st.sampled_from(activations))
    output = draw(st.sampled_from((*activations, "softmax")))
    bias = draw(st.booleans())
    init = draw(st.sampled_from(sorted(nn.INITIALIZERS)))
    seed = draw(st.integers(0, 2**32))
    return nn.MLP(nin, sizes, activation=hidden, output_activation=output, bias=bias, init=init, rng=seed)


# ---------------------------------------------------------------- the file says what the model is
def test_a_saved_file_states_the_architecture_and_a_version(tmp_path):
    path = tmp_path / "model.json"
    nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", bias=False, init="he", rng=0).save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "glassgrad-state"
    assert document["version"] == 2
    assert document["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "layers": [
            {"nout": 4, "activation": "tanh", "bias": False, "init": "he"},
            {"nout": 1, "activation": "sigmoid", "bias": False, "init": "he"},
        ],
    }
    assert "layers.0.neurons.0.b" not in document["parameters"]


@settings(max_examples=25)
@given(model=mlps(), data=st.data())
def test_nn_load_rebuilds_the_model_from_the_file_alone(tmp_path_factory, model, data):
    path = tmp_path_factory.mktemp("load") / "model.json"
    model.save(path)
    loaded = nn.load(path, rng=0)
    assert type(loaded) is nn.MLP
    assert loaded.architecture() == model.architecture()
    assert loaded.state_dict() == model.state_dict()
    assert _bits(loaded) == _bits(model)
    x = data.draw(st.lists(st.floats(-3, 3), min_size=model.nin, max_size=model.nin))
    model.eval(), loaded.eval()  # rrelu: its evaluation slope, the same in both
    assert _outputs(loaded, x) == _outputs(model, x)


@pytest.mark.parametrize(
    "module",
    [
        nn.Neuron(3, activation="elu", bias=False, init="xavier", rng=1),
        nn.Neuron(1, activation="linear", rng=2),
        nn.Layer(2, 3, activation="softmax", init="he", rng=3),
        nn.Layer(4, 1, activation="mish", bias=False, rng=4),
    ],
    ids=repr,
)
def test_neurons_and_layers_describe_themselves_too(tmp_path, module):
    path = tmp_path / "module.json"
    module.save(path)
    loaded = nn.load(path, rng=0)
    assert type(loaded) is type(module)
    assert loaded.architecture() == module.architecture()
    assert _bits(loaded) == _bits(module)
    x = [0.5, -1.5, 2.0, 0.25][: module.nin]
    assert _outputs(loaded, x) == _outputs(module, x)


def test_a_model_changed_by_hand_is_described_and_rebuilt_as_it_is(tmp_path):
    model = nn.MLP(3, [4, 4, 2], activation="tanh", rng=0)
    model.layers[1] = nn.Layer(4, 4, activation="softmax", bias=False, init="he", rng=1)
    layers = model.architecture()["layers"]
    assert [(spec["activation"], spec["bias"]) for spec in layers] == [
        ("tanh", True),
        ("softmax", False),
        ("linear", True),
    ]
    model.save(tmp_path / "model.json")
    loaded = nn.load(tmp_path / "model.json", rng=5)
    assert loaded.architecture() == model.architecture()
    assert _outputs(loaded, [0.1, 0.2, -0.3]) == _outputs(model, [0.1, 0.2, -0.3])


def test_a_callable_initializer_is_recorded_by_name_and_the_file_still_rebuilds(tmp_path):
    def small_init(rng: random.Random, fan_in: int, fan_out: int) -> float:
        return rng.uniform(-0.1, 0.1)

    model = nn.MLP(2, [3, 1], init=small_init, rng=0)
    assert model.architecture()["layers"][0]["init"] == "small_init"
    model.save(tmp_path / "model.json")
    loaded = nn.load(tmp_path / "model.json", rng=0)
    assert loaded.architecture() == model.architecture()
    assert _bits(loaded) == _bits(model)


def test_what_cannot_describe_itself_saves_weights_only_and_nn_load_says_why(tmp_path):
    class Scaled(nn.Module):
        def __init__(self) -> None:
            self.w = [Value(0.5), Value(-1.0)]

    custom = nn.MLP(2, [2, 1], rng=0)
    custom.layers[0] = nn.Layer(2, 2, activation=lambda v: v.leaky_relu(0.2), rng=0)
    for module, name in (
        (Scaled(), "Scaled"),
        (nn.Neuron(2, activation=lambda v: v * 2, rng=0), "Neuron"),
        (custom, "MLP"),
    ):
        assert module.architecture() is None
        path = tmp_path / f"{name}.json"
        module.save(path)
        assert "architecture" not in json.loads(path.read_text())
        with pytest.raises(ValueError, match=rf"no architecture .*saved from a '{name}' that cannot describe itself"):
            nn.load(path)
    target = Scaled()
    target.w[0].data = 7.0
    assert target.load(tmp_path / "Scaled.json").w[0].data == 0.5  # weights alone still load into a built model


# ---------------------------------------------------------------- model.load refuses another architecture
def _snapshot(model: nn.Module) -> list[str]:
    return _bits(model)


def test_relu_weights_do_not_load_into_a_tanh_model(tmp_path):
    path = tmp_path / "relu.json"
    nn.MLP(2, [3, 1], activation="relu", rng=0).save(path)
    target = nn.MLP(2, [3, 1], activation="tanh", rng=1)
    before = _snapshot(target)
    with pytest.raises(ValueError) as caught:
        target.load(path)
    message = str(caught.value)
    assert "relu.json" in message
    assert "MLP(2 -> 3 relu -> 1 linear)" in message  # the file's
    assert "MLP(2 -> 3 tanh -> 1 linear)" in message  # the model's
    assert "layers.0.activation: file 'relu', model 'tanh'" in message
    assert "nothing was changed" in message
    assert _snapshot(target) == before


CHANGES = {
    "hidden activation": {"activation": "sigmoid"},
    "output activation": {"output_activation": "softmax"},
    "bias": {"bias": False},
    "input size": {"nin": 3},
    "layer size": {"nouts": [4, 2]},
    "layer count": {"nouts": [3, 3, 2]},
}


@settings(max_examples=10)
@given(change=st.sampled_from(sorted(CHANGES)), seed=st.integers(0, 2**32))
def test_any_difference_in_architecture_is_refused_and_changes_nothing(tmp_path_factory, change, seed):
    base = {"nin": 2, "nouts": [3, 2], "activation": "tanh", "output_activation": "linear", "bias": True}
    path = tmp_path_factory.mktemp("refuse") / "model.json"
    nn.MLP(**base, rng=seed).save(path)
    arguments = {**base, **CHANGES[change]}
    target = nn.MLP(**arguments, rng=seed + 1)
    before = _snapshot(target)
    with pytest.raises(ValueError, match=r"the file holds MLP\(2 -> 3 tanh -> 2 linear\), but this model is MLP"):
        target.load(path)
    assert _snapshot(target) == before


def test_the_initializer_is_a_record_not_a_difference(tmp_path):
    path = tmp_path / "he.json"
    source = nn.MLP(2, [3, 1], init="he", rng=0)
    source.save(path)
    target = nn.MLP(2, [3, 1], init="uniform", rng=1).load(path)
    assert _bits(target) == _bits(source)


def test_strict_false_does_not_compare_architectures(tmp_path):
    path = tmp_path / "relu.json"
    source = nn.MLP(2, [3, 1], activation="relu", rng=0)
    source.save(path)
    target = nn.MLP(2, [3, 1], activation="tanh", rng=1).load(path, strict=False)
    assert _bits(target) == _bits(source)


def test_a_layer_file_does_not_load_into_a_neuron(tmp_path):
    path = tmp_path / "layer.json"
    nn.Layer(2, 1, activation="tanh", rng=0).save(path)
    with pytest.raises(
        ValueError, match=r"the file holds Layer\(2 -> 1 tanh\), but this model is Neuron\(2 -> 1 tanh\)"
    ):
        nn.Neuron(2, activation="tanh", rng=0).load(path)


# ---------------------------------------------------------------- bad architectures in a file
def _document(model: nn.Module) -> dict:
    return {
        "format": "glassgrad-state",
        "version": 2,
        "module": type(model).__name__,
        "architecture": model.architecture(),
        "parameters": model.state_dict(),
    }


def _with_architecture(change) -> dict:
    document = _document(nn.MLP(2, [2, 1], rng=0))
    change(document["architecture"])
    return document


BAD_ARCHITECTURES = {
    "unknown type": lambda a: a.__setitem__("type", "Transformer"),
    "no type": lambda a: a.pop("type"),
    "nin zero": lambda a: a.__setitem__("nin", 0),
    "nin a bool": lambda a: a.__setitem__("nin", True),
    "nin a string": lambda a: a.__setitem__("nin", "2"),
    "no layers": lambda a: a.__setitem__("layers", []),
    "layers not a list": lambda a: a.__setitem__("layers", {"nout": 2}),
    "layer not an object": lambda a: a["layers"].__setitem__(0, 2),
    "unknown activation": lambda a: a["layers"][0].__setitem__("activation", "swish"),
    "activation not a name": lambda a: a["layers"][0].__setitem__("activation", ["relu"]),
    "bias not a bool": lambda a: a["layers"][0].__setitem__("bias", 1),
    "init not a name": lambda a: a["layers"][0].__setitem__("init", None),
    "nout negative": lambda a: a["layers"][1].__setitem__("nout", -1),
    "extra layer key": lambda a: a["layers"][0].__setitem__("dropout", 0.5),
    "missing layer key": lambda a: a["layers"][0].pop("bias"),
    "extra key": lambda a: a.__setitem__("code", "import os"),
}


@pytest.mark.parametrize("kind", sorted(BAD_ARCHITECTURES))
def test_a_bad_architecture_is_a_value_error_naming_the_file(tmp_path, kind):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_with_architecture(BAD_ARCHITECTURES[kind])))
    target = nn.MLP(2, [2, 1], rng=5)
    before = _snapshot(target)
    with pytest.raises(ValueError, match=r"bad\.json"):
        target.load(path)
    with pytest.raises(ValueError, match=r"bad\.json"):
        nn.load(path)
    assert _snapshot(target) == before


def test_the_bad_architectures_start_from_a_file_that_loads(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(_with_architecture(lambda a: None)))
    assert _snapshot(nn.load(path)) == _snapshot(nn.MLP(2, [2, 1], rng=0))


def test_module_name_and_architecture_must_agree(tmp_path):
    document = _document(nn.MLP(2, [2, 1], rng=0))
    document["module"] = "Layer"
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"'module' is 'Layer' but the architecture's type is 'MLP'"):
        nn.load(tmp_path / "bad.json")


def test_a_version_1_file_may_not_carry_an_architecture(tmp_path):
    document = _document(nn.MLP(2, [2, 1], rng=0))
    document["version"] = 1
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match="unexpected top-level keys: 'architecture'"):
        nn.MLP(2, [2, 1], rng=0).load(tmp_path / "bad.json")


def test_parameters_that_do_not_fit_the_architecture_are_refused_by_nn_load(tmp_path):
    document = _document(nn.MLP(2, [2, 1], rng=0))
    document["architecture"]["layers"][0]["nout"] = 3
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(
        ValueError, match=r"bad\.json.*MLP\(2 -> 3 relu -> 1 linear\) has 13 parameters, the file holds 9"
    ):
        nn.load(tmp_path / "bad.json")
    document["architecture"]["layers"][0]["nout"] = 2
    document["parameters"]["layers.0.neurons.7.w"] = document["parameters"].pop("layers.0.neurons.1.w")
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(
        ValueError, match=r"missing keys: 'layers\.0\.neurons\.1\.w'; unexpected keys: 'layers\.0\.neurons\.7\.w'"
    ):
        nn.load(tmp_path / "bad.json")


# ---------------------------------------------------------------- files of format version 1 stay loadable
def test_the_version_1_fixture_loads_into_the_model_it_came_from():
    """tests/nn/fixtures/mlp_v1.json was written by glassgrad 0.1.0's save() (format version 1)."""
    path = FIXTURES / "mlp_v1.json"
    document = json.loads(path.read_text())
    assert document["version"] == 1 and "architecture" not in document
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", rng=123).load(path)
    assert model.state_dict() == document["parameters"]
    assert any(p.data != 0.0 for p in model.layers[1].neurons[1].parameters())


def test_the_version_1_fixture_is_still_checked_by_its_keys():
    with pytest.raises(ValueError, match="missing keys"):
        nn.MLP(3, [4, 4, 2], rng=0).load(FIXTURES / "mlp_v1.json")


def test_nn_load_of_a_version_1_file_says_to_build_the_model():
    with pytest.raises(ValueError, match=r"no architecture .*version 1 files do not record it.*model\.load\(path\)"):
        nn.load(FIXTURES / "mlp_v1.json")


def test_a_version_1_file_saved_again_becomes_version_2(tmp_path):
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", rng=0).load(FIXTURES / "mlp_v1.json")
    model.save(tmp_path / "again.json")
    assert _bits(nn.load(tmp_path / "again.json")) == _bits(model)


# ---------------------------------------------------------------- optimizer state: resume exactly
def _batches(nin: int, nout: int, seed: int, count: int) -> list[tuple[list[float], list[float]]]:
    rng = random.Random(seed)
    return [([rng.uniform(-2, 2) for _ in range(nin)], [rng.uniform(-1, 1) for _ in range(nout)]) for _ in range(count)]


def _train(model: nn.MLP, optimizer: nn.Optimizer, batches) -> None:
    for x, target in batches:
        out = model(x)
        outputs = out if isinstance(out, list) else [out]
        loss = sum((o - t) ** 2 for o, t in zip(outputs, target))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


OPTIMIZERS = {
    "sgd": lambda params: nn.SGD(params, lr=0.05),
    "sgd momentum": lambda params: nn.SGD(params, lr=0.05, momentum=0.9),
    "sgd momentum and decay": lambda params: nn.SGD(params, lr=0.05, momentum=0.5, weight_decay=0.01),
    "adam": lambda params: nn.Adam(params, lr=0.01),
    "adam with decay": lambda params: nn.Adam(params, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01),
}


@settings(max_examples=15)
@given(model=mlps(STEADY), kind=st.sampled_from(sorted(OPTIMIZERS)), seed=st.integers(0, 2**16))
def test_ten_steps_save_load_ten_steps_is_twenty_steps_bit_for_bit(tmp_path_factory, model, kind, seed):
    folder = tmp_path_factory.mktemp("resume")
    nout = model.layers[-1].nout
    batches = _batches(model.nin, nout, seed, 20)
    model.save(folder / "start.json")  # the same starting weights for both runs

    straight = nn.load(folder / "start.json")
    _train(straight, OPTIMIZERS[kind](straight.parameters()), batches)

    first = nn.load(folder / "start.json")
    optimizer = OPTIMIZERS[kind](first.parameters())
    _train(first, optimizer, batches[:10])
    first.save(folder / "model.json")
    optimizer.save(folder / "optimizer.json")
    del first, optimizer

    resumed = nn.load(folder / "model.json")
    fresh = OPTIMIZERS[kind](resumed.parameters())
    fresh.lr = 0.5  # overwritten by the file: the state carries the settings
    fresh.load(folder / "optimizer.json")
    _train(resumed, fresh, batches[10:])
    assert _bits(resumed) == _bits(straight)


def test_the_optimizer_file_holds_every_buffer(tmp_path):
    model = nn.MLP(2, [2, 1], rng=0)
    adam = nn.Adam(model.parameters(), lr=0.01)
    _train(model, adam, _batches(2, 1, 0, 3))
    adam.save(tmp_path / "adam.json")
    document = json.loads((tmp_path / "adam.json").read_text())
    assert document["format"] == "glassgrad-optimizer" and document["version"] == 1
    state = document["state"]
    assert state["type"] == "Adam" and state["parameters"] == 9 and state["steps_taken"] == 3
    assert state["first_moments"] == adam.first_moments and state["second_moments"] == adam.second_moments
    assert state["betas"] == [0.9, 0.999] and state["lr"] == 0.01 and state["eps"] == 1e-8


def test_state_dict_lists_are_copies():
    sgd = nn.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    state = sgd.state_dict()
    state["velocities"][0] = 5.0
    assert sgd.velocities == [0.0]


def _adam_state() -> dict:
    model = nn.MLP(2, [2, 1], rng=0)
    adam = nn.Adam(model.parameters(), lr=0.01)
    _train(model, adam, _batches(2, 1, 0, 2))
    return adam.state_dict()


BAD_STATES = {
    "another optimizer": lambda s: s.__setitem__("type", "SGD"),
    "parameter count": lambda s: s.__setitem__("parameters", 10),
    "short buffer": lambda s: s["first_moments"].pop(),
    "nan moment": lambda s: s["second_moments"].__setitem__(0, math.nan),
    "string moment": lambda s: s["first_moments"].__setitem__(0, "0.1"),
    "bool moment": lambda s: s["first_moments"].__setitem__(0, True),
    "negative steps": lambda s: s.__setitem__("steps_taken", -1),
    "steps a float": lambda s: s.__setitem__("steps_taken", 2.0),
    "bad lr": lambda s: s.__setitem__("lr", -1.0),
    "bad beta": lambda s: s.__setitem__("betas", [0.9, 1.0]),
    "betas not a pair": lambda s: s.__setitem__("betas", 0.9),
    "missing key": lambda s: s.pop("eps"),
    "unexpected key": lambda s: s.__setitem__("momentum", 0.9),
}


@pytest.mark.parametrize("kind", sorted(BAD_STATES))
def test_a_bad_optimizer_state_is_refused_and_changes_nothing(kind):
    state = _adam_state()
    BAD_STATES[kind](state)
    model = nn.MLP(2, [2, 1], rng=0)
    adam = nn.Adam(model.parameters(), lr=0.03)
    before = adam.state_dict()
    with pytest.raises(ValueError, match=r"Adam\.load_state_dict\(\) failed, nothing was changed"):
        adam.load_state_dict(state)
    assert adam.state_dict() == before


def test_the_bad_states_start_from_one_that_loads():
    state = _adam_state()
    adam = nn.Adam(nn.MLP(2, [2, 1], rng=0).parameters()).load_state_dict(state)
    assert adam.state_dict() == state


def test_a_bad_optimizer_file_names_the_file(tmp_path):
    path = tmp_path / "optimizer.json"
    nn.SGD([Value(1.0)], lr=0.1).save(path)
    adam = nn.Adam([Value(1.0)])
    with pytest.raises(ValueError, match=r"(?s)optimizer\.json.*of type 'SGD', this optimizer is Adam"):
        adam.load(path)
    model_file = tmp_path / "model.json"
    nn.Neuron(1, rng=0).save(model_file)
    with pytest.raises(ValueError, match=r"model\.json.*not a glassgrad optimizer file"):
        adam.load(model_file)


def test_an_optimizer_with_non_finite_state_is_not_saved(tmp_path):
    sgd = nn.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    sgd.velocities[0] = math.inf
    with pytest.raises(ValueError, match=r"velocities\[0\] = inf: it is not finite"):
        sgd.save(tmp_path / "optimizer.json")
    assert list(tmp_path.iterdir()) == []

"""Module: parameter discovery, train/eval, repr, state dicts, and safe save/load."""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import nn.module
import nn.serialization
from autograd import Value
from nn import Module


class Affine(Module):
    def __init__(self) -> None:
        self.w = [Value(0.5), Value(-1.0)]
        self.b = Value(0.25)
        self.scale = 3.0  # a plain number is not a parameter
        self.name = "affine"


class Nested(Module):
    def __init__(self) -> None:
        self.first = Affine()
        self.blocks = [Affine(), (Affine(), Value(7.0))]
        self.by_name = {"head": Affine()}
        self.loose = [[Value(1.0), Value(2.0)], [Value(3.0)]]


def test_parameters_are_found_with_dotted_names_in_attribute_order():
    names = [name for name, _ in Nested().named_parameters()]
    assert names == [
        "first.w.0",
        "first.w.1",
        "first.b",
        "blocks.0.w.0",
        "blocks.0.w.1",
        "blocks.0.b",
        "blocks.1.0.w.0",
        "blocks.1.0.w.1",
        "blocks.1.0.b",
        "blocks.1.1",
        "by_name.head.w.0",
        "by_name.head.w.1",
        "by_name.head.b",
        "loose.0.0",
        "loose.0.1",
        "loose.1.0",
    ]


def test_parameters_and_named_parameters_agree():
    class Tied(Module):
        def __init__(self) -> None:
            self.inner = Nested()
            self.again = self.inner.blocks[0]
            self.mixed = [Value(1.0), Affine(), self.inner.first.b, {"k": [Value(2.0)]}]

    for model in (Nested(), Tied(), nn.MLP(3, [4, 2], rng=0), Affine()):
        assert model.parameters() == [p for _, p in model.named_parameters()]


def test_mlp_names_follow_the_pytorch_shape():
    model = nn.MLP(2, [4, 1], rng=0)
    named = dict(model.named_parameters())
    assert named["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].w[1]
    assert named["layers.1.neurons.0.b"] is model.layers[1].neurons[0].b
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_shared_value_and_shared_module_listed_once():
    class Tied(Module):
        def __init__(self) -> None:
            self.encoder = Affine()
            self.decoder = self.encoder  # the same module twice
            self.extra = [self.encoder.b, Value(9.0)]  # a Value already listed

    tied = Tied()
    names = [name for name, _ in tied.named_parameters()]
    assert names == ["encoder.w.0", "encoder.w.1", "encoder.b", "extra.1"]
    assert len(tied.parameters()) == 4


def test_module_that_refers_to_itself_does_not_loop():
    class Loop(Module):
        def __init__(self) -> None:
            self.me = self
            self.child = Affine()
            self.child.parent = self

    assert len(Loop().parameters()) == 3


def test_list_that_contains_itself_does_not_loop():
    class Odd(Module):
        def __init__(self) -> None:
            self.items = [Value(1.0), Affine()]
            self.items.append(self.items)
            self.table = {"self": None, "v": Value(2.0)}
            self.table["self"] = self.table

    odd = Odd()
    names = [name for name, _ in odd.named_parameters()]
    assert names == ["items.0", "items.1.w.0", "items.1.w.1", "items.1.b", "table.v"]
    assert odd.parameters() == [p for _, p in odd.named_parameters()]


def test_zero_grad_resets_every_parameter():
    model = nn.MLP(3, [4, 2], rng=0)
    loss = sum(o * o for o in model([1.0, 2.0, 3.0]))
    loss.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_train_and_eval_reach_every_submodule():
    model = nn.MLP(2, [3, 3, 1], rng=0)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.layers[1].train(False)
    assert [layer.training for layer in model.layers] == [True, False, True]
    assert not model.layers[1].neurons[2].training
    with pytest.raises(TypeError, match="must be a bool"):
        model.train("no")


def test_generic_repr_lists_children():
    text = repr(Nested())
    assert text.startswith("Nested()\n")
    assert "  (first): Affine()" in text
    assert "  (blocks.1.0): Affine()" in text
    assert "  (by_name.head): Affine()" in text
    assert repr(Affine()) == "Affine()"


# ---------------------------------------------------------------- state dicts
def test_state_dict_groups_lists_of_values():
    assert Affine().state_dict() == {"w": [0.5, -1.0], "b": 0.25}
    state = nn.MLP(2, [3, 1], rng=0).state_dict()
    assert list(state)[:2] == ["layers.0.neurons.0.w", "layers.0.neurons.0.b"]
    assert len(state["layers.1.neurons.0.w"]) == 3


def test_load_state_dict_round_trip_into_a_fresh_model():
    source = nn.MLP(3, [4, 2], rng=1)
    target = nn.MLP(3, [4, 2], rng=2)
    result = target.load_state_dict(source.state_dict())
    assert result == nn.LoadResult([], [])
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]


def _snapshot(model: Module) -> list[float]:
    return [p.data for p in model.parameters()]


def test_load_state_dict_reports_missing_unexpected_and_shape_problems_and_changes_nothing():
    model = nn.MLP(2, [2, 1], rng=0)
    before = _snapshot(model)
    state = {name: value for name, value in model.state_dict().items() if name != "layers.0.neurons.1.b"}
    state = {name: (value if isinstance(value, float) else [v + 1.0 for v in value]) for name, value in state.items()}
    state["layers.9.neurons.0.b"] = 1.0
    state["layers.1.neurons.0.w"] = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "missing keys: 'layers.0.neurons.1.b'" in message
    assert "unexpected keys: 'layers.9.neurons.0.b'" in message
    assert "layers.1.neurons.0.w: expected 2 numbers, got 3" in message
    assert "nothing was changed" in message
    assert _snapshot(model) == before


def test_load_state_dict_non_strict_skips_missing_and_unexpected_but_not_bad_shapes():
    model = Affine()
    result = model.load_state_dict({"b": 2.0, "other": 1.0}, strict=False)
    assert result.missing_keys == ["w"]
    assert result.unexpected_keys == ["other"]
    assert model.b.data == 2.0
    assert [w.data for w in model.w] == [0.5, -1.0]
    with pytest.raises(ValueError, match="expected a list of 2 numbers"):
        model.load_state_dict({"w": 1.0}, strict=False)


@pytest.mark.parametrize(
    ("entry", "value", "message"),
    [
        ("w", [1.0, "2.0"], r"w\[1\]: expected a number, got str"),
        ("w", [1.0, True], r"w\[1\]: expected a number, got bool"),
        ("w", [1.0, math.nan], r"w\[1\]: expected a finite number, got nan"),
        ("w", [math.inf, 1.0], r"w\[0\]: expected a finite number, got inf"),
        ("w", [1.0, 10**400], r"w\[1\]: expected a finite number"),
        ("w", [1.0], "w: expected 2 numbers, got 1"),
        ("w", {"0": 1.0}, "w: expected a list of 2 numbers, got dict"),
        ("b", [1.0], "b: expected one number, got list"),
        ("b", None, "b: expected a number, got NoneType"),
    ],
)
def test_load_state_dict_rejects_bad_values_without_changing_anything(entry, value, message):
    model = Affine()
    state = model.state_dict()
    state[entry] = value
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == Affine().state_dict()


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(ValueError, match="needs a mapping"):
        Affine().load_state_dict([("w", [1.0, 2.0])])


# ---------------------------------------------------------------- save and load
@given(seed=st.integers(0, 2**32), x=st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_save_then_load_gives_the_same_outputs_bit_for_bit(tmp_path_factory, seed, x):
    path = tmp_path_factory.mktemp("save") / "model.json"
    source = nn.MLP(3, [5, 2], activation="tanh", init="xavier", rng=seed)
    source.save(path)
    loaded = nn.MLP(3, [5, 2], activation="tanh", rng=seed + 1).load(path)
    assert [p.data.hex() for p in loaded.parameters()] == [p.data.hex() for p in source.parameters()]
    assert [o.data.hex() for o in loaded(x)] == [o.data.hex() for o in source(x)]


def test_saved_file_is_versioned_json(tmp_path):
    path = tmp_path / "affine.json"
    Affine().save(str(path))
    document = json.loads(path.read_text())
    assert document == {
        "format": "glassgrad-state",
        "version": nn.serialization.FILE_VERSION,
        "module": "Affine",
        "parameters": {"w": [0.5, -1.0], "b": 0.25},
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, r"parameter w\[1\] = nan: it is not finite"),
        (-math.inf, r"parameter w\[1\] = -inf: it is not finite"),
        (True, r"parameter w\[1\] = True: it is a bool"),
        ("0.5", r"parameter w\[1\] = '0\.5': it is not a number"),
    ],
)
def test_save_refuses_what_load_would_refuse_and_writes_nothing(tmp_path, value, message):
    """A bool weight would be written as JSON true, which load refuses: save refuses it first, naming it."""
    model = Affine()
    model.w[1].data = value
    with pytest.raises(ValueError, match=message):
        model.save(tmp_path / "bad.json")
    assert list(tmp_path.iterdir()) == []
    model.w[1].data = 2.0  # the same model with a number there saves, and what it saved loads
    model.save(tmp_path / "good.json")
    assert Affine().load(tmp_path / "good.json").state_dict() == {"w": [0.5, 2.0], "b": 0.25}


def test_save_writes_any_real_number_as_the_float_load_reads_back(tmp_path):
    import numpy as np

    model = Affine()
    model.w[0].data, model.b.data = np.float32(0.5), 3  # numbers from numpy or ints, as a user may set them
    model.save(tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["parameters"] == {"w": [0.5, -1.0], "b": 3.0}
    assert Affine().load(tmp_path / "m.json").state_dict() == {"w": [0.5, -1.0], "b": 3.0}


def _good_document(model: Module) -> dict:
    return {"format": "glassgrad-state", "version": 1, "module": "MLP", "parameters": model.state_dict()}


def _corruptions(model: Module) -> dict[str, str | bytes]:
    """Bad files, each made from a good one."""
    good = json.dumps(_good_document(model))
    state = model.state_dict()
    first_w, first_b = "layers.0.neurons.0.w", "layers.0.neurons.0.b"

    def with_parameters(change) -> str:
        document = _good_document(model)
        change(document["parameters"])
        return json.dumps(document)

    def with_document(change) -> str:
        document = _good_document(model)
        change(document)
        return json.dumps(document)

    return {
        "not json": "this is not json",
        "empty": "",
        "truncated": good[: len(good) // 2],
        "binary garbage": b"\xff\xfe\x00\x81",
        "json list": "[1, 2, 3]",
        "missing key": with_parameters(lambda p: p.pop(first_b)),
        "extra key": with_parameters(lambda p: p.update({"layers.7.neurons.0.b": 0.5})),
        "wrong count": with_parameters(lambda p: p[first_w].append(0.5)),
        "too few": with_parameters(lambda p: p[first_w].pop()),
        "NaN": good.replace(repr(state[first_w][0]), "NaN", 1),
        "Infinity": good.replace(repr(state[first_w][0]), "-Infinity", 1),
        "huge number": good.replace(repr(state[first_w][0]), "1e400", 1),
        "string for a number": with_parameters(lambda p: p[first_w].__setitem__(0, "0.5")),
        "bool for a number": with_parameters(lambda p: p.__setitem__(first_b, False)),
        "null for a number": with_parameters(lambda p: p.__setitem__(first_b, None)),
        "list for a number": with_parameters(lambda p: p.__setitem__(first_b, [0.5])),
        "no parameters": with_document(lambda d: d.pop("parameters")),
        "parameters not an object": with_document(lambda d: d.__setitem__("parameters", [0.5])),
        "wrong format": with_document(lambda d: d.__setitem__("format", "pickle")),
        "no format": with_document(lambda d: d.pop("format")),
        "newer version": with_document(lambda d: d.__setitem__("version", 99)),
        "version as string": with_document(lambda d: d.__setitem__("version", "1")),
        "unknown top-level key": with_document(lambda d: d.__setitem__("code", "import os")),
        "module not a name": with_document(lambda d: d.__setitem__("module", ["MLP"])),
    }


@pytest.mark.parametrize("kind", list(_corruptions(nn.MLP(2, [2, 1], rng=0))))
def test_every_bad_file_is_a_value_error_and_the_model_is_unchanged(tmp_path, kind):
    model = nn.MLP(2, [2, 1], rng=0)
    content = _corruptions(model)[kind]
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    target = nn.MLP(2, [2, 1], rng=5)
    before = _snapshot(target)
    with pytest.raises(ValueError, match=r"bad\.json"):
        target.load(path)
    assert _snapshot(target) == before


def test_corruptions_start_from_a_file_that_loads(tmp_path):
    """The bad files above are one change away from this good one, so each test fails for its one reason."""
    model = nn.MLP(2, [2, 1], rng=0)
    path = tmp_path / "good.json"
    path.write_text(json.dumps(_good_document(model)))
    target = nn.MLP(2, [2, 1], rng=5)
    target.load(path)
    assert _snapshot(target) == _snapshot(model)


def test_load_of_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        Affine().load(tmp_path / "nope.json")


def test_load_non_strict_fills_what_matches(tmp_path):
    small = nn.MLP(2, [2], rng=0)
    path = tmp_path / "small.json"
    small.save(path)
    bigger = nn.MLP(2, [2, 1], rng=3)
    with pytest.raises(ValueError, match=r"the file holds MLP\(2 -> 2 linear\)"):
        bigger.load(path)
    bigger.load(path, strict=False)
    assert [p.data for p in bigger.layers[0].parameters()] == _snapshot(small)


# ---------------------------------------------------------------- atomic save
def test_save_replaces_the_file_in_one_step_and_keeps_its_permissions(tmp_path, monkeypatch):
    replaced = []
    real_replace = os.replace

    def watching_replace(source, destination):
        replaced.append((os.path.dirname(source), os.path.basename(source), destination))
        with open(source) as file:
            assert json.load(file)["parameters"] == Affine().state_dict()  # whole before it takes the name
        real_replace(source, destination)

    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o600)
    monkeypatch.setattr(os, "replace", watching_replace)
    Affine().save(path)
    ((folder, name, destination),) = replaced
    assert folder == str(tmp_path)
    assert name != "model.json"
    assert destination == str(path)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_dict_of_parameters_with_a_key_that_is_not_a_str_is_a_type_error():
    """Such parameters could be neither named nor saved: an error, not parameters silently never trained."""

    class Keyed(Module):
        def __init__(self):
            self.by_number = {3: Value(1.0)}

    with pytest.raises(TypeError, match=r"by_number.*not a str \(3\)"):
        Keyed().parameters()


# ---------------------------------------------------------------- modules that describe and rebuild themselves
def test_a_buildable_module_of_ones_own_saves_and_nn_load_rebuilds_it(tmp_path):
    class Scale(Module, buildable=True):
        """y = a * x, one weight per input."""

        def __init__(self, size: int, rng=None) -> None:
            self.a = [Value(1.0) for _ in range(size)]

        def __call__(self, x):
            return [a * xi for a, xi in zip(self.a, x)]

        def describe(self):
            return {"size": len(self.a)}

        @classmethod
        def check_description(cls, description):
            if set(description) != {"size"} or not isinstance(description["size"], int) or description["size"] < 1:
                raise ValueError(f"Scale architecture: expected {{'size': a positive int}}, got {description!r:.60}")

        @classmethod
        def count_parameters(cls, description):
            return description["size"]

        @classmethod
        def parameter_shapes(cls, description):
            yield "a", description["size"]

        @classmethod
        def from_description(cls, description, rng=None):
            return cls(description["size"])

    model = Scale(3)
    model.a[1].data = -2.0
    model.save(tmp_path / "scale.json")
    loaded = nn.load(tmp_path / "scale.json")
    assert type(loaded) is Scale and loaded.state_dict() == {"a": [1.0, -2.0, 1.0]}
    assert nn.module.architecture_text(model.architecture()) == "Scale(size=3)"
    document = json.loads((tmp_path / "scale.json").read_text())
    document["architecture"]["size"] = 10**9  # three numbers in the file: refused from the count, nothing built
    (tmp_path / "scale.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"Scale\(size=1000000000\) has 1,000,000,000 parameters, the file holds 3"):
        nn.load(tmp_path / "scale.json")


def test_a_class_declared_buildable_must_say_how():
    with pytest.raises(TypeError, match=r"Half is declared buildable but does not define .*from_description"):

        class Half(Module, buildable=True):
            def describe(self):
                return {}


def test_a_subclass_of_a_buildable_class_cannot_describe_itself_and_a_file_names_only_buildable_classes(tmp_path):
    class Wider(nn.MLP):
        pass

    assert Wider(2, [1], rng=0).architecture() is None
    for kind in ("Module", "Wider", "Optimizer", "LoadResult"):
        document = {
            "format": "glassgrad-state",
            "version": 2,
            "module": kind,
            "architecture": {"type": kind},
            "parameters": {},
        }
        (tmp_path / "m.json").write_text(json.dumps(document))
        with pytest.raises(ValueError, match=rf"architecture type must be one of 'Layer', 'MLP', 'Neuron'.*'{kind}'"):
            nn.load(tmp_path / "m.json")
    assert {"Layer", "MLP", "Neuron"} <= set(nn.module.buildable_types())

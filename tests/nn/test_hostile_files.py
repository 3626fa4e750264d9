"""Model and optimizer files made to hurt: every one is a clear error, checked whole before anything is built.

- a small file that declares a huge model is refused from its own numbers (nothing is drawn): the loads run in a
  child process with a memory and CPU limit, so an attempt to build would end in MemoryError or a kill, not the
  ValueError asked for;
- a path that is not a regular file (``/dev/zero``, a FIFO, a folder) is refused before a byte is read, and a file
  past the size limit is refused with a message that says how to raise it;
- every message quotes at most about 100 characters of what the file holds, however large it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nn
from autograd.files import FileRefusedError

ROOT = Path(__file__).resolve().parents[2]

#: A message about a hostile file: short, whatever the file held.
SHORT = 600


def _document(architecture: dict, parameters: dict) -> dict:
    return {
        "format": "glassgrad-state",
        "version": 2,
        "module": architecture["type"],
        "architecture": architecture,
        "parameters": parameters,
    }


LAYER = {"activation": "relu", "bias": True, "init": "uniform"}
HUGE = {
    "a neuron of a billion inputs": _document({"type": "Neuron", "nin": 10**9, **LAYER}, {"w": [0.1, 0.2], "b": 0.0}),
    "a layer of 10**9 inputs and 10**12 neurons": _document(
        {"type": "Layer", "nin": 10**9, "nout": 10**12, **LAYER}, {"neurons.0.w": [0.1], "neurons.0.b": 0.0}
    ),
    "an MLP of 3000 layers of 3000": _document(
        {"type": "MLP", "nin": 3000, "layers": [{"nout": 3000, **LAYER}] * 3000}, {"layers.0.neurons.0.b": 0.0}
    ),
    "an MLP of a billion inputs": _document(
        {"type": "MLP", "nin": 10**9, "layers": [{"nout": 1, **LAYER}]},
        {"layers.0.neurons.0.w": [0.5], "layers.0.neurons.0.b": 0.0},
    ),
}


def _run_limited(code: str, memory: int = 2 * 1024**3, seconds: int = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python with at most ``memory`` bytes of address space and ``seconds`` of CPU."""
    prelude = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
        sys.path.insert(0, {str(ROOT)!r})
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True, timeout=seconds * 4
    )


def test_small_files_that_declare_huge_models_are_refused_from_their_numbers_before_anything_is_built(tmp_path):
    paths = {}
    for name, document in HUGE.items():
        path = tmp_path / f"{len(paths)}.json"
        path.write_text(json.dumps(document))
        paths[name] = str(path)
    assert os.path.getsize(paths["a neuron of a billion inputs"]) < 400
    code = f"""
        import json, nn
        for name, path in {paths!r}.items():
            for load in (lambda: nn.load(path), lambda: nn.MLP(2, [2, 1], rng=0).load(path)):
                try:
                    load()
                except ValueError as error:
                    print(json.dumps([name, str(error)]))
                else:
                    print(json.dumps([name, "loaded"]))
        """
    result = _run_limited(code)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [name for name, _ in lines] == [name for name in HUGE for _ in range(2)]
    for name, message in lines:
        assert "parameters, the file holds" in message, (name, message)
        assert len(message) < SHORT, (name, len(message))


def test_the_check_counts_the_weights_a_description_implies_without_drawing_them():
    count = nn.MLP.count_parameters({"nin": 3000, "layers": [{"nout": 3000, **LAYER}] * 3000})
    assert count == 3000 * 3000 * 3001
    shapes = nn.Layer.parameter_shapes({"nin": 10**9, "nout": 10**12, **LAYER})
    assert next(shapes) == ("neurons.0.w", 10**9)  # lazily: the first of 10**12 entries, not a list of them


def test_a_device_a_fifo_and_a_folder_are_refused_before_a_byte_is_read(tmp_path):
    """In a child with a memory and CPU limit: a loader that read /dev/zero would run out of memory, one that opened
    the FIFO (no writer) would wait until the limit ends it; a refusal is immediate."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code = f"""
        import json, nn
        from autograd.files import FileRefusedError
        for path in ("/dev/zero", "/dev/null", {str(fifo)!r}, {str(tmp_path)!r}):
            model = nn.MLP(2, [2, 1], rng=0)
            before = model.state_dict()
            for load in (
                lambda: nn.load(path),
                lambda: model.load(path),
                lambda: nn.SGD(model.parameters(), lr=0.1).load(path),
            ):
                try:
                    load()
                except FileRefusedError as error:
                    print(json.dumps(str(error)))
            assert model.state_dict() == before
        """
    result = _run_limited(code, memory=1024**3, seconds=20)
    assert result.returncode == 0, result.stderr[-2000:]
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(messages) == 12
    assert all("reads regular files only" in message for message in messages)
    assert sum("'/dev/zero' is a device" in message for message in messages) == 3
    assert sum("pipe.json' is a FIFO (named pipe)" in message for message in messages) == 3
    assert sum("is a folder" in message for message in messages) == 3


def test_a_file_past_the_size_limit_is_refused_and_max_bytes_raises_the_limit(tmp_path):
    path = tmp_path / "model.json"
    model = nn.MLP(2, [3, 1], rng=0)
    model.save(path)
    size = path.stat().st_size
    with pytest.raises(FileRefusedError, match=rf"{size:,} bytes, more than the limit of 100; pass max_bytes="):
        nn.load(path, max_bytes=100)
    with pytest.raises(FileRefusedError, match="max_bytes="):
        nn.MLP(2, [3, 1], rng=1).load(path, max_bytes=100)
    optimizer = nn.Adam(model.parameters())
    optimizer.save(tmp_path / "adam.json")
    with pytest.raises(FileRefusedError, match="max_bytes="):
        optimizer.load(tmp_path / "adam.json", max_bytes=10)
    assert nn.load(path, max_bytes=size).state_dict() == model.state_dict()
    assert optimizer.load(tmp_path / "adam.json", max_bytes=10**6) is optimizer


# ---------------------------------------------------------------- short messages, whatever the file holds
BIG = "x" * 10_000_000


def _good() -> dict:
    model = nn.MLP(2, [2, 1], rng=0)
    return _document(model.architecture(), model.state_dict())


def _with(change) -> dict:
    document = _good()
    change(document)
    return document


HOSTILE = {
    "a 10 MB module name": _with(lambda d: d.__setitem__("module", BIG)),
    "a 10 MB format": _with(lambda d: d.__setitem__("format", BIG)),
    "a 10 MB architecture type": _with(lambda d: d["architecture"].__setitem__("type", BIG)),
    "a 10 MB activation name": _with(lambda d: d["architecture"]["layers"][0].__setitem__("activation", BIG)),
    "a 10 MB init name": _with(lambda d: d["architecture"]["layers"][0].__setitem__("init", [BIG])),
    "a 10 MB parameter name": _with(lambda d: d["parameters"].__setitem__(BIG, 0.5)),
    "a 10 MB string for a number": _with(lambda d: d["parameters"].__setitem__("layers.0.neurons.0.b", BIG)),
    "a million numbers for two": _with(lambda d: d["parameters"].__setitem__("layers.0.neurons.0.w", [0.5] * 10**6)),
    "a million layers": _with(lambda d: d["architecture"].__setitem__("layers", [7] * 10**6)),
    "a million names as an activation": _with(
        lambda d: d["architecture"]["layers"][0].__setitem__("activation", ["relu"] * 10**6)
    ),
    "100,000 unexpected top-level keys": _with(lambda d: d.update({f"key{i}": i for i in range(100_000)})),
    "100,000 unexpected parameters": _with(lambda d: d["parameters"].update({f"p{i}": 0.0 for i in range(100_000)})),
    "100,000 unexpected architecture keys": _with(
        lambda d: d["architecture"].update({f"k{i}": 1 for i in range(10**5)})
    ),
    "100,000 layers the weights do not fit": _with(
        lambda d: d["architecture"].__setitem__("layers", [{"nout": 1, **LAYER}] * 100_000)
    ),
    "100,000 bad numbers": _with(lambda d: d["parameters"].update({f"p{i}": "nan" for i in range(100_000)})),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_message_about_a_hostile_model_file_is_short(tmp_path, kind):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE[kind]))
    target = nn.MLP(2, [2, 1], rng=5)
    before = target.state_dict()
    for load in (lambda: nn.load(path), lambda: target.load(path), lambda: target.load(path, strict=False)):
        with pytest.raises(ValueError, match=r"hostile\.json") as caught:
            load()
        message = str(caught.value)
        assert len(message) < SHORT, f"{kind}: a message of {len(message):,} characters"
    assert target.state_dict() == before


def test_the_hostile_model_files_start_from_one_that_loads(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps(_good()))
    assert nn.load(tmp_path / "good.json").state_dict() == nn.MLP(2, [2, 1], rng=0).state_dict()


def test_a_long_message_says_how_long_the_input_was(tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE["a 10 MB activation name"]))
    with pytest.raises(ValueError, match=r"\(10000000 characters\)"):
        nn.load(path)
    path.write_text(json.dumps(HOSTILE["100,000 unexpected top-level keys"]))
    with pytest.raises(ValueError, match=r"unexpected top-level keys: 'key0', .*\(100,000 in all\)"):
        nn.load(path)
    state = {**nn.Neuron(1, rng=0).state_dict(), **{f"p{i}": 0.0 for i in range(100_000)}}
    with pytest.raises(ValueError, match=r"unexpected keys: 'p0', .*\(100,000 in all\)"):
        nn.Neuron(1, rng=0).load_state_dict(state)


def _optimizer_document(change) -> dict:
    state = nn.Adam(nn.MLP(2, [2, 1], rng=0).parameters()).state_dict()
    document = {"format": "glassgrad-optimizer", "version": 1, "optimizer": "Adam", "state": state}
    change(document)
    return document


HOSTILE_OPTIMIZER_FILES = {
    "a 10 MB type": lambda d: d["state"].__setitem__("type", BIG),
    "a 10 MB optimizer name": lambda d: d.__setitem__("optimizer", BIG),
    "a million moments for nine": lambda d: d["state"].__setitem__("first_moments", [0.0] * 10**6),
    "a 10 MB string for a moment": lambda d: d["state"]["first_moments"].__setitem__(0, BIG),
    "100,000 unexpected keys": lambda d: d["state"].update({f"k{i}": 0 for i in range(100_000)}),
    "a 10 MB learning rate": lambda d: d["state"].__setitem__("lr", BIG),
    "a 10 MB pair of betas": lambda d: d["state"].__setitem__("betas", BIG),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_OPTIMIZER_FILES))
def test_every_message_about_a_hostile_optimizer_file_is_short(tmp_path, kind):
    path = tmp_path / "adam.json"
    path.write_text(json.dumps(_optimizer_document(HOSTILE_OPTIMIZER_FILES[kind])))
    adam = nn.Adam(nn.MLP(2, [2, 1], rng=0).parameters(), lr=0.05)
    before = adam.state_dict()
    with pytest.raises(ValueError, match=r"adam\.json") as caught:
        adam.load(path)
    assert len(str(caught.value)) < SHORT, f"{kind}: a message of {len(str(caught.value)):,} characters"
    assert adam.state_dict() == before

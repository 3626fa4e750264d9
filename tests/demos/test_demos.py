"""Every demo's main() at a tiny size, in a temporary folder.

Checks that each picture is a valid PNG (signature and IHDR chunk) or a
well-formed SVG, that each saved model loads, and that the numbers the demos
print have the expected form and agree with what the demos claim (OR reads
1, 1, 0; the textbook's XOR net stays at 0.25; moons reaches 100%; --predict
reproduces the trained model's accuracy).
"""

from __future__ import annotations

import importlib
import json
import math
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMOS = REPO / "demos"
DEMO_NAMES = ["activations", "neuron", "or_gate", "xor", "moons", "digits", "tour"]
NUMBER = r"-?\d+\.\d+"

if str(DEMOS) not in sys.path:
    sys.path.insert(0, str(DEMOS))  # the demos import their neighbours, as they do when run as scripts


def demo(name: str) -> ModuleType:
    return importlib.import_module(name)


def assert_png(path: Path) -> None:
    """A PNG: the 8-byte signature, then an IHDR chunk of 13 bytes with a nonzero width and height."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", f"{path} does not start with the PNG signature"
    length, chunk_type = struct.unpack(">I4s", raw[8:16])
    assert (length, chunk_type) == (13, b"IHDR"), f"{path}: first chunk is {chunk_type!r} of {length} bytes"
    width, height = struct.unpack(">II", raw[16:24])
    assert width > 0 and height > 0
    assert raw[-8:-4] == b"IEND", f"{path} is truncated (no IEND chunk at the end)"


def assert_svg(path: Path) -> None:
    root = ElementTree.parse(path).getroot()  # raises on malformed XML
    assert root.tag.endswith("svg"), f"{path}: root element is {root.tag}"
    assert len(list(root.iter())) > 3, f"{path}: an empty picture"


def numbers_after(label: str, text: str) -> list[float]:
    return [float(x) for x in re.findall(rf"{re.escape(label)}\s*({NUMBER})", text)]


# --------------------------------------------------------------------------- every demo


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_help_names_seed_and_out(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        demo(name).main(["--help"])
    assert exit_info.value.code == 0
    usage = capsys.readouterr().out
    assert "--seed" in usage
    assert "--out" in usage


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_runs_as_a_script_from_another_folder(name: str, tmp_path: Path) -> None:
    """`python demos/NAME.py --help` works, whether glassgrad is installed or run from the checkout."""
    result = subprocess.run(
        [sys.executable, str(DEMOS / f"{name}.py"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_default_output_folder_is_in_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert demo("activations").main(["--points", "11"]) == 0
    assert_png(tmp_path / "glassgrad-out" / "activations.png")


# --------------------------------------------------------------------------- activations


def test_activations_picture_and_backprop_derivatives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from autograd import Value, central_difference

    activations = demo("activations")
    assert activations.main(["--out", str(tmp_path), "--points", "21"]) == 0
    out = capsys.readouterr().out
    assert_png(tmp_path / "activations.png")
    names = activations.activation_names()
    required = {"identity", "binary_step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "rrelu", "gelu"}
    required |= {"gelu_tanh", "elu", "selu", "softplus", "silu", "mish", "softsign"}
    assert required <= set(names)
    for name in names:
        row = re.search(rf"^{name}\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+\S", out, re.MULTILINE)
        assert row, f"no table row for {name}"
        _, function = activations.activation(name)
        f_minus, f_plus, d_minus, d_plus = (float(x) for x in row.groups())
        assert f_plus == pytest.approx(function(Value(1.0)).data, abs=5e-5)
        assert f_minus == pytest.approx(function(Value(-1.0)).data, abs=5e-5)
        for x, printed in ((-1.0, d_minus), (1.0, d_plus)):  # away from every kink
            assert printed == pytest.approx(central_difference(function, x), abs=1e-4), (name, x)


# --------------------------------------------------------------------------- neuron


def test_neuron_numbers_and_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    neuron = demo("neuron")
    assert neuron.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert numbers_after("out =", out)[0] == pytest.approx(4.8, abs=1e-4)
    layer_line = re.search(r"2\. A layer.*\n\s+out = \[([^\]]+)\]", out)
    assert layer_line
    # the numbers the textbook prints, as it prints them: its own weights and conventions
    assert [float(v) for v in layer_line.group(1).split(",")] == [4.8, 1.21, 3.465]
    rows = [[float(v) for v in row.split(",")] for row in re.findall(r"-> \[([^\]]+)\]", out)]
    assert rows[:3] == [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]
    assert rows[3:] == [
        [-2.1744, 3.21425, 1.19065],
        [0.707, 0.6828, 4.5213],
        [-1.39594, 1.9477, -0.14521],
    ]
    assert "note:" not in out  # nothing "corrected": the conventions are explained instead
    assert "one column per neuron" in out
    assert neuron.TEXTBOOK_LAYER_OUTPUT == [4.8, 1.21, 3.465]
    assert_svg(tmp_path / "neuron.svg")


def test_neuron_graph_without_graphviz_program_writes_dot_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no `dot` to be found
    assert demo("neuron").main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "neuron.svg").exists()
    source = (tmp_path / "neuron.dot").read_text()
    assert re.search(r"^digraph \w* *\{", source, re.MULTILINE)
    assert source.rstrip().endswith("}")
    assert "install Graphviz" in out


# --------------------------------------------------------------------------- or_gate


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_or_gate_learns_or(loss: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo("or_gate").main(["--out", str(tmp_path), "--loss", loss]) == 0
    out = capsys.readouterr().out
    predictions = {(int(a), int(b)): float(p) for a, b, p in re.findall(rf"OR\((\d), (\d)\) -> ({NUMBER})", out)}
    assert set(predictions) == {(1, 0), (1, 1), (0, 0)}
    assert predictions[(1, 0)] > 0.75
    assert predictions[(1, 1)] > 0.9
    assert predictions[(0, 0)] < 0.25
    assert len(numbers_after("learned: w = [", out)) == 1
    assert_png(tmp_path / "or_gate.png")


# --------------------------------------------------------------------------- xor


def test_xor_seed_net_stays_stuck_and_the_other_learns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo("xor").main(["--out", str(tmp_path), "--no-ablations"]) == 0
    out = capsys.readouterr().out
    (stuck_start, stuck_end), (learn_start, learn_end) = re.findall(rf"loss ({NUMBER}) -> ({NUMBER})", out)
    assert float(stuck_start) == pytest.approx(0.25, abs=1e-3)  # it starts at the plateau ...
    assert float(stuck_end) == pytest.approx(0.25, abs=1e-3)  # ... and never leaves it
    assert float(learn_end) < 0.01 < float(learn_start)
    assert_png(tmp_path / "xor.png")
    stuck = out.split("findings, stuck:")[1].split("findings, learns:")[0]
    assert "[vanishing_gradients] layers.0:" in stuck and "best constant answer" in stuck
    assert "none: the gradients flow" in out.split("findings, learns:")[1]
    row = re.search(r"^  findings +(\S.*\S) {2,}none$", out, re.MULTILINE)
    assert row and row.group(1) == "vanishing_gradients (layers.0)"


def test_xor_ablation_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xor = demo("xor")
    assert xor.main(["--out", str(tmp_path), "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(rf"^  textbook \+ .* loss {NUMBER}$", out, re.MULTILINE)) == 4
    assert len(re.findall(rf" loss {NUMBER}$", out, re.MULTILINE)) == len(xor.ABLATIONS)


# --------------------------------------------------------------------------- moons


def test_moons_reaches_full_training_accuracy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo("moons").main(["--out", str(tmp_path), "--grid", "12", "--quiet"]) == 0
    out = capsys.readouterr().out
    final = re.search(rf"after training: hinge loss ({NUMBER}), training accuracy ({NUMBER})%", out)
    assert final
    assert float(final.group(2)) == 100.0
    assert len(re.findall(rf"^step +\d+  lr {NUMBER}  hinge loss {NUMBER}  accuracy \d+%$", out, re.MULTILINE)) == 11
    assert_png(tmp_path / "moons.png")
    page = (tmp_path / "moons-training.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'id="slider"' in page
    assert re.findall(r"\b(?:src|href)\s*=", page) == []  # self-contained


# --------------------------------------------------------------------------- digits


def test_digits_trains_saves_and_predicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nn

    digits = demo("digits")
    tiny = ["--out", str(tmp_path), "--samples", "150", "--hidden", "8", "--epochs", "2", "--quiet"]
    assert digits.main(tiny) == 0
    out = capsys.readouterr().out
    trained = re.search(r"test accuracy (\d+\.\d{2})% \((\d+)/(\d+)\)", out)
    assert trained
    assert int(trained.group(3)) == 30  # 20% of 150 held out
    assert re.search(rf"wall time {NUMBER} s", out)
    assert len(re.findall(rf"^epoch +\d+  lr {NUMBER}  train loss {NUMBER}", out, re.MULTILINE)) == 2
    for picture in ("digits-confusion.png", "digits-misclassified.png"):
        assert_png(tmp_path / picture)

    model_path = tmp_path / digits.MODEL_FILE
    model = nn.MLP(64, [digits.hidden_size_of(model_path), 10], rng=0)
    model.load(model_path)
    assert len(model.parameters()) == 65 * 8 + 9 * 10

    assert digits.main([*tiny, "--predict"]) == 0
    predicted = capsys.readouterr().out
    assert "no training" in predicted
    assert re.search(r"test accuracy (\d+\.\d{2})% \((\d+)/(\d+)\)", predicted).groups() == trained.groups()
    assert len(re.findall(r"^test image +\d+: predicted \d, true \d", predicted, re.MULTILINE)) == 10


def test_digits_predict_without_a_model_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo("digits").main(["--out", str(tmp_path), "--samples", "50", "--predict"]) == 1
    assert "run `python demos/digits.py` first" in capsys.readouterr().out


# --------------------------------------------------------------------------- tour


def test_tour_explains_draws_trains_and_lists_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nn

    tour = demo("tour")
    tiny = ["--out", str(tmp_path), "--samples", "100", "--hidden", "6", "--epochs", "1", "--quiet"]
    assert tour.main(tiny) == 0
    out = capsys.readouterr().out
    steps = re.search(r"Backward pass: (\d+) chain-rule steps", out)
    assert steps
    assert len(re.findall(r"^ +\d+  \S+ -> \S+ ", out, re.MULTILINE)) == int(steps.group(1))
    before, after = (float(x) for x in re.search(rf"loss ({NUMBER}) -> ({NUMBER})", out).groups())
    assert after < before
    assert re.search(r"test accuracy \d+\.\d{2}% \(\d+/20\)", out)
    written = [Path(p) for p in re.findall(r"^wrote (\S+)", out, re.MULTILINE)]
    assert {p.name for p in written} >= {"tour-neuron.svg", "digits-model.json", "digits-confusion.png"}
    for path in written:
        assert path.parent == tmp_path and path.stat().st_size > 0
        if path.suffix == ".png":
            assert_png(path)
        elif path.suffix == ".svg":
            assert_svg(path)
        elif path.suffix == ".html":  # a page: its data holds the picture, as JSON text
            page = re.search(r'id="glassgrad-data">(.*?)</script>', path.read_text(), re.S)
            assert page and json.loads(page[1])["data"]["svg"].startswith("<svg")
    nn.MLP(64, [6, 10], rng=0).load(tmp_path / "digits-model.json")
    assert not math.isnan(before)


# --------------------------------------------------------------------------- gallery


def test_gallery_holds_every_demo_picture_small_and_valid() -> None:
    make_gallery = demo("make_gallery")
    expected = {picture for _, _, pictures in make_gallery.RUNS for picture in pictures} | {"neuron-graph.png"}
    present = {path.name for path in make_gallery.GALLERY.glob("*.png")}
    assert expected <= present
    for name in present:
        path = make_gallery.GALLERY / name
        assert_png(path)
        assert path.stat().st_size < make_gallery.MAX_BYTES


def test_the_gallery_is_not_stale() -> None:
    make_gallery = demo("make_gallery")
    reasons = make_gallery.stale_reasons()
    assert not reasons, "; ".join(reasons) + ": regenerate it with `python demos/make_gallery.py`"


def test_the_staleness_check_notices_a_changed_input_and_a_changed_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_gallery = demo("make_gallery")
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "a.png").write_bytes(b"picture")
    script = tmp_path / "demo_script.py"
    script.write_text("print(1)\n")
    monkeypatch.setattr(make_gallery, "input_files", lambda: [script])
    assert make_gallery.stale_reasons(gallery) == [f"{gallery / make_gallery.MANIFEST} is missing"]
    (gallery / make_gallery.MANIFEST).write_text(json.dumps(make_gallery.fingerprint(gallery)))
    assert make_gallery.stale_reasons(gallery) == []
    script.write_text("print(2)\n")
    (gallery / "a.png").write_bytes(b"edited by hand")
    assert make_gallery.stale_reasons(gallery) == [
        "input demo_script.py changed since the gallery was made",
        "picture a.png changed since the gallery was made",
    ]


def test_gallery_compression_keeps_a_valid_png(tmp_path: Path) -> None:
    source = tmp_path / "source.png"
    plt = demo("_common").pyplot()
    figure, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    demo("_common").save_figure(figure, source)
    demo("make_gallery").compress(source, tmp_path / "small.png")
    assert_png(tmp_path / "small.png")


def test_digits_predict_rejects_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "digits-model.json").write_text("not json at all")
    with pytest.raises(ValueError, match="not a glassgrad model file"):
        demo("digits").main(["--out", str(tmp_path), "--samples", "50", "--predict"])


# --------------------------------------------------------------------------- every demo's options
ALL_DEMOS = sorted(
    path.stem for path in DEMOS.glob("*.py") if not path.stem.startswith("_") and path.stem != "make_gallery"
)


@pytest.mark.parametrize("name", ALL_DEMOS)
def test_every_demo_takes_the_options_the_readme_promises_and_its_help_gives_the_defaults(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (DEMOS.parent / "README.md").read_text(encoding="utf-8")
    assert f"python demos/{name}.py" in readme  # every demo is in the README's table
    with pytest.raises(SystemExit) as exit_:
        demo(name).main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--seed" in text and "--out" in text, name  # README: "Every demo takes --help, --seed and --out"
    options = re.split(r"\n  (?=-)", text.split("options:", 1)[1])
    for option in options:
        if not option.strip():
            continue
        flag = option.split()[0].rstrip(",")
        if flag in ("-h", "--help"):
            continue
        assert "(default:" in " ".join(option.split()), (name, flag, option)

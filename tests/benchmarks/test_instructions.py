"""benchmarks.instructions without valgrind: the children's work, the count's arithmetic, the table."""

from __future__ import annotations

import contextvars
import importlib.util
import json
from pathlib import Path

import pytest

from benchmarks import contenders, instructions, rows

REPO = Path(__file__).resolve().parents[2]
HAS_MICROGRAD = importlib.util.find_spec("micrograd") is not None


@pytest.fixture(scope="module")
def digits_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("digits") / "digits.json"
    path.write_text(json.dumps(rows.digits_data(20, 0)[0]))
    return path


def digits(path: Path) -> list:
    return [tuple(example) for example in json.loads(path.read_text())]


def test_the_count_is_the_last_one_callgrind_prints():
    output = (
        "==7== Events : Ir\n==7== Collected : 1200\n==7==\n==7== I   refs:      1,200\n==9== Collected : 939422471\n"
    )
    assert instructions.collected(output) == 939422471
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.collected("valgrind: command not found")


def test_the_count_per_step_takes_away_the_start(monkeypatch):
    """(count with N steps - count with 0) / N, from the children's two runs under callgrind."""
    totals = {"0": "Collected : 5000", "8": "Collected : 5400"}
    commands = []

    def fake_run(command, **options):
        commands.append(command)
        steps = command[command.index("--child") + 3]
        return type("Done", (), {"returncode": 0, "stderr": totals.get(steps, ""), "stdout": ""})()

    monkeypatch.setattr(instructions.subprocess, "run", fake_run)
    child = instructions.Child("T1", "baseline", REPO, Path("digits.json"))
    assert instructions.count(child, 8) == 50.0
    assert len(commands) == 3  # a plain run first (it writes the .pyc files), then 0 and 8 steps under callgrind
    assert all("valgrind" in c for c in commands[1:]) and "valgrind" not in commands[0]


def test_the_table_gives_each_glassgrad_against_the_baseline():
    counts = {("T1", "glassgrad"): 4.1e6, ("T1", "baseline"): 2.0e6, ("T1", "glassgrad (before)"): 3.9e6}
    counts[("T3", "glassgrad")] = 1.05e9
    lines = instructions.table(["T1", "T3"], counts, ["glassgrad", "glassgrad (before)", "baseline"]).splitlines()
    t1 = lines[2].split()
    assert t1 == ["T1", "4.100", "3.900", "2.000", "2.05x", "1.95x"]
    assert lines[3].split() == ["T3", "1050.000"]  # no baseline: no ratio


ROWS_AND_CONTENDERS = [
    ("T1", "glassgrad"),
    ("T1", "baseline"),
    ("INF", "glassgrad"),
    ("INF", "baseline"),
    ("T2", "glassgrad"),
    ("T2", "baseline"),
    ("T3", "glassgrad"),
    ("T4", "glassgrad"),
    ("T1f", "glassgrad"),
    ("T1f", "baseline"),
    ("T1c", "glassgrad"),
    ("T1c", "baseline"),
    ("T2r", "glassgrad"),
    ("T2r", "baseline"),
    ("INFc", "glassgrad"),
    ("INFc", "baseline"),
    ("C2r", "glassgrad"),
    pytest.param("T4", "micrograd", marks=pytest.mark.skipif(not HAS_MICROGRAD, reason="micrograd not installed")),
]


@pytest.mark.parametrize(("row", "contender"), ROWS_AND_CONTENDERS)
def test_each_childs_work_runs_through_main(row, contender, digits_file):
    arguments = ["--child", row, contender, "1", str(digits_file), str(REPO)]
    # in a copy of the context: the inference child switches recording off for good, as its process ends next
    assert contextvars.copy_context().run(instructions.main, arguments) == 0


def test_the_inference_child_makes_no_node(digits_file):
    import autograd

    def child() -> list:
        work = instructions.prepare("INF", "glassgrad", digits(digits_file), REPO)
        return work(2)

    outputs = contextvars.copy_context().run(child)
    assert len(outputs) == 10 and all(output.parents == () for output in outputs)
    assert autograd.is_grad_enabled()  # the copy of the context kept the switch to itself


def test_a_training_child_trains_as_the_benchmark_does(digits_file, monkeypatch):
    """T1's work steps the network once per sample, in order: as many steps as asked, on the samples given."""
    seen = []
    original = contenders.HandWrittenMLP.step

    def step(self, batch, lr):
        seen.append(batch[0][1])
        return original(self, batch, lr)

    monkeypatch.setattr(contenders.HandWrittenMLP, "step", step)
    samples = digits(digits_file)
    work = instructions.prepare("T1", "baseline", samples, REPO)
    seen.clear()
    work(len(samples) + 3)
    assert seen == [label for _, label in samples] + [label for _, label in samples[:3]]


def test_the_command_line_names_unknown_rows_and_needs_valgrind(monkeypatch, capsys):
    with pytest.raises(SystemExit):
        instructions.parse_args(["--rows", "T1,T9"])
    assert "T9" in capsys.readouterr().err
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    assert instructions.main(["--rows", "T1"]) == 2
    assert "valgrind" in capsys.readouterr().err

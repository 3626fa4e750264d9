"""Instructions per step: what a change to the engine costs, the same figure on every run.

A shared machine's speed drifts by 10-30% within minutes, so a small change
cannot be seen in times. The number of instructions a step executes does
not drift: valgrind's callgrind counts them, and with the hash seed fixed,
address randomization off and the ``.pyc`` files written, the count of the
same work is the same on every run. For each row and contender this tool runs
the work in a child process under callgrind twice, with 0 steps and with N,
and reports ``(count(N) - count(0)) / N``: the start-up and the imports drop
out. The digits are loaded in this process and handed to the children in a
file, because importing scikit-learn alone varies by millions of instructions.

    python -m benchmarks.instructions                      # T1, INF, T2, T3, T4 of this checkout, and the compiled rows
    python -m benchmarks.instructions --before DIR         # ... and of the checkout in DIR, side by side
    python -m benchmarks.instructions --rows T1,INF --steps 50

It needs valgrind (``apt install valgrind``); each child runs about 50 times
slower than normal, so the whole run takes a few minutes. Instructions are
not time: a walk of the garbage collector over a large graph waits on memory
(micrograd executes 2.3 times glassgrad's instructions on T4 and takes about
ten times as long), so the timed benchmark stays the measure of speed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if not __package__:  # run as a script from a checkout: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.contenders import (
    GlassgradCompiled,
    GlassgradNN,
    HandWrittenMLP,
    ScalarOpNetwork,
    initial_weights,
    missing,
)
from benchmarks.rows import (
    DIGITS_LR,
    DIGITS_SIZES,
    MOONS_L2,
    MOONS_LR,
    MOONS_SIZES,
    chain,
    digits_data,
    moons_data,
)

HERE = Path(__file__).resolve().parent.parent  #: the checkout these benchmarks belong to
#: Steps per row by default: T1 and INF count samples, T2 and T4 batches of 100, T3 chains of 100,000 nodes.
#: The compiled rows: T1f (T1 through nn.fit(compile=True), one fit over the samples), T1c (a compiled step(batch)
#: per sample), T2r (micrograd's demo with its L2 term, glassgrad compiled), INFc (the compiled forward pass, every
#: sample in one call), C2r (compiling the T2r step, per compile).
DEFAULT_STEPS = {
    "T1": 200,
    "INF": 400,
    "T2": 4,
    "T3": 2,
    "T4": 2,
    "T1f": 200,
    "T1c": 200,
    "T2r": 4,
    "INFc": 400,
    "C2r": 2,
}
CHAIN_REPETITIONS = 50_000  # T3: x = x * 1.0001 + 0.001 this many times, 100,000 nodes
#: The contenders of each row, besides glassgrad (and its --before copy).
OTHERS = {
    "T1": ["baseline"],
    "INF": ["baseline"],
    "T2": ["baseline"],
    "T3": [],
    "T4": ["micrograd"],
    "T1f": ["baseline"],
    "T1c": ["baseline"],
    "T2r": ["baseline"],
    "INFc": ["baseline"],
    "C2r": [],
}
#: Rows only a glassgrad with nn.compile can count.
COMPILED_ROWS = ("T1f", "T1c", "T2r", "INFc", "C2r")
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


# ---------------------------------------------------------------------------
# The child: one row's work for one contender, N steps
# ---------------------------------------------------------------------------
def prepare(row: str, contender: str, digits: list, checkout: Path) -> Callable[[int], Any]:
    """The function that runs ``row``'s work ``n`` times for ``contender``, everything made beforehand.

    ``contender`` is ``"glassgrad"`` (the ``autograd`` and ``nn`` of ``checkout``), ``"baseline"`` (the
    hand-written network) or ``"micrograd"``. One warm-up step runs here, outside the count.
    """
    if contender == "glassgrad" and "autograd" not in sys.modules:
        sys.path.insert(0, str(checkout))
    if row in ("T1", "INF"):
        weights = initial_weights(DIGITS_SIZES, 0)
        if contender == "baseline":
            network: Any = HandWrittenMLP(weights, "cross_entropy")
        else:
            network = GlassgradNN(weights, "cross_entropy", DIGITS_LR, _glassgrad(checkout))
        if row == "T1":

            def work(n: int) -> None:
                for i in range(n):
                    network.step([digits[i % len(digits)]], DIGITS_LR)

        else:
            forward = network.forward
            if contender == "glassgrad":
                _glassgrad(checkout).autograd.no_grad().__enter__()  # INF makes no node; on until the child ends

            def work(n: int) -> Any:
                outputs = None
                for i in range(n):
                    outputs = forward(digits[i % len(digits)][0])
                return outputs  # the last sample's outputs

    elif row in ("T2", "T4"):
        weights, batch = initial_weights(MOONS_SIZES, 0), moons_data(100, 0)
        if contender == "baseline":
            network = HandWrittenMLP(weights, "hinge")
        elif contender == "micrograd":
            from micrograd.engine import Value as MicrogradValue

            network = ScalarOpNetwork(weights, "hinge", MicrogradValue)
        elif row == "T2":
            network = GlassgradNN(weights, "hinge", MOONS_LR, _glassgrad(checkout))
        else:
            network = ScalarOpNetwork(weights, "hinge", _glassgrad(checkout).autograd.Value)

        def work(n: int) -> None:
            for _ in range(n):
                network.step(batch, MOONS_LR)

    elif row == "T1f" and contender != "baseline":
        network = GlassgradCompiled(
            initial_weights(DIGITS_SIZES, 0), "cross_entropy", DIGITS_LR, _glassgrad(checkout), mode="fit"
        )

        def work(n: int) -> None:  # one fit over n samples, one sample a batch (the step compiled in the warm-up)
            if n:
                network.train([[digits[i % len(digits)]] for i in range(n)], DIGITS_LR)

    elif row in ("T1c", "INFc", "T1f"):
        weights = initial_weights(DIGITS_SIZES, 0)
        if contender == "baseline":
            network = HandWrittenMLP(weights, "cross_entropy")
            forward = network.forward
        else:
            network = GlassgradCompiled(weights, "cross_entropy", DIGITS_LR, _glassgrad(checkout))
            predict = _glassgrad(checkout).nn.compile(network.model)
        if row in ("T1c", "T1f"):

            def work(n: int) -> None:
                for i in range(n):
                    network.step([digits[i % len(digits)]], DIGITS_LR)

        elif contender == "baseline":

            def work(n: int) -> Any:
                outputs = None
                for i in range(n):
                    outputs = forward(digits[i % len(digits)][0])
                return outputs

        else:

            def work(n: int) -> Any:
                return predict([digits[i % len(digits)][0] for i in range(n)])  # one call for every sample

    elif row in ("T2r", "C2r"):
        weights, batch = initial_weights(MOONS_SIZES, 0), moons_data(100, 0)
        if contender == "baseline":
            network = HandWrittenMLP(weights, "hinge", MOONS_L2)

            def work(n: int) -> None:
                for _ in range(n):
                    network.step(batch, MOONS_LR)

        elif row == "T2r":
            network = GlassgradCompiled(weights, "hinge", MOONS_LR, _glassgrad(checkout), MOONS_L2)

            def work(n: int) -> None:
                for _ in range(n):
                    network.step(batch, MOONS_LR)

        else:
            glassgrad = _glassgrad(checkout)
            GlassgradCompiled(weights, "hinge", MOONS_LR, glassgrad, MOONS_L2).step(batch, MOONS_LR)  # warm

            def work(n: int) -> None:  # a fresh step's first call, less that step's later call
                for _ in range(n):
                    network = GlassgradCompiled(weights, "hinge", MOONS_LR, glassgrad, MOONS_L2)
                    network.compiled.read_weights()
                    network.compiled.run(batch)  # the compile (and one step on the step's own lists)

            return work

    elif row == "T3":
        value = _glassgrad(checkout).autograd.Value

        def work(n: int) -> None:
            for _ in range(n):
                chain(CHAIN_REPETITIONS, value)[1].backward()

    else:
        raise ValueError(f"no instruction count for row {row!r}; rows: {', '.join(DEFAULT_STEPS)}")
    work(1)
    return work


def _glassgrad(checkout: Path) -> Any:
    from benchmarks.contenders import current_glassgrad

    version = current_glassgrad()
    if version.directory != checkout.resolve():
        raise ImportError(f"imported glassgrad from {version.directory}, not {checkout}")
    return version


# ---------------------------------------------------------------------------
# The parent: children under callgrind, and the table
# ---------------------------------------------------------------------------
def collected(valgrind_output: str) -> int:
    """The instruction count callgrind prints when its program ends (``==123== Collected : 939422471``)."""
    found = _COLLECTED.findall(valgrind_output)
    if not found:
        raise RuntimeError(f"callgrind printed no instruction count:\n{valgrind_output[-2000:]}")
    return int(found[-1])


@dataclass(frozen=True)
class Child:
    """How to run one contender's work: ``command(steps)`` is the argument list of the child process."""

    row: str
    contender: str
    checkout: Path
    digits_file: Path

    def command(self, steps: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "benchmarks.instructions",
            "--child",
            self.row,
            self.contender,
            str(steps),
            str(self.digits_file),
            str(self.checkout),
        ]


def count(child: Child, steps: int) -> float:
    """Instructions per step of ``child``'s work: two runs under callgrind, with 0 steps and with ``steps``."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(child.command(0), cwd=HERE, env=env, check=True, capture_output=True)  # writes the .pyc files
    prefix = ["setarch", "-R"] if shutil.which("setarch") else []
    callgrind = [*prefix, "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    totals = []
    for n in (0, steps):
        done = subprocess.run([*callgrind, *child.command(n)], cwd=HERE, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(child.command(n))} failed under callgrind:\n{done.stderr[-2000:]}")
        totals.append(collected(done.stderr))
    return (totals[1] - totals[0]) / steps


def table(rows: Sequence[str], counts: dict[tuple[str, str], float], labels: Sequence[str]) -> str:
    """Millions of instructions per step for each row and label, then each glassgrad label's ratio to the baseline."""
    ratios = [label for label in labels if label.startswith("glassgrad")]
    columns = [*labels, *(f"{label} / baseline" for label in ratios)]
    widths = [max(len(column), 9) + 2 for column in columns]
    lines = [
        "instructions per step, millions (callgrind; PYTHONHASHSEED=0, address randomization off)",
        "row  " + "".join(f"{column:>{width}}" for column, width in zip(columns, widths)),
    ]
    for row in rows:
        cells = [f"{counts[row, label] / 1e6:.3f}" if (row, label) in counts else "" for label in labels]
        for label in ratios:
            known = (row, label) in counts and (row, "baseline") in counts
            cells.append(f"{counts[row, label] / counts[row, 'baseline']:.2f}x" if known else "")
        lines.append(f"{row:<5}" + "".join(f"{cell:>{width}}" for cell, width in zip(cells, widths)))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.instructions",
        description="instructions per step of each row, counted by valgrind's callgrind",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rows", default=",".join(DEFAULT_STEPS), help="rows to count, comma-separated")
    parser.add_argument("--steps", type=int, help=f"steps per count (by row: {DEFAULT_STEPS})")
    parser.add_argument("--before", type=Path, metavar="DIR", help="another glassgrad checkout, counted too")
    parser.add_argument("--no-micrograd", dest="micrograd", action="store_false", help="leave micrograd out of T4")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    settings = parser.parse_args(argv)
    settings.rows = [row.strip() for row in settings.rows.split(",") if row.strip()]
    unknown = [row for row in settings.rows if row not in DEFAULT_STEPS]
    if unknown:
        parser.error(f"unknown rows {unknown}; rows: {', '.join(DEFAULT_STEPS)}")
    if settings.steps is not None and settings.steps < 1:
        parser.error(f"--steps must be at least 1, got {settings.steps}")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    if settings.child:  # one contender's work, run by count()
        row, contender, steps, digits_file, checkout = settings.child
        digits = [tuple(example) for example in json.loads(Path(digits_file).read_text())]
        work = prepare(row, contender, digits, Path(checkout))
        work(int(steps))
        return 0
    if shutil.which("valgrind") is None:
        print("python -m benchmarks.instructions needs valgrind (apt install valgrind)", file=sys.stderr)
        return 2
    checkouts = {"glassgrad": HERE}
    if settings.before is not None:
        checkouts["glassgrad (before)"] = settings.before.resolve()
    with_micrograd = settings.micrograd and "T4" in settings.rows and missing("micrograd") is None
    labels = [*checkouts, "baseline", *(["micrograd"] if with_micrograd else [])]
    counts: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        digits_file = Path(folder) / "digits.json"
        digits_file.write_text(json.dumps(digits_data(400, 0)[0]))
        for row in settings.rows:
            steps = settings.steps or DEFAULT_STEPS[row]
            contenders = [
                (label, "glassgrad", checkout)
                for label, checkout in checkouts.items()
                if row not in COMPILED_ROWS or (checkout / "nn" / "compiled.py").is_file()
            ]
            contenders += [(name, name, HERE) for name in OTHERS[row] if name in labels]
            for label, contender, checkout in contenders:
                counts[row, label] = count(Child(row, contender, checkout, digits_file), steps)
                print(f"  {row} {label}: {counts[row, label] / 1e6:.3f} million per step", file=sys.stderr)
    print(table(settings.rows, counts, labels))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The report: ratios, the targets and whether they are met, the text table and the JSON file.

Each target has one constant below, used both to check it and to print it.
A target is met or not met on the figures of one run, in which every
contender was measured side by side; with ``--before``, the same target is
also worked out for the other checkout, for comparison.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: T1: glassgrad's digits step (through nn, eagerly) takes at most this many times the hand-written step: what the
#: eager engine measures on a quiet machine (one Value per weight costs three loops over the parameters a step);
#: the compiled rows below are the road to the hand-written speed.
T1_LIMIT = 2.1
#: T1h: micrograd's digits step (hinge loss) takes at least this many times glassgrad's.
T1H_LIMIT = 100.0
#: T2: glassgrad's moons step (batch of 100, eagerly) takes at most this many times the hand-written step (the
#: hand-written batch update runs in C loops, which a graph of scalar nodes cannot).
T2_LIMIT = 3.3
#: T3, at the largest chain: build + backward takes at most this many microseconds per node...
T3_US_LIMIT = 1.5
#: ... and at most this many peak traced bytes per node (a node's 192, plus the 32 bytes of the ``__dict__`` slot that
#: lets a Value keep a user's own attributes, as micrograd code's ``p.m`` and ``p.v``) ...
T3_BYTES_LIMIT = 225.0
#: ... and dropping every chain leaves at most this many objects for the cyclic collector to find.
T3_CYCLES_LIMIT = 0
#: T4: micrograd's scalar-op moons step takes at least this many times glassgrad's.
T4_LIMIT = 13.0
#: INF: glassgrad's forward pass under no_grad takes at most this many times the hand-written forward pass.
INF_LIMIT = 2.0
#: T1 through nn.fit(compile=True): at most this many times the hand-written step.
T1_FIT_LIMIT = 1.15
#: T1 as a loop of compiled step(batch) calls (the weights read and written at each call): at most this.
T1_STEP_LIMIT = 1.6
#: T2r (micrograd's demo, with its L2 term), compiled: at most this many times the hand-written step.
T2R_LIMIT = 1.05
#: INF compiled (nn.compile(model)): at most this many times the hand-written forward pass.
INF_COMPILED_LIMIT = 1.1
#: T2r: compiling the step (trace, write and check the code) takes at most this many milliseconds.
COMPILE_MS_LIMIT = 50.0


def median_of(row: dict[str, Any], name: str) -> float | None:
    """The median time of contender ``name`` in ``row``, or None if it was not measured."""
    for result in row.get("results", []):
        if result["contender"] == name and result["status"] == "ok":
            return result["median"]
    return None


def add_ratios(row: dict[str, Any], reference: str) -> None:
    """Each contender's time divided by ``reference``'s (``ratio``: x times the reference's time)."""
    base = median_of(row, reference)
    row["ratio_to"] = reference
    for result in row["results"]:
        if result["status"] == "ok" and base:
            result["ratio"] = result["median"] / base


def _ratio(rows: dict[str, dict[str, Any]], row_id: str, slower: str, faster: str) -> float | None:
    if row_id not in rows:
        return None
    a, b = median_of(rows[row_id], slower), median_of(rows[row_id], faster)
    return a / b if a and b else None


def _largest_chain(rows: dict[str, dict[str, Any]], label: str) -> dict[str, Any] | None:
    if "T3" not in rows or not rows["T3"]["sizes"]:
        return None
    largest = max(rows["T3"]["sizes"], key=lambda entry: entry["nodes"])
    return next((r for r in largest["results"] if r["contender"] == label), None)


def _chain_cycles(rows: dict[str, dict[str, Any]], label: str) -> float | None:
    if "T3" not in rows:
        return None
    found = [r["cyclic_garbage_found"] for e in rows["T3"]["sizes"] for r in e["results"] if r["contender"] == label]
    return max(found) if found else None


@dataclass(frozen=True)
class Target:
    """One target: ``measure(rows, glassgrad_label)`` gives the figure, which must be <= or >= ``limit``."""

    key: str
    text: str
    limit: float
    at_most: bool
    measure: Callable[[dict[str, dict[str, Any]], str], float | None]
    unit: str = ""


def _chain_figure(name: str) -> Callable[[dict[str, dict[str, Any]], str], float | None]:
    def measure(rows: dict[str, dict[str, Any]], label: str) -> float | None:
        result = _largest_chain(rows, label)
        return None if result is None else result[name]

    return measure


TARGETS = (
    Target(
        "T1",
        f"T1: glassgrad time / baseline time <= {T1_LIMIT}",
        T1_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "T1", g, "baseline"),
        "x",
    ),
    Target(
        "T1h",
        f"T1h: micrograd time / glassgrad time >= {T1H_LIMIT:g}",
        T1H_LIMIT,
        False,
        lambda rows, g: _ratio(rows, "T1h", "micrograd", g),
        "x",
    ),
    Target(
        "T2",
        f"T2: glassgrad time / baseline time <= {T2_LIMIT}",
        T2_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "T2", g, "baseline"),
        "x",
    ),
    Target(
        "T3 time",
        f"T3 (largest chain): build + backward us/node <= {T3_US_LIMIT}",
        T3_US_LIMIT,
        True,
        _chain_figure("total_us_per_node"),
        " us/node",
    ),
    Target(
        "T3 memory",
        f"T3 (largest chain): peak bytes/node <= {T3_BYTES_LIMIT:g}",
        T3_BYTES_LIMIT,
        True,
        _chain_figure("peak_bytes_per_node"),
        " B/node",
    ),
    Target(
        "T3 cycles",
        f"T3: cyclic garbage found after dropping each chain == {T3_CYCLES_LIMIT}",
        T3_CYCLES_LIMIT,
        True,
        _chain_cycles,
        " objects",
    ),
    Target(
        "T4",
        f"T4: micrograd time / glassgrad time >= {T4_LIMIT:g}",
        T4_LIMIT,
        False,
        lambda rows, g: _ratio(rows, "T4", "micrograd", g),
        "x",
    ),
    Target(
        "INF",
        f"INF: glassgrad no_grad time / hand-written forward time <= {INF_LIMIT}",
        INF_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "INF", f"{g} no_grad", "baseline"),
        "x",
    ),
    Target(
        "T1 fit",
        f"T1: glassgrad fit(compile=True) time / baseline time <= {T1_FIT_LIMIT}",
        T1_FIT_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "T1", g.replace("glassgrad", "glassgrad compiled fit", 1), "baseline"),
        "x",
    ),
    Target(
        "T1 step",
        f"T1: glassgrad compiled step(batch) loop time / baseline time <= {T1_STEP_LIMIT}",
        T1_STEP_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "T1", g.replace("glassgrad", "glassgrad compiled step", 1), "baseline"),
        "x",
    ),
    Target(
        "T2r",
        f"T2r: glassgrad compiled time / baseline time <= {T2R_LIMIT}",
        T2R_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "T2r", g.replace("glassgrad", "glassgrad compiled step", 1), "baseline"),
        "x",
    ),
    Target(
        "INF compiled",
        f"INF: glassgrad compiled time / hand-written forward time <= {INF_COMPILED_LIMIT}",
        INF_COMPILED_LIMIT,
        True,
        lambda rows, g: _ratio(rows, "INF", g.replace("glassgrad", "glassgrad compiled", 1), "baseline"),
        "x",
    ),
    Target(
        "compile",
        f"T2r: compiling the step takes <= {COMPILE_MS_LIMIT:g} ms",
        COMPILE_MS_LIMIT,
        True,
        lambda rows, g: rows.get("T2r", {}).get("compile", {}).get(g, {}).get("median_ms"),
        " ms",
    ),
)


def targets(rows: dict[str, dict[str, Any]], labels: tuple[str, ...] = ("glassgrad",)) -> list[dict[str, Any]]:
    """Each target with the measured figure and whether it is met (None: not measured).

    ``labels``: the glassgrad versions in the run; the first is the one the
    target is judged on, the others' figures are added under ``others``.
    """
    found = []
    for target in TARGETS:
        value = target.measure(rows, labels[0])
        met = None if value is None else (value <= target.limit if target.at_most else value >= target.limit)
        entry: dict[str, Any] = {
            "target": target.text,
            "key": target.key,
            "value": value,
            "limit": target.limit,
            "at_most": target.at_most,
            "met": met,
        }
        if len(labels) > 1:
            entry["others"] = {label: target.measure(rows, label) for label in labels[1:]}
        found.append(entry)
    return found


def describe_target(target: dict[str, Any]) -> str:
    """One line: met / not met / not measured, the target, the measured figure and how far it is from the limit."""
    value, limit = target["value"], target["limit"]
    if target["met"] is None:
        line = f"  {'not measured':<14}{target['target']}"
    else:
        line = f"  {'met' if target['met'] else 'not met':<14}{target['target']}  (measured {value:.3g}"
        if not target["met"]:
            if limit == 0:
                line += ", above the limit"
            else:
                off = value / limit - 1.0 if target["at_most"] else 1.0 - value / limit
                line += f", {abs(off):.0%} {'above' if target['at_most'] else 'below'} the limit"
        line += ")"
    for label, other in target.get("others", {}).items():
        line += f"  [{label}: {'-' if other is None else format(other, '.3g')}]"
    return line


def _network_lines(row: dict[str, Any]) -> list[str]:
    lines = [f"{row['id']}  {row['title']}  [{row['unit']}, ratio = time / {row['ratio_to']}'s time]"]
    width = max(22, *(len(r["contender"]) for r in row["results"])) + 1
    for result in row["results"]:
        if result["status"] != "ok":
            lines.append(f"  {result['contender']:<{width}} skipped: {result['reason']}")
            continue
        ratio = result.get("ratio", math.nan)
        line = f"  {result['contender']:<{width}} {result['median']:>10.2f}   {ratio:>7.2f}x"
        line += f"   in gc {result['gc_share']:>4.0%}"
        if "gradient_error" in result:
            line += f"   grad diff {result['gradient_error']:.1e}"
        if "output_error" in result:
            line += f"   output diff {result['output_error']:.1e}" + (
                ", no parents" if result.get("no_parents") else ""
            )
        if "step_error" in result and result["contender"] != "baseline":
            line += (
                "   step = eager step" if result["step_error"] == 0.0 else f"   step diff {result['step_error']:.1e}"
            )
        lines.append(line)
    for label, compiled in row.get("compile", {}).items():
        times = ", ".join(f"{t:.1f}" for t in compiled["times_ms"])
        lines.append(f"  {label} compile: {compiled['median_ms']:.1f} ms (trace, write and check the code; {times})")
    return lines


def _chain_lines(row: dict[str, Any]) -> list[str]:
    lines = [f"{row['id']}  {row['title']}"]
    width = max(9, *(len(r["contender"]) for e in row["sizes"] for r in e["results"])) + 1
    lines.append(
        f"  {'nodes':>10}  {'':<{width}} {'build':>7} {'backward':>8} {'total':>7}"
        f" {'in gc':>6} {'peak B':>7} {'cycles':>6}  micrograd"
    )
    for entry in row["sizes"]:
        for index, result in enumerate(entry["results"]):
            nodes = f"{entry['nodes']:,}" if index == 0 else ""
            lines.append(
                f"  {nodes:>10}  {result['contender']:<{width}} {result['build_us_per_node']:>7.3f}"
                f" {result['backward_us_per_node']:>8.3f} {result['total_us_per_node']:>7.3f}"
                f" {result['gc_share']:>6.0%} {result['peak_bytes_per_node']:>7.1f} {result['cyclic_garbage_found']:>6}"
                + (f"  {entry['micrograd']}" if index == 0 else "")
            )
    lines.append(
        "  (us per node; in gc = share of the time in the cyclic garbage collector; peak B = peak traced bytes"
        " per node; cycles = objects gc.collect() found after the chain was dropped)"
    )
    return lines


def format_table(report: dict[str, Any]) -> str:
    """The report as the text table the benchmark prints."""
    settings = report["settings"]
    lines = [
        f"glassgrad benchmark: Python {report['python']}, {report['machine']}, "
        f"{settings['repeats']} repeats (median) after {settings['warmup']} warm-up",
        f"T1 data: {report['digits_source']}, {settings['samples']} samples; "
        f"T2/T4: batch of {settings['batch']}, {settings['steps']} steps per repeat",
    ]
    for label, directory in report["glassgrad"].items():
        lines.append(f"{label}: {directory}")
    lines.append("")
    for row in report["rows"]:
        lines.extend(_chain_lines(row) if row["id"] == "T3" else _network_lines(row))
        lines.append("")
    lines.append("Targets")
    lines.extend(describe_target(target) for target in report["targets"])
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: Path | str) -> None:
    """The report as JSON (everything the table shows, and every repeat's time)."""
    Path(path).write_text(json.dumps(report, indent=2) + "\n")

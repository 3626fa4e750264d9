"""demos/benchmark.py at a tiny size: every row is there, and every contender computes glassgrad's gradients.

No timing is asserted: speed is read from the benchmark's printed table, never from a test.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, central_difference
from demos import benchmark

ALL_ROWS = {"T1", "T1h", "T2", "T3", "T4", "INF"}
HAS_MICROGRAD = importlib.util.find_spec("micrograd") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """One --quick run for the whole module: the returned report and the JSON file it wrote."""
    path = tmp_path_factory.mktemp("benchmark") / "table.json"
    report = benchmark.main(["--quick", "--json", str(path)])
    return report, json.loads(path.read_text())


def rows_by_id(report: dict) -> dict[str, dict]:
    return {row["id"]: row for row in report["rows"]}


def test_the_json_table_has_every_row_and_matches_the_report(quick_report):
    report, written = quick_report
    assert set(rows_by_id(written)) == ALL_ROWS
    assert written["rows"] == json.loads(json.dumps(report["rows"]))
    assert {target["target"].split(":")[0] for target in written["targets"]} >= {"T1", "T1h", "T2", "T4", "INF"}


def test_every_network_row_times_glassgrad_and_the_baseline(quick_report):
    _, written = quick_report
    for row_id, row in rows_by_id(written).items():
        if row_id == "T3":
            continue
        ok = {result["contender"]: result for result in row["results"] if result["status"] == "ok"}
        assert any(name.startswith("glassgrad") for name in ok), row_id
        if row_id != "T4":
            assert "baseline" in ok, row_id
        for result in ok.values():
            assert result["median"] > 0 and len(result["times"]) == written["settings"]["repeats"]
            assert math.isfinite(result["ratio"])
            assert 0.0 <= result["gc_share"] < 1.0


def test_the_collector_clock_counts_collections_only_while_on():
    clock = benchmark.CollectorClock()
    gc.callbacks.append(clock)
    try:
        gc.collect()
        assert clock.seconds == 0.0  # off
        clock.on = True
        gc.collect()
        gc.collect()
        assert clock.seconds > 0.0
    finally:
        gc.callbacks.remove(clock)


def test_every_contender_computes_glassgrads_gradients(quick_report):
    _, written = quick_report
    checked = set()
    for row in written["rows"]:
        for result in row.get("results", []):
            if "gradient_error" in result:
                assert result["gradient_error"] <= benchmark.GRADIENT_TOLERANCE, (row["id"], result)
                checked.add(result["contender"])
    assert {"glassgrad", "glassgrad engine", "baseline"} <= checked
    assert ("micrograd" in checked) == HAS_MICROGRAD
    assert ("pytorch" in checked) == HAS_TORCH


def test_missing_contenders_are_reported_as_skipped_with_a_reason(quick_report):
    _, written = quick_report
    rows = rows_by_id(written)
    statuses = {result["contender"]: result for result in rows["T1h"]["results"]}
    for name, installed in (("micrograd", HAS_MICROGRAD), ("pytorch", HAS_TORCH)):
        assert statuses[name]["status"] == ("ok" if installed else "skipped")
        if not installed:
            assert "not installed" in statuses[name]["reason"]
    t1 = {result["contender"]: result for result in rows["T1"]["results"]}
    assert t1["micrograd"]["status"] == "skipped"  # no exp or log in micrograd: no cross-entropy


def test_the_deep_chain_is_freed_by_reference_counting(quick_report):
    _, written = quick_report
    sizes = rows_by_id(written)["T3"]["sizes"]
    assert [entry["nodes"] for entry in sizes] == [1_000, 10_000]
    for entry in sizes:
        assert entry["cyclic_garbage_found"] == 0
        assert entry["derivative_relative_error"] < 1e-12
        assert entry["peak_bytes_per_node"] > 0 and entry["total_us_per_node"] > 0
        assert 0.0 <= entry["gc_share"] < 1.0
    # What stays allocated is the interpreter's free lists (a few thousand small tuples), not the graph.
    largest = sizes[-1]
    assert largest["bytes_left_after_del"] < 0.1 * largest["peak_bytes_per_node"] * largest["nodes"]


def test_the_table_prints_every_row_and_target(quick_report, capsys):
    report, _ = quick_report
    text = benchmark.format_table(report)
    for row_id in ALL_ROWS:
        assert f"\n{row_id}  " in text
    assert text.count("\n  met") + text.count("\n  MISSED") + text.count("not measured") == len(report["targets"])


def _inference_row(times: dict[str, float]) -> dict:
    results = [{"contender": name, "status": "ok", "median": median} for name, median in times.items()]
    return {"id": "INF", "unit": "us/sample", "results": results}


@given(
    no_grad=st.floats(1.0, 1e3),
    extra=st.floats(1e-3, 1e3),
    baseline=st.floats(1.0, 1e3),
    target=st.floats(1.01, 3.0),
)
def test_the_inference_bound_is_the_no_grad_time_that_meets_the_target_with_the_same_extra(
    no_grad, extra, baseline, target
):
    row = _inference_row({"glassgrad recording": no_grad + extra, "glassgrad no_grad": no_grad, "baseline": baseline})
    bound = benchmark.inference_bound(row, target)
    recording_extra = (no_grad + extra) - no_grad
    assert bound["recording_extra"] == recording_extra
    # A no_grad pass that takes exactly the bound, with recording's extra on top, is at the target.
    assert (bound["no_grad_needed"] + recording_extra) / bound["no_grad_needed"] == pytest.approx(target, rel=1e-9)
    assert bound["needed_over_baseline"] == bound["no_grad_needed"] / baseline
    # The measured ratio meets the target exactly when no_grad is within the bound.
    ratio = (no_grad + extra) / no_grad
    if abs(ratio - target) > 1e-9 * target:
        assert (ratio >= target) == (no_grad <= bound["no_grad_needed"])


@pytest.mark.parametrize("extra", [0.0, -0.5])
def test_no_no_grad_time_meets_the_target_when_recording_is_no_slower(extra):
    row = _inference_row({"glassgrad recording": 10.0 + extra, "glassgrad no_grad": 10.0, "baseline": 5.0})
    bound = benchmark.inference_bound(row)
    assert bound["recording_extra"] == extra
    assert bound["no_grad_needed"] == 0.0


def test_the_inference_bound_needs_all_three_passes():
    row = _inference_row({"glassgrad recording": 2.0, "glassgrad no_grad": 1.0})
    assert benchmark.inference_bound(row) is None


def test_the_table_states_the_inference_bound(quick_report):
    report, written = quick_report
    bound = rows_by_id(written)["INF"]["bound"]
    assert bound["target"] == benchmark.INFERENCE_TARGET
    text = benchmark.format_table(report)
    assert f"no_grad would have to take at most {bound['no_grad_needed']:.2f}" in text


def test_a_wrong_baseline_gradient_stops_the_benchmark(monkeypatch):
    weights = benchmark.initial_weights([3, 4, 2], seed=1)
    original = benchmark.HandWrittenMLP.gradients

    def off_by_a_little(self, batch):
        grads = original(self, batch)
        grads[0][1][0] += 1e-9  # one bias gradient, slightly wrong
        return grads

    monkeypatch.setattr(benchmark.HandWrittenMLP, "gradients", off_by_a_little)
    make = {
        "glassgrad": lambda: benchmark.GlassgradEngine(weights, "multiclass_hinge"),
        "baseline": lambda: benchmark.HandWrittenMLP(weights, "multiclass_hinge"),
    }
    settings_ = benchmark.parse_args(["--quick"])
    with pytest.raises(AssertionError, match="hand-written gradients differ"):
        benchmark.network_row("X", "x", "us", make, [[([0.5, -1.0, 2.0], 1)]], 0.1, 1.0, settings_)


def test_without_scikit_learn_the_digits_are_synthetic_and_deterministic(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import fails
    first, source = benchmark.digits_data(30, seed=3)
    again, _ = benchmark.digits_data(30, seed=3)
    assert "synthetic" in source and first == again
    assert len(first) == 30 and all(len(x) == 64 and 0 <= label < 10 for x, label in first)
    assert all(0.0 <= p <= 1.0 for x, _ in first for p in x)


# ---------------------------------------------------------------------------
# The contenders, on random weights: same gradients, and glassgrad's agree with finite differences
# ---------------------------------------------------------------------------
LOSSES = {"cross_entropy": [4, 5, 3], "multiclass_hinge": [4, 5, 3], "hinge": [2, 4, 3, 1]}


def sample_batch(loss: str, sizes: list[int], seed: int) -> list[tuple[list[float], object]]:
    import random

    rng = random.Random(seed)
    if loss == "hinge":
        return [([rng.uniform(-2, 2) for _ in range(sizes[0])], rng.choice([-1.0, 1.0])) for _ in range(3)]
    return [([rng.uniform(0, 1) for _ in range(sizes[0])], rng.randrange(sizes[-1]))]


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(sorted(LOSSES)))
def test_all_contenders_agree_on_random_networks(seed, loss):
    sizes = LOSSES[loss]
    weights = benchmark.initial_weights(sizes, seed)
    batch = sample_batch(loss, sizes, seed)
    reference = benchmark.GlassgradEngine(weights, loss).gradients(batch)
    others = {
        "nn": benchmark.GlassgradNN(weights, loss, 0.1).gradients(batch),
        "baseline": benchmark.flat(benchmark.HandWrittenMLP(weights, loss).gradients(batch)),
    }
    if loss != "cross_entropy":
        others["scalar ops"] = benchmark.ScalarOpNetwork(weights, loss, Value).gradients(batch)
        if HAS_MICROGRAD:
            from micrograd.engine import Value as MicrogradValue

            others["micrograd scalar ops"] = benchmark.ScalarOpNetwork(weights, loss, MicrogradValue).gradients(batch)
            if loss == "multiclass_hinge":
                others["micrograd nn"] = benchmark.MicrogradMLP(weights, loss).gradients(batch)
    for name, grads in others.items():
        assert benchmark.gradient_error(reference, grads) <= benchmark.GRADIENT_TOLERANCE, name


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(sorted(LOSSES)))
def test_glassgrads_gradients_match_central_differences(seed, loss):
    sizes = LOSSES[loss]
    weights = benchmark.initial_weights(sizes, seed)
    batch = sample_batch(loss, sizes, seed)
    network = benchmark.GlassgradEngine(weights, loss)
    grads = network.gradients(batch)
    start = [p.data for p in network.params]

    def loss_at(*values: object) -> float:
        for p, v in zip(network.params, values):
            p.data = float(v)
        return network.loss(batch).data

    for index, analytic in enumerate(grads):
        estimate = central_difference(loss_at, *start, arg=index)
        assert analytic == pytest.approx(estimate, abs=1e-5, rel=1e-4), index

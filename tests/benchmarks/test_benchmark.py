"""The benchmarks package at a tiny size: every row is there, every contender computes glassgrad's gradients.

No timing is asserted: speed is read from the benchmark's printed table, never from a test.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, central_difference
from benchmarks import contenders, harness, report, rows
from benchmarks import run as bench

REPO = Path(__file__).resolve().parents[2]
ALL_ROWS = {"T1", "T1h", "T2", "T2r", "T3", "T4", "INF"}
HAS_MICROGRAD = importlib.util.find_spec("micrograd") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None
BEFORE = "glassgrad (before)"
ENGINE_BEFORE = "glassgrad engine (before)"
TOLERANCE = rows.GRADIENT_TOLERANCE


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """One --quick run for the whole module: the returned report and the JSON file it wrote."""
    path = tmp_path_factory.mktemp("benchmark") / "table.json"
    result = bench.main(["--quick", "--json", str(path)])
    return result, json.loads(path.read_text())


@pytest.fixture(scope="module")
def before_report() -> dict:
    """One --quick run with --before pointing at this checkout itself: two copies of glassgrad in one process."""
    return bench.run(["--quick", "--before", str(REPO), "--no-torch"])


def rows_by_id(result: dict) -> dict[str, dict]:
    return {row["id"]: row for row in result["rows"]}


def ok_results(row: dict) -> dict[str, dict]:
    return {result["contender"]: result for result in row["results"] if result["status"] == "ok"}


# ---------------------------------------------------------------------------
# A quick run: every row, every contender
# ---------------------------------------------------------------------------
def test_the_json_table_has_every_row_and_matches_the_report(quick_report):
    result, written = quick_report
    assert set(rows_by_id(written)) == ALL_ROWS
    assert written["rows"] == json.loads(json.dumps(result["rows"]))
    assert {target["key"] for target in written["targets"]} == {target.key for target in report.TARGETS}


def test_every_network_row_times_glassgrad_and_the_baseline(quick_report):
    _, written = quick_report
    for row_id, row in rows_by_id(written).items():
        if row_id == "T3":
            continue
        ok = ok_results(row)
        assert any(name.startswith("glassgrad") for name in ok), row_id
        if row_id != "T4":
            assert "baseline" in ok, row_id
            assert row["ratio_to"] == "baseline"
            assert ok["baseline"]["ratio"] == 1.0
        for result in ok.values():
            assert result["median"] > 0 and len(result["times"]) == written["settings"]["repeats"]
            assert math.isfinite(result["ratio"])
            assert 0.0 <= result["gc_share"] < 1.0


def test_every_contender_computes_glassgrads_gradients(quick_report):
    _, written = quick_report
    checked = set()
    for row in written["rows"]:
        for result in row.get("results", []):
            if "gradient_error" in result:
                assert result["gradient_error"] <= TOLERANCE, (row["id"], result)
                checked.add(result["contender"])
    assert {"glassgrad", "glassgrad engine", "baseline"} <= checked
    assert ("micrograd" in checked) == HAS_MICROGRAD
    assert ("pytorch" in checked) == HAS_TORCH


def test_the_baselines_step_is_checked_against_its_gradients(quick_report):
    _, written = quick_report
    for row_id in ("T1", "T1h", "T2", "T2r"):
        baseline = ok_results(rows_by_id(written)[row_id])["baseline"]
        assert baseline["step_error"] <= TOLERANCE, row_id


def test_the_compiled_contenders_step_as_the_eager_step_and_report_their_compile_time(quick_report):
    """Before timing, one compiled step lands bit for bit on the weights of one eager step, or the benchmark stops."""
    _, written = quick_report
    by_id = rows_by_id(written)
    for row_id in ("T1", "T2r"):
        compiled = ok_results(by_id[row_id])["glassgrad compiled step"]
        assert compiled["step_error"] == 0.0
        assert compiled["gradient_error"] <= TOLERANCE
        assert by_id[row_id]["compile"]["glassgrad"]["median_ms"] > 0
    inf = ok_results(by_id["INF"])["glassgrad compiled"]
    assert inf["output_error"] <= TOLERANCE


def test_the_baseline_with_the_l2_term_has_glassgrads_gradients():
    weights = contenders.initial_weights([2, 4, 3, 1], seed=2)
    batch = sample_batch("hinge", [2, 4, 3, 1], 2, count=5)
    hand = contenders.flat(contenders.HandWrittenMLP(weights, "hinge", 1e-2).gradients(batch))
    glassgrad = contenders.GlassgradNN(weights, "hinge", 0.1, contenders.current_glassgrad(), 1e-2).gradients(batch)
    assert rows.relative_error(glassgrad, hand) <= TOLERANCE
    assert rows.check_baseline_step(contenders.HandWrittenMLP(weights, "hinge", 1e-2), batch, 0.1) <= TOLERANCE


def test_installed_contenders_run_and_missing_ones_say_why(quick_report):
    _, written = quick_report
    statuses = {result["contender"]: result for result in rows_by_id(written)["T1h"]["results"]}
    for name, installed in (("micrograd", HAS_MICROGRAD), ("pytorch", HAS_TORCH)):
        assert statuses[name]["status"] == ("ok" if installed else "skipped")
        if not installed:
            assert "not installed" in statuses[name]["reason"]
    t1 = {result["contender"]: result for result in rows_by_id(written)["T1"]["results"]}
    assert t1["micrograd"]["status"] == "skipped"  # no exp or log in micrograd: no cross-entropy


def test_a_contender_whose_package_is_missing_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setattr(contenders, "missing", lambda module: f"{module} is not installed")
    weights = contenders.initial_weights([3, 4, 2], seed=1)
    found = contenders.network_contenders(
        weights, "multiclass_hinge", 0.1, [contenders.current_glassgrad()], micrograd=True, torch=True
    )
    by_name = {c.name: c for c in found}
    assert by_name["micrograd"].make is None and by_name["micrograd"].reason == "micrograd is not installed"
    assert by_name["pytorch"].make is None and by_name["pytorch"].reason == "torch is not installed"
    settings_ = bench.parse_args(["--quick"])
    row = rows.network_row("X", "x", "us", found, [[([0.5, -1.0, 2.0], 1)]], 0.1, 1.0, settings_)
    skipped = {r["contender"]: r["reason"] for r in row["results"] if r["status"] == "skipped"}
    assert skipped == {"micrograd": "micrograd is not installed", "pytorch": "torch is not installed"}


def test_the_deep_chain_is_freed_by_reference_counting(quick_report):
    _, written = quick_report
    sizes = rows_by_id(written)["T3"]["sizes"]
    assert [entry["nodes"] for entry in sizes] == [1_000, 10_000]
    for entry in sizes:
        (result,) = entry["results"]
        assert result["contender"] == "glassgrad"
        assert result["cyclic_garbage_found"] == 0
        assert result["derivative_relative_error"] < 1e-12
        assert result["peak_bytes_per_node"] > 0 and result["total_us_per_node"] > 0
        assert 0.0 <= result["gc_share"] < 1.0
    # What stays allocated is the interpreter's free lists (a few thousand small tuples), not the graph.
    largest = sizes[-1]["results"][0]
    assert largest["bytes_left_after_del"] < 0.1 * largest["peak_bytes_per_node"] * sizes[-1]["nodes"]


def test_the_table_prints_every_row_and_each_target_once(quick_report):
    result, _ = quick_report
    text = report.format_table(result)
    for row_id in ALL_ROWS:
        assert f"\n{row_id}  " in text
    targets_part = text.split("\nTargets\n")[1].splitlines()
    assert len(targets_part) == len(report.TARGETS)
    for line, target in zip(targets_part, result["targets"]):
        assert target["target"] in line
        state = {True: "met", False: "not met", None: "not measured"}[target["met"]]
        assert line.split("  ")[1].strip() == state
        if target["value"] is not None:
            assert f"measured {target['value']:.3g}" in line
    assert "MISSED" not in text


def test_the_collector_clock_counts_collections_only_while_on():
    clock = harness.CollectorClock()
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


# ---------------------------------------------------------------------------
# INF: no_grad makes no node
# ---------------------------------------------------------------------------
def test_the_inference_row_compares_no_grad_with_the_hand_written_forward(quick_report):
    _, written = quick_report
    row = rows_by_id(written)["INF"]
    assert row["ratio_to"] == "baseline"
    ok = ok_results(row)
    for name in ("glassgrad no_grad", "glassgrad engine no_grad"):
        assert ok[name]["no_parents"] is True
        assert ok[name]["output_error"] <= TOLERANCE
    assert "glassgrad recording" in ok  # shown for information
    inf = next(target for target in written["targets"] if target["key"] == "INF")
    assert inf["value"] == ok["glassgrad no_grad"]["median"] / ok["baseline"]["median"]
    assert inf["limit"] == report.INF_LIMIT


@pytest.mark.parametrize("model", ["nn", "engine"])
def test_a_model_under_no_grad_makes_no_node(model):
    weights = contenders.initial_weights(rows.DIGITS_SIZES, seed=2)
    glassgrad = contenders.current_glassgrad()
    if model == "nn":
        network = contenders.GlassgradNN(weights, "cross_entropy", 0.1, glassgrad)
    else:
        network = contenders.GlassgradEngine(weights, "cross_entropy", glassgrad)
    x = [random.Random(5).random() for _ in range(64)]
    with autograd.no_grad():
        out = network.forward(x)
    assert len(out) == 10 and all(isinstance(v, Value) and v.parents == () for v in out)
    recorded = network.forward(x)
    assert all(v.parents != () for v in recorded)  # the same pass records outside no_grad
    assert [v.data for v in out] == [v.data for v in recorded]
    numbers = rows.check_no_grad_forward(glassgrad, network.forward, x)
    assert numbers == [v.data for v in out]


def test_a_forward_pass_that_records_under_no_grad_stops_the_benchmark():
    glassgrad = contenders.current_glassgrad()

    def leaky(x: list[float]) -> list[Value]:
        with autograd.enable_grad():
            return [Value(x[0]) * 2.0]

    with pytest.raises(AssertionError, match="under no_grad has parents"):
        rows.check_no_grad_forward(glassgrad, leaky, [1.0])


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
def fake_rows(
    t1: float,
    t2: float,
    inf: float,
    t1h: float,
    t4: float,
    us: float,
    peak: float,
    cycles: int,
    fit: float = 1.0,
    step: float = 1.0,
    t2r: float = 1.0,
    inf_compiled: float = 1.0,
    compile_ms: float = 1.0,
) -> dict:
    def row(times: dict[str, float]) -> dict:
        return {"results": [{"contender": n, "status": "ok", "median": t} for n, t in times.items()]}

    chain = {"contender": "glassgrad", "total_us_per_node": us, "peak_bytes_per_node": peak}
    t2r_row = row({"glassgrad compiled step": t2r, "baseline": 1.0})
    t2r_row["compile"] = {"glassgrad": {"median_ms": compile_ms, "times_ms": [compile_ms]}}
    return {
        "T2r": t2r_row,
        "T1": row({"glassgrad": t1, "glassgrad compiled fit": fit, "glassgrad compiled step": step, "baseline": 1.0}),
        "T1h": row({"glassgrad": 1.0, "micrograd": t1h}),
        "T2": row({"glassgrad": t2, "baseline": 1.0}),
        "T4": row({"glassgrad": 1.0, "micrograd": t4}),
        "INF": row({"glassgrad no_grad": inf, "glassgrad compiled": inf_compiled, "baseline": 1.0}),
        "T3": {
            "sizes": [
                {"nodes": 10, "results": [{**chain, "cyclic_garbage_found": 0, "total_us_per_node": 99.0}]},
                {"nodes": 1_000_000, "results": [{**chain, "cyclic_garbage_found": cycles}]},
            ]
        },
    }


def test_every_target_is_met_at_its_limit():
    limits = fake_rows(
        report.T1_LIMIT,
        report.T2_LIMIT,
        report.INF_LIMIT,
        report.T1H_LIMIT,
        report.T4_LIMIT,
        report.T3_US_LIMIT,
        report.T3_BYTES_LIMIT,
        report.T3_CYCLES_LIMIT,
        report.T1_FIT_LIMIT,
        report.T1_STEP_LIMIT,
        report.T2R_LIMIT,
        report.INF_COMPILED_LIMIT,
        report.COMPILE_MS_LIMIT,
    )
    found = report.targets(limits)
    assert [t["met"] for t in found] == [True] * len(report.TARGETS)
    assert all(report.describe_target(t).startswith("  met ") for t in found)


def test_every_target_is_not_met_just_past_its_limit():
    past = fake_rows(
        report.T1_LIMIT * 1.01,
        report.T2_LIMIT * 1.01,
        report.INF_LIMIT * 1.01,
        report.T1H_LIMIT * 0.99,
        report.T4_LIMIT * 0.99,
        report.T3_US_LIMIT * 1.01,
        report.T3_BYTES_LIMIT * 1.01,
        report.T3_CYCLES_LIMIT + 1,
        report.T1_FIT_LIMIT * 1.01,
        report.T1_STEP_LIMIT * 1.01,
        report.T2R_LIMIT * 1.01,
        report.INF_COMPILED_LIMIT * 1.01,
        report.COMPILE_MS_LIMIT * 1.01,
    )
    found = report.targets(past)
    assert [t["met"] for t in found] == [False] * len(report.TARGETS)
    lines = {t["key"]: report.describe_target(t) for t in found}
    assert "not met" in lines["T1"] and f"measured {report.T1_LIMIT * 1.01:.3g}, 1% above the limit" in lines["T1"]
    assert "1% below the limit" in lines["T4"]
    assert f"<= {report.T1_LIMIT}" in lines["T1"] and f"<= {report.INF_LIMIT}" in lines["INF"]


def test_a_target_without_its_row_is_not_measured():
    (t1, *_) = report.targets({})
    assert t1["met"] is None and t1["value"] is None
    assert report.describe_target(t1).startswith("  not measured")


# ---------------------------------------------------------------------------
# The hand-written baseline
# ---------------------------------------------------------------------------
LOSSES = {"cross_entropy": [4, 5, 3], "multiclass_hinge": [4, 5, 3], "hinge": [2, 4, 3, 1]}


def sample_batch(loss: str, sizes: list[int], seed: int, count: int = 3) -> list[tuple[list[float], object]]:
    rng = random.Random(seed)
    if loss == "hinge":
        return [([rng.uniform(-2, 2) for _ in range(sizes[0])], rng.choice([-1.0, 1.0])) for _ in range(count)]
    return [([rng.uniform(0, 1) for _ in range(sizes[0])], rng.randrange(sizes[-1])) for _ in range(count)]


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(sorted(LOSSES)), count=st.integers(1, 6))
def test_the_baselines_updating_step_gives_the_weights_of_gradients_then_update(seed, loss, count):
    sizes = LOSSES[loss]
    weights = contenders.initial_weights(sizes, seed)
    batch = sample_batch(loss, sizes, seed, count if loss == "hinge" else 1)
    network = contenders.HandWrittenMLP(weights, loss)
    lr = 0.3
    expected = [w - lr * g for w, g in zip(contenders.flat(weights), contenders.flat(network.gradients(batch)))]
    assert contenders.flat(network.weights()) == contenders.flat(weights)  # gradients() changes nothing
    network.step(batch, lr)
    assert harness.relative_error(expected, contenders.flat(network.weights())) <= TOLERANCE


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(["cross_entropy", "multiclass_hinge"]))
def test_the_baselines_one_sample_step_and_batch_step_agree(seed, loss):
    sizes = LOSSES[loss]
    weights = contenders.initial_weights(sizes, seed)
    (x, target) = sample_batch(loss, sizes, seed, 1)[0]
    in_pass = contenders.HandWrittenMLP(weights, loss)
    in_pass._train_sample(x, target, 0.2)
    batched = contenders.HandWrittenMLP(weights, loss)
    batched._train_batch([(x, target)], 0.2)
    assert harness.relative_error(contenders.flat(batched.weights()), contenders.flat(in_pass.weights())) <= TOLERANCE


def test_a_wrong_baseline_gradient_stops_the_benchmark(monkeypatch):
    weights = contenders.initial_weights([3, 4, 2], seed=1)
    original = contenders.HandWrittenMLP.gradients

    def off_by_a_little(self, batch):
        grads = original(self, batch)
        grads[0][1][0] += 1e-9  # one bias gradient, slightly wrong
        return grads

    monkeypatch.setattr(contenders.HandWrittenMLP, "gradients", off_by_a_little)
    found = contenders.network_contenders(
        weights, "multiclass_hinge", 0.1, [contenders.current_glassgrad()], micrograd=False, torch=False
    )
    with pytest.raises(AssertionError, match="hand-written gradients differ"):
        rows.network_row("X", "x", "us", found, [[([0.5, -1.0, 2.0], 1)]], 0.1, 1.0, bench.parse_args(["--quick"]))


def test_a_wrong_baseline_update_stops_the_benchmark(monkeypatch):
    weights = contenders.initial_weights([3, 4, 2], seed=1)
    original = contenders.HandWrittenMLP._train_sample

    def lr_slightly_off(self, x, target, lr):
        original(self, x, target, lr * (1.0 + 1e-6))

    monkeypatch.setattr(contenders.HandWrittenMLP, "_train_sample", lr_slightly_off)
    found = contenders.network_contenders(
        weights, "cross_entropy", 0.1, [contenders.current_glassgrad()], micrograd=False, torch=False
    )
    with pytest.raises(AssertionError, match="hand-written step differs"):
        rows.network_row("X", "x", "us", found, [[([0.5, -1.0, 2.0], 1)]], 0.1, 1.0, bench.parse_args(["--quick"]))


def test_the_hand_written_forward_pass_is_glassgrads():
    weights = contenders.initial_weights(rows.DIGITS_SIZES, seed=4)
    x = [random.Random(1).random() for _ in range(64)]
    glassgrad = contenders.GlassgradNN(weights, "cross_entropy", 0.1, contenders.current_glassgrad())
    expected = [v.data for v in glassgrad.forward(x)]
    assert harness.relative_error(expected, contenders.HandWrittenMLP(weights, "cross_entropy").forward(x)) <= TOLERANCE


def test_without_scikit_learn_the_digits_are_synthetic_and_deterministic(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import fails
    first, source = rows.digits_data(30, seed=3)
    again, _ = rows.digits_data(30, seed=3)
    assert "synthetic" in source and first == again
    assert len(first) == 30 and all(len(x) == 64 and 0 <= label < 10 for x, label in first)
    assert all(0.0 <= p <= 1.0 for x, _ in first for p in x)


# ---------------------------------------------------------------------------
# The contenders, on random weights: same gradients, and glassgrad's agree with finite differences
# ---------------------------------------------------------------------------
@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(sorted(LOSSES)))
def test_all_contenders_agree_on_random_networks(seed, loss):
    sizes = LOSSES[loss]
    weights = contenders.initial_weights(sizes, seed)
    batch = sample_batch(loss, sizes, seed, 3 if loss == "hinge" else 1)
    glassgrad = contenders.current_glassgrad()
    reference = contenders.GlassgradEngine(weights, loss, glassgrad).gradients(batch)
    others = {
        "nn": contenders.GlassgradNN(weights, loss, 0.1, glassgrad).gradients(batch),
        "baseline": contenders.flat(contenders.HandWrittenMLP(weights, loss).gradients(batch)),
    }
    if loss != "cross_entropy":
        others["scalar ops"] = contenders.ScalarOpNetwork(weights, loss, Value).gradients(batch)
        if HAS_MICROGRAD:
            from micrograd.engine import Value as MicrogradValue

            network = contenders.ScalarOpNetwork(weights, loss, MicrogradValue)
            others["micrograd scalar ops"] = network.gradients(batch)
            if loss == "multiclass_hinge":
                others["micrograd nn"] = contenders.MicrogradMLP(weights, loss).gradients(batch)
    for name, grads in others.items():
        assert harness.relative_error(reference, grads) <= TOLERANCE, name


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(sorted(LOSSES)))
def test_glassgrads_gradients_match_central_differences(seed, loss):
    sizes = LOSSES[loss]
    weights = contenders.initial_weights(sizes, seed)
    batch = sample_batch(loss, sizes, seed, 3 if loss == "hinge" else 1)
    network = contenders.GlassgradEngine(weights, loss, contenders.current_glassgrad())
    grads = network.gradients(batch)
    start = [p.data for p in network.params]

    def loss_at(*values: object) -> float:
        for p, v in zip(network.params, values):
            p.data = v.item()  # central_difference passes Values
        return network.loss(batch).data

    for index, analytic in enumerate(grads):
        estimate = central_difference(loss_at, *start, arg=index)
        assert analytic == pytest.approx(estimate, abs=1e-5, rel=1e-4), index


# ---------------------------------------------------------------------------
# --before: a second copy of glassgrad in the same process
# ---------------------------------------------------------------------------
def test_a_checkout_loads_beside_the_current_glassgrad():
    modules_before = {name: module for name, module in sys.modules.items() if name.split(".")[0] in ("autograd", "nn")}
    other = contenders.load_checkout(REPO)
    # sys.modules is as it was: the current glassgrad is still what `import autograd` gives.
    assert {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("autograd", "nn")} == modules_before
    assert other.autograd is not autograd and other.nn is not nn
    assert other.autograd.Value is not Value
    assert other.nn.MLP(2, [3, 1], rng=random.Random(0)).parameters()[0].__class__ is other.autograd.Value
    # Inside active(), an import at call time finds the other copy's modules; outside, the current ones.
    with other.active():
        import autograd.ops as ops_inside

        assert sys.modules["autograd"] is other.autograd
    assert ops_inside is other.modules["autograd.ops"]
    assert sys.modules["autograd"] is autograd
    import autograd.ops as ops_outside

    assert ops_outside is not ops_inside


def test_a_directory_without_glassgrad_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a glassgrad checkout"):
        contenders.load_checkout(tmp_path)
    with pytest.raises(SystemExit):
        bench.parse_args(["--before", str(tmp_path)])


def test_before_mode_adds_both_before_contenders_to_every_row(before_report):
    by_id = rows_by_id(before_report)
    assert set(by_id) == ALL_ROWS
    assert set(before_report["glassgrad"]) == {"glassgrad", BEFORE}
    for row_id in ("T1", "T1h", "T2"):
        ok = ok_results(by_id[row_id])
        assert {"glassgrad", "glassgrad engine", BEFORE, ENGINE_BEFORE, "baseline"} <= set(ok), row_id
        for name in (BEFORE, ENGINE_BEFORE):
            assert ok[name]["gradient_error"] <= TOLERANCE, (row_id, name)
            assert ok[name]["median"] > 0 and math.isfinite(ok[name]["ratio"])
        assert by_id[row_id]["ratio_to"] == "baseline"
    assert BEFORE in ok_results(by_id["T4"])
    assert ok_results(by_id["T4"])[BEFORE]["gradient_error"] <= TOLERANCE
    inf = ok_results(by_id["INF"])
    for name in (f"{BEFORE} no_grad", f"{ENGINE_BEFORE} no_grad"):
        assert inf[name]["no_parents"] is True and inf[name]["output_error"] <= TOLERANCE
    for entry in by_id["T3"]["sizes"]:
        assert [r["contender"] for r in entry["results"]] == ["glassgrad", BEFORE]
        assert all(r["cyclic_garbage_found"] == 0 for r in entry["results"])
    for target in before_report["targets"]:
        assert set(target["others"]) == {BEFORE}
    text = report.format_table(before_report)
    assert f"  {ENGINE_BEFORE} " in text and f"[{BEFORE}: " in text


# ---------------------------------------------------------------------------
# Both ways to run it
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["-m", "benchmarks"], [str(REPO / "benchmarks" / "run.py")]])
def test_it_runs_as_a_module_and_as_a_script(command, tmp_path):
    cwd = REPO if command[0] == "-m" else tmp_path  # the script finds its checkout from any folder
    args = ["--quick", "--rows", "T3,INF", "--no-micrograd", "--no-torch", "--chain-nodes", "100"]
    done = subprocess.run(
        [sys.executable, *command, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "\nT3  deep chain" in done.stdout and "\nINF  T1 forward pass" in done.stdout
    assert "\nTargets\n" in done.stdout

"""Run the benchmark: ``python -m benchmarks`` or ``python benchmarks/run.py`` (see ``--help``).

python -m benchmarks                        # the full run (a few minutes)
python -m benchmarks --json bench.json      # ... and the report as JSON
python -m benchmarks --quick                # tiny sizes, seconds: a smoke test
python -m benchmarks --before ../old-tree   # also an older checkout's glassgrad, side by side
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a script from a checkout: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.contenders import current_glassgrad, load_checkout, missing
from benchmarks.harness import settle
from benchmarks.report import add_ratios, format_table, targets, write_json
from benchmarks.rows import ROW_IDS, run_rows

#: The contender each row's ratio column divides by.
RATIO_TO = {
    "T1": "baseline",
    "T1h": "baseline",
    "T2": "baseline",
    "T2r": "baseline",
    "T4": "glassgrad",
    "INF": "baseline",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="glassgrad against the pure-Python limit and other engines",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test, seconds)")
    parser.add_argument("--samples", type=int, default=200, help="T1 and INF: digits samples per repeat")
    parser.add_argument("--batch", type=int, default=100, help="T2/T4: batch size")
    parser.add_argument("--steps", type=int, default=5, help="T2/T4: steps per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (the median is reported)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed repeats first")
    parser.add_argument(
        "--chain-nodes",
        type=lambda text: [int(float(n)) for n in text.split(",")],
        default=[1_000, 10_000, 100_000, 1_000_000],
        help="T3: chain lengths in nodes, comma-separated",
    )
    parser.add_argument("--chain-repeats", type=int, default=3, help="T3: timed repeats per length")
    parser.add_argument("--rows", default=",".join(ROW_IDS), help="rows to run, comma-separated")
    parser.add_argument("--no-micrograd", dest="micrograd", action="store_false", help="leave micrograd out")
    parser.add_argument("--no-torch", dest="torch", action="store_false", help="leave PyTorch out")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="another glassgrad checkout (e.g. a git worktree of an older commit): its contenders run too,"
        " as 'glassgrad (before)' and 'glassgrad engine (before)'",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.batch, args.steps = 4, 4, 1
        args.repeats, args.warmup, args.chain_repeats = 1, 0, 1
        args.chain_nodes = [1_000, 10_000]
    for name in ("samples", "batch", "steps", "repeats", "chain_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    unknown = set(args.rows.split(",")) - set(ROW_IDS)
    if unknown:
        parser.error(f"--rows: unknown rows {sorted(unknown)}; the rows are {','.join(ROW_IDS)}")
    if args.before is not None and not (args.before / "autograd" / "__init__.py").is_file():
        parser.error(f"--before: {args.before} is not a glassgrad checkout (no autograd/__init__.py)")
    return args


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; return the report (the table as a dict)."""
    settings = parse_args(argv)
    versions = [current_glassgrad()]
    if settings.before is not None:
        versions.append(load_checkout(settings.before))
    # Import what the contenders use now, then freeze every object alive (see
    # settle(), called again before each row's timing); gc.unfreeze() at the end.
    for module, wanted in (("micrograd.nn", settings.micrograd), ("torch", settings.torch)):
        if wanted and missing(module.split(".")[0]) is None:
            importlib.import_module(module)
    settle()
    try:
        rows, digits_source = run_rows(settings, versions)
    finally:
        gc.unfreeze()
    for row_id, row in rows.items():
        if row_id in RATIO_TO:
            add_ratios(row, RATIO_TO[row_id])
    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count() or 1} cores",
        "glassgrad": {v.label: f"{v.directory} (version {v.autograd.__version__})" for v in versions},
        "digits_source": digits_source,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(settings).items()},
        "rows": list(rows.values()),
        "targets": targets(rows, tuple(v.label for v in versions)),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run, print the table, write the JSON if asked; return the report."""
    report = run(argv)
    print(format_table(report))
    json_path = report["settings"]["json"]
    if json_path:
        write_json(report, json_path)
        print(f"\nwrote {json_path}")
    return report


if __name__ == "__main__":
    main()

"""How fast is glassgrad? The same work through several engines, in one process and one run.

Run it from the repository root::

    python -m benchmarks                        # the full run (a few minutes)
    python -m benchmarks --json bench.json      # ... and the report as JSON
    python -m benchmarks --quick                # tiny sizes, seconds: a smoke test
    python -m benchmarks --before DIR           # also the glassgrad of checkout DIR, side by side
    python -m benchmarks.instructions           # instructions per step under valgrind (see benchmarks.instructions)

The rows (T1, T1h, T2, T2r, T3, T4, INF) are described in :mod:`benchmarks.rows`,
the contenders in :mod:`benchmarks.contenders`, how they are timed in
:mod:`benchmarks.harness`, the targets in :mod:`benchmarks.report`, and how
to read the table in ``docs/performance.md``.

Contenders take turns, one timed run each per round, so that a change in the
machine's load falls on all alike: every figure that matters is a ratio of
two times measured side by side in one run. Each row's figure is the median
over ``--repeats`` timed runs, after a warm-up.
"""

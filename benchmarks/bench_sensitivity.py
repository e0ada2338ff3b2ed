"""Sensitivity benchmarks: Monte Carlo (1,000,000 draws, CLI), Sobol (2^14 base samples, ten
targets), a tornado of twenty inputs; each against evaluating the same scenarios one at a time.

The one-at-a-time figure times a sample of single-scenario engine calls and scales it up to
the same number of scenarios (running a million of them one by one would take an hour).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _timing import best_of, peak_memory, report  # noqa: E402

import tariffmodel as tm  # noqa: E402
from tariffmodel.analysis import montecarlo as mc  # noqa: E402
from tariffmodel.analysis import sensitivity as sa  # noqa: E402

SCENARIO = ROOT / "data" / "scenarios" / "nedc-base.yaml"
DRAWS = ROOT / "data" / "draws" / "nedc-base.yaml"
N_MC = 1_000_000
SOBOL_N = 2**14


def one_at_a_time(sc, overrides: dict[str, np.ndarray], total: int, sample: int = 200) -> float:
    """Seconds to evaluate ``total`` scenarios one engine call each, from a timed sample."""
    t0 = time.perf_counter()
    for i in range(sample):
        tm.evaluate(sc, overrides={k: v[i : i + 1] for k, v in overrides.items()}, n=1)
    return (time.perf_counter() - t0) / sample * total


def bench_montecarlo(sc, spec, runs: int = 7) -> None:
    walls, cpus, rss = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs):
            cmd = [
                str(Path(sys.executable).with_name("tariffmodel")),
                "montecarlo",
                str(SCENARIO),
                "--draws",
                str(DRAWS),
                "--out",
                f"{tmp}/mc{k}",
                "--n",
                str(N_MC),
            ]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            rss = max(rss, after.ru_maxrss)
            cpus.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
    label = f"montecarlo CLI: {N_MC:,} draws, {len(spec.targets)} targets, 4 years (wall)"
    report(f"{label}, median of {runs}", float(np.median(walls)), "s", "< 3 s")
    print(f"  each run [s]: {', '.join(f'{w:.2f}' for w in walls)}", flush=True)
    report("montecarlo CLI: CPU time, all processes (user + system)", float(np.median(cpus)), "s")
    report("montecarlo CLI: peak resident memory", rss / 1024, "MB", "< 4096 MB")
    inproc = best_of(lambda: mc.monte_carlo(sc, spec, n=N_MC), repeat=2)
    report("monte_carlo() in process, 1e6 draws (best of 2)", inproc, "s")
    report(
        "monte_carlo() peak memory (tracemalloc)",
        peak_memory(lambda: mc.monte_carlo(sc, spec, n=N_MC)),
        "MB",
    )
    drawn = mc.sample(spec, 1000, 1)
    single = one_at_a_time(sc, drawn, N_MC)
    report("  the same draws one scenario at a time (scaled from 200)", single, "s")
    report("  ratio one-at-a-time / vectorised (in process)", single / inproc, "x")


def bench_sobol(sc, spec) -> None:
    ten = {
        "draws": {
            t: {"dist": d.name, **d.params} for t, d in list(spec.distributions.items())[:10]
        },
        "seed": 1,
    }
    t = best_of(lambda: sa.sobol(sc, ten, SOBOL_N, seed=1), repeat=2)
    n = SOBOL_N * (10 + 2)
    report(
        f"sobol: 2^14 base samples, 10 targets ({n:,} scenarios), MADR by year", t, "s", "< 10 s"
    )
    u = np.random.default_rng(0).random((1000, 10))
    values = sa._unit_to_values(mc.as_spec(ten), u, morris=False)
    single = one_at_a_time(sc, values, n)
    report("  the same scenarios one at a time (scaled from 200)", single, "s")
    report("  ratio one-at-a-time / vectorised", single / t, "x")


def bench_tornado(sc) -> None:
    targets = [
        "notified.X",
        "notified.BAND",
        "notified.s",
        "notified.r",
        "notified.CAP",
        "notified.TS",
        "notified.a",
        "notified.c",
        "notified.p",
        "notified.loss_cap_share",
        *[f"inputs.CA@{y}" for y in sc.years],
        *[f"inputs.RBS@{y - 1}" for y in sc.years],
        *[f"inputs.RUD@{y - 1}" for y in sc.years[:2]],
    ]
    ranges = {}
    for t in targets:
        b = sa.base_value(sc, t)
        ranges[t] = (0.95 * b, 1.05 * b)
    assert len(ranges) == 20
    t = best_of(lambda: sa.tornado(sc, ranges), repeat=5)
    report("tornado: 20 inputs, MADR by year and period (best of 5)", t, "s", "< 0.2 s")
    t0 = time.perf_counter()
    for target, (lo, hi) in ranges.items():
        for v in (lo, hi):
            tm.evaluate(sc, overrides={target: np.array([v])}, n=1)
    single = time.perf_counter() - t0
    report("  the same 40 scenarios one engine call each", single, "s")
    report("  ratio one-at-a-time / vectorised", single / t, "x")


def main() -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"sensitivity benchmarks on {os.cpu_count()} cores (load average {load}: wall times "
        f"grow with other work on the machine); scenario {SCENARIO.name}"
    )
    sc = tm.load_scenario(SCENARIO)
    spec = mc.load_draws(DRAWS, sc)
    bench_tornado(sc)
    bench_sobol(sc, spec)
    bench_montecarlo(sc, spec)


if __name__ == "__main__":
    main()

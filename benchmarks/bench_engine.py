"""Engine speed: one scenario through project(); 100,000 scenarios in one vectorised call.

Targets (issue: Schedule 2 engine): one 4-year scenario in under 5 ms; 100,000 4-year scenarios
in one call in under 0.2 s and under 1 GB peak memory; the ratio against one-by-one evaluation.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, peak_memory, report  # noqa: E402

import tariffmodel as tm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "data" / "worked-example.yaml"


def overrides(sc, n, seed=1):
    rng = np.random.default_rng(seed)
    T = len(sc.years)
    return {
        "inputs.CA": rng.uniform(1.2e6, 1.5e6, (n, T)),
        "inputs.CPI": rng.uniform(0.0, 0.04, (n, T)),
        "inputs.RBS": rng.uniform(33e9, 38e9, (n, T)),
        "inputs.WS": rng.uniform(0.7, 1.0, (n, T)),
        "notified.X": rng.uniform(0.0, 0.03, n),
        "notified.TL": rng.uniform(0.07, 0.09, n),
        "inputs.recovery": rng.uniform(0.85, 1.1, (n, T)),
    }


def main() -> None:
    sc = tm.load_scenario(SCENARIO)
    tm.project(sc)  # warm caches
    t_one = best_of(lambda: tm.project(sc), repeat=50)
    report("project(): one scenario, 4 years", t_one * 1e3, "ms", "< 5 ms")
    t_eval1 = best_of(lambda: tm.evaluate(sc), repeat=50)
    report("evaluate(): one scenario, 4 years (arrays, no table)", t_eval1 * 1e3, "ms")

    n = 100_000
    ov = overrides(sc, n)
    t_vec = best_of(lambda: tm.evaluate(sc, ov), repeat=5)
    report(f"evaluate(): {n:,} scenarios x 4 years in one call", t_vec, "s", "< 0.2 s")
    mem = peak_memory(lambda: tm.evaluate(sc, ov))
    report("peak memory of that call (tracemalloc, numpy arrays)", mem, "MB", "< 1000 MB")

    k = 500
    small = {key: v[:k] for key, v in ov.items()}
    t0 = time.perf_counter()
    for i in range(k):
        tm.evaluate(sc, {key: v[i : i + 1] for key, v in small.items()})
    per = (time.perf_counter() - t0) / k
    report(f"one-by-one: per scenario (mean of {k})", per * 1e3, "ms")
    report(f"one-by-one: {n:,} scenarios (extrapolated)", per * n, "s")
    report("ratio one-by-one / vectorised", per * n / t_vec, "x")


if __name__ == "__main__":
    main()

"""Shared timing helpers for the benchmarks."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The best wall time [s] of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_memory(fn: Callable[[], object]) -> float:
    """Peak memory [MB] allocated by Python and numpy during one call (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def report(label: str, value: float, unit: str, target: str = "") -> None:
    tail = f"   (target {target})" if target else ""
    print(f"{label:<60s} {value:12.4g} {unit}{tail}", flush=True)

"""Comparing two scenarios: the Shapley split of the difference of MADR, exact (the shipped
alternative-readings scenario against the base: 8 drivers, 256 variants in 16 engine calls;
by cell, 17 drivers estimated from 1,000 sampled orderings) and at the exact limit (16 drivers,
65,536 variants), with its memory."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, peak_memory, report  # noqa: E402

import tariffmodel as tm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"


def main() -> None:
    base = tm.load_scenario(SCENARIOS / "nedc-base.yaml")
    alt = tm.load_scenario(SCENARIOS / "nedc-alt-readings.yaml")
    keyed = tm.compare(base, alt)
    cell = tm.compare(base, alt, by="cell")
    limit = tm.compare(base, alt, by="cell", exact_max=17)
    print(
        f"by key: {len(keyed.drivers)} drivers, {keyed.variants} variants, {keyed.engine_calls} "
        f"engine calls; by cell: {len(cell.drivers)} drivers, {cell.variants} variants "
        f"({cell.method}); exact by cell: {limit.variants} variants"
    )
    report("by key, exact, 8 drivers [s]", best_of(lambda: tm.compare(base, alt)), "s", "< 0.5")
    report(
        "by cell, 1,000 sampled orderings, 17 drivers [s]",
        best_of(lambda: tm.compare(base, alt, by="cell"), repeat=3),
        "s",
        "< 1",
    )
    report(
        "by cell, exact, 17 drivers (131,072 variants) [s]",
        best_of(lambda: tm.compare(base, alt, by="cell", exact_max=17), repeat=2),
        "s",
    )
    report(
        "peak memory, exact with 17 drivers [MB]",
        peak_memory(lambda: tm.compare(base, alt, by="cell", exact_max=17)),
        "MB",
    )


if __name__ == "__main__":
    main()

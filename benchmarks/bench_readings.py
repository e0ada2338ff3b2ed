"""Figures for the readings side by side (tariffmodel.analysis.readings.compare): the 256
combinations of R1-R8 on the bundled scenarios, and a change of an engine-only reading."""

from __future__ import annotations

from pathlib import Path

from _timing import best_of, report

import tariffmodel as tm
from tariffmodel.analysis.readings import compare

DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"


def main() -> None:
    base = tm.load_scenario(DATA / "nedc-base.yaml")
    alt = tm.load_scenario(DATA / "nedc-alt-readings.yaml")
    report("with_readings, an engine reading (R8): no relinking",
           best_of(lambda: base.with_readings(call_centre_cap="per_kpi")) * 1e3, "ms")  # fmt: skip
    report("with_readings, a linked reading (R6): the links again",
           best_of(lambda: base.with_readings(specified_rate_months="published_in_year"),
                   repeat=3) * 1e3, "ms")  # fmt: skip
    for name, sc in (("nedc-base", base), ("nedc-alt-readings", alt)):
        rows = len(compare(sc))
        t = best_of(lambda sc=sc: compare(sc), repeat=2)
        report(f"compare {name} (256 combinations, {rows} rows kept)", t, "s", "< 5 s")


if __name__ == "__main__":
    main()

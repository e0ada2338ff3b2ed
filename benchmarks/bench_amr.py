"""AMR building block: the default plan from a loaded plan, and 10,000 plan variants (unit costs
by asset class and WACC) in one vectorised call."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, peak_memory, report  # noqa: E402

from tariffmodel.model import (
    amr,
    wpra,  # noqa: E402
)

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"
WPRA = ROOT / "data" / "amr" / "nedc-wpra.yaml"
N_VARIANTS = 10_000


def main() -> None:
    plan = amr.load_plan(PLAN)
    arr = amr.plan_arrays(plan)
    print(
        f"default plan: {plan.total_meters:,.0f} meters, {len(plan.capex)} asset classes, "
        f"{len(arr.years)} years {arr.years[0]}-{arr.years[-1]} (to full depreciation)"
    )

    def cold_allowance():
        amr.plan_arrays.cache_clear()  # build the cost arrays again, not from the cache
        return amr.allowance(plan)

    def cold_table():
        amr.plan_arrays.cache_clear()
        return amr.table(plan), amr.summary(plan)

    report(
        "default plan: AMR_t series from a loaded plan",
        best_of(cold_allowance, 20) * 1e3,
        "ms",
        "< 50 ms",
    )
    report("default plan: amr.csv table + summary", best_of(cold_table, 10) * 1e3, "ms", "< 50 ms")
    report(
        "default plan: load_plan (YAML read and checks)",
        best_of(lambda: amr.load_plan(PLAN), 10) * 1e3,
        "ms",
    )

    rng = np.random.default_rng(2026)
    k = len(plan.capex)
    wacc = rng.uniform(0.04, 0.10, N_VARIANTS)
    capex_scale = rng.uniform(0.7, 1.3, (N_VARIANTS, k))
    opex_scale = rng.uniform(0.8, 1.2, N_VARIANTS)

    def variants():
        return amr.run_variants(plan, wacc=wacc, capex_scale=capex_scale, opex_scale=opex_scale)

    r = variants()
    gap = np.max(
        np.abs(r["npv_allowance"] + r["npv_closing_rav"] - r["npv_costs"]) / r["npv_costs"]
    )
    report(
        f"{N_VARIANTS:,} variants (unit costs by class, WACC), one call",
        best_of(variants, 5),
        "s",
        "< 1 s",
    )
    report(f"{N_VARIANTS:,} variants: peak memory", peak_memory(variants), "MB")
    report(f"{N_VARIANTS:,} variants: largest relative NPV identity gap", gap, "")
    for conv in ("half_year", "as_incurred"):
        t = best_of(
            lambda c=conv: amr.run_variants(plan, wacc=wacc, capex_scale=capex_scale, convention=c),
            3,
        )
        report(f"{N_VARIANTS:,} variants, {conv}", t, "s", "< 1 s")
    w = wpra.load_wpra(WPRA)
    report("default WPRA file: WPRA_t series", best_of(lambda: wpra.wpra_series(w), 20) * 1e3, "ms")


if __name__ == "__main__":
    main()

"""Figures for the CPI basket, CPI_t and the Specified Rate (tariffmodel.model.indices), the loaders
of tariffmodel.inputs.series and the licence fee."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _timing import best_of, peak_memory, report

from tariffmodel.inputs import series
from tariffmodel.licence.condition13 import licence_fee
from tariffmodel.licence.indices import CPI_BASES
from tariffmodel.model import indices as ix

DATA = Path(__file__).resolve().parents[1] / "data"


def main() -> None:
    groups_csv = DATA / "cpi" / "sultanate-cpi-groups.csv"
    weights_csv = DATA / "cpi" / "sultanate-cpi-weights.csv"
    rates_csv = DATA / "rates" / "deposit-rates.csv"
    report(
        "load_cpi (default files, 90 months x 12 groups)",
        best_of(lambda: ix.load_cpi(groups_csv, weights_csv)) * 1e3,
        "ms",
    )
    report(
        "load_deposit_rates (default file)",
        best_of(lambda: series.load_deposit_rates(rates_csv)) * 1e3,
        "ms",
    )

    # a long synthetic series: 200 years of months, CPI_t of 100,000 draws of year
    n_months = 200 * 12
    rng = np.random.default_rng(0)
    idx = pd.period_range("1900-01", periods=n_months, freq="M")
    groups = pd.DataFrame(
        100 * np.cumprod(1 + rng.normal(0.002, 0.005, (n_months, 12)), axis=0),
        index=idx,
        columns=range(1, 13),
    )
    weights = dict(zip(range(1, 13), rng.uniform(1, 30, 12), strict=True))
    report(
        "omani_cpi_index (2,400 months)",
        best_of(lambda: ix.omani_cpi_index(groups, weights)) * 1e3,
        "ms",
    )
    cpi = ix.omani_cpi_index(groups, weights)
    years = rng.integers(1903, 2099, 100_000)
    for basis in CPI_BASES:
        t = best_of(lambda basis=basis: ix.cpi_change(cpi, years, basis), repeat=3)
        report(f"cpi_change {basis} (100,000 years)", t * 1e3, "ms")
    mem = peak_memory(lambda: ix.cpi_change(cpi, years, "twelve_month_average"))
    report("cpi_change twelve_month_average peak memory (100,000 years)", mem, "MB")
    rates = pd.Series(rng.uniform(0.01, 0.04, n_months), index=idx)
    t = best_of(lambda: ix.specified_rate(rates, years), repeat=3)
    report("specified_rate (100,000 years)", t * 1e3, "ms")
    fee = best_of(lambda: licence_fee(rng.uniform(1e7, 3e7, 1_000_000), 0.05, 1e6, 2e7, 0.05))
    report("licence_fee (1,000,000 draws)", fee * 1e3, "ms")


if __name__ == "__main__":
    main()

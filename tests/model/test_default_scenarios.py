"""Tests of the default scenarios (data/scenarios): each runs, and each shows what it is for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.inputs import series
from tariffmodel.model import indices as ix

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
GROUPS_CSV = DATA / "cpi" / "sultanate-cpi-groups.csv"
WEIGHTS_CSV = DATA / "cpi" / "sultanate-cpi-weights.csv"
RATES_CSV = DATA / "rates" / "deposit-rates.csv"


SCENARIOS = sorted((DATA / "scenarios").glob("*.yaml"))


def test_default_scenario_set_names():
    names = {p.stem for p in SCENARIOS}
    assert {
        "nedc-base",
        "nedc-high-inflation",
        "nedc-losses-stall",
        "nedc-under-recovery",
        "nedc-alt-readings",
    } <= names
    assert not list((DATA / "scenarios").glob("*.csv"))  # CSVs live in a subfolder


@pytest.fixture(scope="module")
def projected():
    out = {}
    for path in SCENARIOS:
        sc = tm.load_scenario(path)
        out[path.stem] = (sc, tm.project(sc))
    return out


def test_every_default_scenario_runs(projected):
    for name, (sc, table) in projected.items():
        backcast = name == "nedc-backcast-2023-2025"
        assert sc.years == ([2023, 2024, 2025] if backcast else [2026, 2027, 2028, 2029])
        assert np.isfinite(table["MADR"].to_numpy(float)).all()


def test_base_takes_cpi_and_sr_from_the_series(projected):
    _sc, table = projected["nedc-base"]
    cpi = ix.cpi_by_year(ix.load_cpi(GROUPS_CSV, WEIGHTS_CSV), table["year"])
    sr = ix.specified_rate_by_year(series.load_deposit_rates(RATES_CSV), table["year"])
    np.testing.assert_allclose(table["CPI"].to_numpy(float), cpi.to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(table["SR"].to_numpy(float), sr.to_numpy(), rtol=1e-15)


#: The scenarios written as "the base case with" a stress of their own.
VARIANTS = ["nedc-high-inflation", "nedc-losses-stall", "nedc-under-recovery", "nedc-alt-readings"]


@pytest.mark.parametrize("name", VARIANTS)
def test_variants_keep_the_base_case_amr_and_wpra(projected, name):
    """Each variant is the base case but for its stress: the same AMR_t and WPRA_t, so that a
    comparison with the base case shows the stress alone (not a smart-metering allowance
    present in one file only)."""
    base, table = projected["nedc-base"][1], projected[name][1]
    assert (base["AMR"] > 0).all() and (base["WPRA"] != 0).any()
    for column in ("AMR", "WPRA"):
        np.testing.assert_array_equal(table[column].to_numpy(float), base[column].to_numpy(float))


def test_high_inflation_starts_from_the_base_case(projected):
    """The stress starts in 2027: the year table's CPI and SR of 2026 are the base case's in
    full, so MADR_2026 is the base case's to the last bit."""
    base, table = projected["nedc-base"][1].iloc[0], projected["nedc-high-inflation"][1].iloc[0]
    for column in ("CPI", "SR", "K", "AMR", "MADR"):
        assert table[column] == base[column], column


def test_under_recovery_trips_paragraph_5(projected):
    _sc, table = projected["nedc-under-recovery"]
    assert table["para5"].tolist() == [False, False, True, True]


def test_losses_stall_reaches_the_cap(projected):
    _sc, table = projected["nedc-losses-stall"]
    assert (table["LOSS"].iloc[1:] < 0).all()
    assert table["LOSS"].iloc[-1] == pytest.approx(-0.03 * table["DB"].iloc[-1], rel=1e-12)


def test_alt_readings_are_the_alternatives(projected):
    sc, table = projected["nedc-alt-readings"]
    assert sc.readings == {
        "loss_deadband": "every_year",
        "call_centre": "penalty_only",
        "para4_excess": "net",
        "para5_substitution": "cap_at_90pct",
        "cpi_basis": "twelve_month_average",
        # R6-R8 are not written in the file: their defaults
        "specified_rate_months": "reference_year",
        "licence_fee_true_up": "owed_minus_paid",
        "call_centre_cap": "total",
    }
    assert table["D"].tolist() == [1, 1, 0, 1]  # AL_2027 inside the 2027 dead band
    assert not table["para4"].iloc[1]  # net: 5 % over in 2026, 15 % under in 2027
    defaults = sc.with_readings(**{k: v[0] for k, v in tm.READINGS.items()})
    assert tm.project(defaults)["para4"].iloc[1]  # positive parts: the 2026 excess alone
    # R4: K_2029 uses 0.9 x MADR_2028 in place of ARDR_2028
    k = table.set_index("year")
    expected = (0.9 * k.loc[2028, "MADR"] - k.loc[2028, "MADR"]) * (1 + k.loc[2029, "i"])
    assert k.loc[2029, "K"] == pytest.approx(expected, rel=1e-12)


def test_backcast_uses_the_published_figures_where_they_enter():
    sc = tm.load_scenario(DATA / "scenarios" / "nedc-backcast-2023-2025.yaml")
    assert sc.years == [2023, 2024, 2025] and sc.first_relevant_year == 2023
    rows = sc.rows
    # NEDC's published losses of 2023 and 2024 (Zawya), exactly to their two decimals
    for year, published in ((2023, 0.0823), (2024, 0.0795)):
        assert round(1 - rows[year]["RUD"] / rows[year]["RBS"], 4) == published
    # CPI_2025: June 2024 on June 2023 of the basket, both months fitted to published changes
    basket = ix.load_cpi(GROUPS_CSV, WEIGHTS_CSV)
    jun = {y: basket[pd.Period(f"{y}-06", "M")] for y in (2023, 2024)}
    assert rows[2025]["CPI"] == pytest.approx(jun[2024] / jun[2023] - 1, rel=1e-12)
    # SR_2023: the mean of the 2022 deposit rates, which now run about 1.9 %
    rates = series.load_deposit_rates(RATES_CSV)
    assert rows[2023]["SR"] == pytest.approx(rates["2022-01":"2022-12"].mean(), rel=1e-12)
    assert 0.0188 < rows[2023]["SR"] < 0.0192
    table = tm.project(sc)
    assert np.isfinite(table["MADR"]).all() and (table["MADR"] > 0).all()

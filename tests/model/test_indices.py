"""Tests of the Omani CPI basket, CPI_t (reading R5) and the Specified Rate over monthly pandas
series, and of CPI_t and SR of the default data.

Hand-computed values carry every intermediate step, one assert per step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.inputs import series
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence.indices import CPI_BASES
from tariffmodel.model import indices as ix

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
GROUPS_CSV = DATA / "cpi" / "sultanate-cpi-groups.csv"
WEIGHTS_CSV = DATA / "cpi" / "sultanate-cpi-weights.csv"
RATES_CSV = DATA / "rates" / "deposit-rates.csv"


def months(start: str, n: int) -> pd.PeriodIndex:
    return pd.period_range(start, periods=n, freq="M")


# --------------------------------------------------------------------------------------------
# the basket by hand
#
# weights: group 1: 20, groups 2 and 3: 10, group 4: 40 (left out), groups 5-12: 2.5 each.
# basket sum = 20 + 10 + 10 + 8 x 2.5 = 60
# w_1 = 20/60 = 1/3; w_2 = w_3 = 10/60 = 1/6; w_5..w_12 = 2.5/60 = 1/24; w_4 = 0
# June 2024: every group at 100 -> OCPI = 100
# June 2025: g1 106, g2 112, g3 94, g4 150 (out), g5..g12 103
#   OCPI = 106/3 + 112/6 + 94/6 + 8 x 103/24 = 35.3333 + 18.6667 + 15.6667 + 34.3333 = 104
# CPI_2026 (june_on_june) = 104/100 - 1 = 0.04

HAND_WEIGHTS = {1: 20.0, 2: 10.0, 3: 10.0, 4: 40.0} | {g: 2.5 for g in range(5, 13)}


@pytest.fixture
def hand_groups() -> pd.DataFrame:
    frame = pd.DataFrame({g: [100.0, 103.0] for g in range(1, 13)}, index=["2024-06", "2025-06"])
    frame.index = pd.PeriodIndex(frame.index, freq="M")
    frame.loc[pd.Period("2025-06", "M"), [1, 2, 3, 4]] = [106.0, 112.0, 94.0, 150.0]
    return frame


def test_hand_weights_each_step():
    w = ix.omani_cpi_weights(HAND_WEIGHTS)
    assert w[1] == pytest.approx(1 / 3, rel=1e-15)
    assert w[2] == pytest.approx(1 / 6, rel=1e-15)
    assert w[3] == pytest.approx(1 / 6, rel=1e-15)
    assert w[4] == 0.0
    assert all(w[g] == pytest.approx(1 / 24, rel=1e-15) for g in range(5, 13))
    assert w.sum() == pytest.approx(1.0, rel=1e-15)


def test_hand_basket_and_cpi(hand_groups):
    index = ix.omani_cpi_index(hand_groups, HAND_WEIGHTS)
    assert index.iloc[0] == pytest.approx(100.0, rel=1e-15)
    assert 106 / 3 == pytest.approx(35.333333333, rel=1e-9)  # group 1's part of June 2025
    assert 112 / 6 + 94 / 6 == pytest.approx(34.333333333, rel=1e-9)  # groups 2 and 3
    assert 8 * 103 / 24 == pytest.approx(34.333333333, rel=1e-9)  # groups 5-12
    assert index.iloc[1] == pytest.approx(104.0, rel=1e-14)
    assert ix.cpi_change(index, 2026) == pytest.approx(0.04, rel=1e-12)


def test_group_4_has_no_effect(hand_groups):
    moved = hand_groups.copy()
    moved[4] = moved[4] * 7.0
    a = ix.omani_cpi_index(hand_groups, HAND_WEIGHTS)
    b = ix.omani_cpi_index(moved.drop(columns=[4]), HAND_WEIGHTS)
    c = ix.omani_cpi_index(moved, HAND_WEIGHTS)
    pd.testing.assert_series_equal(a, b)
    pd.testing.assert_series_equal(a, c)


def test_weights_array_forms():
    arr = np.array([HAND_WEIGHTS[g] for g in range(1, 13)])
    w = ix.omani_cpi_weights(arr)
    assert isinstance(w, np.ndarray) and w.shape == (12,)
    assert w[0] == pytest.approx(1 / 3, rel=1e-15)
    assert w[3] == 0.0
    two = ix.omani_cpi_weights(np.vstack([arr, 2 * arr]))
    assert two.shape == (2, 12)
    np.testing.assert_allclose(two[1], w, rtol=1e-15)


def test_weights_errors():
    with pytest.raises(InputError, match="must not be negative"):
        ix.omani_cpi_weights(HAND_WEIGHTS | {7: -1.0})
    with pytest.raises(InputError, match=r"group\(s\) 7 \(Transport\)"):
        ix.omani_cpi_weights({g: v for g, v in HAND_WEIGHTS.items() if g != 7})
    with pytest.raises(InputError, match="sum to zero"):
        ix.omani_cpi_weights({g: (5.0 if g == 4 else 0.0) for g in range(1, 13)})
    with pytest.raises(InputError, match="'food' is not a CPI group number"):
        ix.omani_cpi_weights(pd.Series({"food": 1.0} | HAND_WEIGHTS))
    with pytest.raises(InputError, match="last axis"):
        ix.omani_cpi_weights(np.ones(11))


def test_basket_missing_group_column_and_blank_cell(hand_groups):
    with pytest.raises(InputError, match=r"group\(s\) 9 \(Recreation"):
        ix.omani_cpi_index(hand_groups.drop(columns=[9]), HAND_WEIGHTS)
    blank = hand_groups.copy()
    blank.loc[pd.Period("2025-06", "M"), 6] = np.nan
    with pytest.raises(InputError, match="month 2025-06: the index of group 6"):
        ix.omani_cpi_index(blank, HAND_WEIGHTS)


# --------------------------------------------------------------------------------------------
# reading R5 by hand
#
# Jul 2023 - Jun 2024: 100 (Jul-Dec 2023), 102 (Jan-Jun 2024): mean 101
# Jul 2024 - Jun 2025: 103.03 (Jul-Dec 2024), 105.03 (Jan-Jun 2025): mean 104.03
# twelve_month_average CPI_2026 = 104.03 / 101 - 1 = 0.03
# june_on_june CPI_2026 = OCPI(Jun 2025) / OCPI(Jun 2024) - 1 = 105.03 / 102 - 1


@pytest.fixture
def r5_series() -> pd.Series:
    values = [100.0] * 6 + [102.0] * 6 + [103.03] * 6 + [105.03] * 6
    return pd.Series(values, index=months("2023-07", 24))


def test_r5_twelve_month_average_by_hand(r5_series):
    den = r5_series["2023-07":"2024-06"].mean()
    num = r5_series["2024-07":"2025-06"].mean()
    assert den == pytest.approx(101.0, rel=1e-15)
    assert num == pytest.approx(104.03, rel=1e-15)
    got = ix.cpi_change(r5_series, 2026, "twelve_month_average")
    assert got == pytest.approx(0.03, rel=1e-12)


def test_r5_june_on_june_by_hand(r5_series):
    assert r5_series[pd.Period("2025-06", "M")] == 105.03
    assert r5_series[pd.Period("2024-06", "M")] == 102.0
    got = ix.cpi_change(r5_series, 2026, "june_on_june")
    assert got == pytest.approx(105.03 / 102.0 - 1, rel=1e-14)
    assert got == pytest.approx(0.0297058823529, rel=1e-10)


def test_cpi_change_kinds():
    # June 2023 100, June 2024 102, June 2025 103.02: CPI_2025 = 0.02, CPI_2026 = 0.01
    junes = pd.Series(
        [100.0, 102.0, 103.02], index=pd.PeriodIndex(["2023-06", "2024-06", "2025-06"], freq="M")
    )
    assert isinstance(ix.cpi_change(junes, 2026), float)
    arr = ix.cpi_change(junes, np.array([[2025, 2026]]))
    assert arr.shape == (1, 2)
    assert arr[0, 0] == pytest.approx(0.02, rel=1e-12)
    assert arr[0, 1] == pytest.approx(0.01, rel=1e-12)
    years = pd.Series([2026, 2025], index=["b", "a"], name="t")
    s = ix.cpi_change(junes, years)
    assert list(s.index) == ["b", "a"] and s.name == "t"
    assert s["a"] == pytest.approx(0.02, rel=1e-12)
    by_year = ix.cpi_by_year(junes, [2025, 2026])
    assert by_year.index.name == "year" and by_year.name == "CPI"
    assert by_year[2026] == pytest.approx(0.01, rel=1e-12)


def test_cpi_change_accepts_timestamps(r5_series):
    ts = r5_series.copy()
    ts.index = ts.index.to_timestamp()  # first of each month
    assert ix.cpi_change(ts, 2026) == ix.cpi_change(r5_series, 2026)


def test_cpi_change_missing_month_named(r5_series):
    gap = r5_series.drop(pd.Period("2024-06", "M"))
    with pytest.raises(InputError, match=r"2024-06 missing or blank") as err:
        ix.cpi_change(gap, 2026)
    assert err.value.year == 2026
    with pytest.raises(InputError, match=r"2022-07, 2022-08"):
        ix.cpi_change(r5_series, 2025, "twelve_month_average")  # needs Jul 2022 - Jun 2024


def test_cpi_change_bad_basis_and_year(r5_series):
    with pytest.raises(InputError, match="did you mean 'june_on_june'"):
        ix.cpi_change(r5_series, 2026, "june_to_june")
    with pytest.raises(InputError, match="whole number"):
        ix.cpi_change(r5_series, 2026.5)
    dup = pd.concat([r5_series, r5_series.iloc[:1]])
    with pytest.raises(InputError, match="2023-07 appears more than once"):
        ix.cpi_change(dup, 2026)


# --------------------------------------------------------------------------------------------
# Specified Rate by hand: 2025 months 0.024 (Jan-Jun) and 0.026 (Jul-Dec): SR_2026 = 0.025


@pytest.fixture
def rates() -> pd.Series:
    values = [0.020] * 12 + [0.024] * 6 + [0.026] * 6
    return pd.Series(values, index=months("2024-01", 24))


def test_specified_rate_by_hand(rates):
    assert rates["2025-01":"2025-12"].sum() == pytest.approx(0.30, rel=1e-14)
    assert ix.specified_rate(rates, 2026) == pytest.approx(0.30 / 12, rel=1e-14)
    assert ix.specified_rate(rates, 2025) == pytest.approx(0.020, rel=1e-14)


def test_specified_rate_publication_lag(rates):
    # lag 1: Dec 2024 (0.020) and Jan-Nov 2025 (6 x 0.024 + 5 x 0.026): (0.02 + 0.274) / 12
    assert 0.020 + 6 * 0.024 + 5 * 0.026 == pytest.approx(0.294, rel=1e-14)
    got = ix.specified_rate(rates, 2026, publication_lag=1)
    assert got == pytest.approx(0.294 / 12, rel=1e-14)


def test_specified_rate_vector_and_by_year(rates):
    got = ix.specified_rate(rates, np.array([2025, 2026]))
    np.testing.assert_allclose(got, [0.020, 0.025], rtol=1e-14)
    s = ix.specified_rate_by_year(rates, [2025, 2026])
    assert s.name == "SR" and s.index.name == "year"
    assert s[2026] == pytest.approx(0.025, rel=1e-14)


def test_specified_rate_missing_months_named(rates):
    gap = rates.drop([pd.Period("2025-03", "M"), pd.Period("2025-11", "M")])
    with pytest.raises(InputError, match=r"month\(s\) 2025-03, 2025-11 missing") as err:
        ix.specified_rate(gap, 2026)
    assert err.value.year == 2026
    with pytest.raises(InputError, match="2026-01"):
        ix.specified_rate(rates, 2027)
    blank = rates.copy()
    blank[pd.Period("2025-07", "M")] = np.nan
    with pytest.raises(InputError, match=r"month\(s\) 2025-07 missing or blank"):
        ix.specified_rate(blank, 2026)


def test_specified_rate_percent_rejected(rates):
    pct = rates.copy()
    pct[pd.Period("2025-05", "M")] = 2.4
    with pytest.raises(InputError, match="month 2025-05: rate 2.4 looks like a percent"):
        ix.specified_rate(pct, 2026)


# --------------------------------------------------------------------------------------------
# series read from files


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


WEIGHTS_TEXT = "group,name,weight\n" + "".join(
    f"{g},n{g},{HAND_WEIGHTS[g]}\n" for g in range(1, 13)
)
RATES_TEXT = "# comment\nmonth,rate,status,source\n" + "".join(
    f"2025-{m:02d},0.025,estimate,illustrative\n" for m in range(1, 13)
)


def test_loaded_weights_renormalised(tmp_path):
    w = series.load_cpi_weights(write(tmp_path, "w.csv", "# c\n" + WEIGHTS_TEXT))
    assert ix.omani_cpi_weights(w)[1] == pytest.approx(1 / 3, rel=1e-15)


def test_loaded_rates_give_the_specified_rate(tmp_path):
    r = series.load_deposit_rates(write(tmp_path, "r.csv", RATES_TEXT))
    assert ix.specified_rate(r, 2026) == pytest.approx(0.025, rel=1e-14)


def test_missing_month_after_loading_names_file(tmp_path):
    r = series.load_deposit_rates(write(tmp_path, "r.csv", RATES_TEXT))
    with pytest.raises(InputError, match=r"r\.csv.*year 2027.*2026-01"):
        ix.specified_rate_by_year(r, [2026, 2027])


# --------------------------------------------------------------------------------------------
# properties

weights_st = st.lists(st.floats(0.0, 1000.0), min_size=12, max_size=12).filter(
    lambda w: sum(w[:3]) + sum(w[4:]) > 1e-3
)
level_st = st.floats(1.0, 1000.0)


@settings(deadline=None)
@given(weights_st)
def test_prop_weights_sum_to_one(w):
    out = ix.omani_cpi_weights(np.array(w))
    assert out.sum() == pytest.approx(1.0, rel=1e-12)
    assert out[3] == 0.0
    assert np.all(out >= 0)


def _random_groups(seed: int, n: int = 36) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = 100 * np.cumprod(1 + rng.normal(0.001, 0.01, size=(n, 12)), axis=0)
    return pd.DataFrame(data, index=months("2022-07", n), columns=range(1, 13))


@settings(deadline=None)
@given(st.integers(0, 10_000), weights_st, level_st, st.sampled_from(CPI_BASES))
def test_prop_scaling_leaves_cpi_unchanged(seed, w, k, basis):
    groups = _random_groups(seed)
    weights = dict(zip(range(1, 13), w, strict=True))
    a = ix.cpi_by_year(ix.omani_cpi_index(groups, weights), [2025, 2026], basis)
    b = ix.cpi_by_year(ix.omani_cpi_index(groups * k, weights), [2025, 2026], basis)
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-9, atol=1e-12)


@settings(deadline=None)
@given(st.integers(0, 10_000), weights_st, st.floats(-0.2, 0.5), st.sampled_from(CPI_BASES))
def test_prop_equal_group_changes_give_that_change(seed, w, g, basis):
    # every group one year on is the same month's index a year before times (1 + g)
    first = _random_groups(seed, 12).to_numpy()
    data = np.vstack([first, first * (1 + g), first * (1 + g) ** 2])
    groups = pd.DataFrame(data, index=months("2022-07", 36), columns=range(1, 13))
    weights = dict(zip(range(1, 13), w, strict=True))
    cpi = ix.cpi_by_year(ix.omani_cpi_index(groups, weights), [2025, 2026], basis)
    np.testing.assert_allclose(cpi.to_numpy(), [g, g], rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# the default data


def test_default_series_fill_every_modelled_year():
    cpi = ix.load_cpi(GROUPS_CSV, WEIGHTS_CSV)
    rates = series.load_deposit_rates(RATES_CSV)
    years = range(2025, 2030)
    for basis in CPI_BASES:
        got = ix.cpi_by_year(cpi, years, basis)
        # a plausible fraction, not a percent (the fitted twelve-month average of 2025 is -0.6 %)
        assert got.between(-0.01, 0.05).all()
    sr = ix.specified_rate_by_year(rates, range(2023, 2030))
    assert sr.between(0.015, 0.035).all()
    # SR_2026: the mean of the 2025 months, three of them published
    assert sr[2026] == pytest.approx(rates["2025-01":"2025-12"].mean(), rel=1e-15)

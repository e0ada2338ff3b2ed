"""Tests of the Omani CPI basket, CPI_t (reading R5), the Specified Rate, the licence fee of
Condition 13, the loaders of the monthly series and the default data built on them.

Hand-computed values carry every intermediate step, one assert per step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tariffmodel as tm
from tariffmodel.inputs import series as ix
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence import condition13 as c13

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
# licence fee (Condition 13) by hand


def test_fee_first_year_is_part_a():
    # 5 % of RO 20 m, nothing to true up
    assert c13.licence_fee_part_a(20_000_000, 0.05) == pytest.approx(1_000_000.0, rel=1e-15)
    assert c13.licence_fee(20_000_000, 0.05) == pytest.approx(1_000_000.0, rel=1e-15)


def test_true_up_positive_licensee_underpaid():
    # paid RO 1.0 m; actual 4.5 % of RO 24 m = RO 1.08 m; the Licensee owes RO 80,000 more
    actual_a = c13.licence_fee_part_a(24_000_000, 0.045)
    assert actual_a == pytest.approx(1_080_000.0, rel=1e-15)
    b = c13.licence_fee_true_up(1_000_000, 24_000_000, 0.045)
    assert b == pytest.approx(80_000.0, rel=1e-12)
    fee = c13.licence_fee(20_000_000, 0.05, 1_000_000, 24_000_000, 0.045)
    assert fee == pytest.approx(1_000_000.0 + 80_000.0, rel=1e-15)


def test_true_up_negative_licensee_overpaid():
    # paid RO 1.0 m; actual 5 % of RO 18 m = RO 0.9 m; RO 100,000 credited
    actual_a = c13.licence_fee_part_a(18_000_000, 0.05)
    assert actual_a == pytest.approx(900_000.0, rel=1e-15)
    b = c13.licence_fee_true_up(1_000_000, 18_000_000, 0.05)
    assert b == pytest.approx(-100_000.0, rel=1e-12)
    fee = c13.licence_fee(20_000_000, 0.05, 1_000_000, 18_000_000, 0.05)
    assert fee == pytest.approx(900_000.0, rel=1e-15)


def test_true_up_keeps_previous_part_b():
    # the previous fee RO 1.08 m was part (a) RO 1.0 m plus part (b) RO 80,000; actual part (a)
    # 5 % of RO 21 m = RO 1.05 m; (ii) = 1.05 m + 80,000 = 1.13 m; (b) = 1.13 m - 1.08 m
    ii = c13.licence_fee_part_a(21_000_000, 0.05) + 80_000
    assert ii == pytest.approx(1_130_000.0, rel=1e-15)
    b = c13.licence_fee_true_up(1_080_000, 21_000_000, 0.05, prev_true_up=80_000)
    assert b == pytest.approx(50_000.0, rel=1e-12)
    assert b == pytest.approx(1_050_000.0 - 1_000_000.0, rel=1e-12)  # actual (a) - paid (a)


def test_distribution_share():
    assert c13.distribution_share_of_fee(1_080_000, 0.75) == pytest.approx(810_000.0, rel=1e-15)
    assert c13.distribution_share_of_fee(1_080_000, 1.0) == 1_080_000.0  # boundary: whole fee
    assert c13.distribution_share_of_fee(1_080_000, 0.0) == 0.0  # boundary: none
    with pytest.raises(ValueError, match=r"fraction in \[0, 1\]"):
        c13.distribution_share_of_fee(1_080_000, 75)


def test_fee_kinds():
    years = pd.Index([2026, 2027], name="year")
    costs = pd.Series([20e6, 22e6], index=years)
    fee = c13.licence_fee(costs, 0.05, 1_000_000, 24_000_000, 0.045)
    assert isinstance(fee, pd.Series) and fee.index.equals(years)
    assert fee[2027] == pytest.approx(1_100_000.0 + 80_000.0, rel=1e-15)
    arr = c13.licence_fee(np.array([20e6, 22e6]), np.array([[0.05], [0.04]]))
    assert arr.shape == (2, 2)
    assert arr[1, 1] == pytest.approx(880_000.0, rel=1e-15)
    assert isinstance(c13.licence_fee(1.0, 0.5), float)


# --------------------------------------------------------------------------------------------
# loaders


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GROUP_HEADER = "month," + ",".join(str(g) for g in range(1, 13)) + ",status\n"


def group_row(month, value=100.0, status="illustrative"):
    return f"{month}," + ",".join([str(value)] * 12) + f",{status}\n"


def test_load_groups_with_comments(tmp_path):
    text = "# a comment\n" + GROUP_HEADER + "  # indented comment\n"
    text += group_row("2024-07") + "\n" + group_row("2024-06", 99.0)
    frame = ix.load_cpi_groups(write(tmp_path, "g.csv", text))
    assert list(frame.columns) == list(range(1, 13))
    assert str(frame.index[0]) == "2024-06"  # sorted
    assert frame.loc[pd.Period("2024-07", "M"), 5] == 100.0
    assert frame.attrs["file"].endswith("g.csv")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (GROUP_HEADER + group_row("2024-06").replace("100.0,", "abc,", 1), "text 'abc'"),
        (GROUP_HEADER + group_row("2024-06").replace("100.0,", ",", 1), "month 2024-06: blank"),
        (GROUP_HEADER + group_row("2024-06") + group_row("2024-06"), "2024-06 appears more"),
        (GROUP_HEADER + group_row("June"), "'June' is not a month"),
        (GROUP_HEADER + group_row("2024-13"), "'2024-13' is not a month"),
        (GROUP_HEADER + group_row("2024-6"), "'2024-6' is not a month"),
        (GROUP_HEADER + group_row("2024-06", 0.0), "above zero"),
        (GROUP_HEADER + group_row("2024-06", status="publised"), "did you mean 'published'"),
        (GROUP_HEADER.replace(",status", ",staus") + group_row("2024-06"), "did you mean 'status'"),
        (GROUP_HEADER.replace(",7,", ",13,") + group_row("2024-06"), "unknown column"),
        ("month,1,2,3,5,6,7,8,9,10,11,12\n2024-06" + ",1" * 11 + "\n", None),
        ("month,1,2,3,4,5,6,8,9,10,11,12\n2024-06" + ",1" * 11 + "\n", r"7 \(Transport\)"),
        ("# only a comment\n", "holds no table"),
    ],
)
def test_load_groups_errors(tmp_path, text, pattern):
    path = write(tmp_path, "groups.csv", text)
    if pattern is None:  # group 4 may be left out
        assert 4 not in ix.load_cpi_groups(path).columns
        return
    with pytest.raises(InputError, match=pattern) as err:
        ix.load_cpi_groups(path)
    assert "groups.csv" in str(err.value)


def test_load_groups_error_names_column(tmp_path):
    text = GROUP_HEADER + group_row("2024-06") + group_row("2024-07").replace(",100.0", ",x", 3)
    with pytest.raises(InputError) as err:
        ix.load_cpi_groups(write(tmp_path, "g.csv", text))
    assert err.value.key == "1"  # the first group column with text in 2024-07
    assert "month 2024-07" in err.value.rule


WEIGHTS_TEXT = "group,name,weight\n" + "".join(
    f"{g},n{g},{HAND_WEIGHTS[g]}\n" for g in range(1, 13)
)


def test_load_weights(tmp_path):
    w = ix.load_cpi_weights(write(tmp_path, "w.csv", "# c\n" + WEIGHTS_TEXT))
    assert w[1] == 20.0 and w.index.name == "group"
    assert ix.omani_cpi_weights(w)[1] == pytest.approx(1 / 3, rel=1e-15)


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("7,n7,2.5", "7,n7,-2.5", "group 7: a weight must not be negative"),
        ("7,n7,2.5", "7,n7,two", "text 'two'"),
        ("7,n7,2.5\n", "", r"no weight for CPI group\(s\) 7"),
        ("7,n7,2.5", "8,n7,2.5", "group 8 appears more than once"),
        ("7,n7,2.5", "13,n7,2.5", "'13' is not a CPI group number"),
        ("group,name,weight", "group,nme,weight", "did you mean 'name'"),
    ],
)
def test_load_weights_errors(tmp_path, old, new, pattern):
    with pytest.raises(InputError, match=pattern):
        ix.load_cpi_weights(write(tmp_path, "w.csv", WEIGHTS_TEXT.replace(old, new, 1)))


RATES_TEXT = "# comment\nmonth,rate,status,source\n" + "".join(
    f"2025-{m:02d},0.025,estimate,illustrative\n" for m in range(1, 13)
)


def test_load_rates(tmp_path):
    r = ix.load_deposit_rates(write(tmp_path, "r.csv", RATES_TEXT))
    assert len(r) == 12 and r.name == "rate"
    assert ix.specified_rate(r, 2026) == pytest.approx(0.025, rel=1e-14)


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("2025-05,0.025", "2025-05,2.5", "month 2025-05: rate 2.5 looks like a percent"),
        ("2025-05,0.025", "2025-05,1.0", "month 2025-05: rate 1.0 looks like a percent"),
        ("2025-05,0.025", "2025-05,-0.001", "month 2025-05: rate -0.001 is negative"),
        ("2025-05,0.025", "2025-05,2.5%", "month 2025-05: text '2.5%'"),
        ("2025-05,0.025", "2025-04,0.025", "month 2025-04 appears more than once"),
        ("month,rate", "month,rates", "did you mean 'rate'"),
        (",estimate,", ",estimated,", "did you mean 'estimate'"),
    ],
)
def test_load_rates_errors(tmp_path, old, new, pattern):
    path = write(tmp_path, "r.csv", RATES_TEXT.replace(old, new, 1))
    with pytest.raises(InputError, match=pattern) as err:
        ix.load_deposit_rates(path)
    assert "r.csv" in str(err.value)


def test_rate_just_below_one_is_accepted(tmp_path):
    r = ix.load_deposit_rates(
        write(tmp_path, "r.csv", RATES_TEXT.replace("2025-05,0.025", "2025-05,0.999"))
    )
    assert r[pd.Period("2025-05", "M")] == 0.999


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        ix.load_deposit_rates(tmp_path / "nope.csv")


def test_missing_month_after_loading_names_file(tmp_path):
    r = ix.load_deposit_rates(write(tmp_path, "r.csv", RATES_TEXT))
    with pytest.raises(InputError, match=r"r\.csv.*year 2027.*2026-01"):
        ix.specified_rate_by_year(r, [2026, 2027])


# --------------------------------------------------------------------------------------------
# properties

weights_st = st.lists(st.floats(0.0, 1000.0), min_size=12, max_size=12).filter(
    lambda w: sum(w[:3]) + sum(w[4:]) > 1e-3
)
level_st = st.floats(1.0, 1000.0)


@settings(max_examples=60, deadline=None)
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


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), weights_st, level_st, st.sampled_from(ix.CPI_BASES))
def test_prop_scaling_leaves_cpi_unchanged(seed, w, k, basis):
    groups = _random_groups(seed)
    weights = dict(zip(range(1, 13), w, strict=True))
    a = ix.cpi_by_year(ix.omani_cpi_index(groups, weights), [2025, 2026], basis)
    b = ix.cpi_by_year(ix.omani_cpi_index(groups * k, weights), [2025, 2026], basis)
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), weights_st, st.floats(-0.2, 0.5), st.sampled_from(ix.CPI_BASES))
def test_prop_equal_group_changes_give_that_change(seed, w, g, basis):
    # every group one year on is the same month's index a year before times (1 + g)
    first = _random_groups(seed, 12).to_numpy()
    data = np.vstack([first, first * (1 + g), first * (1 + g) ** 2])
    groups = pd.DataFrame(data, index=months("2022-07", 36), columns=range(1, 13))
    weights = dict(zip(range(1, 13), w, strict=True))
    cpi = ix.cpi_by_year(ix.omani_cpi_index(groups, weights), [2025, 2026], basis)
    np.testing.assert_allclose(cpi.to_numpy(), [g, g], rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1e9), st.floats(0.0, 1.0), st.floats(0.0, 1e9), st.floats(0.0, 1.0))
def test_prop_true_up_is_actual_minus_paid_part_a(est, share, actual, actual_share):
    paid_a = c13.licence_fee_part_a(est, share)
    b = c13.licence_fee_true_up(paid_a + 123.0, actual, actual_share, prev_true_up=123.0)
    assert b == pytest.approx(actual * actual_share - paid_a, rel=1e-9, abs=1e-6)


# --------------------------------------------------------------------------------------------
# the default data

PUBLISHED_YOY = {  # NCSI all-items, year on year (data-sources)
    "2023-05": 0.0091,
    "2023-06": 0.0069,
    "2024-02": 0.000,
    "2024-03": 0.002,
    "2024-04": 0.004,
    "2024-05": 0.009,
    "2024-07": 0.015,
}
PUBLISHED_RATES = {  # CBO weighted average RO deposit rate (data-sources)
    "2017-06": 0.01621,
    "2017-08": 0.01673,
    "2018-06": 0.01717,
    "2018-08": 0.01764,
    "2023-12": 0.02636,
    "2024-08": 0.02704,
    "2024-09": 0.02679,
    "2024-10": 0.02709,
    "2024-12": 0.02546,
    "2025-08": 0.02535,
    "2025-09": 0.02568,
    "2025-10": 0.02559,
}


@pytest.fixture(scope="module")
def default_groups():
    return ix.load_cpi_groups(GROUPS_CSV), ix.load_cpi_weights(WEIGHTS_CSV)


def test_default_groups_cover_july_2022_to_june_2029(default_groups):
    groups, weights = default_groups
    want = pd.period_range("2022-07", "2029-06", freq="M")
    assert want.isin(groups.index).all()
    assert sorted(weights.index) == list(range(1, 13))


@pytest.mark.parametrize(("month", "yoy"), sorted(PUBLISHED_YOY.items()))
def test_default_all_items_match_published(default_groups, month, yoy):
    groups, weights = default_groups
    all_items = groups[list(range(1, 13))] @ (weights / weights.sum()).to_numpy()
    m = pd.Period(month, "M")
    assert all_items[m] / all_items[m - 12] - 1 == pytest.approx(yoy, abs=0.00005)


def test_default_all_items_level_feb_2024(default_groups):
    groups, weights = default_groups
    all_items = groups[list(range(1, 13))] @ (weights / weights.sum()).to_numpy()
    assert all_items[pd.Period("2024-02", "M")] == pytest.approx(105.3, abs=0.05)


def test_default_status_labels():
    table = pd.read_csv(GROUPS_CSV, comment="#")
    forecast = table["month"] >= "2026-11"
    assert set(table.loc[forecast, "status"]) == {"forecast"}
    assert set(table.loc[~forecast, "status"]) == {"illustrative"}
    assert set(pd.read_csv(WEIGHTS_CSV, comment="#")["status"]) == {"illustrative"}


def test_default_rates_hold_every_published_month():
    rates = ix.load_deposit_rates(RATES_CSV)
    table = pd.read_csv(RATES_CSV, comment="#", dtype={"month": str})
    published = table[table["status"] == "published"].set_index("month")["rate"]
    assert published.to_dict() == pytest.approx(PUBLISHED_RATES, abs=1e-12)
    assert set(table["status"]) == {"published", "estimate"}
    assert pd.period_range("2022-01", "2028-12", freq="M").isin(rates.index).all()


def test_default_series_fill_every_modelled_year():
    cpi = ix.load_cpi(GROUPS_CSV, WEIGHTS_CSV)
    rates = ix.load_deposit_rates(RATES_CSV)
    years = range(2025, 2030)
    for basis in ix.CPI_BASES:
        got = ix.cpi_by_year(cpi, years, basis)
        assert got.between(0.0, 0.05).all()  # a plausible fraction, not a percent
    sr = ix.specified_rate_by_year(rates, range(2023, 2030))
    assert sr.between(0.015, 0.035).all()
    # SR_2026: the mean of the 2025 months, three of them published
    assert sr[2026] == pytest.approx(rates["2025-01":"2025-12"].mean(), rel=1e-15)


# --------------------------------------------------------------------------------------------
# the default scenarios (need the engine)

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
    for _name, (sc, table) in projected.items():
        assert sc.years == [2026, 2027, 2028, 2029]
        assert np.isfinite(table["MADR"].to_numpy(float)).all()


def test_base_takes_cpi_and_sr_from_the_series(projected):
    _sc, table = projected["nedc-base"]
    cpi = ix.cpi_by_year(ix.load_cpi(GROUPS_CSV, WEIGHTS_CSV), table["year"])
    sr = ix.specified_rate_by_year(ix.load_deposit_rates(RATES_CSV), table["year"])
    np.testing.assert_allclose(table["CPI"].to_numpy(float), cpi.to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(table["SR"].to_numpy(float), sr.to_numpy(), rtol=1e-15)


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
    }
    assert table["D"].tolist() == [1, 1, 0, 1]  # AL_2027 inside the 2027 dead band
    assert not table["para4"].iloc[1]  # net: 5 % over in 2026, 15 % under in 2027
    defaults = sc.with_readings(**{k: v[0] for k, v in tm.READINGS.items()})
    assert tm.project(defaults)["para4"].iloc[1]  # positive parts: the 2026 excess alone
    # R4: K_2029 uses 0.9 x MADR_2028 in place of ARDR_2028
    k = table.set_index("year")
    expected = (0.9 * k.loc[2028, "MADR"] - k.loc[2028, "MADR"]) * (1 + k.loc[2029, "i"])
    assert k.loc[2029, "K"] == pytest.approx(expected, rel=1e-12)

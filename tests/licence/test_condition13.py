"""Tests of the licence fee of Condition 13: part (a), the true-up of part (b) and the
Distribution Business share, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.licence import condition13 as c13

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


@settings(deadline=None)
@given(st.floats(0.0, 1e9), st.floats(0.0, 1.0), st.floats(0.0, 1e9), st.floats(0.0, 1.0))
def test_prop_true_up_is_actual_minus_paid_part_a(est, share, actual, actual_share):
    paid_a = c13.licence_fee_part_a(est, share)
    b = c13.licence_fee_true_up(paid_a + 123.0, actual, actual_share, prev_true_up=123.0)
    assert b == pytest.approx(actual * actual_share - paid_a, rel=1e-9, abs=1e-6)

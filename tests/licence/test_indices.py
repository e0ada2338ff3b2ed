"""Tests of the pure formulas of the Omani CPI basket, CPI_t and the Specified Rate
(tariffmodel.licence.indices): hand-computed values, the months each formula reads, boundaries
and properties.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tariffmodel.licence import indices as li

# weights: group 1: 20, groups 2 and 3: 10, group 4: 40 (left out), groups 5-12: 2.5 each.
# basket sum = 20 + 10 + 10 + 8 x 2.5 = 60
# w_1 = 1/3; w_2 = w_3 = 1/6; w_5..w_12 = 1/24; w_4 = 0
HAND = np.array([20.0, 10.0, 10.0, 40.0] + [2.5] * 8)


def test_facts_of_the_definition():
    assert li.GROUPS == tuple(range(1, 13))
    assert li.EXCLUDED_GROUP == 4
    assert li.BASKET_GROUPS == (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12)
    assert li.GROUP_NAMES[4].startswith("Housing")
    assert li.CPI_BASES[0] == "june_on_june"  # the default reading of R5


def test_basket_weights_by_hand():
    w = li.basket_weights(HAND)
    assert HAND[[0, 1, 2, *range(4, 12)]].sum() == 60.0
    assert w[0] == pytest.approx(1 / 3, rel=1e-15)
    assert w[1] == w[2] == pytest.approx(1 / 6, rel=1e-15)
    assert w[3] == 0.0
    np.testing.assert_allclose(w[4:], 1 / 24, rtol=1e-15)


def test_basket_weights_rows_and_groups():
    two = li.basket_weights(np.vstack([HAND, 3 * HAND]))
    assert two.shape == (2, 12)
    np.testing.assert_array_equal(two[0], li.basket_weights(HAND))
    np.testing.assert_allclose(two[1], two[0], rtol=1e-15)
    # group 4 absent, the rest in any order; a number outside the basket counts for nothing
    got = li.basket_weights([2.5, 20.0, 7.0], groups=[5, 1, 13])
    np.testing.assert_allclose(got, [2.5 / 22.5, 20 / 22.5, 0.0], rtol=1e-15)


def test_basket_weights_boundaries():
    only_one = np.zeros(12)
    only_one[6] = 3.0  # group 7 alone: all the basket
    assert li.basket_weights(only_one).tolist() == [0.0] * 6 + [1.0] + [0.0] * 5
    with pytest.raises(ValueError, match="sum to zero"):
        li.basket_weights(np.where(np.arange(1, 13) == 4, 5.0, 0.0))  # group 4 alone
    with pytest.raises(ValueError, match="sum to zero"):
        li.basket_weights(np.vstack([HAND, np.zeros(12)]))
    with pytest.raises(ValueError, match="last axis"):
        li.basket_weights(np.ones(11))


def test_basket_index_by_hand():
    # June 2025: g1 106, g2 112, g3 94, g5..g12 103:
    # OCPI = 106/3 + 112/6 + 94/6 + 8 x 103/24 = 35.3333 + 18.6667 + 15.6667 + 34.3333 = 104
    w = li.basket_weights(HAND)[[0, 1, 2, *range(4, 12)]]
    groups = np.array([[100.0] * 11, [106.0, 112.0, 94.0] + [103.0] * 8])
    got = li.basket_index(groups, w)
    assert got.shape == (2,)
    assert got[0] == pytest.approx(100.0, rel=1e-15)
    assert got[1] == pytest.approx(104.0, rel=1e-14)


def test_june_ordinal():
    assert int(li.june_ordinal(1970)) == 5
    assert li.june_ordinal(np.array([2024, 2025])).tolist() == [653, 665]


def test_cpi_months_june_on_june():
    # CPI_2026: June 2025 over June 2024
    den, num = li.cpi_months(np.array([2026, 2027]))
    assert num.tolist() == [[665], [677]]
    assert den.tolist() == [[653], [665]]


def test_cpi_months_twelve_month_average():
    # CPI_2026: July 2024 - June 2025 over July 2023 - June 2024
    den, num = li.cpi_months(np.array([2026]), "twelve_month_average")
    assert num.shape == den.shape == (1, 12)
    assert num[0].tolist() == list(range(654, 666))  # 654 = July 2024
    assert den[0].tolist() == list(range(642, 654))
    assert li.cpi_months(np.array([[2026, 2027]]), "twelve_month_average")[1].shape == (1, 2, 12)


def test_cpi_months_bad_basis():
    with pytest.raises(ValueError, match="unknown CPI basis 'june_to_june'"):
        li.cpi_months([2026], "june_to_june")


def test_cpi_change_by_hand():
    # twelve_month_average: 104.03 / 101 - 1 = 0.03
    num = np.array([[103.03] * 6 + [105.03] * 6])
    den = np.array([[100.0] * 6 + [102.0] * 6])
    assert num.mean() == pytest.approx(104.03, rel=1e-15)
    assert den.mean() == pytest.approx(101.0, rel=1e-15)
    assert li.cpi_change(num, den)[0] == pytest.approx(0.03, rel=1e-12)
    # june_on_june: 105.03 / 102 - 1
    assert li.cpi_change([[105.03]], [[102.0]])[0] == pytest.approx(105.03 / 102 - 1, rel=1e-15)
    assert li.cpi_change([[95.0]], [[100.0]])[0] == pytest.approx(-0.05, rel=1e-12)  # a fall


def test_cpi_change_exact_arithmetic():
    rng = np.random.default_rng(1)
    num, den = rng.uniform(90, 120, (5, 12)), rng.uniform(90, 120, (5, 12))
    want = num.mean(axis=1) / den.mean(axis=1) - 1.0
    np.testing.assert_array_equal(li.cpi_change(num, den), want)


def test_specified_rate_months():
    m = li.specified_rate_months(np.array([2026]))
    assert m[0].tolist() == list(range(660, 672))  # January - December 2025
    lagged = li.specified_rate_months(np.array([2026]), publication_lag=1)
    assert lagged[0, 0] == 659 and lagged[0, -1] == 670  # December 2024 - November 2025
    assert li.specified_rate_months(np.array([[2025, 2026]])).shape == (1, 2, 12)


def test_specified_rate_by_hand():
    # 0.024 for six months and 0.026 for six: sum 0.30, mean 0.025
    rates = np.array([[0.024] * 6 + [0.026] * 6, [0.020] * 12])
    assert rates[0].sum() == pytest.approx(0.30, rel=1e-14)
    np.testing.assert_allclose(li.specified_rate(rates), [0.025, 0.020], rtol=1e-14)
    assert li.specified_rate(np.zeros(12)) == 0.0  # boundary: all rates zero


# --------------------------------------------------------------------------------------------
# properties

weights_st = hnp.arrays(float, 12, elements=st.floats(0.0, 1000.0)).filter(
    lambda w: w[[0, 1, 2, *range(4, 12)]].sum() > 1e-3
)
levels_st = hnp.arrays(float, 12, elements=st.floats(1.0, 1000.0))


@settings(deadline=None)
@given(weights_st)
def test_prop_renormalised_weights_sum_to_one(w):
    out = li.basket_weights(w)
    assert out.sum() == pytest.approx(1.0, rel=1e-12)
    assert out[3] == 0.0
    assert np.all(out >= 0)


@settings(deadline=None)
@given(st.floats(1.0, 1000.0), st.integers(1, 12))
def test_prop_cpi_of_a_constant_series_is_zero(level, k):
    const = np.full((1, k), level)
    assert li.cpi_change(const, const)[0] == 0.0


@settings(deadline=None)
@given(weights_st, levels_st, levels_st, st.floats(0.01, 100.0))
def test_prop_scaling_group_indices_leaves_cpi_unchanged(w, before, after, k):
    basket = li.basket_weights(w)[[0, 1, 2, *range(4, 12)]]
    groups = np.vstack([before, after])[:, [0, 1, 2, *range(4, 12)]]
    a = li.basket_index(groups, basket)
    b = li.basket_index(groups * k, basket)
    got_a = li.cpi_change(a[1:][None, :], a[:1][None, :])
    got_b = li.cpi_change(b[1:][None, :], b[:1][None, :])
    np.testing.assert_allclose(got_b, got_a, rtol=1e-9, atol=1e-12)

"""Readings R6-R8 as formulas, on hand-computed values, on both sides and at their edges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

from tariffmodel.licence import condition13 as c13
from tariffmodel.licence import indices as li
from tariffmodel.licence import schedule2 as f

# --- R6: the months of the Specified Rate ---------------------------------------------------


def test_r6_publication_lag_of_each_reading():
    assert li.publication_lag() == 0
    assert li.publication_lag("reference_year") == 0
    assert li.publication_lag("published_in_year") == 1
    with pytest.raises(ValueError, match="R6"):
        li.publication_lag("published")


def test_r6_months_by_hand():
    # i_2026: January-December 2025 (ordinals 660-671) against December 2024-November 2025
    ref = li.specified_rate_months([2026], li.publication_lag("reference_year"))[0]
    pub = li.specified_rate_months([2026], li.publication_lag("published_in_year"))[0]
    assert ref.tolist() == list(range(660, 672))
    assert pub.tolist() == list(range(659, 671))
    assert (2024 - 1970) * 12 + 11 == 659  # December 2024


def test_r6_average_by_hand():
    # rates rise 0.0001 a month from 0.0200 in December 2024: the reference year (Jan-Dec 2025)
    # averages 0.0201 .. 0.0212, mean 0.02065; a month earlier, Dec 2024 - Nov 2025, 0.02055
    by_month = {659 + k: 0.0200 + 0.0001 * k for k in range(13)}
    ref = [by_month[m] for m in li.specified_rate_months([2026], 0)[0]]
    pub = [by_month[m] for m in li.specified_rate_months([2026], 1)[0]]
    assert li.specified_rate(ref) == pytest.approx(0.02065, rel=1e-12)
    assert li.specified_rate(pub) == pytest.approx(0.02055, rel=1e-12)


def test_r6_edge_flat_rates_give_the_same_rate():
    flat = {m: 0.025 for m in range(640, 700)}
    for lag in (0, 1):
        months = li.specified_rate_months([2026], lag)[0]
        assert li.specified_rate([flat[m] for m in months]) == pytest.approx(0.025, rel=1e-14)


# --- R7: the sign of the true-up of Condition 13 --------------------------------------------


def test_r7_true_up_both_sides_by_hand():
    # paid 0.05 x 20 m = 1.0 m for t-1; actual 0.045 x 24 m = 1.08 m: underpaid by 80,000
    paid = c13.licence_fee_part_a(20_000_000, 0.05)
    assert c13.licence_fee_true_up(paid, 24_000_000, 0.045) == pytest.approx(80_000.0)
    assert c13.licence_fee_true_up(paid, 24_000_000, 0.045, reading="as_drafted") == (
        pytest.approx(-80_000.0)
    )
    # overpaid: actual 0.045 x 20 m = 0.9 m against 1.0 m paid
    assert c13.licence_fee_true_up(paid, 20_000_000, 0.045) == pytest.approx(-100_000.0)
    assert c13.licence_fee_true_up(paid, 20_000_000, 0.045, reading="as_drafted") == (
        pytest.approx(100_000.0)
    )


def test_r7_fee_and_distribution_share_by_hand():
    # F_t = 0.05 x 21 m + true-up; LF = 0.75 x F_t (the share of year t over the whole fee)
    fee = c13.licence_fee(21_000_000, 0.05, 1_000_000, 24_000_000, 0.045)
    literal = c13.licence_fee(21_000_000, 0.05, 1_000_000, 24_000_000, 0.045, reading="as_drafted")
    assert fee == pytest.approx(1_130_000.0)
    assert literal == pytest.approx(970_000.0)
    assert c13.distribution_share_of_fee(fee, 0.75) == pytest.approx(847_500.0)
    assert c13.distribution_share_of_fee(literal, 0.75) == pytest.approx(727_500.0)


def test_r7_edge_no_difference_when_paid_exactly():
    # paid 0.05 x 22 m = 1.1 m; actual 0.055 x 20 m = 1.1 m: no true-up under either reading
    for reading in c13.TRUE_UP_READINGS:
        b = c13.licence_fee_true_up(1_100_000, 20_000_000, 0.055, reading=reading)
        assert b == pytest.approx(0.0, abs=1e-9)


def test_r7_previous_true_up_cancels_under_both_readings():
    # F_{t-1} = 1.0 m + 80,000 (its own true-up); (ii) = 0.05 x 21 m + 80,000
    for reading, sign in (("owed_minus_paid", 1.0), ("as_drafted", -1.0)):
        b = c13.licence_fee_true_up(1_080_000, 21_000_000, 0.05, 80_000, reading=reading)
        assert b == pytest.approx(sign * 50_000.0)


def test_r7_unknown_reading():
    with pytest.raises(ValueError, match="R7"):
        c13.licence_fee_true_up(1.0, 1.0, 0.5, reading="literal")


@given(
    hst.floats(0, 1e8), hst.floats(0, 1e9), hst.floats(0, 1), hst.floats(-1e7, 1e7)
)  # fmt: skip
def test_r7_readings_are_opposite(paid, costs, share, prev_b):
    a = c13.licence_fee_true_up(paid, costs, share, prev_b)
    b = c13.licence_fee_true_up(paid, costs, share, prev_b, reading="as_drafted")
    assert a == -b


# --- R8: the call-centre cap under R2 penalty_only ------------------------------------------

WEIGHTS = [0.5, 0.3, 0.2]


def test_r8_sign_turn_of_a_less_is_better_kpi():
    # abandonment 0.20 against a target of 0.05: (A - T) / T = +3 as the licence writes it;
    # the model turns it, (T - A) / T = -3, a shortfall
    assert (0.20 - 0.05) / 0.05 == pytest.approx(3.0)
    assert f.kpi_deviation(0.20, 0.05, higher_is_better=False) == pytest.approx(-3.0)
    assert f.kpi_deviation(0.04, 0.05, higher_is_better=False) == pytest.approx(0.2)


def test_r8_both_sides_by_hand():
    # allowance 420,000; answered 0.45 (target 0.90), abandonment 0.20 (0.05, less is better),
    # resolution 0.60 (0.75)
    dev = f.kpi_deviation([0.45, 0.20, 0.60], [0.90, 0.05, 0.75], [True, False, True])
    np.testing.assert_allclose(dev, [-0.5, -3.0, -0.2], rtol=1e-12)
    # terms: -0.5 x 0.5 x 420,000 = -105,000; -3 x 0.3 x 420,000 = -378,000;
    #        -0.2 x 0.2 x 420,000 = -16,800; total -499,800
    total = f.call_centre_incentive(dev, WEIGHTS, 420_000.0)
    assert total == pytest.approx(-420_000.0)  # the total capped at the allowance
    # per KPI: abandonment capped at 0.3 x 420,000 = 126,000
    per_kpi = f.call_centre_incentive(dev, WEIGHTS, 420_000.0, cap="per_kpi")
    assert per_kpi == pytest.approx(-105_000.0 - 126_000.0 - 16_800.0)
    assert per_kpi == pytest.approx(-247_800.0)


def test_r8_edge_kpi_exactly_at_its_cap():
    # abandonment 0.10 against 0.05: Deviation -1, the term is exactly -W x allowance
    dev = [-0.1, -1.0, 0.0]
    total = f.call_centre_incentive(dev, WEIGHTS, 400_000.0)
    per_kpi = f.call_centre_incentive(dev, WEIGHTS, 400_000.0, cap="per_kpi")
    assert total == per_kpi == pytest.approx(-20_000.0 - 120_000.0)


def test_r8_edge_total_exactly_at_the_allowance():
    # every KPI at Deviation -1: the total is exactly the allowance under both readings
    total = f.call_centre_incentive([-1.0] * 3, WEIGHTS, 400_000.0)
    per_kpi = f.call_centre_incentive([-1.0] * 3, WEIGHTS, 400_000.0, cap="per_kpi")
    assert total == per_kpi == pytest.approx(-400_000.0)


def test_r8_no_shortfall_is_zero_not_minus_zero():
    cc = f.call_centre_incentive([0.1, 0.2, 0.0], WEIGHTS, 400_000.0, cap="per_kpi")
    assert cc == 0.0 and np.signbit(cc) == np.False_


def test_r8_has_no_effect_under_r2_as_drafted():
    for cap in ("total", "per_kpi"):
        assert f.call_centre_incentive([-3.0, -0.5], [0.5, 0.5], 100.0, "as_drafted", cap) == 0.0


def test_r8_years_broadcast():
    dev = np.array([[-0.5, -3.0, -0.2], [0.0, 0.0, 0.0]])
    cc = f.call_centre_incentive(dev, WEIGHTS, np.array([420_000.0, 430_000.0]), cap="per_kpi")
    np.testing.assert_allclose(cc, [-247_800.0, 0.0])


def test_r8_unknown_value():
    with pytest.raises(ValueError, match="R8"):
        f.call_centre_incentive([-0.1], [1.0], 1.0, cap="each")


@given(
    hst.lists(hst.floats(-20, 5), min_size=3, max_size=3),
    hst.lists(hst.floats(0, 1), min_size=3, max_size=3),
    hst.floats(0, 1e7),
)
def test_r8_per_kpi_never_below_total_when_weights_sum_to_one(dev, raw, allowance):
    # weights summing to at most 1: each KPI's cap binds no harder than the total's, and the
    # total stays within the allowance
    w = np.asarray(raw) / max(sum(raw), 1.0)
    total = f.call_centre_incentive(dev, w, allowance)
    per_kpi = f.call_centre_incentive(dev, w, allowance, cap="per_kpi")
    assert -allowance * (1 + 1e-12) <= total <= 0.0
    assert per_kpi >= total - 1e-9 * max(allowance, 1.0)
    assert per_kpi >= -w.sum() * allowance * (1 + 1e-12) - 1e-9

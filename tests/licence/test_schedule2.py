"""Each Schedule 2 formula: hand-computed values, its edges, the kinds it takes and gives, and
its invariants (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tariffmodel.licence import schedule2 as f

fractions = st.floats(min_value=0.0, max_value=0.3, allow_nan=False)
money = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)


# ---- indexation (1a, 1b) ----------------------------------------------------------------


def test_index_rpi_x_hand():
    assert f.index_rpi_x(60_000_000, 0.012, 0.015) == pytest.approx(59_820_000)


def test_price_of_losses_hand():
    assert f.price_of_losses(0.020, 0.012) == pytest.approx(0.02024)


def test_index_keeps_series_index():
    s = pd.Series([100.0, 200.0], index=[2026, 2027], name="a")
    out = f.index_rpi_x(s, 0.02, 0.01)
    assert list(out.index) == [2026, 2027] and out.tolist() == pytest.approx([101.0, 202.0])


def test_scalar_in_scalar_out():
    assert isinstance(f.distribution_business_revenue(1.0, 2.0, 3.0), float)


def test_array_shape_kept():
    out = f.distribution_business_revenue(np.zeros((3, 2)), 85.0, np.ones((3, 2)))
    assert out.shape == (3, 2)


def test_db_hand():
    assert f.distribution_business_revenue(60e6, 85.0, 1.3e6) == 170_500_000.0


# ---- losses (1b) ------------------------------------------------------------------------


def test_actual_losses_hand():
    assert f.actual_losses(91.5, 100.0) == pytest.approx(0.085)


@pytest.mark.parametrize("reading", ["as_drafted", "every_year"])
def test_first_relevant_year_deadband(reading):
    # in the First Relevant Year the band applies under both readings
    assert f.loss_deadband_factor(0.082, 0.080, 0.005, True, reading) == 0.0


def test_first_year_below_target():
    assert f.loss_deadband_factor(0.079, 0.080, 0.005, True) == 1.0


def test_first_year_above_band():
    assert f.loss_deadband_factor(0.0851, 0.080, 0.005, True) == 1.0


def test_later_year_inside_band_as_drafted():
    assert f.loss_deadband_factor(0.082, 0.080, 0.005, False, "as_drafted") == 1.0


def test_later_year_inside_band_every_year():
    assert f.loss_deadband_factor(0.082, 0.080, 0.005, False, "every_year") == 0.0


def test_al_exactly_at_tl_plus_band_as_drafted():
    # 1 - 91.5/100 is 0.08499999999999996 in binary, 0.085 in the decimal inputs
    al = f.actual_losses(91.5, 100.0)
    assert f.loss_deadband_factor(al, 0.080, 0.005, False, "as_drafted") == 0.0


def test_al_exactly_at_tl_plus_band_every_year():
    al = f.actual_losses(91.5, 100.0)
    assert f.loss_deadband_factor(al, 0.080, 0.005, False, "every_year") == 0.0


def test_al_exactly_at_tl_every_year():
    al = f.actual_losses(92.0, 100.0)
    assert f.loss_deadband_factor(al, 0.080, 0.005, False, "every_year") == 0.0


def test_al_exactly_at_tl_as_drafted_gives_zero_ld():
    al = f.actual_losses(92.0, 100.0)
    d = f.loss_deadband_factor(al, 0.080, 0.005, False, "as_drafted")
    assert (d, f.loss_difference(0.080, al, d)) == (1.0, pytest.approx(0.0, abs=1e-15))


def test_al_just_above_band_both_readings():
    for reading in ("as_drafted", "every_year"):
        assert f.loss_deadband_factor(0.0851, 0.080, 0.005, False, reading) == 1.0


def test_unknown_reading_rejected():
    with pytest.raises(ValueError, match="R1"):
        f.loss_deadband_factor(0.08, 0.08, 0.005, False, "sometimes")


def test_base_loss_hand():
    assert f.base_loss(30e9, 0.02, -0.004) == pytest.approx(-2_400_000)


def test_loss_exactly_at_cap():
    assert f.losses_incentive(3_000_000.0, 3_000_000.0) == 3_000_000.0


def test_loss_exactly_at_negative_cap():
    assert f.losses_incentive(-3_000_000.0, 3_000_000.0) == -3_000_000.0


def test_loss_beyond_cap():
    assert f.losses_incentive(-3_000_000.01, 3_000_000.0) == -3_000_000.0


def test_loss_inside_cap_unchanged():
    assert f.losses_incentive(1_234.5, 3_000_000.0) == 1_234.5


@given(bl=st.floats(-1e9, 1e9), db=money)
def test_loss_within_cap(bl, db):
    cap = f.loss_cap(db)
    assert abs(f.losses_incentive(bl, cap)) <= cap + 1e-9


# ---- NSF (1c) ---------------------------------------------------------------------------


def test_nsf_last_year_included():
    assert f.network_security_factor(2.0, 10.0, 2026) == 20.0


def test_nsf_after_last_year():
    assert f.network_security_factor(2.0, 10.0, 2027) == 0.0


def test_nsf_custom_last_year():
    assert f.network_security_factor(2.0, 10.0, 2027, last_year=2027) == 20.0


# ---- CS (1d) ----------------------------------------------------------------------------


def test_ks_exactly_at_upper_clamp():
    assert f.kpi_score_factor(0.88, 0.80, 0.10) == pytest.approx(1.10)


def test_ks_exactly_at_lower_clamp():
    assert f.kpi_score_factor(0.72, 0.80, 0.10) == pytest.approx(0.90)


def test_ks_beyond_clamps():
    assert f.kpi_score_factor([0.5, 2.0], 1.0, 0.1).tolist() == pytest.approx([0.9, 1.1])


def test_cs_hand():
    assert f.customer_satisfaction(0.95, 0.01, 170_500_000, 0.10) == pytest.approx(-852_500)


@given(
    ws=st.floats(0, 5),
    ts=st.floats(0.01, 5),
    r=st.floats(0, 0.1),
    db=money,
    cap=st.floats(0.01, 0.5),
)
def test_cs_within_revenue_at_risk(ws, ts, r, db, cap):
    cs = f.customer_satisfaction(f.kpi_score_factor(ws, ts, cap), r, db, cap)
    assert abs(cs) <= r * db * (1 + 1e-12) + 1e-9


# ---- CC (1e) ----------------------------------------------------------------------------


def test_deviation_more_is_better():
    assert f.kpi_deviation(0.86, 0.90) == pytest.approx(-0.04 / 0.90)


def test_deviation_less_is_better():
    assert f.kpi_deviation(0.06, 0.05, False) == pytest.approx(-0.2)


def test_cc_hand():
    dev = [
        f.kpi_deviation(0.86, 0.90),
        f.kpi_deviation(0.06, 0.05, False),
        f.kpi_deviation(0.78, 0.75),
    ]
    expected = (-0.04 / 0.90) * 0.5 * 400_000 + (-0.2) * 0.3 * 400_000
    assert f.call_centre_incentive(dev, [0.5, 0.3, 0.2], 400_000) == pytest.approx(expected)


def test_cc_capped_at_allowance():
    assert f.call_centre_incentive([-2.0, -3.0], [0.5, 0.5], 100.0) == -100.0


def test_cc_exactly_at_allowance():
    assert f.call_centre_incentive([-1.0, -1.0], [0.5, 0.5], 100.0) == -100.0


def test_cc_as_drafted_always_zero():
    assert f.call_centre_incentive([-0.5, 0.4], [0.5, 0.5], 100.0, "as_drafted") == 0.0


def test_cc_no_reward():
    assert f.call_centre_incentive([0.5, 0.4], [0.5, 0.5], 100.0) == 0.0


@given(dev=st.lists(st.floats(-5, 5), min_size=1, max_size=5), allowance=money)
def test_cc_within_allowance(dev, allowance):
    w = np.full(len(dev), 1.0 / len(dev))
    cc = f.call_centre_incentive(dev, w, allowance)
    assert -allowance - 1e-6 <= cc <= 0.0


# ---- K (1) ------------------------------------------------------------------------------


def test_interest_exactly_two_percent_over():
    assert f.interest_rate_applied(0.025, 102_000_000.0, 100_000_000.0) == 0.025


def test_interest_just_over_two_percent():
    assert f.interest_rate_applied(0.025, 102_000_001.0, 100_000_000.0) == pytest.approx(0.055)


def test_interest_under_recovery():
    assert f.interest_rate_applied(0.025, 90.0, 100.0) == 0.025


def test_k_hand():
    assert f.correction_factor(150e6, 160e6, 0.025) == pytest.approx(-10_250_000)


def test_k_zero_when_exact():
    assert f.correction_factor(123.0, 123.0, 0.055) == 0.0


def test_substitution_when_para5_held():
    assert f.ardr_for_correction(80.0, 100.0, True, "cap_at_90pct") == 90.0


def test_no_substitution_when_para5_did_not_hold():
    assert f.ardr_for_correction(80.0, 100.0, False, "cap_at_90pct") == 80.0


# ---- the cap and its tests (3, 4, 5) ----------------------------------------------------


def test_madr_sum_and_sign_of_k():
    assert (
        f.maximum_allowed_revenue(
            100, 1, 2, 3, -4, 5, c=6, npi=7, fm=8, om=9, amr=10, uc=11, lf=12, cpl=13, wpra=-14
        )
        == 100 + 1 + 2 + 3 - 4 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 - 14 - 5
    )


def test_para3_exactly_three_percent():
    assert f.para3_test(103_000_000.0, 100_000_000.0) is False


def test_para3_above_three_percent():
    assert f.para3_test(103_000_001.0, 100_000_000.0) is True


def test_para4_positive_part_ignores_a_shortfall():
    assert f.para4_test(105.0, 100.0, 98.0, 100.0) is True


def test_para4_net_counts_a_shortfall():
    assert f.para4_test(105.0, 100.0, 98.0, 100.0, "net") is False


def test_para4_exactly_four_percent():
    assert f.para4_test(102.0, 100.0, 102.0, 100.0) is False


def test_para5_exactly_ninety_percent():
    assert f.para5_test(89.0, 100.0, 90.0, 100.0) is False


def test_para5_both_years_below():
    assert f.para5_test(89.0, 100.0, 89.99, 100.0) is True


def test_para5_one_year_only():
    assert f.para5_test(95.0, 100.0, 80.0, 100.0) is False


def test_no_negative_zero_inside_the_band():
    ld = f.loss_difference(0.080, 0.082, 0.0)
    assert ld == 0.0 and np.copysign(1.0, ld) == 1.0


@pytest.mark.parametrize("reading", ["as_drafted", "every_year"])
def test_losses_off_the_band_edge_by_less_than_a_kwh_in_32_twh_are_off_it(reading):
    # whole kWh: AL = TL + BAND + 7.8e-13 is above the band (a strict comparison of para 1b)
    al = 1 - 29_280_000_032 / 32_000_000_035
    assert f.loss_deadband_factor(al, 0.08, 0.005, False, reading) == 1
    # on the edge in decimal (1 - 0.915): on the edge, whatever binary rounding did
    edge = f.loss_deadband_factor(1 - 29_280_000_000 / 32_000_000_000, 0.08, 0.005, False,
                                  reading)  # fmt: skip
    assert edge == 0  # inside the band under both readings

"""AMR building block formulas: a one-vintage roll-forward by hand, replacement, and the NPV
identity of every convention as a property over random capex profiles, lives and WACCs."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tariffmodel.licence import amr as f

# One vintage by hand: RO 1,000 spent in year 0, life 4 years, WACC 10 %, five years.
ONE = [[1000.0, 0.0, 0.0, 0.0, 0.0]]


class TestOneVintageYearEnd:
    """Year 0: enters the closing RAV. Years 1-4: 250 depreciation, 10 % on the opening RAV."""

    bb = f.building_block(ONE, [4], 0.1, "year_end")

    def test_capex(self):
        assert self.bb["capex"].tolist() == [1000.0, 0.0, 0.0, 0.0, 0.0]

    def test_opening_rav(self):
        assert self.bb["opening_rav"].tolist() == [0.0, 1000.0, 750.0, 500.0, 250.0]

    def test_depreciation(self):
        assert self.bb["depreciation"].tolist() == [0.0, 250.0, 250.0, 250.0, 250.0]

    def test_return(self):
        assert self.bb["return"] == pytest.approx([0.0, 100.0, 75.0, 50.0, 25.0], abs=1e-9)

    def test_closing_rav(self):
        assert self.bb["closing_rav"] == pytest.approx([1000.0, 750.0, 500.0, 250.0, 0.0])

    def test_npv_neutral(self):
        # 350/1.1^2 + 325/1.1^3 + 300/1.1^4 + 275/1.1^5 = 1000/1.1 = 909.0909...
        allowed = self.bb["depreciation"] + self.bb["return"]
        assert float(f.npv(allowed, 0.1)) == pytest.approx(1000.0 / 1.1, rel=1e-12)


class TestOneVintageHalfYear:
    """Capex spent through year 0 enters the RAV with half a year's return: 1000 x 1.1^0.5."""

    bb = f.building_block(ONE, [4], 0.1, "half_year")
    added = 1000.0 * math.sqrt(1.1)  # 1048.8088...

    def test_closing_rav_year0(self):
        assert self.bb["closing_rav"][0] == pytest.approx(self.added)

    def test_depreciation(self):
        assert self.bb["depreciation"][1:] == pytest.approx([self.added / 4] * 4)

    def test_return_year1(self):
        assert self.bb["return"][1] == pytest.approx(0.1 * self.added)

    def test_return_year4(self):
        assert self.bb["return"][4] == pytest.approx(0.1 * self.added / 4)

    def test_npv_equals_mid_year_capex(self):
        allowed = self.bb["depreciation"] + self.bb["return"]
        assert float(f.npv(allowed, 0.1)) == pytest.approx(1000.0 / 1.1**0.5, rel=1e-12)


class TestAsIncurred:
    bb = f.building_block(ONE, [4], 0.1, "as_incurred")

    def test_depreciation_is_capex(self):
        assert self.bb["depreciation"].tolist() == [1000.0, 0.0, 0.0, 0.0, 0.0]

    def test_no_rav(self):
        assert not self.bb["closing_rav"].any() and not self.bb["return"].any()


def test_unknown_convention():
    with pytest.raises(ValueError, match="unknown convention"):
        f.capitalised_capex([1.0], 0.1, "mid_year")


class TestReplacement:
    def test_replaced_every_life_inside_horizon(self):
        # life 3, horizon of 7 years (index 0-6): spent 0, replaced 3 and 6, not 9
        out = f.replacement_capex([100.0] + [0.0] * 9, 3, 7)
        assert out.tolist() == [100.0, 0, 0, 100.0, 0, 0, 100.0, 0, 0, 0]

    def test_escalated(self):
        out = f.replacement_capex([100.0, 0, 0, 0, 0], 2, 5, growth=0.1)
        assert out == pytest.approx([100.0, 0, 121.0, 0, 146.41])

    def test_life_ending_on_the_last_horizon_year(self):
        # horizon is index 0-3: a life of 3 ends on index 3, inside; index 6 is outside
        assert f.replacement_capex([10.0, 0, 0, 0, 0, 0, 0], 3, 4).tolist() == [
            10,
            0,
            0,
            10,
            0,
            0,
            0,
        ]

    def test_life_ending_after_horizon(self):
        assert f.replacement_capex([10.0, 0, 0, 0], 3, 3).tolist() == [10, 0, 0, 0]

    def test_per_class_lives(self):
        out = f.replacement_capex([[1.0, 0, 0, 0], [2.0, 0, 0, 0]], [1, 2], 4)
        assert out.tolist() == [[1, 1, 1, 1], [2, 0, 2, 0]]


def test_straight_line_depreciation_life_one():
    assert f.straight_line_depreciation([5.0, 7.0, 0.0], 1).tolist() == [0.0, 5.0, 7.0]


def test_levelised_profile_flat_and_same_npv():
    a = np.array([0.0, 350.0, 325.0, 300.0, 275.0])
    lev = f.levelised_profile(a, 0.1)
    assert np.ptp(lev) == 0.0
    assert float(f.npv(lev, 0.1)) == pytest.approx(float(f.npv(a, 0.1)), rel=1e-12)


def test_meters_in_service_mid_year():
    assert f.meters_in_service([100.0, 0.0]).tolist() == [50.0, 100.0]


class TestPayback:
    years = [2026, 2027, 2028]

    def test_simple(self):
        assert f.payback_year(self.years, [0, 50, 50], [100, 0, 0]) == 2028

    def test_exactly_even(self):
        assert f.payback_year(self.years, [0, 100, 0], [100, 0, 0]) == 2027

    def test_never(self):
        assert f.payback_year(self.years, [0, 40, 40], [100, 0, 0]) is None

    def test_discounted_later(self):
        # 50/1.1^2 + 50/1.1^3 = 78.9 < 100/1.1 = 90.9: never within three years
        assert f.payback_year(self.years, [0, 50, 50], [100, 0, 0], 0.1) is None


class TestLossEffects:
    def test_reduced_bulk_supplies(self):
        # RUD 9e8, RBS 1e9 (AL 10 %), AL falls by 0.004: RBS' = 9e8 / 0.904
        assert f.reduced_bulk_supplies(1e9, 9e8, 0.004) == pytest.approx(9e8 / 0.904)

    def test_actual_losses_fall_by_the_reduction(self):
        rbs2 = f.reduced_bulk_supplies(1e9, 9e8, 0.004)
        assert 1 - 9e8 / rbs2 == pytest.approx(0.1 - 0.004)

    def test_cpl_saving(self):
        assert f.loss_purchase_saving(1e9, 9e8, 0.004, 0.03) == pytest.approx(
            -(1e9 - 9e8 / 0.904) * 0.03
        )

    def test_loss_incentive(self):
        assert f.loss_incentive_change(9e8, 0.02, 0.004) == pytest.approx(72000.0)

    def test_loss_incentive_zero_when_d_zero(self):
        assert f.loss_incentive_change(9e8, 0.02, 0.004, d=0.0) == 0.0

    def test_scalar_in_scalar_out(self):
        assert np.ndim(f.reduced_bulk_supplies(1e9, 9e8, 0.0)) == 0


def test_year_fraction_from_mid_year():
    # from 1 July 2026: 184 days of the 365 of 2026
    out = f.year_fraction_from(datetime.date(2026, 7, 1), [2025, 2026, 2027])
    assert out == pytest.approx([0.0, 184 / 365, 1.0])


def test_year_fraction_from_in_a_leap_year():
    # from 1 March 2040: 306 days of the 366 of 2040 (29 February is before it)
    out = f.year_fraction_from(datetime.date(2040, 3, 1), [2040])
    assert out.tolist() == [306 / 366]


def test_year_fraction_from_on_year_edges():
    assert f.year_fraction_from(datetime.date(2027, 1, 1), [2026, 2027]).tolist() == [0.0, 1.0]
    assert f.year_fraction_from(datetime.date(2027, 12, 31), [2027]).tolist() == [1 / 365]


def test_period_share_across_a_leap_day():
    # 1 March 2027 to 29 February 2028: 366 days, 306 in 2027 and 60 in 2028
    out = f.period_share_by_year(datetime.date(2027, 3, 1), datetime.date(2028, 3, 1),
                                 [2026, 2027, 2028, 2029])  # fmt: skip
    assert out.tolist() == [0.0, 306 / 366, 60 / 366, 0.0]


def test_period_share_of_a_period_inside_one_year():
    out = f.period_share_by_year(datetime.date(2027, 1, 1), datetime.date(2028, 1, 1),
                                 [2026, 2027, 2028])  # fmt: skip
    assert out.tolist() == [0.0, 1.0, 0.0]


@settings(deadline=None)
@given(st.dates(datetime.date(2000, 1, 1), datetime.date(2090, 12, 31)), st.integers(1, 2000))
def test_period_shares_sum_to_one_and_follow_the_days(start, length):
    end = start + datetime.timedelta(days=length)
    years = np.arange(start.year - 1, end.year + 2)
    share = f.period_share_by_year(start, end, years)
    assert share.sum() == pytest.approx(1.0, rel=1e-12)
    assert (share >= 0).all() and (share[[0, -1]] == 0).all()
    # each year's share is its days of the period over the period's days
    assert share[1] * length == pytest.approx(
        (min(end, datetime.date(start.year + 1, 1, 1)) - start).days
    )


# --------------------------------------------------------------------------- properties

capex_profiles = hnp.arrays(
    float,
    st.tuples(st.integers(1, 3), st.integers(1, 14)),
    elements=st.floats(0, 1e8, allow_nan=False, allow_infinity=False),
)
lives = st.lists(st.integers(1, 20), min_size=3, max_size=3)
waccs = st.floats(0.0, 0.25)


def _sides(capex, life, wacc, convention):
    bb = f.building_block(capex, life[: capex.shape[0]], wacc, convention)
    n = capex.shape[-1]
    d = f.discount_factors(wacc, n)
    left = np.sum((bb["depreciation"] + bb["return"]) * d) + bb["closing_rav"][-1] * d[-1]
    right = np.sum(capex.sum(axis=0) * f.discount_factors(wacc, n, f.CAPEX_TIMING[convention]))
    return left, right, bb


@settings(deadline=None)
@given(capex_profiles, lives, waccs)
def test_year_end_npv_identity(capex, life, wacc):
    left, right, _ = _sides(capex, life, wacc, "year_end")
    assert left == pytest.approx(right, rel=1e-9, abs=1e-3)


@settings(deadline=None)
@given(capex_profiles, lives, waccs)
def test_half_year_npv_identity(capex, life, wacc):
    left, right, _ = _sides(capex, life, wacc, "half_year")
    assert left == pytest.approx(right, rel=1e-9, abs=1e-3)


@settings(deadline=None)
@given(capex_profiles, lives, waccs)
def test_as_incurred_identity(capex, life, wacc):
    left, right, bb = _sides(capex, life, wacc, "as_incurred")
    assert left == pytest.approx(right, rel=1e-9, abs=1e-3)
    assert not bb["closing_rav"].any()


@settings(deadline=None)
@given(capex_profiles, lives, waccs)
def test_fully_depreciated_when_run_off(capex, life, wacc):
    """Padded by the longest life, every vintage is gone: closing RAV 0, plain NPV equality."""
    padded = np.pad(capex, ((0, 0), (0, 20)))
    left, right, bb = _sides(padded, life, wacc, "year_end")
    assert bb["closing_rav"][-1] == pytest.approx(0.0, abs=1e-6 * max(1.0, capex.sum()))
    assert left == pytest.approx(right, rel=1e-9, abs=1e-3)


@settings(deadline=None)
@given(hnp.arrays(float, st.integers(1, 30), elements=st.floats(-1e8, 1e8)), waccs)
def test_levelised_identity(amounts, wacc):
    lev = f.levelised_profile(amounts, wacc)
    assert float(f.npv(lev, wacc)) == pytest.approx(float(f.npv(amounts, wacc)), rel=1e-9, abs=1e-3)


@settings(deadline=None)
@given(
    hnp.arrays(float, (4, 2, 9), elements=st.floats(0, 1e7)),
    st.lists(st.floats(0.0, 0.2), min_size=4, max_size=4),
)
def test_variant_axis_matches_one_at_a_time(capex, w):
    together = f.building_block(capex, [3, 5], np.array(w), "half_year")
    for i in range(4):
        alone = f.building_block(capex[i], [3, 5], w[i], "half_year")
        for key in ("depreciation", "return", "closing_rav"):
            assert together[key][i] == pytest.approx(alone[key], rel=1e-12, abs=1e-9)


# --------------------------------------------------------------------------- opening RAV


def test_opening_rav_block_by_hand():
    # RAV 900 with 3 years left and 100 with 2 years left, WACC 10 %
    bb = f.opening_rav_block([900.0, 100.0], [3, 2], 0.1, 5)
    assert bb["depreciation"].tolist() == [350.0, 350.0, 300.0, 0.0, 0.0]  # 300+50, 300+50, 300
    assert bb["opening_rav"].tolist() == [1000.0, 650.0, 300.0, 0.0, 0.0]
    assert bb["closing_rav"].tolist() == [650.0, 300.0, 0.0, 0.0, 0.0]
    assert bb["return"].round(9).tolist() == [100.0, 65.0, 30.0, 0.0, 0.0]


def test_opening_rav_block_boundaries():
    one = f.opening_rav_block([500.0], [1], 0.05, 3)  # one year left: all in year 0
    assert one["depreciation"].tolist() == [500.0, 0.0, 0.0]
    cut = f.opening_rav_block([500.0], [5], 0.05, 2)  # fewer years than life: the rest stays
    assert cut["closing_rav"][-1] == 300.0
    with pytest.raises(ValueError, match="at least one year"):
        f.opening_rav_block([500.0], [0], 0.05, 3)


@settings(deadline=None)
@given(
    hnp.arrays(float, st.integers(1, 5), elements=st.floats(0.0, 1e9)),
    st.integers(1, 30),
    st.floats(0.0, 0.25),
)
def test_opening_rav_recovered_once_at_its_value(rav, life, wacc):
    lives = np.full(rav.shape, life)
    bb = f.opening_rav_block(rav, lives, wacc, life + 2)
    # the depreciation recovers the opening RAV exactly once
    assert bb["depreciation"].sum() == pytest.approx(rav.sum(), rel=1e-9, abs=1e-6)
    # and depreciation plus return, discounted at the WACC, are worth the RAV at the start
    disc = (1.0 + wacc) ** -np.arange(1, life + 3)
    worth = ((bb["depreciation"] + bb["return"]) * disc).sum()
    assert worth == pytest.approx(rav.sum(), rel=1e-9, abs=1e-6)

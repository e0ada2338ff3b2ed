"""WPRA: the clawback on provisional capex by hand for shares 0, 0.5 and 1, rolled forward or
not, the RAV after the determination, and bad input named by file, key and year."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.inputs.wpra_file import wpra_from_dict
from tariffmodel.model import wpra

from conftest import expect_input_error

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WPRA = ROOT / "data" / "amr" / "nedc-wpra.yaml"


def one_vintage(share, roll_forward=False) -> dict:
    """RO 1,000 spent in 2026, life 10, WACC 10 %, determined in 2029.

    Allowed on the whole vintage before 2029: 2027 depreciation 100 + return 100 = 200;
    2028 depreciation 100 + return 90 = 190; together 390.
    """
    return {
        "name": "one vintage",
        "period": [2026, 2029],
        "wacc": 0.1,
        "life": 10,
        "roll_forward": roll_forward,
        "provisional_capex": {2026: 1000.0},
        "determinations": [{"year": 2029, "vintage": 2026, "share": share}],
    }


def table(share, roll_forward=False):
    return wpra.wpra_table(wpra_from_dict(one_vintage(share, roll_forward))).set_index("year")


class TestClawbackByHand:
    def test_allowed_before_determination(self):
        t = table(1.0)
        assert t.loc[2027, "allowed"] == pytest.approx(200.0)
        assert t.loc[2028, "allowed"] == pytest.approx(190.0)

    def test_share_one_no_clawback(self):
        assert table(1.0)["WPRA"].tolist() == [0.0] * 4

    def test_share_half(self):
        assert table(0.5)["WPRA"].tolist() == pytest.approx([0, 0, 0, -195.0])

    def test_share_zero(self):
        assert table(0.0)["WPRA"].tolist() == pytest.approx([0, 0, 0, -390.0])

    def test_share_half_rolled_forward(self):
        # 0.5 x (200 x 1.1^2 + 190 x 1.1) = 0.5 x (242 + 209) = 225.5
        assert table(0.5, True).loc[2029, "WPRA"] == pytest.approx(-225.5)

    def test_series(self):
        s = wpra.wpra_series(wpra_from_dict(one_vintage(0.5)))
        assert s.name == "WPRA" and s.index.tolist() == list(range(2026, 2030))
        assert s[2029] == pytest.approx(-195.0) and (s <= 0).all()


class TestRavAfterDetermination:
    def test_write_down_half(self):
        t = table(0.5)
        # closing 2028 = 800; half of it is written off at the start of 2029
        assert t.loc[2029, "opening_rav"] == pytest.approx(800.0)
        assert t.loc[2029, "write_down"] == pytest.approx(400.0)

    def test_recognised_part_rolls_on(self):
        t = table(0.5)
        assert t.loc[2029, "depreciation"] == pytest.approx(50.0)
        assert t.loc[2029, "return"] == pytest.approx(40.0)
        assert t.loc[2029, "closing_rav"] == pytest.approx(350.0)

    def test_share_zero_leaves_nothing(self):
        t = table(0.0)
        assert t.loc[2029, "closing_rav"] == 0.0 and t.loc[2029, "allowed"] == 0.0

    @pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
    def test_roll_forward_identity(self, share):
        t = table(share)
        change = t["provisional_capex"] - t["write_down"] - t["depreciation"]
        assert t["closing_rav"].to_numpy() == pytest.approx((t["opening_rav"] + change).to_numpy())


@pytest.mark.parametrize(("period", "year"), [([2026, 2030], 2030), ([2025, 2029], 2025)])
def test_period_outside_the_price_control_of_footnote_3_is_an_error(tmp_path, period, year):
    data = {**one_vintage(0.5), "period": period}
    err = expect_input_error(wpra.load_wpra, tmp_path, data, "footnote 3")
    assert "'period'" in str(err) and f"year {year}" in str(err) and "2026-2029" in str(err)


def test_period_within_the_price_control_is_accepted():
    data = {**one_vintage(0.5), "period": [2026, 2029]}
    assert wpra.wpra_series(wpra_from_dict(data)).index.tolist() == [2026, 2027, 2028, 2029]


def test_default_file():
    w = wpra.load_wpra(DEFAULT_WPRA)
    s = wpra.wpra_series(w)
    assert s.index.tolist() == [2026, 2027, 2028, 2029]
    # 2026 vintage 60 m over 30 years: 2 m + 4.2 m allowed in 2027, 10 % clawed back in 2028
    assert s[2028] == pytest.approx(-0.1 * (2e6 + 0.07 * 60e6))
    assert "illustrative" in DEFAULT_WPRA.read_text().lower()


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def wdict():
    return copy.deepcopy(yaml.safe_load(DEFAULT_WPRA.read_text()))


def bad(tmp_path, data, match):
    return expect_input_error(wpra.load_wpra, tmp_path, data, match)


class TestBadInput:
    @pytest.mark.parametrize("share", [-0.1, 1.2])
    def test_share_outside_0_1(self, tmp_path, wdict, share):
        wdict["determinations"][0]["share"] = share
        e = bad(tmp_path, wdict, "between 0 and 1")
        assert (e.key, e.year) == ("determinations[1].share", 2028)

    def test_vintage_never_spent(self, tmp_path, wdict):
        wdict["determinations"][0]["vintage"] = 2025
        e = bad(tmp_path, wdict, "no provisional capex was spent in 2025")
        assert e.year == 2028

    def test_determination_before_spend(self, tmp_path, wdict):
        wdict["determinations"][0] = {"year": 2027, "vintage": 2027, "share": 0.5}
        bad(tmp_path, wdict, "must come after")

    def test_twice(self, tmp_path, wdict):
        wdict["determinations"].append({"year": 2029, "vintage": 2026, "share": 0.5})
        bad(tmp_path, wdict, "already determined in 2028")

    def test_negative_capex(self, tmp_path, wdict):
        wdict["provisional_capex"][2027] = -5.0
        e = bad(tmp_path, wdict, "must not be negative")
        assert e.year == 2027

    def test_life_zero(self, tmp_path, wdict):
        wdict["life"] = 0
        bad(tmp_path, wdict, "at least 1 year")

    def test_wacc_percent(self, tmp_path, wdict):
        wdict["wacc"] = 7
        assert bad(tmp_path, wdict, "looks like a percent").key == "wacc"

    def test_determination_outside_period(self, tmp_path, wdict):
        wdict["determinations"][0]["year"] = 2031
        bad(tmp_path, wdict, "outside")


@settings(deadline=None)
@given(
    st.dictionaries(st.integers(2026, 2028), st.floats(0, 1e8), min_size=1),
    st.integers(1, 40),
    st.floats(0.0, 0.25),
    st.floats(0.0, 1.0),
)
def test_clawback_properties(capex, life, w, share):
    """Every vintage determined in 2029 at the same share: the clawback is (1 - share) of all
    that was allowed before, never positive, and rolling forward never lowers it."""
    data = {
        "name": "random",
        "period": [2026, 2029],
        "wacc": w,
        "life": life,
        "provisional_capex": capex,
        "determinations": [
            {"year": 2029, "vintage": v, "share": share} for v, x in capex.items() if x > 0
        ],
    }
    f = wpra_from_dict(data)
    full = wpra.wpra_table(wpra_from_dict({**data, "determinations": []}))
    t = wpra.wpra_table(f)
    allowed_before = full.loc[full["year"] < 2029, "allowed"].sum()
    assert t["WPRA"].sum() == pytest.approx(-(1 - share) * allowed_before, rel=1e-12, abs=1e-6)
    assert (t["WPRA"] <= 0).all()
    assert wpra.wpra_series(f, roll_forward=True).sum() <= t["WPRA"].sum() + 1e-6

"""The loss incentive on its own: the formula by hand, band edges, caps, both readings of R1,
the engine against the formula, the value of a point of losses and the AMR effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import tariffmodel as tm
from tariffmodel.analysis import loss_incentive as li
from tariffmodel.cli.main import main

from conftest import WORKED_EXAMPLE

TL, BAND, P, RUD, DB = 0.085, 0.005, 0.02, 30e9, 170e6
CAP = 0.03 * DB  # 5,100,000


def curve(al, reading="as_drafted", first_year=False):
    return float(li.loss_curve(al, TL, BAND, P, RUD, DB, reading=reading, first_year=first_year))


def test_inside_the_cap_by_hand():
    # LD = 0.085 - 0.080 = 0.005; BL = 30e9 x 0.02 x 0.005 = 3,000,000
    assert curve(0.080) == pytest.approx(3_000_000.0, rel=1e-12)
    # above target, as drafted: LD = 0.085 - 0.088 = -0.003; BL = -1,800,000
    assert curve(0.088) == pytest.approx(-1_800_000.0, rel=1e-12)


def test_caps_on_both_sides():
    assert curve(0.060) == CAP
    assert curve(0.120) == -CAP


def test_exactly_on_the_cap():
    al = TL - CAP / (RUD * P)  # BL = +cap exactly
    assert curve(al) == pytest.approx(CAP, rel=1e-12)


def test_band_under_both_readings():
    inside = 0.087  # TL < AL < TL + BAND
    assert curve(inside, "as_drafted") == pytest.approx(RUD * P * (TL - inside), rel=1e-12)
    assert curve(inside, "every_year") == 0.0
    # exactly at TL + BAND: D = 0 under both (the later-years text is 1 everywhere but there)
    assert curve(TL + BAND, "as_drafted") == 0.0
    assert curve(TL + BAND, "every_year") == 0.0
    # just above the band the penalty is the whole distance from TL
    assert curve(0.0905, "every_year") == pytest.approx(RUD * P * (TL - 0.0905), rel=1e-12)
    # the First Relevant Year has the dead band under both readings
    assert curve(inside, "as_drafted", first_year=True) == 0.0


@settings(deadline=None)
@given(hst.floats(-0.5, 0.99), hst.sampled_from(li.R1_READINGS))
def test_loss_is_within_its_cap_and_has_the_sign_of_tl_minus_al(al, reading):
    loss = curve(al, reading)
    assert -CAP <= loss <= CAP
    assert loss * (TL - al) >= 0.0


def test_vectorised_shape():
    al = np.linspace(0.05, 0.12, 8).reshape(2, 4)
    out = li.loss_curve(al, TL, BAND, P, RUD, DB)
    assert out.shape == (2, 4)


@pytest.mark.parametrize("year", [2026, 2027, 2029])
def test_engine_curve_matches_the_formula(worked_example, year):
    c = li.scenario_curve(worked_example, year)
    row = tm.project(worked_example).set_index("year").loc[year]
    rud = worked_example.rows[year - 1]["RUD"]
    for reading in li.R1_READINGS:
        want = li.loss_curve(
            c["AL"].to_numpy(), row["TL"], row["BAND"], row["p"], rud, row["DB"], reading=reading
        )
        assert np.allclose(c[f"LOSS_{reading}"], want, rtol=1e-9, atol=1e-6)
    assert c.attrs["cap"] == pytest.approx(0.03 * row["DB"], rel=1e-15)
    assert c.attrs["AL_actual"] == pytest.approx(row["AL"], rel=1e-15)


def test_value_of_one_point_of_losses_by_hand(worked_example):
    t = li.value_of_loss_point(worked_example).set_index("year")
    # 2026: uncapped RUD_2025 x p_2026 x 0.01 = 30.5e9 x 0.02 x 0.01 = 6,100,000
    assert t.loc[2026, "uncapped_per_point"] == pytest.approx(6_100_000.0, rel=1e-9)
    # LOSS_2026 = 1,398,872.18 and one point more would pass the cap 5,115,000: the gain is capped
    assert t.loc[2026, "value_per_point"] == pytest.approx(5_115_000.0 - 1_398_872.180451, rel=1e-9)


def test_amr_loss_effect_by_hand(worked_example):
    red = pd.Series({2025: 0.002, 2026: 0.0})
    t = li.amr_loss_effect(worked_example, red).set_index("year")
    assert t.loc[2026, "AL_amr"] == pytest.approx(t.loc[2026, "AL"] - 0.002, abs=1e-15)
    # LOSS_2026 rises by RUD_2025 x p_2026 x 0.002 = 1,220,000 (inside the cap)
    assert t.loc[2026, "LOSS_change"] == pytest.approx(1_220_000.0, rel=1e-9)
    assert t.loc[2026, "MADR_change"] == pytest.approx(1_220_000.0, rel=1e-9)
    assert t.loc[2027, "LOSS_change"] == 0.0
    zero = li.amr_loss_effect(worked_example, {})
    assert (zero["LOSS_change"] == 0).all() and (zero["MADR_change"] == 0).all()


def test_loss_incentive_command(tmp_path, capsys):
    out = tmp_path / "li"
    assert main(["loss-incentive", str(WORKED_EXAMPLE), "--out", str(out), "--year", "2027"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "loss_curve_2027.csv",
        "loss_curve_2027.png",
        "loss_point_value.csv",
        "manifest.json",
    } <= names
    assert "one point less losses is worth" in capsys.readouterr().out
    assert (
        main(
            ["loss-incentive", str(WORKED_EXAMPLE), "--out", str(tmp_path / "b"), "--year", "2031"]
        )
        == 2
    )
    assert not (tmp_path / "b").exists()

"""Break-even answers, by hand and substituted back into the engine (to 1e-6 or better)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.analysis import breakeven as be
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError

from conftest import WORKED_EXAMPLE

# worked example: year 2026 reads RUD_2025, p_2026, TL_2025 and DB_2026
RUD_2025 = 30.5e9
P_2026 = 0.020
TL_2025 = 0.085
DB_2026 = 170_500_000.0
CAP_2026 = 0.03 * DB_2026  # 5,115,000


@pytest.fixture(scope="module")
def losses():
    sc = tm.load_scenario(WORKED_EXAMPLE)
    return sc, be.loss_breakeven(sc).set_index("year")


def test_loss_cap_by_hand(losses):
    _, t = losses
    assert t.loc[2026, "cap"] == pytest.approx(CAP_2026, rel=1e-15)
    # BL = RUD p (TL - AL) = +cap  =>  AL = TL - cap / (RUD p)
    step = CAP_2026 / (RUD_2025 * P_2026)  # 0.0083852459...
    assert step == pytest.approx(0.008385245901639344, rel=1e-12)
    assert t.loc[2026, "AL_reward_cap"] == pytest.approx(TL_2025 - step, rel=1e-12)
    assert t.loc[2026, "AL_penalty_cap"] == pytest.approx(TL_2025 + step, rel=1e-12)
    al = t.loc[2026, "AL_reward_cap"]
    assert t.loc[2026, "RBS_reward_cap"] == pytest.approx(RUD_2025 / (1 - al), rel=1e-15)


@pytest.mark.parametrize("side,sign", [("reward", 1.0), ("penalty", -1.0)])
def test_loss_breakeven_substituted_back(losses, side, sign):
    sc, t = losses
    for y in sc.years:
        edited = sc.with_values({f"inputs.RBS@{y - 1}": t.loc[y, f"RBS_{side}_cap"]})
        row = tm.project(edited).set_index("year").loc[y]
        assert row["BL"] == pytest.approx(sign * t.loc[y, "cap"], rel=1e-6, abs=1e-6)
        assert row["LOSS"] == pytest.approx(sign * t.loc[y, "cap"], rel=1e-6)
        assert row["AL"] == pytest.approx(t.loc[y, f"AL_{side}_cap"], rel=1e-12)


def test_loss_breakeven_every_year_reading_is_outside_the_band(worked_example):
    t = be.loss_breakeven(worked_example, readings={"loss_deadband": "every_year"})
    assert (t["AL_reward_cap"] < t["TL"]).all()
    assert (t["AL_penalty_cap"] > t["TL"] + t["BAND"]).all()


def test_x_breakeven_substituted_back(worked_example):
    want = 230_000_000.0
    x = be.x_breakeven(worked_example, want)
    got = tm.project(worked_example.with_values({"notified.X": x}))["MADR"].iloc[-1]
    assert abs(got - want) <= 1e-6 * want
    # the base X gives the base MADR back
    base = tm.project(worked_example)["MADR"].iloc[-1]
    assert be.x_breakeven(worked_example, base) == pytest.approx(0.015, abs=1e-12)


def test_x_breakeven_of_another_year(worked_example):
    want = 187_000_000.0
    x = be.x_breakeven(worked_example, want, 2027)
    got = tm.project(worked_example.with_values({"notified.X": x}))["MADR"].iloc[1]
    assert abs(got - want) <= 1e-6 * want


def test_x_breakeven_out_of_reach(worked_example):
    with pytest.raises(InputError, match="no X in"):
        be.x_breakeven(worked_example, 1e12)
    with pytest.raises(InputError, match="X does not enter it"):
        be.x_breakeven(worked_example, 1.9e8, 2026)  # a and c notified in 2026
    with pytest.raises(InputError, match="not a modelled year"):
        be.x_breakeven(worked_example, 1.9e8, 2030)


def test_recovery_breakeven(worked_example):
    t = be.recovery_breakeven(worked_example).set_index("year")
    assert t["para3_above"].to_numpy() == pytest.approx([1.03] * 4, abs=1e-12)
    # history 2025: ARDR/MADR = 171/168 > 0.9, so paragraph 5 cannot hold in 2026
    assert math.isnan(t.loc[2026, "para5_below"])
    assert t.loc[[2027, 2028, 2029], "para5_below"].to_numpy() == pytest.approx(
        [0.9] * 3, abs=1e-12
    )


@pytest.mark.parametrize(
    "flag,col,above", [("para3", "para3_above", True), ("para5", "para5_below", False)]
)
def test_recovery_breakeven_substituted_back(worked_example, flag, col, above):
    sc = be.without_given_ardr(worked_example)
    t = be.recovery_breakeven(worked_example).set_index("year")
    for j, y in enumerate(sc.years):
        r = t.loc[y, col]
        if math.isnan(r):
            continue
        res = tm.evaluate(
            sc, overrides={"inputs.recovery": np.array([r * (1 - 1e-6), r * (1 + 1e-6)])}
        )
        assert res[flag][:, j].tolist() == ([False, True] if above else [True, False])


def test_kpi_breakeven_by_hand_and_substituted_back(worked_example):
    t = be.kpi_breakeven(worked_example).set_index("year")
    # KS = WS/TS saturates at 1 +- CAP: WS* = 0.85 x 1.1 and 0.85 x 0.9
    assert t["WS_upper"].to_numpy() == pytest.approx([0.935] * 4, rel=1e-12)
    assert t["WS_lower"].to_numpy() == pytest.approx([0.765] * 4, rel=1e-12)
    # CS at saturation: (KS - 1) r DB_{t-1} / CAP = +- r DB_{t-1}; DB_2025 = 164,000,000
    assert t.loc[2026, "CS_max"] == pytest.approx(0.01 * 164_000_000, rel=1e-9)
    assert t.loc[2026, "CS_min"] == pytest.approx(-0.01 * 164_000_000, rel=1e-9)
    for y in worked_example.years:
        row = tm.project(worked_example.with_values({f"inputs.WS@{y - 1}": t.loc[y, "WS_upper"]}))
        row = row.set_index("year").loc[y]
        assert row["KS"] == pytest.approx(1.1, rel=1e-6)
        assert row["CS"] == pytest.approx(t.loc[y, "CS_max"], rel=1e-6)


def test_breakeven_commands(tmp_path, capsys):
    assert main(["breakeven", "losses", str(WORKED_EXAMPLE), "--loss-deadband", "every_year"]) == 0
    assert "AL_reward_cap" in capsys.readouterr().out
    out = tmp_path / "x"
    assert main(["breakeven", "x", str(WORKED_EXAMPLE), "--madr", "2.3e8", "--out", str(out)]) == 0
    x = pd.read_csv(out / "breakeven_x.csv")["X"].iloc[0]
    assert x == pytest.approx(be.x_breakeven(tm.load_scenario(WORKED_EXAMPLE), 2.3e8), rel=1e-12)
    assert (out / "manifest.json").exists()
    assert main(["breakeven", "recovery", str(WORKED_EXAMPLE)]) == 0
    assert main(["breakeven", "kpi", str(WORKED_EXAMPLE)]) == 0
    assert main(["breakeven", "x", str(WORKED_EXAMPLE), "--madr", "1e12"]) == 2
    assert "no X in" in capsys.readouterr().err

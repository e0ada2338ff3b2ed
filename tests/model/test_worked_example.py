"""The worked example of the scenario-format contract, every intermediate, one assert per step.

Expected values are computed here by hand from the licence formulas (plain arithmetic on the
figures of the example file), independently of the package's code; the totals are also pinned to
the printed table of the specification, to the cent.
"""

from __future__ import annotations

import pytest

from tariffmodel.cli.main import main

REL = 1e-12


def approx(x):
    return pytest.approx(x, rel=REL, abs=1e-9)


# ---- 2026 -------------------------------------------------------------------------------


def test_2026_db(worked_table):
    assert worked_table.loc[2026, "DB"] == approx(60_000_000 + 85.0 * 1_300_000)


def test_2026_actual_losses(worked_table):
    assert worked_table.loc[2026, "AL"] == approx(1 - 30.5e9 / 33.25e9)


def test_2026_actual_losses_rounded(worked_table):
    assert round(worked_table.loc[2026, "AL"], 7) == 0.0827068


def test_2026_target_and_band_of_2025(worked_table):
    assert (worked_table.loc[2026, "TL"], worked_table.loc[2026, "BAND"]) == (0.085, 0.005)


def test_2026_deadband_factor_as_drafted(worked_table):
    assert worked_table.loc[2026, "D"] == 1


def test_2026_loss_difference(worked_table):
    assert worked_table.loc[2026, "LD"] == approx(0.085 - (1 - 30.5e9 / 33.25e9))


def test_2026_base_loss(worked_table):
    assert worked_table.loc[2026, "BL"] == approx(30.5e9 * 0.020 * (0.085 - (1 - 30.5e9 / 33.25e9)))


def test_2026_loss_cap(worked_table):
    assert worked_table.loc[2026, "loss_cap"] == approx(0.03 * 170_500_000)


def test_2026_loss_inside_cap(worked_table):
    assert round(worked_table.loc[2026, "LOSS"], 2) == 1_398_872.18


def test_2026_nsf(worked_table):
    assert worked_table.loc[2026, "NSF"] == approx(12 * 15_000)


def test_2026_ks(worked_table):
    assert worked_table.loc[2026, "KS"] == approx(0.87 / 0.85)


def test_2026_cs(worked_table):
    assert worked_table.loc[2026, "CS"] == approx((0.87 / 0.85 - 1) * 0.01 * 164_000_000 / 0.10)


def test_2026_cc(worked_table):
    answered = (0.86 - 0.90) / 0.90 * 0.5 * 400_000
    abandonment = (0.05 - 0.06) / 0.05 * 0.3 * 400_000
    assert worked_table.loc[2026, "CC"] == approx(answered + abandonment)


def test_2026_cc_parts_rounded(worked_table):
    assert round(worked_table.loc[2026, "CC"], 2) == round(-8_888.89 - 24_000, 2)


def test_2026_specified_rate_without_penalty(worked_table):
    # ARDR 2025 exceeds MADR 2025 by 1.79 %, under 2 %
    assert worked_table.loc[2026, "i"] == 0.0258


def test_2026_k(worked_table):
    assert worked_table.loc[2026, "K"] == approx(3_000_000 * 1.0258)


def test_2026_madr(worked_table):
    assert round(worked_table.loc[2026, "MADR"], 2) == 180_804_465.64


def test_2026_ardr_given(worked_table):
    assert worked_table.loc[2026, "ARDR"] == 180_000_000


# ---- 2027 -------------------------------------------------------------------------------


def test_2027_a_rolled_forward(worked_table):
    assert worked_table.loc[2027, "a"] == approx(60_000_000 * (1 + 0.012 - 0.015))


def test_2027_c_rolled_forward(worked_table):
    assert worked_table.loc[2027, "c"] == approx(85.0 * (1 + 0.012 - 0.015))


def test_2027_p_rolled_forward(worked_table):
    assert worked_table.loc[2027, "p"] == approx(0.020 * 1.012)


def test_2027_db(worked_table):
    assert round(worked_table.loc[2027, "DB"], 2) == 173_378_300.00


def test_2027_al(worked_table):
    assert worked_table.loc[2027, "AL"] == approx(1 - 31.4e9 / 34.15e9)


def test_2027_loss(worked_table):
    assert round(worked_table.loc[2027, "LOSS"], 2) == 936_089.63


def test_2027_nsf_ends_after_2026(worked_table):
    assert worked_table.loc[2027, "NSF"] == 0.0


def test_2027_cs(worked_table):
    assert round(worked_table.loc[2027, "CS"], 2) == -1_002_941.18


def test_2027_cc_no_shortfall(worked_table):
    assert worked_table.loc[2027, "CC"] == 0.0


def test_2027_k_under_recovery(worked_table):
    madr_2026 = worked_table.loc[2026, "MADR"]
    assert worked_table.loc[2027, "K"] == approx((180_000_000 - madr_2026) * 1.0262)


def test_2027_k_rounded(worked_table):
    assert round(worked_table.loc[2027, "K"], 2) == -825_542.64


def test_2027_wpra(worked_table):
    assert worked_table.loc[2027, "WPRA"] == -750_000


def test_2027_madr(worked_table):
    assert round(worked_table.loc[2027, "MADR"], 2) == 187_446_991.10


def test_2027_ardr_absent_equals_madr(worked_table):
    assert worked_table.loc[2027, "ARDR"] == worked_table.loc[2027, "MADR"]


# ---- 2028 -------------------------------------------------------------------------------


def test_2028_db(worked_table):
    assert round(worked_table.loc[2028, "DB"], 2) == 176_061_027.60


def test_2028_loss(worked_table):
    p = 0.020 * 1.012 * 1.011
    ld = 0.079 - (1 - 32.3e9 / 35.0e9)
    assert worked_table.loc[2028, "LOSS"] == approx(32.3e9 * p * ld)


def test_2028_cs(worked_table):
    assert round(worked_table.loc[2028, "CS"], 2) == 203_974.47


def test_2028_cc_without_actuals(worked_table):
    assert worked_table.loc[2028, "CC"] == 0.0


def test_2028_k_zero_after_exact_recovery(worked_table):
    assert worked_table.loc[2028, "K"] == 0.0


def test_2028_madr(worked_table):
    assert round(worked_table.loc[2028, "MADR"], 2) == 192_912_468.15


# ---- 2029 -------------------------------------------------------------------------------


def test_2029_db(worked_table):
    assert round(worked_table.loc[2029, "DB"], 2) == 178_540_082.06


def test_2029_loss(worked_table):
    assert round(worked_table.loc[2029, "LOSS"], 2) == 542_806.47


def test_2029_ks_clamped(worked_table):
    # 0.95 / 0.85 = 1.1176 is above 1 + CAP
    assert worked_table.loc[2029, "KS"] == approx(1.10)


def test_2029_cs_at_cap(worked_table):
    assert worked_table.loc[2029, "CS"] == approx(0.10 * 0.01 * worked_table.loc[2028, "DB"] / 0.10)


def test_2029_k(worked_table):
    assert round(worked_table.loc[2029, "K"], 2) == -43_985_279.85


def test_2029_madr(worked_table):
    assert round(worked_table.loc[2029, "MADR"], 2) == 240_708_778.65


def test_2029_para5(worked_table):
    assert bool(worked_table.loc[2029, "para5"]) is True


def test_para5_only_2029(worked_table):
    assert worked_table["para5"].tolist() == [False, False, False, True]


def test_para3_never(worked_table):
    assert not worked_table["para3"].any()


def test_para4_never(worked_table):
    assert not worked_table["para4"].any()


# ---- through the command line, as a review team would run it --------------------------


def test_cli_reproduces_the_table(tmp_path, capsys):
    import pandas as pd

    from conftest import WORKED_EXAMPLE

    assert main(["run", str(WORKED_EXAMPLE), "--out", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "madr.csv").set_index("year")
    printed = {
        2026: (
            170_500_000.00,
            1_398_872.18,
            180_000.00,
            385_882.35,
            -32_888.89,
            3_077_400.00,
            180_804_465.64,
        ),
        2027: (173_378_300.00, 936_089.63, 0.00, -1_002_941.18, 0.00, -825_542.64, 187_446_991.10),
        2028: (176_061_027.60, 1_227_466.08, 0.00, 203_974.47, 0.00, 0.00, 192_912_468.15),
        2029: (
            178_540_082.06,
            542_806.47,
            0.00,
            1_760_610.28,
            0.00,
            -43_985_279.85,
            240_708_778.65,
        ),
    }
    for year, values in printed.items():
        got = tuple(
            round(float(table.loc[year, c]), 2)
            for c in ("DB", "LOSS", "NSF", "CS", "CC", "K", "MADR")
        )
        assert got == values, year

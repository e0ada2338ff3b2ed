"""MADR under every combination of readings: what each reading is worth, by hand."""

from __future__ import annotations

import pytest

import tariffmodel as tm
from tariffmodel.analysis.readings import compare, pivot
from tariffmodel.cli.main import main


def test_worked_example_only_r2_matters(worked_example):
    table = compare(worked_example)
    assert list(dict.fromkeys(table["readings"])) == ["default", "R2 call_centre=as_drafted"]


def test_r2_worth_the_call_centre_penalty(worked_example):
    change = pivot(compare(worked_example), "MADR_change").loc["R2 call_centre=as_drafted"]
    cc_2026 = (0.86 - 0.90) / 0.90 * 0.5 * 400_000 + (0.05 - 0.06) / 0.05 * 0.3 * 400_000
    assert change[2026] == pytest.approx(-cc_2026, rel=1e-9)


def test_r2_carried_into_k_of_the_next_year(worked_example):
    change = pivot(compare(worked_example), "MADR_change").loc["R2 call_centre=as_drafted"]
    cc_2026 = (0.86 - 0.90) / 0.90 * 0.5 * 400_000 + (0.05 - 0.06) / 0.05 * 0.3 * 400_000
    # MADR_2026 rises by -CC, ARDR_2026 is given: K_2027 falls by -CC x (1 + 0.0262)
    assert change[2027] == pytest.approx(-cc_2026 * 1.0262, rel=1e-9)


def test_r1_changes_loss_inside_the_band(example_dict):
    example_dict["inputs"][0]["RBS"] = 30.5e9 / (1 - 0.087)  # AL 2025 inside the band
    sc = tm.scenario_from_dict(example_dict)
    labels = set(compare(sc)["readings"])
    assert "R1 loss_deadband=every_year" in labels


def test_r3_net_differs_when_a_year_is_below(example_dict):
    # 2025 4.5 % over the cap, 2026 1 % under it
    example_dict["inputs"][0]["ARDR"] = 168_000_000 * 1.045
    example_dict["inputs"][1].pop("ARDR")
    example_dict["inputs"][1]["recovery"] = 0.99
    sc = tm.scenario_from_dict(example_dict)
    pos = tm.project(sc).set_index("year")
    net = tm.project(sc.with_readings(para4_excess="net")).set_index("year")
    # excess 2025 = 0.045 x 168e6 = 7.56e6 > 4 % of MADR_2026 (about 7.4e6) alone; net subtracts
    # 1 % of MADR_2026 (about 1.85e6) and falls below
    assert (bool(pos.loc[2026, "para4"]), bool(net.loc[2026, "para4"])) == (True, False)


def test_cli_readings_prints_and_writes(tmp_path, capsys):
    from conftest import WORKED_EXAMPLE

    assert main(["readings", str(WORKED_EXAMPLE), "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "R2 call_centre=as_drafted" in out and "+32,888.89" in out
    assert (tmp_path / "r" / "readings.csv").exists()
    assert (tmp_path / "r" / "manifest.json").exists()

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


def test_register_lists_every_reading_default_first():
    from tariffmodel.analysis.readings import register

    table = register()
    assert list(dict.fromkeys(table["id"])) == [f"R{n}" for n in range(1, 9)]
    for switch, values in tm.READINGS.items():
        part = table[table["switch"] == switch]
        assert part["value"].tolist() == list(values)
        assert part["default"].tolist() == [True] + [False] * (len(values) - 1)
        assert part["meaning"].str.len().min() > 10


def test_register_states_the_r7_year_and_share_and_the_r8_sign_turn():
    from tariffmodel.analysis.readings import register

    table = register().set_index(["switch", "value"])
    r7 = table.loc[("licence_fee_true_up", "owed_minus_paid"), "meaning"]
    assert "Distribution share of year t" in r7 and "1 June 2023" in r7
    assert "(T_i - A_i) / T_i" in table.loc[("call_centre_cap", "total"), "text"]


def test_cli_list_prints_every_reading_and_erratum(tmp_path, capsys):
    from tariffmodel.licence.errata import ERRATA

    assert main(["readings", "--list", "--out", str(tmp_path / "reg")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    from tariffmodel.licence.schedule2 import READING_IDS

    for switch in tm.READINGS:
        assert f"{READING_IDS[switch]} {switch}:" in out
    for n, e in enumerate(ERRATA, start=1):
        assert f"E{n} {e.where}:" in out and " ".join(e.reading.split()) in out
    assert (tmp_path / "reg" / "readings-register.csv").exists()
    assert (tmp_path / "reg" / "errata.csv").exists()


def test_errata_name_the_wrong_references_of_the_licence():
    from tariffmodel.analysis.readings import errata

    table = errata()
    says = " ".join(table["says"])
    for wrong in ("paragraph 1d below", "paragraphs 12 and", "paragraphs 5 or 8",
                  "paragraphs 9 or 10", "paragraph 15", "paragraph 13", "4(e)",
                  "Central Bank of Oman", "1st June 2023"):  # fmt: skip
        assert wrong in says, wrong
    assert "there is no item (c)" in says and "(m) ; and" in says
    assert table["reading"].str.len().min() > 5


def test_cli_list_takes_no_scenario(capsys):
    from conftest import WORKED_EXAMPLE

    assert main(["readings", "--list", str(WORKED_EXAMPLE)]) == 2
    assert "give no scenario" in capsys.readouterr().err
    assert main(["readings"]) == 2
    assert "a scenario file is due" in capsys.readouterr().err


def test_errata_listed_in_the_docs():
    from tariffmodel.licence.errata import ERRATA

    from conftest import ROOT

    docs = " ".join((ROOT / "docs" / "readings.md").read_text().split())
    for e in ERRATA:
        assert e.where in docs, e.where
    for switch in tm.READINGS:
        assert f"`{switch}`" in docs

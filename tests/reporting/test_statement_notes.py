"""What the statement says beside the numbers: the scenario's warnings, connection revenue of
paragraph 12(a) (ARDR_connection, or C_t assumed), and the CPI_t values that are forecasts."""

from __future__ import annotations

import json

import pytest

import tariffmodel as tm
from tariffmodel.cli.main import main
from tariffmodel.reporting.run_outputs import statement, write_run

from conftest import expect_input_error


def _statement(sc) -> str:
    return statement(sc, tm.project(sc))


def test_one_number_for_a_c_p_warns(example_dict, tmp_path, capsys, write_scenario):
    example_dict["notified"]["a"] = 60_000_000
    example_dict["notified"]["p"] = 0.02
    sc = tm.scenario_from_dict(example_dict)
    (warning,) = sc.warnings
    assert warning.startswith("notified a, p: one number each")
    assert "2026-2029" in warning and "Write {2026: value}" in warning
    assert "paragraph 1a" in warning and "paragraph 1b" in warning
    assert f"- {warning}" in _statement(sc)
    path = write_scenario(example_dict)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "warning: notified a, p: one number each" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["warnings"] == [warning]


def test_one_number_over_one_year_does_not_warn(example_dict):
    example_dict["years"] = [2026]
    example_dict["inputs"] = example_dict["inputs"][:2]
    for key, value in example_dict["notified"].items():
        if isinstance(value, dict):
            example_dict["notified"][key] = {y: v for y, v in value.items() if y <= 2026}
    example_dict["notified"]["a"] = 60_000_000
    cc = example_dict["call_centre"]
    cc["actuals"] = {2026: cc["actuals"][2026]}
    cc["allowance"] = {2026: cc["allowance"][2026]}
    assert tm.scenario_from_dict(example_dict).warnings == []


def test_notified_by_year_does_not_warn(worked_example):
    assert worked_example.warnings == []
    assert "Warnings:" not in _statement(worked_example)


def test_connection_revenue_assumed_when_not_given(worked_example):
    text = _statement(worked_example)
    assert "| (a)(ii) connection revenue (not given: assumed equal to C_t) | 0.00 |" in text


def test_connection_revenue_given(example_dict):
    example_dict["inputs"][1]["C"] = 6_500_000
    example_dict["inputs"][1]["ARDR_connection"] = 6_200_000
    sc = tm.scenario_from_dict(example_dict)
    text = _statement(sc).split("## Relevant Year 2027")[0]
    # ARDR_2026 = 180,000,000: use of system 173,800,000
    assert "| (a)(ii) connection revenue (ARDR_connection, given) | 6,200,000.00 |" in text
    assert "| (a)(i) use of system revenue (ARDR_t less (a)(ii)) | 173,800,000.00 |" in text
    assert "| (b) C_t | 6,500,000.00 |" in text
    # it enters no term: MADR is that of C_t alone
    without = example_dict | {"inputs": [dict(r) for r in example_dict["inputs"]]}
    without["inputs"][1].pop("ARDR_connection")
    assert (
        tm.project(sc)["MADR"].tolist()
        == tm.project(tm.scenario_from_dict(without))["MADR"].tolist()
    )
    assert "inputs.ARDR_connection" not in tm.targets(sc)


def test_connection_revenue_above_computed_ardr_is_said(example_dict):
    row = example_dict["inputs"][3]  # 2028: ARDR given as 150 m
    row.pop("ARDR")
    row["recovery"] = 0.5
    row["ARDR_connection"] = 150_000_000
    text = _statement(tm.scenario_from_dict(example_dict))
    assert "Connection revenue exceeds ARDR_2028: use of system revenue is negative" in text


def test_connection_revenue_rules(example_dict, tmp_path):
    example_dict["inputs"][1]["ARDR_connection"] = 190_000_000  # ARDR_2026 is 180 m
    err = expect_input_error(tm.load_scenario, tmp_path, example_dict, "ARDR_connection")
    assert "is above ARDR" in str(err) and "2026" in str(err)
    example_dict["inputs"][1]["ARDR_connection"] = -1.0
    expect_input_error(tm.load_scenario, tmp_path, example_dict, "ARDR_connection.*at least 0")
    example_dict["inputs"][1]["ARDR_connection"] = "6,200,000"
    expect_input_error(tm.load_scenario, tmp_path, example_dict, "ARDR_connection")


def test_cpi_forecasts_shown(example_dict, tmp_path):
    example_dict["cpi_forecasts"] = [2028, 2029]
    sc = tm.scenario_from_dict(example_dict)
    assert sc.cpi_forecasts == (2028, 2029)
    text = _statement(sc)
    assert "a forecast agreed with the Authority" in text.split("## Relevant Year")[0]
    assert "in: 2028, 2029" in text
    year_2028 = text.split("## Relevant Year 2028")[1].split("## Relevant Year 2029")[0]
    assert "CPI_2028 = 1.1000 % is a forecast agreed with the Authority" in year_2028
    year_2027 = text.split("## Relevant Year 2027")[1].split("## Relevant Year 2028")[0]
    assert "is a forecast" not in year_2027
    write_run(sc, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["cpi_forecasts"] == [
        2028,
        2029,
    ]
    # written out and read back by a standalone scenario
    assert tm.scenario_from_dict(sc.to_dict()).cpi_forecasts == (2028, 2029)


def test_no_cpi_forecasts_said(worked_example):
    assert "the scenario marks no value as a forecast" in _statement(worked_example)


@pytest.mark.parametrize(
    "value, match",
    [
        ([2025], "cpi_forecasts.*2025.*not a modelled year"),
        ([2027, 2027], "cpi_forecasts.*2027.*listed twice"),
        (2027, "cpi_forecasts is a list of years"),
        (["2027x"], "cpi_forecasts"),
    ],
)
def test_cpi_forecasts_rules(example_dict, tmp_path, value, match):
    example_dict["cpi_forecasts"] = value
    expect_input_error(tm.load_scenario, tmp_path, example_dict, match)

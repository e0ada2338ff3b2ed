"""The batch summary's sheet comparing every scenario with the base scenario of the review."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.cli.main import main
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.comparison import review_comparison

from conftest import ROOT

SCENARIOS = ROOT / "data" / "scenarios"


def records(tmp_path, names):
    out = []
    for name in names:
        path = SCENARIOS / f"{name}.yaml"
        sc = tm.load_scenario(path)
        (tmp_path / name).mkdir(parents=True)
        tm.project(sc).to_csv(tmp_path / name / "madr.csv", index=False)
        out.append(
            {
                "slug": name,
                "name": sc.name,
                "folder": name,
                "status": "ok",
                "path": str(path),
                "readings": sc.readings,
            }
        )
    return out


def test_summary_gains_a_sheet_comparing_with_the_base(tmp_path):
    recs = records(tmp_path, ["nedc-base", "nedc-high-inflation", "nedc-alt-readings"])
    xlsx, _ = reports.write_summary(tmp_path, recs, {"command": "x"})
    wb = openpyxl.load_workbook(xlsx)
    assert "Comparison with base" in wb.sheetnames
    ws = wb["Comparison with base"]
    assert "NEDC base case" in ws.cell(row=1, column=1).value
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    head = [c.value for c in ws[3]]
    assert head[:2] == ["scenario", "item"] and head[-1] == "period"
    for other in ("NEDC high inflation", "NEDC alternative readings"):
        mine = [r for r in rows if r[0].startswith(other)]
        diff = next(r for r in mine if r[1].startswith("difference"))
        drivers = [r for r in mine if r[1].strip().startswith("driver")]
        assert drivers
        for j in range(2, len(head)):
            assert sum(r[j] for r in drivers) == pytest.approx(diff[j], abs=1e-6)


def test_the_base_is_named_by_its_file(tmp_path):
    recs = records(tmp_path, ["nedc-base", "nedc-high-inflation"])
    labels = {r["slug"]: r["name"] for r in recs}
    label, frame = review_comparison(recs, labels, base=recs[1]["path"])
    assert label == "NEDC high inflation, 2026-2029"
    assert set(frame["scenario"]) == {"NEDC base case, 2026-2029"}
    madr = frame[frame["item"] == "difference of MADR [RO]"].iloc[0]
    want = (
        tm.project(tm.load_scenario(recs[0]["path"]))["MADR"].sum()
        - tm.project(tm.load_scenario(recs[1]["path"]))["MADR"].sum()
    )
    assert madr["period"] == pytest.approx(want)


def test_a_scenario_of_other_years_is_named_not_compared(tmp_path, example_dict, write_scenario):
    example_dict["years"] = [2026, 2027, 2028]
    example_dict["inputs"] = example_dict["inputs"][:-1]
    example_dict["call_centre"]["allowance"].pop(2029)
    path = write_scenario(example_dict)
    recs = records(tmp_path, ["nedc-base"])
    recs.append({"slug": "short", "status": "ok", "path": str(path), "readings": {}})
    label, frame = review_comparison(recs, {"nedc-base": "Base", "short": "Short"})
    assert label == "Base"
    assert (
        frame["item"].iloc[0].startswith("not compared")
        and "different years" in frame["item"].iloc[0]
    )


def test_one_scenario_has_no_comparison_sheet(tmp_path):
    recs = records(tmp_path, ["nedc-base"])
    xlsx, _ = reports.write_summary(tmp_path, recs, {"command": "x"})
    assert "Comparison with base" not in openpyxl.load_workbook(xlsx).sheetnames
    assert isinstance(pd.read_csv(tmp_path / "summary.csv"), pd.DataFrame)


def test_batch_base_must_be_one_of_its_scenarios(tmp_path, capsys):
    out = tmp_path / "batch"
    base = str(SCENARIOS / "nedc-base.yaml")
    other = str(SCENARIOS / "nedc-high-inflation.yaml")
    assert main(["batch", base, "--out", str(out), "--base", other, "--quiet"]) == 2
    assert "--base" in capsys.readouterr().err and not out.exists()
    assert main(["batch", base, "--out", str(out), "--base", "nope.yaml", "--quiet"]) == 2


def test_the_comparison_and_run_figures_read_well():
    from test_figures import figure_problems  # the check of every figure of the package

    from tariffmodel.reporting.comparison import waterfall_figure
    from tariffmodel.reporting.run_outputs import terms_figure

    base = tm.load_scenario(SCENARIOS / "nedc-base.yaml")
    other = tm.load_scenario(SCENARIOS / "nedc-alt-readings.yaml")
    for by in ("key", "cell"):
        assert figure_problems(waterfall_figure(tm.compare(base, other, by=by))) == []
    assert figure_problems(terms_figure(tm.project(other), other.name)) == []

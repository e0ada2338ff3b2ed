"""Defects found by an economist's afternoon with the workbench, each pinned by a test."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

import tariffmodel as tm
from tariffmodel.analysis import montecarlo as mc
from tariffmodel.analysis.readings import compare as readings_compare
from tariffmodel.cli.main import main
from tariffmodel.model import amr
from tariffmodel.reporting.review import amr_summary_table

from conftest import ROOT, WORKED_EXAMPLE

BASE = str(ROOT / "data" / "scenarios" / "nedc-base.yaml")
DRAWS = str(ROOT / "data" / "draws" / "nedc-base.yaml")
PLAN = str(ROOT / "data" / "amr" / "nedc-amr-plan.yaml")


def test_two_commands_into_one_folder_keep_each_provenance(tmp_path):
    out = tmp_path / "shared"
    assert main(["tornado", BASE, "--draws", DRAWS, "--out", str(out), "--no-plots"]) == 0
    args = ["montecarlo", BASE, "--draws", DRAWS, "--n", "50", "--seed", "3", "--no-plots"]
    assert main([*args, "--out", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["files"] == ["montecarlo.csv"] and m["seed"] == 3
    (earlier,) = m["earlier_runs"]
    assert earlier["files"] == ["tornado.csv"] and earlier["inputs"] and earlier["seed"] is None
    # the same command again replaces its own record, not the tornado's
    assert main([*args, "--out", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert [r["files"] for r in m["earlier_runs"]] == [["tornado.csv"]]


def test_the_four_breakeven_questions_keep_their_provenance(tmp_path):
    out = tmp_path / "be"
    example = str(WORKED_EXAMPLE)
    for q in (["losses"], ["recovery"], ["kpi"], ["x", "--madr", "2e8"]):
        assert main(["breakeven", q[0], example, *q[1:], "--out", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    files = [m["files"]] + [r["files"] for r in m["earlier_runs"]]
    assert sorted(f for fs in files for f in fs) == sorted(
        f"breakeven_{q}.csv" for q in ("losses", "recovery", "kpi", "x")
    )


def test_readings_labels_the_scenario_own_readings_default_only_when_they_are():
    alt = tm.load_scenario(ROOT / "data" / "scenarios" / "nedc-alt-readings.yaml")
    first = readings_compare(alt)["readings"].iloc[0]
    assert first.startswith("scenario's own") and "R1 loss_deadband=every_year" in first
    assert readings_compare(tm.load_scenario(BASE))["readings"].iloc[0] == "default"


def test_grid_csv_names_its_x_target(tmp_path):
    out = tmp_path / "grid"
    args = ["grid", BASE, "--x", "notified.X=0:0.02:3", "--y", "inputs.CPI=0:0.02:2"]
    assert main([*args, "--out", str(out), "--no-plots"]) == 0
    header = (out / "grid.csv").read_text().splitlines()[0].split(",")
    assert "inputs.CPI" in header[0] and "notified.X" in header[0]
    assert header[1:] == ["notified.X=0.0", "notified.X=0.01", "notified.X=0.02"]
    grid = pd.read_csv(out / "grid.csv", index_col=0)
    assert grid.index.tolist() == [0.0, 0.02]


def test_a_draws_mapping_read_as_yaml_1_1_is_accepted():
    text = "draws:\n  inputs.RBS@2027: {dist: norm, loc: 35.6e9, scale: 0.1e9}\nn: 10\n"
    as_papermill_reads_it = yaml.safe_load(text)  # YAML 1.1: 35.6e9 is text here
    assert as_papermill_reads_it["draws"]["inputs.RBS@2027"]["loc"] == "35.6e9"
    spec = mc.as_spec(as_papermill_reads_it, tm.load_scenario(WORKED_EXAMPLE))
    assert spec.distributions["inputs.RBS@2027"].loc == 35.6e9
    not_a_number = {"draws": {"notified.X": {"dist": "norm", "loc": "1.5%", "scale": 0.1}}}
    with pytest.raises(tm.InputError, match="finite number"):
        mc.as_spec(not_a_number)


def test_amr_payback_not_reached_says_so_and_the_levelised_cost_names_its_years(capsys, tmp_path):
    figures = amr.summary(amr.load_plan(PLAN))
    assert figures["payback_year"] is None  # the default plan's benefits never cover its costs
    view = amr_summary_table(figures)["value"]
    span = f"{figures['first_year']}-{figures['last_year']}"
    assert view["payback_year"] == "not within the horizon"
    assert f"ro_per_account_year_levelised (over {span}, discounted at the WACC)" in view.index
    for convention in ("year_end", "as_incurred"):
        assert (
            main(["amr", PLAN, "--out", str(tmp_path / convention), "--convention", convention])
            == 0
        )
        figures = amr.summary(amr.load_plan(PLAN), convention=convention)
        text = capsys.readouterr().out
        assert "not within the horizon" in text
        assert f"over {figures['first_year']}-{figures['last_year']}" in text


@pytest.mark.slow
def test_sensitivity_notebook_takes_the_path_of_a_draws_file(tmp_path):
    import papermill as pm

    from tariffmodel.batch.runner import KERNEL_NAME

    out = tmp_path / "sensitivity.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "sensitivity.ipynb"),
        str(out),
        parameters={"draws": DRAWS, "n_draws": 200, "sobol_samples": 8, "morris_trajectories": 4},
        kernel_name=KERNEL_NAME,
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )

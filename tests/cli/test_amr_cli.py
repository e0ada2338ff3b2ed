"""The ``amr`` and ``wpra`` commands: what they write, and bad input (exit 2, a message naming
file, key and year, nothing written)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tariffmodel.cli.main import main
from tariffmodel.model import amr

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"
WPRA = ROOT / "data" / "amr" / "nedc-wpra.yaml"


def test_amr_writes_table_summary_manifest(tmp_path):
    out = tmp_path / "out"
    assert main(["amr", str(PLAN), "--out", str(out)]) == 0
    t = pd.read_csv(out / "amr.csv")
    for col in ("year", "capex", "opening_rav", "depreciation", "return", "closing_rav", "opex"):
        assert col in t.columns
    assert (t["wacc"] == 0.07).all()
    expected = amr.allowance(amr.load_plan(PLAN))
    assert t["AMR"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-15)
    s = json.loads((out / "summary.json").read_text())
    assert s["wacc"] == 0.07 and s["convention"] == "year_end"
    for key in ("npv_allowance", "npv_costs", "levelised_cost_per_meter_year", "payback_year"):
        assert key in s
    m = json.loads((out / "manifest.json").read_text())
    assert str(PLAN) in m["inputs"]


def test_amr_convention_and_levelise(tmp_path):
    out = tmp_path / "out"
    assert (
        main(["amr", str(PLAN), "--out", str(out), "--convention", "half_year", "--levelise"]) == 0
    )
    t = pd.read_csv(out / "amr.csv")
    assert (t["convention"] == "half_year").all()
    assert t["AMR"].nunique() == 1
    assert "--levelise" in json.loads((out / "manifest.json").read_text())["command"]


def test_wpra_writes(tmp_path):
    out = tmp_path / "w"
    assert main(["wpra", str(WPRA), "--out", str(out), "--roll-forward"]) == 0
    t = pd.read_csv(out / "wpra.csv")
    assert t["roll_forward"].all() and (t["WPRA"] <= 0).all()
    assert json.loads((out / "summary.json").read_text())["roll_forward"] is True


def _bad_file(tmp_path, src, edit):
    data = copy.deepcopy(yaml.safe_load(src.read_text()))
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


BAD_INPUT = {
    "amr: negative cost": (
        PLAN,
        lambda d: d["capex"]["meters"].update(unit_cost=-1),
        "capex.meters.unit_cost",
    ),
    "amr: life zero": (PLAN, lambda d: d["capex"]["meters"].update(life=0), "capex.meters.life"),
    "amr: wacc percent": (PLAN, lambda d: d.update(wacc=7.0), "'wacc'"),
    "amr: too many meters": (PLAN, lambda d: d["rollout"].update({2030: 500000}), "year 2030"),
    "wpra: share above 1": (
        WPRA,
        lambda d: d["determinations"][0].update(share=1.5),
        "year 2028",
    ),
    "wpra: vintage never spent": (
        WPRA,
        lambda d: d["determinations"][0].update(vintage=2030),
        "vintage",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input(tmp_path, capsys, case):
    src, edit, where = BAD_INPUT[case]
    path = _bad_file(tmp_path, src, edit)
    out = tmp_path / "out"
    assert main([case.split(":")[0], str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and where in err and "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".out.staging-*"))


def test_existing_output_untouched_on_bad_input(tmp_path):
    out = tmp_path / "out"
    assert main(["amr", str(PLAN), "--out", str(out)]) == 0
    before = (out / "amr.csv").read_bytes()
    path = _bad_file(tmp_path, PLAN, lambda d: d.update(wacc=7.0))
    assert main(["amr", str(path), "--out", str(out)]) == 2
    assert (out / "amr.csv").read_bytes() == before


def test_console_entry_point(tmp_path):
    path = _bad_file(tmp_path, PLAN, lambda d: d["capex"]["meters"].update(life=-3))
    proc = subprocess.run(
        [sys.executable, "-m", "tariffmodel", "amr", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "capex.meters.life" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()

"""Every analysis command takes the same options: --reading (all of R1-R5); the recovery
break-even answers paragraph 4; the spider moves rates by percentage points; fields --outputs;
run's terms figure and present value."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import tariffmodel as tm
from tariffmodel.analysis import breakeven as be
from tariffmodel.analysis import sensitivity as sa
from tariffmodel.cli.main import main
from tariffmodel.inputs.output_fields import OUTPUT_FILES
from tariffmodel.licence.schedule2 import READINGS
from tariffmodel.model.engine import ALL_COLUMNS
from tariffmodel.reporting.run_outputs import terms_figure

from conftest import ROOT, WORKED_EXAMPLE

BASE = str(ROOT / "data" / "scenarios" / "nedc-base.yaml")
DRAWS = str(ROOT / "data" / "draws" / "nedc-base.yaml")
EXAMPLE = str(WORKED_EXAMPLE)

COMMANDS = {
    "tornado": ["tornado", BASE, "--draws", DRAWS, "--no-plots"],
    "grid": [
        "grid",
        BASE,
        "--x",
        "notified.X=0:0.02:3",
        "--y",
        "inputs.CPI=0:0.02:3",
        "--no-plots",
    ],
    "montecarlo": ["montecarlo", BASE, "--draws", DRAWS, "--n", "50", "--seed", "1", "--no-plots"],
    "sobol": ["sobol", BASE, "--draws", DRAWS, "--base-samples", "8", "--seed", "1", "--no-plots"],
    "morris": [
        "morris",
        BASE,
        "--draws",
        DRAWS,
        "--trajectories",
        "2",
        "--seed",
        "1",
        "--no-plots",
    ],
    "breakeven": ["breakeven", "kpi", BASE],
    "loss-incentive": ["loss-incentive", BASE, "--no-plots"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_analysis_command_takes_every_reading(name, tmp_path):
    out = tmp_path / name
    chosen = {switch: values[1] for switch, values in READINGS.items()}  # none the default
    readings = [arg for s, v in chosen.items() for arg in ("--reading", f"{s}={v}")]
    assert main([*COMMANDS[name], "--out", str(out), *readings]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["readings"] == chosen


@pytest.mark.parametrize("name", ["tornado", "breakeven", "loss-incentive"])
def test_a_bad_reading_is_an_error_naming_the_option(name, tmp_path, capsys):
    out = tmp_path / name
    assert main([*COMMANDS[name], "--out", str(out), "--reading", "loss_deadband=always"]) == 2
    assert "--reading" in capsys.readouterr().err and not out.exists()


def test_a_reading_changes_the_answer(tmp_path):
    outs = {}
    for reading in ("penalty_only", "as_drafted"):  # R2: the worked example's CC_2026 is a penalty
        out = tmp_path / reading
        args = ["grid", EXAMPLE, "--x", "notified.X=0:0.02:2", "--y", "inputs.CPI=0:0.02:2"]
        args += ["--year", "2026", "--no-plots", "--out", str(out)]
        assert main([*args, "--reading", f"call_centre={reading}"]) == 0
        outs[reading] = pd.read_csv(out / "grid.csv", index_col=0)
    assert (outs["as_drafted"] > outs["penalty_only"]).all().all()


def test_loss_deadband_option_and_reading_must_agree(capsys):
    args = ["breakeven", "losses", EXAMPLE, "--loss-deadband", "every_year"]
    assert main([*args, "--reading", "loss_deadband=as_drafted"]) == 2
    assert "disagree" in capsys.readouterr().err


# --- break-even: paragraph 4 ------------------------------------------------------------------


def test_recovery_breakeven_of_paragraph_4_by_hand():
    sc = tm.load_scenario(BASE)
    table = be.recovery_breakeven(sc).set_index("year")
    madr = tm.project(sc).set_index("year")["MADR"]
    # 2026: history 2025 over-recovered by ARDR - MADR = 1.2 m RO; MADR_2026 does not depend on
    # the ratio of 2026 (K_2026 reads 2025): 1.2e6 + (r - 1) MADR_2026 = 0.04 MADR_2026
    r = 1.04 - (182_200_000 - 181_000_000) / madr[2026]
    assert table.loc[2026, "para4_above"] == pytest.approx(r, abs=1e-9)
    # at the ratio found, paragraph 4 holds just above and not just below
    for year in (2026, 2027, 2028, 2029):
        x = table.loc[year, "para4_above"]
        res = tm.evaluate(sc, {"inputs.recovery": np.array([x - 1e-6, x + 1e-6])}, n=2)
        j = sc.years.index(year)
        assert not res["para4"][0, j] and res["para4"][1, j]


def test_x_breakeven_names_the_years_a_and_c_are_notified(capsys):
    assert main(["breakeven", "x", BASE, "--madr", "1e8", "--year", "2026"]) == 2
    err = capsys.readouterr().err
    assert "notified for 2026" in err and "every year" not in err


# --- spider: percentage points for rates ------------------------------------------------------


def test_spider_moves_rates_by_percentage_points(worked_example):
    frame = sa.spider(
        worked_example, ["notified.X", "inputs.CA@2026"], [-0.1, 0.1], rate_points=[-1, 1]
    )
    x = frame[frame["target"] == "notified.X"]
    assert list(x["change"]) == ["percentage points"] * 2
    assert x["input"].tolist() == pytest.approx([0.005, 0.025])
    ca = frame[frame["target"] == "inputs.CA@2026"]
    assert list(ca["change"]) == ["relative"] * 2
    assert ca["input"].tolist() == pytest.approx([1_170_000, 1_430_000])
    moved = worked_example.with_values({"notified.X": 0.025})
    assert x["2029"].iloc[1] == pytest.approx(tm.project(moved)["MADR"].iloc[-1], rel=1e-12)


# --- fields --outputs -------------------------------------------------------------------------


def test_fields_outputs_lists_every_column_with_unit_and_paragraph(capsys):
    assert main(["fields", "--outputs"]) == 0
    text = capsys.readouterr().out
    for name in ("madr.csv", "amr.csv", "wpra.csv", "montecarlo.csv", "compare.csv"):
        assert f"### `{name}`" in text
    assert "| `LOSS` | RO | 1b |" in text


def test_the_output_table_covers_what_the_engine_and_the_commands_write(tmp_path):
    madr = [c.name for c in OUTPUT_FILES["madr.csv"]]
    assert madr == ["year", *ALL_COLUMNS]
    for c in OUTPUT_FILES["madr.csv"]:
        assert c.field.unit and c.field.description and c.paragraph

    def covered(name, columns):
        names = [c.name for c in OUTPUT_FILES[name]]
        for col in columns:
            ok = (
                col in names
                or any(n.endswith("*") and col.startswith(n[:-1]) for n in names)
                or any(n.startswith("COL_") and col.endswith(n[3:]) for n in names)
                or ("TERM_diff" in names and col.endswith("_diff"))
            )
            assert ok, f"{name}: {col}"

    assert (
        main(
            ["amr", str(ROOT / "data" / "amr" / "nedc-amr-plan.yaml"), "--out", str(tmp_path / "a")]
        )
        == 0
    )
    covered("amr.csv", pd.read_csv(tmp_path / "a" / "amr.csv").columns)
    assert (
        main(["wpra", str(ROOT / "data" / "amr" / "nedc-wpra.yaml"), "--out", str(tmp_path / "w")])
        == 0
    )
    covered("wpra.csv", pd.read_csv(tmp_path / "w" / "wpra.csv").columns)
    assert main([*COMMANDS["montecarlo"], "--out", str(tmp_path / "m")]) == 0
    covered("montecarlo.csv", pd.read_csv(tmp_path / "m" / "montecarlo.csv").columns)
    assert main(["compare", BASE, EXAMPLE, "--out", str(tmp_path / "c"), "--no-plots"]) == 0
    covered("compare.csv", pd.read_csv(tmp_path / "c" / "compare.csv").columns)


# --- run: the terms figure and the present value -------------------------------------------------


def test_run_writes_the_terms_figure_and_the_present_value(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", EXAMPLE, "--out", str(out), "--discount-rate", "0.1"]) == 0
    assert (out / "terms.png").stat().st_size > 10_000
    pv = pd.read_csv(out / "present_value.csv").iloc[0]
    madr = pd.read_csv(out / "madr.csv")["MADR"].to_numpy()
    assert pv["MADR"] == pytest.approx(sum(m / 1.1 ** (j + 1) for j, m in enumerate(madr)))
    assert "present value of MADR" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["discount_rate"] == 0.1 and "terms.png" in manifest["outputs"]


def test_run_refuses_a_percent_as_discount_rate(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", EXAMPLE, "--out", str(out), "--discount-rate", "8"]) == 2
    assert "--discount-rate" in capsys.readouterr().err and not out.exists()


def test_terms_figure_has_titles_units_and_legends_clear_of_the_plots(worked_table):
    fig = terms_figure(worked_table.reset_index(), "Worked example")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    top, bottom = fig.axes
    assert "Worked example" in fig.get_suptitle()
    for ax in (top, bottom):
        assert "[m RO]" in ax.get_ylabel()
        legend = ax.get_legend().get_window_extent(renderer)
        for other in (top, bottom):
            assert not legend.overlaps(other.get_window_extent(renderer))
    assert bottom.get_xlabel() == "Relevant Year"
    labels = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert any("K_Dt, subtracted" in t for t in labels) and not any("NPI" in t for t in labels)

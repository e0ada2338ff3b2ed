"""Draws relative to the scenario's own value (relative: add | multiply), the warning for an
absolute draw far from the scenario, and the scenario's own path beside the Monte Carlo band."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tariffmodel as tm
from tariffmodel.analysis import montecarlo as mc
from tariffmodel.analysis import sensitivity as sa
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.yamlio import read_yaml
from tariffmodel.reporting.plots import fan_chart

from conftest import ROOT

SCENARIOS = ROOT / "data" / "scenarios"
DRAWS = ROOT / "data" / "draws" / "nedc-base.yaml"


def point(loc, relative=None):
    spec = {"dist": "norm", "loc": loc, "scale": 0}
    return spec | ({"relative": relative} if relative else {})


def test_a_relative_draw_of_nothing_reproduces_the_projection(worked_example, worked_table):
    draws = {
        "draws": {
            "inputs.CA": point(1.0, "multiply"),
            "inputs.CPI@2027": point(0.0, "add"),
            "notified.TL": point(0.0, "add"),
            "notified.p": point(1.0, "multiply"),
        }
    }
    r = mc.monte_carlo(worked_example, draws, n=20, seed=1, keep_outputs=True)
    for col in ("DB", "LOSS", "MADR", "K"):
        assert np.array_equal(r.outputs[col], np.tile(worked_table[col].to_numpy(), (20, 1)))
    assert np.array_equal(r.summary["MADR_deterministic"], worked_table["MADR"])
    assert r.warnings == []


def test_relative_draws_act_on_each_year_own_value(worked_example):
    spec = mc.as_spec(
        {
            "draws": {
                "inputs.CA": {"dist": "uniform", "loc": 0.9, "scale": 0.2, "relative": "multiply"},
                "notified.TL": {"dist": "norm", "loc": 0, "scale": 0.002, "relative": "add"},
                "notified.p": {"dist": "norm", "loc": 0, "scale": 0.001, "relative": "add"},
            }
        },
        worked_example,
    )
    drawn = mc.sample(spec, 5, 3)
    overrides, origin = mc.resolve_draws(worked_example, spec, drawn)
    ca = drawn["inputs.CA"]
    assert np.array_equal(overrides["inputs.CA@2026"], 1_300_000 * ca)
    assert np.array_equal(overrides["inputs.CA@2029"], 1_420_000 * ca)
    # TL by its own year, read at t-1: 2025-2028; p notified in 2026 only (then it rolls forward)
    assert sorted(k for k in overrides if k.startswith("notified.TL")) == [
        f"notified.TL@{y}" for y in (2025, 2026, 2027, 2028)
    ]
    assert np.array_equal(overrides["notified.TL@2027"], 0.079 + drawn["notified.TL"])
    assert [k for k in overrides if k.startswith("notified.p")] == ["notified.p@2026"]
    assert origin["inputs.CA@2027"] == "inputs.CA"


def test_a_relative_draw_equals_the_scenario_moved_by_hand(worked_example):
    draws = {"draws": {"inputs.CA": point(1.1, "multiply"), "notified.X": point(0.005, "add")}}
    r = mc.monte_carlo(worked_example, draws, n=3, seed=1)
    rows = {f"inputs.CA@{y}": worked_example.rows[y]["CA"] * 1.1 for y in worked_example.years}
    moved = worked_example.with_values({**rows, "notified.X": 0.015 + 0.005})
    assert r.madr[0] == pytest.approx(tm.project(moved)["MADR"].to_numpy(), rel=1e-12)


def test_an_absolute_draw_still_replaces_the_value(worked_example):
    draws = {"draws": {"inputs.CA@2027": point(1_500_000)}}
    r = mc.monte_carlo(worked_example, draws, n=2, seed=1)
    moved = worked_example.with_values({"inputs.CA@2027": 1_500_000})
    assert np.array_equal(r.madr[0], tm.project(moved)["MADR"].to_numpy())


def test_the_shipped_draws_are_relative_and_serve_every_scenario():
    spec = mc.load_draws(DRAWS)
    assert set(spec.relative) == set(spec.targets)
    for name in ("nedc-base", "nedc-high-inflation", "nedc-losses-stall"):
        sc = tm.load_scenario(SCENARIOS / f"{name}.yaml")
        r = mc.monte_carlo(sc, spec, n=4000, seed=5)
        s = r.summary
        assert r.warnings == []
        assert (s["MADR_p5"] <= s["MADR_deterministic"]).all(), name
        assert (s["MADR_deterministic"] <= s["MADR_p95"]).all(), name


def test_an_absolute_draw_far_from_the_scenario_is_warned_of():
    sc = tm.load_scenario(SCENARIOS / "nedc-high-inflation.yaml")  # CPI_2028 is 5 %
    far = {"draws": {"inputs.CPI@2028": {"dist": "norm", "loc": 0.0167, "scale": 0.007}}}
    near = {"draws": {"inputs.CPI@2028": {"dist": "norm", "loc": 0.05, "scale": 0.007}}}
    r = mc.monte_carlo(sc, far, n=200, seed=1)
    assert len(r.warnings) == 1 and "inputs.CPI@2028" in r.warnings[0]
    assert "relative: add" in r.warnings[0]
    assert mc.monte_carlo(sc, near, n=200, seed=1).warnings == []


def test_a_relative_draw_where_the_value_follows_the_model_is_an_error(worked_example):
    draws = {"draws": {"inputs.ARDR@2027": point(1.0, "multiply")}}  # ARDR_2027 not given
    with pytest.raises(InputError, match="own value") as info:
        mc.monte_carlo(worked_example, draws, n=2, seed=1)
    assert info.value.key == "draws.inputs.ARDR@2027" and info.value.year == 2027


@pytest.mark.parametrize("bad", ["scale", "Add", 1, True])
def test_relative_must_be_add_or_multiply(bad):
    draws = {"draws": {"notified.X": {"dist": "norm", "loc": 0, "scale": 1, "relative": bad}}}
    with pytest.raises(InputError, match="'add'") as info:
        mc.as_spec(draws)
    assert info.value.key == "draws.notified.X.relative"


def test_a_relative_draw_breaking_a_rule_names_its_draws_target(worked_example):
    draws = {"draws": {"inputs.CA": point(-1.0, "multiply")}}  # negative accounts
    with pytest.raises(InputError) as info:
        mc.monte_carlo(worked_example, draws, n=2, seed=1)
    assert info.value.key == "draws.inputs.CA"


def test_a_mapping_read_as_yaml_1_1_is_taken_as_the_loader_reads_it(worked_example):
    # Papermill's -f reads YAML 1.1, where 35.6e9 is text
    draws = {
        "n": "1e2",
        "draws": {"inputs.RBS@2027": {"dist": "norm", "loc": "35.6e9", "scale": 0}},
    }
    r = mc.monte_carlo(worked_example, draws, seed=1)
    assert r.n == 100 and np.all(r.draws["inputs.RBS@2027"] == 35.6e9)


def test_tornado_ranges_of_relative_draws_need_the_scenario():
    sc = tm.load_scenario(SCENARIOS / "nedc-base.yaml")
    with pytest.raises(InputError, match="scenario"):
        sa.ranges_from_draws(DRAWS)
    ranges = sa.ranges_from_draws(DRAWS, scenario=sc)
    lo, hi = ranges["inputs.CA@2028"]
    assert lo == pytest.approx(1_380_000 * (0.98 + 0.04 * 0.05))
    assert hi == pytest.approx(1_380_000 * (0.98 + 0.04 * 0.95))
    cpi = sc.rows[2027]["CPI"]
    assert sum(ranges["inputs.CPI@2027"]) / 2 == pytest.approx(cpi, abs=1e-15)
    spread = {
        "draws": {
            "inputs.CA": {"dist": "uniform", "loc": 0.9, "scale": 0.2, "relative": "multiply"}
        }
    }
    with pytest.raises(InputError, match="year by year"):
        sa.ranges_from_draws(spread, scenario=sc)


def test_montecarlo_command_warns_on_the_console_and_in_the_manifest(tmp_path, capsys):
    absolute = tmp_path / "absolute.yaml"
    absolute.write_text(
        "draws:\n  inputs.CPI@2028: {dist: norm, loc: 0.0167, scale: 0.007}\n", encoding="utf-8"
    )
    out = tmp_path / "mc"
    code = main(
        [
            "montecarlo",
            str(SCENARIOS / "nedc-high-inflation.yaml"),
            "--draws",
            str(absolute),
            "--out",
            str(out),
            "--n",
            "200",
            "--seed",
            "1",
            "--no-plots",
        ]
    )
    assert code == 0
    assert "warning: inputs.CPI@2028" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 1 and manifest["relative"] == {}


def test_fan_chart_shows_the_scenario_own_path():
    sc = tm.load_scenario(SCENARIOS / "nedc-high-inflation.yaml")
    r = mc.monte_carlo(sc, read_yaml(DRAWS), n=500, seed=2)
    fig = fan_chart(r.summary)
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if "deterministic" in ln.get_label())
    assert np.array_equal(line.get_ydata(), tm.project(sc)["MADR"].to_numpy())

"""Comparing two scenarios: compare.csv, and the Shapley split of the difference of MADR by
driver (sum, null driver, symmetry, a single driver, an interaction computed by hand)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from matplotlib.backends.backend_agg import FigureCanvasAgg

import tariffmodel as tm
from tariffmodel.analysis.compare import SUM_TOLERANCE, compare, present_value
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.comparison import waterfall_figure

from conftest import ROOT, worked_example_dict

SCENARIOS = ROOT / "data" / "scenarios"
YEARS = ["2026", "2027", "2028", "2029"]


def contributions(result, label="period") -> pd.Series:
    a = result.attribution
    return a[a["year"] == label].set_index("driver")["contribution"]


def assert_adds_up(result):
    sums = result.attribution.groupby("year", sort=False)["contribution"].sum()
    diff = result.table.set_index("year")["MADR_diff"]
    if not result.drivers:
        assert (diff == 0).all()
        return
    assert list(sums.index) == list(diff.index)
    assert np.abs(sums - diff).max() <= SUM_TOLERANCE


def scenario(edit=None) -> tm.Scenario:
    d = worked_example_dict()
    if edit:
        edit(d)
    return tm.scenario_from_dict(d)


def row(d, year):
    return next(r for r in d["inputs"] if r["year"] == year)


# --- compare.csv -------------------------------------------------------------------------------


def test_compare_table_per_year_period_and_present_value(worked_example):
    def edit(d):
        row(d, 2027)["C"] = 1_000_000.0
        d["notified"]["X"] = 0.02

    other = scenario(edit)
    r = compare(worked_example, other, discount_rate=0.1)
    t = r.table.set_index("year")
    assert list(t.index) == [*YEARS, "period", "present_value"]
    base, oth = tm.project(worked_example), tm.project(other)
    assert np.array_equal(t.loc[YEARS, "MADR_base"], base["MADR"])
    assert np.array_equal(t.loc[YEARS, "MADR_diff"], oth["MADR"] - base["MADR"])
    assert t.loc["2027", "C_diff"] == 1_000_000.0
    assert t.loc["period", "MADR_diff"] == pytest.approx((oth["MADR"] - base["MADR"]).sum())
    # present value at the start of 2026, each year's amount at its end
    pv = sum(v / 1.1 ** (j + 1) for j, v in enumerate(base["MADR"]))
    assert t.loc["present_value", "MADR_base"] == pytest.approx(pv, rel=1e-12)
    for term in ("C", "DB", "LOSS", "NSF", "CS", "AMR", "CC", "LF", "CPL", "WPRA", "K", "ARDR"):
        assert f"{term}_diff" in t.columns
    assert_adds_up(r)


def test_present_value_by_hand():
    assert present_value([110.0, 121.0], 0.1) == pytest.approx(200.0)
    assert present_value(np.array([[110.0, 121.0], [0.0, 121.0]]), 0.1) == pytest.approx(
        [200.0, 100.0]
    )


@pytest.mark.parametrize("rate", ["eight", "8", "nan", "-0.9", "inf"])
def test_a_bad_discount_rate_is_an_input_error(worked_example, rate):
    with pytest.raises(InputError, match="--discount-rate"):
        compare(worked_example, worked_example, discount_rate=rate)


def test_different_years_are_an_input_error(worked_example):
    def edit(d):
        d["years"] = [2026, 2027, 2028]
        d["inputs"] = d["inputs"][:-1]
        d["call_centre"]["allowance"].pop(2029)

    with pytest.raises(InputError, match="different years"):
        compare(worked_example, scenario(edit))


def test_identical_scenarios_have_no_driver(worked_example):
    r = compare(worked_example, worked_example)
    assert r.drivers == [] and r.attribution.empty
    assert (r.table["MADR_diff"] == 0).all()


# --- the properties of the Shapley value ----------------------------------------------------------


def test_a_single_differing_key_gets_the_whole_difference(worked_example):
    other = scenario(lambda d: d["notified"].update(X=0.03))
    r = compare(worked_example, other)
    assert [d.name for d in r.drivers] == ["notified.X"]
    diff = r.table.set_index("year")["MADR_diff"]
    for label in [*YEARS, "period"]:
        assert contributions(r, label)["notified.X"] == pytest.approx(diff[label], abs=1e-6)
    assert diff["period"] != 0


def test_a_driver_that_changes_nothing_gets_exactly_zero(worked_example):
    def edit(d):
        row(d, 2029)["WS"] = 0.5  # WS_t enters CS_{t+1}: the last year's WS is never used
        row(d, 2027)["CA"] = 1_400_000

    r = compare(worked_example, scenario(edit))
    assert {d.name for d in r.drivers} == {"inputs.WS", "inputs.CA"}
    a = r.attribution
    assert (a.loc[a["driver"] == "inputs.WS", "contribution"] == 0.0).all()
    assert contributions(r)["inputs.CA"] != 0
    assert_adds_up(r)


def test_symmetric_drivers_get_the_same_share(worked_example):
    def edit(d):
        row(d, 2027)["C"] = 500_000.0
        row(d, 2027)["OM"] = 500_000.0

    r = compare(worked_example, scenario(edit))
    c = contributions(r, "2027")
    assert c["inputs.C"] == pytest.approx(c["inputs.OM"], abs=1e-6)
    assert c["inputs.C"] == pytest.approx(500_000.0, abs=1e-6)
    assert_adds_up(r)


def test_interaction_of_a_reading_and_losses_in_the_band_by_hand(worked_example):
    """R1 matters only when AL_2026 is inside [TL, TL + BAND]: the base's losses are below the
    target (D = 1 under both readings); OTHER raises RBS_2026 to put AL_2026 at 8.4 %, inside
    [8.2 %, 8.7 %], and reads the dead band every year (D = 0 there)."""
    rud = 31_400_000_000.0  # RUD_2026 [kWh]
    rbs_other = rud / (1 - 0.084)

    def edit(d):
        row(d, 2026)["RBS"] = rbs_other
        d["interpretation"]["loss_deadband"] = "every_year"

    r = compare(worked_example, scenario(edit))
    p_2027 = 0.020 * (1 + 0.012)  # p_t rolled forward by CPI_2027 [RO per kWh]
    tl = 0.082  # TL_2026
    al_base = 1 - rud / 34_150_000_000.0
    al_other = 1 - rud / rbs_other
    loss_base = rud * p_2027 * (tl - al_base)  # LOSS_2027, D = 1: a reward (positive)
    loss_in_band = rud * p_2027 * (tl - al_other)  # as drafted, D = 1 in the band: a penalty
    # v(none) = v(R1) = M; v(RBS) = M - loss_base + loss_in_band; v(both) = M - loss_base
    phi_rbs = 0.5 * ((loss_in_band - loss_base) + (-loss_base - 0.0))
    phi_r1 = 0.5 * ((0.0 - 0.0) + (-loss_base - (loss_in_band - loss_base)))
    c = contributions(r, "2027")
    assert c["inputs.RBS"] == pytest.approx(phi_rbs, rel=1e-9)
    assert c["interpretation.loss_deadband"] == pytest.approx(phi_r1, rel=1e-9)
    assert phi_r1 == pytest.approx(-loss_in_band / 2)
    for year in ("2026", "2028", "2029"):
        assert (contributions(r, year) == 0).all()
    assert_adds_up(r)


@settings(max_examples=25, deadline=None)
@given(
    hst.lists(
        hst.tuples(
            hst.sampled_from(["CA", "RUD", "RBS", "CPI", "SR", "AMR", "C", "ARDR", "WS"]),
            hst.sampled_from([2026, 2027, 2028, 2029]),
            hst.floats(0.9, 1.1),
        ),
        min_size=1,
        max_size=8,
    ),
    hst.sampled_from(["key", "cell"]),
    hst.booleans(),
)
def test_contributions_add_up_to_the_difference(changes, by, reading):
    base = worked_example_dict()

    def edit(d):
        for col, year, factor in changes:
            r = row(d, year)
            r[col] = r.get(col, row(base, year).get(col, 1.0)) * factor
            r["RBS"] = max(r["RBS"], r["RUD"])  # each file keeps RBS >= RUD
        if reading:
            d["interpretation"]["para4_excess"] = "net"

    r = compare(tm.scenario_from_dict(base), scenario(edit), by=by, discount_rate=0.05)
    assert_adds_up(r)


def test_sampled_orderings_estimate_the_exact_values_and_still_add_up(worked_example):
    def edit(d):
        for y in (2026, 2027, 2028, 2029):
            row(d, y)["CA"] *= 1.02
            row(d, y)["RBS"] *= 1.01
        d["notified"]["X"] = 0.02
        d["interpretation"]["call_centre"] = "as_drafted"

    other = scenario(edit)
    exact = compare(worked_example, other, by="cell")
    est = compare(worked_example, other, by="cell", exact_max=4, orderings=400, seed=7)
    assert exact.method == "exact" and est.method == "sampled orderings"
    assert est.orderings == 400 and any("400 sampled orderings" in n for n in est.notes)
    assert_adds_up(est)
    e, x = est.attribution, exact.attribution
    merged = e.merge(x, on=["year", "driver"], suffixes=("_est", "_exact"))
    gap = (merged["contribution_est"] - merged["contribution_exact"]).abs()
    assert (gap <= 5 * merged["standard_error_est"] + 1e-6).all()
    assert (merged["standard_error_est"] > 0).any()
    assert (exact.attribution["standard_error"] == 0).all()


def test_a_mix_that_breaks_rbs_above_rud_is_evaluated_and_named(worked_example):
    def edit(d):  # OTHER: more units and more bulk supplies in 2027, each file consistent
        row(d, 2027)["RUD"] = 35_500_000_000.0
        row(d, 2027)["RBS"] = 38_000_000_000.0

    r = compare(worked_example, scenario(edit))
    assert any("RBS below RUD" in n and "inputs.RUD" in n for n in r.notes)
    assert_adds_up(r)


def test_whole_drivers_readings_call_centre_and_notified_years(worked_example):
    def edit(d):
        d["notified"]["a"] = {2026: 60_000_000, 2028: 66_000_000}  # notified in 2028 too
        d["call_centre"]["actuals"][2027]["answered_within_60s"] = 0.80
        d["interpretation"]["call_centre"] = "as_drafted"
        d["interpretation"]["cpi_basis"] = "twelve_month_average"

    r = compare(worked_example, scenario(edit), by="cell")
    names = {d.name: d for d in r.drivers}
    assert names["notified.a"].whole == "notified"
    assert names["call_centre"].whole == "call_centre"
    assert names["interpretation.call_centre"].whole == "readings"
    # R5 acts only through a linked CPI basket, which the worked example does not have
    assert (
        r.attribution.loc[r.attribution["driver"] == "interpretation.cpi_basis"].contribution == 0
    ).all()
    assert any("cpi_basis" in n for n in r.notes)
    assert_adds_up(r)
    # one engine call per combination of the whole drivers
    assert r.engine_calls == 2**4


def test_linked_files_are_drivers_named_with_their_file():
    base = tm.load_scenario(SCENARIOS / "nedc-base.yaml")
    # the other scenario gives AMR_t in its year table (none: 0 in every year), not from a plan
    other = tm.load_scenario(SCENARIOS / "nedc-high-inflation.yaml").with_values({"inputs.AMR": 0})
    r = compare(base, other)
    words = {d.name: d.words for d in r.drivers}
    assert "from the Omani CPI basket" in words["inputs.CPI"]
    assert "from the AMR plan in the base scenario only" in words["inputs.AMR"]
    assert_adds_up(r)


def test_the_shipped_scenarios_compared_with_the_base_add_up():
    base = tm.load_scenario(SCENARIOS / "nedc-base.yaml")
    for path in sorted(SCENARIOS.glob("nedc-*.yaml")):
        other = tm.load_scenario(path)
        if other.years != base.years:  # the back-cast: another price-control period
            continue
        for by in ("key", "cell"):
            assert_adds_up(compare(base, other, by=by, discount_rate=0.08))


# --- the command ---------------------------------------------------------------------------------


def test_compare_command_writes_its_outputs(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(SCENARIOS / "nedc-base.yaml"),
            str(SCENARIOS / "nedc-alt-readings.yaml"),
            "--out",
            str(out),
            "--discount-rate",
            "0.08",
        ]
    )
    assert code == 0
    assert {p.name for p in out.iterdir()} >= {
        "compare.csv",
        "attribution.csv",
        "waterfall.png",
        "manifest.json",
    }
    table = pd.read_csv(out / "compare.csv")
    assert list(table["year"]) == [*YEARS, "period", "present_value"]
    att = pd.read_csv(out / "attribution.csv")
    assert list(att.columns[:3]) == ["year", "driver", "contribution"]
    sums = att.groupby("year", sort=False)["contribution"].sum()
    assert np.abs(sums.to_numpy() - table["MADR_diff"].to_numpy()).max() <= SUM_TOLERANCE
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["method"] == "exact"
    assert manifest["other"]["readings"]["R1 loss_deadband"] == "every_year"
    assert any("nedc-alt-readings.yaml" in k for k in manifest["inputs"])
    assert "MADR over the period" in capsys.readouterr().out


def test_compare_command_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "cmp"
    base = str(SCENARIOS / "nedc-base.yaml")
    code = main(["compare", base, base, "--out", str(out), "--discount-rate", "8%"])
    assert code == 2 and not out.exists()
    assert "--discount-rate" in capsys.readouterr().err
    code = main(["compare", base, base, "--out", str(out), "--reading", "loss_deadband=nope"])
    assert code == 2 and not out.exists()


def test_waterfall_has_titles_labels_with_units_and_no_overlapping_labels(worked_example):
    def edit(d):
        for y in (2026, 2027):
            row(d, y)["CA"] *= 1.05
        d["notified"]["X"] = 0.02
        d["interpretation"]["call_centre"] = "as_drafted"

    fig = waterfall_figure(compare(worked_example, scenario(edit)))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert fig.get_suptitle()
    assert len(fig.axes) == 5
    for ax in fig.axes:
        assert ax.get_title(loc="left")
        assert "[m RO]" in ax.get_xlabel()
        boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert not a.overlaps(b)
    # each panel with its title and labels clear of the next one
    panels = [ax.get_tightbbox(renderer) for ax in fig.axes]
    for a, b in zip(panels, panels[1:], strict=False):
        assert a.y0 >= b.y1 - 1

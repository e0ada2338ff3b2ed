"""The predecessors' history file: read and checked, and drawn beside a scenario."""

from __future__ import annotations

import pytest

import tariffmodel as tm
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.history import scenario_point

from conftest import ROOT

HISTORY = ROOT / "data" / "history" / "predecessors.csv"
HEAD = "company,year,measure,value,unit,status,publisher,document,date,url\n"


def test_the_bundled_history_reads():
    h = tm.load_history(HISTORY)
    assert set(h["measure"]) == {"customers", "units_sold", "losses"}
    mazoon = h[(h["company"] == "Mazoon") & (h["measure"] == "customers")]
    assert mazoon.set_index("year")["value"].to_dict() == {2020: 473_400.0, 2021: 489_500.0}
    nedc = h[(h["company"] == "NEDC")].set_index("year")["value"]
    assert nedc.to_dict() == {2023: 8.23, 2024: 7.95}


@pytest.mark.parametrize(
    ("line", "key", "rule"),
    [
        ("Majan,2017,sales,1,GWh", "measure", "not one of customers"),
        ("Majan,2017,units_sold,1,MWh", "unit", "in GWh, not 'MWh'"),
        ("Majan,20x7,units_sold,1,GWh", "year", "not a year"),
        ("Majan,2017,units_sold,-1,GWh", "value", "zero or more"),
        ("Majan,2017,units_sold,nan,GWh", "value", "zero or more"),
    ],
)
def test_bad_history_is_named(tmp_path, line, key, rule):
    path = tmp_path / "h.csv"
    path.write_text(HEAD + line + ",reported,M,D,2018,https://x.om\n")
    with pytest.raises(InputError) as info:
        tm.load_history(path)
    assert (info.value.file, info.value.key) == (str(path), key)
    assert rule in info.value.rule and "line 2" in info.value.rule


def test_a_figure_given_twice_is_refused(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HEAD + "Majan,2017,losses,9.3,percent,,,,,\n" * 2)
    with pytest.raises(InputError, match="Majan losses 2017 is given twice"):
        tm.load_history(path)


def test_scenario_point_by_hand():
    sc = tm.load_scenario(ROOT / "data" / "scenarios" / "nedc-base.yaml")
    p = scenario_point(sc)
    assert p["customers"] == (2026, 1_320_000.0)
    assert p["units_sold"] == (2025, 31_200.0)  # 31.2 TWh in GWh
    assert p["losses"][0] == 2025
    assert p["losses"][1] == pytest.approx(100 * (1 - 31.2 / 33.84), rel=1e-12)  # 7.80 %


def test_history_figure_has_three_panels_and_the_scenario():
    sc = tm.load_scenario(ROOT / "data" / "scenarios" / "nedc-base.yaml")
    fig = tm.history_figure(tm.load_history(HISTORY), sc)
    axes = fig.get_axes()
    assert [a.get_title() for a in axes] == ["Customer accounts", "Units sold (RUD)", "Losses"]
    for ax in axes:
        labels = [line.get_label() for line in ax.get_lines()]
        assert any(sc.name in label for label in labels)

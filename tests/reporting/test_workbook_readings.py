"""Readings R6-R8 in the live workbook: R8 is a switch of CC_t's formula (recomputed in LibreOffice
against the engine on both sides); R6 and R7 are not offered while SR and LF_Dt are values."""

from __future__ import annotations

import openpyxl
import pytest
from test_workbook import _calculation_values, _cell, _close, _names, _recalculate
from test_workbook import _strip_cached_values as _strip

import tariffmodel as tm
from tariffmodel.licence.schedule2 import READINGS
from tariffmodel.model.engine import ALL_COLUMNS
from tariffmodel.reporting import workbook as W


@pytest.fixture
def beyond_caps(example_dict):
    """The worked example with 2028 call-centre actuals beyond the caps (CC_2028 = -420,000 in
    total, -247,800 per KPI; tests/model/test_readings_r6_r8.py)."""
    example_dict["call_centre"]["actuals"][2028] = {
        "answered_within_60s": 0.45,
        "abandonment_rate": 0.20,
        "first_contact_resolution": 0.60,
    }
    return tm.scenario_from_dict(example_dict)


def test_r8_offered_with_its_values_r6_r7_not(tmp_path, beyond_caps):
    W.write_workbook(beyond_caps, tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    names = _names(wb)
    assert _cell(wb, names, "READING_R8").value == "total"
    lists = {
        rng.coord: dv.formula1.strip('"').split(",")
        for dv in wb[W.INPUTS_SHEET].data_validations.dataValidation
        for rng in dv.sqref.ranges
    }
    assert lists[names["READING_R8"][1]] == list(READINGS["call_centre_cap"])
    assert "READING_R6" not in names and "READING_R7" not in names
    texts = [c.value for row in wb[W.INPUTS_SHEET].iter_rows() for c in row if c.value]
    assert any(str(t).startswith("specified_rate_months: not offered") for t in texts)
    assert any(str(t).startswith("licence_fee_true_up: not offered") for t in texts)
    formula = _cell(wb, names, "CC_2028").value
    assert 'READING_R8="per_kpi"' in formula and "-CC2_weight*CCallowance_2028" in formula


def test_no_call_centre_no_r8(tmp_path, example_dict):
    del example_dict["call_centre"]
    W.write_workbook(tm.scenario_from_dict(example_dict), tmp_path / "w.xlsx")
    assert "READING_R8" not in _names(openpyxl.load_workbook(tmp_path / "w.xlsx"))


@pytest.mark.slow
def test_r8_switch_recomputed_as_the_engine(tmp_path, beyond_caps):
    book = tmp_path / "cc.xlsx"
    W.write_workbook(beyond_caps, book)
    _strip(book, tmp_path / "total.xlsx")
    _strip(book, tmp_path / "per_kpi.xlsx", {"READING_R8": "per_kpi"})
    out = _recalculate([tmp_path / "total.xlsx", tmp_path / "per_kpi.xlsx"], tmp_path)
    for name, sc in (("total", beyond_caps),
                     ("per_kpi", beyond_caps.with_readings(call_centre_cap="per_kpi"))):  # fmt: skip
        table = tm.project(sc).set_index("year")
        got = _calculation_values(out / f"{name}.xlsx")
        bad = [(c, y) for c in ALL_COLUMNS for y in table.index
               if not _close(got.get((c, y)), table.at[y, c])]  # fmt: skip
        assert not bad, (name, bad[:5])
        assert got["CC", 2028] == pytest.approx(-420_000.0 if name == "total" else -247_800.0)

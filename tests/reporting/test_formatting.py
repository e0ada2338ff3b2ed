"""The formatter of quantities for people: hand-written expected strings per unit, the phrases
for missing values, no "-0", and a round trip of the magnitude (hypothesis)."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.reporting import formatting as fm


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # the examples the review found as raw floats
        (3.12e10, "kWh", "31,200.0 GWh"),
        (0.01172966544, "fraction", "1.17 %"),
        (0.02, "fraction", "2.00 %"),
        (159180661.533955, "RO", "159.18 m RO"),
        (3.361498419e10, "kWh", "33,615.0 GWh"),
        (0.0780141844, "fraction", "7.80 %"),
        (1.75e7, "RO", "17.50 m RO"),
        (None, "year", "not given"),
        (-0.0, "RO", "0.00 m RO"),
        # one of each unit
        (183_452_123.0, "RO", "183.45 m RO"),
        (-2_345_678.0, "RO", "-2.35 m RO"),
        (150.254, "RO per account", "150.25 RO per account"),
        (150.254, "RO/account", "150.25 RO per account"),
        (18.782, "RO per meter", "18.78 RO per meter"),
        (0.0123, "RO per kWh", "12.300 baisa/kWh"),
        (6.0, "baisa per kWh", "6.000 baisa/kWh"),
        (12_000.4, "RO per MVA", "12,000 RO per MVA"),
        (1_200_000.0, "accounts", "1,200,000 accounts"),
        (12.5, "MVA", "12.50 MVA"),
        (0.85, "score", "0.850"),
        (1.03, "ratio", "1.0300"),
        (2026.0, "year", "2026"),
        (dt.date(2026, 1, 1), "date", "1 Jan 2026"),
        (pd.Timestamp("2027-06-30"), None, "30 Jun 2027"),
        (True, "flag", "Yes"),
        (np.False_, "flag", "No"),
        (1, "flag", "Yes"),
        (0, "flag", "No"),
        ("year_end", "text", "year_end"),
        (float("nan"), "RO", "not given"),
        (12345.678, None, "12,345.7"),
    ],
)
def test_format_value(value, unit, expected):
    assert fm.format_value(value, unit) == expected


def test_without_unit_and_decimals():
    assert fm.format_value(183_452_123.0, "RO", with_unit=False) == "183.45"
    assert fm.format_value(0.0780141844, "fraction", decimals=4) == "7.8014 %"
    assert fm.format_value(None, "RO", missing="-") == "-"


@pytest.mark.parametrize(
    ("value", "unit"),
    [(-1e-9, "RO"), (-4_999.0, "RO"), (-0.000049, "fraction"), (-0.4, "accounts"), (-0.0, None)],
)
def test_no_negative_zero(value, unit):
    text = fm.format_value(value, unit)
    assert not text.startswith("-"), text


def test_units_from_the_field_table_and_terms():
    assert fm.unit_of("RUD") == "kWh"
    assert fm.unit_of("X") == "fraction"
    assert fm.unit_of("p") == "RO per kWh"
    assert fm.unit_of("c") == "RO per account"
    assert fm.unit_of("LOSS") == "RO"
    assert fm.unit_of("K") == "RO"
    assert fm.unit_of("para4") == "flag"
    assert fm.unit_of("MADR_p5") == "RO"
    assert fm.unit_of("para5_prob") == "fraction"
    assert fm.unit_of("AMR share of MADR") is None
    assert fm.header("RUD") == "RUD [GWh]"
    assert fm.header("BL [RO]") == "BL [m RO]"
    assert fm.header("AMR share of MADR", "fraction") == "AMR share of MADR [%]"


def test_format_frame_by_columns_and_rows():
    t = pd.DataFrame(
        {"MADR": [183.452e6, 190.0e6], "CPI": [0.0117, np.nan], "para3": [True, False]},
        index=pd.Index([2026, 2027], name="year"),
    )
    out = fm.format_frame(t)
    assert list(out.columns) == ["MADR [m RO]", "CPI [%]", "para3"]
    assert out.loc[2026].tolist() == ["183.45", "1.17", "Yes"]
    assert out.loc[2027].tolist() == ["190.00", "not given", "No"]
    rows = fm.format_frame(t[["MADR", "CPI"]].T, by="rows")
    assert rows.index.tolist() == ["MADR [m RO]", "CPI [%]"]
    assert rows[2027].tolist() == ["190.00", "not given"]
    with pytest.raises(ValueError, match="by must be"):
        fm.format_frame(t, by="diagonal")


def test_styler_keeps_numbers_and_shows_text():
    t = pd.DataFrame({"RUD": [3.12e10], "payback_year": [None]}, index=[2026])
    style = fm.styler(t)
    assert style.data["RUD [GWh]"].iloc[0] == 3.12e10  # the number itself is kept
    html = style.to_html()
    assert "31,200.0" in html and "not within the horizon" in html
    assert "3.12e+10" not in html


def test_describe_amr_summary_phrases():
    out = fm.describe(
        {"payback_year": None, "capex_total": 159180661.533955, "first_year": 2026},
        {"capex_total": "RO", "first_year": "year", "payback_year": "year"},
    )
    assert out["value"].tolist() == ["not within the horizon", "159.18 m RO", "2026"]


def test_excel_formats():
    assert fm.excel_format("RO/kWh") == "0.000000"
    assert fm.excel_format("no unit") == "General"


_NUMBER = re.compile(r"^(-?[0-9,]+(?:\.[0-9]+)?)(.*)$")
_SCALED_UNITS = [u for u in fm.DISPLAYS if u != "0/1"]


@settings(deadline=None)
@given(
    value=st.floats(min_value=-1e13, max_value=1e13, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(_SCALED_UNITS),
)
def test_round_trip_of_magnitude(value, unit):
    """Read back, the text gives the value to within half a unit of its last decimal, in the
    shown unit; it never says -0."""
    display = fm.DISPLAYS[unit]
    text = fm.format_value(value, unit)
    m = _NUMBER.match(text)
    assert m, text
    assert m.group(2) == display.suffix
    shown = float(m.group(1).replace(",", ""))
    scaled = value * display.scale
    tolerance = 0.5 * 10.0**-display.decimals + 1e-9 * max(1.0, abs(scaled))
    assert math.isclose(shown, scaled, abs_tol=tolerance), (value, text)
    if not any(ch in "123456789" for ch in m.group(1)):
        assert not text.startswith("-"), text  # zero after rounding has no sign

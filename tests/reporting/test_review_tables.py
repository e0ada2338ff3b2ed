"""The review's tables for people: the year table turned fields-down, terms before and after an
edit in one narrow table, the term table's text, the AMR summary in words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import tariffmodel as tm
from tariffmodel.model import amr
from tariffmodel.reporting import review as reports

ROOT = Path(__file__).resolve().parents[2]


def test_year_table_has_fields_down_and_years_across():
    inputs = pd.DataFrame(
        {"RUD": [31.2e9, 31.9e9], "CPI": [float("nan"), 0.0107]},
        index=pd.Index([2025, 2026], name="year"),
    )
    table = reports.year_table(inputs)
    assert list(table.columns) == ["2025", "2026"]
    assert list(table.index) == ["RUD", "CPI"]
    html = reports.styled_values(table).to_html()
    assert "RUD [GWh]" in html and "31,200.0" in html and "CPI [%]" in html and "1.07" in html


def test_before_after_puts_terms_down():
    sc = tm.load_scenario(ROOT / "data" / "scenarios" / "nedc-base.yaml")
    before = tm.project(sc)
    after = tm.project(sc.with_values({"notified.X": 0.025}))
    table = reports.before_after(before, after, ["DB", "MADR"])
    assert list(table.columns) == sc.years
    assert list(table.index) == [
        ("DB", "before"),
        ("DB", "after"),
        ("DB", "change"),
        ("MADR", "before"),
        ("MADR", "after"),
        ("MADR", "change"),
    ]
    change = table.loc[("MADR", "change")]
    assert (change == after.set_index("year")["MADR"] - before.set_index("year")["MADR"]).all()
    html = reports.styled(table, unit="RO").to_html()
    assert "2026 [m RO]" in html


def test_term_table_text_and_its_style():
    table = pd.DataFrame(
        {"year": [2026], "RUD": [3.19e10], "K": [-1e-9], "para3": [True], "MADR": [190.4e6]}
    )
    text = reports.format_term_table(reports.term_table(table))
    assert text.loc["K", 2026] == "0.00"  # no -0.00
    assert text.loc["MADR", "unit"] == "m RO" and text.loc["MADR", 2026] == "190.40"
    assert text.loc["para3", "unit"] == "Yes/No" and text.loc["para3", 2026] == "Yes"
    html = reports.styled_terms(text).to_html()
    assert "white-space: normal" in html and "max-width: 24em" in html


def test_amr_summary_in_words():
    summary = amr.summary(amr.load_plan(ROOT / "data" / "amr" / "nedc-amr-plan.yaml"))
    words = reports.amr_summary_table(summary)["value"]
    assert words["wacc"] == "7.00 %"
    assert words["first_year"] == "2026"
    assert words["capex_total"] == "147.73 m RO"
    assert words["meters"] == "430,000 meters"  # installed in the plan; 770,000 open it
    if summary["payback_year"] is None:
        assert words["payback_year"] == "not within the horizon"
    assert not any(v.startswith("-0.00") for v in words)

"""The MADR dashboard's calendar of obligations, its split of a case's difference by driver and
its download headers, without a browser."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.dashboards import view_model as dm
from tariffmodel.dashboards.amr import AmrDashboard
from tariffmodel.dashboards.madr import MadrDashboard
from tariffmodel.inputs.output_fields import MADR_CSV

from conftest import ROOT, WORKED_EXAMPLE

BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"
CYBER = "Draft metering cyber security regulation"
PLAIN_DATE = re.compile(r"^(\d{1,2} [A-Z][a-z]{2} \d{4}|on event)$")


@pytest.fixture
def page(tmp_path):
    """The MADR page on the worked example (outside a kernel a change computes at once)."""
    shutil.copy(WORKED_EXAMPLE, tmp_path / "worked-example.yaml")
    return MadrDashboard(tmp_path)


# --- the calendar of obligations --------------------------------------------------------------


def _calendar(sc, effective_date):
    start, end = dm.calendar_span(sc.years)
    return tm.calendar(sc, start=start, end=end, effective_date=effective_date)


def _due(rows: pd.DataFrame, obligation: str) -> list[str]:
    return rows.loc[rows["obligation"] == obligation, "date"].tolist()


def test_calendar_span_covers_the_years_and_the_last_accounts():
    assert dm.calendar_span([2026, 2027, 2028, 2029]) == ("2026-01-01", "2030-06-30")


def test_calendar_without_effective_date_leaves_the_regulation_out_with_a_note():
    sc = tm.load_scenario(BASE)
    cal = _calendar(sc, None)
    rows = dm.calendar_rows(cal)
    assert len(rows) == len(cal.table) and len(rows) > 0
    assert not rows["source"].str.startswith(CYBER).any()
    notes = dm.calendar_notes(cal)
    left_out = [n for n in notes if "left out" in n and "Effective Date" in n]
    assert left_out and "Choose one to include them" in left_out[0]
    # the licence's own: Condition 14's accounts of 2029 are the calendar's last dated row
    assert _due(rows, "Regulatory accounts and auditors' report")[-1] == "30 Jun 2030"


@pytest.mark.parametrize(
    ("effective", "certified", "first_audit"),
    # ISMS certification within 12 months of the Effective Date (2.2.3); the first audit by a
    # Security Auditor within 12 months of the certification (2.2.4)
    [("2026-07-01", "1 Jul 2027", "1 Jul 2028"), ("2027-01-15", "15 Jan 2028", "15 Jan 2029")],
)
def test_calendar_for_an_effective_date_dates_the_regulation(effective, certified, first_audit):
    sc = tm.load_scenario(BASE)
    cal = _calendar(sc, effective)
    rows = dm.calendar_rows(cal)
    assert _due(rows, "ISMS certified to ISO 27001") == [certified]
    assert _due(rows, "Security audit by a Security Auditor")[0] == first_audit
    assert len(rows) > len(dm.calendar_rows(_calendar(sc, None)))
    assert not any("left out" in n for n in dm.calendar_notes(cal))


@pytest.mark.parametrize("effective", [None, "2026-07-01"])
def test_calendar_is_in_words_for_people(effective):
    cal = _calendar(tm.load_scenario(BASE), effective)
    rows = dm.calendar_rows(cal)
    assert rows["date"].str.match(PLAIN_DATE).all()
    text = " ".join([*rows.astype(str).to_numpy().ravel(), *dm.calendar_notes(cal)])
    for never in (".yaml", ".csv", ".md", "--", "=", "/"):
        assert never not in text, never
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates


def test_plain_text_rewrites_a_note_of_the_command_line():
    note = (
        "The AMR plan 'P' (nedc-amr-plan.yaml) assumes an Effective Date of 2026-07-01 for its "
        "cyber security costs; give that Effective Date (2026-07-01) to list them."
    )
    assert dm.plain_text(note) == (
        "The AMR plan 'P' assumes an Effective Date of 1 Jul 2026 for its cyber security costs; "
        "choose that Effective Date (1 Jul 2026) to list them."
    )


def test_page_lists_the_calendar_for_the_date_chosen(page):
    assert "no Effective Date of the regulation chosen" in page.calendar_html.value
    assert "ISMS certified" not in page.calendar_html.value
    page.effective_date.value = dt.date(2026, 7, 1)
    shown = page.calendar_html.value
    assert "Effective Date of the regulation 1 Jul 2026" in shown
    assert re.search(r"1 Jul 2027<div[^>]*>due</div></td><td>ISMS certified to ISO 27001", shown)
    assert page.calendar.effective_date == dt.date(2026, 7, 1)
    page.effective_date.value = None
    assert "ISMS certified" not in page.calendar_html.value


# --- why the case differs from its scenario ---------------------------------------------------


def test_one_edited_value_carries_the_whole_difference(worked_example):
    other = worked_example.with_values({"notified.X": 0.025})
    c = tm.compare(worked_example, other)
    for year in [*map(str, worked_example.years), "period"]:
        bars = dm.attribution_bars(c, year)
        assert bars["driver"].tolist() == ["notified.X"]
        assert bars["words"].tolist() == ["Efficiency factor (X)"]
        assert bars["contribution"].iloc[0] == pytest.approx(
            dm.madr_difference(c, year), rel=0, abs=1e-6
        )
    assert dm.madr_difference(c, "2029") < 0  # a larger X lowers the cap


def test_contributions_add_up_to_the_difference_largest_first(page, worked_example):
    page.x_control.value = 2.5
    page.ca_growth.value = 1.0
    page.ws_control.value = 0.95
    page.reading_controls["call_centre"].value = "as_drafted"
    c = page.comparison
    expected = tm.project(page.edited)["MADR"] - tm.project(worked_example)["MADR"]
    for j, year in enumerate(worked_example.years):
        bars = dm.attribution_bars(c, year)
        assert len(bars) >= 3
        assert bars["contribution"].sum() == pytest.approx(expected.iloc[j], rel=0, abs=1e-6)
        sizes = bars["contribution"].abs().to_numpy()
        assert (sizes[:-1] >= sizes[1:]).all()
    period = dm.attribution_bars(c, "period")["contribution"].sum()
    assert period == pytest.approx(expected.sum(), rel=0, abs=1e-6)
    # the figure: one bar per driver then the difference [m RO], for the year chosen
    page.why_year.value = str(worked_example.years[1])
    trace = page.why_fig.data[0]
    assert list(trace.measure) == ["relative"] * (len(trace.x) - 1) + ["total"]
    assert trace.x[-1] == pytest.approx(expected.iloc[1] / 1e6, rel=0, abs=1e-12)
    assert "of 2027" in page.why_fig.layout.title.text


def test_no_split_until_something_is_changed(page):
    assert page.comparison is None
    assert "scenario as loaded" in page.why_note.value
    assert len(page.why_fig.data[0].x) == 0
    page.x_control.value = 2.5
    assert page.comparison is not None
    page.reset()
    assert page.comparison is None


# --- download headers -------------------------------------------------------------------------


def test_download_headers_carry_the_units_of_the_output_columns():
    units = {c.name: c.field.unit for c in MADR_CSV}
    assert dm.header_with_unit("MADR") == "MADR [RO]"
    assert dm.header_with_unit("CA") == f"CA [{units['CA']}]"
    assert dm.header_with_unit("p") == "p [RO per kWh]"
    # the unit is in the name already, or there is none: the name alone
    for name in ("year", "baisa_per_kWh", "RO_per_account", "meters_installed", "nothing"):
        assert dm.header_with_unit(name) == name


def _csv_download(downloads: str) -> pd.DataFrame:
    import base64
    import io

    link = re.search(r'class="tm-dl-csv"[^>]*href="data:text/csv;base64,([^"]+)"', downloads)
    return pd.read_csv(io.StringIO(base64.b64decode(link.group(1)).decode()))


def test_page_downloads_have_unit_headers_and_the_same_numbers(page):
    csv = _csv_download(page.downloads.value)
    assert {"year", "MADR [RO]", "RUD [kWh]", "baisa_per_kWh"} <= set(csv.columns)
    assert csv["MADR [RO]"].tolist() == page.frame["MADR"].tolist()


def test_amr_page_downloads_have_unit_headers():
    plans = ROOT / "data" / "amr"
    amr_page = AmrDashboard(plans, "nedc-amr-plan.yaml")
    csv = _csv_download(amr_page.downloads.value)
    assert {"year", "meters_installed", "capex [RO]", "AMR [RO]", "wacc [fraction]"} <= set(
        csv.columns
    )
    assert csv["AMR [RO]"].tolist() == amr_page.table["AMR"].tolist()

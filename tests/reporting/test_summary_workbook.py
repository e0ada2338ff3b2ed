"""summary.xlsx for people: every numeric madr.csv column on the Terms sheet, a page setup that
prints on A4 landscape one page wide with the header repeated, headers tall enough for their
wrapped text, flags as Yes/No, the input hashes on the About sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.reporting import review as reports

WORKED_EXAMPLE = Path(__file__).parents[1] / "data" / "worked-example.yaml"


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    table = tm.project(tm.load_scenario(WORKED_EXAMPLE))
    (out / "base").mkdir()
    table.to_csv(out / "base" / "madr.csv", index=False)
    records = [
        {
            "slug": "base",
            "name": "Worked example with a long name that wraps in its header",
            "folder": "base",
            "status": "ok",
            "path": "base.yaml",
            "inputs": {"/data/base.yaml": "ab" * 32, "/data/inputs.csv": "cd" * 32},
        }
    ]
    batch = {"command": "tariffmodel batch", "inputs": {"/data/base.yaml": "ab" * 32}}
    xlsx, _ = reports.write_summary(out, records, batch)
    return openpyxl.load_workbook(xlsx), pd.read_csv(out / "base" / "madr.csv")


def test_terms_sheet_has_every_numeric_column(summary):
    wb, madr = summary
    rows = list(wb["Terms"].iter_rows(min_row=2, values_only=True))
    numeric = {c for c in madr.columns if c != "year" and c not in reports.FLAGS}
    assert {"CPI", "X", "SR", "RUD", "RBS", "DNS", "s", "loss_cap"} <= numeric
    assert {r[0] for r in rows} == numeric
    units = {r[0]: r[1] for r in rows}
    assert units["RUD"] == "kWh" and units["CPI"] == "fraction" and units["MADR"] == "RO"
    cells = {r[0]: c for r, c in zip(rows, wb["Terms"].iter_rows(min_row=2), strict=True)}
    assert cells["CPI"][3].number_format == "0.00%"
    assert cells["RUD"][3].number_format == "#,##0"


def test_page_setup_of_every_sheet(summary):
    wb, _ = summary
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows, ws.title
    assert wb["Terms"].print_title_rows == "$1:$1"
    assert wb["MADR"].print_title_rows == "$1:$2"


def test_wrapped_headers_get_the_height_they_need(summary):
    wb, _ = summary
    ws = wb["Terms"]
    label_cell = ws.cell(row=1, column=4)
    assert label_cell.value.startswith("Worked example with a long name")
    width = ws.column_dimensions[label_cell.column_letter].width
    lines = -(-len(label_cell.value) // (width - 1))
    assert lines >= 3
    assert ws.row_dimensions[1].height >= 15 * lines


def test_flags_read_yes_or_no(summary):
    wb, madr = summary
    rows = list(wb["Compliance"].iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in rows} <= {"Yes", "No"}
    para5 = [r[2] for r in rows if r[0].startswith("paragraph 5")]
    assert para5 == ["Yes" if v else "No" for v in madr["para5"]]


def test_about_lists_the_input_hashes(summary):
    wb, _ = summary
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["input sha256: /data/base.yaml"] == "ab" * 32
    assert about["input sha256: /data/inputs.csv"] == "cd" * 32

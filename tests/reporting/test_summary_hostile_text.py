"""Text from a scenario file in the batch summary is shown, never run: in summary.xlsx every such
cell is a text cell (a name like ``=HYPERLINK(...)`` is no formula), characters a worksheet
cannot hold are replaced rather than crash the writer, and in summary.csv text that starts like
a formula gets a leading apostrophe (OWASP) while numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

import tariffmodel as tm
from tariffmodel.reporting import formatting as fm
from tariffmodel.reporting import review as reports

WORKED_EXAMPLE = Path(__file__).parents[1] / "data" / "worked-example.yaml"

LINK = '=HYPERLINK("http://evil.example","click")'
NAMES = {
    "link": LINK,
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2+3",
    "tab": "\tleading tab",
    "error": "#N/A",
    "control": "NEDC\x1b[31mRED\x07\r\nINJECT\u202e",
}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    table = tm.project(tm.load_scenario(WORKED_EXAMPLE))
    records = []
    for slug, name in NAMES.items():
        (out / slug).mkdir()
        table.to_csv(out / slug / "madr.csv", index=False)
        records.append(
            {
                "slug": slug,
                "name": name,
                "folder": slug,
                "status": "ok",
                "path": str(WORKED_EXAMPLE),
            }
        )
    xlsx, csv_path = reports.write_summary(out, records, {"command": LINK})
    return openpyxl.load_workbook(xlsx), csv_path, table


def _shown(name: str) -> str:
    return name.replace("\x1b", "\ufffd").replace("\x07", "\ufffd").replace("\r\n", "\n")


def test_no_cell_of_the_summary_is_a_formula(summary):
    wb, _, _ = summary
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type not in ("f", "e"), (ws.title, c.coordinate, c.value)


@pytest.mark.parametrize(
    ("sheet", "row", "first_col"),
    [("MADR", 2, 2), ("Bill impact", 2, 2), ("Terms", 1, 4), ("Compliance", 1, 3)],
)
def test_names_are_text_cells_as_written(summary, sheet, row, first_col):
    wb, _, _ = summary
    ws = wb[sheet]
    cells = [ws.cell(row=row, column=first_col + j) for j in range(len(NAMES))]
    assert [c.value for c in cells] == [_shown(n) for n in NAMES.values()]
    assert {c.data_type for c in cells} == {"s"}


def test_scenarios_sheet_and_comparison_hold_the_names_as_text(summary):
    wb, _, _ = summary
    ws = wb["Scenarios"]
    assert [ws.cell(row=2 + i, column=1).value for i in range(len(NAMES))] == [
        _shown(n) for n in NAMES.values()
    ]
    labels = {c.value for c in wb["Comparison with base"]["A"] if c.row > 3}
    assert {_shown(n) for n in list(NAMES.values())[1:]} <= labels
    assert wb["About"]["B11"].value == LINK


def test_text_a_worksheet_cannot_hold_is_replaced():
    text = "a\x00b\x1fc\ud800d\uffffe\tf\ng\rh\r\ni"
    assert fm.cell_text(text) == "a\ufffdb\ufffdc\ufffdd\ufffde\tf\ng\nh\ni"
    assert len(fm.cell_text("x" * 40000)) == fm.CELL_MAX_CHARS


def test_csv_quotes_text_that_starts_like_a_formula(summary):
    _, csv_path, table = summary
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    years = len(table)
    shown = [rows[i * years]["scenario"] for i in range(len(NAMES))]
    assert shown == [
        "'" + LINK,
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'\tleading tab",
        "#N/A",
        NAMES["control"],  # the text as written: only a formula start is touched
    ]
    # numbers stay numbers, negative ones with their sign and no apostrophe
    numeric = [c for c in table.columns if table[c].dtype.kind in "if"]
    negative = [c for c in numeric if (table[c] < 0).any()]
    assert negative  # the check below covers a negative figure
    for c in numeric:
        assert [float(r[c]) for r in rows[:years]] == [float(v) for v in table[c]], c
    assert not any(v.startswith("'") for r in rows for k, v in r.items() if k != "scenario")

"""A live Excel model of the cap, for a regulator to audit and edit.

:func:`write_workbook` writes one scenario as an ``.xlsx`` workbook in which every term of MADR_t
of every year is an Excel formula over input cells, written as Schedule 2 writes it, with the
engine's values stored as the formulas' cached results. Change an input cell (an X, a CPI, an
RBS) or a reading switch and Excel or LibreOffice recomputes the cap as the engine would.

Sheets:

* **Inputs**: every Notified Value and year-table value the scenario uses, one cell each, with
  its unit and source (AMR_t and WPRA_t, filled from their own models, are values with a note
  of the file; CPI_t, SR_t and LF_Dt, where the scenario links their series or the licence-fee
  figures, are formulas over them), the readings that can move a number as switch cells with a
  list of their values, the call-centre KPIs when the scenario has them. Input cells are
  unlocked; everything else is locked (sheet protection without a password).
* **Series** (when the scenario links them): the monthly CPI group indices, the group weights
  and the basket's, the Omani CPI of each month, and the monthly deposit rates.
* **Calculation**: every term of madr.csv for every year, one row each, a formula over the
  inputs and the earlier years' cells, with the licence paragraph beside it.
* **Bill impact**: MADR per kWh distributed and per customer account.
* **Checks**: MADR_t equals the sum of its terms, LOSS_t within its cap, KS_t within its clamp,
  each year; every cell shows TRUE.
* **About**: package version, git commit, input hashes, readings, date, the naming rules.

Defined names (Excel ignores case, so each name is unique without it):

* ``SYMBOL_YEAR`` for each quantity of a year: inputs by their own year (``CPI_2027``,
  ``X_2027``, ``RBS_2026``, ``TL_2026``), computed quantities by the year of the cap they enter,
  as in madr.csv (``AL_2027`` is AL_{t-1} used in 2027, ``LOSS_2027``, ``K_2028``, ``MADR_2029``);
* ``SYMBOL`` for a quantity with no year (``loss_cap_share``, ``nsf_last_year``);
* ``READING_R1`` .. for the switches;
* ``OCPI_YYYY_MM`` the Omani CPI of a month, ``DR_YYYY_MM`` its deposit rate, ``CPIW_G`` the
  weight of CPI group G, ``FEEest_YEAR`` .. ``FEE_YEAR`` the licence fee's inputs and steps.

Where two quantities would share a name the input takes a suffix: ``Cconn_YEAR`` is C_t, the
connection charges (``c_YEAR`` is c_t, the element per account; Excel would not tell them
apart); ``a_notified_YEAR`` (also c, p) is the Notified Value of a_t, blank where the Authority
notifies none, ``a_YEAR`` the value used; ``ARDRgiven_YEAR`` is ARDR_t as reported, blank where
not given, ``ARDR_YEAR`` the value used (recovery x MADR_t when blank). ``LOSSCAP_YEAR`` is the
cap of LOSS_t, ``ARDRK_YEAR`` the ARDR_{t-1} used in K_Dt, ``PARA3_YEAR`` .. the tests.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.fields import (
    AMOUNT_COLUMNS,
    INPUT_FIELDS,
    LICENCE_FEE_KEYS,
    NOTIFIED_FIELDS,
)
from tariffmodel.inputs.series import group_number
from tariffmodel.licence.condition13 import licence_fee_part_a, licence_fee_true_up
from tariffmodel.licence.indices import (
    BASKET_GROUPS,
    CPI_BASES,
    EXCLUDED_GROUP,
    GROUP_NAMES,
    GROUPS,
    cpi_months,
    publication_lag,
    specified_rate_months,
)
from tariffmodel.licence.schedule2 import EDGE_TOLERANCE, READING_IDS, READINGS
from tariffmodel.licence.terms import BY_SYMBOL, TERMS, TESTS
from tariffmodel.model.engine import project
from tariffmodel.model.indices import cpi_by_year, omani_cpi_index, specified_rate_by_year
from tariffmodel.model.scenario import Scenario
from tariffmodel.reporting.provenance import provenance
from tariffmodel.reporting.run_outputs import BAISA_PER_RO

INPUTS_SHEET = "Inputs"
SERIES_SHEET = "Series"
CALCULATION_SHEET = "Calculation"
BILL_SHEET = "Bill impact"
CHECKS_SHEET = "Checks"
ABOUT_SHEET = "About"

#: The Calculation sheet: the row of the years, the column of the keys (madr.csv columns and
#: helper rows), the first column of values (the history year), all 0-based.
HEADER_ROW = 2
KEY_COLUMN = 0
FIRST_YEAR_COLUMN = 5

#: The input column whose name differs from its symbol (see the module docstring).
INPUT_NAME = {"C": "Cconn", "ARDR": "ARDRgiven"}

#: Number formats by unit.
NUMBER_FORMATS = {
    "RO": "#,##0.00",
    "fraction": "0.0000%",
    "kWh": "#,##0",
    "accounts": "#,##0",
    "MVA": "#,##0.000",
    "RO per account": "#,##0.0000",
    "RO per kWh": "0.000000",
    "RO per MVA": "#,##0.00",
    "baisa/kWh": "0.0000",
    "index": "0.000",
    "score": "0.0000",
    "ratio": "0.000000",
    "0/1": "0",
    "year": "0",
    "flag": "General",
    "": "General",
}

_COL_WIDTHS = (14, 30, 44, 16, 30)
#: Width of the Inputs sheet's source column [characters].
SOURCE_WIDTH = 36


def gt(x: str, y: str) -> str:
    """``x > y`` beyond the edge tolerance, as an Excel formula: the workbook's
    :func:`tariffmodel.licence.schedule2.strictly_greater`.

    >>> gt("a", "b")
    '((a)-(b)>MAX(ABS(a),ABS(b),1)*EDGE_TOLERANCE)'
    """
    return f"(({x})-({y})>MAX(ABS({x}),ABS({y}),1)*EDGE_TOLERANCE)"


def _num(v: float) -> str:
    """A number in a formula, exactly as Python reads it."""
    return repr(float(v))


def offered_readings(scenario: Scenario) -> dict[str, str]:
    """The switches offered in the workbook (switch -> why), those that can move a number.

    R5 (cpi_basis) is offered when CPI_t is computed in the workbook from the linked monthly
    series and the series hold the months of both readings; R6 (specified_rate_months) likewise
    for SR_t over the monthly deposit rates; R7 (licence_fee_true_up) when LF_Dt is computed from
    the licence-fee figures. Where CPI_t, SR_t or LF_Dt is given as values the reading cannot
    move it. R2 (call_centre) and R8 (call_centre_cap) move CC_t only when the scenario has a
    call-centre block.
    """
    out = {
        "loss_deadband": "D_t after the First Relevant Year (paragraph 1b)",
        "para4_excess": "the excess tested by paragraph 4",
        "para5_substitution": "the ARDR_{t-1} used in K_Dt after paragraph 5 held",
    }
    if scenario.call_centre is not None:
        out["call_centre"] = "CC_t (paragraph 1e)"
        out["call_centre_cap"] = "what the allowance caps in CC_t under R2 penalty_only"
    if _cpi_bases(scenario) == CPI_BASES:
        out["cpi_basis"] = "CPI_t from the monthly Omani CPI (paragraph 1a)"
    if _sr_readings(scenario) == READINGS["specified_rate_months"]:
        out["specified_rate_months"] = "the months SR_t averages (Definition of Specified Rate)"
    if scenario.links.licence_fee is not None:
        out["licence_fee_true_up"] = "the sign of the true-up in LF_Dt (Condition 13, 2(b))"
    return {k: out[k] for k in READINGS if k in out}


def _not_offered_why(switch: str, scenario: Scenario) -> str:
    links = scenario.links
    if switch == "cpi_basis":
        if links.cpi_groups is None:
            return "CPI_t is given as values, not computed from a monthly series here"
        return "the monthly series lack the months of the other reading"
    if switch == "specified_rate_months":
        if links.deposit_rates is None:
            return "SR_t is given as values, not computed from the monthly deposit rates here"
        return "the deposit rates lack the months of the other reading"
    if switch == "licence_fee_true_up":
        return "LF_Dt is given as values, not computed from the licence-fee figures here"
    return "no call-centre block: CC_t is 0 under both readings"


# --- linked series: CPI_t, SR_t and LF_Dt as formulas ---------------------------------------

#: Defined-name prefixes of the monthly series (``OCPI_2025_06``, ``DR_2025_01``) and of the
#: inputs and steps of the licence fee (``FEEest_2026`` .. ``FEE_2027``).
OCPI, DEPOSIT_RATE = "OCPI", "DR"
FEE_NAMES = {
    "estimated_costs": "FEEest",
    "share": "FEEshare",
    "actual_costs": "FEEactual",
    "actual_share": "FEEactshare",
    "distribution_share": "FEEdist",
}


def _month_name(prefix: str, ordinal) -> str:
    month = pd.Period(ordinal=int(ordinal), freq="M")
    return f"{prefix}_{month.year}_{month.month:02d}"


def _cpi_bases(sc: Scenario) -> tuple[str, ...]:
    """The readings R5 under which CPI_t can be computed from the scenario's monthly series."""
    links = sc.links
    if links.cpi_groups is None:
        return ()
    ocpi = omani_cpi_index(links.cpi_groups, links.cpi_weights)
    bases = []
    for basis in CPI_BASES:
        try:
            cpi_by_year(ocpi, sc.years, basis)
        except InputError:
            continue
        bases.append(basis)
    return tuple(bases)


def _sr_readings(sc: Scenario) -> tuple[str, ...]:
    """The readings R6 under which SR_t can be computed from the scenario's deposit rates."""
    rates = sc.links.deposit_rates
    if rates is None:
        return ()
    out = []
    for reading in READINGS["specified_rate_months"]:
        try:
            specified_rate_by_year(rates, sc.years, publication_lag(reading))
        except InputError:
            continue
        out.append(reading)
    return tuple(out)


def _mean_of(prefix: str, ordinals) -> str:
    names = [_month_name(prefix, o) for o in np.ravel(ordinals)]
    return names[0] if len(names) == 1 else f"AVERAGE({','.join(names)})"


def cpi_formula(t: int, basis: str) -> str:
    """CPI_t over the monthly Omani CPI under reading R5, as an Excel expression (paragraph 1a,
    :func:`tariffmodel.licence.indices.cpi_months` gives the months).

    >>> cpi_formula(2026, "june_on_june")
    'OCPI_2025_06/OCPI_2024_06-1'
    """
    den, num = cpi_months([t], basis)
    return f"{_mean_of(OCPI, num)}/{_mean_of(OCPI, den)}-1"


def sr_formula(t: int, publication_lag: int = 0) -> str:
    """SR_t, the mean of the twelve monthly deposit rates it reads, as an Excel expression
    (Definition of "Specified Rate"; :func:`tariffmodel.licence.indices.specified_rate_months`).

    >>> sr_formula(2026)[:40]
    'AVERAGE(DR_2025_01,DR_2025_02,DR_2025_03'
    """
    return _mean_of(DEPOSIT_RATE, specified_rate_months([t], publication_lag))


def _switch(reading: str, options: dict[str, str]) -> str:
    """``IF(READING_Rn="first",x,IF(...,y,z))`` over the values of a reading, the last as the
    fallback."""
    (*head, (_, last)) = options.items()
    out = last
    for value, expr in reversed(head):
        out = f'IF(READING_{READING_IDS[reading]}="{value}",{expr},{out})'
    return out


def _linked_formulas(sc: Scenario, offered: dict[str, str]) -> dict[str, Callable[[int], str]]:
    """Year-table columns computed in the workbook from linked series: column -> year ->
    formula (``offered``: :func:`offered_readings` of the scenario, the switches they use)."""
    out: dict[str, Callable[[int], str]] = {}
    links = sc.links
    if links.cpi_groups is not None:
        if "cpi_basis" in offered:
            out["CPI"] = lambda t: (
                "=" + _switch("cpi_basis", {b: cpi_formula(t, b) for b in CPI_BASES})
            )
        else:
            out["CPI"] = lambda t: "=" + cpi_formula(t, sc.readings["cpi_basis"])
    if links.deposit_rates is not None:
        if "specified_rate_months" in offered:
            out["SR"] = lambda t: (
                "="
                + _switch(
                    "specified_rate_months",
                    {
                        r: sr_formula(t, publication_lag(r))
                        for r in READINGS["specified_rate_months"]
                    },
                )
            )
        else:
            lag = publication_lag(sc.readings["specified_rate_months"])
            out["SR"] = lambda t: "=" + sr_formula(t, lag)
    if links.licence_fee is not None:
        out["LF"] = lambda t: f"=FEEdist_{t}*FEE_{t}"
    return out


def _write_series(book: _Book, sc: Scenario) -> None:
    """The Series sheet: the monthly CPI group indices with the weights and the Omani CPI of
    each month, and the monthly deposit rates, as input cells (only when the scenario links
    them)."""
    links = sc.links
    if links.cpi_groups is None and links.deposit_rates is None:
        return
    ws = book.wb.add_worksheet(SERIES_SHEET)
    ws.write(0, 0, f"Series: {sc.name}", book.title)
    ws.write(1, 0, "The monthly series that CPI_t and SR_t are computed from on the Inputs "
             "sheet (yellow cells are inputs). A month is the month a figure refers to.")  # fmt: skip
    header, first_month = HEADER_ROW + 1, HEADER_ROW + 5
    rate_col = len(GROUPS) + 4  # beside the CPI table, after a blank column
    if links.cpi_groups is not None:
        _write_cpi_table(book, ws, sc, header, first_month)
    if links.deposit_rates is not None:
        rates = links.deposit_rates
        ws.write(header - 1, rate_col, "Deposit rates (Specified Rate)", book.bold)
        ws.write(header, rate_col, "month", book.header)
        ws.write(header, rate_col + 1, "rate [fraction]", book.header)
        words = "weighted average rate on Rial Omani deposits, by the month it refers to"
        ws.write(header + 1, rate_col + 1, words, book.wrap)
        ws.set_column(rate_col, rate_col, 10)
        ws.set_column(rate_col + 1, rate_col + 1, 16)
        months = pd.PeriodIndex(rates.index, freq="M")
        values = pd.to_numeric(pd.Series(rates.to_numpy()), errors="coerce").to_numpy(float)
        for i, (month, value) in enumerate(zip(months, values, strict=True)):
            r = first_month + i
            ws.write_string(r, rate_col, str(month))
            cell_fmt = book.fmt("fraction", locked=False)
            if math.isfinite(value):
                ws.write_number(r, rate_col + 1, float(value), cell_fmt)
            else:
                ws.write_blank(r, rate_col + 1, None, cell_fmt)
            book.define(_month_name(DEPOSIT_RATE, month.ordinal), SERIES_SHEET, r, rate_col + 1)
    ws.freeze_panes(header + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _write_cpi_table(book: _Book, ws, sc: Scenario, header: int, first_month: int) -> None:
    links = sc.links
    groups = links.cpi_groups
    col_of = {g: 1 + i for i, g in enumerate(GROUPS)}  # group g in column g
    ocpi_col, count_col = len(GROUPS) + 1, len(GROUPS) + 2
    ws.write(header - 1, 0, 'Omani CPI (Definition of "Omani Consumer Price Index")', book.bold)
    ws.write(header, 0, "month", book.header)
    for g, c in col_of.items():
        ws.write(header, c, f"group {g} [index]", book.header)
        ws.write(header + 1, c, GROUP_NAMES[g], book.wrap)
    ws.write(header, ocpi_col, "Omani CPI [index]", book.header)
    ws.write(header, count_col, "basket indices given", book.header)
    ws.write(header + 1, ocpi_col, "weighted by the basket weights (groups 1-3, 5-12)", book.wrap)
    ws.set_row(header + 1, 75)
    ws.set_column(0, 0, 10)
    ws.set_column(1, len(GROUPS), 11)
    ws.set_column(ocpi_col, count_col, 13)
    # weights: as given, then the basket's (group 4 left out, the rest scaled to sum to one)
    weight_row, basket_row = header + 2, header + 3
    ws.write(weight_row, 0, "weight", book.bold)
    ws.write(basket_row, 0, "basket weight", book.bold)
    given = {group_number(g): float(w) for g, w in links.cpi_weights.items()}
    total = sum(w for g, w in given.items() if g in BASKET_GROUPS)
    first_w, last_w = _cell(weight_row, col_of[GROUPS[0]]), _cell(weight_row, col_of[GROUPS[-1]])
    for g, c in col_of.items():
        fmt = book.fmt("", locked=False)
        if g in given:
            ws.write_number(weight_row, c, given[g], fmt)
        else:
            ws.write_blank(weight_row, c, None, fmt)
        book.define(f"CPIW_{g}", SERIES_SHEET, weight_row, c)
        if g == EXCLUDED_GROUP:
            ws.write_formula(basket_row, c, "=0", book.fmt("fraction"), 0.0)
        else:
            ws.write_formula(basket_row, c, f"=CPIW_{g}/(SUM({first_w}:{last_w})-CPIW_"
                             f"{EXCLUDED_GROUP})", book.fmt("fraction"), given[g] / total)  # fmt: skip
    weights_range = (
        f"{_cell(basket_row, 1, row_abs=True, col_abs=True)}:"
        f"{_cell(basket_row, len(GROUPS), row_abs=True, col_abs=True)}"
    )
    ocpi = omani_cpi_index(groups, links.cpi_weights).to_numpy(float)
    columns = {group_number(c): c for c in groups.columns}
    table = np.column_stack([
        pd.to_numeric(groups[columns[g]], errors="coerce").to_numpy(float)
        if g in columns else np.full(len(groups), np.nan)
        for g in GROUPS
    ])  # fmt: skip
    months = pd.PeriodIndex(groups.index, freq="M")
    fmt = book.fmt("index", locked=False)
    for i, month in enumerate(months):
        r = first_month + i
        ws.write_string(r, 0, str(month))
        for g, c in col_of.items():
            value = float(table[i, g - 1])
            if math.isfinite(value):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_blank(r, c, None, fmt)
        basket_cells = ",".join(_cell(r, col_of[g]) for g in BASKET_GROUPS)
        count = _cell(r, count_col)
        ws.write_formula(r, count_col, f"=COUNT({basket_cells})", book.fmt("0/1"),
                         len(BASKET_GROUPS))  # fmt: skip
        # a month with a blank basket index gives #N/A, not a wrong index
        row_range = f"{_cell(r, 1)}:{_cell(r, len(GROUPS))}"
        ws.write_formula(r, ocpi_col,
                         f"=IF({count}={len(BASKET_GROUPS)},SUMPRODUCT({weights_range},"
                         f"{row_range}),NA())", book.fmt("index"), _cached(ocpi[i]))  # fmt: skip
        book.define(_month_name(OCPI, month.ordinal), SERIES_SHEET, r, ocpi_col)


@dataclass
class _Row:
    key: str
    symbol: str
    words: str
    paragraph: str
    unit: str
    formula: Callable[[int, int], str | None]  # (year, index) -> formula text or None
    value: Callable[[int, int], Any]
    name: str | None = None  # defined-name prefix
    history: tuple[str, Any] | None = None  # formula and value of the history-year column


def _cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell  # the package loads on first use

    return xl_rowcol_to_cell(row, col, row_abs=row_abs, col_abs=col_abs)


class _Book:
    """The xlsxwriter workbook with its formats and defined names."""

    def __init__(self, path: str | os.PathLike | io.BytesIO):
        target = path if isinstance(path, io.BytesIO) else str(path)
        options = {"nan_inf_to_errors": True, "strings_to_formulas": False, "in_memory": True}
        import xlsxwriter  # heavy (0.1 s): only when a workbook is written

        self.wb = xlsxwriter.Workbook(target, options)
        self.names: dict[str, str] = {}
        self._lower: set[str] = set()  # Excel ignores the case of names
        self._formats: dict[tuple, Any] = {}
        self.bold = self.wb.add_format({"bold": True})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.header = self.wb.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.section = self.wb.add_format({"bold": True, "bg_color": "#F2F2F2"})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})

    def fmt(self, unit: str, locked: bool = True):
        key = (unit, locked)
        if key not in self._formats:
            spec: dict[str, Any] = {"num_format": NUMBER_FORMATS.get(unit, "General")}
            if not locked:
                spec.update({"locked": False, "bg_color": "#FFF2CC", "border": 1})
            self._formats[key] = self.wb.add_format(spec)
        return self._formats[key]

    def define(self, name: str, sheet: str, row: int, col: int) -> None:
        if name.lower() in self._lower:
            raise ValueError(f"defined name {name} twice")
        self._lower.add(name.lower())
        ref = _cell(row, col, row_abs=True, col_abs=True)
        self.names[name] = f"'{sheet}'!{ref}"
        self.wb.define_name(name, f"='{sheet}'!{ref}")


def _fit_row(ws, row: int, *texts_and_widths: tuple[str, float]) -> None:
    """Make a row tall enough for its wrapped texts: spreadsheets do not grow a row stored
    without a height, and a printout would overlap the rows below."""
    lines = max(
        (math.ceil(len(str(text)) / max(width - 2.0, 1.0)) for text, width in texts_and_widths),
        default=1,
    )
    if lines > 1:
        ws.set_row(row, 15.0 * lines)


def _finite(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _setup_sheet(ws, book: _Book, freeze_row: int, freeze_col: int, landscape: bool = True):
    for i, w in enumerate(_COL_WIDTHS[:freeze_col]):
        ws.set_column(i, i, w)
    ws.freeze_panes(freeze_row, freeze_col)
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(freeze_row - 1)
    ws.protect("", {"format_columns": True, "format_rows": True})


# --- Inputs ---------------------------------------------------------------------------------


def _write_inputs(book: _Book, sc: Scenario, A: dict[str, Any]) -> None:
    ws = book.wb.add_worksheet(INPUTS_SHEET)
    h, years = sc.history_year, list(sc.years)
    all_years = [h, *years]
    col_of = {y: FIRST_YEAR_COLUMN + i for i, y in enumerate(all_years)}
    first = FIRST_YEAR_COLUMN  # the column of the history year, and of one-number values
    ws.write(0, 0, f"Inputs: {sc.name}", book.title)
    ws.write(
        1,
        0,
        "Yellow cells are inputs: edit them and the cap is recomputed. Blank yellow cells are "
        "values not given (see the source column).",
    )
    header = ["symbol", "what it is", "unit", "kind", "source", *all_years]
    for j, text in enumerate(header):
        ws.write(HEADER_ROW, j, text, book.header)
    _setup_sheet(ws, book, HEADER_ROW + 1, first)
    ws.set_column(3, 3, 16)
    ws.set_column(first - 1, first - 1, SOURCE_WIDTH)
    ws.set_column(first, first + len(all_years), 17)
    row = HEADER_ROW + 1

    raw = sc.to_dict(resolved=False)
    files = {
        "CPI": ", ".join(str(v) for v in (raw.get("cpi_series") or {}).values()),
        "SR": str(raw.get("deposit_rates") or ""),
        "RBS": str(raw.get("amr") or ""),
    }

    def source_of(col: str, default: str) -> str:
        if col in sc.filled:
            where = f" ({files[col]})" if files.get(col) else ""
            return f"value from a linked file: {sc.filled[col]}{where}"
        return default

    def year_row(symbol, words, unit, kind, source, yrs, value_of, name_of, formula_of=None):
        """One row of the year table: input cells, or (``formula_of``) locked formulas over
        other cells with the engine's values cached."""
        nonlocal row
        for j, text in enumerate((symbol, words, unit, kind, source)):
            ws.write(row, j, text, book.wrap if j in (1, 4) else None)
        _fit_row(ws, row, (words, _COL_WIDTHS[1]), (source, SOURCE_WIDTH))
        for y in yrs:
            v = value_of(y)
            if formula_of is not None:
                ws.write_formula(row, col_of[y], formula_of(y), book.fmt(unit), _cached(v))
            elif _finite(v):
                ws.write_number(row, col_of[y], float(v), book.fmt(unit, locked=False))
            else:
                ws.write_blank(row, col_of[y], None, book.fmt(unit, locked=False))
            book.define(name_of(y), INPUTS_SHEET, row, col_of[y])
        row += 1

    def section(text):
        nonlocal row
        row += 1
        ws.write(row, 0, text, book.section)
        for j in range(1, first + len(all_years)):
            ws.write_blank(row, j, None, book.section)
        row += 1

    # the year table
    section("Year table (inputs of the scenario file)")
    rows = sc.rows
    for col in ("RUD", "RBS", "WS", "ARDR"):
        f = INPUT_FIELDS[col]
        default = {
            "WS": "scenario; blank: on target (WS = TS)",
            "ARDR": f"scenario; blank: recovery x MADR_t (history year {h}: given)",
        }.get(col, "scenario")
        year_row(
            col if col != "ARDR" else "ARDR (given)",
            f.description,
            f.unit,
            "year table",
            source_of(col, default),
            all_years,
            lambda y, col=col: rows[y].get(col),
            lambda y, col=col: (
                f"{col}_{y}" if y == h or col not in INPUT_NAME else f"{INPUT_NAME[col]}_{y}"
            ),
        )
    for col in ("MADR", "DB"):
        f = INPUT_FIELDS[col]
        year_row(col, f.description, f.unit, "history year", "scenario", [h],
                 lambda y, col=col: rows[y][col], lambda y, col=col: f"{col}_{y}")  # fmt: skip
    defaults = {"DNS": 0.0, "recovery": 1.0, **{c: 0.0 for c in AMOUNT_COLUMNS}}
    offered = offered_readings(sc)  # reads the series once: the switches and their formulas
    linked = _linked_formulas(sc, offered)
    computed = {
        "CPI": "formula over the Omani CPI of the Series sheet (paragraph 1a, reading R5)",
        "SR": "formula: the mean of the monthly deposit rates of the Series sheet (reading R6)",
        "LF": "formula: FEEdist_t x FEE_t, the licence-fee rows below (Condition 13)",
    }
    for col in ("CPI", "CA", "DNS", "SR", *AMOUNT_COLUMNS, "recovery"):
        f = INPUT_FIELDS[col]
        words = BY_SYMBOL[col].licence + ", " + f.description if col in BY_SYMBOL else f.description
        absent = f"scenario; not given: {defaults[col]:g}" if col in defaults else "scenario"
        year_row(
            col,
            words,
            f.unit,
            "linked series" if col in linked else "year table",
            computed[col] if col in linked else source_of(col, absent),
            years,
            lambda y, col=col: rows[y].get(col, defaults.get(col)),
            lambda y, col=col: f"{INPUT_NAME.get(col, col)}_{y}",
            linked.get(col),
        )

    # Notified Values
    section("Notified Values (the Authority)")
    for key, (f, keyed) in NOTIFIED_FIELDS.items():
        if keyed == "scalar":
            continue
        if keyed == "t":
            yrs = years
        else:  # TL, BAND, TS: own year, read at t-1
            yrs = [h, *years[:-1]]
        if key in ("a", "c", "p"):
            words = f"{f.description}: Notified Value; blank: rolled forward (paragraph 1a, 1b)"
            yrs, source = years, "notified; blank: not notified"
            name_of = lambda y, key=key: f"{key}_notified_{y}"  # noqa: E731
        else:
            words, source = f.description, "notified"
            name_of = lambda y, key=key: f"{key}_{y}"  # noqa: E731
        year_row(key, words, f.unit, "Notified Value", source, yrs,
                 lambda y, key=key: sc.notified_value(key, y), name_of)  # fmt: skip

    # the licence fee of Condition 13, when LF_Dt is computed from it
    fee = sc.links.licence_fee
    if fee is not None:
        section("Licence fee (Condition 13): its inputs and the steps to LF_Dt")
        for key, (unit, _, words) in LICENCE_FEE_KEYS.items():
            year_row(FEE_NAMES[key], words, unit, "licence fee", "scenario (licence_fee)",
                     sorted(fee[key]), lambda y, key=key: fee[key][y],
                     lambda y, key=key: f"{FEE_NAMES[key]}_{y}")  # fmt: skip
        part_a = {
            y: licence_fee_part_a(fee["estimated_costs"][y], fee["share"][y])
            for y in sorted(fee["share"])
        }
        reading = sc.readings["licence_fee_true_up"]
        true_up = {
            t: licence_fee_true_up(
                part_a[t - 1],
                fee["actual_costs"][t - 1],
                fee["actual_share"][t - 1],
                reading=reading,
            )  # fmt: skip
            for t in years
        }

        def true_up_formula(t: int) -> str:
            owed = f"FEEactshare_{t - 1}*FEEactual_{t - 1}-FEEa_{t - 1}"  # (ii) - (i)
            return "=" + _switch("licence_fee_true_up", {"owed_minus_paid": owed,
                                                         "as_drafted": f"-({owed})"})  # fmt: skip

        steps = [
            ("FEEa", "part (a): the share of the Authority's estimated costs of the year",
             "Condition 13, 2(a)", sorted(part_a), part_a.get,
             lambda y: f"=FEEshare_{y}*FEEest_{y}"),
            ("FEEb", "part (b), the true-up of the fee of t-1: (ii) what it would have been on "
             "the actual costs and share, less (i) the fee paid for t-1 (its part (a)); the "
             "other way round under reading R7 as_drafted",
             "Condition 13, 2(b), R7", years, true_up.get, true_up_formula),
            ("FEE", "the fee of the year: part (a) + part (b)", "Condition 13, 2", years,
             lambda t: part_a[t] + true_up[t], lambda t: f"=FEEa_{t}+FEEb_{t}"),
        ]  # fmt: skip
        for name, words, paragraph, yrs, value_of, formula_of in steps:
            year_row(name, words, "RO", "licence fee", f"formula ({paragraph})", yrs, value_of,
                     lambda y, name=name: f"{name}_{y}", formula_of)  # fmt: skip

    # call centre
    cc = sc.call_centre
    if cc is not None:
        section("Call centre (paragraph 1e): allowance, KPIs and their actuals")
        year_row("Allowance", "Call Centre Allowance of the year (0 in a year without actuals)",
                 "RO", "call centre", "scenario", years,
                 lambda y: cc["allowance"].get(y, 0.0) if y in cc["actuals"] else 0.0,
                 lambda y: f"CCallowance_{y}")  # fmt: skip
        for k, kpi in enumerate(cc["kpis"], start=1):
            for what, value, unit in (
                ("weight", kpi["weight"], "fraction"),
                ("target", kpi["target"], ""),
                ("higher", 1.0 if kpi["higher_is_better"] else 0.0, "0/1"),
            ):
                ws.write(row, 0, f"CC{k}_{what}")
                words = f"{kpi['name']}: {what}" + (
                    " is better (1) or lower (0)" if what == "higher" else ""
                )
                ws.write(row, 1, words, book.wrap)
                _fit_row(ws, row, (words, _COL_WIDTHS[1]))
                ws.write(row, 2, unit)
                ws.write(row, 3, "call centre")
                ws.write(row, 4, "scenario; one number")
                ws.write_number(row, first, float(value), book.fmt(unit, locked=False))
                book.define(f"CC{k}_{what}", INPUTS_SHEET, row, first)
                row += 1
            year_row(f"CC{k}_actual", f"{kpi['name']}: actual performance (blank: no actuals)",
                     "", "call centre", "scenario", years,
                     lambda y, kpi=kpi: cc["actuals"].get(y, {}).get(kpi["name"]),
                     lambda y, k=k: f"CC{k}_actual_{y}")  # fmt: skip

    # one number each
    section("One number each (value in the first year column)")
    ws.write(row - 1, first, "value", book.section)
    scalars = [("first_relevant_year", "year", "the First Relevant Year (paragraph 1b)",
                sc.first_relevant_year)]  # fmt: skip
    for key, (f, keyed) in NOTIFIED_FIELDS.items():
        if keyed == "scalar":
            scalars.append((key, f.unit, f.description, sc.notified_value(key)))
    for key, unit, words, value in scalars:
        for j, text in enumerate((key, words, unit, "one number", "scenario (or its default)")):
            ws.write(row, j, text, book.wrap if j == 1 else None)
        ws.write_number(row, first, float(value), book.fmt(unit, locked=False))
        book.define(key, INPUTS_SHEET, row, first)
        row += 1
    ws.write(row, 0, "EDGE_TOLERANCE")
    words = "relative tolerance of edge comparisons (the model's, not the licence's)"
    ws.write(row, 1, words, book.wrap)
    _fit_row(ws, row, (words, _COL_WIDTHS[1]))
    ws.write(row, 3, "model constant")
    ws.write(row, 4, "tariffmodel (locked)")
    ws.write_number(row, first, EDGE_TOLERANCE, book.fmt("", locked=True))
    book.define("EDGE_TOLERANCE", INPUTS_SHEET, row, first)
    row += 1

    # readings
    section("Readings of unclear licence text (switches)")
    for switch in READINGS:
        rid = READING_IDS[switch]
        ws.write(row, 0, rid)
        ws.write(row, 2, "reading")
        ws.write(row, 3, "switch")
        value = sc.readings[switch]
        if switch in offered:
            words = f"{switch}: {offered[switch]}; one of {', '.join(READINGS[switch])}"
            ws.write(row, 1, words, book.wrap)
            _fit_row(ws, row, (words, _COL_WIDTHS[1]))
            ws.write(row, 4, "scenario")
            ws.write_string(row, first, value, book.fmt("", locked=False))
            ws.data_validation(row, first, row, first,
                               {"validate": "list", "source": list(READINGS[switch])})  # fmt: skip
            book.define(f"READING_{rid}", INPUTS_SHEET, row, first)
        else:
            why = _not_offered_why(switch, sc)
            ws.write(row, 1, f"{switch}: not offered ({why})", book.wrap)
            _fit_row(ws, row, (f"{switch}: not offered ({why})", _COL_WIDTHS[1]))
            ws.write(row, 4, "scenario (fixed)")
            ws.write_string(row, first, value)
        row += 1


# --- Calculation ----------------------------------------------------------------------------


def _calc_rows(sc: Scenario, table: pd.DataFrame, A: dict[str, Any]) -> list[_Row | str]:
    """The rows of the Calculation sheet (a string is a section title)."""
    h = sc.history_year
    T = table.set_index("year")

    def v(col):
        return lambda t, j: T.at[t, col]

    def ref(name_of, col, words, paragraph, unit, symbol=None, key=None):
        return _Row(key or col, symbol or f"{col}_t", words, paragraph, unit,
                    lambda t, j: f"={name_of(t)}", v(col))  # fmt: skip

    rows: list[_Row | str] = ["Indexation and DB_t (paragraph 1a)"]
    rows.append(ref(lambda t: f"CPI_{t}", "CPI", "change of the Omani CPI", "1a", "fraction"))
    rows.append(ref(lambda t: f"X_{t}", "X", "efficiency factor X_Dt", "1a", "fraction", "X_Dt"))

    def indexed(sym, with_x):
        def formula(t, j):
            if j == 0:
                return f"={sym}_notified_{t}"
            rolled = f"{sym}_{t - 1}*(1+CPI_{t}" + (f"-X_{t})" if with_x else ")")
            return f"=IF(ISBLANK({sym}_notified_{t}),{rolled},{sym}_notified_{t})"

        return formula

    words = {
        "a": ("fixed element of DB_t: Notified Value, else a_{t-1} x (1 + CPI_t - X_Dt)", "RO"),
        "c": ("per account: Notified Value, else c_{t-1} x (1 + CPI_t - X_Dt)", "RO per account"),
        "p": ("value of losses: Notified Value, else p_{t-1} x (1 + CPI_t)", "RO per kWh"),
    }
    for sym in ("a", "c", "p"):
        rows.append(_Row(sym, f"{sym}_t", words[sym][0], "1a" if sym != "p" else "1b",
                         words[sym][1], indexed(sym, sym != "p"), v(sym), name=sym))  # fmt: skip
    rows.append(ref(lambda t: f"CA_{t}", "CA", "customer accounts", "1a", "accounts"))
    rows.append(_Row("DB", "DB_t", "distribution business revenue: a_t + c_t x CA_t", "1a", "RO",
                     lambda t, j: f"=a_{t}+c_{t}*CA_{t}", v("DB"), name="DB",
                     history=(f"=DB_{h}", sc.rows[h]["DB"])))  # fmt: skip

    rows.append("Loss incentive LOSS_t (paragraph 1b)")
    rows.append(ref(lambda t: f"RUD_{t}", "RUD", "regulated units distributed in t", "12(g)",
                    "kWh"))  # fmt: skip
    rows.append(ref(lambda t: f"RBS_{t}", "RBS", "regulated bulk supplies in t", "12(h)", "kWh"))
    rows.append(
        _Row(
            "AL",
            "AL_{t-1}",
            "actual losses: 1 - RUD_{t-1} / RBS_{t-1}",
            "1b",
            "fraction",
            lambda t, j: f"=1-RUD_{t - 1}/RBS_{t - 1}",
            v("AL"),
            name="AL",
        )
    )
    rows.append(ref(lambda t: f"TL_{t - 1}", "TL", "target losses of t-1", "1b", "fraction",
                    "TL_{t-1}"))  # fmt: skip
    rows.append(ref(lambda t: f"BAND_{t - 1}", "BAND", "dead band above TL of t-1", "1b",
                    "fraction", "BAND_{t-1}"))  # fmt: skip
    upper_row = _Row("upper", "TL_{t-1} + BAND_{t-1}", "upper edge of the dead band", "1b",
                     "fraction", lambda t, j: f"=TL_{t - 1}+BAND_{t - 1}",
                     lambda t, j: T.at[t, "TL"] + T.at[t, "BAND"], name="UPPER")  # fmt: skip
    rows.append(upper_row)

    def d_formula(t, j):
        al, tl, upper_cell = f"AL_{t}", f"TL_{t - 1}", f"UPPER_{t}"
        band_rule = f"IF(OR({gt(tl, al)},{gt(al, upper_cell)}),1,0)"
        later_rule = f"IF(OR({gt(upper_cell, al)},{gt(al, upper_cell)}),1,0)"
        return f'=IF(OR({t}=first_relevant_year,READING_R1="every_year"),{band_rule},{later_rule})'

    rows.append(_Row("D", "D_t", "dead-band factor: 1 outside the band (First Relevant Year; "
                     "later years as R1 reads)", "1b, R1", "0/1", d_formula, v("D"), name="D"))  # fmt: skip
    rows.append(
        _Row(
            "LD",
            "LD_t",
            "loss difference: (TL_{t-1} - AL_{t-1}) x D_t",
            "1b",
            "fraction",
            lambda t, j: f"=(TL_{t - 1}-AL_{t})*D_{t}",
            v("LD"),
            name="LD",
        )
    )
    rows.append(_Row("BL", "BL_t", "base loss incentive: RUD_{t-1} x p_t x LD_t", "1b", "RO",
                     lambda t, j: f"=RUD_{t - 1}*p_{t}*LD_{t}", v("BL"), name="BL"))  # fmt: skip
    rows.append(
        _Row(
            "loss_cap",
            "Cap_t",
            "cap of the loss incentive: share x DB_t",
            "1b",
            "RO",
            lambda t, j: f"=DB_{t}*loss_cap_share",
            v("loss_cap"),
            name="LOSSCAP",
        )
    )
    rows.append(_Row("LOSS", "LOSS_t", "loss incentive: BL_t within +- Cap_t", "1b", "RO",
                     lambda t, j: f"=MAX(MIN(BL_{t},LOSSCAP_{t}),-LOSSCAP_{t})", v("LOSS"),
                     name="LOSS"))  # fmt: skip

    rows.append("Network security factor NSF_t (paragraph 1c)")
    rows.append(ref(lambda t: f"DNS_{t}", "DNS", "demand not secured", "1c", "MVA"))
    rows.append(ref(lambda t: f"s_{t}", "s", "value of demand not secured", "1c", "RO per MVA"))
    rows.append(_Row("NSF", "NSF_t", "DNS_t x s_t up to the last year of NSF, then 0",
                     "1c, footnote 2", "RO",
                     lambda t, j: f"=IF({t}<=nsf_last_year,DNS_{t}*s_{t},0)", v("NSF"),
                     name="NSF"))  # fmt: skip

    rows.append("Customer satisfaction CS_t (paragraph 1d)")
    rows.append(_Row("WS_prev", "WS_{t-1}", "weighted KPI score of t-1 (blank: on target, TS)",
                     "1d", "score",
                     lambda t, j: f"=IF(ISBLANK(WS_{t - 1}),TS_{t - 1},WS_{t - 1})",
                     v("WS_prev")))  # fmt: skip
    rows.append(ref(lambda t: f"TS_{t - 1}", "TS_prev", "target score of t-1", "1d", "score",
                    "TS_{t-1}"))  # fmt: skip
    rows.append(_Row("KS", "KS_t", "KPI score factor: WS_{t-1} / TS_{t-1} within 1 +- CAP_t",
                     "1d", "ratio", lambda t, j: _ks_formula(t), v("KS"), name="KS"))  # fmt: skip
    rows.append(
        _Row(
            "CS",
            "CS_t",
            "(KS_t - 1) x r_t x DB_{t-1} / CAP_t",
            "1d",
            "RO",
            lambda t, j: f"=(KS_{t}-1)*r_{t}*DB_{t - 1}/CAP_{t}",
            v("CS"),
            name="CS",
        )
    )

    rows.append("Call centre incentive CC_t (paragraph 1e)")
    cc = sc.call_centre
    if cc is None:
        rows.append(_Row("CC", "CC_t", "no call-centre block in the scenario: 0", "1e, R2", "RO",
                         lambda t, j: "=0", v("CC"), name="CC"))  # fmt: skip
    else:
        kpis = cc["kpis"]
        dev = A["cc_dev"]
        for k in range(1, len(kpis) + 1):
            a_, t_ = f"CC{k}_actual_{{t}}", f"CC{k}_target"

            def dev_formula(t, j, k=k, a_=a_, t_=t_):
                a = a_.format(t=t)
                return f"=IF(ISBLANK({a}),0,IF(CC{k}_higher=1,({a}-{t_})/{t_},({t_}-{a})/{t_}))"

            rows.append(_Row(f"CC{k}_dev", f"Deviation_{k}",
                             f"{kpis[k - 1]['name']}: (A - T) / T, sign turned where less is "
                             "better", "1e, R2", "fraction", dev_formula,
                             lambda t, j, k=k: dev[j, k - 1], name=f"CC{k}_dev"))  # fmt: skip

        def cc_formula(t, j):
            n = len(kpis)
            allowance = f"CCallowance_{t}"
            terms = [f"CC{k}_dev_{t}*CC{k}_weight*{allowance}" for k in range(1, n + 1)]
            drafted = "+".join(f"MAX(0,IF(CC{k}_dev_{t}>=0,0,{x}))"
                               for k, x in enumerate(terms, start=1))  # fmt: skip
            total = "MAX(" + "+".join(f"MIN(0,{x})" for x in terms) + f",-{allowance})"
            per_kpi = "+".join(f"MAX(MIN(0,{x}),-CC{k}_weight*{allowance})"
                               for k, x in enumerate(terms, start=1))  # fmt: skip
            penalty = f'IF(READING_R8="per_kpi",{per_kpi},{total})'
            actuals = ",".join(f"CC{k}_actual_{t}" for k in range(1, n + 1))
            return f'=IF(COUNT({actuals})=0,0,IF(READING_R2="as_drafted",{drafted},{penalty}))'

        rows.append(_Row("CC", "CC_t", "sum of weighted KPI shortfalls x the allowance (as R2 "
                         "reads it), capped in total or per KPI (R8)", "1e, R2, R8", "RO",
                         cc_formula, v("CC"), name="CC"))  # fmt: skip

    rows.append("Amounts given in the year table (paragraph 1)")
    for col in AMOUNT_COLUMNS:
        term = BY_SYMBOL[col]
        rows.append(ref(lambda t, col=col: f"{INPUT_NAME.get(col, col)}_{t}", col, term.words,
                        term.paragraph, "RO", term.licence))  # fmt: skip

    rows.append("Correction factor K_Dt (paragraph 1) and the cap")
    rows.append(ref(lambda t: f"SR_{t}", "SR", "specified rate", "1", "fraction", "SR_t"))
    thr = "k_penalty_threshold"
    rows.append(_Row("i", "i_t", "SR_t, plus the penalty when ARDR_{t-1} > (1 + 0.02) x "
                     "MADR_{t-1}", "1", "fraction",
                     lambda t, j: f"=IF({gt(f'ARDR_{t - 1}', f'(1+{thr})*MADR_{t - 1}')},"
                     f"SR_{t}+k_penalty_rate,SR_{t})", v("i"), name="i"))  # fmt: skip
    p5 = TESTS["para5"].threshold

    def ardr_k(t, j):
        if j == 0:  # paragraph 5 cannot be tested on the history year: nothing substituted
            return f"=ARDR_{t - 1}"
        return (
            f'=IF(AND(READING_R4="cap_at_90pct",PARA5_{t - 1}),'
            f"MAX(ARDR_{t - 1},{_num(p5)}*MADR_{t - 1}),ARDR_{t - 1})"
        )

    rows.append(_Row("ARDR_in_K", "ARDR_{t-1} in K", "ARDR_{t-1}, or 0.9 x MADR_{t-1} after "
                     "paragraph 5 held on t-1 (R4; not in the first modelled year)", "5, R4",
                     "RO", ardr_k, v("ARDR_in_K"), name="ARDRK"))  # fmt: skip
    rows.append(
        _Row(
            "K",
            "K_Dt",
            "(ARDR_{t-1} - MADR_{t-1}) x (1 + i_t)",
            "1",
            "RO",
            lambda t, j: f"=(ARDRK_{t}-MADR_{t - 1})*(1+i_{t})",
            v("K"),
            name="K",
        )
    )
    madr_terms = "+".join(
        f"{INPUT_NAME.get(term.symbol, term.symbol)}_{{t}}" for term in TERMS if term.sign > 0
    )
    minus = "".join(f"-{term.symbol}_{{t}}" for term in TERMS if term.sign < 0)
    rows.append(_Row("MADR", "MADR_t", " + ".join(t.licence for t in TERMS if t.sign > 0)
                     + " - K_Dt", "1", "RO",
                     lambda t, j: "=" + (madr_terms + minus).format(t=t), v("MADR"),
                     name="MADR", history=(f"=MADR_{h}", sc.rows[h]["MADR"])))  # fmt: skip
    rows.append(_Row("ARDR", "ARDR_t", "ARDR_t as given, else recovery_t x MADR_t", "3, 12(a)",
                     "RO",
                     lambda t, j: f"=IF(ISBLANK(ARDRgiven_{t}),recovery_{t}*MADR_{t},"
                     f"ARDRgiven_{t})", v("ARDR"), name="ARDR",
                     history=(f"=ARDR_{h}", sc.rows[h]["ARDR"])))  # fmt: skip

    rows.append("Tests of paragraphs 3, 4 and 5")
    p3, p4 = TESTS["para3"].threshold, TESTS["para4"].threshold
    rows.append(_Row("para3", "para3_t", TESTS["para3"].test.format(t="t", prev="t-1"), "3",
                     "flag", lambda t, j: f"={gt(f'ARDR_{t}', f'(1+{_num(p3)})*MADR_{t}')}",
                     lambda t, j: bool(T.at[t, "para3"]), name="PARA3"))  # fmt: skip

    def excess_value(t, j):
        ardr_prev = T.at[t - 1, "ARDR"] if j else sc.rows[h]["ARDR"]
        madr_prev = T.at[t - 1, "MADR"] if j else sc.rows[h]["MADR"]
        e0, e1 = ardr_prev - madr_prev, T.at[t, "ARDR"] - T.at[t, "MADR"]
        if sc.readings["para4_excess"] == "positive_part":
            e0, e1 = max(e0, 0.0), max(e1, 0.0)
        return e0 + e1

    rows.append(_Row("excess", "e_{t-1} + e_t", "excess of ARDR over MADR in t-1 and t "
                     "(R3: each year's positive part, or net)", "4, R3", "RO",
                     lambda t, j: f'=IF(READING_R3="net",(ARDR_{t - 1}-MADR_{t - 1})+'
                     f"(ARDR_{t}-MADR_{t}),MAX(ARDR_{t - 1}-MADR_{t - 1},0)+"
                     f"MAX(ARDR_{t}-MADR_{t},0))", excess_value, name="EXCESS"))  # fmt: skip
    rows.append(_Row("para4", "para4_t", TESTS["para4"].test.format(t="t", prev="t-1"), "4",
                     "flag", lambda t, j: f"={gt(f'EXCESS_{t}', f'{_num(p4)}*MADR_{t}')}",
                     lambda t, j: bool(T.at[t, "para4"]), name="PARA4"))  # fmt: skip
    rows.append(_Row("para5", "para5_t", TESTS["para5"].test.format(t="t", prev="t-1"), "5",
                     "flag",
                     lambda t, j: f"=AND({gt(f'{_num(p5)}*MADR_{t - 1}', f'ARDR_{t - 1}')},"
                     f"{gt(f'{_num(p5)}*MADR_{t}', f'ARDR_{t}')})",
                     lambda t, j: bool(T.at[t, "para5"]), name="PARA5"))  # fmt: skip
    return rows


def _ks_formula(t: int) -> str:
    ratio = f"IF(ISBLANK(WS_{t - 1}),TS_{t - 1},WS_{t - 1})/TS_{t - 1}"
    return f"=MIN(MAX({ratio},1-CAP_{t}),1+CAP_{t})"


def _write_calculation(book: _Book, sc: Scenario, rows: list[_Row | str]) -> None:
    ws = book.wb.add_worksheet(CALCULATION_SHEET)
    h, years = sc.history_year, list(sc.years)
    ws.write(0, 0, f"Calculation: {sc.name}", book.title)
    ws.write(1, 0, "Every cell a formula over the Inputs sheet and earlier years (locked). "
             "Defined names: SYMBOL_YEAR.")  # fmt: skip
    header = ["key", "licence symbol", "what it is", "paragraph", "unit", h, *years]
    for j, text in enumerate(header):
        ws.write(HEADER_ROW, j, text, book.header)
    _setup_sheet(ws, book, HEADER_ROW + 1, FIRST_YEAR_COLUMN)
    ws.set_column(2, 2, 52)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4, 14)
    ws.set_column(FIRST_YEAR_COLUMN, FIRST_YEAR_COLUMN + len(years), 17)
    row = HEADER_ROW + 1
    for item in rows:
        if isinstance(item, str):
            row += 1
            ws.write(row, 0, item, book.section)
            for j in range(1, FIRST_YEAR_COLUMN + len(years) + 1):
                ws.write_blank(row, j, None, book.section)
            row += 1
            continue
        for j, text in enumerate((item.key, item.symbol, item.words, item.paragraph, item.unit)):
            ws.write(row, j, text, book.wrap if j == 2 else None)
        fmt = book.fmt(item.unit)
        if item.history is not None:
            formula, value = item.history
            ws.write_formula(row, FIRST_YEAR_COLUMN, formula, fmt, _cached(value))
        for j, t in enumerate(years):
            col = FIRST_YEAR_COLUMN + 1 + j
            ws.write_formula(row, col, item.formula(t, j), fmt, _cached(item.value(t, j)))
            if item.name:
                book.define(f"{item.name}_{t}", CALCULATION_SHEET, row, col)
        row += 1


def _cached(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    value = float(value)
    return value + 0.0 if math.isfinite(value) else 0.0


# --- Bill impact, Checks, About -------------------------------------------------------------


def _write_bill(book: _Book, sc: Scenario, table: pd.DataFrame) -> None:
    ws = book.wb.add_worksheet(BILL_SHEET)
    ws.write(0, 0, f"Bill impact: {sc.name}", book.title)
    ws.write(1, 0, "MADR_t per kWh distributed and per customer account (formulas).")
    cols = [
        ("year", "year", None),
        ("MADR", "RO", lambda t: f"=MADR_{t}"),
        ("RUD", "kWh", lambda t: f"=RUD_{t}"),
        ("CA", "accounts", lambda t: f"=CA_{t}"),
        ("baisa_per_kWh", "baisa/kWh", lambda t: f"={_num(BAISA_PER_RO)}*MADR_{t}/RUD_{t}"),
        ("RO_per_account", "RO per account", lambda t: f"=MADR_{t}/CA_{t}"),
    ]
    for j, (name, unit, _) in enumerate(cols):
        ws.write(HEADER_ROW, j, f"{name} [{unit}]", book.header)
        ws.set_column(j, j, 20)
    _setup_sheet(ws, book, HEADER_ROW + 1, 1, landscape=False)
    T = table.set_index("year")
    for i, t in enumerate(sc.years):
        r = HEADER_ROW + 1 + i
        ws.write_number(r, 0, t, book.fmt("year"))
        for j, (name, unit, formula) in enumerate(cols[1:], start=1):
            madr, rud, ca = T.at[t, "MADR"], T.at[t, "RUD"], T.at[t, "CA"]
            value = {"MADR": madr, "RUD": rud, "CA": ca,
                     "baisa_per_kWh": BAISA_PER_RO * madr / rud,
                     "RO_per_account": madr / ca}[name]  # fmt: skip
            ws.write_formula(r, j, formula(t), book.fmt(unit), _cached(value))
            if name in ("baisa_per_kWh", "RO_per_account"):
                book.define(f"{name}_{t}", BILL_SHEET, r, j)


def _write_checks(book: _Book, sc: Scenario) -> None:
    ws = book.wb.add_worksheet(CHECKS_SHEET)
    ws.write(0, 0, f"Checks: {sc.name}", book.title)
    ws.write(1, 0, "Every cell below shows TRUE when the workbook is consistent.")
    years = list(sc.years)
    ws.write(HEADER_ROW, 0, "check", book.header)
    ws.write(HEADER_ROW, 1, "paragraph", book.header)
    for j, t in enumerate(years):
        ws.write(HEADER_ROW, 2 + j, t, book.header)
    ws.set_column(0, 0, 60)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2 + len(years), 12)
    _setup_sheet(ws, book, HEADER_ROW + 1, 2, landscape=False)
    plus = [INPUT_NAME.get(t.symbol, t.symbol) for t in TERMS if t.sign > 0]
    minus = [t.symbol for t in TERMS if t.sign < 0]
    checks = [
        ("MADR_t equals the sum of its terms (to 1e-9 of MADR_t)", "1",
         lambda t: f"=ABS(SUM({','.join(f'{s}_{t}' for s in plus)})"
         + "".join(f"-{s}_{t}" for s in minus)
         + f"-MADR_{t})<=1E-9*MAX(1,ABS(MADR_{t}))"),
        ("LOSS_t within +- its cap", "1b",
         lambda t: f"=AND(LOSS_{t}<=LOSSCAP_{t},LOSS_{t}>=-LOSSCAP_{t})"),
        ("KS_t within 1 +- CAP_t", "1d",
         lambda t: f"=AND(KS_{t}>=1-CAP_{t},KS_{t}<=1+CAP_{t})"),
    ]  # fmt: skip
    r = HEADER_ROW + 1
    for words, paragraph, formula in checks:
        ws.write(r, 0, words)
        ws.write(r, 1, paragraph)
        for j, t in enumerate(years):
            ws.write_formula(r, 2 + j, formula(t), None, True)
        r += 1
    ws.write(r + 1, 0, "all checks hold", book.bold)
    first = _cell(HEADER_ROW + 1, 2)
    last = _cell(r - 1, 1 + len(years))
    ws.write_formula(r + 1, 2, f"=AND({first}:{last})", book.bold, True)
    book.define("CHECKS_ALL", CHECKS_SHEET, r + 1, 2)


def _write_about(book: _Book, sc: Scenario, record: dict[str, Any]) -> None:
    ws = book.wb.add_worksheet(ABOUT_SHEET)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 100)
    ws.write(0, 0, "About this workbook", book.title)
    lines: list[tuple[str, str]] = [
        ("scenario", sc.name),
        ("scenario file", str(sc.path) if sc.path else "(in memory)"),
        ("modelled years", f"{sc.years[0]}-{sc.years[-1]} (history year {sc.history_year})"),
        ("tool", f"tariffmodel {record['package_version']}"),
        ("git commit", record["git_commit"] or "(not in a git checkout)"),
        ("created (UTC)", record["created_utc"]),
        ("python", record["python"]),
        ("command", record["command"] or ""),
    ]
    for switch, value in sc.readings.items():
        lines.append((f"reading {READING_IDS[switch]} {switch}", value))
    for col, what in sorted(sc.filled.items()):
        lines.append((f"filled from a linked file: {col}", what))
    for path, digest in record["inputs"].items():
        lines.append(("input file (SHA-256)", f"{path}  {digest}"))
    lines += [
        ("names", "SYMBOL_YEAR for a quantity of a year (CPI_2027, X_2027, RBS_2026, LOSS_2027, "
         "K_2028, MADR_2029); inputs by their own year, computed terms by the year of the cap "
         "they enter (as in madr.csv); SYMBOL for one number (loss_cap_share); READING_R1 .. "
         "for the switches."),
        ("names that differ", "Cconn_YEAR is C_t, connection charges (c_YEAR is c_t, per "
         "account); a_notified_YEAR (c, p) is the Notified Value, blank when not notified, "
         "a_YEAR the value used; ARDRgiven_YEAR is ARDR_t as reported, ARDR_YEAR the value used; "
         "LOSSCAP_YEAR the cap of LOSS_t; ARDRK_YEAR the ARDR_{t-1} in K_Dt; PARA3_YEAR .. the "
         "tests; CC1_dev_YEAR .. the call-centre deviations."),
        ("edits", "Input cells (yellow) are unlocked; the sheets are protected without a "
         "password. The stored results are the engine's; Excel and LibreOffice recompute them "
         "from the inputs."),
        ("edge comparisons", f"x > y is (x - y) > max(|x|, |y|, 1) x {EDGE_TOLERANCE:g}, as "
         "in the engine (EDGE_TOLERANCE)."),
    ]  # fmt: skip
    for i, (k, text) in enumerate(lines, start=2):
        ws.write(i, 0, k, book.bold)
        ws.write(i, 1, text, book.wrap)
    ws.protect("", {"format_columns": True, "format_rows": True})


# --- the workbook ---------------------------------------------------------------------------


def _fill(book: _Book, scenario: Scenario, table: pd.DataFrame, record: dict[str, Any]) -> None:
    A = scenario.arrays()
    _write_inputs(book, scenario, A)
    _write_series(book, scenario)
    _write_calculation(book, scenario, _calc_rows(scenario, table, A))
    _write_bill(book, scenario, table)
    _write_checks(book, scenario)
    _write_about(book, scenario, record)
    book.wb.set_properties(
        {
            "title": f"MADR: {scenario.name}",
            "comments": "Schedule 2 of the Distribution Licence, written by tariffmodel "
            f"{record['package_version']} on {_dt.date.today().isoformat()}",
        }
    )


def _record(scenario: Scenario, command: str | None) -> dict[str, Any]:
    return provenance(
        scenario.sources,
        readings={f"{READING_IDS[k]} {k}": v for k, v in scenario.readings.items()},
        command=command,
    )


def write_workbook(
    scenario: Scenario, path: str | os.PathLike, command: str | None = None
) -> pd.DataFrame:
    """Write the live workbook of ``scenario`` to ``path`` (an ``.xlsx`` file).

    Parameters
    ----------
    scenario : Scenario
    path : str or PathLike
        The file to write; written under a temporary name and moved into place when complete.
    command : str, optional
        The command line, for the About sheet.

    Returns
    -------
    DataFrame
        The engine's projection whose values the formulas hold as cached results.
    """
    table = project(scenario)
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.xlsx")
    from xlsxwriter.exceptions import FileCreateError

    record = _record(scenario, command)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        book = _Book(tmp)
        _fill(book, scenario, table, record)
        try:
            book.wb.close()
        except FileCreateError as exc:  # the OSError it wraps
            raise (exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc) from None
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return table


def workbook_bytes(scenario: Scenario, record: dict[str, Any] | None = None) -> bytes:
    """The live workbook of ``scenario`` as the bytes of an ``.xlsx`` file (for downloads).

    ``record`` is the provenance record for the About sheet (made here when not given)."""
    buf = io.BytesIO()
    book = _Book(buf)
    _fill(book, scenario, project(scenario), record or _record(scenario, None))
    book.wb.close()
    return buf.getvalue()


def workbook(scenario: Scenario, path: str | os.PathLike) -> Path:
    """Write the live workbook of ``scenario`` (see :func:`write_workbook`); the path written."""
    write_workbook(scenario, path)
    return Path(path)

"""Quantities for people: one place that turns a number into text by its unit.

Every table, summary line, axis and workbook that a person reads formats its numbers here, so a
quantity reads the same wherever it appears:

=================  ======================  =========================================
unit (as stored)   shown as                example
=================  ======================  =========================================
RO                 million RO, 2 decimals  ``183.45 m RO``
RO per account     RO, 2 decimals          ``150.25 RO per account``
RO per meter       RO, 2 decimals          ``18.78 RO per meter``
RO per kWh         baisa per kWh, 3 dec.   ``12.300 baisa/kWh``
baisa per kWh      baisa per kWh, 3 dec.   ``6.000 baisa/kWh``
RO per MVA         RO, no decimals         ``12,000 RO per MVA``
kWh                GWh, 1 decimal          ``31,200.0 GWh``
fraction           percent, 2 decimals     ``1.17 %``
accounts, meters   whole numbers           ``1,200,000 accounts``
MVA                2 decimals              ``12.50 MVA``
score, ratio       3 or 4 decimals         ``0.850``
year               the year                ``2026``
date               day, month, year        ``1 Jan 2026``
flag               Yes / No                ``Yes``
=================  ======================  =========================================

A missing value (None or NaN) is a stated phrase, ``not given`` unless the field says otherwise
(a payback year that is None is ``not within the horizon``). A value that rounds to zero is
written without a sign: never ``-0.00``. The numbers themselves are never changed: files for
machines (madr.csv, the JSON files) keep full precision; these functions only make text, or a
pandas Styler that shows the same numbers formatted.

The unit of a column is looked up by its name in :data:`COLUMN_UNITS`, which is built from the
field table of the scenario file (:mod:`tariffmodel.inputs.fields`), the terms of MADR_t
(:data:`tariffmodel.licence.terms.TERMS`, all in RO) and the tests of paragraphs 3-5 (flags).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tariffmodel.inputs.fields import INPUT_FIELDS, NOTIFIED_FIELDS
from tariffmodel.licence.terms import BY_SYMBOL, TESTS


@dataclass(frozen=True)
class Display:
    """How a unit is shown: value x ``scale`` with ``decimals`` decimals, then ``suffix``.

    ``symbol`` is the unit as a header writes it in brackets (``MADR [m RO]``).
    """

    scale: float
    decimals: int
    symbol: str
    suffix: str
    thousands: bool = True


#: Units as stored -> how they are shown. Spellings in use elsewhere are aliases (see
#: :func:`canonical_unit`).
DISPLAYS: dict[str, Display] = {
    "RO": Display(1e-6, 2, "m RO", " m RO"),
    "RO per account": Display(1.0, 2, "RO per account", " RO per account"),
    "RO per meter": Display(1.0, 2, "RO per meter", " RO per meter"),
    "RO per kWh": Display(1000.0, 3, "baisa/kWh", " baisa/kWh"),
    "baisa per kWh": Display(1.0, 3, "baisa/kWh", " baisa/kWh"),
    "RO per MVA": Display(1.0, 0, "RO per MVA", " RO per MVA"),
    "kWh": Display(1e-6, 1, "GWh", " GWh"),
    "fraction": Display(100.0, 2, "%", " %"),
    "accounts": Display(1.0, 0, "accounts", " accounts"),
    "meters": Display(1.0, 0, "meters", " meters"),
    "MVA": Display(1.0, 2, "MVA", " MVA"),
    "score": Display(1.0, 3, "score", ""),
    "ratio": Display(1.0, 4, "ratio", ""),
    "0/1": Display(1.0, 0, "0/1", ""),
}

#: Units shown without a number format: years, dates, flags and text.
SPECIAL_UNITS = ("year", "date", "flag", "text")

_ALIASES = {
    "RO/account": "RO per account",
    "RO/kWh": "RO per kWh",
    "baisa/kWh": "baisa per kWh",
    "RO/meter": "RO per meter",
    "RO/MVA": "RO per MVA",
    "percent": "fraction",
    "bool": "flag",
    "yes/no": "flag",
}

#: Phrases for a missing value of a field, where "not given" would mislead.
MISSING_PHRASES: dict[str, str] = {
    "payback_year": "not within the horizon",
    "payback_year_discounted": "not within the horizon",
}
MISSING = "not given"


def canonical_unit(unit: str | None) -> str | None:
    """The unit as :data:`DISPLAYS` names it (``RO/kWh`` -> ``RO per kWh``), or None."""
    if unit is None:
        return None
    unit = str(unit).strip()
    return _ALIASES.get(unit, unit)


def _madr_column_units() -> dict[str, str]:
    """Units of the madr.csv columns that are neither inputs nor terms (engine outputs)."""
    return {
        "year": "year",
        "AL": "fraction",
        "LD": "fraction",
        "D": "0/1",
        "BL": "RO",
        "KS": "ratio",
        "i": "fraction",
        "loss_cap": "RO",
        "ARDR_in_K": "RO",
        "WS_prev": "score",
        "TS_prev": "score",
        "baisa_per_kWh": "baisa per kWh",
        "RO_per_account": "RO per account",
    }


def _column_units() -> dict[str, str]:
    units = {name: f.unit for name, f in INPUT_FIELDS.items()}
    units.update({name: f.unit for name, (f, _) in NOTIFIED_FIELDS.items()})
    units.update({symbol: "RO" for symbol in BY_SYMBOL})
    units.update({flag: "flag" for flag in TESTS})
    units.update(_madr_column_units())
    return {k: canonical_unit(v) for k, v in units.items()}


#: Column or key -> its unit: the fields of the scenario file, the terms of MADR_t (RO), the
#: flags of paragraphs 3-5 and the other columns of madr.csv.
COLUMN_UNITS: dict[str, str] = _column_units()


def unit_of(name: Any) -> str | None:
    """The unit of a column or key by its name, or None when it has none known.

    A name with the unit in brackets (``AMR [RO]``) gives that unit; a name that ends in a
    known column after an underscore (``MADR_p95``, ``DB_diff``) gives that column's unit.

    >>> unit_of("RUD"), unit_of("CPI"), unit_of("MADR_p95"), unit_of("capex [RO]")
    ('kWh', 'fraction', 'RO', 'RO')
    >>> unit_of("para3_prob"), unit_of("no such column") is None
    ('fraction', True)
    """
    text = " ".join(map(str, name)) if isinstance(name, tuple) else str(name)
    if text in COLUMN_UNITS:
        return COLUMN_UNITS[text]
    if text.endswith("]") and "[" in text:
        return canonical_unit(text[text.rindex("[") + 1 : -1])
    head, _, tail = text.partition("_")
    if tail.endswith(("prob", "share")):
        return "fraction"  # a probability or a share of anything
    return COLUMN_UNITS.get(head)


def header(name: Any, unit: str | None = None) -> str:
    """A column header with the unit it is shown in: ``MADR [m RO]``, ``CPI [%]``; a name
    already carrying a unit in brackets gets the displayed one instead.

    >>> header("MADR"), header("AMR [RO]"), header("para3"), header("year")
    ('MADR [m RO]', 'AMR [m RO]', 'para3', 'year')
    """
    text = " ".join(map(str, name)) if isinstance(name, tuple) else str(name)
    unit = canonical_unit(unit) or unit_of(name)
    if text.endswith("]") and "[" in text:
        text = text[: text.rindex("[")].rstrip()
    display = DISPLAYS.get(unit or "")
    if display is None or unit == "0/1" or not display.suffix:
        return text
    return f"{text} [{display.symbol}]"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def _number(x: float, decimals: int, thousands: bool) -> str:
    text = f"{x:,.{decimals}f}" if thousands else f"{x:.{decimals}f}"
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # a value that rounds to zero has no sign
    return text


def format_value(
    value: Any,
    unit: str | None,
    *,
    decimals: int | None = None,
    with_unit: bool = True,
    missing: str = MISSING,
) -> str:
    """``value`` as text for people, by its unit (see the module's table).

    Parameters
    ----------
    value : number, bool, date, str or None
        The quantity in its stored unit ([RO], [kWh], [fraction], ...).
    unit : str or None
        Its unit; None: a plain number with up to 6 significant digits.
    decimals : int, optional
        Decimals of the shown number instead of the unit's own.
    with_unit : bool
        Append the shown unit (``183.45 m RO``); False for a table whose header carries it.
    missing : str
        The phrase for None or NaN.

    Examples
    --------
    >>> format_value(183_452_000.0, "RO")
    '183.45 m RO'
    >>> format_value(0.0780141844, "fraction"), format_value(3.1200e10, "kWh")
    ('7.80 %', '31,200.0 GWh')
    >>> format_value(-1e-9, "RO", with_unit=False), format_value(True, "flag")
    ('0.00', 'Yes')
    """
    unit = canonical_unit(unit)
    if _is_missing(value):
        return missing
    if unit == "flag" or isinstance(value, bool | np.bool_):
        return "Yes" if bool(value) else "No"
    if unit == "date" or isinstance(value, dt.date | pd.Timestamp):
        return _date(value)
    if isinstance(value, str):
        return value
    if unit == "text":
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return "infinite" if math.isinf(x) else missing
    if unit == "year":
        return str(int(round(x)))
    display = DISPLAYS.get(unit or "")
    if display is None:
        text = f"{x:,.6g}" if abs(x) < 1e15 else f"{x:.6g}"
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text
    d = display.decimals if decimals is None else decimals
    text = _number(x * display.scale, d, display.thousands)
    return text + display.suffix if with_unit else text


def _date(value) -> str:
    """``1 Jan 2026``: day, month in letters, year, which no reader takes the wrong way."""
    d = pd.Timestamp(value)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def formatter(unit: str | None, *, decimals: int | None = None, missing: str = MISSING):
    """A one-argument function formatting values of ``unit`` without the unit (for a table
    whose header carries it; a pandas Styler takes it as it is)."""

    def fmt(value) -> str:
        return format_value(value, unit, decimals=decimals, with_unit=False, missing=missing)

    return fmt


def _units_for(labels, units: Mapping[Any, str] | None) -> dict[Any, str | None]:
    units = dict(units or {})
    return {c: canonical_unit(units[c]) if c in units else unit_of(c) for c in labels}


def format_frame(
    frame: pd.DataFrame,
    units: Mapping[Any, str] | None = None,
    *,
    by: str = "columns",
    missing: str = MISSING,
    headers: bool = True,
) -> pd.DataFrame:
    """A table as text, every number in the format of its unit, headers naming the shown unit.

    Parameters
    ----------
    frame : DataFrame
        Numbers in their stored units.
    units : mapping, optional
        Column (or, with ``by="rows"``, row label) -> unit; others by :func:`unit_of`.
    by : {"columns", "rows"}
        Whether the unit goes with a column (a year table) or a row (terms down, years across).
    missing : str
        The phrase for a missing value (a field of :data:`MISSING_PHRASES` has its own).
    headers : bool
        Relabel the columns (or rows) with their shown units (``MADR [m RO]``).

    Examples
    --------
    >>> t = pd.DataFrame({"MADR": [183.452e6, -1e-7], "CPI": [0.0117, None]}, index=[2026, 2027])
    >>> format_frame(t).to_dict("list")
    {'MADR [m RO]': ['183.45', '0.00'], 'CPI [%]': ['1.17', 'not given']}
    """
    if by not in ("columns", "rows"):
        raise ValueError(f"by must be 'columns' or 'rows', not {by!r}")
    out = frame.astype(object).copy()
    labels = frame.columns if by == "columns" else frame.index
    unit_map = _units_for(labels, units)
    for label in labels:
        fmt = formatter(unit_map[label], missing=MISSING_PHRASES.get(str(label), missing))
        if by == "columns":
            out[label] = [fmt(v) for v in frame[label]]
        else:
            out.loc[label] = [fmt(v) for v in frame.loc[label]]
    if headers:
        names = {label: header(label, unit_map[label]) for label in labels}
        out = out.rename(columns=names) if by == "columns" else out.rename(index=names)
    return out


def styler(
    frame: pd.DataFrame,
    units: Mapping[Any, str] | None = None,
    *,
    by: str = "columns",
    missing: str = MISSING,
    caption: str | None = None,
):
    """A pandas Styler of ``frame`` for a notebook: the numbers unchanged, shown in the format
    of their units, the headers naming the shown units, right-aligned, the index bold.

    Parameters are those of :func:`format_frame`; ``caption`` is shown above the table.
    """
    if by not in ("columns", "rows"):
        raise ValueError(f"by must be 'columns' or 'rows', not {by!r}")
    labels = frame.columns if by == "columns" else frame.index
    unit_map = _units_for(labels, units)
    names = {label: header(label, unit_map[label]) for label in labels}
    shown = frame.rename(columns=names) if by == "columns" else frame.rename(index=names)
    style = shown.style
    for label in labels:
        fmt = formatter(unit_map[label], missing=MISSING_PHRASES.get(str(label), missing))
        where = (
            pd.IndexSlice[:, [names[label]]]
            if by == "columns"
            else pd.IndexSlice[[names[label]], :]
        )
        style = style.format(fmt, subset=where, escape="html")
    # labels may come from input files (a KPI's name): text, never markup
    style = style.format_index(_index_text, axis=0, escape="html")
    style = style.format_index(_index_text, axis=1, escape="html")
    style = style.set_table_styles(
        [
            {"selector": "td", "props": "text-align: right; white-space: nowrap;"},
            {"selector": "th", "props": "text-align: left;"},
        ]
    )
    if caption:
        style = style.set_caption(caption)
    return style


def _index_text(value) -> str:
    """An index label as text: a year as ``2026`` (not ``2026.0``), a date in words."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | pd.Timestamp):
        return _date(value)
    return str(value)


def describe(values: Mapping[str, Any], units: Mapping[str, str]) -> pd.DataFrame:
    """Named figures (a dict such as an AMR plan's summary) as a two-column table of text:
    ``value`` by its unit, with the phrase of :data:`MISSING_PHRASES` for a missing one.

    >>> describe({"payback_year": None, "wacc": 0.07}, {"payback_year": "year",
    ...           "wacc": "fraction"})["value"].tolist()
    ['not within the horizon', '7.00 %']
    """
    rows = {
        name: format_value(
            v, units.get(name) or unit_of(name), missing=MISSING_PHRASES.get(name, MISSING)
        )
        for name, v in values.items()
    }
    frame = pd.DataFrame({"value": pd.Series(rows, dtype=object)})
    frame.index.name = "figure"
    return frame


def excel_format(unit: str | None) -> str:
    """The Excel number format of a unit for a workbook whose cells keep the stored value (RO
    stays in RO there, so that a cell's value is the one in madr.csv): thousands separators,
    fractions as percentages, flags as Yes/No.

    >>> excel_format("RO"), excel_format("fraction"), excel_format("flag")
    ('#,##0.00', '0.00%', '"Yes";"Yes";"No"')
    """
    unit = canonical_unit(unit)
    formats = {
        "RO": "#,##0.00",
        "RO per account": "#,##0.00",
        "RO per meter": "#,##0.00",
        "RO per kWh": "0.000000",
        "baisa per kWh": "#,##0.000",
        "RO per MVA": "#,##0",
        "kWh": "#,##0",
        "fraction": "0.00%",
        "accounts": "#,##0",
        "meters": "#,##0",
        "MVA": "#,##0.00",
        "score": "0.000",
        "ratio": "0.0000",
        "0/1": "0",
        "year": "0",
        "date": "d mmm yyyy",
        "flag": '"Yes";"Yes";"No"',
    }
    return formats.get(unit or "", "General")


# --- text from input files, written to a spreadsheet or a CSV file ---------------------------

#: Characters a worksheet cannot hold: the C0 controls but tab, line feed and carriage return
#: (openpyxl refuses them, XML 1.0 forbids them), lone surrogates (no UTF-8 for them) and the
#: noncharacters U+FFFE and U+FFFF (XML 1.0 forbids them).
_NOT_IN_A_CELL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Excel's limit on the characters of a cell.
CELL_MAX_CHARS = 32767
#: The first characters by which a spreadsheet reads a CSV cell as a formula (OWASP, "CSV
#: Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """Text for a worksheet cell: every character a worksheet cannot hold replaced by U+FFFD
    (the replacement character, so that the reader sees something was there), a line break as
    a line feed (the file would not keep a carriage return: XML reads CR LF as LF), cut to
    Excel's 32,767 characters.

    >>> cell_text("NEDC\\x1b[31m\\x07\\r\\n")
    'NEDC\\ufffd[31m\\ufffd\\n'
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_A_CELL.sub("\ufffd", text)[:CELL_MAX_CHARS]


def write_cell(ws, row: int, column: int, value: Any):
    """Write ``value`` into an openpyxl worksheet and return the cell: a number as a number, a
    boolean as a boolean, None as an empty cell, anything else as text (:func:`cell_text`).

    Text is always a text cell, never a formula or an error value: openpyxl reads a string that
    starts with ``=`` as a formula (and ``#N/A`` as an error), so a scenario named
    ``=HYPERLINK(...)`` would be a live formula in the workbook.
    """
    cell = ws.cell(row=row, column=column)
    if value is None or isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_)):
        cell.value = value.item() if isinstance(value, np.generic) else value
        return cell
    cell.value = cell_text(value)
    cell.data_type = "s"  # openpyxl's type of a text cell, set after the value it infers from
    return cell


def csv_text(value: Any) -> Any:
    """A text cell of a CSV file for spreadsheets: text that a spreadsheet would read as a
    formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
    leading apostrophe, as OWASP recommends against CSV injection; other text, numbers and
    booleans are returned unchanged.

    >>> csv_text('=HYPERLINK("http://x")'), csv_text("-net"), csv_text(-1.5), csv_text("Base")
    ('\\'=HYPERLINK("http://x")', "'-net", -1.5, 'Base')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`csv_text` applied to its text cells (numbers stay numbers)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_text)
    out.columns = [csv_text(c) for c in out.columns]
    return out


#: The characters that can start Markdown (or HTML, an autolink or a TeX formula) in running
#: text; :func:`markdown_text` puts a backslash before each (CommonMark escapes any ASCII
#: punctuation so).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&$|~!#:@])")


def markdown_text(value: Any) -> str:
    r"""Text from an input file (a scenario's name, a KPI's name, a file's path) for running
    Markdown text, shown as written and never as markup: no HTML tag, link, emphasis or
    heading can come of it, and a line break becomes a space.

    >>> print(markdown_text("<b>x</b> [y](http://e.example)"))
    \<b\>x\</b\> \[y\](http\://e.example)
    """
    text = " ".join(str(value).splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)

"""What the dashboards compute, apart from the widgets: pure functions, testable without a page.

The page holds a set of control values (:class:`Controls`); :func:`scenario_edits` turns them
into the scalar edits of :meth:`tariffmodel.model.scenario.Scenario.with_values`, so that the edited
scenario the page downloads reproduces the page's numbers exactly under ``tariffmodel run``.
The compliance sentences and the roll-out pace are one function each; the bill impact is that
of ``tariffmodel run`` (:func:`tariffmodel.reporting.run_outputs.bill_impact`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tariffmodel.inputs.output_fields import AMR_CSV, MADR_CSV
from tariffmodel.licence.schedule2 import bulk_supplies_for_losses
from tariffmodel.reporting.run_outputs import bill_impact

# --- the controls and the scenario edits they make ------------------------------------------


@dataclass(frozen=True)
class Controls:
    """The values a decision maker set on the page; None (or absent) leaves the scenario as is.

    Attributes
    ----------
    cpi : mapping year -> CPI_t [fraction]
    X : X_Dt for every year [fraction]
    TL : target losses for every year [fraction]
    AL : actual losses for every year from the history year on [fraction]; RBS = RUD / (1 - AL)
    accounts_growth : extra growth of customer accounts a year over the base path [fraction]
    units_growth : extra growth of units (RUD and RBS) a year over the base path [fraction]
    WS : customer KPI score of every modelled year [-]
    recovery : ARDR_t / MADR_t in modelled years without a reported ARDR [fraction]
    amr : mapping year -> AMR_t [RO] (from the AMR plan at the chosen pace and unit cost)
    """

    cpi: Mapping[int, float] = field(default_factory=dict)
    X: float | None = None
    TL: float | None = None
    AL: float | None = None
    accounts_growth: float | None = None
    units_growth: float | None = None
    WS: float | None = None
    recovery: float | None = None
    amr: Mapping[int, float] = field(default_factory=dict)


def growth_factor(extra_growth, years, base_year):
    r"""Factor applied to a base path for extra growth a year [-].

    .. math:: f_t = (1 + g)^{t - t_0}

    Parameters
    ----------
    extra_growth : float
        Extra growth a year [fraction].
    years : array_like of int
        The years t.
    base_year : int
        The year t_0 where the factor is 1 (the history year).

    Returns
    -------
    ndarray
        One factor per year.

    Examples
    --------
    >>> growth_factor(0.1, [2025, 2026, 2027], 2025).tolist()
    [1.0, 1.1, 1.2100000000000002]
    """
    return np.power(1.0 + extra_growth, np.asarray(years) - base_year)


def scenario_edits(sc, controls: Controls) -> dict[str, float]:
    """The scalar edits (targets of ``Scenario.with_values``) that the controls make.

    Untouched controls make no edit. Growth scales the base path from the history year on;
    actual losses set RBS of the history year and every modelled year from the (grown) RUD.

    Parameters
    ----------
    sc : tariffmodel.model.scenario.Scenario
        The scenario the page started from (readings already chosen).
    controls : Controls

    Returns
    -------
    dict
        target -> value, e.g. ``{"notified.X": 0.02, "inputs.CA@2027": 1.4e6}``.
    """
    h = sc.history_year
    years = list(sc.years)
    rows = sc.rows
    edits: dict[str, float] = {}
    for y, v in sorted(controls.cpi.items()):
        edits[f"inputs.CPI@{y}"] = float(v)
    if controls.X is not None:
        edits["notified.X"] = float(controls.X)
    if controls.TL is not None:
        edits["notified.TL"] = float(controls.TL)
    if controls.accounts_growth is not None:
        f = growth_factor(controls.accounts_growth, years, h)
        for y, k in zip(years, f, strict=True):
            edits[f"inputs.CA@{y}"] = float(rows[y]["CA"] * k)
    all_years = [h, *years]
    if controls.units_growth is not None or controls.AL is not None:
        g = 0.0 if controls.units_growth is None else controls.units_growth
        f = growth_factor(g, all_years, h)
        for y, k in zip(all_years, f, strict=True):
            rud = float(rows[y]["RUD"] * k)
            rbs = float(rows[y]["RBS"] * k)
            if controls.AL is not None:
                rbs = float(bulk_supplies_for_losses(rud, controls.AL))
            if y != h and controls.units_growth is not None:
                edits[f"inputs.RUD@{y}"] = rud
            edits[f"inputs.RBS@{y}"] = rbs
    if controls.WS is not None:
        for y in years:
            edits[f"inputs.WS@{y}"] = float(controls.WS)
    if controls.recovery is not None:
        for y in recovery_years(sc):
            edits[f"inputs.recovery@{y}"] = float(controls.recovery)
    for y, v in sorted(controls.amr.items()):
        if y in rows and y != h:
            edits[f"inputs.AMR@{y}"] = float(v)
    return edits


def recovery_years(sc) -> list[int]:
    """The modelled years without a reported ARDR, where the revenue recovery applies."""
    return [y for y in sc.years if _missing(sc.rows[y].get("ARDR"))]


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# --- the AMR roll-out pace ------------------------------------------------------------------


def rollout_at_pace(rollout: Mapping[int, float], pace: float) -> dict[int, float]:
    r"""A roll-out profile run faster or slower, with the same meters in the end [meters].

    The cumulative roll-out C is read on a stretched clock: the years to finish are divided by
    the pace, linearly between year ends,

    .. math:: C'(t) = C\left(t_0 - 1 + (t - t_0 + 1)\,\pi\right)

    Parameters
    ----------
    rollout : mapping year -> meters installed that year
    pace : float
        1 is the plan; 2 finishes in half the years, 0.5 takes twice as long [-].

    Returns
    -------
    dict
        year -> meters installed, from the plan's first year until every meter is in.

    Examples
    --------
    >>> rollout_at_pace({2026: 100.0, 2027: 100.0}, 2.0)
    {2026: 200.0}
    >>> rollout_at_pace({2026: 100.0, 2027: 100.0}, 0.5)
    {2026: 50.0, 2027: 50.0, 2028: 50.0, 2029: 50.0}
    """
    if not pace > 0:
        raise ValueError(f"the roll-out pace must be above 0, not {pace!r}")
    years = sorted(rollout)
    t0 = years[0]
    n = years[-1] - t0 + 1
    clock = np.arange(n + 1, dtype=float)  # year ends: 0 = start of t0
    cum = np.concatenate([[0.0], np.cumsum([float(rollout.get(t0 + k, 0.0)) for k in range(n)])])
    n_new = math.ceil(n / pace - 1e-9)
    ends = np.minimum(np.arange(n_new + 1, dtype=float) * pace, n)
    new_cum = np.interp(ends, clock, cum)
    installed = np.diff(new_cum)
    return {t0 + k: float(v) for k, v in enumerate(installed)}


# --- downloads ------------------------------------------------------------------------------


def results_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The results to download: the madr.csv columns and the bill impact of ``tariffmodel run``.

    Parameters
    ----------
    frame : DataFrame
        One variant of the engine (:func:`tariffmodel.model.engine.to_frame`), one row per year.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2026], "MADR": [150.0e6], "RUD": [30.0e9], "CA": [1.5e6]})
    >>> t = results_table(f)
    >>> t.columns.tolist()
    ['year', 'MADR', 'RUD', 'CA', 'baisa_per_kWh', 'RO_per_account']
    >>> t.loc[0, "baisa_per_kWh"], t.loc[0, "RO_per_account"]
    (np.float64(5.0), np.float64(100.0))
    """
    bills = bill_impact(frame)
    return frame.assign(
        baisa_per_kWh=bills["baisa_per_kWh"], RO_per_account=bills["RO_per_account"]
    )


#: The unit of each column of madr.csv and amr.csv, as the output-column table gives it.
COLUMN_UNITS = {c.name: c.field.unit for c in (*MADR_CSV, *AMR_CSV)}


def header_with_unit(name: str) -> str:
    """A download's column header: the column of madr.csv or amr.csv with its unit in brackets.

    The unit is that of :mod:`tariffmodel.inputs.output_fields`; a column whose name already
    says its unit (``year``, ``baisa_per_kWh``, ``meters_installed``) or that has none listed
    keeps its name, so that no unit is stated twice.

    >>> header_with_unit("MADR"), header_with_unit("CPI"), header_with_unit("RUD")
    ('MADR [RO]', 'CPI [fraction]', 'RUD [kWh]')
    >>> header_with_unit("year"), header_with_unit("baisa_per_kWh")
    ('year', 'baisa_per_kWh')
    >>> header_with_unit("meters_installed"), header_with_unit("RO_per_account")
    ('meters_installed', 'RO_per_account')
    """
    unit = COLUMN_UNITS.get(name)
    if not unit or unit == "text":
        return name
    words = set(re.split(r"[_\s]+", name.lower()))
    if set(re.split(r"[\s/]+", unit.lower())) - {"per"} <= words:
        return name
    return f"{name} [{unit}]"


def with_unit_headers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its columns headed by :func:`header_with_unit` (the values untouched)."""
    return table.rename(columns=header_with_unit)


def about_table(record: Mapping, readings: Mapping[str, str], edits: Mapping[str, float]):
    """What produced a download, one (item, value) row each: the provenance record of the
    scenario loaded, the readings used and every edit made on the page.

    Examples
    --------
    >>> t = about_table({"tool": "tariffmodel", "inputs": {"s.yaml": "ab12"}},
    ...                 {"loss_deadband": "as_drafted"}, {"notified.X": 0.02})
    >>> t.values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['tool', 'tariffmodel'], ['input s.yaml', 'sha256 ab12'],
     ['reading loss_deadband', 'as_drafted'], ['edit notified.X', '0.02']]
    """
    rows = [
        (str(k), "" if v is None else str(v))
        for k, v in record.items()
        if k not in ("inputs", "readings")
    ]
    rows += [(f"input {p}", f"sha256 {h}") for p, h in record.get("inputs", {}).items()]
    rows += [(f"reading {k}", v) for k, v in readings.items()]
    rows += [(f"edit {k}", repr(v)) for k, v in edits.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An Excel workbook of the given sheets, numbers at full precision."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name[:31], index=False)
    return buf.getvalue()


# --- the calendar of obligations --------------------------------------------------------------

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def plain_date(d: dt.date | None) -> str:
    """A date as people write it, or "on event" for an obligation without one.

    >>> plain_date(dt.date(2026, 7, 1)), plain_date(None)
    ('1 Jul 2026', 'on event')
    """
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "on event"
    return f"{d.day} {d:%b %Y}"


def plain_text(text: str) -> str:
    """A calendar's text for a page: dates as people write them, no file names, no options
    of the command line.

    >>> plain_text("Effective Date 2026-07-01")
    'Effective Date 1 Jul 2026'
    >>> plain_text("The AMR plan 'P' (plan.yaml) assumes 2026-07-01; give --event x=DATE")
    "The AMR plan 'P' assumes 1 Jul 2026"
    """
    text = _ISO_DATE.sub(lambda m: plain_date(dt.date(*map(int, m.groups()))), text)
    text = re.sub(r"\s*\([^()]*\.(?:ya?ml|csv|md)\)", "", text)
    text = re.sub(r"\s*\((?:--|\w+=)[^()]*\)", "", text)
    text = re.sub(r"(?:;\s*)?give --event \S+", "", text)
    return text.replace("Give one to include", "Choose one to include").replace(
        "give that Effective Date", "choose that Effective Date"
    )


def calendar_rows(cal) -> pd.DataFrame:
    """The calendar of obligations for a page: one row per occurrence, in words.

    Columns: ``date`` ("1 Jul 2026", or "on event"), ``obligation``, ``source``, ``period``,
    ``status`` and ``note``. The model outputs (which name the files of ``tariffmodel run``)
    are left to calendar.csv.

    Parameters
    ----------
    cal : tariffmodel.model.calendar.Calendar
        The result of :func:`tariffmodel.calendar`.
    """
    t = cal.table
    return pd.DataFrame(
        {
            "date": [plain_date(d) for d in t["date"]],
            "obligation": t["obligation"].tolist(),
            "source": t["source"].tolist(),
            "period": [plain_text(p) for p in t["period"]],
            "status": t["status"].tolist(),
            "note": [plain_text(n) for n in t["note"]],
        }
    )


def calendar_notes(cal) -> list[str]:
    """The calendar's notes in words for a page (see :func:`plain_text`)."""
    return [plain_text(n) for n in cal.notes]


def calendar_span(years: Sequence[int]) -> tuple[str, str]:
    """The dates a scenario's calendar covers: 1 January of its first year to 30 June after
    its last (the regulatory accounts of the last year are due then).

    >>> calendar_span([2026, 2027, 2028, 2029])
    ('2026-01-01', '2030-06-30')
    """
    return f"{years[0]}-01-01", f"{years[-1] + 1}-06-30"


# --- why the case differs from its scenario ---------------------------------------------------


def driver_words(description: str) -> str:
    """A driver of a comparison in plain words for a bar's label: the description's words
    and symbol, without the driver's own unit (the bars are money).

    >>> driver_words("efficiency factor (X) [fraction]")
    'Efficiency factor (X)'
    >>> driver_words("change of the Omani CPI (CPI) [fraction], from the Omani CPI basket")
    'Change of the Omani CPI (CPI)'
    >>> driver_words("Reading R2 call_centre: penalty_only -> as_drafted")
    'Reading R2 call centre: penalty only -> as drafted'

    What filled a column from a linked file in one scenario only is left out: the edited case
    of a page gives its values directly.
    """
    text = re.sub(r"\s*\[[^\]]*\]", "", description)
    text = re.sub(r",\s*(?:from|with) .*$", "", text).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def attribution_bars(comparison, year: int | str = "period") -> pd.DataFrame:
    """The difference of MADR of one year (or the period) split by driver, largest first.

    Parameters
    ----------
    comparison : tariffmodel.analysis.compare.Comparison
        ``tm.compare(base, other)``.
    year : int or "period"

    Returns
    -------
    DataFrame
        ``driver``, ``words`` (:func:`driver_words`), ``contribution`` [RO], sorted by the size
        of the contribution, largest first; the contributions add up to ``MADR_diff`` of
        ``comparison.table`` for that year.
    """
    a = comparison.attribution
    rows = a[a["year"].astype(str) == str(year)]
    order = rows["contribution"].abs().sort_values(ascending=False, kind="stable").index
    rows = rows.loc[order]
    return pd.DataFrame(
        {
            "driver": rows["driver"].tolist(),
            "words": [driver_words(d) for d in rows["description"]],
            "contribution": rows["contribution"].to_numpy(dtype=float),
        }
    )


def madr_difference(comparison, year: int | str = "period") -> float:
    """MADR of the other scenario less the base's, of one year or the period [RO]."""
    t = comparison.table
    return float(t.loc[t["year"].astype(str) == str(year), "MADR_diff"].iloc[0])

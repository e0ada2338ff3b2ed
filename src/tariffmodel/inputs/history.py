"""The published history of NEDC's predecessors (``data/history/predecessors.csv``): customers,
units sold and losses by company and year, each figure with its status and source. Read and
checked here; it is no input of a scenario, only a record to set a scenario against."""

from __future__ import annotations

import math
import os

import pandas as pd

from tariffmodel.inputs.csvio import number_cell, read_csv
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.sources import TEXT_COLUMNS

__all__ = ["HISTORY_MEASURES", "load_history"]

#: The measures of the history file and their units.
HISTORY_MEASURES: dict[str, str] = {
    "customers": "accounts",
    "units_sold": "GWh",
    "losses": "percent",
}


def load_history(path: str | os.PathLike) -> pd.DataFrame:
    """Read the predecessors' history.

    Parameters
    ----------
    path : path-like
        CSV with columns ``company``, ``year``, ``measure`` (one of :data:`HISTORY_MEASURES`),
        ``value``, ``unit`` (the measure's) and the status and source columns.

    Returns
    -------
    pandas.DataFrame
        One row a figure: ``company``, ``year`` (int), ``measure``, ``value`` (float),
        ``unit``, ``status``, ``publisher``, ``document``, ``date``, ``url``, ``note``.

    Raises
    ------
    InputError
        Naming the file, the column and the line: an unknown column or measure, a unit not the
        measure's, a year or value that is not a number, a figure given twice.
    """
    cols = ["company", "year", "measure", "value", "unit", *TEXT_COLUMNS]
    table = read_csv(path, allowed=cols, required=["company", "year", "measure", "value"])
    rows = []
    for line, rec in zip(table.lines, table.records, strict=True):
        where = f"line {line}"
        if rec["measure"] not in HISTORY_MEASURES:
            raise InputError(
                f"{where}: measure {rec['measure']!r} is not one of {', '.join(HISTORY_MEASURES)}",
                file=table.file,
                key="measure",
            )
        unit = HISTORY_MEASURES[rec["measure"]]
        if rec.get("unit", unit) not in (unit, ""):
            raise InputError(
                f"{where}: {rec['measure']} are in {unit}, not {rec['unit']!r}",
                file=table.file,
                key="unit",
            )
        year, value = number_cell(rec["year"]), number_cell(rec["value"])
        if not isinstance(year, float) or not year.is_integer():
            raise InputError(f"{where}: {rec['year']!r} is not a year", file=table.file, key="year")
        if not isinstance(value, float) or not math.isfinite(value) or value < 0:
            raise InputError(
                f"{where}: {rec['value']!r} is not a number of zero or more",
                file=table.file,
                key="value",
            )
        rows.append({**{c: rec.get(c, "") for c in cols}, "year": int(year), "value": value})
    frame = pd.DataFrame(rows, columns=cols)
    dup = frame.duplicated(["company", "year", "measure"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise InputError(
            f"{r['company']} {r['measure']} {r['year']} is given twice", file=table.file, key="year"
        )
    frame.attrs["file"] = table.file
    return frame

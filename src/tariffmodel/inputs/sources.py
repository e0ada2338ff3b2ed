"""Status and source of each row of a data file: what a figure is and where it was published.

Every row of the bundled data files (``data/**/*.csv``) says in itself what it is:

- ``status``: ``published`` (read in the publisher's own document), ``reported`` (known only
  from the press or another second-hand report of it), ``derived`` (computed from published or
  reported figures by a stated rule), ``estimate`` (filled or fitted where nothing is published,
  by a stated method), ``illustrative`` (an assumption of a realistic order of magnitude);
- its source: ``publisher``, ``document``, ``date`` (YYYY, YYYY-MM or YYYY-MM-DD) and ``url``.
  A ``published`` or ``reported`` row needs all four; a ``derived``, ``estimate`` or
  ``illustrative`` row names at least who made it and how (``publisher``, ``document``).

User files written before these columns existed stay valid: the loaders accept a row without
them (and the older ``source`` text and ``forecast`` status). :func:`check_sourced` is the
stricter rule the bundled files are held to.
"""

from __future__ import annotations

import os
import re

import pandas as pd

from tariffmodel.inputs.csvio import read_csv
from tariffmodel.inputs.errors import InputError

__all__ = [
    "KNOWN_STATUSES",
    "SOURCE_COLUMNS",
    "STATUSES",
    "TEXT_COLUMNS",
    "check_sourced",
    "row_sources",
]

#: What a row of a bundled data file may be, from the most to the least authoritative.
STATUSES: tuple[str, ...] = ("published", "reported", "derived", "estimate", "illustrative")

#: Statuses a user file may still carry: ``forecast`` is read as an illustrative forecast.
KNOWN_STATUSES: tuple[str, ...] = (*STATUSES, "forecast")

#: The columns naming where a row comes from.
SOURCE_COLUMNS: tuple[str, ...] = ("publisher", "document", "date", "url")

#: Columns of the data files that carry words, not numbers (kept for people, ignored in sums).
TEXT_COLUMNS: tuple[str, ...] = ("status", "source", *SOURCE_COLUMNS, "note")

#: Statuses whose row must give every source column.
_CITED = ("published", "reported")

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
_URL = re.compile(r"https?://\S+")


def row_sources(path: str | os.PathLike) -> pd.DataFrame:
    """The status and source columns of a data file, one row per data row (text cells).

    Parameters
    ----------
    path : path-like
        A CSV data file (comment lines start with ``#``).

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (the line number in the file), ``status`` and the
        :data:`SOURCE_COLUMNS` (empty text where the file lacks the column).
    """
    table = read_csv(path)
    frame = pd.DataFrame(
        {c: [r.get(c, "") for r in table.records] for c in ("status", *SOURCE_COLUMNS)},
        dtype=str,
    )
    frame.insert(0, "line", table.lines)
    frame.attrs["file"] = table.file
    return frame


def check_sourced(path: str | os.PathLike) -> pd.DataFrame:
    """Every row of a data file has a status and its source, or an InputError says which not.

    Parameters
    ----------
    path : path-like
        A CSV data file.

    Returns
    -------
    pandas.DataFrame
        :func:`row_sources` of the file, when every row passes.

    Raises
    ------
    InputError
        Naming the file, the column and the line: a status outside :data:`STATUSES`; a
        ``published`` or ``reported`` row without publisher, document, date or URL; any other
        row without publisher or document; a date not written YYYY[-MM[-DD]]; a URL not
        starting http(s)://.
    """
    rows = row_sources(path)
    file = rows.attrs["file"]
    for rec in rows.to_dict("records"):
        where = f"line {rec['line']}"
        if rec["status"] not in STATUSES:
            raise InputError(
                f"{where}: status {rec['status']!r} is not one of {', '.join(STATUSES)}",
                file=file,
                key="status",
            )
        needed = SOURCE_COLUMNS if rec["status"] in _CITED else ("publisher", "document")
        for col in needed:
            if not rec[col].strip():
                raise InputError(
                    f"{where}: a {rec['status']} row must say its {col}", file=file, key=col
                )
        if rec["date"] and not _DATE.fullmatch(rec["date"]):
            raise InputError(
                f"{where}: date {rec['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                file=file,
                key="date",
            )
        if rec["url"] and not all(_URL.fullmatch(u) for u in rec["url"].split()):
            raise InputError(
                f"{where}: url {rec['url']!r} is not an http(s) address", file=file, key="url"
            )
    return rows

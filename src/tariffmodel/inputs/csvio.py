"""The one CSV reader of the project's input files (the year table, the CPI group indices and
weights, the deposit rates).

A file is UTF-8 text (a byte-order mark is allowed); lines starting with ``#`` are comments and
blank lines are skipped; the first line left is the header. Cells are read as text, stripped;
the schema of each file turns them into numbers. A file larger than :data:`CSV_MAX_BYTES` is
refused before it is read. A message about the header never repeats a line of the file unless
the column is a plain name, so that a path pointing at some other file (``/etc/passwd``) shows
nothing of it.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.limits import CSV_MAX_BYTES, read_text_limited

#: A column name a message may repeat: a short plain name.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]{0,29}")


@dataclass(frozen=True)
class CsvTable:
    """A CSV file as text cells: its header and one mapping per data line."""

    file: str
    header: list[str]
    records: list[dict[str, str]]
    lines: list[int]  # the line number of each record in the file

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame of text cells."""
        return pd.DataFrame(
            [[r[c] for c in self.header] for r in self.records], columns=self.header, dtype=str
        )


def column_label(name: str, position: int) -> str:
    """How a message names a column: its name when plain, else its position (1 = first)."""
    return name if _PLAIN.fullmatch(name) else f"column {position}"


def read_csv(
    path: str | os.PathLike,
    *,
    allowed: Iterable[str] | None = None,
    required: Iterable[str] = (),
    key_prefix: str = "",
    cls: type[InputError] = InputError,
) -> CsvTable:
    """Read a CSV input file; with ``allowed``, every column of the header must be one of them.

    Errors (``cls``) name the file, the column (``key_prefix`` + name) and the rule.
    """
    file = os.fspath(path)
    try:
        text = read_text_limited(Path(file), CSV_MAX_BYTES, cls=cls, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise cls("not a CSV text file (UTF-8)", file=file) from None
    numbered = [
        (n, ln)
        for n, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not numbered:
        raise cls("the file holds no table (only comments or nothing)", file=file)
    # one row a line, read line by line: a quoted cell may not run over a line break (each row
    # keeps its line number), and a quote left open is refused, not read to the file's end
    rows = []
    for line_no, ln in numbered:
        try:
            rows.append(next(csv.reader([ln], strict=True)))
        except csv.Error as exc:
            raise cls(f"line {line_no} is not a readable CSV row ({exc}); a row is one line, "
                      "a quoted cell closes on its line", file=file) from None  # fmt: skip
    header = [c.strip() for c in rows[0]]
    for pos, col in enumerate(header, start=1):
        label = column_label(col, pos)
        if col == "":
            raise cls(f"{label} of the header has no name", file=file)
        if header.count(col) > 1:
            # a reader would keep one of the two columns and drop the other unseen
            raise cls("the column appears twice in the header", file=file, key=key_prefix + label)
        if allowed is not None:
            allowed = list(allowed)
            if col not in allowed:
                hint = did_you_mean(col, allowed) if label == col else ""
                raise cls(
                    f"unknown column{hint}; allowed: {', '.join(allowed)}",
                    file=file,
                    key=key_prefix + label,
                )
    for col in required:
        if col not in header:
            raise cls("required column missing", file=file, key=key_prefix + col)
    records, lines = [], []
    for (line_no, _), cells in zip(numbered[1:], rows[1:], strict=True):
        if len(cells) > len(header):
            raise cls(f"line {line_no} has more cells than the header", file=file)
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        records.append(dict(zip(header, cells, strict=True)))
        lines.append(line_no)
    return CsvTable(file, header, records, lines)


def number_cell(cell: str) -> float | int | str:
    """A cell as a number where it is one; a text stays a text (the schema says it is one),
    and a whole number too large for a float stays an int (the schema says it is too large)."""
    try:
        x = float(cell)
    except ValueError:
        return cell
    if not math.isfinite(x) and cell.strip().lstrip("+-").lower() not in ("inf", "infinity", "nan"):
        # a literal too large for a float: a whole number of as many digits (capped)
        digits = Decimal(cell.strip()).adjusted()
        return (-1 if cell.strip().startswith("-") else 1) * 10 ** min(digits, 5000)
    return x

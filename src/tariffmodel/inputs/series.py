"""The monthly series Schedule 2 reads: the Sultanate CPI group indices and weights and the
Central Bank of Oman's deposit rates, read from files and checked.

The loaders read the default data files (``data/cpi/``, ``data/rates/``), which may carry
comment lines starting with ``#``, and raise :class:`~tariffmodel.inputs.errors.InputError`
naming the file, the column, the month and the rule. Monthly series are pandas Series (or a
DataFrame of group columns) on a monthly ``PeriodIndex``. Nothing here computes a term: the
basket, CPI_t and the Specified Rate are formulas of :mod:`tariffmodel.licence.indices`,
composed over these series by :mod:`tariffmodel.model.indices`. The checks the loaders make of
group weights, basket columns, months and rates are public here so that the model checks a
series given in memory by the same rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BeforeValidator, create_model
from pydantic import Field as Key

from tariffmodel.inputs.csvio import number_cell, read_csv
from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.schema import Number, Schema, describe, rule_error, validate
from tariffmodel.inputs.sources import KNOWN_STATUSES, TEXT_COLUMNS
from tariffmodel.licence.indices import BASKET_GROUPS, GROUP_NAMES, GROUPS

__all__ = [
    "STATUSES",
    "as_months",
    "check_fractions",
    "check_weights",
    "group_number",
    "load_cpi_groups",
    "load_cpi_weights",
    "load_deposit_rates",
    "require_basket",
]

#: Values allowed in the ``status`` column of a series file (the bundled files use
#: :data:`tariffmodel.inputs.sources.STATUSES`; ``forecast`` stays valid in older user files).
STATUSES: tuple[str, ...] = KNOWN_STATUSES

#: A month as the data files write it.
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Columns of the data files that carry words, not numbers (kept for people, ignored in sums).
_TEXT_COLUMNS: tuple[str, ...] = TEXT_COLUMNS


# --------------------------------------------------------------------------------------------
# checks of a series, also made by the model on a series given in memory


def as_months(index: pd.Index, *, file=None, key=None) -> pd.PeriodIndex:
    """A monthly PeriodIndex for a series index of months, Timestamps or 'YYYY-MM' strings."""
    if isinstance(index, pd.PeriodIndex):
        months = index.asfreq("M") if index.freqstr != "M" else index
    elif isinstance(index, pd.DatetimeIndex):
        months = index.to_period("M")
    else:
        bad = [m for m in index if not (isinstance(m, str) and _MONTH.fullmatch(m))]
        if bad:
            raise InputError(
                f"the series must be indexed by month (YYYY-MM), not {bad[0]!r}",
                file=file,
                key=key,
            )
        months = pd.PeriodIndex([pd.Period(m, freq="M") for m in index])
    dup = months[months.duplicated()]
    if len(dup):
        raise InputError(f"month {dup[0]} appears more than once", file=file, key=key)
    return months


def group_number(col) -> int | None:
    """The CPI group number a column or index label names, or None when it names none."""
    try:
        return int(col)
    except (TypeError, ValueError):
        return None


def _group_list(groups: Iterable[int]) -> str:
    return ", ".join(f"{g} ({GROUP_NAMES.get(g, 'unknown')})" for g in groups)


def require_basket(present, what: str, *, file, key=None) -> None:
    """An InputError unless every basket group (1-3, 5-12) is among ``present``; the key is the
    first missing group's column unless ``key`` is given."""
    missing = [g for g in BASKET_GROUPS if g not in set(present)]
    if missing:
        raise InputError(
            f"{what} for CPI group(s) {_group_list(missing)}; the basket needs groups 1-3 and 5-12",
            file=file,
            key=key or str(missing[0]),
        )


def check_weights(values: np.ndarray, groups: np.ndarray, *, file) -> None:
    """Negative, blank or text weights are input errors; so is a basket of zero weight."""
    bad = ~np.isfinite(values)
    if bad.any():
        g = int(np.ravel(groups)[np.argmax(np.ravel(bad))])
        raise InputError(f"group {g}: the weight is not a number", file=file, key="weight")
    neg = values < 0
    if neg.any():
        g = int(np.ravel(groups)[np.argmax(np.ravel(neg))])
        raise InputError(f"group {g}: a weight must not be negative", file=file, key="weight")
    in_basket = np.isin(groups, BASKET_GROUPS)
    if values.ndim == 1 and not (values * in_basket).sum() > 0:
        raise InputError("the weights of groups 1-3 and 5-12 sum to zero", file=file, key="weight")


def check_fractions(values: np.ndarray, ordinals: np.ndarray, *, file, key) -> None:
    """A rate of 1 or more (a percent where a fraction is due) or below 0 is an InputError."""
    for bad, rule in (
        (values >= 1.0, "looks like a percent; the rates are fractions (0.025 means 2.5 %)"),
        (values < 0.0, "is negative"),
    ):
        if np.any(bad):
            pos = np.argwhere(bad)[0]
            month = pd.Period(ordinal=int(ordinals[tuple(pos)]), freq="M")
            raise InputError(
                f"month {month}: rate {float(values[tuple(pos)])!r} {rule}", file=file, key=key
            )


# --------------------------------------------------------------------------------------------
# loaders


# The rows of the files, checked by pydantic models of their columns: the cells of a row are read
# as numbers where a number is due; a broken rule names the column and the row's label (its
# month or group) before the rule.


def _number(cell: Any) -> Any:
    if cell == "":
        raise rule_error("blank")
    value = number_cell(cell)
    if isinstance(value, str):
        raise rule_error(f"text {describe(cell)} where a number is due")
    if isinstance(value, float) and not math.isfinite(value):
        raise rule_error(f"a finite number is due, not {cell}")
    return value  # an int too large for a float: the schema says so


def _status(value: Any) -> Any:
    if value not in STATUSES:
        raise rule_error(
            f"status {value!r} is not one of {', '.join(STATUSES)}{did_you_mean(value, STATUSES)}"
        )
    return value


def _month(value: Any) -> Any:
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise rule_error(f"{value!r} is not a month (write YYYY-MM)")
    return value


def _index(value: float) -> float:
    if value <= 0:
        raise rule_error(f"an index must be above zero, got {float(value)!r}")
    return value


def _group(value: Any) -> int:
    g = group_number(value)
    if g not in GROUP_NAMES:
        raise rule_error(f"{value!r} is not a CPI group number (1-12)")
    return g


#: A number cell: a blank, a text or a number too large for a float is refused.
CellNumber = Annotated[Number, BeforeValidator(_number)]
Month = Annotated[str, BeforeValidator(_month)]


class _Row(Schema):
    """The columns every file may carry beside its own: status and source
    (:mod:`tariffmodel.inputs.sources`), all optional in a user's file."""

    status: Annotated[str, BeforeValidator(_status)] | None = None
    source: str | None = None
    publisher: str | None = None
    document: str | None = None
    date: str | None = None
    url: str | None = None
    note: str | None = None


#: A row of the group indices: the month and one index per group column (1-12).
CpiGroupsRow = create_model(
    "CpiGroupsRow",
    __base__=_Row,
    month=(Month, ...),
    **{
        f"group_{g}": (
            Annotated[CellNumber, AfterValidator(_index)] | None,
            Key(None, alias=str(g)),
        )
        for g in GROUPS
    },
)


class CpiWeightsRow(_Row):
    """A row of the group weights."""

    group: Annotated[int, BeforeValidator(_group)]
    name: str | None = None
    weight: CellNumber


class DepositRateRow(_Row):
    """A row of the deposit rates."""

    month: Month
    rate: CellNumber


def _read_rows(path, model, allowed, required, label) -> tuple[str, list[str], list]:
    """The rows of a CSV file checked by ``model``; ``label(record, n)`` names a row in a
    message (``n`` counted from 1)."""
    table = read_csv(path, allowed=allowed, required=required)
    rows = []
    for n, rec in enumerate(table.records, start=1):
        try:
            rows.append(validate(model, rec, file=table.file))
        except InputError as exc:
            first = exc.key in ("month", "group")
            rule = exc.rule if exc.key == "group" else f"{label(rec, n, first)}: {exc.rule}"
            raise InputError(rule, file=table.file, key=exc.key) from None
    return table.file, table.header, rows


def _month_of(rec, n, month_broken) -> str:
    return f"row {n}" if month_broken else f"month {rec['month']}"


def _months(rows, *, file) -> pd.PeriodIndex:
    months = pd.PeriodIndex([pd.Period(r.month, freq="M") for r in rows], freq="M", name="month")
    dup = months[months.duplicated()]
    if len(dup):
        raise InputError(f"month {dup[0]} appears more than once", file=file, key="month")
    return months


def load_cpi_groups(groups_csv) -> pd.DataFrame:
    """Read the monthly Sultanate CPI group indices.

    The file has a ``month`` column (YYYY-MM), one column per group named ``1`` to ``12``
    (``4`` may be left out: the basket does not use it), and optional status and source
    columns (``status``, ``publisher``, ``document``, ``date``, ``url``, ``note``; older files:
    ``source``). Lines starting with ``#`` are comments.

    Parameters
    ----------
    groups_csv : path-like
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        Group indices [index points]; index: monthly PeriodIndex named ``month``, sorted;
        columns: the int group numbers present. ``attrs['file']`` holds the path.

    Raises
    ------
    InputError
        Naming the file, the column, the month and the rule: an unknown column (with a
        suggestion), a basket group missing, a month twice or not a month, a blank or text cell,
        an index of zero or below, a status outside :data:`STATUSES`.
    """
    file, header, rows = _read_rows(
        groups_csv,
        CpiGroupsRow,
        ["month", *map(str, GROUPS), *_TEXT_COLUMNS],
        ["month"],
        _month_of,
    )
    require_basket([group_number(c) for c in header], "no column", file=file)
    months = _months(rows, file=file)
    present = [g for g in GROUPS if str(g) in header]
    data = {g: np.array([getattr(r, f"group_{g}") for r in rows], dtype=float) for g in present}
    frame = pd.DataFrame(data, index=months).sort_index()
    frame.attrs["file"] = file
    return frame


def load_cpi_weights(weights_csv) -> pd.Series:
    """Read the Sultanate CPI group weights.

    The file has columns ``group`` (1-12), ``weight`` (any common unit) and optional ``name``
    and status and source columns (as the group indices). Lines starting with ``#`` are
    comments.

    Parameters
    ----------
    weights_csv : path-like
        The CSV file.

    Returns
    -------
    pandas.Series
        The weights indexed by int group number (index name ``group``), named ``weight``;
        ``attrs['file']`` holds the path.

    Raises
    ------
    InputError
        An unknown column, a group that is not 1-12 or appears twice, a basket group missing, a
        blank, text or negative weight, a status outside :data:`STATUSES`.
    """
    file, _, rows = _read_rows(
        weights_csv,
        CpiWeightsRow,
        ["group", "name", "weight", *_TEXT_COLUMNS],
        ["group", "weight"],
        lambda rec, n, _: f"group {group_number(rec['group'])}",
    )
    groups = []
    for r in rows:
        if r.group in groups:
            raise InputError(f"group {r.group} appears more than once", file=file, key="group")
        groups.append(r.group)
    require_basket(groups, "no weight", file=file, key="group")
    values = np.array([r.weight for r in rows], dtype=float)
    weights = pd.Series(values, index=pd.Index(groups, name="group"), name="weight").sort_index()
    check_weights(weights.to_numpy(), weights.index.to_numpy(), file=file)
    weights.attrs["file"] = file
    return weights


def load_deposit_rates(rates_csv) -> pd.Series:
    """Read the monthly weighted average interest rates on RO deposits.

    The file has columns ``month`` (YYYY-MM), ``rate`` [fraction] and optional status
    and source columns (as the group indices). Months need not be consecutive. Lines starting with ``#`` are
    comments.

    Parameters
    ----------
    rates_csv : path-like
        The CSV file.

    Returns
    -------
    pandas.Series
        Rates [fraction] on a sorted monthly PeriodIndex named ``month``, named ``rate``;
        ``attrs['file']`` holds the path.

    Raises
    ------
    InputError
        An unknown column, a month twice or not a month, a blank or text rate, a rate of 1 or
        more (a percent where a fraction is due) or below zero, a status outside
        :data:`STATUSES`.
    """
    file, _, rows = _read_rows(
        rates_csv, DepositRateRow, ["month", "rate", *_TEXT_COLUMNS], ["month", "rate"], _month_of
    )
    months = _months(rows, file=file)
    values = np.array([r.rate for r in rows], dtype=float)
    check_fractions(values, months.asi8, file=file, key="rate")
    rates = pd.Series(values, index=months, name="rate").sort_index()
    rates.attrs["file"] = file
    return rates

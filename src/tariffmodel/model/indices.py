"""The Omani CPI basket, CPI_t and the Specified Rate over monthly pandas series.

Two inputs of Schedule 2 come from published series rather than from the Authority's notices:

* ``CPI_t`` (paragraph 1a and the Definition of "Omani Consumer Price Index"): the change of a
  basket of the Sultanate CPI groups 1-3 and 5-12 (group 4, housing, water, electricity, gas and
  other fuels, is left out) over the twelve months ending 30 June of year t-1 (reading R5 of
  schedule2.md fixes what "change over twelve months" means);
* ``i_t``, the Specified Rate (paragraph 1 and its Definition): the mean of the Central Bank of
  Oman's monthly weighted average interest rates on Rial Omani deposits published during t-1.

The formulas are those of :mod:`tariffmodel.licence.indices`; this module composes them over
monthly series: it checks the series, looks up the months each formula reads and raises
:class:`~tariffmodel.inputs.errors.InputError` naming the months, the file and the year when one
is missing. Every rate is a fraction (0.025 means 2.5 %). Monthly series are pandas Series
indexed by month (a monthly ``PeriodIndex``; a ``DatetimeIndex`` or ``'YYYY-MM'`` strings are
accepted and read as months); :mod:`tariffmodel.inputs.series` reads them from files.

The functions the scenario's links call are :func:`omani_cpi_index` with :func:`cpi_by_year`
(the ``CPI`` column) and :func:`specified_rate_by_year` (``SR``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.series import (
    as_months,
    check_fractions,
    check_weights,
    group_number,
    load_cpi_groups,
    load_cpi_weights,
    require_basket,
)
from tariffmodel.licence import indices as formulas
from tariffmodel.licence.indices import BASKET_GROUPS, CPI_BASES, GROUPS

__all__ = [
    "cpi_by_year",
    "cpi_change",
    "load_cpi",
    "omani_cpi_index",
    "omani_cpi_weights",
    "specified_rate",
    "specified_rate_by_year",
]


# --------------------------------------------------------------------------------------------
# small helpers


def _file_of(obj) -> str | None:
    """The file a loaded series came from (set by the loaders in ``attrs``), if known."""
    attrs = getattr(obj, "attrs", None) or {}
    return attrs.get("file")


def _years(year, *, file=None, key=None) -> np.ndarray:
    """Relevant Years as an int array (any shape); a non-whole year is an InputError."""
    arr = np.asarray(year)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise InputError(f"Relevant Year must be a whole number, got {year!r}", file=file, key=key)
    return arr.astype(np.int64)


def _shape_like(values: np.ndarray, like):
    """``values`` in the kind of ``like``: a float for a scalar, a Series keeping its index, an
    array of the same shape otherwise."""
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=like.name)
    if np.ndim(like) == 0:
        return float(values)
    return values


def _lookup(series: pd.Series, ordinals: np.ndarray, *, what: str, years, file, key) -> np.ndarray:
    """Values of a monthly ``series`` at month ``ordinals`` (shape (n, m), one row per year).

    A month that is missing or blank is an InputError naming every such month for the first
    year that needs one.
    """
    months = as_months(series.index, file=file, key=key)
    values = pd.to_numeric(pd.Series(series.to_numpy()), errors="coerce").to_numpy(float)
    pos = pd.Index(months.asi8).get_indexer(ordinals.ravel()).reshape(ordinals.shape)
    found = np.full(ordinals.shape, np.nan)
    hit = pos >= 0
    found[hit] = values[pos[hit]]
    bad = ~np.isfinite(found)
    if bad.any():
        row = int(np.argmax(bad.any(axis=1)))
        missing = [str(pd.Period(ordinal=int(o), freq="M")) for o in ordinals[row][bad[row]]]
        raise InputError(
            f"{what}: month(s) {', '.join(missing)} missing or blank in the monthly series",
            file=file,
            key=key,
            year=int(np.ravel(years)[row]),
        )
    return found


# --------------------------------------------------------------------------------------------
# the Omani CPI basket


def omani_cpi_weights(weights):
    r"""The renormalised weights of the Omani CPI basket [fraction].

    Group 4 (housing, water, electricity, gas and other fuels) is left out and the weights of the
    other eleven groups are scaled to sum to one (Definition of "Omani Consumer Price Index").

    .. math::

        w_i = \frac{weight_i}{\sum_{j \in \{1..3, 5..12\}} weight_j},
        \quad i \in \{1..3, 5..12\}; \qquad w_4 = 0

    Parameters
    ----------
    weights : pandas.Series, mapping or array_like
        The Sultanate CPI weights [any common unit: per mille, percent or fraction]. A Series or
        mapping is indexed by group number 1-12 (group 4 may be absent); an array has the twelve
        groups in order along its last axis (so a 2-D array holds one weight set per row).

    Returns
    -------
    pandas.Series or numpy.ndarray
        ``w_i`` [fraction], the same kind and shape as the input (a mapping gives a Series), with
        ``w_4 = 0``.

    Raises
    ------
    InputError
        A group of the basket is missing, a weight is negative or not a number, or the basket
        weights sum to zero.

    Examples
    --------
    >>> w = omani_cpi_weights({g: 10.0 for g in range(1, 13)} | {4: 250.0})
    >>> float(w[1]), float(w[4]), float(w.sum())
    (0.09090909090909091, 0.0, 1.0)
    """
    key = "weight"
    if isinstance(weights, Mapping) and not isinstance(weights, pd.Series):
        weights = pd.Series(dict(weights), dtype=float)
    if isinstance(weights, pd.Series):
        numbers = [group_number(g) for g in weights.index]
        if None in numbers:
            bad = weights.index[numbers.index(None)]
            raise InputError(
                f"{bad!r} is not a CPI group number (1-12)", file=_file_of(weights), key="group"
            )
        groups = pd.Index(numbers)
        require_basket(groups, "weights missing", file=_file_of(weights), key=key)
        values = pd.to_numeric(weights, errors="coerce").to_numpy(float)
        check_weights(values, groups.to_numpy(), file=_file_of(weights))
        w = formulas.basket_weights(values, groups.to_numpy())
        return pd.Series(w, index=weights.index, name="w")
    arr = np.asarray(weights, dtype=float)
    if arr.shape[-1:] != (12,):
        raise InputError(
            f"an array of weights must hold the 12 groups along its last axis, got shape "
            f"{arr.shape}",
            key=key,
        )
    check_weights(arr, np.broadcast_to(np.arange(1, 13), arr.shape), file=None)
    try:
        return formulas.basket_weights(arr)
    except ValueError:  # a row of weights whose basket sums to zero
        raise InputError("the weights of groups 1-3 and 5-12 sum to zero", key=key) from None


def omani_cpi_index(group_indices: pd.DataFrame, weights) -> pd.Series:
    r"""The monthly Omani CPI: the weighted average of the basket's group indices [index points].

    Definition of "Omani Consumer Price Index" (Schedule 2): the weighted average of the
    Sultanate CPI group indices 1-3 and 5-12, with the weights of :func:`omani_cpi_weights`.

    .. math::

        OCPI_m = \sum_{i \in \{1..3, 5..12\}} w_i \, I_{i,m}

    Parameters
    ----------
    group_indices : pandas.DataFrame
        Monthly group indices [index points]; index: month (Period or Timestamp); columns: group
        numbers 1-12 (group 4 and any other column are not used).
    weights : pandas.Series, mapping or array_like
        The Sultanate CPI weights, as for :func:`omani_cpi_weights`.

    Returns
    -------
    pandas.Series
        The Omani CPI [index points] with the index of ``group_indices``, named ``omani_cpi``.

    Raises
    ------
    InputError
        A basket group column is missing, or a basket cell is blank or not a number (the message
        names the group and the month).

    Examples
    --------
    Eleven groups at 100 and group 1 at 111, equal weights, group 4 heavy but left out:

    >>> months = pd.period_range("2025-06", periods=1, freq="M")
    >>> groups = pd.DataFrame({g: [100.0] for g in range(1, 13)}, index=months)
    >>> groups[1] = 111.0
    >>> groups[4] = 500.0
    >>> weights = {g: 1.0 for g in range(1, 13)} | {4: 10.0}
    >>> round(float(omani_cpi_index(groups, weights).iloc[0]), 9)
    101.0
    """
    file = _file_of(group_indices)
    w = omani_cpi_weights(weights)
    if isinstance(w, pd.Series):
        w = w.rename(index=int)
    else:
        w = pd.Series(np.asarray(w, dtype=float), index=GROUPS)
    cols = {group_number(c): c for c in group_indices.columns}
    require_basket(cols, "no column", file=file)
    block = group_indices[[cols[g] for g in BASKET_GROUPS]]
    values = block.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputError(
            f"month {_month_label(group_indices.index[r])}: the index of group "
            f"{BASKET_GROUPS[c]} is blank or not a number",
            file=file,
            key=str(BASKET_GROUPS[c]),
        )
    out = formulas.basket_index(values, w.loc[list(BASKET_GROUPS)].to_numpy(float))
    result = pd.Series(out, index=group_indices.index, name="omani_cpi")
    if file:
        result.attrs["file"] = file
    return result


def _month_label(m) -> str:
    try:
        return str(pd.Period(m, freq="M"))
    except (TypeError, ValueError):
        return str(m)


# --------------------------------------------------------------------------------------------
# CPI_t


def cpi_change(index: pd.Series, year, basis: str = "june_on_june"):
    r"""CPI_t: the change of the Omani CPI over the twelve months ending 30 June of t-1 [fraction].

    Paragraph 1a of Schedule 2 and its definition of CPI_t; reading R5 of schedule2.md chooses
    what the "percentage change ... in the twelve month period ending on 30th June" compares.

    .. math::

        \text{june\_on\_june:}\quad CPI_t = \frac{OCPI_{Jun\,t-1}}{OCPI_{Jun\,t-2}} - 1

        \text{twelve\_month\_average:}\quad CPI_t =
        \frac{\frac{1}{12}\sum_{m=Jul\,t-2}^{Jun\,t-1} OCPI_m}
             {\frac{1}{12}\sum_{m=Jul\,t-3}^{Jun\,t-2} OCPI_m} - 1

    Parameters
    ----------
    index : pandas.Series
        The monthly Omani CPI [index points] (:func:`omani_cpi_index` or :func:`load_cpi`),
        indexed by month.
    year : int, array_like or pandas.Series
        Relevant Year(s) t.
    basis : {'june_on_june', 'twelve_month_average'}
        Reading R5 (``interpretation.cpi_basis``).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        CPI_t [fraction]: a float for a scalar year, otherwise the shape (and index) of ``year``.

    Raises
    ------
    InputError
        A month the formula needs is missing or blank (the message names the months and the
        year), or ``basis`` is not a reading of R5.

    Examples
    --------
    >>> cpi = pd.Series([100.0, 102.0, 103.02],
    ...                 index=pd.PeriodIndex(["2023-06", "2024-06", "2025-06"], freq="M"))
    >>> round(cpi_change(cpi, 2026), 12)
    0.01
    >>> cpi_change(cpi, [2025, 2026]).round(12).tolist()
    [0.02, 0.01]
    """
    basis = _check_basis(basis)
    file = _file_of(index)
    years = _years(year, file=file, key="CPI")
    flat = years.ravel()
    # months of the numerator: June t-1 (june_on_june) or July t-2 .. June t-1 (average)
    den_months, num_months = formulas.cpi_months(flat, basis)
    k = num_months.shape[1]
    values = _lookup(
        index,
        np.concatenate([den_months, num_months], axis=1),
        what=f"CPI_t ({basis})",
        years=flat,
        file=file,
        key="month",
    )
    den, num = values[:, :k], values[:, k:]
    change = formulas.cpi_change(num, den).reshape(years.shape)
    return _shape_like(change, year)


def _check_basis(basis: str) -> str:
    if basis not in CPI_BASES:
        raise InputError(
            f"unknown CPI basis {basis!r}{did_you_mean(basis, CPI_BASES)}; allowed: "
            f"{', '.join(CPI_BASES)}",
            key="interpretation.cpi_basis",
        )
    return basis


def cpi_by_year(cpi: pd.Series, years, basis: str = "june_on_june") -> pd.Series:
    """CPI_t of each Relevant Year, as the scenario loader fills the ``CPI`` column [fraction].

    Parameters
    ----------
    cpi : pandas.Series
        The monthly Omani CPI [index points], e.g. from :func:`load_cpi`.
    years : iterable of int
        Relevant Years t.
    basis : {'june_on_june', 'twelve_month_average'}
        Reading R5.

    Returns
    -------
    pandas.Series
        CPI_t [fraction] indexed by year (index name ``year``), named ``CPI``.

    Examples
    --------
    >>> cpi = pd.Series([100.0, 102.0, 103.02],
    ...                 index=pd.PeriodIndex(["2023-06", "2024-06", "2025-06"], freq="M"))
    >>> cpi_by_year(cpi, [2025, 2026]).round(12).to_dict()
    {2025: 0.02, 2026: 0.01}
    """
    idx = pd.Index(_years(list(years), file=_file_of(cpi), key="CPI"), name="year")
    return pd.Series(cpi_change(cpi, idx.to_numpy(), basis), index=idx, name="CPI")


# --------------------------------------------------------------------------------------------
# the Specified Rate


def specified_rate(monthly_rates: pd.Series, year, publication_lag: int = 0):
    r"""The Specified Rate i_t before any +0.03: mean of the monthly deposit rates of t-1 [fraction].

    Definition of "Specified Rate" (Schedule 2): the average of the Weighted Average Interest
    Rates on Deposits (Total Deposits All Sectors: Rial Omani) published in the Central Bank of
    Oman's Monthly Statistical Bulletin during Relevant Year t-1. Paragraph 1 adds 0.03 when
    ARDR_{t-1} exceeds MADR_{t-1} by more than 2 %; that is the engine's business, not this one.

    .. math::

        SR_t = \frac{1}{12} \sum_{m=1}^{12} r_{t-1,\,m-L}

    ``r`` is indexed by the month the rate refers to. The Bulletin publishes a month's rate some
    weeks after it; with ``publication_lag`` L = 0 (the default) the twelve rates of the months
    of t-1 are averaged, with L = 1 the rates of December t-2 to November t-1 (those that appear
    in the Bulletins of t-1 when each comes out one month later), and so on. Reading R6
    (``interpretation.specified_rate_months``) chooses L:
    :func:`tariffmodel.licence.indices.publication_lag` gives it.

    Parameters
    ----------
    monthly_rates : pandas.Series
        Weighted average RO deposit rate of each month [fraction], indexed by month.
    year : int, array_like or pandas.Series
        Relevant Year(s) t.
    publication_lag : int, default 0
        Months between a rate's reference month and the Bulletin that publishes it.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        SR_t [fraction], a float for a scalar year, otherwise the shape (and index) of ``year``.

    Raises
    ------
    InputError
        One of the twelve months is missing or blank (the message names every missing month of
        the year), or a rate looks like a percent (1 or more).

    Examples
    --------
    >>> rates = pd.Series([0.024] * 6 + [0.026] * 6,
    ...                   index=pd.period_range("2025-01", periods=12, freq="M"))
    >>> round(specified_rate(rates, 2026), 12)
    0.025
    """
    file = _file_of(monthly_rates)
    years = _years(year, file=file, key="SR")
    flat = years.ravel()
    months = formulas.specified_rate_months(flat, publication_lag)
    rates = _lookup(
        monthly_rates, months, what="Specified Rate", years=flat, file=file, key="month"
    )
    check_fractions(rates, months, file=file, key="rate")
    return _shape_like(formulas.specified_rate(rates).reshape(years.shape), year)


def specified_rate_by_year(rates: pd.Series, years, publication_lag: int = 0) -> pd.Series:
    """SR_t of each Relevant Year, as the scenario loader fills the ``SR`` column [fraction].

    Parameters
    ----------
    rates : pandas.Series
        Monthly weighted average RO deposit rates [fraction], e.g. from
        :func:`load_deposit_rates`.
    years : iterable of int
        Relevant Years t.
    publication_lag : int, default 0
        As for :func:`specified_rate`.

    Returns
    -------
    pandas.Series
        SR_t [fraction] indexed by year (index name ``year``), named ``SR``.

    Examples
    --------
    >>> rates = pd.Series([0.025] * 24, index=pd.period_range("2025-01", periods=24, freq="M"))
    >>> specified_rate_by_year(rates, [2026, 2027]).round(12).to_dict()
    {2026: 0.025, 2027: 0.025}
    """
    idx = pd.Index(_years(list(years), file=_file_of(rates), key="SR"), name="year")
    values = specified_rate(rates, idx.to_numpy(), publication_lag)
    return pd.Series(values, index=idx, name="SR")


# --------------------------------------------------------------------------------------------
# the basket from its files


def load_cpi(groups_csv, weights_csv) -> pd.Series:
    """Read the group indices and weights and compute the monthly Omani CPI.

    Parameters
    ----------
    groups_csv, weights_csv : path-like
        As for :func:`load_cpi_groups` and :func:`load_cpi_weights`.

    Returns
    -------
    pandas.Series
        The Omani CPI [index points] (:func:`omani_cpi_index`), monthly PeriodIndex named
        ``month``; ``attrs['file']`` names the groups file, so that a month missing later (in
        :func:`cpi_by_year`) is reported against it.
    """
    groups = load_cpi_groups(groups_csv)
    weights = load_cpi_weights(weights_csv)
    cpi = omani_cpi_index(groups, weights)
    cpi.attrs["file"] = groups.attrs["file"]
    return cpi

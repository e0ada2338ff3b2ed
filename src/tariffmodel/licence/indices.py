"""The Omani CPI basket, CPI_t and the Specified Rate of Schedule 2, as pure formulas.

* The Definition of "Omani Consumer Price Index": a basket of the Sultanate CPI groups 1-3 and
  5-12 (group 4, housing, water, electricity, gas and other fuels, is left out), the weights of
  the eleven groups scaled to sum to one;
* ``CPI_t`` (paragraph 1a): the change of that basket over the twelve months ending 30 June of
  year t-1 (reading R5 of schedule2.md fixes what "change over twelve months" means);
* ``i_t``, the Specified Rate (paragraph 1 and its Definition): the mean of the Central Bank of
  Oman's monthly weighted average interest rates on Rial Omani deposits published during t-1.

Months are ordinals: months since January 1970 (January 1970 is 0, June 2025 is 665), the
ordinals of monthly pandas Periods. The functions that give the months a formula reads return
ordinals; :mod:`tariffmodel.model.indices` looks them up in the monthly series and passes the
values back here. Every rate is a fraction (0.025 means 2.5 %). Pure formulas, numpy only.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BASKET_GROUPS",
    "CPI_BASES",
    "EXCLUDED_GROUP",
    "GROUPS",
    "GROUP_NAMES",
    "basket_index",
    "basket_weights",
    "cpi_change",
    "cpi_months",
    "june_ordinal",
    "publication_lag",
    "specified_rate",
    "specified_rate_months",
    "SPECIFIED_RATE_MONTHS",
]

#: The twelve groups of the Sultanate CPI, as listed in the Definition of "Omani Consumer Price
#: Index" (group 4 is the one the licence leaves out).
GROUP_NAMES: dict[int, str] = {
    1: "Food and non-alcoholic beverages",
    2: "Tobacco",
    3: "Clothing and footwear",
    4: "Housing, water, electricity, gas and other fuels",
    5: "Furnishings, household equipment and routine household maintenance",
    6: "Health",
    7: "Transport",
    8: "Communication",
    9: "Recreation and culture",
    10: "Education",
    11: "Restaurants and hotels",
    12: "Miscellaneous goods and services",
}
#: The group numbers, 1-12.
GROUPS: tuple[int, ...] = tuple(GROUP_NAMES)
#: The group the Definition of "Omani Consumer Price Index" leaves out.
EXCLUDED_GROUP = 4
#: The groups of the basket: 1-3 and 5-12.
BASKET_GROUPS: tuple[int, ...] = tuple(g for g in GROUPS if g != EXCLUDED_GROUP)

#: Reading R5 of schedule2.md, default first.
CPI_BASES: tuple[str, ...] = ("june_on_june", "twelve_month_average")

#: Reading R6 of schedule2.md, default first: which twelve monthly deposit rates the Specified
#: Rate of year t averages, as the publication lag L [months] of :func:`specified_rate_months`.
#: ``reference_year``: the rates for the months of t-1 (L = 0); ``published_in_year``: the rates
#: published during t-1, each a month after the month it refers to (L = 1: December t-2 to
#: November t-1).
SPECIFIED_RATE_MONTHS: dict[str, int] = {"reference_year": 0, "published_in_year": 1}


def basket_weights(weights, groups=GROUPS):
    r"""The renormalised weights of the Omani CPI basket [fraction].

    Definition of "Omani Consumer Price Index" (Schedule 2): group 4 is left out and the weights
    of groups 1-3 and 5-12 are scaled to sum to one.

    .. math::

        w_i = \frac{weight_i}{\sum_{j \in \{1..3, 5..12\}} weight_j},
        \quad i \in \{1..3, 5..12\}; \qquad w_4 = 0

    Parameters
    ----------
    weights : array_like
        The Sultanate CPI weights [any common unit: per mille, percent or fraction], one per
        entry of ``groups`` along the last axis (a 2-D array holds one weight set per row).
    groups : sequence of int, default 1-12
        The group number of each entry of the last axis; an entry outside the basket gets 0.

    Returns
    -------
    numpy.ndarray
        ``w_i`` [fraction], the shape of ``weights``.

    Raises
    ------
    ValueError
        The last axis does not match ``groups``, or the basket weights of a set sum to zero or
        less.

    Examples
    --------
    >>> w = basket_weights([10.0, 10.0, 10.0, 250.0] + [10.0] * 8)
    >>> float(w[0]), float(w[3]), float(w.sum())
    (0.09090909090909091, 0.0, 1.0)
    """
    arr = np.asarray(weights, dtype=float)
    groups = np.asarray(groups)
    if arr.shape[-1:] != groups.shape:
        raise ValueError(
            f"the weights must hold one entry per group along their last axis: "
            f"{groups.shape[0]} groups, got shape {arr.shape}"
        )
    basket = np.where(np.isin(groups, BASKET_GROUPS), arr, 0.0)
    total = basket.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("the weights of groups 1-3 and 5-12 sum to zero")
    return basket / total


def basket_index(group_indices, weights):
    r"""The Omani CPI: the weighted sum of the basket's group indices [index points].

    Definition of "Omani Consumer Price Index" (Schedule 2).

    .. math::

        OCPI_m = \sum_{i \in \{1..3, 5..12\}} w_i \, I_{i,m}

    Parameters
    ----------
    group_indices : array_like, shape (months, 11)
        ``I_{i,m}``, the indices of groups 1-3 and 5-12 in that order [index points].
    weights : array_like, shape (11,)
        ``w_i`` of the same groups [fraction], e.g. from :func:`basket_weights`.

    Returns
    -------
    numpy.ndarray, shape (months,)
        ``OCPI_m`` [index points].

    Examples
    --------
    >>> basket_index([[111.0] + [100.0] * 10], [1 / 11] * 11).round(9).tolist()
    [101.0]
    """
    return np.asarray(group_indices, dtype=float) @ np.asarray(weights, dtype=float)


def june_ordinal(years):
    """Month ordinals of June of ``years`` [months since January 1970]: the month that ends the
    twelve months of CPI_t (paragraph 1a).

    Parameters
    ----------
    years : int or array_like of int
        Calendar years.

    Returns
    -------
    int or numpy.ndarray
        ``(year - 1970) x 12 + 5``, the shape of ``years``.

    Examples
    --------
    >>> int(june_ordinal(2025))
    665
    """
    return (np.asarray(years) - 1970) * 12 + 5


def cpi_months(years, basis="june_on_june"):
    """The months CPI_t reads: its denominator and numerator, as month ordinals.

    Paragraph 1a and reading R5 of schedule2.md: CPI_t is the change over the twelve months
    ending 30 June of t-1. ``june_on_june`` compares June t-1 with June t-2;
    ``twelve_month_average`` compares the mean of July t-2 to June t-1 with the mean of the
    twelve months before.

    Parameters
    ----------
    years : array_like of int
        Relevant Years t.
    basis : {'june_on_june', 'twelve_month_average'}
        Reading R5.

    Returns
    -------
    den, num : numpy.ndarray
        Month ordinals [months since January 1970], shape ``years.shape + (k,)`` with k = 1
        (june_on_june) or 12 (twelve_month_average); ``den`` is ``num`` twelve months earlier.

    Raises
    ------
    ValueError
        ``basis`` is not one of :data:`CPI_BASES`.

    Examples
    --------
    >>> den, num = cpi_months([2026])
    >>> den.tolist(), num.tolist()
    ([[653]], [[665]])
    >>> den, num = cpi_months([2026], "twelve_month_average")
    >>> int(num[0, 0]), int(num[0, -1]), int(den[0, 0])
    (654, 665, 642)
    """
    if basis not in CPI_BASES:
        raise ValueError(f"unknown CPI basis {basis!r}; allowed: {', '.join(CPI_BASES)}")
    offsets = np.zeros(1, np.int64) if basis == "june_on_june" else np.arange(-11, 1)
    num = june_ordinal(np.asarray(years) - 1)[..., None] + offsets
    return num - 12, num


def cpi_change(num, den):
    r"""CPI_t: the change of the Omani CPI over the twelve months ending June of t-1 [fraction].

    Paragraph 1a of Schedule 2 with reading R5: the mean of the numerator months over the mean
    of the denominator months, less one (one month each for ``june_on_june``, twelve for
    ``twelve_month_average``; :func:`cpi_months` gives them).

    .. math::

        CPI_t = \frac{\overline{OCPI}_{num}}{\overline{OCPI}_{den}} - 1

    Parameters
    ----------
    num, den : array_like
        The Omani CPI of the numerator and denominator months [index points], the months along
        the last axis.

    Returns
    -------
    numpy.ndarray
        CPI_t [fraction], the shape of the leading axes.

    Examples
    --------
    >>> cpi_change([[103.02]], [[102.0]]).round(12).tolist()
    [0.01]
    """
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return num.mean(axis=-1) / den.mean(axis=-1) - 1.0


def specified_rate_months(years, publication_lag=0):
    """The months the Specified Rate of year t reads, as month ordinals.

    Definition of "Specified Rate" (Schedule 2): the rates published during t-1. With
    ``publication_lag`` L = 0 these are the twelve months of t-1; with L = 1, December t-2 to
    November t-1 (each published one month after the month it refers to), and so on.

    Parameters
    ----------
    years : array_like of int
        Relevant Years t.
    publication_lag : int, default 0
        L, months between a rate's reference month and the Bulletin that publishes it.

    Returns
    -------
    numpy.ndarray
        Month ordinals [months since January 1970], shape ``years.shape + (12,)``.

    Examples
    --------
    >>> m = specified_rate_months([2026])
    >>> int(m[0, 0]), int(m[0, -1])
    (660, 671)
    >>> int(specified_rate_months([2026], 1)[0, 0])
    659
    """
    january = (np.asarray(years) - 1 - 1970) * 12
    return january[..., None] + np.arange(12) - int(publication_lag)


def publication_lag(reading="reference_year"):
    """The publication lag L [months] that reading R6 of the Specified Rate takes.

    Definition of "Specified Rate" (Schedule 2): "the average of the ... rates ... published in
    the Monthly Statistical Bulletin ... during Relevant Year t-1". A month's rate is published
    about a month after it: ``reference_year`` (default) averages the rates for the months of
    t-1 (L = 0), ``published_in_year`` the rates published during t-1 (L = 1, December t-2 to
    November t-1); :func:`specified_rate_months` gives the months of a lag.

    Parameters
    ----------
    reading : {'reference_year', 'published_in_year'}
        Reading R6 (``interpretation.specified_rate_months``).

    Returns
    -------
    int
        L [months].

    Raises
    ------
    ValueError
        ``reading`` is not one of :data:`SPECIFIED_RATE_MONTHS`.

    Examples
    --------
    >>> publication_lag(), publication_lag("published_in_year")
    (0, 1)
    """
    if reading not in SPECIFIED_RATE_MONTHS:
        raise ValueError(
            f"reading R6 (specified_rate_months) must be one of "
            f"{', '.join(SPECIFIED_RATE_MONTHS)}, not {reading!r}"
        )
    return SPECIFIED_RATE_MONTHS[reading]


def specified_rate(monthly_rates):
    r"""The Specified Rate i_t before any +0.03: the mean of the monthly deposit rates [fraction].

    Definition of "Specified Rate" (Schedule 2): the average of the Weighted Average Interest
    Rates on Deposits (Total Deposits All Sectors: Rial Omani) published in the Central Bank of
    Oman's Monthly Statistical Bulletin during Relevant Year t-1 (:func:`specified_rate_months`
    gives the months). Paragraph 1 adds 0.03 when ARDR_{t-1} exceeds MADR_{t-1} by more than
    2 % (:func:`tariffmodel.licence.schedule2.interest_rate_applied`).

    .. math::

        SR_t = \frac{1}{12} \sum_{m=1}^{12} r_{t-1,\,m-L}

    Parameters
    ----------
    monthly_rates : array_like
        ``r`` [fraction], the twelve months along the last axis.

    Returns
    -------
    numpy.ndarray
        SR_t [fraction], the shape of the leading axes.

    Examples
    --------
    >>> specified_rate([[0.024] * 6 + [0.026] * 6]).round(12).tolist()
    [0.025]
    """
    return np.asarray(monthly_rates, dtype=float).mean(axis=-1)

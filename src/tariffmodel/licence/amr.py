"""Formulas of the AMR building block (AMR_t of Schedule 2) and of its summary figures.

One pure function per formula. Arrays carry the years on the LAST axis (index 0 is the plan's
first year); any leading axes (plan variants, asset classes) broadcast. Scalars in give scalars
out; pandas objects keep their index where the shape allows.

Discounting convention of this module: an amount of year index ``j`` (0 for the first year) is
valued at the start of the first year as ``amount * (1 + WACC) ** -(j + timing)``, with
``timing = 1`` for an amount at the end of its year and ``timing = 0.5`` for one at mid-year.

Licence: Schedule 2, paragraph 1 (``AMR_t``: the amount approved for recovery for the allowed
expenditure on Automated Meter Reading) and Condition 6.3 (efficient costs of installing,
replacing, repairing, operating and maintaining metering). The building block itself is
specified in the project's AMR cost recovery spec.
"""

from __future__ import annotations

import numpy as np

#: The capitalisation conventions the building block offers (default first).
CONVENTIONS = ("year_end", "half_year", "as_incurred")

#: When capex is deemed spent in its year, per convention [fraction of a year from its start].
CAPEX_TIMING = {"year_end": 1.0, "half_year": 0.5, "as_incurred": 1.0}


def _like(result, *templates):
    """Return ``result`` as a scalar, or with the labels of a labelled (pandas) template of the
    same shape, known by its ``index`` so that the formulas need numpy only."""
    result = np.asarray(result)
    for t in templates:
        # a pandas object: an index of labels (a list's index is a method) and a shape
        if (
            hasattr(t, "shape")
            and not callable(getattr(t, "index", callable))
            and result.shape == t.shape
        ):
            labels = {"columns": t.columns} if hasattr(t, "columns") else {"name": t.name}
            return type(t)(result, index=t.index, **labels)
    return result[()] if result.ndim == 0 else result


def discount_factors(wacc, n_years: int, timing=1.0):
    """Discount factors of the years of a plan, valued at the start of its first year.

    .. math:: \\delta_j = (1 + w)^{-(j + \\tau)}, \\quad j = 0, \\dots, n - 1

    Parameters
    ----------
    wacc : float or array_like
        Weighted average cost of capital w [fraction per year]; leading shape kept.
    n_years : int
        Number of years n.
    timing : float
        tau, when in its year an amount falls [fraction of a year]: 1 end, 0.5 mid-year.

    Returns
    -------
    ndarray
        Shape ``wacc.shape + (n_years,)`` [fraction].

    Examples
    --------
    >>> discount_factors(0.1, 2).round(6).tolist()
    [0.909091, 0.826446]
    """
    w = np.asarray(wacc, dtype=float)[..., np.newaxis]
    j = np.arange(n_years, dtype=float)
    return (1.0 + w) ** -(j + timing)


def npv(amounts, wacc, timing=1.0):
    """Net present value at the start of the first year of amounts by year.

    .. math:: NPV = \\sum_j a_j (1 + w)^{-(j + \\tau)}

    Parameters
    ----------
    amounts : array_like
        a_j by year on the last axis [RO].
    wacc : float or array_like
        w [fraction per year], broadcast against the leading axes of ``amounts``.
    timing : float
        tau: 1 for end-of-year amounts, 0.5 for mid-year [fraction of a year].

    Returns
    -------
    float or ndarray
        [RO], the leading shape of the broadcast inputs.

    Examples
    --------
    >>> round(float(npv([110.0, 121.0], 0.1)), 6)
    200.0
    """
    a = np.asarray(amounts, dtype=float)
    d = discount_factors(wacc, a.shape[-1], timing)
    return _like(np.sum(a * d, axis=-1))


def replacement_capex(initial, lives, n_replace_years: int, growth=0.0):
    """Capex including the replacement of every vintage whose life ends inside the horizon.

    A vintage spent in year j is replaced in year j + L, and that replacement again in j + 2L,
    as long as the replacement year lies inside the first ``n_replace_years`` years; each
    replacement costs the original amount grown by ``growth`` per year:

    .. math:: K_j = \\sum_{m \\ge 0,\\; j - mL \\ge 0} I_{j - mL} (1 + g)^{mL}
              \\quad (j < n_{replace}), \\qquad K_j = I_j \\quad (j \\ge n_{replace})

    Parameters
    ----------
    initial : array_like
        I_j, first-time capex by year on the last axis [RO].
    lives : int or array_like of int
        L, asset life [years], broadcast against ``initial.shape[:-1]``; at least 1.
    n_replace_years : int
        Replacement happens only in years with index below this (the programme horizon).
    growth : float
        g, cost escalation per year [fraction].

    Returns
    -------
    ndarray
        K_j, same shape as ``initial`` [RO].

    Examples
    --------
    >>> replacement_capex([100.0, 0.0, 0.0, 0.0, 0.0], 2, 4).tolist()
    [100.0, 0.0, 100.0, 0.0, 0.0]
    """
    first = np.asarray(initial, dtype=float)
    life = np.broadcast_to(np.asarray(lives), first.shape[:-1])[..., np.newaxis]
    n = first.shape[-1]
    j = np.arange(n)
    total = first.copy()
    in_horizon = j < n_replace_years
    for m in range(1, n):  # at most n - 1 replacements (a life of one year)
        src = j - m * life
        ok = (src >= 0) & in_horizon
        if not ok.any():
            break
        gathered = np.take_along_axis(first, np.clip(src, 0, None), axis=-1)
        total = total + np.where(ok, gathered * (1.0 + growth) ** (m * life), 0.0)
    return total


def capitalised_capex(capex, wacc, convention="year_end"):
    """The amount of each year's capex that enters the closing RAV of that year.

    .. math::
        \\text{year\\_end: } A_j = K_j \\qquad
        \\text{half\\_year: } A_j = K_j (1 + w)^{1/2} \\qquad
        \\text{as\\_incurred: } A_j = 0

    Under ``half_year`` capex is spent evenly through its year (as if at mid-year) and earns
    half a year's return before it enters the RAV; under ``as_incurred`` it is recovered in
    the year it is spent and never enters the RAV.

    Parameters
    ----------
    capex : array_like
        K_j [RO], years on the last axis.
    wacc : float or array_like
        w [fraction per year], broadcast against the leading axes of ``capex``.
    convention : {"year_end", "half_year", "as_incurred"}

    Returns
    -------
    ndarray
        A_j [RO], shape of ``capex``.

    Examples
    --------
    >>> capitalised_capex([100.0], 0.21, "half_year").round(6).tolist()
    [110.0]
    """
    k = np.asarray(capex, dtype=float)
    w = np.asarray(wacc, dtype=float)[..., np.newaxis]
    if convention == "year_end":
        return k
    if convention == "half_year":
        return k * np.sqrt(1.0 + w)
    if convention == "as_incurred":
        return np.zeros(np.broadcast_shapes(k.shape, w.shape))
    raise ValueError(f"unknown convention {convention!r}; allowed: {', '.join(CONVENTIONS)}")


def straight_line_depreciation(additions, lives):
    """Straight-line depreciation by year of additions to the RAV, each over its own life.

    An addition of year j is depreciated in equal parts in years j+1 to j+L:

    .. math:: D_j = \\frac{1}{L} \\sum_{i = j - L}^{j - 1} A_i

    Parameters
    ----------
    additions : array_like
        A_i, additions by year on the last axis [RO].
    lives : int or array_like of int
        L [years], broadcast against ``additions.shape[:-1]``; at least 1.

    Returns
    -------
    ndarray
        D_j, same shape as ``additions`` [RO]. Additions of the last L years are not yet fully
        depreciated at the end of the array.

    Examples
    --------
    >>> straight_line_depreciation([100.0, 0.0, 0.0, 0.0], 2).tolist()
    [0.0, 50.0, 50.0, 0.0]
    """
    a = np.asarray(additions, dtype=float)
    life = np.broadcast_to(np.asarray(lives), a.shape[:-1])[..., np.newaxis]
    n = a.shape[-1]
    # P[j] = sum of additions before year j, with P[0] = 0.
    before = np.concatenate([np.zeros(a.shape[:-1] + (1,)), np.cumsum(a, axis=-1)], axis=-1)
    j = np.arange(n)
    upto = np.broadcast_to(j, a.shape)
    start = np.broadcast_to(np.clip(j - life, 0, None), a.shape)
    return (
        np.take_along_axis(before, upto, axis=-1) - np.take_along_axis(before, start, axis=-1)
    ) / life


def closing_rav(additions, depreciation):
    """Closing Regulatory Asset Value of each year.

    .. math:: RAV^{close}_j = \\sum_{i \\le j} (A_i - D_i)

    Parameters
    ----------
    additions, depreciation : array_like
        A_i and D_i by year on the last axis [RO].

    Returns
    -------
    ndarray
        [RO], the broadcast shape.

    Examples
    --------
    >>> closing_rav([100.0, 0.0, 0.0], [0.0, 50.0, 50.0]).tolist()
    [100.0, 50.0, 0.0]
    """
    a, d = np.broadcast_arrays(np.asarray(additions, float), np.asarray(depreciation, float))
    return np.cumsum(a - d, axis=-1)


def opening_rav(closing):
    """Opening RAV of each year: the closing RAV of the year before, zero in the first year.

    .. math:: RAV^{open}_j = RAV^{close}_{j-1}, \\quad RAV^{open}_0 = 0

    Examples
    --------
    >>> opening_rav([100.0, 50.0, 0.0]).tolist()
    [0.0, 100.0, 50.0]
    """
    c = np.asarray(closing, dtype=float)
    return np.concatenate([np.zeros(c.shape[:-1] + (1,)), c[..., :-1]], axis=-1)


def return_on_rav(opening, wacc):
    """Return allowed on the opening RAV.

    .. math:: R_j = w \\, RAV^{open}_j

    Parameters
    ----------
    opening : array_like
        [RO], years on the last axis.
    wacc : float or array_like
        w [fraction per year], broadcast against the leading axes of ``opening``.

    Examples
    --------
    >>> return_on_rav([0.0, 100.0], 0.07).round(6).tolist()
    [0.0, 7.0]
    """
    o = np.asarray(opening, dtype=float)
    return o * np.asarray(wacc, dtype=float)[..., np.newaxis]


def expensed_capex(capex, convention="year_end"):
    """The part of each year's capex recovered in the year it is spent.

    .. math:: E_j = K_j \\text{ under as\\_incurred}, \\quad 0 \\text{ otherwise}

    Examples
    --------
    >>> expensed_capex([5.0, 6.0], "as_incurred").tolist()
    [5.0, 6.0]
    """
    k = np.asarray(capex, dtype=float)
    return k.copy() if convention == "as_incurred" else np.zeros_like(k)


def building_block(capex, lives, wacc, convention="year_end"):
    """Roll the RAV forward and compute the capital part of the allowance.

    Per asset class (axis -2 of ``capex``) and year (axis -1)::

        A   = capitalised_capex(K, w, convention)
        D   = straight_line_depreciation(A, L) + expensed_capex(K, convention)
        RAV = closing_rav(A, D without the expensed part), opening = closing of year before
        R   = w * opening RAV

    summed over the classes. Identities (tested), with
    :math:`\\delta_j = (1+w)^{-(j+1)}` and T the last year:

    * ``year_end``: :math:`\\sum_j (D_j + R_j)\\delta_j + RAV^{close}_T \\delta_T
      = \\sum_j K_j \\delta_j`
    * ``half_year``: :math:`\\sum_j (D_j + R_j)\\delta_j + RAV^{close}_T \\delta_T
      = \\sum_j K_j (1+w)^{-(j + 1/2)}` (capex valued at mid-year)
    * ``as_incurred``: :math:`D_j = K_j`, RAV and R zero, so
      :math:`\\sum_j D_j \\delta_j = \\sum_j K_j \\delta_j`.

    Parameters
    ----------
    capex : array_like
        K, shape ``(..., n_classes, n_years)`` [RO].
    lives : array_like of int
        L by class, broadcast against ``capex.shape[:-1]`` [years].
    wacc : float or array_like
        w, broadcast against ``capex.shape[:-2]`` [fraction per year].
    convention : {"year_end", "half_year", "as_incurred"}

    Returns
    -------
    dict of ndarray
        ``capex``, ``depreciation``, ``opening_rav``, ``closing_rav``, ``return``, each of
        shape ``(..., n_years)`` [RO], summed over the classes.

    Examples
    --------
    >>> bb = building_block([[1000.0, 0, 0, 0, 0]], [4], 0.1)
    >>> bb["depreciation"].tolist(), bb["return"].round(6).tolist()
    ([0.0, 250.0, 250.0, 250.0, 250.0], [0.0, 100.0, 75.0, 50.0, 25.0])
    """
    k = np.asarray(capex, dtype=float)
    w = np.asarray(wacc, dtype=float)
    w_cls = w[..., np.newaxis]  # broadcast over the class axis
    added = capitalised_capex(k, w_cls, convention)
    dep_rav = straight_line_depreciation(added, lives).sum(axis=-2)
    close = closing_rav(added.sum(axis=-2), dep_rav)
    opening = opening_rav(close)
    ret = return_on_rav(opening, w)
    return {
        "capex": k.sum(axis=-2),
        "depreciation": dep_rav + expensed_capex(k, convention).sum(axis=-2),
        "opening_rav": opening,
        "closing_rav": close,
        "return": ret,
    }


def opening_rav_block(rav, remaining_life, wacc, n_years: int):
    """Depreciation and return on an opening RAV: assets in place at the start of year 0.

    Per vintage (axis -1 of ``rav``), straight-line over the years of life left, the return on
    the RAV at the start of each year::

        D_j   = RAV_0 / N          for j < N, else 0
        RAV_j = RAV_0 - j * D      (opening RAV of year j, j < N)
        R_j   = w * RAV_j

    summed over the vintages. The depreciation sums to RAV_0 exactly: the opening value is
    recovered once, never again as capex.

    Parameters
    ----------
    rav : array_like
        RAV_0 by vintage [RO], at the start of year 0.
    remaining_life : array_like of int
        N by vintage [years], at least 1.
    wacc : float or array_like
        w, broadcast against the leading axes of the result [fraction per year].
    n_years : int
        Years of the result.

    Returns
    -------
    dict of ndarray
        ``depreciation``, ``opening_rav``, ``closing_rav``, ``return``, each of shape
        ``(..., n_years)`` [RO], summed over the vintages.

    Examples
    --------
    >>> bb = opening_rav_block([900.0], [3], 0.1, 5)
    >>> bb["depreciation"].tolist(), bb["return"].round(6).tolist()
    ([300.0, 300.0, 300.0, 0.0, 0.0], [90.0, 60.0, 30.0, 0.0, 0.0])
    """
    r0 = np.asarray(rav, dtype=float)
    life = np.asarray(remaining_life)
    if np.any(life < 1):
        raise ValueError("remaining_life must be at least one year")
    j = np.arange(n_years)
    on = j[np.newaxis, :] < life[:, np.newaxis]  # (V, Y)
    dep_v = np.where(on, (r0 / life)[:, np.newaxis], 0.0)
    open_v = np.where(on, r0[:, np.newaxis] - j[np.newaxis, :] * dep_v, 0.0)
    dep = dep_v.sum(axis=0)
    opening = open_v.sum(axis=0)
    w = np.asarray(wacc, dtype=float)[..., np.newaxis]
    shape = np.broadcast_shapes(w.shape[:-1] + (n_years,), dep.shape)
    return {
        "depreciation": np.broadcast_to(dep, shape).copy(),
        "opening_rav": np.broadcast_to(opening, shape).copy(),
        "closing_rav": np.broadcast_to(opening - dep, shape).copy(),
        "return": w * opening,
    }


def levelised_profile(amounts, wacc):
    """The flat yearly amount with the same NPV as ``amounts`` over the same years (an annuity).

    .. math:: \\bar a = \\frac{\\sum_j a_j \\delta_j}{\\sum_j \\delta_j},
              \\quad \\delta_j = (1 + w)^{-(j+1)}

    so that :math:`\\sum_j \\bar a \\, \\delta_j = \\sum_j a_j \\delta_j` (tested).

    Parameters
    ----------
    amounts : array_like
        a_j by year on the last axis [RO].
    wacc : float or array_like
        w [fraction per year], broadcast against the leading axes.

    Returns
    -------
    ndarray
        The flat profile, shape of ``amounts`` [RO].

    Examples
    --------
    >>> levelised_profile([0.0, 210.0], 0.1).round(6).tolist()
    [100.0, 100.0]
    """
    a = np.asarray(amounts, dtype=float)
    d = discount_factors(wacc, a.shape[-1])
    flat = np.sum(a * d, axis=-1, keepdims=True) / np.sum(d, axis=-1, keepdims=True)
    return np.broadcast_to(flat, np.broadcast_shapes(a.shape, d.shape)).copy()


def meters_in_service(rollout):
    """Meters in service on average over each year, installs spread evenly through the year.

    .. math:: S_j = \\sum_{i < j} M_i + M_j / 2

    Parameters
    ----------
    rollout : array_like
        M_j, meters installed by year on the last axis [meters].

    Examples
    --------
    >>> meters_in_service([100.0, 200.0, 0.0]).tolist()
    [50.0, 200.0, 300.0]
    """
    m = np.asarray(rollout, dtype=float)
    return np.cumsum(m, axis=-1) - m / 2.0


def _year_bounds(years):
    """1 January of each year and of the year after, as days [datetime64[D]]."""
    t = np.asarray(years, dtype=np.int64)
    jan1 = (t - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return jan1, (t - 1969).astype("datetime64[Y]").astype("datetime64[D]")


def year_fraction_from(start, years):
    """Share of each calendar year on or after a start date (an obligation that runs from it),
    pro rata by day: the yearly security audit and supplier assurance of the draft metering
    cyber security regulation (2.2.4, 2.2.7), from their start date.

    .. math:: f_t = \\frac{\\max(0,\\ \\mathrm{Jan1}_{t+1} - \\max(d_0, \\mathrm{Jan1}_t))}
              {\\mathrm{Jan1}_{t+1} - \\mathrm{Jan1}_t}

    Parameters
    ----------
    start : datetime.date or numpy.datetime64
        d_0, the first day of the obligation.
    years : array_like of int
        t [year].

    Returns
    -------
    ndarray
        f_t [fraction of a year]: 0 before the start year, the days from d_0 to 31 December
        over the days of that year (365 or 366) in it, 1 after.

    Examples
    --------
    >>> import datetime
    >>> year_fraction_from(datetime.date(2026, 1, 1), [2025, 2026, 2027]).tolist()
    [0.0, 1.0, 1.0]
    """
    jan1, next_jan1 = _year_bounds(years)
    d0 = np.datetime64(start, "D")
    left = (next_jan1 - np.maximum(d0, jan1)).astype(float)
    return np.clip(left / (next_jan1 - jan1).astype(float), 0.0, 1.0)


def period_share_by_year(start, end, years):
    """Share of the days of a period [start, end) that falls in each calendar year: a cost
    spread pro rata by day over the period (the ISMS certification due within 12 months of the
    effective date, regulation 2.2.3).

    .. math:: s_t = \\frac{\\max(0,\\ \\min(e, \\mathrm{Jan1}_{t+1}) - \\max(d_0, \\mathrm{Jan1}_t))}
              {e - d_0}

    Parameters
    ----------
    start, end : datetime.date or numpy.datetime64
        d_0, the first day of the period, and e, the day after its last.
    years : array_like of int
        t [year].

    Returns
    -------
    ndarray
        s_t [fraction of the period]; over all years the shares sum to 1.

    Examples
    --------
    >>> import datetime
    >>> period_share_by_year(datetime.date(2026, 7, 1), datetime.date(2027, 7, 1),
    ...                      [2026, 2027, 2028]).round(4).tolist()
    [0.5041, 0.4959, 0.0]
    """
    jan1, next_jan1 = _year_bounds(years)
    d0, e = np.datetime64(start, "D"), np.datetime64(end, "D")
    inside = (np.minimum(e, next_jan1) - np.maximum(d0, jan1)).astype(float)
    return np.maximum(inside, 0.0) / float((e - d0).astype(int))


def payback_year(years, benefits, costs, wacc=None):
    """The first year in which cumulative benefits reach cumulative costs (None if never).

    .. math:: \\min \\{ t : \\sum_{s \\le t} (B_s - C_s)\\,\\delta_s \\ge 0 \\}

    with :math:`\\delta_s = 1` (simple payback) or :math:`(1+w)^{-(s - t_0 + 1)}` when a WACC
    is given (discounted payback).

    Parameters
    ----------
    years : sequence of int
    benefits, costs : array_like
        B and C by year, 1-D [RO].
    wacc : float, optional
        w [fraction per year].

    Returns
    -------
    int or None

    Examples
    --------
    >>> payback_year([2026, 2027, 2028], [0, 60, 60], [100, 0, 0])
    2028
    """
    net = np.asarray(benefits, dtype=float) - np.asarray(costs, dtype=float)
    if wacc is not None:
        net = net * discount_factors(wacc, net.shape[-1])
    cum = np.cumsum(net)
    hit = np.flatnonzero(cum >= -1e-9 * np.maximum(1.0, np.abs(np.cumsum(costs)).max()))
    # Payback needs some cost to pay back: a year before any cost does not count.
    spent = np.flatnonzero(np.asarray(costs, dtype=float) > 0)
    hit = hit[hit >= (spent[0] if spent.size else 0)]
    return int(years[hit[0]]) if hit.size else None


def coverage_scaled_reduction(full_reduction, in_service, total_meters):
    """Reduction of losses that grows with the share of meters in service.

    .. math:: \\Delta_j = \\Delta^{full} \\; S_j / M^{total}

    Parameters
    ----------
    full_reduction : float or array_like
        Delta^full, the reduction at full roll-out [fraction of bulk supplies].
    in_service : array_like
        S_j, meters in service by year [meters].
    total_meters : float
        M^total, meters of the whole roll-out [meters].

    Examples
    --------
    >>> coverage_scaled_reduction(0.004, [50.0, 100.0], 100.0).tolist()
    [0.002, 0.004]
    """
    s = np.asarray(in_service, dtype=float)
    return _like(np.asarray(full_reduction, dtype=float) * s / total_meters, in_service)


def reduced_bulk_supplies(rbs, rud, reduction):
    """Bulk supplies needed for the same units distributed once Actual Losses fall.

    Actual Losses are ``AL = 1 - RUD / RBS`` (paragraph 1b). Holding RUD, a fall of AL by
    Delta needs

    .. math:: RBS' = \\frac{RUD}{RUD / RBS + \\Delta}

    Parameters
    ----------
    rbs, rud : float or array_like
        Bulk supplies and units distributed [kWh].
    reduction : float or array_like
        Delta, the fall in Actual Losses [fraction of bulk supplies].

    Returns
    -------
    float or ndarray or Series
        RBS' [kWh].

    Examples
    --------
    >>> float(reduced_bulk_supplies(100.0, 90.0, 0.0))
    100.0
    >>> round(float(reduced_bulk_supplies(100.0, 90.0, 0.01)), 6)
    98.901099
    """
    b, u, d = np.broadcast_arrays(
        np.asarray(rbs, float), np.asarray(rud, float), np.asarray(reduction, float)
    )
    return _like(u / (u / b + d), rbs, rud, reduction)


def loss_purchase_saving(rbs, rud, reduction, price):
    """Change of CPL_t, the cost of purchasing network losses, when Actual Losses fall.

    .. math:: \\Delta CPL_t = -(RBS_t - RBS'_t) \\; P^{loss}_t

    with RBS' from :func:`reduced_bulk_supplies`. Negative: a saving.

    Parameters
    ----------
    rbs, rud : float or array_like
        [kWh].
    reduction : float or array_like
        [fraction of bulk supplies].
    price : float or array_like
        P^loss, the cost of loss energy [RO per kWh].

    Examples
    --------
    >>> round(float(loss_purchase_saving(100.0, 90.0, 0.01, 0.5)), 6)
    -0.549451
    """
    saved = np.asarray(rbs, float) - np.asarray(reduced_bulk_supplies(rbs, rud, reduction))
    return _like(-saved * np.asarray(price, float), rbs, rud, reduction)


def loss_incentive_change(rud_prev, p, reduction_prev, d=1.0):
    """Change of LOSS_t when Actual Losses of year t-1 fall (paragraph 1b).

    BL_t = RUD_{t-1} p_t LD_t with LD_t = (TL_{t-1} - AL_{t-1}) D_t, so a fall of AL_{t-1} by
    Delta raises BL_t by

    .. math:: \\Delta LOSS_t = RUD_{t-1} \\; p_t \\; \\Delta_{t-1} \\; D_t

    (exact while the cap of +/- 3 % of DB_t does not bind).

    Parameters
    ----------
    rud_prev : float or array_like
        RUD_{t-1} [kWh].
    p : float or array_like
        p_t [RO per kWh].
    reduction_prev : float or array_like
        Delta_{t-1} [fraction of bulk supplies].
    d : float or array_like
        D_t, 1 or 0.

    Examples
    --------
    >>> float(loss_incentive_change(30e9, 0.02, 0.001))
    600000.0
    """
    r, pp, dd, de = np.broadcast_arrays(
        np.asarray(rud_prev, float),
        np.asarray(p, float),
        np.asarray(reduction_prev, float),
        np.asarray(d, float),
    )
    return _like(r * pp * dd * de, rud_prev, p, reduction_prev)

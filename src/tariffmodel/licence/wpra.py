"""WPRA_t of Schedule 2, footnote 3: the within-period clawback on capex the Authority cannot verify.

For the price control period 2026-2029 a provisional allowance for NEDC's capex enters its
Regulatory Asset Value; if the Authority later recognises only a share f of a vintage, the
depreciation and return already allowed on the unrecognised part are clawed back within the
same period:

    WPRA_d = -(1 - f) x sum_{v < t < d} (D_{v,t} + R_{v,t}) x g_{d-t}

with g = 1, or (1 + WACC)^(d - t) when the clawback is rolled forward at the WACC. Pure
formulas, numpy only; :mod:`tariffmodel.model.wpra` composes them over a capex verification file.
"""

from __future__ import annotations

import numpy as np

#: The price control period of footnote 3 of Schedule 2: the only years WPRA exists in.
WPRA_PERIOD = (2026, 2029)


def recognised_share(years, determination_year, share):
    """Share of a vintage that stays in the RAV in each year (Schedule 2, footnote 3) [fraction].

    .. math:: s_t = 1 \\; (t < d), \\qquad s_t = f \\; (t \\ge d)

    Parameters
    ----------
    years : array_like of int
        t, on the last axis.
    determination_year : int or array_like
        d, broadcast against the leading axes (a year after the last one: never determined).
    share : float or array_like
        f [fraction], 0 to 1.

    Examples
    --------
    >>> recognised_share([2026, 2027, 2028], 2027, 0.25).tolist()
    [1.0, 0.25, 0.25]
    """
    t = np.asarray(years)
    d = np.asarray(determination_year)[..., np.newaxis]
    s = np.asarray(share, dtype=float)[..., np.newaxis]
    return np.where(t < d, 1.0, s)


def clawback(allowed, years, determination_year, share, wacc, roll_forward=False):
    """Depreciation and return already allowed on the unrecognised share, as a negative amount
    [RO]: the clawback of WPRA_t (Schedule 2, footnote 3).

    .. math:: W = -(1 - f) \\sum_{t < d} a_t \\, g_{d - t}, \\qquad
              g_k = 1 \\text{ or } (1 + w)^k \\text{ (rolled forward)}

    Parameters
    ----------
    allowed : array_like
        a_t, depreciation plus return allowed on the whole vintage by year (last axis) [RO].
    years : array_like of int
        t.
    determination_year : int or array_like
        d, broadcast against the leading axes.
    share : float or array_like
        f [fraction], 0 to 1.
    wacc : float
        w [fraction per year].
    roll_forward : bool
        Carry each amount to year d at the WACC.

    Returns
    -------
    float or ndarray
        W [RO], zero or negative, shape of the leading axes.

    Examples
    --------
    >>> float(clawback([0.0, 100.0, 95.0, 90.0], [2026, 2027, 2028, 2029], 2029, 0.5, 0.1))
    -97.5
    >>> round(float(clawback([0.0, 100.0, 95.0], [2026, 2027, 2028], 2029, 0.5, 0.1, True)), 6)
    -112.75
    """
    a = np.asarray(allowed, dtype=float)
    t = np.asarray(years)
    d = np.asarray(determination_year)[..., np.newaxis]
    growth = (1.0 + wacc) ** np.maximum(d - t, 0) if roll_forward else 1.0
    before = np.where(t < d, a * growth, 0.0)
    result = -(1.0 - np.asarray(share, dtype=float)) * before.sum(axis=-1)
    return result[()] if np.ndim(result) == 0 else result

"""WPRA_t of Schedule 2: the within-period clawback on capex the Authority cannot verify.

Licence, Schedule 2, footnote 3: for the price control period 2026-2029 a provisional allowance
for NEDC's capex enters its Regulatory Asset Value; if the Authority later recognises only part
of it, the depreciation and return already allowed on the unrecognised part are clawed back
within the same period.

The model (year-end convention, as :mod:`tariffmodel.licence.amr`): provisional capex of year v
enters the closing RAV of v and is depreciated straight line over its life from v + 1, with a
return of WACC x opening RAV. A determination in year d > v recognises a share f (0 <= f <= 1)
of vintage v: from d on only f of it stays in the RAV (the rest is written off at the start of
d), and

    WPRA_d = -(1 - f) x sum_{v < t < d} (D_{v,t} + R_{v,t}) x g_{d-t}

with g = 1, or (1 + WACC)^(d - t) when the clawback is rolled forward at the WACC.

Public API: :func:`~tariffmodel.inputs.wpra_file.load_wpra` (WpraFile), :func:`wpra_series` (Series "WPRA" [RO] by year),
:func:`wpra_table`, :func:`wpra_summary`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tariffmodel.inputs.wpra_file import WpraFile, load_wpra
from tariffmodel.licence import amr as f
from tariffmodel.licence.wpra import clawback, recognised_share


def _wpra(obj) -> WpraFile:
    return obj if isinstance(obj, WpraFile) else load_wpra(obj)


# --------------------------------------------------------------------------- results


def _by_vintage(w: WpraFile, roll_forward: bool) -> dict[str, np.ndarray]:
    """Arrays (V, Y) per vintage and the clawback (V,) of each."""
    years = w.years
    v_years = np.array([v.year for v in w.vintages])
    amounts = np.array([v.amount for v in w.vintages])
    lives = np.array([v.life for v in w.vintages])
    det = {x.vintage: x for x in w.determinations}
    never = w.last_year + 1
    d_year = np.array([det[v].year if v in det else never for v in v_years])
    share = np.array([det[v].share if v in det else 1.0 for v in v_years])
    added = np.where(years == v_years[:, np.newaxis], amounts[:, np.newaxis], 0.0)
    dep = f.straight_line_depreciation(added, lives)
    close = f.closing_rav(added, dep)
    opening = f.opening_rav(close)
    ret = f.return_on_rav(opening, w.wacc)
    s = recognised_share(years, d_year, share)
    claw = clawback(dep + ret, years, d_year, share, w.wacc, roll_forward)
    write_down = np.where(
        years == d_year[:, np.newaxis], (1.0 - share)[:, np.newaxis] * opening, 0.0
    )
    return {
        "capex": added,
        "opening_rav": opening * np.where(years <= d_year[:, np.newaxis], 1.0, s),
        "write_down": write_down,
        "depreciation": dep * s,
        "return": ret * s,
        "closing_rav": close * s,
        "clawback": claw,
        "wpra": np.where(years == d_year[:, np.newaxis], claw[:, np.newaxis], 0.0),
    }


def wpra_table(obj, roll_forward: bool | None = None) -> pd.DataFrame:
    """One row per year of the period: the provisional RAV with determinations, and WPRA_t.

    Columns ``year``, ``provisional_capex``, ``opening_rav`` (before any write-down),
    ``write_down`` (unrecognised RAV removed at the start of a determination year),
    ``depreciation``, ``return`` (on the RAV after the write-down), ``closing_rav``,
    ``allowed`` (depreciation + return), ``WPRA``, ``wacc``, ``roll_forward`` [RO].
    Identity: closing = opening - write_down + provisional_capex - depreciation.
    """
    w = _wpra(obj)
    rf = w.roll_forward if roll_forward is None else roll_forward
    b = _by_vintage(w, rf)
    out = pd.DataFrame(
        {
            "year": w.years,
            "provisional_capex": b["capex"].sum(axis=0),
            "opening_rav": b["opening_rav"].sum(axis=0),
            "write_down": b["write_down"].sum(axis=0),
            "depreciation": b["depreciation"].sum(axis=0),
            "return": b["return"].sum(axis=0),
            "closing_rav": b["closing_rav"].sum(axis=0),
        }
    )
    out["allowed"] = out["depreciation"] + out["return"]
    out["WPRA"] = b["wpra"].sum(axis=0)
    out["wacc"] = w.wacc
    out["roll_forward"] = rf
    return out


def wpra_series(obj, roll_forward: bool | None = None) -> pd.Series:
    """WPRA_t [RO] (zero or negative) for every year of the file's period.

    Parameters
    ----------
    obj : WpraFile or path
    roll_forward : bool, optional
        Default the file's ``roll_forward``.

    Returns
    -------
    pandas.Series
        Indexed by year (int), name ``"WPRA"``.
    """
    w = _wpra(obj)
    t = wpra_table(w, roll_forward)
    return pd.Series(
        t["WPRA"].to_numpy(), index=pd.Index(w.years.astype(int), name="year"), name="WPRA"
    )


def wpra_summary(obj, roll_forward: bool | None = None) -> dict:
    """Summary figures [RO]: total clawback and one entry per determination."""
    w = _wpra(obj)
    rf = w.roll_forward if roll_forward is None else roll_forward
    b = _by_vintage(w, rf)
    by_vintage = {v.year: i for i, v in enumerate(w.vintages)}
    return {
        "name": w.name,
        "file": w.file,
        "period": [w.first_year, w.last_year],
        "wacc": w.wacc,
        "roll_forward": rf,
        "provisional_capex_total": float(sum(v.amount for v in w.vintages)),
        "wpra_total": float(b["wpra"].sum()),
        "determinations": [
            {
                "year": x.year,
                "vintage": x.vintage,
                "share": x.share,
                "write_down": float(b["write_down"][by_vintage[x.vintage]].sum()),
                "clawback": float(b["clawback"][by_vintage[x.vintage]]),
            }
            for x in w.determinations
        ],
    }

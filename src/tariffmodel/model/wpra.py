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

Public API: :func:`load_wpra` (WpraFile), :func:`wpra_series` (Series "WPRA" [RO] by year),
:func:`wpra_table`, :func:`wpra_summary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tariffmodel.inputs.checks import Checker
from tariffmodel.inputs.yamlio import read_yaml_mapping
from tariffmodel.licence import amr as f

TOP_KEYS = (
    "name",
    "status",
    "period",
    "wacc",
    "life",
    "roll_forward",
    "provisional_capex",
    "determinations",
    "source",
)
VINTAGE_KEYS = ("amount", "life", "source")
DETERMINATION_KEYS = ("year", "vintage", "share", "source")


@dataclass(frozen=True)
class Vintage:
    """Provisional capex of one year [RO] and its asset life [years]."""

    year: int
    amount: float
    life: int


@dataclass(frozen=True)
class Determination:
    """The Authority's determination in ``year`` recognising ``share`` of ``vintage``."""

    year: int
    vintage: int
    share: float


@dataclass(frozen=True, eq=False)
class WpraFile:
    """A checked capex verification file. Build it with :func:`load_wpra`."""

    name: str
    file: str
    first_year: int
    last_year: int
    wacc: float
    roll_forward: bool
    vintages: tuple[Vintage, ...]
    determinations: tuple[Determination, ...]
    path: Path | None = None

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.last_year + 1)


# --------------------------------------------------------------------------- formulas


def recognised_share(years, determination_year, share):
    """Share of a vintage that stays in the RAV in each year.

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
    """Depreciation and return already allowed on the unrecognised share, as a negative amount.

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


# --------------------------------------------------------------------------- reading


#: The price control period of footnote 3 of Schedule 2: the only years WPRA exists in.
WPRA_PERIOD = (2026, 2029)


def wpra_from_dict(data: Mapping, *, file: str = "<memory>") -> WpraFile:
    """Check a capex verification file given as a mapping and build a WpraFile."""
    ck = Checker(file)
    d = ck.keys(data, TOP_KEYS, "", required=("name", "period", "wacc", "provisional_capex"))
    per = d["period"]
    if not isinstance(per, list | tuple) or len(per) != 2:
        raise ck.error("must be [first year, last year]", "period")
    lo, hi = ck.year(per[0], "period"), ck.year(per[1], "period")
    if hi < lo:
        raise ck.error(f"the last year {hi} is before the first {lo}", "period", hi)
    first, last = WPRA_PERIOD
    for year in (lo, hi):
        if not first <= year <= last:
            raise ck.error(
                f"must lie within {first}-{last}: the licence provides WPRA for the price control "
                f"period {first}-{last} only, reconciled within it (Schedule 2, footnote 3)",
                "period",
                year,
            )
    wacc = ck.rate(d["wacc"], "wacc")
    default_life = ck.life(d["life"], "life") if "life" in d else None
    if "roll_forward" in d and not isinstance(d["roll_forward"], bool):
        raise ck.error(f"must be true or false, got {d['roll_forward']!r}", "roll_forward")
    caps = d["provisional_capex"]
    if not isinstance(caps, Mapping) or not caps:
        raise ck.error("must be a non-empty mapping {year: amount}", "provisional_capex")
    vintages = []
    for y, spec in caps.items():
        key = f"provisional_capex.{y}"
        year = ck.year(y, key, lo, hi)
        if isinstance(spec, Mapping):
            spec = ck.keys(spec, VINTAGE_KEYS, key, required=("amount",))
            amount = ck.number(spec["amount"], f"{key}.amount", year)
            life = ck.life(spec["life"], f"{key}.life") if "life" in spec else default_life
        else:
            amount, life = ck.number(spec, key, year), default_life
        if life is None:
            raise ck.error("has no life: give life here or a default life", f"{key}.life", year)
        vintages.append(Vintage(year, amount, life))
    spent = {v.year: v for v in vintages}
    dets: dict[int, Determination] = {}
    raw = d.get("determinations") or []
    if not isinstance(raw, list):
        raise ck.error("must be a list of {year, vintage, share}", "determinations")
    for i, spec in enumerate(raw):
        key = f"determinations[{i}]"
        spec = ck.keys(spec, DETERMINATION_KEYS, key, required=("year", "vintage", "share"))
        year = ck.year(spec["year"], f"{key}.year", lo, hi)
        vintage = ck.integer(spec["vintage"], f"{key}.vintage")
        share = ck.number(spec["share"], f"{key}.share", year, minimum=None)
        if not 0.0 <= share <= 1.0:
            raise ck.error(
                f"the share recognised must be between 0 and 1, got {spec['share']!r}",
                f"{key}.share",
                year,
            )
        if vintage not in spent or spent[vintage].amount == 0:
            raise ck.error(
                f"determines vintage {vintage}, but no provisional capex was spent in "
                f"{vintage} (spent: {', '.join(str(y) for y, v in spent.items() if v.amount) or 'none'})",
                f"{key}.vintage",
                year,
            )
        if year <= vintage:
            raise ck.error(
                f"a determination must come after the year its capex was spent ({vintage})",
                f"{key}.year",
                year,
            )
        if vintage in dets:
            raise ck.error(
                f"vintage {vintage} is already determined in {dets[vintage].year}",
                f"{key}.vintage",
                year,
            )
        dets[vintage] = Determination(year, vintage, share)
    return WpraFile(
        name=ck.text(d["name"], "name"),
        file=file,
        first_year=lo,
        last_year=hi,
        wacc=wacc,
        roll_forward=d.get("roll_forward", False),
        vintages=tuple(sorted(vintages, key=lambda v: v.year)),
        determinations=tuple(sorted(dets.values(), key=lambda x: x.vintage)),
    )


def load_wpra(path: str | Path) -> WpraFile:
    """Read and check a capex verification file (YAML); InputError names file, key, year."""
    p = Path(path)
    return replace(wpra_from_dict(read_yaml_mapping(p), file=str(p)), path=p)


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

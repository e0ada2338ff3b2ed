"""Break-even questions: the value of one input that gives a stated result.

Each question is a root of a continuous function of one input, found with
:func:`scipy.optimize.brentq` on the engine (:func:`tariffmodel.evaluate`): a grid of the
input is evaluated first in one vectorised call to find a bracket, then the root is refined.
Every answer is substituted back into the engine and checked before it is returned.

- :func:`loss_breakeven`: the Actual Losses AL_{t-1} at which LOSS_t reaches its cap, on the
  reward side (+Cap_t, losses below target) and the penalty side (-Cap_t). AL is moved through
  RBS of year t-1: ``AL = 1 - RUD/RBS``, so ``RBS = RUD/(1 - AL)``.
- :func:`x_breakeven`: the X factor (``notified.X``, every year) at which MADR of a year (the
  last modelled one by default) equals a stated amount.
- :func:`recovery_breakeven`: the revenue recovery ratio ARDR/MADR (the input column
  ``recovery``, the same in every modelled year, with the scenario's own ARDR of the modelled
  years set aside) at which paragraph 3 (above it) and paragraph 5 (below it) are triggered.
- :func:`kpi_breakeven`: the KPI score WS_{t-1} at which CS_t saturates (KS_t reaches
  1 + CAP_t or 1 - CAP_t).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel.analysis.montecarlo import load
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.fields import NOTIFIED_FIELDS
from tariffmodel.licence import schedule2 as f
from tariffmodel.licence.terms import TESTS

#: Relative tolerance of every answer, checked by substituting it back.
TOLERANCE = 1e-6


def _bracket(xs: np.ndarray, fs: np.ndarray, prefer: str = "first") -> tuple[float, float] | None:
    """The first (or last) pair of neighbouring grid points where ``fs`` changes sign."""
    s = np.sign(fs)
    exact = np.flatnonzero(s == 0)
    change = np.flatnonzero(s[:-1] * s[1:] < 0)
    cands = sorted([(i, i) for i in exact] + [(i, i + 1) for i in change])
    if not cands:
        return None
    i, j = cands[0] if prefer == "first" else cands[-1]
    return float(xs[i]), float(xs[j])


def _solve(f: Callable[[float], float], lo: float, hi: float) -> float:
    """Root of ``f`` in [lo, hi] to machine precision (brentq)."""
    if lo == hi:
        return lo
    from scipy.optimize import brentq  # heavy: only when a break-even is searched

    return float(brentq(f, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=200))


def _check_year(sc, year, *, key: str = "year") -> int:
    if year is None:
        return sc.years[-1]
    if int(year) not in sc.years:
        raise InputError(
            f"not a modelled year; modelled years are {sc.years[0]}-{sc.years[-1]}",
            key=key,
            year=int(year),
        )
    return int(year)


def _verify(got: float, want: float, what: str, year: int) -> None:
    if not abs(got - want) <= TOLERANCE * max(1.0, abs(want)):
        raise InputError(  # pragma: no cover - a guard: the engine is not continuous here
            f"no break-even found: substituted back, {what} is {got!r}, not {want!r}", year=year
        )


# --------------------------------------------------------------------------------------------
# losses


def loss_breakeven(scenario, *, readings: dict | None = None, grid: int = 401) -> pd.DataFrame:
    """Actual Losses AL_{t-1} at which LOSS_t reaches its cap, for every modelled year.

    .. math:: BL_t(AL) = RUD_{t-1} \\, p_t \\, (TL_{t-1} - AL) \\, D_t = \\pm Cap_t,
              \\quad Cap_t = share \\times DB_t

    Paragraph 1(b). AL is moved through RBS of year t-1 (``RBS = RUD / (1 - AL)``); RUD and
    everything else stay as in the scenario.

    Parameters
    ----------
    scenario : Scenario or path
    readings : dict, optional
        Readings to use instead of the scenario's (e.g. ``{"loss_deadband": "every_year"}``).
    grid : int
        Points of the first, vectorised scan of AL over [-1, 0.99].

    Returns
    -------
    DataFrame
        Per year: ``year``, ``AL`` (the scenario's AL_{t-1}), ``TL``, ``BAND``, ``cap``
        [RO], ``AL_reward_cap`` and ``RBS_reward_cap`` (LOSS_t = +Cap_t at and below this
        AL [fraction], [kWh]), ``AL_penalty_cap`` and ``RBS_penalty_cap`` (LOSS_t = -Cap_t at
        and above it). NaN where the cap is not reached for AL in [-1, 0.99].
    """
    sc = load(scenario)
    years = list(sc.years)
    rud = np.array([sc.rows[y - 1]["RUD"] for y in years], dtype=float)
    base = tm.evaluate(sc, readings=readings)
    cap = base["loss_cap"][0]
    als = np.linspace(-1.0, 0.99, grid)
    targets = [f"inputs.RBS@{y - 1}" for y in years]
    scan = tm.evaluate(
        sc,
        overrides={t: f.bulk_supplies_for_losses(rud[j], als) for j, t in enumerate(targets)},
        n=als.size,
        readings=readings,
    )["BL"]
    rows = []
    for j, y in enumerate(years):

        def bl(al, j=j):
            res = tm.evaluate(
                sc,
                overrides={targets[j]: np.array([f.bulk_supplies_for_losses(rud[j], al)])},
                n=1,
                readings=readings,
            )
            return float(res["BL"][0, j]), float(res["LOSS"][0, j])

        found = {}
        for side, sign in (("reward", 1.0), ("penalty", -1.0)):
            br = _bracket(als, scan[:, j] - sign * cap[j], prefer="last" if sign > 0 else "first")
            if br is None:
                found[side] = (math.nan, math.nan)
                continue
            al = _solve(lambda a, s=sign, j=j: bl(a)[0] - s * cap[j], *br)
            _verify(bl(al)[1], sign * cap[j], f"LOSS_{y}", y)
            found[side] = (al, f.bulk_supplies_for_losses(rud[j], al))
        rows.append(
            {
                "year": y,
                "AL": float(base["AL"][0, j]),
                "TL": float(base["TL"][0, j]),
                "BAND": float(base["BAND"][0, j]),
                "cap": float(cap[j]),
                "AL_reward_cap": found["reward"][0],
                "RBS_reward_cap": found["reward"][1],
                "AL_penalty_cap": found["penalty"][0],
                "RBS_penalty_cap": found["penalty"][1],
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# X


def _x_absent(sc, year: int) -> str:
    """Why X does not enter MADR of ``year``: the years up to it in which a and c are notified
    (X enters only through a_t and c_t rolled forward by CPI_t - X_Dt)."""
    upto = [y for y in sc.years if y <= year]
    both = [
        y
        for y in upto
        if not (math.isnan(sc.notified_value("a", y)) or math.isnan(sc.notified_value("c", y)))
    ]
    if both == upto:
        years = str(upto[0]) if len(upto) == 1 else f"{upto[0]}-{upto[-1]}"
        return (
            f" (X does not enter it: a and c are notified for {years}, so neither rolls forward "
            f"by CPI - X up to {year})"
        )
    return " (X does not enter it)"


def x_breakeven(
    scenario, madr: float, year: int | None = None, *, bounds=None, grid: int = 201
) -> float:
    """The X factor [fraction] at which MADR of ``year`` (default the last) equals ``madr`` [RO].

    X is ``notified.X``, the same in every modelled year (paragraph 1(a): a_t and c_t roll
    forward by ``1 + CPI_t - X_Dt`` in years the Authority does not notify them).

    Raises InputError when no X in ``bounds`` (default: the range a scenario file may hold,
    -0.2 to 0.5) gives that MADR (the message gives the range of MADR over the bounds).
    """
    sc = load(scenario)
    year = _check_year(sc, year)
    j = sc.years.index(year)
    want = float(madr)
    if not math.isfinite(want):
        raise InputError("the stated MADR must be a finite number [RO]", key="madr")
    if bounds is None:  # the values a scenario file may hold
        spec = NOTIFIED_FIELDS["X"][0]
        bounds = (spec.minimum, spec.maximum)
    xs = np.linspace(float(bounds[0]), float(bounds[1]), grid)
    scan = tm.evaluate(sc, overrides={"notified.X": xs}, n=xs.size)["MADR"][:, j]
    br = _bracket(xs, scan - want)
    if br is None:
        raise InputError(
            f"no X in [{bounds[0]:g}, {bounds[1]:g}] gives MADR_{year} = {want:,.2f}: over that "
            f"range MADR_{year} runs from {scan.min():,.2f} to {scan.max():,.2f}"
            + (_x_absent(sc, year) if np.ptp(scan) == 0 else ""),
            key="madr",
            year=year,
        )

    def f(x):
        return float(tm.evaluate(sc, overrides={"notified.X": np.array([x])}, n=1)["MADR"][0, j])

    x = _solve(lambda x: f(x) - want, *br)
    _verify(f(x), want, f"MADR_{year}", year)
    return x


# --------------------------------------------------------------------------------------------
# revenue recovery


def without_given_ardr(scenario):
    """The scenario with ARDR of the modelled years removed, so that ``recovery`` applies."""
    d = scenario.to_dict()
    hist = scenario.history_year
    for row in d["inputs"]:
        if row["year"] != hist:
            row.pop("ARDR", None)
    return tm.scenario_from_dict(d, file=getattr(scenario, "_file", "<memory>"))


def recovery_breakeven(scenario, *, bounds=(0.0, 2.0), grid: int = 201) -> pd.DataFrame:
    """The recovery ratio ARDR/MADR [fraction] at which paragraphs 3, 4 and 5 are triggered.

    The ratio is the input column ``recovery``, the same in every modelled year; the scenario's
    own ARDR of the modelled years is set aside (``ARDR_t = recovery x MADR_t``).

    .. math:: \\text{para 3: } ARDR_t > 1.03 \\, MADR_t \\qquad
              \\text{para 4: } e_{t-1} + e_t > 0.04 \\, MADR_t \\qquad
              \\text{para 5: } ARDR_s < 0.9 \\, MADR_s \\text{ for } s = t-1, t

    with e = ARDR - MADR, its positive part under reading R3 ``positive_part`` (the
    scenario's reading R3 is used).

    Returns
    -------
    DataFrame
        Per year: ``para3_above`` (paragraph 3 holds for every ratio above it),
        ``para4_above`` (the two-year excess passes 4 % of MADR_t for every ratio above it) and
        ``para5_below`` (paragraph 5 holds for every ratio below it); NaN where the test cannot
        turn within the bounds (e.g. paragraph 5 in the first modelled year when the history
        year was not below 90 %).
    """
    sc = without_given_ardr(load(scenario))
    years = list(sc.years)
    hist = sc.rows[sc.history_year]
    hist_ratio = hist["ARDR"] / hist["MADR"]
    xs = np.linspace(float(bounds[0]), float(bounds[1]), grid)

    def ratios(res):
        r = res["ARDR"] / res["MADR"]  # (n, T)
        prev = np.concatenate([np.full((r.shape[0], 1), hist_ratio), r[:, :-1]], axis=1)
        return r, prev

    net = sc.readings["para4_excess"] == "net"

    def excess_margin(res):
        # (e_{t-1} + e_t) / MADR_t - 0.04, e = ARDR - MADR (positive part unless R3 is net)
        a, m = res["ARDR"], res["MADR"]
        a0 = np.concatenate([np.full((a.shape[0], 1), hist["ARDR"]), a[:, :-1]], axis=1)
        m0 = np.concatenate([np.full((m.shape[0], 1), hist["MADR"]), m[:, :-1]], axis=1)
        e0, e1 = a0 - m0, a - m
        if not net:
            e0, e1 = np.maximum(e0, 0.0), np.maximum(e1, 0.0)
        return (e0 + e1) / m - TESTS["para4"].threshold

    def margins(res):
        r, prev = ratios(res)
        return r - 1.03, np.maximum(prev, r) - 0.9, excess_margin(res)

    scan3, scan5, scan4 = margins(tm.evaluate(sc, overrides={"inputs.recovery": xs}, n=xs.size))

    def at(x):
        res = tm.evaluate(sc, overrides={"inputs.recovery": np.array([x])}, n=1)
        m3, m5, m4 = margins(res)
        return m3[0], m5[0], m4[0]

    rows = []
    for j, y in enumerate(years):
        out = {"year": y}
        for name, scan, idx, flag in (
            ("para3_above", scan3, 0, "para3"),
            ("para4_above", scan4, 2, "para4"),
            ("para5_below", scan5, 1, "para5"),
        ):
            br = _bracket(xs, scan[:, j])
            if br is None:
                out[name] = math.nan
                continue
            x = _solve(lambda x, idx=idx, j=j: float(at(x)[idx][j]), *br)
            _verify(float(at(x)[idx][j]), 0.0, f"the {flag} margin", y)
            out[name] = x
        rows.append(out)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# customer satisfaction


def kpi_breakeven(scenario, *, grid: int = 201) -> pd.DataFrame:
    """The KPI score WS_{t-1} at which CS_t saturates, for every modelled year.

    .. math:: KS_t = \\mathrm{clip}(WS_{t-1}/TS_{t-1}, 1 - CAP_t, 1 + CAP_t)
              \\Rightarrow WS^*_{t-1} = TS_{t-1} (1 \\pm CAP_t)

    Paragraph 1(d). The root is found on the unclamped ratio WS_{t-1}/TS_{t-1} that the engine
    reports (``WS_prev``, ``TS_prev``), and checked on KS_t.

    Returns
    -------
    DataFrame
        Per year: ``year``, ``TS`` (TS_{t-1}), ``CAP``, ``WS_upper`` (CS_t is at its maximum
        for every score at or above it), ``CS_max`` [RO], ``WS_lower`` (at its minimum at or
        below it), ``CS_min`` [RO].
    """
    sc = load(scenario)
    years = list(sc.years)
    targets = [f"inputs.WS@{y - 1}" for y in years]
    ts = np.array([sc.notified_value("TS", y - 1) for y in years])
    cap = np.array([sc.notified_value("CAP", y) for y in years])
    hi = float(np.max(ts * (1.0 + cap))) * 2.0 + 1.0
    ws = np.linspace(0.0, hi, grid)
    scan = tm.evaluate(sc, overrides={t: ws for t in targets}, n=ws.size)
    ratio = scan["WS_prev"] / scan["TS_prev"]
    rows = []
    for j, y in enumerate(years):

        def run(w, j=j):
            return tm.evaluate(sc, overrides={targets[j]: np.array([w])}, n=1)

        out = {"year": y, "TS": float(ts[j]), "CAP": float(cap[j])}
        for side, level in (("upper", 1.0 + cap[j]), ("lower", 1.0 - cap[j])):
            br = _bracket(ws, ratio[:, j] - level)
            if br is None:  # pragma: no cover - the scan spans both ends by construction
                out[f"WS_{side}"], out[f"CS_{'max' if side == 'upper' else 'min'}"] = (
                    math.nan,
                    math.nan,
                )
                continue

            def f(w, j=j):
                res = run(w)
                return float(res["WS_prev"][0, j] / res["TS_prev"][0, j])

            w = _solve(lambda w, level=level: f(w) - level, *br)
            res = run(w)
            _verify(float(res["KS"][0, j]), float(level), f"KS_{y}", y)
            out[f"WS_{side}"] = w
            out[f"CS_{'max' if side == 'upper' else 'min'}"] = float(res["CS"][0, j])
        rows.append(out)
    return pd.DataFrame(rows)

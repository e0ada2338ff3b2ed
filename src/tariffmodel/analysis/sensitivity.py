"""What drives MADR: one-way (tornado, spider), two-way grids, Sobol and Morris.

Every method builds all of its variants of the scenario as rows of override arrays and
evaluates them in one call of the vectorised engine (:func:`tariffmodel.evaluate`); no method
loops over scenarios in Python. Targets are those of the engine (``inputs.COL``,
``inputs.COL@YEAR``, ``notified.KEY``, ``notified.KEY@YEAR``; see
:func:`tariffmodel.targets`); a value given for a target *replaces* the scenario's value, and
``inputs.COL`` or ``notified.KEY`` without a year sets the same value in every year the model
uses it.

The value studied is MADR or any column of the engine (``value="LOSS"``, ``"CS"``, ...), per
modelled year and over the period: ``period`` is the sum over the modelled years [RO] (plain,
undiscounted).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel.analysis.montecarlo import (
    DrawsSpec,
    as_spec,
    check_n,
    check_seed,
    check_targets,
    evaluate_chunked,
    load,
    split_target,
)
from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.fields import AMOUNT_COLUMNS, NOTIFIED_FIELDS
from tariffmodel.model.engine import EXTRA_COLUMNS, MADR_COLUMNS

PERIOD = "period"


# --------------------------------------------------------------------------------------------
# base values of targets


def base_value(scenario, target: str):
    """The scenario's own value of a target, as one number, an array of shape (T,) for
    ``inputs.COL`` that differs by year, or None when it has no fixed value (it follows the
    model: ARDR of a year where it is not given is MADR, a/c/p of a year where they roll
    forward, WS of a year without a score, a Notified Value that differs by year).

    >>> from tariffmodel.analysis.montecarlo import example_scenario
    >>> base_value(example_scenario(), "notified.X")
    0.015
    """
    sc = scenario
    section, key, year = split_target(target, key_prefix="")
    if section == "inputs":
        defaults = dict.fromkeys(AMOUNT_COLUMNS, 0.0) | {"DNS": 0.0}
        if year is None:
            vals = [sc.rows[y].get(key, defaults.get(key)) for y in sc.years]
            if any(v is None or _isnan(v) for v in vals):
                return None
            vals = np.asarray(vals, dtype=float)
            return float(vals[0]) if np.all(vals == vals[0]) else vals
        v = sc.rows.get(year, {}).get(key, defaults.get(key))
        return None if v is None or _isnan(v) else float(v)
    keyed = NOTIFIED_FIELDS[key][1] if key in NOTIFIED_FIELDS else "scalar"
    if year is not None or keyed == "scalar":
        v = sc.notified_value(key, year)
        return None if _isnan(v) else float(v)
    if keyed == "own":
        used = range(sc.history_year, sc.years[-1])
    else:
        used = sc.years
    vals = [sc.notified_value(key, y) for y in used]
    if key in ("a", "c", "p"):  # only the notified years are replaced (the rest roll forward)
        vals = [v for v in vals if not _isnan(v)]
    if not vals or any(_isnan(v) for v in vals) or any(v != vals[0] for v in vals):
        return None
    return float(vals[0])


def _isnan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _fill(base, n: int, T: int) -> np.ndarray:
    """An override array of ``n`` rows holding a base value (scalar -> (n,), vector -> (n, T))."""
    if np.ndim(base) == 0:
        return np.full(n, float(base))
    return np.tile(np.asarray(base, dtype=float), (n, 1))


# --------------------------------------------------------------------------------------------
# values and the period


def _check_value(value: str, result: Mapping[str, np.ndarray] | None = None) -> str:
    allowed = [c for c in (*MADR_COLUMNS[1:], *EXTRA_COLUMNS)]
    if value not in allowed:
        raise InputError(
            f"unknown value '{value}'{did_you_mean(value, allowed)}; use MADR or a column of "
            "madr.csv",
            key="value",
        )
    return value


def _per_year(values: np.ndarray, years: Sequence[int]) -> dict[str, np.ndarray]:
    """Year (as text) -> values, and ``period``: the sum over the years."""
    v = np.asarray(values, dtype=float)
    cols = {str(y): v[:, j] for j, y in enumerate(years)}
    cols[PERIOD] = v.sum(axis=1)
    return cols


def year_key(year, years) -> str:
    """The column of a year in these tables: the year as text, ``period``, or for None the last
    modelled year; anything else is an error.

    >>> year_key(None, [2026, 2027]), year_key("period", [2026]), year_key(2026, [2026])
    ('2027', 'period', '2026')
    """
    if year is None:
        return str(years[-1])
    if str(year) == PERIOD:
        return PERIOD
    if int(year) not in years:
        raise InputError(
            f"not a modelled year; modelled years are {years[0]}-{years[-1]} (or 'period')",
            key="year",
            year=int(year),
        )
    return str(int(year))


# --------------------------------------------------------------------------------------------
# one-way


def tornado(
    scenario, ranges: Mapping[str, Sequence[float]], *, value: str = "MADR"
) -> pd.DataFrame:
    """One-way sensitivity: each target at its low and high value, the others at base.

    Parameters
    ----------
    scenario : Scenario or path
    ranges : mapping
        Target -> (low, high) [units of the target].
    value : str
        The engine column studied (default MADR) [RO for money].

    Returns
    -------
    DataFrame
        One row per target and year (``year`` is the year as text, or ``period`` for the sum
        over the modelled years): ``target``, ``year``, ``low``, ``high`` (the inputs),
        ``base``, ``at_low``, ``at_high`` (the value) and ``swing = |at_high - at_low|``.
        Sorted by year, then by swing, largest first.

    Notes
    -----
    Every target with a fixed base value (:func:`base_value`) is evaluated in one engine call
    (2 rows per target plus the base); a target without one (it follows the model, e.g. ARDR
    of a year where it is not given), or one that sets a value another target sets too
    (``inputs.CA`` beside ``inputs.CA@2027``), gets a call of its own, so that the others keep
    the model's value.
    """
    sc = load(scenario)
    value = _check_value(value)
    targets = check_targets(list(ranges), sc, key_prefix="ranges.", overlap=True)
    lows, highs = {}, {}
    for t in targets:
        pair = ranges[t]
        try:
            lo, hi = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InputError(
                "give a low and a high value, e.g. [0.9e6, 1.1e6]", key=f"ranges.{t}"
            ) from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError("low and high must be finite numbers", key=f"ranges.{t}")
        lows[t], highs[t] = lo, hi
    bases = {t: base_value(sc, t) for t in targets}
    # one call for the targets with a fixed base; a target without one, or one that overlaps
    # another (inputs.CA and inputs.CA@2027 both set CA in 2027), gets a call of its own
    fixed, loose, keys = [], [], set()
    for t in targets:
        key = split_target(t)[:2]
        if bases[t] is None or key in keys:
            loose.append(t)
        else:
            fixed.append(t)
            keys.add(key)
    T = len(sc.years)
    # one call: two rows per target with a fixed base, and the base itself in the last row
    n = 2 * len(fixed) + 1
    overrides = {t: _fill(bases[t], n, T) for t in fixed}
    for j, t in enumerate(fixed):
        overrides[t][2 * j] = lows[t]
        overrides[t][2 * j + 1] = highs[t]
    res = tm.evaluate(sc, overrides=overrides or None, n=n)[value]
    base_res = res[-1:]
    at: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for j, t in enumerate(fixed):
        at[t] = (res[2 * j], res[2 * j + 1])
    for t in loose:
        res = tm.evaluate(sc, overrides={t: np.array([lows[t], highs[t]])}, n=2)[value]
        at[t] = (res[0], res[1])
    base_cols = _per_year(base_res, sc.years)
    rows = []
    for t in targets:
        lo_cols = _per_year(at[t][0][None, :], sc.years)
        hi_cols = _per_year(at[t][1][None, :], sc.years)
        for k in base_cols:
            a, b = float(lo_cols[k][0]), float(hi_cols[k][0])
            rows.append((t, k, lows[t], highs[t], float(base_cols[k][0]), a, b, abs(b - a)))
    table = pd.DataFrame(
        rows, columns=["target", "year", "low", "high", "base", "at_low", "at_high", "swing"]
    )
    order = {k: i for i, k in enumerate(base_cols)}
    table["_o"] = table["year"].map(order)
    table = table.sort_values(["_o", "swing"], ascending=[True, False], kind="stable")
    return table.drop(columns="_o").reset_index(drop=True)


def ranges_from_draws(
    draws, low: float = 5.0, high: float = 95.0
) -> dict[str, tuple[float, float]]:
    """Low and high values of each target of a draws file: its ``low`` and ``high``
    percentiles [%] (default the 5th and 95th).

    >>> ranges_from_draws({"draws": {"notified.X": {"dist": "uniform", "loc": 0, "scale": 1}}})
    {'notified.X': (0.05, 0.95)}
    """
    spec = as_spec(draws)
    if not 0.0 <= low < high <= 100.0:
        raise InputError("percentiles must satisfy 0 <= low < high <= 100", key="percentiles")
    out = {}
    for t, d in spec.distributions.items():
        q = d.ppf(np.array([low, high]) / 100.0)
        out[t] = (float(q[0]), float(q[1]))
    return out


def spider(
    scenario,
    targets: Iterable[str],
    deltas: Sequence[float] = (-0.2, -0.15, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2),
    *,
    value: str = "MADR",
) -> pd.DataFrame:
    """Spider: each target scaled by ``1 + delta`` from its base value, the others at base.

    Parameters
    ----------
    scenario : Scenario or path
    targets : list of str
        Targets with a fixed base value (:func:`base_value`).
    deltas : sequence of float
        Relative changes [fraction]: -0.1 is 10 % below base.
    value : str
        The engine column studied (default MADR).

    Returns
    -------
    DataFrame
        ``target``, ``delta``, ``input`` (the value set; NaN where the base differs by year),
        then one column per modelled year and ``period`` (the sum).
    """
    sc = load(scenario)
    value = _check_value(value)
    targets = check_targets(list(targets), sc, key_prefix="spider.")
    deltas = np.asarray(deltas, dtype=float)
    if deltas.ndim != 1 or deltas.size == 0 or not np.all(np.isfinite(deltas)):
        raise InputError("deltas must be a list of finite numbers", key="deltas")
    bases = {}
    for t in targets:
        b = base_value(sc, t)
        if b is None:
            raise InputError(
                "has no fixed base value to scale (it follows the model or differs by year); "
                "use tornado with explicit values instead",
                key=f"spider.{t}",
            )
        bases[t] = b
    m, T = deltas.size, len(sc.years)
    n = m * len(targets)
    overrides = {t: _fill(bases[t], n, T) for t in targets}
    for j, t in enumerate(targets):
        block = slice(j * m, (j + 1) * m)
        overrides[t][block] = np.multiply.outer(1.0 + deltas, np.asarray(bases[t], dtype=float))
    res = tm.evaluate(sc, overrides=overrides, n=n)[value]
    cols = _per_year(res, sc.years)
    frame = pd.DataFrame(
        {
            "target": np.repeat(targets, m),
            "delta": np.tile(deltas, len(targets)),
            "input": np.concatenate(
                [
                    (1.0 + deltas) * bases[t] if np.ndim(bases[t]) == 0 else np.full(m, np.nan)
                    for t in targets
                ]
            ),
            **cols,
        }
    )
    return frame


# --------------------------------------------------------------------------------------------
# two-way


def grid(
    scenario,
    x: str,
    x_values: Sequence[float],
    y: str,
    y_values: Sequence[float],
    *,
    value: str = "MADR",
    year=None,
) -> pd.DataFrame:
    """Two-way grid: ``value`` in one year (or ``period``) for every pair of two targets.

    Parameters
    ----------
    scenario : Scenario or path
    x, y : str
        The two targets.
    x_values, y_values : sequence of float
        Their values [units of each target].
    value : str
        The engine column (default MADR).
    year : int or 'period', optional
        Default the last modelled year.

    Returns
    -------
    DataFrame
        Rows indexed by the y values, columns by the x values (both indexes named after their
        target); ``attrs`` hold ``year`` and ``value``.
    """
    sc = load(scenario)
    value = _check_value(value)
    check_targets([x, y], sc, key_prefix="grid.")
    key = year_key(year, sc.years)
    xv = _values(x_values, x)
    yv = _values(y_values, y)
    xx, yy = np.meshgrid(xv, yv)  # (len(y), len(x))
    n = xx.size
    res = tm.evaluate(sc, overrides={x: xx.ravel(), y: yy.ravel()}, n=n)[value]
    out = _per_year(res, sc.years)[key].reshape(xx.shape)
    frame = pd.DataFrame(out, index=pd.Index(yv, name=y), columns=pd.Index(xv, name=x))
    frame.attrs.update(year=key, value=value)  # what the cells are, for a figure's title
    return frame


def _values(values, target) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise InputError("give a list of finite numbers", key=f"grid.{target}")
    return v


# --------------------------------------------------------------------------------------------
# global: Sobol and Morris (SALib)


def _independent(spec: DrawsSpec, method: str) -> None:
    if spec.correlation is not None and not np.allclose(
        spec.correlation, np.eye(len(spec.targets))
    ):
        raise InputError(
            f"{method} indices assume independent inputs: remove 'correlation' from the draws "
            "file (use monte_carlo for correlated draws)",
            file=spec.file,
            key="correlation",
        )


def _problem(spec: DrawsSpec) -> dict[str, Any]:
    k = len(spec.targets)
    return {"num_vars": k, "names": spec.targets, "bounds": [[0.0, 1.0]] * k}


def _unit_to_values(spec: DrawsSpec, u: np.ndarray, *, morris: bool) -> dict[str, np.ndarray]:
    """Map unit-cube samples to target values through each distribution's quantile function.

    Sobol: the open unit interval (0 and 1 nudged in by 1e-12 where the support is infinite).
    Morris: the whole support where it is finite; an infinite end is replaced by the 1st or
    99th percentile, so that every level is a finite value.
    """
    out = {}
    for j, (t, d) in enumerate(spec.distributions.items()):
        lo_s, hi_s = d.support()
        lo_q = 0.0 if math.isfinite(lo_s) else (0.01 if morris else 1e-12)
        hi_q = 1.0 if math.isfinite(hi_s) else (0.99 if morris else 1.0 - 1e-12)
        q = u[:, j]
        q = lo_q + (hi_q - lo_q) * q if morris else np.clip(q, lo_q, hi_q)
        out[t] = d.ppf(q)
    return out


def _outputs(
    res: Mapping[str, np.ndarray], outputs: Sequence[str], years
) -> list[tuple[str, str, np.ndarray]]:
    items = []
    for name in outputs:
        for k, v in _per_year(res[name], years).items():
            items.append((name, k, v))
    return items


def _setup(scenario, draws, seed, outputs, method: str):
    """Scenario, checked draws spec (independent targets), seed, outputs and SALib problem."""
    sc = load(scenario)
    spec = as_spec(draws, sc)
    _independent(spec, method)
    seed = check_seed(seed if seed is not None else spec.seed)
    outputs = [_check_value(o) for o in outputs]
    return sc, spec, seed, outputs, _problem(spec)


def _run(sc, spec: DrawsSpec, u: np.ndarray, outputs, *, morris: bool):
    """Evaluate the unit-cube samples ``u`` in the engine; (output, year, values) triples."""
    values = _unit_to_values(spec, u, morris=morris)
    res = evaluate_chunked(sc, values, u.shape[0], columns=outputs)
    return _outputs(res, outputs, sc.years)


def _table(items, targets, analyse, stats) -> pd.DataFrame:
    """Run ``analyse`` (a SALib analysis) on every output's values, in threads (its bootstrap
    is numpy work), and gather one row per output, year and target. An output that does not
    vary at all gets 0 for every statistic: no target drives it."""
    from concurrent.futures import ThreadPoolExecutor

    def one(y):
        if np.all(y == y[0]):
            return dict.fromkeys(stats, np.zeros(len(targets)))
        return analyse(np.ascontiguousarray(y))

    with ThreadPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
        results = list(pool.map(one, [y for _, _, y in items]))
    rows = [
        (name, key, t, *(float(si[s][j]) for s in stats))
        for (name, key, _), si in zip(items, results, strict=True)
        for j, t in enumerate(targets)
    ]
    return pd.DataFrame(rows, columns=["output", "year", "target", *stats])


def sobol(
    scenario,
    draws,
    base_samples: int = 1024,
    seed: int | None = None,
    *,
    outputs: Sequence[str] = ("MADR",),
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Sobol first- and total-order indices (SALib, Saltelli/Jansen estimators).

    Parameters
    ----------
    scenario : Scenario or path
    draws : DrawsSpec, mapping or path
        The targets and their distributions (the draws-file syntax of
        :mod:`tariffmodel.analysis.montecarlo`); no correlation (the indices assume independence).
    base_samples : int
        N, a power of 2; the engine evaluates N x (k + 2) scenarios in one call.
    seed : int, optional
        Seeds the scrambled Sobol sequence and the bootstrap (default the file's seed).
    outputs : sequence of str
        Engine columns to analyse (default MADR), each per year and over the period.

    Returns
    -------
    DataFrame
        ``output``, ``year`` (text, or ``period``), ``target``, ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (confidence half-widths at ``conf_level``). An output that does not vary
        at all gets 0 for every index (no target drives it).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    base_samples = check_n(base_samples, key="base_samples")
    if base_samples & (base_samples - 1):
        raise InputError(
            f"must be a power of 2 (Sobol sequences), e.g. {1 << base_samples.bit_length()}",
            key="base_samples",
        )
    sc, spec, seed, outputs, problem = _setup(scenario, draws, seed, outputs, "Sobol")
    u = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)

    def analyse(y):
        return sobol_analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )

    items = _run(sc, spec, u, outputs, morris=False)
    return _table(items, spec.targets, analyse, ("S1", "S1_conf", "ST", "ST_conf"))


def morris(
    scenario,
    draws,
    trajectories: int = 20,
    seed: int | None = None,
    *,
    num_levels: int = 4,
    outputs: Sequence[str] = ("MADR",),
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Morris elementary-effects screening (SALib).

    Each target moves over levels of its quantile scale: its whole support where that is finite,
    its 1st to 99th percentile at an infinite end. Elementary effects are per unit of that scale
    (the whole range = 1), so ``mu_star`` is in the output's unit [RO] and comparable across
    targets.

    Returns
    -------
    DataFrame
        ``output``, ``year``, ``target``, ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    trajectories = check_n(trajectories, key="trajectories")
    if trajectories < 2:
        raise InputError(
            "must be at least 2 (sigma needs two effects per target)", key="trajectories"
        )
    num_levels = check_n(num_levels, key="num_levels")
    if num_levels < 2 or num_levels % 2:
        raise InputError("must be an even number of at least 2", key="num_levels")
    sc, spec, seed, outputs, problem = _setup(scenario, draws, seed, outputs, "Morris")
    u = morris_sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)

    def analyse(y):
        return morris_analyze.analyze(
            problem,
            u,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=num_levels,
            seed=seed,
        )

    items = _run(sc, spec, u, outputs, morris=True)
    return _table(items, spec.targets, analyse, ("mu", "mu_star", "sigma", "mu_star_conf"))

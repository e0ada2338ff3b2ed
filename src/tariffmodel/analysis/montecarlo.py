"""Monte Carlo over uncertain inputs: draws files, distributions, a Gaussian copula, statistics.

A *draws file* (YAML; its format and checks in :mod:`tariffmodel.inputs.draws`) names the
uncertain quantities of a scenario and their distributions.

A target is ``inputs.COLUMN`` (one draw per scenario, applied to every modelled year),
``inputs.COLUMN@YEAR`` (one year), ``notified.KEY`` (every entry of the Notified Value the model
uses) or ``notified.KEY@YEAR``. A draw *replaces* the scenario's value, unless it says
``relative: add`` (it is added to the scenario's own value of each year it covers) or
``relative: multiply`` (it multiplies it): a relative file serves every scenario, and
:func:`far_from_scenario` warns of an absolute draw whose median is far from the scenario's
value. A distribution is any
continuous distribution of ``scipy.stats`` by name, with its own keyword parameters (shape
parameters, ``loc``, ``scale``). A ``scale`` of 0 is a point mass at ``loc`` (a distribution of
zero width), for which scipy itself has no name.

Draws are made through the copula: standard normal scores ``Z`` (correlated by the matrix where
one is given, independent otherwise) are mapped to each distribution by its quantile function,
``x = F^-1(Phi(z))``. The correlation is that of the normal scores, not of the drawn values.
Every scenario of a run is evaluated by the vectorised engine (:func:`tariffmodel.evaluate`),
in chunks of at most ``chunk`` draws to bound memory; the chunking does not change the numbers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel.inputs import draws as draws_file
from tariffmodel.inputs.draws import (  # noqa: F401 - re-exported: the public names stay here
    DRAW_PARAMETER_MAX,
    N_MAX,
    TARGET_RE,
    TOP_KEYS,
    Distribution,
    DrawsSpec,
    check_correlation,
    check_n,
    check_seed,
    continuous_distributions,
    make_distribution,
    split_target,
    suggest,
)
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.fields import AMOUNT_COLUMNS, NOTIFIED_FIELDS
from tariffmodel.licence.terms import MADR_TERMS

PERCENTILES = (5.0, 50.0, 95.0)
STATS = ("mean", "std", "p5", "p50", "p95")
FLAGS = ("para3", "para4", "para5")
DEFAULT_CHUNK = 100_000
#: Draws of one target made and transformed at a time (scratch arrays that stay in cache).
SAMPLE_BLOCK = 65_536


# --------------------------------------------------------------------------------------------
# the draws file (read and checked by tariffmodel.inputs.draws), checked against a scenario


def valid_targets(scenario) -> list[str] | None:
    """The targets of ``scenario`` (None for no scenario)."""
    return None if scenario is None else list(tm.targets(scenario))


def check_targets(
    targets, scenario=None, *, file=None, key_prefix: str = "draws.", overlap: bool = False
) -> list[str]:
    """Check target names: their syntax, that the scenario knows them, that none overlap
    (see :func:`tariffmodel.inputs.draws.check_targets`)."""
    return draws_file.check_targets(
        targets, valid_targets(scenario), file=file, key_prefix=key_prefix, overlap=overlap
    )


def parse_draws(data: Any, *, scenario=None, file: str | None = None) -> DrawsSpec:
    """A :class:`DrawsSpec` from the mapping of a draws file; with ``scenario``, its targets
    are checked too (see :func:`tariffmodel.inputs.draws.parse_draws`)."""
    return draws_file.parse_draws(data, targets=valid_targets(scenario), file=file)


def load_draws(path: str | os.PathLike, scenario=None) -> DrawsSpec:
    """Read and check a draws file (YAML; ``1.3e9`` is a number). With ``scenario``, its
    targets are checked too."""
    return draws_file.load_draws(path, valid_targets(scenario))


def as_spec(draws, scenario=None) -> DrawsSpec:
    """A DrawsSpec from a spec, a mapping or a path; checked against ``scenario`` if given."""
    if isinstance(draws, DrawsSpec):
        return draws.checked_against(valid_targets(scenario)) if scenario is not None else draws
    if isinstance(draws, Mapping):
        return parse_draws(draws, scenario=scenario)
    return load_draws(draws, scenario)


# --------------------------------------------------------------------------------------------
# sampling


def correlation_factor(matrix: np.ndarray) -> np.ndarray:
    """A factor ``L`` with ``L @ L.T == matrix`` that also exists for singular matrices.

    >>> L = correlation_factor(np.array([[1.0, 1.0], [1.0, 1.0]]))
    >>> bool(np.allclose(L @ L.T, 1.0))
    True
    """
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(matrix)
        return v * np.sqrt(np.clip(w, 0.0, None))


def normal_scores(spec: DrawsSpec, n: int, seed: int | None) -> np.ndarray:
    """Standard normal scores, shape (targets, n), correlated as the spec says.

    Each target has its own stream, spawned from ``seed`` by its position in the draws file
    (:class:`numpy.random.SeedSequence`), so the streams are drawn in parallel and the numbers
    depend only on the seed and the file.
    """
    children = np.random.SeedSequence(seed).spawn(len(spec.distributions))
    z = np.empty((len(children), n))

    def fill(j):
        np.random.default_rng(children[j]).standard_normal(out=z[j])

    _threads(fill, range(len(children)), n * len(children))
    if spec.correlation is not None:
        z = correlation_factor(spec.correlation) @ z
    return z


def _threads(fn, items, size: int) -> list:
    """``[fn(i) for i in items]``, on threads when the work is large (numpy releases the GIL)."""
    items = list(items)
    if size < 200_000 or len(items) < 2:
        return [fn(i) for i in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
        return list(pool.map(fn, items))


def sample(
    draws, n: int | None = None, seed: int | None = None, scenario=None
) -> dict[str, np.ndarray]:
    """Draw every target: a dict target -> array of shape (n,) [units of the target].

    The same seed gives the same numbers.

    >>> x = sample({"draws": {"notified.X": {"dist": "uniform", "loc": 0.0, "scale": 0.02}}},
    ...            n=4, seed=0)
    >>> x["notified.X"].shape, bool(((x["notified.X"] >= 0) & (x["notified.X"] <= 0.02)).all())
    ((4,), True)
    """
    spec = as_spec(draws, scenario)
    n = check_n(n if n is not None else spec.n if spec.n is not None else 1000)
    seed = check_seed(seed if seed is not None else spec.seed)
    dists = list(spec.distributions.values())
    if spec.correlation is not None:  # the copula mixes the scores of all targets at once
        z = normal_scores(spec, n, seed)
        columns = _threads(lambda j: dists[j].from_normal(z[j]), range(len(dists)), z.size)
        return dict(zip(spec.distributions, columns, strict=True))
    # independent targets: each its own stream, drawn and transformed a block at a time (the
    # same numbers as normal_scores, without holding every score in memory)
    children = np.random.SeedSequence(seed).spawn(len(dists))

    def draw(j):
        rng, out = np.random.default_rng(children[j]), np.empty(n)
        for start in range(0, n, SAMPLE_BLOCK):
            stop = min(start + SAMPLE_BLOCK, n)
            out[start:stop] = dists[j].from_normal(rng.standard_normal(stop - start))
        return out

    columns = _threads(draw, range(len(dists)), n * len(dists))
    return dict(zip(spec.distributions, columns, strict=True))


# --------------------------------------------------------------------------------------------
# relative draws: the scenario's own values


def own_cells(scenario, target: str, *, key_prefix: str = "draws.") -> list[tuple[str, float]]:
    """The cells a target sets, each as a one-year target with the scenario's own value.

    ``inputs.COL`` covers every modelled year, ``notified.KEY`` every entry the model uses (for
    a, c and p only the years where they are notified; the others roll forward), a target with
    a year that year alone. A cell whose value follows the model (ARDR or WS not given) has no
    own value: an :class:`InputError` naming the target and the year.

    >>> own_cells(example_scenario(), "inputs.CA")
    [('inputs.CA@2026', 1300000.0), ('inputs.CA@2027', 1340000.0)]
    >>> own_cells(example_scenario(), "notified.p")
    [('notified.p@2026', 0.02)]
    """
    sc = scenario
    section, key, year = split_target(target, key_prefix=key_prefix)
    if section == "inputs":
        defaults = dict.fromkeys(AMOUNT_COLUMNS, 0.0) | {"DNS": 0.0, "recovery": 1.0}
        years = sc.years if year is None else [year]
        cells = [
            (f"inputs.{key}@{y}", sc.rows.get(y, {}).get(key, defaults.get(key))) for y in years
        ]
    else:
        keyed = NOTIFIED_FIELDS[key][1] if key in NOTIFIED_FIELDS else "scalar"
        if keyed == "scalar":
            cells = [(target, sc.notified_value(key))]
        else:
            if year is not None:
                years = [year]
            elif keyed == "own":
                years = list(range(sc.history_year, sc.years[-1]))
            else:
                years = list(sc.years)
            cells = [(f"notified.{key}@{y}", sc.notified_value(key, y)) for y in years]
            if year is None and key in ("a", "c", "p"):
                cells = [c for c in cells if not math.isnan(c[1])]
    for cell, value in cells:
        if value is None or math.isnan(float(value)):
            raise InputError(
                "a relative draw needs the scenario's own value, and this scenario has none here "
                "(the value follows the model); draw this target absolutely or leave it out",
                key=f"{key_prefix}{target}",
                year=int(cell.partition("@")[2]) if "@" in cell else None,
            )
    return [(cell, float(value)) for cell, value in cells]


def resolve_draws(
    scenario, spec: DrawsSpec, drawn: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The engine's overrides of drawn values: an absolute draw as it is, a relative one added
    to or multiplying the scenario's own value of each cell it covers (:func:`own_cells`).

    Returns
    -------
    overrides : dict
        Target -> values (n,).
    origin : dict
        Override target -> the draws target it comes from.
    """
    overrides: dict[str, np.ndarray] = {}
    origin: dict[str, str] = {}
    for target, x in drawn.items():
        mode = spec.distributions[target].relative
        if mode is None:
            overrides[target], origin[target] = x, target
            continue
        op = np.add if mode == "add" else np.multiply
        for cell, own in own_cells(scenario, target):
            overrides[cell] = op(own, x)
            origin[cell] = target
    return overrides, origin


#: An absolute draw is far from the scenario when its median is further from the scenario's
#: own value than this share of its 5-95 % width.
FAR_SHARE = 0.25


def far_from_scenario(scenario, spec: DrawsSpec) -> list[str]:
    """Warnings for the absolute draws whose median is far from the scenario's own value (more
    than :data:`FAR_SHARE` of the draw's 5th-95th percentile width away, or any difference for
    a point mass): such a draw replaces the scenario's value, so the band would sit around
    another scenario. A target whose value follows the model (no own value) is not judged."""
    out = []
    for target, d in spec.distributions.items():
        if d.relative:
            continue
        try:
            cells = own_cells(scenario, target)
        except InputError:
            continue
        p5, med, p95 = (float(v) for v in d.ppf(np.array([0.05, 0.5, 0.95])))
        allowed = FAR_SHARE * (p95 - p5)
        worst = max(cells, key=lambda c: abs(c[1] - med))
        gap = abs(worst[1] - med)
        if gap > allowed and gap > 1e-9 * max(1.0, abs(worst[1])):
            where = f" in {worst[0].partition('@')[2]}" if "@" in worst[0] else ""
            out.append(
                f"{target}: the absolute draw's median {med:.6g} is far from the scenario's own "
                f"value {worst[1]:.6g}{where} (5-95 % of the draw: {p5:.6g} to {p95:.6g}); an "
                "absolute draw replaces the scenario's value, so the band is not around this "
                "scenario: write 'relative: add' or 'relative: multiply' to draw around it"
            )
    return out


# --------------------------------------------------------------------------------------------
# statistics


def linear_percentiles(sorted_rows: np.ndarray, q) -> np.ndarray:
    """Percentiles of rows already sorted along the last axis, by numpy's default ``linear``
    method (the same numbers as :func:`numpy.percentile`), shape (len(q), rows).

    >>> linear_percentiles(np.array([[1.0, 2.0, 3.0, 4.0]]), [50]).tolist()
    [[2.5]]
    """
    a = np.asarray(sorted_rows, dtype=float)
    n = a.shape[-1]
    h = (n - 1) * (np.asarray(q, dtype=float) / 100.0)  # in numpy's order of operations
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    t = (h - lo)[:, None]
    x0 = np.take(a, lo, axis=-1).T
    x1 = np.take(a, hi, axis=-1).T
    diff = x1 - x0
    # numpy's _lerp: a + (b - a) t, or b - (b - a)(1 - t) from t = 0.5 on
    return np.where(t >= 0.5, x1 - diff * (1.0 - t), x0 + diff * t)


def summarise(values: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, standard deviation (of the draws, ddof 0) and the 5th, 50th and 95th percentiles
    (numpy's default linear method) over the draws axis of an (n, T) array; each shape (T,).

    >>> s = summarise(np.array([[1.0], [2.0], [3.0]]))
    >>> [float(s[k][0]) for k in ("mean", "p5", "p50", "p95")]
    [2.0, 1.1, 2.0, 2.9]
    """
    values = np.asarray(values, dtype=float)
    if values.strides[0] == 0:  # a broadcast row: the same in every draw
        row = values[0]
        zero = np.zeros_like(row)
        return {
            "mean": row.copy(),
            "std": zero,
            "p5": row.copy(),
            "p50": row.copy(),
            "p95": row.copy(),
        }
    xt = np.ascontiguousarray(values.T)  # (T, n): each year's draws contiguous
    T, n = xt.shape
    mean, std = np.empty(T), np.empty(T)
    pct = np.empty((len(PERCENTILES), T))
    buf = np.empty(n)  # one scratch row, reused: fresh memory costs more than the arithmetic
    for j, x in enumerate(xt):
        lo, hi = x.min(), x.max()
        if lo == hi:  # the same in every draw: exact, whatever the rounding of a sum
            mean[j], std[j], pct[:, j] = lo, 0.0, lo
            continue
        # numpy's own steps for mean and std (ddof 0), so the numbers are np.mean's and np.std's
        mean[j] = np.add.reduce(x) / n
        np.subtract(x, mean[j], out=buf)
        np.multiply(buf, buf, out=buf)
        std[j] = np.sqrt(np.add.reduce(buf) / n)
        buf[:] = x
        buf.sort()
        pct[:, j] = linear_percentiles(buf[np.newaxis], PERCENTILES)[:, 0]
    return {"mean": mean, "std": std, "p5": pct[0], "p50": pct[1], "p95": pct[2]}


def summary_table(outputs: Mapping[str, np.ndarray], years) -> pd.DataFrame:
    """The ``montecarlo.csv`` table: one row per year; for MADR, each term of MADR and ARDR
    (:func:`summary_columns`), ``COL_mean``, ``COL_std``, ``COL_p5``, ``COL_p50``, ``COL_p95``; and ``para3_prob``,
    ``para4_prob``, ``para5_prob``, the share of draws in which the paragraph is triggered."""
    cols: dict[str, Any] = {"year": np.asarray(list(years), dtype=int)}
    names = [c for c in summary_columns() if c in outputs]
    size = sum(int(np.asarray(outputs[c]).size) for c in names)
    stats = _threads(lambda c: summarise(outputs[c]), names, size)  # sorting releases the GIL
    for c, s in zip(names, stats, strict=True):
        for k in STATS:
            cols[f"{c}_{k}"] = s[k]
    for f in FLAGS:
        if f in outputs:
            cols[f"{f}_prob"] = np.asarray(outputs[f], dtype=bool).mean(axis=0)
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------------------------
# the run


@dataclass
class MonteCarloResult:
    """What :func:`monte_carlo` returns.

    Attributes
    ----------
    summary : DataFrame
        The ``montecarlo.csv`` table (see :func:`summary_table`).
    draws : dict
        target -> the drawn values, shape (n,).
    madr : ndarray
        MADR of every draw and year [RO], shape (n, T).
    outputs : dict or None
        Every engine column, shape (n, T), when asked for with ``keep_outputs=True``.
    """

    scenario: Any
    years: list[int]
    n: int
    seed: int | None
    spec: DrawsSpec
    summary: pd.DataFrame
    draws: dict[str, np.ndarray]
    madr: np.ndarray
    outputs: dict[str, np.ndarray] | None = None
    #: Absolute draws whose median is far from the scenario's own value (:func:`far_from_scenario`).
    warnings: list[str] = field(default_factory=list)

    def draws_frame(self) -> pd.DataFrame:
        """The draws, one row per draw: each target and MADR of each year (``MADR@YEAR``)."""
        cols: dict[str, Any] = {"draw": np.arange(self.n)}
        cols.update(self.draws)
        for j, y in enumerate(self.years):
            cols[f"MADR@{y}"] = self.madr[:, j]
        return pd.DataFrame(cols)


def example_scenario():
    """A small two-year scenario (illustrative figures), for doctests and examples."""
    return tm.scenario_from_dict(EXAMPLE)


EXAMPLE: dict[str, Any] = {
    "name": "doctest",
    "years": [2026, 2027],
    "notified": {
        "a": {2026: 60e6},
        "c": {2026: 85.0},
        "p": {2026: 0.02},
        "X": 0.015,
        "TL": 0.085,
        "BAND": 0.005,
        "s": 15000,
        "r": 0.01,
        "CAP": 0.1,
        "TS": 0.85,
    },
    "inputs": [
        {
            "year": 2025,
            "RUD": 30.5e9,
            "RBS": 33.25e9,
            "WS": 0.87,
            "ARDR": 171e6,
            "MADR": 168e6,
            "DB": 164e6,
        },
        {"year": 2026, "CPI": 0.009, "CA": 1.3e6, "RUD": 31.4e9, "RBS": 34.15e9, "SR": 0.0258},
        {"year": 2027, "CPI": 0.012, "CA": 1.34e6, "RUD": 32.3e9, "RBS": 35.0e9, "SR": 0.0262},
    ],
}


def load(scenario):
    """A Scenario from a Scenario or a path."""
    if isinstance(scenario, str | os.PathLike):
        return tm.load_scenario(scenario)
    return scenario


def summary_columns() -> list[str]:
    """The columns that ``montecarlo.csv`` summarises: MADR, each term of MADR, and ARDR."""

    return ["MADR", *MADR_TERMS, "ARDR"]


def evaluate_chunked(
    scenario,
    overrides: Mapping[str, np.ndarray],
    n: int,
    *,
    columns=None,
    chunk: int = DEFAULT_CHUNK,
    workers: int | None = None,
    readings=None,
    cross_field: bool = False,
) -> dict[str, np.ndarray]:
    """:func:`tariffmodel.evaluate` over ``n`` scenarios in chunks of at most ``chunk``, on
    ``workers`` threads (default: the number of cores, at most 4).

    The numbers are those of one call with all ``n`` scenarios (every scenario is evaluated on
    its own row); chunks only bound memory and keep the arrays in cache. ``columns`` keeps only
    those engine columns (default all).
    """
    scenario.arrays()  # build the cached base arrays once, before any thread reads them
    bounds = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]

    def run(bound):
        start, stop = bound
        part = tm.evaluate(
            scenario,
            overrides={k: np.asarray(v)[start:stop] for k, v in overrides.items()},
            n=stop - start,
            readings=readings,
            columns=columns,
            cross_field=cross_field,
        )
        return start, stop, part

    if len(bounds) == 1:
        return run(bounds[0])[2]
    first = run(bounds[0])
    out = _Collector(n, first[2])
    out.store(*first)

    def run_and_store(bound):
        out.store(*run(bound))

    workers = workers or min(os.cpu_count() or 1, 4)
    if workers == 1:
        for b in bounds[1:]:
            run_and_store(b)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:  # numpy releases the GIL in its array loops
            list(pool.map(run_and_store, bounds[1:]))
    return out.arrays()


class _Collector:
    """Engine chunks gathered into whole columns, by the threads that evaluate them.

    A column that stays equal to the first draw's row is kept as that row (T,) and returned as
    a read-only broadcast view (no memory per draw). Once a chunk differs, the column gets a
    (T, n) buffer filled with that row, and every chunk that differs writes its own slice (each
    year's draws contiguous, which is what the statistics read); it is returned as an (n, T)
    view. Chunks are disjoint slices, so the threads never write the same memory.
    """

    def __init__(self, n: int, first: Mapping[str, np.ndarray]) -> None:
        import threading

        self.n = n
        self.rows = {k: np.asarray(v)[0].copy() for k, v in first.items()}
        self.full: dict[str, np.ndarray] = {}
        self.lock = threading.Lock()

    def store(self, start: int, stop: int, part: Mapping[str, np.ndarray]) -> None:
        for k, v in part.items():
            buf = self.full.get(k)
            if buf is None:
                row = self.rows[k]
                if np.array_equal(v, np.broadcast_to(row, v.shape)):
                    continue  # the buffer, if another thread makes it, starts as this row
                with self.lock:
                    buf = self.full.get(k)
                    if buf is None:
                        buf = np.empty((row.size, self.n), dtype=v.dtype)
                        buf[:] = row[:, None]
                        self.full[k] = buf
            buf[:, start:stop] = v.T

    def arrays(self) -> dict[str, np.ndarray]:
        out = {k: np.broadcast_to(r, (self.n, r.size)) for k, r in self.rows.items()}
        out.update({k: v.T for k, v in self.full.items()})
        return out


def monte_carlo(
    scenario,
    draws,
    n: int | None = None,
    seed: int | None = None,
    *,
    keep_outputs: bool = False,
    chunk: int = DEFAULT_CHUNK,
) -> MonteCarloResult:
    """Monte Carlo of MADR and every term over uncertain inputs.

    Parameters
    ----------
    scenario : Scenario or path
        The scenario; its values are the base, replaced by the absolute draws and moved by the
        relative ones.
    draws : DrawsSpec, mapping or path
        The draws file (module docstring). ``inputs.COLUMN`` takes one draw per scenario and
        applies it to every modelled year (a level shift of the whole path, fully correlated
        across years); give ``inputs.COLUMN@YEAR`` targets for independent years.
    n : int, optional
        Number of draws [count], at least 1; default the file's ``n``, else 1000.
    seed : int, optional
        Random seed; default the file's ``seed``; with neither, a fresh seed is drawn and kept
        in ``result.seed`` (and the manifest), so every run can be repeated. The same seed
        gives the same numbers.
    keep_outputs : bool
        Keep every engine column of every draw in ``result.outputs``.
    chunk : int
        Largest number of draws given to the engine at once (memory bound only).

    Returns
    -------
    MonteCarloResult
        ``summary`` per year: mean, std (ddof 0) and 5th/50th/95th percentiles (numpy's default
        linear method) of MADR and of each term [RO, or the term's unit], and the probability
        [fraction] that paragraphs 3, 4 and 5 are triggered.

    Examples
    --------
    >>> draws = {"draws": {"inputs.CA@2026": {"dist": "uniform", "loc": 1.25e6, "scale": 1e5}}}
    >>> r = monte_carlo(example_scenario(), draws, n=1000, seed=1)
    >>> r.summary["year"].tolist(), r.madr.shape
    ([2026, 2027], (1000, 2))
    >>> bool(r.summary["MADR_p5"].iloc[0] < r.summary["MADR_p95"].iloc[0])
    True
    """
    sc = load(scenario)
    spec = as_spec(draws, sc)
    n = check_n(n if n is not None else spec.n if spec.n is not None else 1000)
    seed = check_seed(seed if seed is not None else spec.seed)
    if seed is None:  # a fresh seed, recorded in the result so that the run can be repeated
        seed = int(np.random.SeedSequence().entropy)
    chunk = check_n(chunk, key="chunk")
    drawn = sample(spec, n, seed)
    overrides, origin = resolve_draws(sc, spec, drawn)
    keep = None if keep_outputs else [*summary_columns(), *FLAGS]
    try:
        out = evaluate_chunked(sc, overrides, n, columns=keep, chunk=chunk, cross_field=True)
    except InputError as exc:
        if exc.file is None and exc.key in origin:  # a draw breaks a rule of the scenario format
            raise InputError(
                exc.rule, file=spec.file, key=f"draws.{origin[exc.key]}", year=exc.year
            ) from None
        raise
    years = list(sc.years)
    summary = summary_table(out, years)
    # the scenario's own deterministic path, beside the distribution around it
    summary["MADR_deterministic"] = tm.evaluate(sc, columns=("MADR",))["MADR"][0]
    madr = np.asarray(out["MADR"], dtype=float)
    return MonteCarloResult(
        sc,
        years,
        n,
        seed,
        spec,
        summary,
        drawn,
        madr,
        dict(out) if keep_outputs else None,
        far_from_scenario(sc, spec),
    )

"""Monte Carlo over uncertain inputs: draws files, distributions, a Gaussian copula, statistics.

A *draws file* (YAML) names the uncertain quantities of a scenario and their distributions::

    n: 100000              # number of draws (optional; the caller may give it)
    seed: 20260101         # random seed (optional; same seed, same numbers)
    draws:
      inputs.CPI:        {dist: norm, loc: 0.01, scale: 0.004}      # every modelled year
      inputs.CA@2027:    {dist: uniform, loc: 1.30e6, scale: 0.08e6}
      notified.X:        {dist: triang, c: 0.5, loc: 0.005, scale: 0.02}
    correlation:           # optional: a Gaussian copula between some of the targets
      targets: [inputs.CPI, notified.X]
      matrix: [[1.0, 0.5], [0.5, 1.0]]

A target is ``inputs.COLUMN`` (one draw per scenario, applied to every modelled year),
``inputs.COLUMN@YEAR`` (one year), ``notified.KEY`` (every entry of the Notified Value the model
uses) or ``notified.KEY@YEAR``. A draw *replaces* the scenario's value. A distribution is any
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

import functools
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel.inputs.errors import InputError, did_you_mean, unknown_key_error
from tariffmodel.inputs.fields import MONEY_MAX
from tariffmodel.inputs.schema import describe
from tariffmodel.inputs.yamlio import read_yaml
from tariffmodel.licence.terms import MADR_TERMS

TARGET_RE = re.compile(r"^(inputs|notified)\.([A-Za-z_][A-Za-z0-9_]*)(?:@(\d{4}))?$")
TOP_KEYS = ("n", "seed", "draws", "correlation", "description", "name")
PERCENTILES = (5.0, 50.0, 95.0)
STATS = ("mean", "std", "p5", "p50", "p95")
FLAGS = ("para3", "para4", "para5")
DEFAULT_CHUNK = 100_000
#: The largest number of draws a draws file may ask for (the command line's limit too).
N_MAX = 10_000_000
#: The largest size of a parameter of a distribution (the largest input is far below it).
DRAW_PARAMETER_MAX = 100 * MONEY_MAX
#: Draws of one target made and transformed at a time (scratch arrays that stay in cache).
SAMPLE_BLOCK = 65_536


# --------------------------------------------------------------------------------------------
# targets


def split_target(
    target: str, *, file=None, key_prefix: str = "draws."
) -> tuple[str, str, int | None]:
    """Split a target into its section, key and year (None for every year).

    >>> split_target("inputs.CA@2027")
    ('inputs', 'CA', 2027)
    >>> split_target("notified.X")
    ('notified', 'X', None)
    """
    m = TARGET_RE.match(str(target))
    if not m:
        raise InputError(
            "not a target: write inputs.COLUMN, inputs.COLUMN@YEAR, notified.KEY or "
            "notified.KEY@YEAR",
            file=file,
            key=f"{key_prefix}{target}",
        )
    return m.group(1), m.group(2), None if m.group(3) is None else int(m.group(3))


def suggest(word: str, choices) -> str:
    """A suggestion for an unknown name: a match ignoring case first, else a close one.

    >>> suggest("notified.x", ["notified.X", "notified.s"])
    " (did you mean 'notified.X'?)"
    """
    choices = list(choices)
    for c in choices:
        if c.lower() == str(word).lower():
            return f" (did you mean '{c}'?)"
    return did_you_mean(word, choices)


def check_targets(
    targets, scenario=None, *, file=None, key_prefix: str = "draws.", overlap: bool = False
) -> list[str]:
    """Check target names: their syntax, that the scenario knows them, that none overlap.

    An unknown target gets a suggestion. Unless ``overlap``, ``inputs.CA`` together with
    ``inputs.CA@2027`` is an error: both would set CA in 2027.
    """
    targets = [str(t) for t in targets]
    parts = [split_target(t, file=file, key_prefix=key_prefix) for t in targets]
    if scenario is not None:
        valid = list(tm.targets(scenario))
        known = set(valid)
        for t in targets:
            if t not in known:
                raise InputError(
                    f"unknown target{suggest(t, valid)}; a target is inputs.COLUMN, "
                    "inputs.COLUMN@YEAR, notified.KEY or notified.KEY@YEAR, and this scenario "
                    f"has {len(valid)} (tariffmodel.targets(scenario) lists them)",
                    file=file,
                    key=f"{key_prefix}{t}",
                )
    whole = {(s, k) for s, k, y in parts if y is None}
    seen = set()
    for t, (s, k, y) in zip(targets, parts, strict=True):
        if t in seen:
            raise InputError("the same target is given twice", file=file, key=f"{key_prefix}{t}")
        seen.add(t)
        if y is not None and (s, k) in whole and not overlap:
            raise InputError(
                f"overlaps {s}.{k} (which already sets every year): give one or the other",
                file=file,
                key=f"{key_prefix}{t}",
                year=y,
            )
    return targets


# --------------------------------------------------------------------------------------------
# distributions


@functools.cache
def continuous_distributions() -> tuple[str, ...]:
    """Names of the continuous distributions of ``scipy.stats``.

    >>> "norm" in continuous_distributions() and "triang" in continuous_distributions()
    True
    """
    import scipy.stats as st  # heavy: only when a distribution is asked for

    return tuple(sorted(n for n in dir(st) if isinstance(getattr(st, n), st.rv_continuous)))


@dataclass(frozen=True)
class Distribution:
    """One uncertain quantity: a scipy.stats continuous distribution, frozen.

    ``scale: 0`` makes a point mass at ``loc``. Use :meth:`from_normal` to map standard normal
    scores to draws and :meth:`ppf` for quantiles.
    """

    name: str
    params: Mapping[str, float]
    frozen: Any = field(repr=False, compare=False, default=None)

    @property
    def is_point(self) -> bool:
        return float(self.params.get("scale", 1.0)) == 0.0

    @property
    def loc(self) -> float:
        return float(self.params.get("loc", 0.0))

    def ppf(self, q) -> np.ndarray:
        """Quantile function [units of the target] at probabilities ``q`` [fraction]."""
        q = np.asarray(q, dtype=float)
        if self.is_point:
            return np.full(q.shape, self.loc)
        if self.name == "norm":  # scipy's norm.ppf is ndtri, scaled: the same numbers, no checks
            from scipy.special import ndtri

            return self.loc + float(self.params.get("scale", 1.0)) * ndtri(q)
        return self.frozen.ppf(q)

    def isf(self, q) -> np.ndarray:
        """Inverse survival function at upper-tail probabilities ``q`` [fraction]."""
        q = np.asarray(q, dtype=float)
        if self.is_point:
            return np.full(q.shape, self.loc)
        return self.frozen.isf(q)

    def from_normal(self, z) -> np.ndarray:
        """Draws from standard normal scores ``z``: ``F^-1(Phi(z))``, with the upper half
        taken through the survival function so that no precision is lost in the upper tail."""
        z = np.asarray(z, dtype=float)
        if self.is_point:
            return np.full(z.shape, self.loc)
        if self.name == "norm":
            return self.loc + float(self.params.get("scale", 1.0)) * z
        from scipy.special import ndtr

        lo, hi = self.support()
        if math.isfinite(hi):  # bounded above: Phi(z) loses nothing that matters
            return self.ppf(ndtr(z))
        tail = ndtr(-np.abs(z))  # the smaller tail probability, at full precision
        return np.where(z <= 0.0, self.ppf(tail), self.isf(tail))

    def support(self) -> tuple[float, float]:
        if self.is_point:
            return (self.loc, self.loc)
        lo, hi = self.frozen.support()
        return float(lo), float(hi)


def make_distribution(spec: Any, *, file=None, key: str | None = None) -> Distribution:
    """A :class:`Distribution` from a mapping ``{dist: NAME, PARAM: value, ...}``.

    Unknown names get a suggestion; parameters that scipy rejects are an error naming them.

    >>> d = make_distribution({"dist": "uniform", "loc": 10, "scale": 2})
    >>> float(d.ppf(0.5))
    11.0
    >>> float(make_distribution({"dist": "norm", "loc": 3, "scale": 0}).ppf(0.9))
    3.0
    """
    if not isinstance(spec, Mapping) or "dist" not in spec:
        raise InputError(
            "a distribution is a mapping with 'dist' (a scipy.stats continuous distribution) and "
            "its keyword parameters, e.g. {dist: norm, loc: 0.01, scale: 0.004}",
            file=file,
            key=key,
        )
    name = spec["dist"]
    names = continuous_distributions()
    if not isinstance(name, str) or name not in names:
        raise InputError(
            f"unknown distribution '{name}'{did_you_mean(str(name), names)}; use a continuous "
            "distribution of scipy.stats by name (norm, uniform, triang, lognorm, beta, ...)",
            file=file,
            key=f"{key}.dist" if key else "dist",
        )
    params: dict[str, float] = {}
    for p, v in spec.items():
        if p == "dist":
            continue
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or (isinstance(v, int) and abs(v) > DRAW_PARAMETER_MAX)
            or not math.isfinite(v)
        ):
            raise InputError(
                f"parameter '{p}' of {name} must be a finite number, not {describe(v)}",
                file=file,
                key=f"{key}.{p}" if key else p,
            )
        params[str(p)] = float(v)
    import scipy.stats as st  # heavy: only when a distribution is made

    dist = getattr(st, name)
    shape_names = [s.strip() for s in (dist.shapes or "").split(",") if s.strip()]
    allowed = [*shape_names, "loc", "scale"]
    for p in params:
        if p not in allowed:
            raise InputError(
                f"scipy.stats.{name} has no parameter '{p}'{did_you_mean(p, allowed)}; "
                f"its parameters: {', '.join(allowed)}",
                file=file,
                key=f"{key}.{p}" if key else p,
            )
    missing = [s for s in shape_names if s not in params]
    if missing:
        raise InputError(
            f"scipy.stats.{name} needs its shape parameter(s) {', '.join(missing)}",
            file=file,
            key=key,
        )
    scale = params.get("scale", 1.0)
    if scale < 0:
        raise InputError(
            f"scipy.stats.{name} rejects scale {scale}: a scale must be positive (0 makes a "
            "point mass at loc)",
            file=file,
            key=f"{key}.scale" if key else "scale",
        )
    check = dict(params, scale=1.0 if scale == 0 else scale)
    frozen = dist(**check)
    with np.errstate(all="ignore"):
        probe = frozen.ppf([0.25, 0.5, 0.75])
    if not np.all(np.isfinite(probe)):
        raise InputError(
            f"scipy.stats.{name} rejects the parameters "
            f"{', '.join(f'{k}={v:g}' for k, v in params.items())} (outside the distribution's "
            "allowed values)",
            file=file,
            key=key,
        )
    return Distribution(name, params, None if scale == 0 else frozen)


# --------------------------------------------------------------------------------------------
# correlation


def check_correlation(
    matrix, *, names=None, file=None, key: str = "correlation.matrix"
) -> np.ndarray:
    """Check a correlation matrix: square, symmetric, unit diagonal, entries in [-1, 1] and
    positive semi-definite. Returns it as an array.

    >>> check_correlation([[1, 0.5], [0.5, 1]]).shape
    (2, 2)
    """
    try:
        m = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            "a correlation matrix is a list of rows of numbers", file=file, key=key
        ) from None
    k = len(names) if names is not None else (m.shape[0] if m.ndim == 2 else -1)
    if m.ndim != 2 or m.shape != (k, k):
        raise InputError(
            f"the correlation matrix must be {k} x {k} (one row and column per target), "
            f"not {'x'.join(map(str, m.shape))}",
            file=file,
            key=key,
        )
    if not np.all(np.isfinite(m)):
        raise InputError(
            "the correlation matrix has a value that is not a number", file=file, key=key
        )
    if not np.allclose(np.diag(m), 1.0, rtol=0, atol=1e-12):
        raise InputError("the correlation matrix must have 1 on its diagonal", file=file, key=key)
    if not np.allclose(m, m.T, rtol=0, atol=1e-12):
        raise InputError("the correlation matrix must be symmetric", file=file, key=key)
    if np.any(np.abs(m) > 1.0):
        raise InputError("a correlation must lie in [-1, 1]", file=file, key=key)
    smallest = float(np.linalg.eigvalsh(m).min())
    if smallest < -1e-10:
        raise InputError(
            f"the correlation matrix is not positive semi-definite (smallest eigenvalue "
            f"{smallest:.4g}): no set of variables can have these correlations",
            file=file,
            key=key,
        )
    return m


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


# --------------------------------------------------------------------------------------------
# the draws file


@dataclass(frozen=True)
class DrawsSpec:
    """A parsed draws file: targets and their distributions, an optional correlation matrix
    (over all targets, identity where none was given), and the file's ``n`` and ``seed``."""

    distributions: dict[str, Distribution]
    correlation: np.ndarray | None = None
    n: int | None = None
    seed: int | None = None
    file: str | None = None

    @property
    def targets(self) -> list[str]:
        return list(self.distributions)

    def checked_against(self, scenario) -> DrawsSpec:
        """This spec, after checking that every target exists in ``scenario``."""
        check_targets(self.targets, scenario, file=self.file)
        return self


def _count(value, what: str, *, file, minimum: int, maximum: int = 2**63 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"must be a whole number, not {describe(value)}", file=file, key=what)
    if value < minimum:
        raise InputError(f"must be at least {minimum}, not {describe(value)}", file=file, key=what)
    if value > maximum:
        raise InputError(f"must be at most {maximum:,}, not {describe(value)}", file=file, key=what)
    return int(value)


def check_n(n, *, file=None, key: str = "n") -> int:
    """The number of draws, at least 1.

    >>> check_n(1000)
    1000
    """
    return _count(n, key, file=file, minimum=1, maximum=N_MAX)


def check_seed(seed, *, file=None, key: str = "seed") -> int | None:
    """A seed: None or a whole number >= 0."""
    return None if seed is None else _count(seed, key, file=file, minimum=0)


def parse_draws(data: Any, *, scenario=None, file: str | None = None) -> DrawsSpec:
    """A :class:`DrawsSpec` from the mapping of a draws file (see the module docstring).

    >>> spec = parse_draws({"n": 10, "seed": 1, "draws": {"notified.X": {"dist": "uniform",
    ...     "loc": 0.01, "scale": 0.01}}})
    >>> spec.targets, spec.n, spec.seed
    (['notified.X'], 10, 1)
    """
    file = None if file is None else str(file)
    if not isinstance(data, Mapping):
        raise InputError(
            "a draws file is a mapping with 'draws' (and optional n, seed, correlation)", file=file
        )
    for k in data:
        if k not in TOP_KEYS:
            raise InputError(
                f"unknown key{did_you_mean(str(k), TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}",
                file=file,
                key=str(k),
            )
    draws = data.get("draws")
    if not isinstance(draws, Mapping) or not draws:
        raise InputError(
            "'draws' must map at least one target to a distribution, e.g. "
            "inputs.CPI: {dist: norm, loc: 0.01, scale: 0.004}",
            file=file,
            key="draws",
        )
    targets = check_targets(list(draws), scenario, file=file)
    dists = {t: make_distribution(draws[t], file=file, key=f"draws.{t}") for t in targets}
    n = None if data.get("n") is None else check_n(data["n"], file=file)
    seed = check_seed(data.get("seed"), file=file)
    corr = None
    if data.get("correlation") is not None:
        corr = _parse_correlation(data["correlation"], targets, file=file)
    return DrawsSpec(dists, corr, n, seed, file)


def _parse_correlation(spec, targets: list[str], *, file) -> np.ndarray:
    if isinstance(spec, Mapping):
        for key in spec:
            if key not in ("targets", "matrix"):
                raise unknown_key_error(
                    str(key), ["targets", "matrix"], file=file, key_prefix="correlation.",
                    cls=InputError,
                )  # fmt: skip
    if not isinstance(spec, Mapping) or "matrix" not in spec:
        raise InputError(
            "'correlation' is a mapping with 'targets' (a list of draws targets) and 'matrix' "
            "(their correlation matrix, rows in the same order)",
            file=file,
            key="correlation",
        )
    names = spec.get("targets", targets)
    if not isinstance(names, list) or not names:
        raise InputError("must list draws targets", file=file, key="correlation.targets")
    for t in names:
        if t not in targets:
            raise InputError(
                f"'{t}' is not one of the draws targets{did_you_mean(str(t), targets)}",
                file=file,
                key="correlation.targets",
            )
    if len(set(names)) != len(names):
        raise InputError("a target is listed twice", file=file, key="correlation.targets")
    sub = check_correlation(spec["matrix"], names=names, file=file)
    full = np.eye(len(targets))
    pos = [targets.index(t) for t in names]
    full[np.ix_(pos, pos)] = sub
    return full


def load_draws(path: str | os.PathLike, scenario=None) -> DrawsSpec:
    """Read and check a draws file (YAML; ``1.3e9`` is a number). With ``scenario``, its
    targets are checked too."""
    return parse_draws(read_yaml(path), scenario=scenario, file=str(path))


def as_spec(draws, scenario=None) -> DrawsSpec:
    """A DrawsSpec from a spec, a mapping or a path; checked against ``scenario`` if given."""
    if isinstance(draws, DrawsSpec):
        return draws.checked_against(scenario) if scenario is not None else draws
    if isinstance(draws, Mapping):
        return parse_draws(draws, scenario=scenario)
    return load_draws(draws, scenario)


# --------------------------------------------------------------------------------------------
# sampling


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
        The scenario; its values are the base, replaced by the draws.
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
    keep = None if keep_outputs else [*summary_columns(), *FLAGS]
    try:
        out = evaluate_chunked(sc, drawn, n, columns=keep, chunk=chunk, cross_field=True)
    except InputError as exc:
        if exc.file is None and exc.key in drawn:  # a draw breaks a rule of the scenario format
            raise InputError(
                exc.rule, file=spec.file, key=f"draws.{exc.key}", year=exc.year
            ) from None
        raise
    years = list(sc.years)
    summary = summary_table(out, years)
    madr = np.asarray(out["MADR"], dtype=float)
    return MonteCarloResult(
        sc, years, n, seed, spec, summary, drawn, madr, dict(out) if keep_outputs else None
    )

"""The draws file of the Monte Carlo and of the global sensitivity analyses: reading and checking
it, through the schema of :mod:`tariffmodel.inputs.schema`.

A draws file (YAML) names the uncertain quantities of a scenario and their distributions::

    n: 100000              # number of draws (optional; the caller may give it)
    seed: 20260101         # random seed (optional; same seed, same numbers)
    draws:
      inputs.CPI:        {dist: norm, loc: 0.01, scale: 0.004}      # every modelled year
      inputs.CA@2027:    {dist: uniform, loc: 1.30e6, scale: 0.08e6}
      notified.X:        {dist: triang, c: 0.5, loc: 0.005, scale: 0.02}
      inputs.RBS@2027:   {dist: norm, loc: 0, scale: 0.14e9, relative: add}
      inputs.CA:         {dist: uniform, loc: 0.98, scale: 0.04, relative: multiply}
    correlation:           # optional: a Gaussian copula between some of the targets
      targets: [inputs.CPI, notified.X]
      matrix: [[1.0, 0.5], [0.5, 1.0]]

A target is ``inputs.COLUMN``, ``inputs.COLUMN@YEAR``, ``notified.KEY`` or ``notified.KEY@YEAR``;
whether the scenario has it is checked against the list of valid targets the caller gives (the
engine's :func:`tariffmodel.targets`). A distribution is any continuous distribution of
``scipy.stats`` by name, with its own keyword parameters; ``scale: 0`` is a point mass at ``loc``.
A draw without ``relative`` is absolute: it replaces the scenario's value. With ``relative: add``
it is added to the scenario's own value in each year it covers, with ``relative: multiply`` it
multiplies it (``scale`` stays scipy's own parameter), so that one file serves every scenario.
Every rule broken raises :class:`~tariffmodel.inputs.errors.InputError` naming the file, the key,
the year and the rule. The sampling is in :mod:`tariffmodel.analysis.montecarlo`.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.fields import MONEY_MAX
from tariffmodel.inputs.schema import Schema, describe, rule_error, validate
from tariffmodel.inputs.yamlio import numbers_as_read, read_yaml

TARGET_RE = re.compile(r"^(inputs|notified)\.([A-Za-z_][A-Za-z0-9_]*)(?:@(\d{4}))?$")
TOP_KEYS = ("n", "seed", "draws", "correlation", "description", "name")
#: The largest number of draws a draws file may ask for (the command line's limit too).
N_MAX = 10_000_000
#: The largest size of a parameter of a distribution (the largest input is far below it).
DRAW_PARAMETER_MAX = 100 * MONEY_MAX
TARGET_FORMS = "inputs.COLUMN, inputs.COLUMN@YEAR, notified.KEY or notified.KEY@YEAR"
#: How a relative draw acts on the scenario's own value (absent: the draw replaces it).
RELATIVE = ("add", "multiply")


def _input_error(exc: PydanticCustomError, *, file, key: str | None) -> InputError:
    """A rule error raised outside a model as an InputError under ``key``."""
    ctx = exc.context or {}
    sub = ctx.get("key")
    full = f"{key}.{sub}" if key and sub else (sub or key)
    return InputError(ctx["rule"], file=file, key=full, year=ctx.get("year"))


# --------------------------------------------------------------------------------------------
# targets


def _split(target: str) -> tuple[str, str, int | None]:
    m = TARGET_RE.match(str(target))
    if not m:
        raise rule_error(f"not a target: write {TARGET_FORMS}")
    return m.group(1), m.group(2), None if m.group(3) is None else int(m.group(3))


def split_target(
    target: str, *, file=None, key_prefix: str = "draws."
) -> tuple[str, str, int | None]:
    """Split a target into its section, key and year (None for every year).

    >>> split_target("inputs.CA@2027")
    ('inputs', 'CA', 2027)
    >>> split_target("notified.X")
    ('notified', 'X', None)
    """
    try:
        return _split(target)
    except PydanticCustomError as exc:
        raise _input_error(exc, file=file, key=f"{key_prefix}{target}") from None


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


def _check_targets(targets: list[str], valid: Sequence[str] | None, overlap: bool) -> None:
    """Raise a rule error (its ``key`` the target) for the first target that breaks a rule."""
    parts = []
    for t in targets:
        try:
            parts.append(_split(t))
        except PydanticCustomError as exc:
            raise rule_error(exc.context["rule"], key=t) from None
    if valid is not None:
        valid = list(valid)
        known = set(valid)
        for t in targets:
            if t not in known:
                raise rule_error(
                    f"unknown target{suggest(t, valid)}; a target is {TARGET_FORMS}, and this scenario "
                    f"has {len(valid)} (tariffmodel.targets(scenario) lists them)",
                    key=t,
                )
    whole = {(s, k) for s, k, y in parts if y is None}
    seen = set()
    for t, (s, k, y) in zip(targets, parts, strict=True):
        if t in seen:
            raise rule_error("the same target is given twice", key=t)
        seen.add(t)
        if y is not None and (s, k) in whole and not overlap:
            raise rule_error(
                f"overlaps {s}.{k} (which already sets every year): give one or the other",
                key=t,
                year=y,
            )


def check_targets(
    targets,
    valid: Sequence[str] | None = None,
    *,
    file=None,
    key_prefix: str = "draws.",
    overlap: bool = False,
) -> list[str]:
    """Check target names: their syntax, that they are among ``valid`` (when given), that none
    overlap.

    An unknown target gets a suggestion. Unless ``overlap``, ``inputs.CA`` together with
    ``inputs.CA@2027`` is an error: both would set CA in 2027.
    """
    targets = [str(t) for t in targets]
    try:
        _check_targets(targets, valid, overlap)
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        raise InputError(
            ctx["rule"], file=file, key=f"{key_prefix}{ctx['key']}", year=ctx.get("year")
        ) from None
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
    #: None: the draw replaces the scenario's value; "add" or "multiply": it acts on it.
    relative: str | None = None

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


def _distribution(spec: Any) -> Distribution:
    """A :class:`Distribution` from a mapping ``{dist: NAME, PARAM: value, ...}``; a broken rule
    raises a rule error whose ``key`` (if any) is the parameter."""
    if not isinstance(spec, Mapping) or "dist" not in spec:
        raise rule_error(
            "a distribution is a mapping with 'dist' (a scipy.stats continuous distribution) and "
            "its keyword parameters, e.g. {dist: norm, loc: 0.01, scale: 0.004}"
        )
    name = spec["dist"]
    names = continuous_distributions()
    if not isinstance(name, str) or name not in names:
        raise rule_error(
            f"unknown distribution '{name}'{did_you_mean(str(name), names)}; use a continuous "
            "distribution of scipy.stats by name (norm, uniform, triang, lognorm, beta, ...)",
            key="dist",
        )
    relative = spec.get("relative")
    if relative is not None and relative not in RELATIVE:
        raise rule_error(
            f"relative is 'add' (the draw is added to the scenario's own value) or 'multiply' "
            f"(it multiplies it), not {describe(relative)}; leave it out for a draw that "
            "replaces the value",
            key="relative",
        )
    params: dict[str, float] = {}
    for p, v in spec.items():
        if p in ("dist", "relative"):
            continue
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or (isinstance(v, int) and abs(v) > DRAW_PARAMETER_MAX)
            or not math.isfinite(v)
        ):
            raise rule_error(
                f"parameter '{p}' of {name} must be a finite number, not {describe(v)}", key=str(p)
            )
        params[str(p)] = float(v)
    import scipy.stats as st  # heavy: only when a distribution is made

    dist = getattr(st, name)
    shape_names = [s.strip() for s in (dist.shapes or "").split(",") if s.strip()]
    allowed = [*shape_names, "loc", "scale"]
    for p in params:
        if p not in allowed:
            raise rule_error(
                f"scipy.stats.{name} has no parameter '{p}'{did_you_mean(p, allowed)}; "
                f"its parameters: {', '.join(allowed)}",
                key=p,
            )
    missing = [s for s in shape_names if s not in params]
    if missing:
        raise rule_error(f"scipy.stats.{name} needs its shape parameter(s) {', '.join(missing)}")
    scale = params.get("scale", 1.0)
    if scale < 0:
        raise rule_error(
            f"scipy.stats.{name} rejects scale {scale}: a scale must be positive (0 makes a "
            "point mass at loc)",
            key="scale",
        )
    check = dict(params, scale=1.0 if scale == 0 else scale)
    frozen = dist(**check)
    with np.errstate(all="ignore"):
        probe = frozen.ppf([0.25, 0.5, 0.75])
    if not np.all(np.isfinite(probe)):
        raise rule_error(
            f"scipy.stats.{name} rejects the parameters "
            f"{', '.join(f'{k}={v:g}' for k, v in params.items())} (outside the distribution's "
            "allowed values)"
        )
    return Distribution(name, params, None if scale == 0 else frozen, relative)


def make_distribution(spec: Any, *, file=None, key: str | None = None) -> Distribution:
    """A :class:`Distribution` from a mapping ``{dist: NAME, PARAM: value, ...}``.

    Unknown names get a suggestion; parameters that scipy rejects are an error naming them.

    >>> d = make_distribution({"dist": "uniform", "loc": 10, "scale": 2})
    >>> float(d.ppf(0.5))
    11.0
    >>> float(make_distribution({"dist": "norm", "loc": 3, "scale": 0}).ppf(0.9))
    3.0
    """
    try:
        return _distribution(spec)
    except PydanticCustomError as exc:
        raise _input_error(exc, file=file, key=key) from None


# --------------------------------------------------------------------------------------------
# correlation


def _correlation(matrix, names: Sequence[str] | None = None) -> np.ndarray:
    """A correlation matrix as an array; a broken rule raises a rule error."""
    try:
        m = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise rule_error("a correlation matrix is a list of rows of numbers") from None
    k = len(names) if names is not None else (m.shape[0] if m.ndim == 2 else -1)
    if m.ndim != 2 or m.shape != (k, k):
        raise rule_error(
            f"the correlation matrix must be {k} x {k} (one row and column per target), "
            f"not {'x'.join(map(str, m.shape))}"
        )
    if not np.all(np.isfinite(m)):
        raise rule_error("the correlation matrix has a value that is not a number")
    if not np.allclose(np.diag(m), 1.0, rtol=0, atol=1e-12):
        raise rule_error("the correlation matrix must have 1 on its diagonal")
    if not np.allclose(m, m.T, rtol=0, atol=1e-12):
        raise rule_error("the correlation matrix must be symmetric")
    if np.any(np.abs(m) > 1.0):
        raise rule_error("a correlation must lie in [-1, 1]")
    smallest = float(np.linalg.eigvalsh(m).min())
    if smallest < -1e-10:
        raise rule_error(
            f"the correlation matrix is not positive semi-definite (smallest eigenvalue "
            f"{smallest:.4g}): no set of variables can have these correlations"
        )
    return m


def check_correlation(
    matrix, *, names=None, file=None, key: str = "correlation.matrix"
) -> np.ndarray:
    """Check a correlation matrix: square, symmetric, unit diagonal, entries in [-1, 1] and
    positive semi-definite. Returns it as an array.

    >>> check_correlation([[1, 0.5], [0.5, 1]]).shape
    (2, 2)
    """
    try:
        return _correlation(matrix, names)
    except PydanticCustomError as exc:
        raise _input_error(exc, file=file, key=key) from None


# --------------------------------------------------------------------------------------------
# counts


def _count(value, *, minimum: int, maximum: int = 2**63 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise rule_error(f"must be a whole number, not {describe(value)}")
    if value < minimum:
        raise rule_error(f"must be at least {minimum}, not {describe(value)}")
    if value > maximum:
        raise rule_error(f"must be at most {maximum:,}, not {describe(value)}")
    return int(value)


def check_n(n, *, file=None, key: str = "n") -> int:
    """The number of draws, at least 1.

    >>> check_n(1000)
    1000
    """
    try:
        return _count(n, minimum=1, maximum=N_MAX)
    except PydanticCustomError as exc:
        raise _input_error(exc, file=file, key=key) from None


def check_seed(seed, *, file=None, key: str = "seed") -> int | None:
    """A seed: None or a whole number >= 0."""
    try:
        return None if seed is None else _count(seed, minimum=0)
    except PydanticCustomError as exc:
        raise _input_error(exc, file=file, key=key) from None


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

    @property
    def relative(self) -> dict[str, str]:
        """Target -> ``add`` or ``multiply`` for the relative draws (absolute ones left out)."""
        return {t: d.relative for t, d in self.distributions.items() if d.relative}

    def checked_against(self, targets: Sequence[str]) -> DrawsSpec:
        """This spec, after checking that every target is one of ``targets`` (the valid ones)."""
        check_targets(self.targets, targets, file=self.file)
        return self


# --------------------------------------------------------------------------------------------
# the schema of the file


_DRAWS = (
    "'draws' must map at least one target to a distribution, e.g. "
    "inputs.CPI: {dist: norm, loc: 0.01, scale: 0.004}"
)


def _draws(value: Any) -> Any:
    if not isinstance(value, Mapping) or not value:
        raise rule_error(_DRAWS)
    return {str(k): v for k, v in value.items()}


_CORRELATION = (
    "'correlation' is a mapping with 'targets' (a list of draws targets) and 'matrix' "
    "(their correlation matrix, rows in the same order)"
)


def _correlation_spec(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise rule_error(_CORRELATION)
    return value


def _target_list(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise rule_error("must list draws targets")
    return [str(t) for t in value]


class CorrelationSpec(Schema):
    """The ``correlation`` block: some of the targets and their correlation matrix."""

    targets: Annotated[list[str], BeforeValidator(_target_list)] | None = None
    matrix: Any = None

    @model_validator(mode="after")
    def _has_matrix(self):
        if self.matrix is None:
            raise rule_error(_CORRELATION)
        return self


def _count_type(minimum: int, maximum: int = 2**63 - 1) -> Any:
    return Annotated[int, BeforeValidator(lambda v: _count(v, minimum=minimum, maximum=maximum))]


class DrawsFile(Schema):
    """A draws file as written; ``context['targets']``, when given, lists the valid targets."""

    name: Any = None
    description: Any = None
    draws: Annotated[
        dict[str, Annotated[Any, BeforeValidator(_distribution)]], BeforeValidator(_draws)
    ]
    n: _count_type(1, N_MAX) | None = None
    seed: _count_type(0) | None = None
    correlation: Annotated[CorrelationSpec, BeforeValidator(_correlation_spec)] | None = None

    @model_validator(mode="after")
    def _targets(self, info: ValidationInfo):
        targets = list(self.draws)
        try:
            _check_targets(targets, (info.context or {}).get("targets"), False)
        except PydanticCustomError as exc:
            ctx = exc.context or {}
            raise rule_error(ctx["rule"], key=f"draws.{ctx['key']}", year=ctx.get("year")) from None
        self.correlation_matrix()
        return self

    def correlation_matrix(self) -> np.ndarray | None:
        """The correlation over every target (identity where none was given), or None."""
        if self.correlation is None:
            return None
        targets = list(self.draws)
        names = self.correlation.targets or targets
        for t in names:
            if t not in targets:
                raise rule_error(
                    f"'{t}' is not one of the draws targets{did_you_mean(str(t), targets)}",
                    key="correlation.targets",
                )
        if len(set(names)) != len(names):
            raise rule_error("a target is listed twice", key="correlation.targets")
        try:
            sub = _correlation(self.correlation.matrix, names)
        except PydanticCustomError as exc:
            raise rule_error(exc.context["rule"], key="correlation.matrix") from None
        full = np.eye(len(targets))
        pos = [targets.index(t) for t in names]
        full[np.ix_(pos, pos)] = sub
        return full


assert set(DrawsFile.model_fields) == set(TOP_KEYS), "TOP_KEYS and DrawsFile disagree"


def parse_draws(
    data: Any, *, targets: Sequence[str] | None = None, file: str | None = None
) -> DrawsSpec:
    """A :class:`DrawsSpec` from the mapping of a draws file (see the module docstring); with
    ``targets``, every target must be one of them.

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
    # a mapping read elsewhere (Papermill's -f reads YAML 1.1: '35.6e9' is text there) is
    # taken as this package's loader would read it
    data = numbers_as_read(data)
    context = {"targets": None if targets is None else list(targets)}
    checked = validate(DrawsFile, data, file=file, context=context, missing=_DRAWS)
    corr = checked.correlation_matrix()
    return DrawsSpec(dict(checked.draws), corr, checked.n, checked.seed, file)


def load_draws(path: str | os.PathLike, targets: Sequence[str] | None = None) -> DrawsSpec:
    """Read and check a draws file (YAML; ``1.3e9`` is a number). With ``targets``, every
    target must be one of them."""
    return parse_draws(read_yaml(path), targets=targets, file=str(path))


# --------------------------------------------------------------------------------------------
# the ranges file of the tornado

_RANGES = "a ranges file is a mapping 'ranges: {TARGET: [LOW, HIGH], ...}'"


def _ranges(value: Any) -> Any:
    if not isinstance(value, dict) or not value:
        raise rule_error(_RANGES)
    return {str(k): v for k, v in value.items()}


class RangesFile(Schema):
    """A ranges file: ``ranges: {TARGET: [LOW, HIGH], ...}`` (each pair is checked by the
    tornado itself, which takes such a mapping from a program too)."""

    ranges: Annotated[dict[str, Any], BeforeValidator(_ranges)]


def load_ranges(path: str | os.PathLike) -> dict[str, Any]:
    """The ``ranges`` mapping of a ranges file (YAML)."""
    data = read_yaml(path)
    if not isinstance(data, Mapping):
        raise InputError(_RANGES, file=str(path))
    return dict(validate(RangesFile, data, file=str(path), missing=_RANGES).ranges)

"""Why two scenarios differ: every term side by side and the difference of MADR split by driver.

:func:`compare` evaluates two scenarios of the same years and splits the difference of MADR_t
(each year and the period) among the *drivers* in which they differ, by the Shapley value.

Drivers are defined on the engine's resolved inputs, after linking (the CPI basket, the deposit
rates, the AMR plan, the WPRA file and the licence fee fill their columns first):

* one driver per column of the year table (``inputs.RUD``; the history row belongs to its
  column) or Notified Value (``notified.TL``), or with ``by="cell"`` one per column or value and
  year (``inputs.RUD@2027``); a column filled by a linked file is named with that file, so a
  changed AMR plan is the driver ``inputs.AMR`` "from the AMR plan";
* one driver per reading of unclear text that differs (``interpretation.loss_deadband``);
* the call centre data (``call_centre``), ``first_relevant_year`` and ``notified.nsf_last_year``,
  and a Notified Value a_t, c_t or p_t notified in other years in one file than in the other
  (which changes which years roll forward): these are whole drivers also with ``by="cell"``.

Reading R5 (``cpi_basis``) acts only when the CPI basket is linked, so its effect is in the
driver ``inputs.CPI``; the R5 driver itself is exactly 0 (said in the notes).

The value of a set S of drivers is MADR with the drivers of S taken from OTHER and the rest from
BASE; the Shapley value of driver i is

.. math:: \\phi_i = \\sum_{S \\subseteq N \\setminus \\{i\\}}
          \\frac{|S|!\\,(n - |S| - 1)!}{n!} \\left(v(S \\cup \\{i\\}) - v(S)\\right)

Every subset is a variant of one vectorised engine call, one call per combination of the whole
drivers (readings, call centre, ...), since those change the scenario rather than its numbers.
Above :data:`EXACT_MAX_DRIVERS` drivers the value is estimated from sampled orderings of the
drivers (each ordering's marginal contributions add up to the difference exactly, so the
estimates do too), with the standard error of each estimate.

A mix of the two files may break a rule between columns that neither file breaks (RUD_t from one
file, RBS_t from the other, RBS_t < RUD_t): it is evaluated as the formulas stand and named in
:attr:`Comparison.notes`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.fields import AMOUNT_COLUMNS, INPUT_FIELDS, NOTIFIED_FIELDS
from tariffmodel.licence.amr import discount_factors
from tariffmodel.licence.schedule2 import READING_IDS, READINGS
from tariffmodel.licence.terms import TERMS
from tariffmodel.model.engine import evaluate, project
from tariffmodel.model.scenario import Scenario

#: Up to this many drivers the Shapley value is exact (2**n variants of the engine).
EXACT_MAX_DRIVERS = 16
#: Sampled orderings of the drivers when there are more (default).
DEFAULT_ORDERINGS = 1000
#: The contributions add up to the difference of MADR within this [RO].
SUM_TOLERANCE = 1e-6

#: The columns compared term by term (madr.csv's names): the terms of MADR_t, then ARDR_t.
DIFF_COLUMNS = (*(t.symbol for t in TERMS), "ARDR")

# Columns of the year table in the engine's arrays: name -> (target key, which years)
#   "h..T": history year and modelled years; "t": modelled years; "h": history year only
_INPUT_ARRAYS = {
    "RUD": ("RUD", "h..T"),
    "RBS": ("RBS", "h..T"),
    "WS": ("WS", "h..T"),
    "ARDR": ("ARDR", "h..T"),
    "MADR_hist": ("MADR", "h"),
    "DB_hist": ("DB", "h"),
    **{c: (c, "t") for c in ("CPI", "CA", "SR", "DNS", *AMOUNT_COLUMNS, "recovery")},
}
# Notified Values in the engine's arrays: "t" by year t, "own" by own year (h..T-1), "scalar"
_NOTIFIED_ARRAYS = {
    key: keyed for key, (_, keyed) in NOTIFIED_FIELDS.items() if key != "nsf_last_year"
}
# Plain words where the field's description starts with formulas
_PLAIN = {
    "recovery": "revenue recovered as a share of the cap",
    "CPI": "change of the Omani CPI",
    "SR": "Specified Rate",
    "a": "fixed element of DB_t",
    "c": "element of DB_t per customer account",
    "p": "value of losses",
    "X": "efficiency factor",
    "s": "value of demand not secured",
    "r": "customer satisfaction revenue at risk",
    "CAP": "customer satisfaction cap",
}
# Links and the columns they fill, for the drivers' descriptions
_LINK_WORDS = {
    "CPI": "from the Omani CPI basket",
    "SR": "from the monthly deposit rates",
    "AMR": "from the AMR plan",
    "WPRA": "from the capex verification file",
    "LF": "from the Condition 13 licence fee inputs",
    "RBS": "with the AMR plan's loss reduction",
}


@dataclass(frozen=True)
class Driver:
    """One thing in which the two scenarios differ.

    Attributes
    ----------
    name : str
        ``inputs.COL``, ``notified.KEY`` (``@YEAR`` for one year), ``interpretation.SWITCH``,
        ``call_centre``, ``first_relevant_year``.
    words : str
        Plain words with the unit, for figures and tables.
    cells : tuple
        (engine target, base value, other value) of each cell the driver sets through the
        engine's overrides; empty for a whole driver.
    whole : str or None
        For a whole driver, what of the scenario it replaces: ``readings``, ``notified``,
        ``call_centre`` or ``first_relevant_year``.
    key : str or None
        The switch or Notified Value a whole driver replaces.
    """

    name: str
    words: str
    cells: tuple = ()
    whole: str | None = None
    key: str | None = None


@dataclass
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    table : DataFrame
        compare.csv: ``year`` (each year, ``period``, and ``present_value`` with a discount
        rate), ``MADR_base``, ``MADR_other``, ``MADR_diff`` and ``<TERM>_diff`` [RO].
    attribution : DataFrame
        attribution.csv, long form: ``year`` (a year, ``period``, ``present_value``),
        ``driver``, ``contribution`` [RO], ``standard_error`` [RO] (0 when exact),
        ``description``.
    drivers : list of Driver
    method : str
        ``exact`` or ``sampled orderings``.
    orderings : int or None
        The number of sampled orderings (None when exact).
    variants : int
        Scenario variants evaluated; ``engine_calls``: vectorised engine calls made.
    notes : list of str
        What a reader should know: mixes that break a rule between columns, R5 acting through
        CPI, the estimate's method.
    """

    base: Scenario
    other: Scenario
    table: pd.DataFrame
    attribution: pd.DataFrame
    drivers: list[Driver]
    method: str
    orderings: int | None
    variants: int
    engine_calls: int
    discount_rate: float | None = None
    by: str = "key"
    notes: list[str] = field(default_factory=list)


# --- the drivers ----------------------------------------------------------------------------


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


def _words(section: str, key: str, base: Scenario, other: Scenario) -> str:
    """Plain words, the symbol and the unit of a driver, and the linked file that filled it."""
    spec = INPUT_FIELDS[key] if section == "inputs" else NOTIFIED_FIELDS[key][0]
    # the field's description up to its first remark: "Regulated Bulk Supplies in the year"
    words = _PLAIN.get(key) or re.sub(r"\s*\(.*?\)", "", spec.description).split(";")[0].strip()
    text = f"{words} ({key}{{year}}) [{spec.unit}]"
    if section == "inputs" and key in _LINK_WORDS:
        linked = (key in base.filled, key in other.filled)
        if all(linked):
            text += f", {_LINK_WORDS[key]}"
        elif any(linked):
            which = "base" if linked[0] else "other"
            text += f", {_LINK_WORDS[key]} in the {which} scenario only"
    return text


def drivers_of(base: Scenario, other: Scenario, by: str = "key") -> list[Driver]:
    """The drivers in which ``other`` differs from ``base`` (see the module docstring).

    Raises
    ------
    InputError
        When the two scenarios model different years, or ``by`` is not ``key`` or ``cell``.
    """
    if by not in ("key", "cell"):
        raise InputError(f"'{by}' is not one of key, cell", key="--by")
    if list(base.years) != list(other.years):
        raise InputError(
            f"the two scenarios model different years ({base.years[0]}-{base.years[-1]} and "
            f"{other.years[0]}-{other.years[-1]}): a comparison needs the same years",
            file=other._file,
            key="years",
        )
    A, B = base.arrays(), other.arrays()
    h, years = base.history_year, list(base.years)
    out: list[Driver] = []

    def add(section, key, cells):
        cells = [c for c in cells if not _same(c[1], c[2])]
        if not cells:
            return
        words = _words(section, key, base, other)
        if by == "key":
            out.append(Driver(f"{section}.{key}", words.format(year=""), tuple(cells)))
        else:
            for cell in cells:
                year = cell[0].partition("@")[2]
                out.append(Driver(cell[0], words.format(year=f" {year}" if year else ""), (cell,)))

    for name, (key, span) in _INPUT_ARRAYS.items():
        yrs = {"h..T": [h, *years], "t": years, "h": [h]}[span]
        a, b = A[name][0], B[name][0]
        add(
            "inputs",
            key,
            [(f"inputs.{key}@{y}", float(a[j]), float(b[j])) for j, y in enumerate(yrs)],
        )
    for key, keyed in _NOTIFIED_ARRAYS.items():
        a, b = A[key][0], B[key][0]
        if keyed == "scalar":
            add("notified", key, [(f"notified.{key}", float(a[0]), float(b[0]))])
            continue
        yrs = years if keyed == "t" else [h, *years[:-1]]
        pairs = [(float(a[j]), float(b[j])) for j in range(len(yrs))]
        if any(math.isnan(x) != math.isnan(y) for x, y in pairs):
            # notified in other years (a, c, p roll forward where not notified): a whole driver
            out.append(
                Driver(
                    f"notified.{key}",
                    _words("notified", key, base, other).format(year="")
                    + ", notified in other years",
                    whole="notified",
                    key=key,
                )
            )
            continue
        add(
            "notified",
            key,
            [(f"notified.{key}@{y}", x, z) for y, (x, z) in zip(yrs, pairs, strict=True)],
        )
    if base.notified_value("nsf_last_year") != other.notified_value("nsf_last_year"):
        out.append(
            Driver(
                "notified.nsf_last_year",
                "last year of the network security factor nsf_last_year [year]",
                whole="notified",
                key="nsf_last_year",
            )
        )
    if base.first_relevant_year != other.first_relevant_year:
        out.append(
            Driver(
                "first_relevant_year",
                "the licence's First Relevant Year [year]",
                whole="first_relevant_year",
            )
        )
    if not _same_call_centre(A, B):
        out.append(
            Driver(
                "call_centre",
                "call centre KPIs, allowance and actuals (CC_t)",
                whole="call_centre",
            )
        )
    for switch in READINGS:
        if base.readings[switch] != other.readings[switch]:
            out.append(
                Driver(
                    f"interpretation.{switch}",
                    f"reading {READING_IDS[switch]} {switch}: {base.readings[switch]} -> "
                    f"{other.readings[switch]}",
                    whole="readings",
                    key=switch,
                )
            )
    return out


def _same_call_centre(A, B) -> bool:
    return all(
        np.shape(A[k]) == np.shape(B[k]) and np.array_equal(A[k], B[k])
        for k in ("cc_dev", "cc_weight", "cc_allowance")
    )


# --- the value of sets of drivers -------------------------------------------------------------


def _variant(base: Scenario, other: Scenario, whole: list[Driver]) -> Scenario:
    """``base`` with the whole drivers ``whole`` taken from ``other``, not linked again (the
    drivers are the resolved inputs)."""
    if not whole:
        return base
    readings, notified = dict(base.readings), dict(base.notified)
    changes: dict = {}
    for d in whole:
        if d.whole == "readings":
            readings[d.key] = other.readings[d.key]
        elif d.whole == "notified":
            if d.key in other.notified:
                notified[d.key] = other.notified[d.key]
            else:
                notified.pop(d.key, None)
        elif d.whole == "call_centre":
            changes["call_centre"] = other.call_centre
        elif d.whole == "first_relevant_year":
            changes["first_relevant_year"] = other.first_relevant_year
    return dataclasses.replace(base, readings=readings, notified=notified, _arrays=None, **changes)


@dataclass
class _Values:
    madr: np.ndarray  # (n, T)
    broken: np.ndarray  # (n,) bool: the mix has RBS below RUD in some year
    calls: int


def _values(base: Scenario, other: Scenario, drivers: list[Driver], masks: np.ndarray) -> _Values:
    """MADR of every set of drivers in ``masks`` (bool, (n, d): True = from OTHER)."""
    n = masks.shape[0]
    madr = np.empty((n, len(base.years)))
    broken = np.zeros(n, dtype=bool)
    whole_idx = [i for i, d in enumerate(drivers) if d.whole]
    cell_idx = [i for i, d in enumerate(drivers) if not d.whole]
    keys = masks[:, whole_idx] if whole_idx else np.zeros((n, 0), dtype=bool)
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for g, combo in enumerate(groups):
        rows = np.flatnonzero(inverse == g)
        chosen = [drivers[whole_idx[k]] for k, on in enumerate(combo) if on]
        scenario = _variant(base, other, chosen)
        overrides = {}
        for i in cell_idx:
            take = masks[rows, i]
            for target, b, o in drivers[i].cells:
                overrides[target] = np.where(take, o, b)
        try:
            res = evaluate(
                scenario,
                overrides or None,
                n=len(rows),
                columns=("MADR", "RUD", "RBS", "AL"),
            )
        except InputError as exc:
            names = ", ".join(d.name for d in chosen) or "none"
            raise InputError(
                f"a mix of the two scenarios cannot be evaluated (whole drivers from the other "
                f"file: {names}): {exc}",
                file=other._file,
            ) from exc
        madr[rows] = res["MADR"]
        broken[rows] = (res["RBS"] < res["RUD"]).any(axis=1) | (res["AL"][:, 0] < 0)
    return _Values(madr, broken, len(groups))


def _exact(values: np.ndarray, d: int) -> np.ndarray:
    """Shapley values (d, K) from the values of all 2**d sets (2**d, K), set i = bits of i.

    The weighted sums run in extended precision: in double precision the rounding of the
    weights over 2**d sets would leave the sum of the values up to 1e-5 RO off the difference.
    """
    masks = np.arange(1 << d)
    size = np.array([m.bit_count() for m in masks.tolist()])
    weight = np.array(
        [
            np.longdouble(math.factorial(s) * math.factorial(d - s - 1)) / math.factorial(d)
            for s in range(d)
        ],
        dtype=np.longdouble,
    )
    values = values.astype(np.longdouble)
    phi = np.empty((d, values.shape[1]), dtype=np.longdouble)
    for i in range(d):
        without = masks[(masks >> i) & 1 == 0]
        phi[i] = weight[size[without]] @ (values[without | (1 << i)] - values[without])
    return phi.astype(float)


def _mask_matrix(d: int) -> np.ndarray:
    return ((np.arange(1 << d)[:, None] >> np.arange(d)) & 1).astype(bool)


# --- the comparison ---------------------------------------------------------------------------


def check_discount_rate(rate) -> float | None:
    """A discount rate [fraction per year] as a float, or InputError under ``--discount-rate``."""
    if rate is None:
        return None
    try:
        r = float(rate)
    except (TypeError, ValueError):
        raise InputError(f"'{rate}' is not a number", key="--discount-rate") from None
    if not math.isfinite(r) or not -0.5 < r < 1:
        raise InputError(
            f"{rate} is not a discount rate: give a fraction per year between -0.5 and 1 "
            "(0.08 for 8 %)",
            key="--discount-rate",
        )
    return r


def present_value(amounts, rate: float):
    """Present value of amounts by modelled year, at the start of the first modelled year.

    Each year's amount is taken at the end of its year, as in the AMR building block:

    .. math:: PV = \\sum_j a_j (1 + r)^{-(j + 1)}

    Parameters
    ----------
    amounts : array_like
        Amounts by year on the last axis [RO].
    rate : float
        Discount rate r [fraction per year].

    Returns
    -------
    float or ndarray
        [RO], the leading shape of ``amounts``.

    Examples
    --------
    >>> round(float(present_value([110.0, 121.0], 0.1)), 6)
    200.0
    """
    a = np.asarray(amounts, dtype=float)
    out = np.sum(a * discount_factors(rate, a.shape[-1]), axis=-1)
    return out[()] if np.ndim(out) == 0 else out


def compare(
    base: Scenario,
    other: Scenario,
    by: str = "key",
    discount_rate: float | None = None,
    orderings: int = DEFAULT_ORDERINGS,
    seed: int = 20260101,
    exact_max: int = EXACT_MAX_DRIVERS,
) -> Comparison:
    """Every term of two scenarios side by side, and the difference of MADR split by driver.

    Parameters
    ----------
    base, other : Scenario
        Two scenarios of the same modelled years.
    by : {"key", "cell"}
        One driver per column or Notified Value (default) or per column or value and year.
    discount_rate : float, optional
        Also the present values at the start of the first modelled year [fraction per year].
    orderings : int
        Sampled orderings when there are more than ``exact_max`` drivers.
    seed : int
        Seed of the sampled orderings.
    exact_max : int
        The most drivers for which the Shapley value is computed exactly.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        Different modelled years; a bad ``by``, ``discount_rate`` or ``orderings``; a mix of the
        two files the formulas cannot carry.
    """
    rate = check_discount_rate(discount_rate)
    if (
        isinstance(orderings, bool)
        or not isinstance(orderings, (int, np.integer))
        or not (2 <= orderings <= 100_000)
    ):
        raise InputError(
            "the number of sampled orderings is a whole number 2-100000", key="--orderings"
        )
    drivers = drivers_of(base, other, by)
    t_base, t_other = project(base), project(other)
    table = _table(base, t_base, t_other, rate)
    labels = table["year"].tolist()
    d = len(drivers)
    notes: list[str] = []
    method, used, variants, calls = "exact", None, 0, 0
    phi = se = np.zeros((0, len(labels)))
    if d:
        if d <= exact_max:
            masks = _mask_matrix(d)
        else:
            masks, order = _orderings(d, orderings, seed)
        values = _values(base, other, drivers, masks)
        variants, calls = len(masks), values.calls
        v = values.madr - values.madr[0]
        # the period and the present value are sums over the years: the same split applies
        columns = [v, v.sum(axis=1)]
        if rate is not None:
            columns.append(v @ discount_factors(rate, v.shape[1]))
        v = np.column_stack(columns)
        if d <= exact_max:
            phi, se = _exact(v, d), np.zeros((d, v.shape[1]))
        else:
            # in extended precision, as in _exact; in the order of each ordering
            marginal = np.diff(v.astype(np.longdouble).reshape(orderings, d + 1, -1), axis=1)
            by_driver = np.empty_like(marginal)
            np.put_along_axis(by_driver, order[:, :, None], marginal, axis=1)
            phi = by_driver.mean(axis=0).astype(float)
            se = (by_driver.std(axis=0, ddof=1) / math.sqrt(orderings)).astype(float)
            method, used = "sampled orderings", orderings
            notes.append(
                f"{d} drivers, more than {exact_max}: the Shapley value is estimated from "
                f"{orderings} sampled orderings of the drivers (seed {seed}); standard_error is "
                "the standard error of each estimate; the estimates still add up to the difference"
            )
        # every difference between the files is in a driver: all drivers from OTHER is OTHER
        whole = values.madr[-1] if d <= exact_max else values.madr[d]
        direct = t_other["MADR"].to_numpy()
        if not np.allclose(whole, direct, rtol=0, atol=SUM_TOLERANCE):
            raise AssertionError(
                f"the drivers do not carry the whole difference: {whole} != {direct}"
            )
        notes += _notes(drivers, values, masks)
    attribution = _attribution(labels, drivers, phi, se)
    return Comparison(
        base=base,
        other=other,
        table=table,
        attribution=attribution,
        drivers=drivers,
        method=method,
        orderings=used,
        variants=variants,
        engine_calls=calls,
        discount_rate=rate,
        by=by,
        notes=notes,
    )


def _orderings(d: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The sets along ``m`` random orderings of ``d`` drivers: masks ((m * (d+1)), d) and the
    orderings (m, d)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((m, d)), axis=1)
    masks = np.zeros((m, d + 1, d), dtype=bool)
    rows = np.arange(m)[:, None]
    for k in range(d):
        masks[:, k + 1] = masks[:, k]
        masks[rows[:, 0], k + 1, order[:, k]] = True
    return masks.reshape(m * (d + 1), d), order


def _table(base: Scenario, t_base, t_other, rate) -> pd.DataFrame:
    data = {
        "MADR_base": t_base["MADR"].to_numpy(),
        "MADR_other": t_other["MADR"].to_numpy(),
    }
    data["MADR_diff"] = data["MADR_other"] - data["MADR_base"]
    for col in DIFF_COLUMNS:
        data[f"{col}_diff"] = t_other[col].to_numpy() - t_base[col].to_numpy()
    frame = pd.DataFrame(data)
    rows = [frame.sum(axis=0)]
    labels = [str(y) for y in base.years] + ["period"]
    if rate is not None:
        rows.append(frame.apply(lambda c: present_value(c.to_numpy(), rate)))
        labels.append("present_value")
    out = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)
    out.insert(0, "year", labels)
    return out


def _attribution(labels, drivers, phi, se) -> pd.DataFrame:
    k = len(drivers)
    return pd.DataFrame(
        {
            "year": np.repeat(labels, k),
            "driver": [d.name for d in drivers] * len(labels),
            "contribution": phi.T.reshape(-1),
            "standard_error": se.T.reshape(-1),
            "description": [d.words for d in drivers] * len(labels),
        }
    )


def _notes(drivers, values: _Values, masks) -> list[str]:
    notes = []
    names = {d.name for d in drivers}
    if "interpretation.cpi_basis" in names:
        notes.append(
            "reading R5 cpi_basis acts when the CPI basket is linked, before the engine: its "
            "effect is in the driver inputs.CPI, and the driver interpretation.cpi_basis is 0"
        )
    if values.broken.any():
        rows = np.flatnonzero(values.broken)
        energy = [d.name for d in drivers if d.name.split("@")[0] in ("inputs.RUD", "inputs.RBS")]
        notes.append(
            f"{rows.size} of {masks.shape[0]} mixes of the two files have RBS below RUD in some "
            "year, a rule between columns that neither file breaks (drivers "
            f"{', '.join(energy) or 'of the AMR plan'}); they are evaluated as the formulas "
            "stand (losses below zero)"
        )
    return notes

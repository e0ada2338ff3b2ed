"""The year-by-year engine: every term of MADR for every modelled year.

:func:`evaluate` composes the formulas of :mod:`tariffmodel.licence.schedule2` year by year, vectorised
over a leading scenario axis: thousands of variants of one scenario (Monte Carlo draws, grid
points, slider positions) run in one call, with a Python loop over the years only.
:func:`project` is the one-scenario view, a table with one row per year.

Timing (schedule2.md): LOSS_t reads RUD, RBS, TL and BAND of year t-1; CS_t reads WS, TS and DB
of t-1; K_Dt reads ARDR and MADR of t-1. ARDR_t not given is recovery_t x MADR_t (recovery
defaults to 1, revenue recovered exactly). In the first modelled year the test of paragraph 5 on
the history year cannot be made (year t-2 is not in the file), so reading R4 substitutes nothing
in the first modelled year.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tariffmodel.inputs.errors import InputError, ScenarioError, did_you_mean
from tariffmodel.inputs.fields import (
    AMOUNT_COLUMNS,
    HISTORY_REQUIRED,
    INPUT_FIELDS,
    MODELLED_ALLOWED,
    MODELLED_REQUIRED,
    NOTIFIED_FIELDS,
    REPORTED_COLUMNS,
)
from tariffmodel.licence import schedule2 as f
from tariffmodel.licence.terms import FLAG_COLUMNS
from tariffmodel.model.scenario import HISTORY_TARGET_COLUMNS, Scenario, parse_target

#: The columns of madr.csv, in order (the contract of scenario-format.md), then extra columns.
MADR_COLUMNS = (
    "year",
    "a",
    "c",
    "p",
    "CA",
    "DB",
    "AL",
    "TL",
    "BAND",
    "D",
    "LD",
    "BL",
    "LOSS",
    "NSF",
    "KS",
    "CS",
    "CC",
    *AMOUNT_COLUMNS,
    "i",
    "K",
    "MADR",
    "ARDR",
    *FLAG_COLUMNS,
)
EXTRA_COLUMNS = (
    "CPI",
    "X",
    "SR",
    "loss_cap",
    "RUD",
    "RBS",
    "DNS",
    "s",
    "WS_prev",
    "TS_prev",
    "ARDR_in_K",
)

# Arrays that cover the history year at index 0 (the others start at the first modelled year).
_WITH_HISTORY = {"RUD", "RBS", "WS", "ARDR", "TL", "BAND", "TS"}
_INPUT_ARRAY = {"MADR": "MADR_hist", "DB": "DB_hist"}


def targets(scenario: Scenario) -> list[str]:
    """Every target that :func:`evaluate` accepts as an override for ``scenario``."""
    out = []
    for col in MODELLED_ALLOWED:
        if col == "year" or col in REPORTED_COLUMNS:
            continue
        out.append(f"inputs.{col}")
        out += [f"inputs.{col}@{y}" for y in scenario.years]
    out += [f"inputs.{c}@{scenario.history_year}" for c in HISTORY_TARGET_COLUMNS]
    for key, (_, keyed) in NOTIFIED_FIELDS.items():
        if key == "nsf_last_year":  # a year, the same for every variant
            continue
        out.append(f"notified.{key}")
        if keyed == "t":
            out += [f"notified.{key}@{y}" for y in scenario.years]
        elif keyed == "own":
            out += [f"notified.{key}@{y - 1}" for y in scenario.years]
    return out


def _apply_overrides(
    sc: Scenario, base: dict[str, Any], overrides, n: int | None, cross_field: bool = False
):
    arrays = dict(base)
    if not overrides:
        return arrays, (n or 1)
    sizes = {np.shape(v)[0] for v in overrides.values() if np.ndim(v) >= 1}
    if n is not None:
        sizes.add(n)
    if len(sizes) > 1:
        raise ScenarioError(
            f"overrides disagree on the number of scenarios: {sorted(sizes)}",
            file=sc._file,
            key="overrides",
        )
    n = sizes.pop() if sizes else 1
    if n < 1:
        raise ScenarioError("the number of scenarios must be at least 1", key="n")
    T = len(sc.years)
    energy: list[tuple[str, int | None]] = []  # the targets that set RUD or RBS
    for target, value in overrides.items():
        section, key, year = parse_target(target, sc)
        value = np.asarray(value, dtype=float)
        # the rules of the scenario file hold for values set here too: a draw, a range end or
        # a grid point that no scenario file could hold is an error, not a number
        spec = INPUT_FIELDS[key] if section == "inputs" else NOTIFIED_FIELDS[key][0]
        required = HISTORY_REQUIRED if year == sc.history_year else MODELLED_REQUIRED
        # NaN in a column a row may leave out is a value not given (ARDR not yet reported)
        rule = spec.check_values(value, allow_missing=section == "inputs" and key not in required)
        if rule:
            raise InputError(
                f"{rule} (a value set for this target, which a scenario file could not hold)",
                key=target,
                year=year,
            )
        if key == "nsf_last_year":
            raise ScenarioError(
                "nsf_last_year cannot vary between scenarios", file=sc._file, key=target
            )
        name = _INPUT_ARRAY.get(key, key) if section == "inputs" else key
        L = arrays[name].shape[1]
        offset = sc.history_year if name in _WITH_HISTORY else sc.years[0]
        if name in (
            "MADR_hist",
            "DB_hist",
            "loss_cap_share",
            "k_penalty_threshold",
            "k_penalty_rate",
        ):
            cols = np.array([0])
        elif year is not None:
            cols = np.array([year - offset])
        elif section == "inputs" and name in _WITH_HISTORY:
            cols = np.arange(1, L)  # every modelled year, not the history row
        elif section == "notified" and key in ("a", "c", "p"):
            cols = np.flatnonzero(~np.isnan(base[key][0]))  # only where notified
        else:
            cols = np.arange(L)
        if value.ndim == 0:
            value = np.full(n, float(value))
        if value.ndim == 1:
            if value.shape[0] != n:
                raise ScenarioError(
                    f"expected {n} values, got {value.shape[0]}", file=sc._file, key=target
                )
            block = np.repeat(value[:, np.newaxis], len(cols), axis=1)
        elif value.ndim == 2 and year is None and value.shape == (n, T) and len(cols) == T:
            block = value
        elif value.ndim == 2 and value.shape == (n, T) and section == "notified" and L == T + 1:
            # TL, BAND, TS: one column per modelled year t, the entry of t-1 that it reads
            cols, block = np.arange(T), value
        else:
            raise ScenarioError(
                f"an override is an array of shape ({n},) or, for every modelled year, ({n}, {T});"
                f" got {value.shape}",
                file=sc._file,
                key=target,
            )
        full = np.array(np.broadcast_to(arrays[name], (n, L)), dtype=float)
        full[:, cols] = block
        arrays[name] = full
        if name in ("RUD", "RBS"):
            energy.append((target, year))
    if energy and cross_field:
        _check_energy(sc, arrays, energy)
    return arrays, n


def _check_energy(sc: Scenario, arrays: dict[str, Any], energy: list) -> None:
    """The rule between columns of the scenario file holds for values set here: RBS_t >= RUD_t
    in every year of every variant (one comparison over all variants)."""
    rud, rbs = np.asarray(arrays["RUD"]), np.asarray(arrays["RBS"])
    bad = rbs < rud
    if not bad.any():
        return
    bad = np.broadcast_to(bad, np.broadcast_shapes(rud.shape, rbs.shape))
    i, j = np.unravel_index(int(np.argmax(bad)), bad.shape)
    year = sc.history_year + int(j)
    lo = float(np.broadcast_to(rbs, bad.shape)[i, j])
    hi = float(np.broadcast_to(rud, bad.shape)[i, j])
    target = next((t for t, y in energy if y == year), energy[-1][0])
    raise InputError(
        f"RBS ({lo:g}) is below RUD ({hi:g}): bulk supplies cannot be less than units "
        "distributed (a value set for this target, which a scenario file could not hold)",
        key=target,
        year=year,
    )


ALL_COLUMNS = MADR_COLUMNS[1:] + EXTRA_COLUMNS


def _check_columns(columns) -> tuple[str, ...]:
    if columns is None:
        return ALL_COLUMNS
    names = tuple(dict.fromkeys(columns))
    unknown = [c for c in names if c not in ALL_COLUMNS]
    if unknown:
        raise ScenarioError(
            f"unknown engine column {unknown[0]!r}{did_you_mean(unknown[0], ALL_COLUMNS)}",
            key="columns",
        )
    return names


def evaluate(
    scenario: Scenario,
    overrides: dict[str, Any] | None = None,
    n: int | None = None,
    readings: dict[str, str] | None = None,
    columns=None,
    cross_field: bool = False,
) -> dict[str, np.ndarray]:
    """Every madr.csv column for ``n`` variants of a scenario, in one vectorised call.

    Parameters
    ----------
    scenario : Scenario
    overrides : dict, optional
        Target -> values. ``inputs.COL`` and ``notified.KEY`` take an array of shape (n,) (the same
        value in every year) or (n, T) (one per modelled year); ``inputs.COL@YEAR`` and
        ``notified.KEY@YEAR`` take shape (n,). ``notified.a`` (also c, p) replaces only the years
        where the scenario notifies a value; the others still roll forward. ``inputs.RUD`` (RBS,
        WS, ARDR) sets the modelled years; the history row is ``inputs.RUD@<history year>``.
        See :func:`targets`.
    n : int, optional
        The number of variants (taken from the overrides when not given).
    readings : dict, optional
        Readings R1-R8 to use instead of the scenario's.
    columns : iterable of str, optional
        Keep only these columns (default every column); the others are still computed where
        they enter the kept ones, but not stored, which saves memory and time for large ``n``.
    cross_field : bool, default False
        Hold the overrides to the rules between columns of the scenario file too (RBS_t not
        below RUD_t), as for draws; ranges and grids may explore beyond them.

    Returns
    -------
    dict
        Column -> array of shape (n, T) for every column of madr.csv but ``year``, and the extra
        columns of :data:`EXTRA_COLUMNS`; ``para3``, ``para4``, ``para5`` are boolean.
    """
    if readings:
        changed = {k: v for k, v in readings.items() if scenario.readings.get(k) != v}
        if changed:
            scenario = scenario.with_readings(**changed)
    base = scenario.arrays()
    A, n = _apply_overrides(scenario, base, overrides, n, cross_field)
    R = A["readings"]
    years = A["years"]
    T = len(years)
    names = _check_columns(columns)
    # each year's values contiguous (T, n), returned as (n, T) views: the stores stay sequential
    out = {c: np.empty((T, n), dtype=bool if c in FLAG_COLUMNS else float) for c in names}

    # CC_t does not depend on the other terms: all years at once (T,)
    cc = f.call_centre_incentive(
        A["cc_dev"], A["cc_weight"], A["cc_allowance"], R["call_centre"], R["call_centre_cap"]
    )
    share = A["loss_cap_share"][:, 0]
    thr = A["k_penalty_threshold"][:, 0]
    rate = A["k_penalty_rate"][:, 0]
    a_prev = c_prev = p_prev = None
    ardr_prev = A["ARDR"][:, 0]
    madr_prev = A["MADR_hist"][:, 0]
    db_prev = A["DB_hist"][:, 0]
    para5_prev = np.zeros(1, dtype=bool)  # t-2 of the first year is not in the file
    for j in range(T):
        cpi, x = A["CPI"][:, j], A["X"][:, j]
        a_n, c_n, p_n = A["a"][:, j], A["c"][:, j], A["p"][:, j]
        if j == 0:
            a, c, p = a_n, c_n, p_n
        else:
            a = np.where(np.isnan(a_n), f.index_rpi_x(a_prev, cpi, x), a_n)
            c = np.where(np.isnan(c_n), f.index_rpi_x(c_prev, cpi, x), c_n)
            p = np.where(np.isnan(p_n), f.price_of_losses(p_prev, cpi), p_n)
        ca = A["CA"][:, j]
        db = f.distribution_business_revenue(a, c, ca)
        # LOSS_t from year t-1 (index j of the arrays that start at the history year)
        rud_prev, rbs_prev = A["RUD"][:, j], A["RBS"][:, j]
        tl, band = A["TL"][:, j], A["BAND"][:, j]
        al = f.actual_losses(rud_prev, rbs_prev)
        first = bool(A["first_year"][j])
        d, ld, bl, cap, loss = f.loss_incentive(
            al, tl, band, first, rud_prev, p, db, share, R["loss_deadband"]
        )
        nsf = f.network_security_factor(A["DNS"][:, j], A["s"][:, j], years[j], A["nsf_last_year"])
        ts_prev = A["TS"][:, j]
        ws_prev = A["WS"][:, j]
        ws_prev = np.where(np.isnan(ws_prev), ts_prev, ws_prev)  # absent: on target
        ks = f.kpi_score_factor(ws_prev, ts_prev, A["CAP"][:, j])
        cs = f.customer_satisfaction(ks, A["r"][:, j], db_prev, A["CAP"][:, j])
        i = f.interest_rate_applied(A["SR"][:, j], ardr_prev, madr_prev, thr, rate)
        ardr_k = f.ardr_for_correction(ardr_prev, madr_prev, para5_prev, R["para5_substitution"])
        k = f.correction_factor(ardr_k, madr_prev, i)
        amounts = {name: A[name][:, j] for name in AMOUNT_COLUMNS}
        madr = f.maximum_allowed_revenue(
            db,
            loss,
            nsf,
            cs,
            cc[j],
            k,
            c=amounts["C"],
            npi=amounts["NPI"],
            fm=amounts["FM"],
            om=amounts["OM"],
            amr=amounts["AMR"],
            uc=amounts["UC"],
            lf=amounts["LF"],
            cpl=amounts["CPL"],
            wpra=amounts["WPRA"],
        )
        ardr_given = A["ARDR"][:, j + 1]
        ardr = np.where(np.isnan(ardr_given), A["recovery"][:, j] * madr, ardr_given)
        p3 = f.para3_test(ardr, madr)
        p4 = f.para4_test(ardr_prev, madr_prev, ardr, madr, R["para4_excess"])
        p5 = f.para5_test(ardr_prev, madr_prev, ardr, madr)
        row = {
            "a": a,
            "c": c,
            "p": p,
            "CA": ca,
            "DB": db,
            "AL": al,
            "TL": tl,
            "BAND": band,
            "D": d,
            "LD": ld,
            "BL": bl,
            "LOSS": loss,
            "NSF": nsf,
            "KS": ks,
            "CS": cs,
            "CC": cc[j],
            **amounts,
            "i": i,
            "K": k,
            "MADR": madr,
            "ARDR": ardr,
            "para3": p3,
            "para4": p4,
            "para5": p5,
            "CPI": cpi,
            "X": x,
            "SR": A["SR"][:, j],
            "loss_cap": cap,
            "RUD": A["RUD"][:, j + 1],
            "RBS": A["RBS"][:, j + 1],
            "DNS": A["DNS"][:, j],
            "s": A["s"][:, j],
            "WS_prev": ws_prev,
            "TS_prev": ts_prev,
            "ARDR_in_K": ardr_k,
        }
        for name, buf in out.items():
            buf[j] = row[name]
        a_prev, c_prev, p_prev = a, c, p
        ardr_prev, madr_prev, db_prev, para5_prev = ardr, madr, db, p5
    _refuse_non_finite(out, years, scenario._file)
    return {k: v.T for k, v in out.items()}


def _refuse_non_finite(out: dict[str, np.ndarray], years, file) -> None:
    """No term leaves the engine as NaN or infinity: name the first such term and its year."""
    for name, buf in out.items():
        # a sum is finite unless a value is not (or the sum overflows): one pass, no temporary
        if buf.dtype.kind == "f" and not math.isfinite(buf.sum()) and not np.isfinite(buf).all():
            j = int(np.argmax(~np.isfinite(buf).all(axis=1)))
            raise InputError(
                f"{name} is not a finite number in this year: the inputs are beyond any range the "
                "formulas can carry",
                file=file,
                key=name,
                year=int(years[j]),
            )


def to_frame(result: dict[str, np.ndarray], years, draw: int = 0) -> pd.DataFrame:
    """One variant of :func:`evaluate` as a table: one row per year, madr.csv columns first."""
    data = {"year": np.asarray(years, dtype=int)}
    for name in ALL_COLUMNS:
        data[name] = result[name][draw]
    frame = pd.DataFrame(data)
    frame["D"] = frame["D"].astype(int)
    return frame


def project(scenario: Scenario, readings: dict[str, str] | None = None) -> pd.DataFrame:
    """Every term of MADR for every modelled year of one scenario.

    Parameters
    ----------
    scenario : Scenario
    readings : dict, optional
        Readings R1-R8 to use instead of the scenario's.

    Returns
    -------
    pandas.DataFrame
        One row per modelled year; the columns of madr.csv (scenario-format.md) in their order,
        then :data:`EXTRA_COLUMNS`.
    """
    return to_frame(evaluate(scenario, readings=readings), scenario.years)

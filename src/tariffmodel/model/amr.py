"""AMR_t of Schedule 2: the smart-metering (Automated Meter Reading) building block.

From a checked plan (:mod:`tariffmodel.inputs.amr_plan`) this module builds the costs in RO by year
and asset class, rolls the Regulatory Asset Value forward (:mod:`tariffmodel.licence.amr`)
and gives AMR_t, the summary figures and the effect of the loss reduction on LOSS_t and CPL_t.

Every computation runs over a leading axis of plan variants, shape ``(n_variants, n_years)``,
so that thousands of variants (unit costs, WACC) run in one call (:func:`run_variants`); the
single plan is the case n = 1.

Public API (used by the scenario loader)::

    plan = load_plan(path)              # AmrPlan; InputError naming file, key and year
    allowance(plan, convention=None)    # Series "AMR" [RO] by year
    loss_reduction(plan)                # Series [fraction of bulk supplies] by year
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tariffmodel.inputs.amr_plan import AmrPlan, check_convention, load_plan, plan_from_dict
from tariffmodel.licence import amr as f
from tariffmodel.licence.amr import CAPEX_TIMING, CONVENTIONS

__all__ = [
    "CONVENTIONS",
    "AmrPlan",
    "PlanArrays",
    "allowance",
    "load_plan",
    "loss_reduction",
    "plan_arrays",
    "plan_from_dict",
    "run_variants",
    "summary",
    "table",
]


@dataclass(frozen=True)
class PlanArrays:
    """A plan's figures as arrays by year [RO unless stated]; years run to full depreciation."""

    years: np.ndarray  # (Y,) int
    n_programme: int  # years with index below this are the programme horizon
    lives: np.ndarray  # (K,) [years]
    capex: np.ndarray  # (K, Y) by asset class, replacements included
    opex: np.ndarray  # (I, Y) by operating cost item
    rollout: np.ndarray  # (Y,) [meters installed]
    in_service: np.ndarray  # (Y,) [meters, yearly average]
    accounts: np.ndarray  # (Y,) [customer accounts]
    benefits: np.ndarray  # (Y,) avoided reads and estimated bills, avoided loss purchases
    loss_reduction: np.ndarray  # (Y,) [fraction of bulk supplies]
    delta_cpl: np.ndarray  # (Y,) change of CPL_t
    delta_loss: np.ndarray  # (Y,) change of LOSS_t


def _held(mapping, years) -> np.ndarray:
    """Values by year from a sparse ``{year: value}``, each held until the next one (0 before)."""
    out = np.zeros(len(years))
    for y, v in sorted(mapping.items()):
        out[years >= y] = v
    return out


def _on_years(mapping, years) -> np.ndarray:
    """Values of ``{year: value}`` on the years given, zero elsewhere."""
    out = np.zeros(len(years))
    for y, v in mapping.items():
        out[years == y] = v
    return out


def _twelve_months_after(day: _dt.date) -> _dt.date:
    """The same day a year on (29 February: 1 March), the day after 12 months from ``day``.

    >>> _twelve_months_after(_dt.date(2027, 3, 1)), _twelve_months_after(_dt.date(2028, 2, 29))
    (datetime.date(2028, 3, 1), datetime.date(2029, 3, 1))
    """
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February, in a year with none
        return _dt.date(day.year + 1, 3, 1)


def _cyber_costs(plan: AmrPlan, years, programme, grow) -> np.ndarray:
    """Rows isms_certification, security_audit, supplier_assurance [RO] by year.

    Certification is due within 12 months of the effective date (regulation 2.2.3), so its cost
    falls pro rata by day over those 12 months (365 or 366 days, as the calendar has them); the
    independent audit is yearly from certification (2.2.4), and supplier assurance yearly from
    the effective date (2.2.7), pro rata by day in the year they start. All three end with the
    programme (``horizon_end``): a part of the 12 months after it is not in the allowance, and
    run-off years (``run_off: true``) carry none of them.
    """
    c = plan.cyber
    certified = _twelve_months_after(c.effective_date)
    isms = f.period_share_by_year(c.effective_date, certified, years) * programme
    audit = f.year_fraction_from(certified, years) * programme
    assurance = f.year_fraction_from(c.effective_date, years) * programme
    return np.stack(
        [
            isms * c.isms_certification * grow,
            audit * c.security_audit * grow,
            assurance * c.supplier_assurance * grow,
        ]
    )


def _opening_replacements(plan: AmrPlan, hyears: np.ndarray, grow_h: np.ndarray) -> np.ndarray:
    """Capex (K, programme years) replacing the opening meters' per-meter assets at the end of
    each life: a class of unit cost c and life L replaces a vintage v of m meters in
    v + L, v + 2L, ... at c * share * m, escalated like the plan's own installs."""
    out = np.zeros((len(plan.capex), len(hyears)))
    if plan.opening is None:
        return out
    for k, c in enumerate(plan.capex):
        if not c.unit_cost:
            continue
        for v in plan.opening.vintages:
            due = np.isin(hyears, np.arange(v.year + c.life, hyears[-1] + 1, c.life))
            out[k] += np.where(due, c.unit_cost * c.share * v.meters * grow_h, 0.0)
    return out


def _opening_rav(plan: AmrPlan, wacc: np.ndarray, n_years: int) -> dict[str, np.ndarray] | None:
    """The opening RAV's building block when the plan recovers it in AMR_t, else None."""
    o = plan.opening
    if o is None or o.recovered_in != "amr":
        return None
    left = [(v.rav, v.year + o.life - plan.first_year) for v in o.vintages]
    left = [(rav, n) for rav, n in left if n >= 1]  # fully depreciated vintages carry rav 0
    if not left:
        return None
    rav, n = zip(*left, strict=True)
    return f.opening_rav_block(np.array(rav), np.array(n), wacc, n_years)


@functools.lru_cache(maxsize=64)
def plan_arrays(plan: AmrPlan) -> PlanArrays:
    """Build the arrays of a plan (cached per plan): costs by class and item, service, benefits."""
    lo, hi = plan.first_year, plan.horizon_end
    n_h = hi - lo + 1
    hyears = np.arange(lo, hi + 1)
    grow_h = (1.0 + plan.escalation) ** np.arange(n_h)
    rollout_h = _on_years(plan.rollout, hyears)
    lives = np.array([c.life for c in plan.capex], dtype=int)
    first_time = np.stack(
        [
            c.unit_cost * c.share * rollout_h * grow_h + _on_years(c.amounts, hyears)
            for c in plan.capex
        ]
    )
    capex_h = f.replacement_capex(first_time, lives, n_h, plan.escalation)
    capex_h = capex_h + _opening_replacements(plan, hyears, grow_h)
    n_years = n_h
    if plan.run_off:
        spent = capex_h > 0
        last = np.where(spent.any(axis=1), n_h - 1 - np.argmax(spent[:, ::-1], axis=1), -1)
        n_years = max(n_h, int(np.max(np.where(last >= 0, last + lives + 1, 0))))
    years = np.arange(lo, lo + n_years)
    pad = n_years - n_h
    capex = np.pad(capex_h, ((0, 0), (0, pad)))
    programme = (years <= hi).astype(float)
    grow = (1.0 + plan.escalation) ** np.arange(n_years)
    rollout = np.pad(rollout_h, (0, pad))
    new_in_service = f.meters_in_service(rollout) * programme
    # the meters installed before the first year run (and cost) as the plan's do; their
    # benefits are already in the baseline (losses of 2024, reading costs before the control)
    in_service = new_in_service + plan.opening_meters * programme

    rows = []
    for o in plan.opex:
        span = programme.copy()
        if o.first is not None:
            span[years < o.first] = 0.0
        if o.last is not None:
            span[years > o.last] = 0.0
        rows.append(
            (o.per_meter_year * in_service + o.per_year * span) * grow + _on_years(o.amounts, years)
        )
    if plan.cyber is not None:
        rows.extend(_cyber_costs(plan, years, programme, grow))
    opex = np.stack(rows) if rows else np.zeros((0, n_years))

    b = plan.benefits
    if b.loss_reduction_full is not None:
        total = plan.total_meters
        reduction = f.coverage_scaled_reduction(b.loss_reduction_full, new_in_service, total or 1.0)
    else:
        reduction = _on_years(b.loss_reduction_by_year, years)
    rbs = _held(b.bulk_supplies_kwh, years)
    rud = rbs * (1.0 - b.baseline_losses)
    has = rud > 0  # no forecast of bulk supplies (or no units): no effect to compute
    delta_cpl = np.where(
        has,
        f.loss_purchase_saving(
            np.where(has, rbs, 1.0), np.where(has, rud, 1.0), reduction, b.loss_energy_price * grow
        ),
        0.0,
    )
    delta_loss = np.concatenate(
        [[0.0], f.loss_incentive_change(rud[:-1], b.p * grow[1:], reduction[:-1])]
    )
    benefits = (
        b.manual_read_per_meter_year + b.estimated_bills_per_meter_year
    ) * new_in_service * grow - delta_cpl
    out = PlanArrays(
        years=years,
        n_programme=n_h,
        lives=lives,
        capex=capex,
        opex=opex,
        rollout=rollout,
        in_service=in_service,
        accounts=_held(plan.accounts, years),
        benefits=benefits,
        loss_reduction=reduction,
        delta_cpl=delta_cpl,
        delta_loss=delta_loss,
    )
    for a in vars(out).values():
        if isinstance(a, np.ndarray):
            a.flags.writeable = False  # shared through the cache: nobody may change them
    return out


def _convention(plan: AmrPlan, convention: str | None) -> str:
    return check_convention(plan.convention if convention is None else convention, plan.file)


def _scale(value, n_rows: int, name: str) -> np.ndarray:
    """A scale factor of shape (n,) or (n, n_rows) as (n, n_rows)."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 1:
        a = a[:, np.newaxis]
    if a.ndim != 2 or a.shape[1] not in (1, n_rows):
        raise ValueError(f"{name} must have shape (n,) or (n, {n_rows}), got {np.shape(value)}")
    return np.broadcast_to(a, (a.shape[0], n_rows))


def _arrays(plan: AmrPlan, convention: str) -> PlanArrays:
    """:func:`plan_arrays` for a convention: to ``horizon_end`` only under ``as_incurred``.

    Capex expensed as incurred leaves no RAV to run off: years after the horizon would carry
    nothing to recover, yet a levelised profile or a cost per account-year would spread over
    them.
    """
    arr = plan_arrays(plan)
    n = arr.n_programme
    if convention != "as_incurred" or len(arr.years) == n:
        return arr
    by_year = {k: v[..., :n] for k, v in vars(arr).items() if isinstance(v, np.ndarray)}
    del by_year["lives"]  # by asset class, not by year
    return replace(arr, **by_year)


def run_variants(
    plan: AmrPlan,
    *,
    wacc=None,
    capex_scale=None,
    opex_scale=None,
    convention: str | None = None,
    levelise: bool | None = None,
) -> dict[str, np.ndarray]:
    """The building block for n variants of a plan in one vectorised call.

    Parameters
    ----------
    plan : AmrPlan
    wacc : array_like, shape (n,), optional
        WACC of each variant [fraction]; default the plan's.
    capex_scale : array_like, shape (n,) or (n, n_classes), optional
        Factor on the plan's capex (unit costs), all classes or each class [fraction].
    opex_scale : array_like, shape (n,) or (n, n_items), optional
        Factor on the plan's operating costs [fraction].
    convention : {"year_end", "half_year", "as_incurred"}, optional
        Default the plan's.
    levelise : bool, optional
        AMR as the flat profile of the same NPV; default the plan's.

    Returns
    -------
    dict
        ``years`` (Y,), and (n, Y) arrays ``capex``, ``opening_rav``, ``depreciation``,
        ``return``, ``closing_rav``, ``opex``, ``building_block`` (depreciation + return +
        opex), ``AMR``; (n,) arrays ``wacc``, ``npv_allowance``, ``npv_capex``, ``npv_opex``,
        ``npv_costs``, ``npv_closing_rav``.
    """
    conv = _convention(plan, convention)
    arr = _arrays(plan, conv)
    lev = plan.levelise if levelise is None else levelise
    sizes = [np.shape(x)[0] for x in (wacc, capex_scale, opex_scale) if np.ndim(x) > 0]
    n = max(sizes) if sizes else 1
    w = np.broadcast_to(np.asarray(plan.wacc if wacc is None else wacc, dtype=float), (n,))
    k_scale = _scale(
        np.ones(n) if capex_scale is None else capex_scale, len(arr.lives), "capex_scale"
    )
    o_scale = _scale(
        np.ones(n) if opex_scale is None else opex_scale, arr.opex.shape[0], "opex_scale"
    )
    capex = k_scale[:, :, np.newaxis] * arr.capex  # (n, K, Y)
    bb = f.building_block(capex, arr.lives, w, conv)
    # an opening RAV recovered in AMR_t: added once here, never as capex (it is no spending of
    # the plan); under `elsewhere` nothing of it enters
    if (ob := _opening_rav(plan, w, len(arr.years))) is not None:
        bb = {k: v + ob[k] if k in ob else v for k, v in bb.items()}
    opex = np.einsum("ni,iy->ny", o_scale, arr.opex)
    block = bb["depreciation"] + bb["return"] + opex
    amr = f.levelised_profile(block, w) if lev else block
    npv_capex = f.npv(bb["capex"], w, CAPEX_TIMING[conv])
    npv_opex = f.npv(opex, w)
    last = f.discount_factors(w, len(arr.years))[:, -1]
    return {
        "years": arr.years,
        "wacc": w,
        "capex": bb["capex"],
        "opening_rav": bb["opening_rav"],
        "depreciation": bb["depreciation"],
        "return": bb["return"],
        "closing_rav": bb["closing_rav"],
        "opex": opex,
        "building_block": block,
        "AMR": amr,
        "npv_allowance": f.npv(amr, w),
        "npv_capex": npv_capex,
        "npv_opex": npv_opex,
        "npv_costs": npv_capex + npv_opex,
        "npv_closing_rav": bb["closing_rav"][:, -1] * last,
    }


def table(
    plan: AmrPlan, convention: str | None = None, levelise: bool | None = None
) -> pd.DataFrame:
    """One row per year: the roll-forward, AMR_t, costs by class and item, benefits.

    Columns: ``year``, ``meters_installed``, ``meters_in_service``, ``accounts``, ``capex``,
    ``opening_rav``, ``depreciation``, ``return``, ``closing_rav``, ``opex``,
    ``building_block``, ``AMR``, ``ro_per_account``, ``benefits``, ``loss_reduction``,
    ``delta_CPL``, ``delta_LOSS``, ``wacc``, ``convention``, then ``capex_<class>`` and
    ``opex_<item>``.
    """
    conv = _convention(plan, convention)
    arr = _arrays(plan, conv)
    r = run_variants(plan, convention=conv, levelise=levelise)
    cols = {
        "year": arr.years,
        "meters_installed": arr.rollout,
        "meters_in_service": arr.in_service,
        "accounts": arr.accounts,
    }
    for k in ("capex", "opening_rav", "depreciation", "return", "closing_rav", "opex"):
        cols[k] = r[k][0]
    cols["building_block"] = r["building_block"][0]
    cols["AMR"] = r["AMR"][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["ro_per_account"] = np.where(arr.accounts > 0, r["AMR"][0] / arr.accounts, np.nan)
    cols["benefits"] = arr.benefits
    cols["loss_reduction"] = arr.loss_reduction
    cols["delta_CPL"] = arr.delta_cpl
    cols["delta_LOSS"] = arr.delta_loss
    cols["wacc"] = np.full(len(arr.years), plan.wacc)
    cols["convention"] = conv
    for name, row in zip(plan.class_names, arr.capex, strict=True):
        cols[f"capex_{name}"] = row
    for name, row in zip(plan.opex_names, arr.opex, strict=True):
        cols[f"opex_{name}"] = row
    return pd.DataFrame(cols)


def summary(plan: AmrPlan, convention: str | None = None, levelise: bool | None = None) -> dict:
    """Summary figures of a plan [RO unless stated], as a flat dict (JSON-ready)."""
    conv = _convention(plan, convention)
    arr = _arrays(plan, conv)
    lev = plan.levelise if levelise is None else levelise
    r = run_variants(plan, convention=conv, levelise=lev)
    w = plan.wacc
    years = arr.years
    d = f.discount_factors(w, len(years))
    costs = r["capex"][0] + r["opex"][0]
    meter_years = float(np.sum(arr.in_service * d))
    account_years = float(np.sum(arr.accounts * d))
    amr = r["AMR"][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_account = np.where(arr.accounts > 0, amr / arr.accounts, 0.0)
    peak = int(np.argmax(per_account))
    return {
        "name": plan.name,
        "plan": plan.file,
        "convention": conv,
        "levelised_profile": bool(lev),
        "wacc": w,
        "first_year": int(years[0]),
        "horizon_end": plan.horizon_end,
        "last_year": int(years[-1]),
        "meters": plan.total_meters,
        "capex_total": float(r["capex"][0].sum()),
        "opex_total": float(r["opex"][0].sum()),
        "npv_allowance": float(r["npv_allowance"][0]),
        "npv_costs": float(r["npv_costs"][0]),
        "npv_capex": float(r["npv_capex"][0]),
        "npv_opex": float(r["npv_opex"][0]),
        "closing_rav_last_year": float(r["closing_rav"][0, -1]),
        "npv_closing_rav_last_year": float(r["npv_closing_rav"][0]),
        "npv_identity_gap": float(
            r["npv_allowance"][0] + r["npv_closing_rav"][0] - r["npv_costs"][0]
        ),
        "levelised_cost_per_meter_year": float(r["npv_costs"][0]) / meter_years
        if meter_years
        else None,
        "ro_per_account_year_levelised": float(r["npv_allowance"][0]) / account_years
        if account_years
        else None,
        "ro_per_account_year_peak": float(per_account[peak]),
        "ro_per_account_year_peak_year": int(years[peak]),
        "npv_benefits": float(np.sum(arr.benefits * d)),
        "payback_year": f.payback_year(years, arr.benefits, costs),
        "payback_year_discounted": f.payback_year(years, arr.benefits, costs, w),
        "loss_reduction_peak": float(arr.loss_reduction.max()),
        "npv_delta_CPL": float(np.sum(arr.delta_cpl * d)),
        "npv_delta_LOSS": float(np.sum(arr.delta_loss * d)),
    }


def _plan(plan_or_path) -> AmrPlan:
    return plan_or_path if isinstance(plan_or_path, AmrPlan) else load_plan(Path(plan_or_path))


def allowance(plan, convention: str | None = None) -> pd.Series:
    """AMR_t [RO] for every year of the plan's horizon (through full depreciation).

    Parameters
    ----------
    plan : AmrPlan or path
    convention : {"year_end", "half_year", "as_incurred"}, optional
        Default the plan's (``year_end`` unless it says otherwise). The plan's ``levelise``
        switch decides whether AMR_t is the building block or its flat profile of equal NPV.

    Returns
    -------
    pandas.Series
        Indexed by year (int), name ``"AMR"`` [RO].
    """
    p = _plan(plan)
    r = run_variants(p, convention=convention)
    return pd.Series(r["AMR"][0], index=pd.Index(r["years"].astype(int), name="year"), name="AMR")


def loss_reduction(plan) -> pd.Series:
    """The fall of Actual Losses by year [fraction of bulk supplies] (0.004 = 0.4 points).

    Zero after the programme horizon. Apply it to a forecast with
    :func:`tariffmodel.licence.amr.reduced_bulk_supplies`.
    """
    arr = plan_arrays(_plan(plan))
    return pd.Series(
        arr.loss_reduction.copy(),
        index=pd.Index(arr.years.astype(int), name="year"),
        name="loss_reduction",
    )

"""The loss incentive on its own: LOSS_t against AL_{t-1}, its band and cap, under both
readings of R1; the value of one percentage point of losses; the effect of an AMR loss
reduction.

Paragraph 1(b): ``LOSS_t = max(min(BL_t, Cap_t), -Cap_t)``, ``BL_t = RUD_{t-1} p_t LD_t``,
``LD_t = (TL_{t-1} - AL_{t-1}) D_t``, ``Cap_t = 3 % x DB_t``. Reading R1 decides D_t after the
First Relevant Year: ``as_drafted`` (the band has no effect) or ``every_year`` (the 2023 dead
band [TL, TL + BAND] applies every year). See schedule2.md.

:func:`loss_curve` is the formula alone, for any TL, BAND, p_t, RUD and DB; the other functions
run a scenario through the engine, all of their variants in one call (per reading).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel.analysis.montecarlo import load
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence import schedule2 as f
from tariffmodel.licence.amr import reduced_bulk_supplies
from tariffmodel.model import amr

R1_READINGS = ("as_drafted", "every_year")


def loss_curve(al, tl, band, p, rud, db, *, reading="as_drafted", first_year=False, share=0.03):
    r"""LOSS_t [RO] as a function of Actual Losses AL_{t-1}, for given TL, BAND, p, RUD, DB.

    .. math:: LOSS_t = \max\left(\min\left(RUD_{t-1}\, p_t\, (TL_{t-1} - AL_{t-1})\, D_t,\;
              Cap_t\right), -Cap_t\right), \quad Cap_t = share \times DB_t

    Paragraph 1(b): :func:`tariffmodel.licence.schedule2.loss_incentive`, the engine's own
    composition, on any AL; D_t by reading R1.

    Parameters
    ----------
    al : array_like
        AL_{t-1}, Actual Losses [fraction].
    tl, band : array_like
        TL_{t-1} and BAND_{t-1} [fraction].
    p : array_like
        p_t [RO per kWh].
    rud : array_like
        RUD_{t-1} [kWh].
    db : array_like
        DB_t [RO].
    reading : {"as_drafted", "every_year"}
        Reading R1.
    first_year : bool
        True when year t is the First Relevant Year (the dead band applies under both readings).
    share : float
        The cap as a share of DB_t [fraction] (``loss_cap_share``, default 0.03).

    Returns
    -------
    float or ndarray
        LOSS_t [RO], shaped like ``al`` broadcast with the others.

    Examples
    --------
    >>> round(float(loss_curve(0.080, 0.085, 0.005, 0.02, 30e9, 170e6)), 2)  # 30e9 x 0.02 x 0.005
    3000000.0
    >>> float(loss_curve(0.070, 0.085, 0.005, 0.02, 30e9, 170e6))  # capped at 3 % of DB
    5100000.0
    >>> float(loss_curve(0.087, 0.085, 0.005, 0.02, 30e9, 170e6, reading="every_year"))
    0.0
    """
    loss = f.loss_incentive(al, tl, band, first_year, rud, p, db, share, reading).LOSS
    return loss + 0.0  # + 0.0: no negative zero


def _year(sc, year) -> int:
    year = sc.years[0] if year is None else int(year)
    if year not in sc.years:
        raise InputError(
            f"not a modelled year; modelled years are {sc.years[0]}-{sc.years[-1]}",
            key="year",
            year=year,
        )
    return year


def scenario_curve(scenario, year: int | None = None, al=None) -> pd.DataFrame:
    """LOSS_t against AL_{t-1} for one year of a scenario, under both readings of R1.

    AL is moved through RBS of year t-1 (``RBS = RUD / (1 - AL)``); everything else is the
    scenario's. One engine call per reading.

    Parameters
    ----------
    scenario : Scenario or path
    year : int, optional
        Year t (default the first modelled year).
    al : array_like, optional
        AL_{t-1} values [fraction]; default 401 points from TL - 4 x BAND - 0.02 to
        TL + 5 x BAND + 0.02.

    Returns
    -------
    DataFrame
        ``AL``, ``BL`` (as drafted), ``LOSS_as_drafted``, ``LOSS_every_year`` [RO]; the attrs
        hold ``year``, ``TL``, ``BAND``, ``cap`` [RO], ``cap_share`` (cap / DB_t [fraction]),
        ``AL_actual`` (the scenario's AL) and ``reading`` (the scenario's own reading of R1).
    """
    sc = load(scenario)
    year = _year(sc, year)
    j = sc.years.index(year)
    base = tm.evaluate(sc)
    tl, band = float(base["TL"][0, j]), float(base["BAND"][0, j])
    if al is None:
        al = np.linspace(tl - 4 * band - 0.02, tl + 5 * band + 0.02, 401)
    al = np.asarray(al, dtype=float)
    if al.ndim != 1 or not np.all((al < 1.0) & np.isfinite(al)):
        raise InputError("AL values must be a list of finite fractions below 1", key="al")
    rud = float(sc.rows[year - 1]["RUD"])
    ov = {f"inputs.RBS@{year - 1}": f.bulk_supplies_for_losses(rud, al)}
    frame = pd.DataFrame({"AL": al})
    for reading in R1_READINGS:
        res = tm.evaluate(sc, overrides=ov, n=al.size, readings={"loss_deadband": reading})
        if reading == "as_drafted":
            frame["BL"] = res["BL"][:, j]
        frame[f"LOSS_{reading}"] = res["LOSS"][:, j] + 0.0  # + 0.0: no negative zero
    frame.attrs.update(
        year=year,
        TL=tl,
        BAND=band,
        cap=float(base["loss_cap"][0, j]),
        cap_share=float(base["loss_cap"][0, j] / base["DB"][0, j]),
        AL_actual=float(base["AL"][0, j]),
        reading=sc.readings["loss_deadband"],
    )
    return frame


def value_of_loss_point(scenario, *, readings: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The value [RO] of one percentage point of losses in each year.

    .. math:: V_t = LOSS_t(AL_{t-1} - 0.01) - LOSS_t(AL_{t-1})

    what the Licensee gains in LOSS_t by bringing AL_{t-1} down by one point (0.01), RUD held.
    ``uncapped`` is the same on BL_t (``RUD_{t-1} p_t D_t x 0.01`` where D_t = 1).
    One engine call (2 rows; each year's AL moves through its own RBS_{t-1}).

    Returns
    -------
    DataFrame
        ``year``, ``AL``, ``LOSS``, ``value_per_point``, ``uncapped_per_point`` [RO].
    """
    sc = load(scenario)
    years = list(sc.years)
    ov = {}
    for y in years:
        rud, rbs = float(sc.rows[y - 1]["RUD"]), float(sc.rows[y - 1]["RBS"])
        al = f.actual_losses(rud, rbs)
        ov[f"inputs.RBS@{y - 1}"] = np.array([rbs, f.bulk_supplies_for_losses(rud, al - 0.01)])
    res = tm.evaluate(sc, overrides=ov, n=2, readings=dict(readings or {}))
    return pd.DataFrame(
        {
            "year": years,
            "AL": res["AL"][0],
            "LOSS": res["LOSS"][0],
            "value_per_point": res["LOSS"][1] - res["LOSS"][0],
            "uncapped_per_point": res["BL"][1] - res["BL"][0],
        }
    )


def amr_loss_effect(
    scenario, reduction, *, readings: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """How an AMR loss reduction moves AL_{t-1}, LOSS_t and MADR_t.

    Parameters
    ----------
    scenario : Scenario or path
        A scenario that has not already applied the reduction (``amr_loss_reduction: true``).
    reduction : Series, mapping or AMR plan
        The fall of Actual Losses by year [fraction of bulk supplies] (0.004 = 0.4 points), as
        :func:`tariffmodel.model.amr.loss_reduction` gives it; anything else is taken for a plan and
        passed to that function.

    Returns
    -------
    DataFrame
        Per year t: ``reduction`` (of year t-1), ``AL`` and ``AL_amr`` (AL_{t-1}), ``LOSS`` and
        ``LOSS_amr``, ``LOSS_change``, ``MADR_change`` [RO]. One engine call (2 rows): RBS of
        each year t-1 becomes ``RUD / (RUD/RBS + reduction)`` (RUD held).
    """
    sc = load(scenario)
    if "RBS" in getattr(sc, "filled", {}):
        raise InputError(
            "this scenario already applies an AMR loss reduction to RBS "
            f"({sc.filled['RBS']}); use it without amr_loss_reduction to see the effect",
            file=getattr(sc, "_file", None),
            key="amr_loss_reduction",
        )
    if not isinstance(reduction, pd.Series | Mapping):
        reduction = amr.loss_reduction(reduction)
    red = {int(k): float(v) for k, v in dict(reduction).items()}
    years = list(sc.years)
    ov, deltas = {}, []
    for y in years:
        rud, rbs = float(sc.rows[y - 1]["RUD"]), float(sc.rows[y - 1]["RBS"])
        delta = red.get(y - 1, 0.0)
        deltas.append(delta)
        ov[f"inputs.RBS@{y - 1}"] = np.array([rbs, float(reduced_bulk_supplies(rbs, rud, delta))])
    res = tm.evaluate(sc, overrides=ov, n=2, readings=dict(readings or {}))
    return pd.DataFrame(
        {
            "year": years,
            "reduction": deltas,
            "AL": res["AL"][0],
            "AL_amr": res["AL"][1],
            "LOSS": res["LOSS"][0],
            "LOSS_amr": res["LOSS"][1],
            "LOSS_change": res["LOSS"][1] - res["LOSS"][0],
            "MADR_change": res["MADR"][1] - res["MADR"][0],
        }
    )

"""The formulas of Schedule 2 of NEDC's Distribution Licence, one function each.

Every function is pure and vectorised: scalars in give a scalar out, numpy arrays and pandas
objects keep their shape and index (numpy broadcasting applies between arguments). Rates and
shares are fractions (0.025 means 2.5 %), money is in Omani Rial [RO], energy in [kWh].

Paragraph numbers are those of Schedule 2 (modified 1 January 2026). Where the licence text is
unclear the reading used is named (R1-R8 of the model's specification) and both readings are
implemented; :data:`READINGS` lists the switches and :data:`READING_REGISTER` says what each
reading takes the text to mean.

Comparisons on an edge (Actual Losses exactly at the target, revenue exactly 2 % or 3 % over the
cap) are made with a tolerance of ``EDGE_TOLERANCE`` relative to the size of the numbers compared
(absolute for fractions), so that a value that is on the edge in the decimal figures of the
inputs is on the edge in the model, whatever binary rounding did to it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tariffmodel.licence.arrays import is_labelled
from tariffmodel.licence.condition13 import TRUE_UP_READINGS
from tariffmodel.licence.indices import CPI_BASES, SPECIFIED_RATE_MONTHS
from tariffmodel.licence.terms import TESTS

#: Relative tolerance of edge comparisons (absolute for numbers below 1): some 45 times the
#: rounding of a double, so that decimal edges hold (1 - 0.915 against 0.08 + 0.005) while
#: inputs off the edge by far less than a kWh in 32 TWh (AL off by 6e-13) are off it.
EDGE_TOLERANCE = 1e-14

#: Readings of unclear licence text: switch -> allowed values, default first.
READINGS: dict[str, tuple[str, ...]] = {
    "loss_deadband": ("as_drafted", "every_year"),
    "call_centre": ("penalty_only", "as_drafted"),
    "para4_excess": ("positive_part", "net"),
    "para5_substitution": ("none", "cap_at_90pct"),
    "cpi_basis": CPI_BASES,
    "specified_rate_months": tuple(SPECIFIED_RATE_MONTHS),
    "licence_fee_true_up": TRUE_UP_READINGS,
    "call_centre_cap": ("total", "per_kpi"),
}

#: The reading ids of the specification, for reports.
READING_IDS = {
    "loss_deadband": "R1",
    "call_centre": "R2",
    "para4_excess": "R3",
    "para5_substitution": "R4",
    "cpi_basis": "R5",
    "specified_rate_months": "R6",
    "licence_fee_true_up": "R7",
    "call_centre_cap": "R8",
}


class Reading(NamedTuple):
    """An entry of the readings register: where the text is unclear and what each reading takes
    it to mean (the values in the order of :data:`READINGS`, default first)."""

    where: str  # the paragraph or definition
    text: str  # the words of the licence that allow two answers
    meanings: tuple[str, ...]  # what each value of the switch takes the text to mean
    applies: str  # when the switch can move a number


#: The readings register: switch -> :class:`Reading`. ``tariffmodel readings --list``, the
#: statement and the docs (docs/readings.md) take their words from here.
READING_REGISTER: dict[str, Reading] = {
    "loss_deadband": Reading(
        "Schedule 2, paragraph 1b, D_t",
        'after the First Relevant Year "D_t = 1 if AL_{t-1} < TL_{t-1} + BAND_{t-1} or '
        'AL_{t-1} > TL_{t-1} + BAND_{t-1}", which is 1 everywhere except exactly at TL + BAND',
        (
            "the text as written: after the First Relevant Year the band has no effect",
            "the First Relevant Year's dead band (D_t = 0 for TL <= AL <= TL + BAND) every year",
        ),
        "every scenario whose Actual Losses of a later year lie in [TL, TL + BAND)",
    ),
    "call_centre": Reading(
        "Schedule 2, paragraph 1e, CC_t",
        'CC_t = sum of max(0, Deviation_i x W_i x Allowance_t), yet "penalty only": as written '
        "every term is zero",
        (
            "the shortfalls are penalties: CC_t = sum of min(0, Deviation_i x W_i x Allowance_t), "
            "capped as reading R8 says",
            "the literal formula (always 0)",
        ),
        "a scenario with a call_centre block and actuals",
    ),
    "para4_excess": Reading(
        "Schedule 2, paragraph 4",
        '"the sum of the amounts by which ARDR has exceeded MADR" over two successive years',
        (
            "a year below the cap adds 0 (each year's positive part)",
            "signed differences: a year below the cap offsets one above",
        ),
        "every scenario (the test of paragraph 4)",
    ),
    "para5_substitution": Reading(
        "Schedule 2, paragraph 5",
        'the Authority "may direct" that a figure between ARDR_{t-1} and 0.9 x MADR_{t-1} be '
        "substituted in K_Dt",
        (
            "no substitution",
            "when paragraph 5 held on t-2 and t-1, ARDR_{t-1} in K_Dt becomes 0.9 x MADR_{t-1}",
        ),
        "a scenario where revenue is under 90 % of the cap two years running",
    ),
    "cpi_basis": Reading(
        "Schedule 2, paragraph 1a, CPI_t",
        '"the percentage change in the Omani Consumer Price Index in the twelve month period '
        'ending on 30th June in the previous Relevant Year"',
        (
            "index of June t-1 over the index of June t-2, less 1",
            "mean of July t-2 to June t-1 over the mean of the twelve months before, less 1",
        ),
        "a scenario that fills CPI_t from the CPI basket (cpi_series)",
    ),
    "specified_rate_months": Reading(
        'Schedule 2, Definitions, "Specified Rate"',
        '"the average of the Weighted Average Interest Rates on Deposits ... published in the '
        "Monthly Statistical Bulletin ... during Relevant Year t-1\": a month's rate is published "
        "about a month after the month it refers to",
        (
            "the rates for the twelve months of t-1 (January to December t-1)",
            "the rates published during t-1, one month later: December t-2 to November t-1",
        ),
        "a scenario that fills SR from the monthly deposit rates (deposit_rates); an SR given in "
        "the year table is taken as given",
    ),
    "licence_fee_true_up": Reading(
        "Condition 13, paragraph 2(b), through LF_Dt (Schedule 2, paragraph 1)",
        'the true-up is "the difference ... between (i) the amount of the fee paid ... and (ii) '
        "the amount which that fee would have been\" on the Authority's actual costs and the "
        "Licensee's actual proportion",
        (
            "(ii) - (i): an underpayment of t-1 is charged in t, an overpayment credited. The "
            "Distribution share of year t applies to the whole fee payable in t, true-up included; "
            "the fee year is the Relevant Year (Condition 13's year from 1 June 2023 is the short "
            "First Relevant Year 1 June-31 December 2023, then calendar years)",
            "(i) - (ii), in the order the text names them: an overpayment is charged again and "
            "an underpayment refunded on top (same share and fee year)",
        ),
        "a scenario that computes LF_Dt from a licence_fee block; an LF given in the year table "
        "is taken as given",
    ),
    "call_centre_cap": Reading(
        "Schedule 2, paragraph 1e, CC_t (with reading R2 penalty_only)",
        'the Call Center Allowance "represents the cap": of the total penalty, or of each '
        "KPI's? Deviation_i = (A_i - T_i) / T_i has no sign turn for a KPI where less is better; "
        "under either value the model turns it, (T_i - A_i) / T_i, so that a shortfall is "
        "always negative (the model's, not the licence's)",
        (
            "the allowance caps the total penalty: CC_t = max(sum_i min(0, Deviation_i x W_i x "
            "Allowance_t), -Allowance_t)",
            "each KPI's penalty is capped at W_i x Allowance_t: CC_t = sum_i max(min(0, "
            "Deviation_i x W_i x Allowance_t), -W_i x Allowance_t)",
        ),
        "a scenario with a call_centre block and actuals, under R2 penalty_only only (R2 "
        "as_drafted gives 0 whatever the cap)",
    ),
}


# --- helpers -------------------------------------------------------------------------------


def _wrap(result, *like):
    """Give ``result`` the kind of the inputs: scalar, ndarray, or the first labelled input.

    A labelled input (a pandas Series or DataFrame) is known by its ``index``, so that the
    formulas need numpy only."""
    for obj in like:
        if is_labelled(obj) and np.shape(result) == np.shape(obj):
            return type(obj)(result, index=obj.index, **_labels(obj))
    if np.ndim(result) == 0:
        return result.item() if hasattr(result, "item") else result
    return result


def _labels(obj):
    return {"columns": obj.columns} if hasattr(obj, "columns") else {"name": obj.name}


def _arrays(*args):
    """Broadcast the arguments as float arrays."""
    return np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))


def _check_reading(switch: str, value: str) -> None:
    if value not in READINGS[switch]:
        raise ValueError(
            f"reading {READING_IDS[switch]} ({switch}) must be one of "
            f"{', '.join(READINGS[switch])}, not {value!r}"
        )


def strictly_greater(x, y):
    """``x > y`` beyond the edge tolerance.

    Parameters
    ----------
    x, y : array_like
        Numbers of the same unit.

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> strictly_greater(1 - 0.915, 0.08 + 0.005)   # 0.085 on both sides, in decimal
    False
    >>> strictly_greater(0.0851, 0.085)
    True
    >>> strictly_greater(1 - 29_280_000_032 / 32_000_000_035, 0.085)  # AL 7.8e-13 over the edge
    True
    """
    x_, y_ = _arrays(x, y)
    # max(|x|, |y|, 1) * tolerance, built in one scratch array (this runs on every draw)
    scale = np.abs(x_, out=np.empty(x_.shape))
    np.maximum(scale, np.abs(y_), out=scale)
    np.maximum(scale, 1.0, out=scale)
    scale *= EDGE_TOLERANCE
    return _wrap(np.subtract(x_, y_) > scale, x, y)


# --- paragraph 1a: DB_t and its indexation --------------------------------------------------


def index_rpi_x(previous, cpi, x=0.0):
    r"""Roll a base value forward by CPI minus X (paragraph 1a; 1b with X = 0).

    .. math:: v_t = v_{t-1} \times (1 + CPI_t - X_{Dt})

    Used for a_t and c_t (with X_Dt) and for p_t (with X = 0) in every Relevant Year in which the
    Authority has not notified a value.

    Parameters
    ----------
    previous : array_like
        v_{t-1}, the value of the year before [RO, RO per account or RO per kWh].
    cpi : array_like
        CPI_t [fraction]: the change of the Omani CPI over the twelve months ending 30 June of
        year t-1.
    x : array_like, default 0
        X_Dt, the efficiency factor [fraction].

    Returns
    -------
    v_t : same unit as ``previous``

    Examples
    --------
    >>> index_rpi_x(100.0, 0.03, 0.01)
    102.0
    """
    prev_, cpi_, x_ = _arrays(previous, cpi, x)
    return _wrap(prev_ * (1.0 + cpi_ - x_), previous, cpi, x)


def price_of_losses(previous, cpi):
    r"""Roll p_t forward by CPI (paragraph 1b).

    .. math:: p_t = p_{t-1} \times (1 + CPI_t)

    Parameters
    ----------
    previous : array_like
        p_{t-1} [RO per kWh].
    cpi : array_like
        CPI_t [fraction].

    Returns
    -------
    p_t : [RO per kWh]

    Examples
    --------
    >>> round(price_of_losses(0.020, 0.05), 6)
    0.021
    """
    return index_rpi_x(previous, cpi, 0.0)


def distribution_business_revenue(a, c, customer_accounts):
    r"""DB_t, the Distribution Business Revenue (paragraph 1a).

    .. math:: DB_t = a_t + c_t \times CA_t

    Parameters
    ----------
    a : array_like
        a_t, the fixed element [RO].
    c : array_like
        c_t, the element per customer account [RO per account].
    customer_accounts : array_like
        CA_t, customer accounts registered [accounts].

    Returns
    -------
    DB_t : [RO]

    Examples
    --------
    >>> distribution_business_revenue(60_000_000, 85.0, 1_300_000)
    170500000.0
    """
    a_, c_, ca_ = _arrays(a, c, customer_accounts)
    return _wrap(a_ + c_ * ca_, a, c, customer_accounts)


# --- paragraph 1b: LOSS_t -------------------------------------------------------------------


def actual_losses(units_distributed, bulk_supplies):
    r"""AL_{t-1}, Actual Losses (paragraph 1b).

    .. math:: AL_{t-1} = 1 - \frac{RUD_{t-1}}{RBS_{t-1}}

    Parameters
    ----------
    units_distributed : array_like
        RUD_{t-1}, Regulated Units Distributed [kWh].
    bulk_supplies : array_like
        RBS_{t-1}, Regulated Bulk Supplies [kWh].

    Returns
    -------
    AL_{t-1} : [fraction]

    Examples
    --------
    >>> actual_losses(92.0, 100.0)
    0.07999999999999996
    """
    rud, rbs = _arrays(units_distributed, bulk_supplies)
    return _wrap(1.0 - rud / rbs, units_distributed, bulk_supplies)


def bulk_supplies_for_losses(units_distributed, actual_losses):
    r"""RBS_{t-1} that gives the stated Actual Losses: paragraph 1b's AL solved for RBS [kWh].

    .. math:: RBS_{t-1} = \frac{RUD_{t-1}}{1 - AL_{t-1}}

    Used wherever Actual Losses are set and bulk supplies follow (loss curves, break-evens,
    dashboard controls), RUD held.

    Parameters
    ----------
    units_distributed : array_like
        RUD_{t-1} [kWh].
    actual_losses : array_like
        AL_{t-1} [fraction], below 1.

    Returns
    -------
    RBS_{t-1} : [kWh]

    Examples
    --------
    >>> bulk_supplies_for_losses(30_000.0, 0.25)
    40000.0
    >>> bulk_supplies_for_losses(92.0, actual_losses(92.0, 100.0))
    100.0
    """
    rud, al = _arrays(units_distributed, actual_losses)
    return _wrap(rud / (1.0 - al), units_distributed, actual_losses)


def loss_deadband_factor(al, tl, band, first_relevant_year, reading="as_drafted"):
    r"""D_t, whether the loss incentive applies (paragraph 1b; reading R1).

    In the First Relevant Year (2023):

    .. math:: D_t = 1 \text{ if } AL_{t-1} < TL_{t-1} \text{ or } AL_{t-1} > TL_{t-1} + BAND_{t-1}
              \text{, otherwise } 0

    In later years the licence writes "D_t = 1 if AL < TL + BAND or AL > TL + BAND", which is 1
    everywhere except exactly at TL + BAND.

    Reading R1: ``"as_drafted"`` (default) takes the later-years text as written, so after the
    First Relevant Year the band has no effect; ``"every_year"`` applies the First Relevant Year's
    dead band in every year. Edges are compared with :data:`EDGE_TOLERANCE`.

    Parameters
    ----------
    al : array_like
        AL_{t-1}, Actual Losses [fraction].
    tl : array_like
        TL_{t-1}, Target Losses [fraction].
    band : array_like
        BAND_{t-1}, the dead band above the target [fraction].
    first_relevant_year : bool or array_like of bool
        True where year t is the First Relevant Year.
    reading : {"as_drafted", "every_year"}

    Returns
    -------
    D_t : {0.0, 1.0}

    Examples
    --------
    >>> loss_deadband_factor(0.083, 0.080, 0.005, first_relevant_year=False)
    1.0
    >>> loss_deadband_factor(0.083, 0.080, 0.005, False, reading="every_year")
    0.0
    >>> loss_deadband_factor(0.085, 0.080, 0.005, False)   # exactly at TL + BAND
    0.0
    """
    _check_reading("loss_deadband", reading)
    al_, tl_, band_, first = np.broadcast_arrays(
        np.asarray(al, float),
        np.asarray(tl, float),
        np.asarray(band, float),
        np.asarray(first_relevant_year, bool),
    )
    upper = tl_ + band_
    above = strictly_greater(al_, upper)
    dead_band_rule = strictly_greater(tl_, al_) | above
    if reading == "every_year":
        later_rule = dead_band_rule
    else:
        later_rule = strictly_greater(upper, al_) | above
    d = np.where(first, dead_band_rule, later_rule).astype(float)
    return _wrap(d, al, tl)


def loss_difference(tl, al, d):
    r"""LD_t, the percentage-point difference between target and actual losses (paragraph 1b).

    .. math:: LD_t = (TL_{t-1} - AL_{t-1}) \times D_t

    Parameters
    ----------
    tl : array_like
        TL_{t-1} [fraction].
    al : array_like
        AL_{t-1} [fraction].
    d : array_like
        D_t [0 or 1].

    Returns
    -------
    LD_t : [fraction]; positive when losses beat the target.

    Examples
    --------
    >>> round(loss_difference(0.085, 0.080, 1.0), 6)
    0.005
    """
    tl_, al_, d_ = _arrays(tl, al, d)
    # + 0.0: no -0.0 inside the dead band (it would print as -0.0 in madr.csv)
    return _wrap((tl_ - al_) * d_ + 0.0, al, tl)


def base_loss(units_distributed_prev, p, ld):
    r"""BL_t, the uncapped losses incentive (paragraph 1b).

    .. math:: BL_t = RUD_{t-1} \times p_t \times LD_t

    Parameters
    ----------
    units_distributed_prev : array_like
        RUD_{t-1} [kWh].
    p : array_like
        p_t, the value of losses [RO per kWh].
    ld : array_like
        LD_t [fraction].

    Returns
    -------
    BL_t : [RO]

    Examples
    --------
    >>> round(base_loss(30e9, 0.02, 0.001), 2)
    600000.0
    """
    rud, p_, ld_ = _arrays(units_distributed_prev, p, ld)
    return _wrap(rud * p_ * ld_, units_distributed_prev, p, ld)


def loss_cap(db, share=0.03):
    r"""Cap_t of the losses incentive (paragraph 1b).

    .. math:: Cap_t = 3\% \times DB_t

    Parameters
    ----------
    db : array_like
        DB_t [RO].
    share : array_like, default 0.03
        The cap as a share of DB_t [fraction].

    Returns
    -------
    Cap_t : [RO]

    Examples
    --------
    >>> loss_cap(100_000_000)
    3000000.0
    """
    db_, share_ = _arrays(db, share)
    return _wrap(db_ * share_, db)


def losses_incentive(bl, cap):
    r"""LOSS_t, the Losses Incentive Revenue, BL_t capped on both sides (paragraph 1b).

    .. math:: LOSS_t = \max(\min(BL_t, Cap_t), -Cap_t)

    Parameters
    ----------
    bl : array_like
        BL_t [RO].
    cap : array_like
        Cap_t [RO], not negative.

    Returns
    -------
    LOSS_t : [RO]

    Examples
    --------
    >>> losses_incentive(5_000_000.0, 3_000_000.0)
    3000000.0
    >>> losses_incentive(-5_000_000.0, 3_000_000.0)
    -3000000.0
    """
    bl_, cap_ = _arrays(bl, cap)
    return _wrap(np.maximum(np.minimum(bl_, cap_), -cap_), bl)


class LossIncentive(NamedTuple):
    """The steps of paragraph 1b for one year: D_t, LD_t, BL_t, the cap and LOSS_t."""

    D: Any  # dead-band factor [0/1]
    LD: Any  # loss difference [fraction]
    BL: Any  # base loss incentive [RO]
    cap: Any  # the cap, a share of DB_t [RO]
    LOSS: Any  # the loss incentive after the cap [RO]


def loss_incentive(al, tl, band, first_relevant_year, units_distributed_prev, p, db, share=0.03,
                   reading="as_drafted"):  # fmt: skip
    r"""LOSS_t of paragraph 1b from Actual Losses, with every step: the one composition of 1b.

    .. math::

        LOSS_t = \max\left(\min\left(RUD_{t-1}\, p_t\, (TL_{t-1} - AL_{t-1})\, D_t,\;
                 Cap_t\right), -Cap_t\right), \qquad Cap_t = share \times DB_t

    The engine computes LOSS_t with it, and loss curves (LOSS_t against AL_{t-1}) are this
    function on a grid of AL.

    Parameters
    ----------
    al : array_like
        AL_{t-1}, Actual Losses [fraction].
    tl, band : array_like
        TL_{t-1}, BAND_{t-1} [fraction].
    first_relevant_year : bool
        Year t is the First Relevant Year (the dead band applies under both readings of R1).
    units_distributed_prev : array_like
        RUD_{t-1} [kWh].
    p : array_like
        p_t [RO per kWh].
    db : array_like
        DB_t [RO].
    share : float, default 0.03
        The cap as a share of DB_t [fraction] (``loss_cap_share``).
    reading : {"as_drafted", "every_year"}
        Reading R1.

    Returns
    -------
    LossIncentive
        D_t [0/1], LD_t [fraction], BL_t [RO], the cap [RO], LOSS_t [RO].

    Examples
    --------
    RUD 30 TWh, p 0.02 RO/kWh, losses 0.5 point under target, DB 170 m RO:

    >>> step = loss_incentive(0.080, 0.085, 0.005, False, 30e9, 0.02, 170e6)
    >>> step.D, round(step.LD, 6), round(step.BL, 2), step.cap, round(step.LOSS, 2)
    (1.0, 0.005, 3000000.0, 5100000.0, 3000000.0)
    """
    d = loss_deadband_factor(al, tl, band, first_relevant_year, reading)
    ld = loss_difference(tl, al, d)
    bl = base_loss(units_distributed_prev, p, ld)
    cap = loss_cap(db, share)
    return LossIncentive(d, ld, bl, cap, losses_incentive(bl, cap))


# --- paragraph 1c: NSF_t --------------------------------------------------------------------


def network_security_factor(dns, s, year, last_year=2026):
    r"""NSF_t, the Network Security Factor (paragraph 1c and footnote 2).

    .. math:: NSF_t = DNS_t \times s_t \quad (t \le 2026), \qquad NSF_t = 0 \quad (t > 2026)

    DNS_t is the demand not secured measured in relation to year t-1. Footnote 2 removes the term
    after 2026, once the impact from t-1 has been reflected; ``last_year`` is that year.

    Parameters
    ----------
    dns : array_like
        DNS_t, Demand Not Secured [MVA].
    s : array_like
        s_t [RO per MVA].
    year : array_like of int
        t.
    last_year : int, default 2026
        The last year in which the term applies.

    Returns
    -------
    NSF_t : [RO]

    Examples
    --------
    >>> network_security_factor(12.0, 15_000.0, 2026)
    180000.0
    >>> network_security_factor(12.0, 15_000.0, 2027)
    0.0
    """
    dns_, s_, year_ = _arrays(dns, s, year)
    return _wrap(np.where(year_ <= last_year, dns_ * s_, 0.0), dns, s)


# --- paragraph 1d: CS_t ---------------------------------------------------------------------


def kpi_score_factor(ws, ts, cap):
    r"""KS_t, the customer KPI score ratio clamped to the cap (paragraph 1d).

    .. math:: KS_t = \min(\max(WS_{t-1} / TS_{t-1},\ 1 - CAP_t),\ 1 + CAP_t)

    which is the licence's three cases (at or above 1 + CAP, at or below 1 - CAP, in between).

    Parameters
    ----------
    ws : array_like
        WS_{t-1}, the Weighted KPI Score [dimensionless].
    ts : array_like
        TS_{t-1}, the target score [dimensionless], not zero.
    cap : array_like
        CAP_t [fraction].

    Returns
    -------
    KS_t : [dimensionless]

    Examples
    --------
    >>> kpi_score_factor(0.95, 0.80, 0.10)
    1.1
    >>> round(kpi_score_factor(0.84, 0.80, 0.10), 12)
    1.05
    """
    ws_, ts_, cap_ = _arrays(ws, ts, cap)
    return _wrap(np.clip(ws_ / ts_, 1.0 - cap_, 1.0 + cap_), ws, ts)


def customer_satisfaction(ks, r, db_prev, cap):
    r"""CS_t, the Customer Satisfaction Incentive (paragraph 1d).

    .. math:: CS_t = (KS_t - 1) \times r_t \times DB_{t-1} \times \frac{1}{CAP_t}

    With KS_t clamped to 1 +- CAP_t, CS_t lies within +- r_t x DB_{t-1}.

    Parameters
    ----------
    ks : array_like
        KS_t [dimensionless].
    r : array_like
        r_t, revenue at risk [fraction of DB_{t-1}].
    db_prev : array_like
        DB_{t-1} [RO].
    cap : array_like
        CAP_t [fraction], above zero.

    Returns
    -------
    CS_t : [RO]

    Examples
    --------
    >>> round(customer_satisfaction(1.05, 0.01, 100_000_000, 0.10), 2)
    500000.0
    """
    ks_, r_, db_, cap_ = _arrays(ks, r, db_prev, cap)
    return _wrap((ks_ - 1.0) * r_ * db_ / cap_, ks, db_prev)


# --- paragraph 1e: CC_t ---------------------------------------------------------------------


def kpi_deviation(actual, target, higher_is_better=True):
    r"""Deviation_i of a call-centre KPI from its target (paragraph 1e).

    .. math:: Deviation_i = (A_i - T_i) / T_i \quad\text{(more is better)}, \qquad
              Deviation_i = (T_i - A_i) / T_i \quad\text{(less is better)}

    The licence writes only the first form; for a KPI where less is better (abandonment rate,
    waiting time) the model turns the sign so that a shortfall is always negative. The turn is
    the model's, not the licence's, and a stated part of readings R2 and R8: without it a
    less-is-better KPI above its target would attract no penalty and one below it would.

    Parameters
    ----------
    actual : array_like
        A_i, actual performance [KPI unit].
    target : array_like
        T_i, target [KPI unit], not zero.
    higher_is_better : array_like of bool, default True

    Returns
    -------
    Deviation_i : [fraction]; negative is a shortfall.

    Examples
    --------
    >>> round(kpi_deviation(0.72, 0.80), 12)
    -0.1
    >>> round(kpi_deviation(0.06, 0.05, higher_is_better=False), 12)
    -0.2
    """
    a, t, hib = np.broadcast_arrays(
        np.asarray(actual, float), np.asarray(target, float), np.asarray(higher_is_better, bool)
    )
    dev = np.where(hib, a - t, t - a) / t
    return _wrap(dev, actual, target)


def call_centre_incentive(deviation, weight, allowance, reading="penalty_only", cap="total"):
    r"""CC_t, the Call Centre Incentive (paragraph 1e; readings R2 and R8).

    The licence writes

    .. math:: CC_t = \sum_{i=1}^{n} \max(0,\ Deviation_i \times W_i \times Allowance_t)

    and calls it "penalty only", with the allowance as "the cap". As written every term is zero.

    Reading R2: ``"penalty_only"`` (default) keeps the shortfalls as penalties, capped as reading
    R8 says; ``"as_drafted"`` is the literal formula (always 0 or more; 0 for any real data),
    whatever ``cap``.

    Reading R8 (under ``"penalty_only"`` only): ``cap="total"`` (default) caps the total penalty
    at the allowance,

    .. math:: CC_t = \max\left(\sum_i \min(0,\ Deviation_i W_i Allowance_t),\ -Allowance_t\right)

    ``cap="per_kpi"`` caps each KPI's penalty at its weight times the allowance,

    .. math:: CC_t = \sum_i \max\left(\min(0,\ Deviation_i W_i Allowance_t),\
              -W_i Allowance_t\right)

    so a KPI's penalty binds only where its Deviation is below -1 (a less-is-better KPI at more
    than twice its target); with weights summing to at most 1 the total stays within the
    allowance and is never below the ``"total"`` reading's.

    Parameters
    ----------
    deviation : array_like, (..., n)
        Deviation_i of each KPI on the last axis [fraction] (:func:`kpi_deviation`).
    weight : array_like, (..., n)
        W_i [fraction].
    allowance : array_like, (...)
        The Call Centre Allowance of year t [RO].
    reading : {"penalty_only", "as_drafted"}
        Reading R2.
    cap : {"total", "per_kpi"}
        Reading R8.

    Returns
    -------
    CC_t : [RO], at most 0 under ``"penalty_only"``.

    Examples
    --------
    >>> call_centre_incentive([-0.1, -0.2, 0.05], [0.5, 0.3, 0.2], 400_000.0)
    -44000.0
    >>> call_centre_incentive([-0.1, -0.2, 0.05], [0.5, 0.3, 0.2], 400_000.0, "as_drafted")
    0.0
    >>> call_centre_incentive([-0.5, -3.0, 0.0], [0.5, 0.3, 0.2], 400_000.0)
    -400000.0
    >>> call_centre_incentive([-0.5, -3.0, 0.0], [0.5, 0.3, 0.2], 400_000.0, cap="per_kpi")
    -220000.0
    """
    _check_reading("call_centre", reading)
    _check_reading("call_centre_cap", cap)
    dev = np.asarray(deviation, float)
    w = np.asarray(weight, float)
    allowance_ = np.asarray(allowance, float)
    terms = dev * w * allowance_[..., np.newaxis]
    if reading == "as_drafted":
        # "If Deviation_i >= 0 ... set to zero", then max(0, .) of what is left
        terms = np.where(dev >= 0.0, 0.0, terms)
        cc = np.maximum(0.0, terms).sum(axis=-1)
    elif cap == "per_kpi":
        cc = np.maximum(np.minimum(0.0, terms), -w * allowance_[..., np.newaxis]).sum(axis=-1)
        cc = cc + 0.0
    else:
        # + 0.0 turns a -0.0 (no shortfall) into 0.0
        cc = np.maximum(np.minimum(0.0, terms).sum(axis=-1), -allowance_) + 0.0
    return _wrap(cc, allowance)


# --- paragraph 1: K_Dt ----------------------------------------------------------------------


def interest_rate_applied(specified_rate, ardr_prev, madr_prev, threshold=0.02, penalty=0.03):
    r"""i_t, the interest rate on the correction factor (paragraph 1).

    .. math:: i_t = SR_t + 0.03 \text{ if } ARDR_{t-1} > (1 + 0.02) \times MADR_{t-1}
              \text{, otherwise } SR_t

    The licence writes ``(1 + i_t/100)`` with i_t in percent and "the Specified Rate plus 3";
    with rates as fractions that is ``(1 + i_t)`` and ``SR_t + 0.03``.

    Parameters
    ----------
    specified_rate : array_like
        SR_t, the Specified Rate [fraction].
    ardr_prev, madr_prev : array_like
        ARDR_{t-1} and MADR_{t-1} [RO].
    threshold : float, default 0.02
        Over-recovery beyond which the penalty applies [fraction of MADR_{t-1}].
    penalty : float, default 0.03
        Added to the Specified Rate [fraction].

    Returns
    -------
    i_t : [fraction]

    Examples
    --------
    >>> interest_rate_applied(0.025, 103.0, 100.0)
    0.055
    >>> interest_rate_applied(0.025, 102.0, 100.0)    # exactly 2 % over: no penalty
    0.025
    """
    sr, ardr, madr, thr, pen = _arrays(specified_rate, ardr_prev, madr_prev, threshold, penalty)
    over = strictly_greater(ardr, (1.0 + thr) * madr)
    return _wrap(np.where(over, sr + pen, sr), specified_rate, ardr_prev)


def correction_factor(ardr_prev, madr_prev, i):
    r"""K_Dt, the correction factor (paragraph 1).

    .. math:: K_{Dt} = (ARDR_{t-1} - MADR_{t-1}) \times (1 + i_t)

    K_Dt enters MADR_t with a minus sign: over-recovery in t-1 lowers MADR_t.

    Parameters
    ----------
    ardr_prev : array_like
        ARDR_{t-1} [RO], or the figure substituted for it under paragraph 5.
    madr_prev : array_like
        MADR_{t-1} [RO].
    i : array_like
        i_t [fraction].

    Returns
    -------
    K_Dt : [RO]

    Examples
    --------
    >>> round(correction_factor(171_000_000, 168_000_000, 0.0258), 2)
    3077400.0
    """
    ardr, madr, i_ = _arrays(ardr_prev, madr_prev, i)
    return _wrap((ardr - madr) * (1.0 + i_), ardr_prev, madr_prev)


def ardr_for_correction(
    ardr_prev, madr_prev, para5_prev, reading="none", share=TESTS["para5"].threshold
):
    r"""The figure used for ARDR_{t-1} in K_Dt (paragraph 5; reading R4).

    Paragraph 5: when ARDR was below 90 % of MADR in two successive years, the Authority may
    substitute for ARDR_{t-1} a figure between ARDR_{t-1} and 0.9 x MADR_{t-1}.

    Reading R4: ``"none"`` (default) substitutes nothing; ``"cap_at_90pct"`` substitutes
    0.9 x MADR_{t-1} when the test of paragraph 5 held on year t-1 (that is for t-2 and t-1).

    Parameters
    ----------
    ardr_prev, madr_prev : array_like
        ARDR_{t-1}, MADR_{t-1} [RO].
    para5_prev : array_like of bool
        Whether the test of paragraph 5 held on year t-1.
    reading : {"none", "cap_at_90pct"}
    share : float, default 0.9

    Returns
    -------
    ARDR used in K_Dt : [RO]

    Examples
    --------
    >>> ardr_for_correction(80.0, 100.0, True, "cap_at_90pct")
    90.0
    >>> ardr_for_correction(80.0, 100.0, True)
    80.0
    """
    _check_reading("para5_substitution", reading)
    ardr, madr = _arrays(ardr_prev, madr_prev)
    if reading == "none":
        return _wrap(ardr, ardr_prev)
    flag = np.broadcast_to(np.asarray(para5_prev, bool), ardr.shape)
    return _wrap(np.where(flag, np.maximum(ardr, share * madr), ardr), ardr_prev)


# --- the cap --------------------------------------------------------------------------------


def maximum_allowed_revenue(
    db,
    loss,
    nsf,
    cs,
    cc,
    k,
    c=0.0,
    npi=0.0,
    fm=0.0,
    om=0.0,
    amr=0.0,
    uc=0.0,
    lf=0.0,
    cpl=0.0,
    wpra=0.0,
):
    r"""MADR_t, the Maximum Allowed Distribution Revenue (paragraph 1).

    .. math:: MADR_t = C_t + DB_t + LOSS_t + NSF_t + CS_t + NPI_t + FM_t + OM_t + AMR_t + UC_t
              + CC_t + LF_{Dt} + CPL_t + WPRA_t - K_{Dt}

    Parameters
    ----------
    db, loss, nsf, cs, cc, k : array_like
        DB_t, LOSS_t, NSF_t, CS_t, CC_t, K_Dt [RO].
    c, npi, fm, om, amr, uc, lf, cpl, wpra : array_like, default 0
        C_t, NPI_t, FM_t, OM_t, AMR_t, UC_t, LF_Dt, CPL_t, WPRA_t [RO].

    Returns
    -------
    MADR_t : [RO]

    Examples
    --------
    >>> maximum_allowed_revenue(100.0, 2.0, 1.0, 0.5, -0.5, 3.0, amr=4.0)
    104.0
    """
    parts = _arrays(c, db, loss, nsf, cs, npi, fm, om, amr, uc, cc, lf, cpl, wpra, k)
    total = sum(parts[:-1]) - parts[-1]
    return _wrap(total, db)


# --- paragraphs 3, 4, 5: compliance tests ---------------------------------------------------


def para3_test(ardr, madr, margin=TESTS["para3"].threshold):
    r"""Paragraph 3: ARDR_t exceeds MADR_t by more than 3 per cent.

    .. math:: ARDR_t > 1.03 \times MADR_t

    Parameters
    ----------
    ardr, madr : array_like
        ARDR_t, MADR_t [RO].
    margin : float, default 0.03

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> para3_test(103.0, 100.0), para3_test(103.01, 100.0)
    (False, True)
    """
    ardr_, madr_ = _arrays(ardr, madr)
    return _wrap(strictly_greater(ardr_, (1.0 + margin) * madr_), ardr)


def para4_test(
    ardr_prev, madr_prev, ardr, madr, reading="positive_part", margin=TESTS["para4"].threshold
):
    r"""Paragraph 4: over two successive years, the excess of ARDR over MADR is more than 4 % of
    MADR of the second year (reading R3).

    .. math:: e_{t-1} + e_t > 0.04 \times MADR_t, \qquad e = \max(ARDR - MADR, 0)

    Reading R3: ``"positive_part"`` (default): a year below the cap adds 0; ``"net"``:
    e = ARDR - MADR, signed.

    Parameters
    ----------
    ardr_prev, madr_prev, ardr, madr : array_like
        ARDR and MADR of years t-1 and t [RO].
    reading : {"positive_part", "net"}
    margin : float, default 0.04

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> para4_test(103.0, 100.0, 98.0, 100.0)
    False
    >>> para4_test(103.0, 100.0, 101.5, 100.0)
    True
    """
    _check_reading("para4_excess", reading)
    a0, m0, a1, m1 = _arrays(ardr_prev, madr_prev, ardr, madr)
    e0, e1 = a0 - m0, a1 - m1
    if reading == "positive_part":
        e0, e1 = np.maximum(e0, 0.0), np.maximum(e1, 0.0)
    return _wrap(strictly_greater(e0 + e1, margin * m1), ardr)


def para5_test(ardr_prev, madr_prev, ardr, madr, share=TESTS["para5"].threshold):
    r"""Paragraph 5: ARDR below 90 per cent of MADR in two successive years t-1 and t.

    .. math:: ARDR_{t-1} < 0.9\,MADR_{t-1} \ \wedge\ ARDR_t < 0.9\,MADR_t

    Parameters
    ----------
    ardr_prev, madr_prev, ardr, madr : array_like
        ARDR and MADR of years t-1 and t [RO].
    share : float, default 0.9

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> para5_test(85.0, 100.0, 89.0, 100.0)
    True
    >>> para5_test(85.0, 100.0, 90.0, 100.0)   # exactly 90 %: not below
    False
    """
    a0, m0, a1, m1 = _arrays(ardr_prev, madr_prev, ardr, madr)
    low0 = strictly_greater(share * m0, a0)
    low1 = strictly_greater(share * m1, a1)
    return _wrap(np.logical_and(low0, low1), ardr)

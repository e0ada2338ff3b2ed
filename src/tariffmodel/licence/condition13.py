"""The licence fee of Condition 13 and LF_Dt, the Distribution Business share of it.

Condition 13, paragraph 2: the fee of a year is (a) the Licensee's share of the Authority's
estimated costs for the year plus (b) the true-up of the previous year's fee; Schedule 2,
paragraph 1 takes the Distribution Business share of it as LF_Dt. Pure formulas, numpy only;
scalar in, scalar out; arrays broadcast; pandas objects keep their labels.
"""

from __future__ import annotations

import numpy as np

from tariffmodel.licence.arrays import is_labelled


def licence_fee_part_a(estimated_costs, share):
    r"""Part (a) of the licence fee: the Licensee's share of the Authority's estimated costs [RO].

    Condition 13, paragraph 2(a): a proportion, determined by the Authority, of the costs the
    Authority estimates for the coming year in the exercise of its general functions.

    .. math::

        F^a_t = s^{est}_t \times E_t

    Parameters
    ----------
    estimated_costs : float, array_like or pandas object
        E_t, the Authority's estimated costs for year t [RO].
    share : float, array_like or pandas object
        s^est_t, the proportion apportioned to the Licensee [fraction].

    Returns
    -------
    float, numpy.ndarray or pandas object
        F^a_t [RO], broadcast over the inputs.

    Examples
    --------
    >>> float(licence_fee_part_a(20_000_000, 0.05))
    1000000.0
    """
    return _broadcast_product(estimated_costs, share)


def _broadcast_product(x, y):
    if is_labelled(x) or is_labelled(y):  # pandas objects keep their labels
        return x * y
    out = np.multiply(*np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float)))
    return float(out) if out.ndim == 0 else out


def licence_fee_true_up(prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up=0.0):
    r"""Part (b) of the licence fee: the true-up of the previous year's fee [RO].

    Condition 13, paragraph 2(b): the difference, positive or negative, between (i) the fee paid
    for the year before and (ii) what that fee would have been had its part (a) been computed on
    the Authority's actual total costs and the proportion actually attributable to the Licensee.
    Part (b) of the previous fee is not recomputed, so (ii) is the actual part (a) plus the
    previous part (b).

    .. math::

        F^b_t = \underbrace{\left(s^{act}_{t-1} A_{t-1} + F^b_{t-1}\right)}_{(ii)}
                - \underbrace{F_{t-1}}_{(i)}
              = s^{act}_{t-1} A_{t-1} - F^a_{t-1}

    **Sign (a reading).** The text names (i) before (ii), but the fee is what the Licensee pays,
    and read as (i) - (ii) a Licensee that paid more than the actual costs justified would pay
    the excess a second time, and one that paid too little would be refunded on top. A true-up
    can only mean the reverse: the Licensee pays (ii) - (i), so ``F^b > 0`` (an extra charge)
    when the actual share of actual costs exceeds what was paid, and ``F^b < 0`` (a credit) when
    the Licensee overpaid.

    Parameters
    ----------
    prev_fee_paid : float, array_like or pandas object
        F_{t-1}, the fee paid for the previous year, parts (a) and (b) together [RO].
    prev_actual_costs : float, array_like or pandas object
        A_{t-1}, the Authority's actual total costs of the previous year [RO].
    prev_actual_share : float, array_like or pandas object
        s^act_{t-1}, the proportion of them actually attributable to the Licensee [fraction].
    prev_true_up : float, array_like or pandas object, default 0
        F^b_{t-1}, the part (b) comprised in the previous year's fee [RO] (0 when that fee had
        none, as in the first fee year).

    Returns
    -------
    float, numpy.ndarray or pandas object
        F^b_t [RO]: positive is owed by the Licensee, negative is credited to it.

    Examples
    --------
    Paid RO 1.0 m; the actual share of actual costs is 4.5 % of RO 24 m = RO 1.08 m:

    >>> round(licence_fee_true_up(1_000_000, 24_000_000, 0.045), 6)
    80000.0
    """
    actual_a = licence_fee_part_a(prev_actual_costs, prev_actual_share)
    out = actual_a + prev_true_up - prev_fee_paid
    return float(out) if np.ndim(out) == 0 else out


def licence_fee(
    estimated_costs,
    share,
    prev_fee_paid=0.0,
    prev_actual_costs=0.0,
    prev_actual_share=0.0,
    prev_true_up=0.0,
):
    r"""The licence fee payable for a year: part (a) plus the true-up (b) [RO].

    Condition 13, paragraph 2: the aggregate of (a) the Licensee's share of the Authority's
    estimated costs for the coming year and (b) the true-up of the previous year's fee (see
    :func:`licence_fee_true_up` for the sign). For the first fee year leave the ``prev_*``
    arguments at 0. Condition 13 counts fee years from 1 June 2023; the model takes the fee
    year as Relevant Year t.

    .. math::

        F_t = s^{est}_t E_t + \left(s^{act}_{t-1} A_{t-1} + F^b_{t-1} - F_{t-1}\right)

    Parameters
    ----------
    estimated_costs : float, array_like or pandas object
        E_t, the Authority's estimated costs for year t [RO].
    share : float, array_like or pandas object
        s^est_t, the proportion apportioned to the Licensee [fraction].
    prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up
        As for :func:`licence_fee_true_up` [RO, RO, fraction, RO].

    Returns
    -------
    float, numpy.ndarray or pandas object
        F_t [RO], the whole fee of the Licensee (all its Separate Businesses).

    Examples
    --------
    Estimated RO 20 m at 5 %; last year's RO 1.0 m against an actual 4.5 % of RO 24 m:

    >>> round(licence_fee(20_000_000, 0.05, 1_000_000, 24_000_000, 0.045), 6)
    1080000.0
    """
    part_a = licence_fee_part_a(estimated_costs, share)
    out = part_a + licence_fee_true_up(
        prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up
    )
    return float(out) if np.ndim(out) == 0 else out


def distribution_share_of_fee(fee, distribution_share):
    r"""LF_Dt: the Distribution Business share of the licence fee [RO].

    Schedule 2, paragraph 1 (definition of LF_Dt): the Distribution Business share of the fee
    payable under Condition 13 in Relevant Year t.

    .. math::

        LF_{Dt} = \delta_t \times F_t

    Parameters
    ----------
    fee : float, array_like or pandas object
        F_t, the licence fee of year t [RO] (:func:`licence_fee`).
    distribution_share : float, array_like or pandas object
        δ_t, the share attributed to the Distribution Business [fraction, 0 to 1].

    Returns
    -------
    float, numpy.ndarray or pandas object
        LF_Dt [RO].

    Raises
    ------
    ValueError
        A share outside [0, 1] (a percent where a fraction is due, say).

    Examples
    --------
    >>> float(distribution_share_of_fee(1_080_000, 0.75))
    810000.0
    """
    share = np.asarray(distribution_share, dtype=float)
    if np.any((share < 0) | (share > 1)):
        raise ValueError(
            "the Distribution Business share of the licence fee must be a fraction in [0, 1]"
        )
    return _broadcast_product(fee, distribution_share)

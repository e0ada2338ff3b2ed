"""The licence fee of Condition 13 and LF_Dt, the Distribution Business share of it.

Condition 13, paragraph 2: the fee of a year is (a) the Licensee's share of the Authority's
estimated costs for the year plus (b) the true-up of the previous year's fee; Schedule 2,
paragraph 1 takes the Distribution Business share of it as LF_Dt. Pure formulas, numpy only;
scalar in, scalar out; arrays broadcast; pandas objects keep their labels.
"""

from __future__ import annotations

import numpy as np

from tariffmodel.licence.arrays import is_labelled

#: Reading R7 of schedule2.md, default first: the sign of the true-up of Condition 13,
#: paragraph 2(b). ``owed_minus_paid``: (ii) - (i), the fee the actual costs justify less the fee
#: paid, so an underpayment is charged and an overpayment credited; ``as_drafted``: (i) - (ii),
#: the order in which the text names them.
TRUE_UP_READINGS: tuple[str, ...] = ("owed_minus_paid", "as_drafted")


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


def licence_fee_true_up(
    prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up=0.0, reading="owed_minus_paid"
):
    r"""Part (b) of the licence fee: the true-up of the previous year's fee [RO] (reading R7).

    Condition 13, paragraph 2(b): "the difference (being a positive or a negative amount), if
    any, between (i) the amount of the fee paid by the Licensee in respect of the year
    immediately preceding ... and (ii) the amount which that fee would have been ... had the
    amount comprised therein under paragraph (a) been calculated by reference to the total
    costs of the Authority and the proportion thereof actually attributable to the Licensee".
    Part (b) of the previous fee is not recomputed, so (ii) is the actual part (a) plus the
    previous part (b), and the previous part (b) cancels:

    .. math::

        (ii) - (i) = \left(s^{act}_{t-1} A_{t-1} + F^b_{t-1}\right) - F_{t-1}
                   = s^{act}_{t-1} A_{t-1} - F^a_{t-1}

    **Reading R7 (the sign).** ``"owed_minus_paid"`` (default): F^b_t = (ii) - (i), so
    ``F^b > 0`` (an extra charge) when the actual share of actual costs exceeds what was paid
    and ``F^b < 0`` (a credit) when the Licensee overpaid: what a true-up does. ``"as_drafted"``:
    F^b_t = (i) - (ii), the order the text names them, under which a Licensee that overpaid
    would pay the excess again and one that underpaid would be refunded on top.

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
    reading : {"owed_minus_paid", "as_drafted"}
        Reading R7 (``interpretation.licence_fee_true_up``).

    Returns
    -------
    float, numpy.ndarray or pandas object
        F^b_t [RO]: positive is owed by the Licensee, negative is credited to it.

    Raises
    ------
    ValueError
        ``reading`` is not one of :data:`TRUE_UP_READINGS`.

    Examples
    --------
    Paid RO 1.0 m; the actual share of actual costs is 4.5 % of RO 24 m = RO 1.08 m:

    >>> round(licence_fee_true_up(1_000_000, 24_000_000, 0.045), 6)
    80000.0
    >>> round(licence_fee_true_up(1_000_000, 24_000_000, 0.045, reading="as_drafted"), 6)
    -80000.0
    """
    if reading not in TRUE_UP_READINGS:
        raise ValueError(
            f"reading R7 (licence_fee_true_up) must be one of {', '.join(TRUE_UP_READINGS)}, "
            f"not {reading!r}"
        )
    actual_a = licence_fee_part_a(prev_actual_costs, prev_actual_share)
    out = actual_a + prev_true_up - prev_fee_paid  # (ii) - (i)
    if reading == "as_drafted":
        out = -out
    return float(out) if np.ndim(out) == 0 else out


def licence_fee(
    estimated_costs,
    share,
    prev_fee_paid=0.0,
    prev_actual_costs=0.0,
    prev_actual_share=0.0,
    prev_true_up=0.0,
    reading="owed_minus_paid",
):
    r"""The licence fee payable for a year: part (a) plus the true-up (b) [RO].

    Condition 13, paragraph 2: the aggregate of (a) the Licensee's share of the Authority's
    estimated costs for the coming year and (b) the true-up of the previous year's fee (see
    :func:`licence_fee_true_up` for the sign, reading R7). For the first fee year leave the
    ``prev_*`` arguments at 0.

    The fee year. Condition 13 charges a fee "in respect of the year beginning on 1st June 2023
    and in each subsequent year", yet has it paid "in each Relevant Year ... during the year to
    which it relates", and names the First Relevant Year "1st June 2023 to 31 December 2023":
    the fee years are the Relevant Years (calendar years), the first one cut short to start on
    1 June 2023. The model takes the fee year as Relevant Year t; the short 2023 period is before
    any modelled year.

    .. math::

        F_t = s^{est}_t E_t + \left(s^{act}_{t-1} A_{t-1} + F^b_{t-1} - F_{t-1}\right)
        \quad\text{(R7 default; the bracket's sign turned under ``as_drafted``)}

    Parameters
    ----------
    estimated_costs : float, array_like or pandas object
        E_t, the Authority's estimated costs for year t [RO].
    share : float, array_like or pandas object
        s^est_t, the proportion apportioned to the Licensee [fraction].
    prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up, reading
        As for :func:`licence_fee_true_up` [RO, RO, fraction, RO; reading R7].

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
        prev_fee_paid, prev_actual_costs, prev_actual_share, prev_true_up, reading
    )
    return float(out) if np.ndim(out) == 0 else out


def distribution_share_of_fee(fee, distribution_share):
    r"""LF_Dt: the Distribution Business share of the licence fee [RO].

    Schedule 2, paragraph 1 (definition of LF_Dt): the Distribution Business share of the fee
    payable under Condition 13 in Relevant Year t. The share of year t applies to the whole fee
    payable in t, its true-up of the fee of t-1 included: the definition shares "the License fee
    payable ... in Relevant Year t", and the true-up is part of that fee (paragraph 2(b)).

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

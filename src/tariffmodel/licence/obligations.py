"""The dated obligations of the licence and of the draft metering cyber security regulation.

:data:`OBLIGATIONS` is the one table of what the Licensee must send or do, when, and under
which paragraph: Schedule 2 paragraphs 6, 7, 9, 10 and 11 (and the date by which DNS_t is
calculated), the fee instalments of Condition 13, the regulatory accounts of Condition 14, the
yearly statements of Conditions 17, 23, 31, 32 and 33, and the obligations of the draft metering
cyber security regulation (2.1.1, 2.2.3, 2.2.4, 2.2.5, 2.2.7, 2.2.8). The functions below are its
date arithmetic, standard library only (the licence layer imports no third-party package):

- "within N months of" a date means on or before the same day N months on (its anniversary
  for 12 months); a day the later month does not have is its last day, so 12 months from
  29 February is 28 February (:func:`add_months`);
- "not later than 6 weeks after" a day is on or before that day plus 42 days;
- "at least annually" chains: each occurrence is due within 12 months of the one before
  (:func:`yearly_chain`), so a chain that reaches 28 February stays there;
- "quarterly instalments" fall every 3 months from the first (:func:`instalments`).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
from dataclasses import dataclass

#: The licence came into force on 1 June 2023 (Part I, paragraph 3): no obligation before it.
LICENCE_IN_FORCE = _dt.date(2023, 6, 1)

#: Condition 13 makes 1 June to 31 December 2023 the First Relevant Year of the fee, paid in
#: as many instalments as the Authority determines.
FIRST_RELEVANT_YEAR = 2023

#: Kinds of rule (:attr:`Obligation.kind`).
KINDS = ("yearly", "event", "cyber")


@dataclass(frozen=True)
class Obligation:
    """One obligation: what is due, under which paragraph, by which rule.

    Attributes
    ----------
    id : str
        Short key, e.g. ``"S2-9"`` (Schedule 2, paragraph 9).
    obligation : str
        What the Licensee must do, in plain words.
    source : str
        The paragraph of the licence or the regulation.
    send : str
        What goes to the Authority (or what is done).
    output : str
        The output of the model that feeds it, ``""`` where none does. ``{t}`` is the Relevant
        Year the occurrence concerns.
    terms : tuple of str
        madr.csv columns [RO] whose values of year ``t + term_shift`` the calendar shows for a
        scenario.
    rule : str
        The rule of the date, in words.
    kind : str
        ``"yearly"`` (once per year, :attr:`anchor` + offset), ``"event"`` (from the date of an
        event, :attr:`event`), ``"cyber"`` (from the Effective Date of the regulation).
    anchor : str
        For ``yearly``: ``"start"`` (1 January of t), ``"end"`` (31 December of t) or ``"grant"``
        (1 June of t, the anniversary of the licence coming into force).
    months, weeks, days : int
        The offset from the anchor (or from the event), applied in that order.
    first_year : int
        For ``yearly``: the first year t the rule applies to.
    assumed : bool
        True where the licence sets no date and the one shown is the calendar's assumption.
    event : str
        For ``event``: the name of the event whose date it follows (``--event NAME=DATE``).
    conditional : str
        A condition under which the obligation falls away, ``""`` if none.
    term_shift : int
        The year of :attr:`terms` relative to t (paragraph 6 (b) estimates MADR of t-1).
    """

    id: str
    obligation: str
    source: str
    send: str
    output: str
    rule: str
    kind: str
    anchor: str = ""
    months: int = 0
    weeks: int = 0
    days: int = 0
    first_year: int = 2023
    assumed: bool = False
    event: str = ""
    conditional: str = ""
    terms: tuple[str, ...] = ()
    term_shift: int = 0


_S2 = "Licence, Schedule 2, paragraph"
_REG = "Draft metering cyber security regulation,"


def _licence_year_statement(oid: str, obligation: str, source: str, send: str, rule: str):
    """A yearly statement of a Condition that gives no date: assumed due on the last day of each
    licence year (31 May; the licence came into force on 1 June 2023)."""
    return Obligation(
        oid,
        obligation,
        source,
        send,
        "",
        f"{rule}; the licence sets no date: assumed the last day of each licence year (31 May; "
        "the licence came into force on 1 June 2023)",
        "yearly",
        anchor="grant",
        days=-1,
        first_year=2024,
        assumed=True,
    )


#: The obligations, in the order the calendar lists those due on the same day.
OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(
        "S2-9",
        "Statement on paragraphs 3-5 and the best estimate of K_Dt",
        f"{_S2} 9",
        "a statement (a) whether paragraphs 3, 4 and 5 are likely to apply in consequence of the "
        "revenues of t-1 and t-2 and (b) the best estimate of the correction factor K_Dt of "
        "year t",
        "statement.md, paragraph 9 view of {t}; the correction factor (K_Dt, madr.csv K) of {t}",
        "not later than 6 weeks after the commencement of Relevant Year t (1 January + 42 days)",
        "yearly",
        anchor="start",
        weeks=6,
        terms=("K",),
    ),
    Obligation(
        "S2-7",
        "Forecast of MADR when charges were not changed",
        f"{_S2} 7",
        "a written forecast of the Maximum Allowed Distribution Revenue (MADR_t) of year t with "
        "its components, and the assumptions underlying it (paragraph 8)",
        "the Maximum Allowed Distribution Revenue (MADR) and its terms, madr.csv row {t}",
        "if within 3 months of the commencement of Relevant Year t (on or before 1 April) no "
        "change in charges under paragraph 6 has been made; the licence sets no later date, so "
        "the calendar lists it on the day the 3 months end",
        "yearly",
        anchor="start",
        months=3,
        conditional="falls away if charges were changed under paragraph 6 on or before this date",
        terms=("MADR",),
    ),
    Obligation(
        "S2-10",
        "Statement of the specified items of paragraph 12",
        f"{_S2} 10 (its reference to paragraph 15 read as paragraph 12)",
        "a written statement of Relevant Year t showing the specified items of paragraph 12 "
        "(ARDR_t split into use of system and connection revenue, C_t, LOSS_t, LD_t and "
        "AL_{t-1}, NSF_t, DNS_t, RUD, RBS, customer accounts, a_t, c_t, p_t, s_t)",
        "statement.md, specified items of paragraph 12 for {t} (madr.csv row {t})",
        "not later than 3 months after the end of Relevant Year t (31 March of t+1)",
        "yearly",
        anchor="end",
        months=3,
        terms=("ARDR", "C", "LOSS", "NSF"),
    ),
    Obligation(
        "S2-11",
        "Auditors' report and director's certificate on the paragraph 10 statement",
        f"{_S2} 11 (a) and (b)",
        "with the paragraph 10 statement: a report of the Condition 14 auditors that it fairly "
        "represents each specified item, and a director's certificate that the amounts were "
        "prepared in accordance with the Licensee's statutory and licence obligations",
        "statement.md, specified items of paragraph 12 for {t}",
        "with the paragraph 10 statement (31 March of t+1)",
        "yearly",
        anchor="end",
        months=3,
    ),
    Obligation(
        "S2-DNS",
        "Demand Not Secured calculated",
        "Licence, Schedule 2, definition of Demand Not Secured (DNS_t)",
        "DNS_t in MVA for Relevant Year t-1 (nothing sent under this definition; it enters NSF_t "
        "and the paragraph 10 statement)",
        "the Network Security Factor (NSF_t = DNS_t x s_t, madr.csv NSF and DNS) of {t}",
        "at least 1 month prior to the commencement of Relevant Year t (1 December of t-1)",
        "yearly",
        anchor="start",
        months=-1,
        first_year=2024,
        terms=("NSF",),
    ),
    Obligation(
        "C14",
        "Regulatory accounts and auditors' report",
        "Licence, Condition 14, paragraph 2(d)",
        "the accounting statements of each Separate Business for the financial year (profit and "
        "loss account, balance sheet, cash flow, notes) and the auditors' report on them",
        "",
        "not later than six months after the end of the financial year (30 June of t+1); the "
        "financial year is assumed to be the calendar year, as the Relevant Year is",
        "yearly",
        anchor="end",
        months=6,
    ),
    _licence_year_statement(
        "C17",
        "Yearly statement on environmental guidance and standards",
        "Licence, Condition 17, paragraph 4",
        "a statement of how the Licensee is complying and proposes to continue to comply with "
        "the Authority's environmental guidance and Oman's environmental standards",
        "on an annual basis",
    ),
    _licence_year_statement(
        "C23",
        "Yearly statement on Omanisation and Omani Content",
        "Licence, Condition 23, paragraph 2",
        "a statement of how the Licensee is complying and proposes to continue to comply with "
        "the Government's policy on Omanisation and Omani Content",
        "on an annual basis",
    ),
    _licence_year_statement(
        "C31",
        "Revised statements of connection and use of system charges",
        "Licence, Condition 31, paragraphs 2(b), 7 and 8",
        "a copy of each revised statement of the basis of connection charges and of use of "
        "system charges (consistent with Schedule 2)",
        "at least once in every year the licence is in force",
    ),
    Obligation(
        "C32",
        "Annual report on security, availability and quality of service",
        "Licence, Condition 32, paragraph 3",
        "the annual report of performance against the criteria of paragraph 2 (interruptions, "
        "minutes lost, restoration, faults, technical and non-technical losses)",
        "Actual Losses (AL, madr.csv) of {t}",
        "annual, at such times as the Authority may require; the licence sets no date: assumed "
        "with the paragraph 10 statement of the same year (31 March of t+1)",
        "yearly",
        anchor="end",
        months=3,
        assumed=True,
    ),
    Obligation(
        "C33",
        "Distribution System Capability Statement",
        "Licence, Condition 33, paragraphs 1 and 5",
        "the statement of circuit capacity, forecast power flows, loading and fault levels for "
        "the three succeeding financial years, with an assessment of technical losses",
        "",
        "within 12 months of the grant of the licence (on or before 1 June 2024) and thereafter "
        "on an annual basis: each anniversary of the grant (1 June)",
        "yearly",
        anchor="grant",
        first_year=2024,
    ),
    Obligation(
        "S2-6",
        "Forecast and estimate before a change in charges",
        f"{_S2} 6",
        "(a) a written forecast of ARDR in the Relevant Year t of the change and in t+1; (b) a "
        "written estimate of MADR of t-1 with its components, unless the paragraph 11 "
        "statement of t-1 was sent before the change is published; with the assumptions "
        "underlying them (paragraph 8)",
        "the estimate of (b): the Maximum Allowed Distribution Revenue (MADR) and its terms, madr.csv row {t-1}",
        "1 month prior to the date of publication of the changed charges",
        "event",
        months=-1,
        event="charge_publication",
        terms=("MADR",),
        term_shift=-1,
    ),
    Obligation(
        "C13",
        "Licence fee instalment",
        "Licence, Condition 13, paragraph 2",
        "one of four equal quarterly instalments of the licence fee of the year",
        "the Distribution Business share of the fee (LF_Dt, madr.csv LF) of {t}",
        "four equal quarterly instalments during the year, the first within 30 days of the "
        "Authority's notice of the amount, the others 3, 6 and 9 months after the first",
        "event",
        days=30,
        event="fee_notice",
        terms=("LF",),
    ),
    Obligation(
        "REG-2.1.1",
        "Comply with the regulation and the Standard",
        f"{_REG} 2.1.1",
        "nothing to send: the System complies with the regulation and the Electricity Metering "
        "Cyber Security Standard",
        "",
        "within 12 months from the Effective Date (on or before its anniversary)",
        "cyber",
        months=12,
    ),
    Obligation(
        "REG-2.2.3",
        "ISMS certified to ISO 27001",
        f"{_REG} 2.2.1-2.2.3",
        "the Information Security Management System certified to ISO 27001 by a Security Auditor",
        "AMR plan: opex_isms_certification (amr.csv)",
        "within 12 months of the Effective Date (on or before its anniversary), or by a Specified "
        "Date determined by the Authority (--specified-date certification=DATE)",
        "cyber",
        months=12,
    ),
    Obligation(
        "REG-2.2.4",
        "Security audit by a Security Auditor",
        f"{_REG} 2.2.4",
        "an audit by a Security Auditor of continuing compliance and certification",
        "AMR plan: opex_security_audit (amr.csv)",
        "at least annually: within 12 months of the certification (the certificate's date when "
        "given, else the date certification is due), then within 12 months of each audit",
        "cyber",
        months=12,
    ),
    Obligation(
        "REG-2.2.5",
        "Send the audit report or certificate to the Authority",
        f"{_REG} 2.2.5",
        "a copy of the audit report or the certificate",
        "",
        "within 30 days of issue by the Security Auditor",
        "event",
        days=30,
        event="audit_report",
    ),
    Obligation(
        "REG-2.2.7",
        "Third-party supplier assurance",
        f"{_REG} 2.2.7",
        "assurance that the security of third-party suppliers' services and products meets the "
        "Standard",
        "AMR plan: opex_supplier_assurance (amr.csv)",
        "within 12 months of the Effective Date, or as determined by the Authority "
        "(--specified-date supplier_assurance=DATE), then at least annually",
        "cyber",
        months=12,
    ),
    Obligation(
        "REG-2.2.8",
        "Complete the action of a direction",
        f"{_REG} 2.2.8",
        "the action the direction requires, with its progress and completion reports",
        "",
        "by the Specified Date the direction gives (--specified-date direction:LABEL=DATE)",
        "cyber",
    ),
)

#: Obligations by id.
BY_ID = {o.id: o for o in OBLIGATIONS}

#: Events whose dates obligations follow (``--event NAME=DATE``), with the obligation and what
#: the event is. The certificate is sent under 2.2.5 like an audit report.
EVENTS = {
    "charge_publication": ("S2-6", "the date of publication of changed distribution charges"),
    "fee_notice": ("C13", "the date the Authority gives notice of the licence fee's amount"),
    "certificate": ("REG-2.2.5", "the date the Security Auditor issues the ISO 27001 certificate"),
    "audit_report": ("REG-2.2.5", "the date the Security Auditor issues an audit report"),
}

#: Specified Dates the regulation lets the Authority set (``--specified-date NAME=DATE``);
#: any ``direction:LABEL`` is the Specified Date of a direction (2.2.8).
SPECIFIED_DATES = {
    "certification": "REG-2.2.3",
    "supplier_assurance": "REG-2.2.7",
}
DIRECTION_PREFIX = "direction:"


# --------------------------------------------------------------------------- date arithmetic


def add_months(day: _dt.date, months: int) -> _dt.date:
    """The same day ``months`` calendar months on (or back), or the last day of that month.

    "Within 12 months of" a date means on or before the day this returns for 12; a day the
    target month does not have becomes its last day: 12 months from 29 February is 28 February,
    3 months from 31 December is 31 March, 1 month before 31 March is 28 (or 29) February.

    Parameters
    ----------
    day : datetime.date
    months : int
        Calendar months [months], negative to go back.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> add_months(_dt.date(2028, 2, 29), 12)
    datetime.date(2029, 2, 28)
    >>> add_months(_dt.date(2026, 12, 31), 3), add_months(_dt.date(2027, 3, 31), -1)
    (datetime.date(2027, 3, 31), datetime.date(2027, 2, 28))
    """
    index = day.year * 12 + (day.month - 1) + int(months)
    year, month0 = divmod(index, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return _dt.date(year, month0 + 1, min(day.day, last))


def shift(day: _dt.date, *, months: int = 0, weeks: int = 0, days: int = 0) -> _dt.date:
    """``day`` moved by calendar months (:func:`add_months`), then by weeks and days.

    >>> shift(_dt.date(2027, 1, 1), weeks=6)
    datetime.date(2027, 2, 12)
    >>> shift(_dt.date(2027, 6, 1), days=-1)
    datetime.date(2027, 5, 31)
    """
    return add_months(day, months) + _dt.timedelta(weeks=weeks, days=days)


def anchor_date(anchor: str, year: int) -> _dt.date:
    """The day a yearly rule counts from: ``start`` 1 January, ``end`` 31 December, ``grant``
    1 June (the licence came into force on 1 June 2023) of ``year``.

    >>> anchor_date("end", 2027), anchor_date("grant", 2027)
    (datetime.date(2027, 12, 31), datetime.date(2027, 6, 1))
    """
    month, day = {"start": (1, 1), "end": (12, 31), "grant": (6, 1)}[anchor]
    return _dt.date(year, month, day)


def yearly_due(ob: Obligation, year: int) -> _dt.date:
    """The date a ``yearly`` obligation of year t is due.

    >>> yearly_due(BY_ID["S2-9"], 2027), yearly_due(BY_ID["S2-10"], 2027)
    (datetime.date(2027, 2, 12), datetime.date(2028, 3, 31))
    """
    return shift(anchor_date(ob.anchor, year), months=ob.months, weeks=ob.weeks, days=ob.days)


def yearly_chain(first: _dt.date, until: _dt.date) -> list[_dt.date]:
    """Dates of an obligation due ``first`` and then "at least annually": each within 12 months
    of the one before, up to ``until`` (inclusive).

    One date per occurrence (a calendar program's yearly repeat from 29 February would skip
    the years without one); a chain that reaches 28 February stays there, because 12 months
    from 28 February 2029 is 28 February 2030 even though 2032 has a 29th.

    >>> yearly_chain(_dt.date(2032, 2, 29), _dt.date(2034, 12, 31))
    [datetime.date(2032, 2, 29), datetime.date(2033, 2, 28), datetime.date(2034, 2, 28)]
    """
    out = []
    day = first
    while day <= until:
        out.append(day)
        day = add_months(day, 12)
    return out


def instalments(notice: _dt.date, count: int = 4) -> list[_dt.date]:
    """Due dates of the licence fee's quarterly instalments after the Authority's notice
    (Condition 13, paragraph 2): the first within 30 days of the notice, the others 3, 6 and 9
    months after the first.

    >>> instalments(_dt.date(2027, 1, 1))
    [datetime.date(2027, 1, 31), datetime.date(2027, 4, 30), datetime.date(2027, 7, 31), datetime.date(2027, 10, 31)]
    """
    first = notice + _dt.timedelta(days=30)
    return [add_months(first, 3 * k) for k in range(count)]

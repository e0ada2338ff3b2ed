"""The table of obligations and its date arithmetic, against dates written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.licence import obligations as ob

D = dt.date

# --------------------------------------------------------------------------- add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # 12 months from 29 February: 28 February
        (D(2028, 2, 29), 48, D(2032, 2, 29)),  # four years on there is a 29th again
        (D(2027, 2, 28), 12, D(2028, 2, 28)),  # not the 29th: the same day
        (D(2026, 7, 1), 12, D(2027, 7, 1)),  # the anniversary
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 12, 31), 3, D(2027, 3, 31)),  # paragraph 10: 3 months after 31 December
        (D(2026, 12, 31), 6, D(2027, 6, 30)),  # Condition 14: six months after 31 December
        (D(2027, 3, 31), -1, D(2027, 2, 28)),  # paragraph 6: 1 month before 31 March
        (D(2028, 3, 31), -1, D(2028, 2, 29)),
        (D(2027, 1, 1), -1, D(2026, 12, 1)),  # DNS_t: 1 month before 1 January
        (D(2027, 12, 15), 1, D(2028, 1, 15)),
        (D(2027, 5, 31), 0, D(2027, 5, 31)),
    ],
)
def test_add_months_by_hand(day, months, expected):
    assert ob.add_months(day, months) == expected


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))


@settings(deadline=None)
@given(dates, st.integers(-120, 120))
def test_add_months_is_calendar_month_arithmetic(day, months):
    # dateutil's relativedelta is the well-kept reference; the licence layer may not import it
    assert ob.add_months(day, months) == day + relativedelta(months=months)


@settings(deadline=None)
@given(dates)
def test_within_12_months_is_on_or_before_the_anniversary(day):
    due = ob.add_months(day, 12)
    if (day.month, day.day) == (2, 29):
        assert due == D(day.year + 1, 2, 28)
    else:
        assert due == day.replace(year=day.year + 1)
    assert 365 <= (due - day).days <= 366


@settings(deadline=None)
@given(dates, dates, st.integers(-24, 24))
def test_add_months_keeps_order(a, b, months):
    lo, hi = sorted((a, b))
    assert ob.add_months(lo, months) <= ob.add_months(hi, months)


def test_shift_weeks_and_days():
    assert ob.shift(D(2027, 1, 1), weeks=6) == D(2027, 2, 12)
    assert ob.shift(D(2028, 1, 1), weeks=6) == D(2028, 2, 12)  # a leap year changes nothing
    assert ob.shift(D(2027, 10, 15), days=30) == D(2027, 11, 14)
    assert ob.shift(D(2027, 6, 1), days=-1) == D(2027, 5, 31)


# --------------------------------------------------------------------------- yearly rules

YEARLY_BY_HAND = {
    # id: (due for t = 2027, due for t = 2028, a leap year)
    "S2-9": (D(2027, 2, 12), D(2028, 2, 12)),
    "S2-7": (D(2027, 4, 1), D(2028, 4, 1)),
    "S2-10": (D(2028, 3, 31), D(2029, 3, 31)),
    "S2-11": (D(2028, 3, 31), D(2029, 3, 31)),
    "S2-DNS": (D(2026, 12, 1), D(2027, 12, 1)),
    "C14": (D(2028, 6, 30), D(2029, 6, 30)),
    "C17": (D(2027, 5, 31), D(2028, 5, 31)),
    "C23": (D(2027, 5, 31), D(2028, 5, 31)),
    "C31": (D(2027, 5, 31), D(2028, 5, 31)),
    "C32": (D(2028, 3, 31), D(2029, 3, 31)),
    "C33": (D(2027, 6, 1), D(2028, 6, 1)),
}


@pytest.mark.parametrize("oid", sorted(YEARLY_BY_HAND))
def test_yearly_due_dates_by_hand(oid):
    o = ob.BY_ID[oid]
    assert (ob.yearly_due(o, 2027), ob.yearly_due(o, 2028)) == YEARLY_BY_HAND[oid]


def test_every_yearly_obligation_has_hand_dates():
    assert {o.id for o in ob.OBLIGATIONS if o.kind == "yearly"} == set(YEARLY_BY_HAND)


def test_yearly_chain_from_29_february_stays_on_the_28th():
    # one date per occurrence: 2032 has a 29 February, but 12 months from 28 February 2031 is
    # 28 February 2032
    chain = ob.yearly_chain(D(2029, 2, 28), D(2032, 12, 31))
    assert chain == [D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 28)]
    assert ob.yearly_chain(D(2032, 2, 29), D(2033, 2, 27)) == [D(2032, 2, 29)]
    assert ob.yearly_chain(D(2027, 7, 1), D(2027, 6, 30)) == []


@settings(deadline=None)
@given(dates, st.integers(0, 30))
def test_yearly_chain_each_within_12_months_of_the_last(first, years):
    until = ob.add_months(first, 12 * years)
    chain = ob.yearly_chain(first, until)
    assert chain[0] == first and chain[-1] <= until < ob.add_months(chain[-1], 12)
    for a, b in zip(chain, chain[1:], strict=False):
        assert b == ob.add_months(a, 12) and 365 <= (b - a).days <= 366


def test_instalments_by_hand():
    assert ob.instalments(D(2027, 1, 1)) == [
        D(2027, 1, 31),
        D(2027, 4, 30),  # 3 months from 31 January: the 30th of April
        D(2027, 7, 31),
        D(2027, 10, 31),  # counted from the first, not from the one before
    ]
    assert ob.instalments(D(2027, 10, 15)) == [
        D(2027, 11, 14),
        D(2028, 2, 14),
        D(2028, 5, 14),
        D(2028, 8, 14),
    ]


# --------------------------------------------------------------------------- the table


def test_table_is_consistent():
    ids = [o.id for o in ob.OBLIGATIONS]
    assert len(ids) == len(set(ids))
    for o in ob.OBLIGATIONS:
        assert o.kind in ob.KINDS
        assert o.obligation and o.send and o.rule
        assert o.source.startswith(("Licence,", "Draft metering cyber security regulation,"))
        if o.kind == "yearly":
            assert o.anchor in ("start", "end", "grant")
        if o.kind == "event":
            assert o.event in ob.EVENTS
        for term in o.terms:
            assert term.isidentifier()
    for name, (oid, what) in ob.EVENTS.items():
        assert oid in ob.BY_ID and what, name
    for name, oid in ob.SPECIFIED_DATES.items():
        assert ob.BY_ID[oid].kind == "cyber", name


def test_table_covers_the_paragraphs_asked_for():
    sources = " | ".join(o.source for o in ob.OBLIGATIONS)
    for paragraph in ("paragraph 6", "paragraph 7", "paragraph 9", "paragraph 10", "paragraph 11"):
        assert f"Schedule 2, {paragraph}" in sources
    for condition in (13, 14, 17, 23, 31, 32, 33):
        assert f"Condition {condition}," in sources
    for clause in ("2.1.1", "2.2.1-2.2.3", "2.2.4", "2.2.5", "2.2.7", "2.2.8"):
        assert f"regulation, {clause}" in sources
    # the obligations whose dates the licence does not give are marked as assumed
    assert {o.id for o in ob.OBLIGATIONS if o.assumed} == {"C17", "C23", "C31", "C32"}

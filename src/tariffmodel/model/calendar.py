"""The calendar of obligations: every dated obligation of the licence and of the draft metering
cyber security regulation between two dates, with the model output that feeds each.

:func:`build_calendar` turns the table :data:`tariffmodel.licence.obligations.OBLIGATIONS`
into one row per occurrence, from the dates the user knows: the Effective Date of the regulation
(without it the cyber obligations are left out, with a note), the Authority's Specified Dates and
the dates of events (a publication of changed charges, a fee notice, the issue of a certificate
or an audit report). An obligation that follows an event whose date is not given is listed once,
"on event", with its rule. :func:`amr_cyber_agreement` checks that an AMR plan's cyber security
costs fall in the years of the calendar's events.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tariffmodel.inputs.amr_plan import AmrPlan, load_plan
from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.licence import obligations as ob
from tariffmodel.model import amr
from tariffmodel.model.engine import project

#: Columns of calendar.csv, in order.
COLUMNS = (
    "date",
    "obligation",
    "source",
    "what_to_send",
    "model_output",
    "id",
    "period",
    "status",
    "rule",
    "note",
)

#: Dates the calendar accepts [year]: far beyond any licence date, far inside what a date holds.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: The longest calendar [years], and the most dates of one event.
MAX_SPAN_YEARS = 60
MAX_EVENT_DATES = 1000

#: The AMR plan's cost lines of the regulation and the obligation each pays for.
CYBER_COST_LINES = {
    "isms_certification": "REG-2.2.3",
    "security_audit": "REG-2.2.4",
    "supplier_assurance": "REG-2.2.7",
}


@dataclass(frozen=True)
class Calendar:
    """A calendar of obligations.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per occurrence, columns :data:`COLUMNS`; ``date`` is a ``datetime.date``, or None
        for an obligation "on event".
    notes : list of str
        What the calendar left out, assumed or found (the cyber obligations without an
        Effective Date, the assumed dates of yearly statements, the AMR plan's agreement).
    start, end : datetime.date
    effective_date : datetime.date or None
    specified_dates : dict
        Name -> date.
    events : dict
        Name -> list of dates.
    scenario : str or None
        The scenario's name, when model outputs were filled from one.
    agreement : pandas.DataFrame or None
        :func:`amr_cyber_agreement` of the AMR plan checked, if any.
    sources : list of Path
        Files read (scenario and linked files, the AMR plan), for the manifest.
    """

    table: pd.DataFrame
    notes: list[str]
    start: _dt.date
    end: _dt.date
    effective_date: _dt.date | None = None
    specified_dates: dict[str, _dt.date] = field(default_factory=dict)
    events: dict[str, list[_dt.date]] = field(default_factory=dict)
    scenario: str | None = None
    agreement: pd.DataFrame | None = None
    sources: list[Path] = field(default_factory=list)

    @property
    def dated(self) -> pd.DataFrame:
        """The rows with a date (those that go into calendar.ics)."""
        return self.table[self.table["date"].notna()]

    def inputs(self) -> dict[str, Any]:
        """The dates the calendar was built from, as text (for the manifest)."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "specified_dates": {k: v.isoformat() for k, v in self.specified_dates.items()},
            "events": {k: [d.isoformat() for d in v] for k, v in self.events.items()},
            "scenario": self.scenario,
        }


# --------------------------------------------------------------------------- checking dates


def parse_date(value: Any, key: str) -> _dt.date:
    """A date from a ``datetime.date`` or ISO text ``YYYY-MM-DD``, within 2000-2100, or
    :class:`InputError` naming ``key``."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if not isinstance(value, _dt.date):
        try:
            value = _dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"must be a date YYYY-MM-DD, got {value!r}", key=key) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(
            f"a date between {FIRST_YEAR} and {LAST_YEAR}, got {value.isoformat()}", key=key
        )
    return value


def _dates_of(value: Any, key: str) -> list[_dt.date]:
    items = value if isinstance(value, list | tuple) else [value]
    if len(items) > MAX_EVENT_DATES:
        raise InputError(f"at most {MAX_EVENT_DATES} dates of one event", key=key)
    return sorted({parse_date(v, key) for v in items})  # a date given twice is one event


def _mapping(value: Any, key: str) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"a mapping of NAME -> date, got {type(value).__name__}", key=key)
    return value


def check_specified_dates(specified: Mapping[str, Any] | None) -> dict[str, _dt.date]:
    """Specified Dates by name: ``certification``, ``supplier_assurance`` or
    ``direction:LABEL``."""
    out = {}
    for name, value in _mapping(specified, "--specified-date").items():
        name = str(name).strip()
        key = f"--specified-date {name}"
        if name.startswith(ob.DIRECTION_PREFIX):
            if not name[len(ob.DIRECTION_PREFIX) :].strip():
                raise InputError("a direction needs a label: direction:LABEL=DATE", key=key)
        elif name not in ob.SPECIFIED_DATES:
            allowed = [*ob.SPECIFIED_DATES, "direction:LABEL"]
            raise InputError(
                f"unknown Specified Date{did_you_mean(name, ob.SPECIFIED_DATES)}; allowed: "
                f"{', '.join(allowed)}",
                key=key,
            )
        out[name] = parse_date(value, key)
    return out


def check_events(events: Mapping[str, Any] | None) -> dict[str, list[_dt.date]]:
    """Event dates by name (each a date or a list of dates), names of
    :data:`tariffmodel.licence.obligations.EVENTS`."""
    out = {}
    for name, value in _mapping(events, "--event").items():
        name = str(name).strip()
        if name not in ob.EVENTS:
            raise InputError(
                f"unknown event{did_you_mean(name, ob.EVENTS)}; allowed: {', '.join(ob.EVENTS)}",
                key=f"--event {name}",
            )
        out[name] = _dates_of(value, f"--event {name}")
    return out


# --------------------------------------------------------------------------- the dates


def cyber_dates(
    effective_date: _dt.date,
    until: _dt.date,
    specified: Mapping[str, _dt.date] | None = None,
    events: Mapping[str, list[_dt.date]] | None = None,
) -> dict[str, tuple[_dt.date, list[_dt.date]]]:
    """The due dates of the regulation's obligations up to ``until``, each with the day its
    first period of work starts.

    Returns
    -------
    dict
        Obligation id -> (start, [due dates]): REG-2.1.1 and REG-2.2.3 once (12 months from the
        Effective Date, or the Specified Date of certification), REG-2.2.4 yearly from the
        certification (the first certificate's date when given, else the date certification is
        due), REG-2.2.7 from 12 months after the Effective Date (or its Specified Date), then
        yearly.

    Examples
    --------
    >>> d = cyber_dates(_dt.date(2028, 2, 29), _dt.date(2031, 12, 31))
    >>> d["REG-2.2.3"][1], d["REG-2.2.4"][1]
    ([datetime.date(2029, 2, 28)], [datetime.date(2030, 2, 28), datetime.date(2031, 2, 28)])
    """
    specified = specified or {}
    events = events or {}
    eff = effective_date
    comply = ob.add_months(eff, 12)
    certification = specified.get("certification", comply)
    certified = min(events.get("certificate", []), default=certification)
    assurance = specified.get("supplier_assurance", comply)
    return {
        "REG-2.1.1": (eff, [comply] if comply <= until else []),
        "REG-2.2.3": (eff, [certification] if certification <= until else []),
        "REG-2.2.4": (certified, ob.yearly_chain(ob.add_months(certified, 12), until)),
        "REG-2.2.7": (eff, ob.yearly_chain(assurance, until)),
    }


class _Outputs:
    """Values of madr.csv a row of the calendar names, from a scenario's projection."""

    def __init__(self, scenario) -> None:
        self.scenario = scenario
        self.table = None if scenario is None else project(scenario).set_index("year")

    def text(self, o: ob.Obligation, year: int | None) -> str:
        if not o.output:
            return ""
        if year is None:
            return o.output.replace("{t-1}", "t-1").replace("{t}", "t")
        text = o.output.replace("{t-1}", str(year - 1)).replace("{t}", str(year))
        if self.table is None or not o.terms:
            return text
        y = year + o.term_shift
        if y not in self.table.index:
            years = self.table.index
            return f"{text} (not modelled: the scenario covers {years[0]}-{years[-1]})"
        values = ", ".join(f"{t}_{y} = {_money(float(self.table.at[y, t]))}" for t in o.terms)
        return f"{text}: {values}"


def _money(x: float) -> str:
    return f"{x:,.2f} RO" if np.isfinite(x) else "not computed"


def _row(o: ob.Obligation, date, period: str, status: str, output: str, note: str = "") -> dict:
    return {
        "date": date,
        "obligation": o.obligation,
        "source": o.source,
        "what_to_send": o.send,
        "model_output": output,
        "id": o.id,
        "period": period,
        "status": status,
        "rule": o.rule,
        "note": note,
    }


def _yearly_period(o: ob.Obligation, t: int) -> str:
    if o.anchor == "grant":
        if o.days < 0:
            return f"licence year 1 June {t - 1} to 31 May {t}"
        return f"licence year from 1 June {t}"
    if o.id == "C14":
        return f"financial year {t}"
    return f"Relevant Year {t}"


def _yearly_rows(o, start, end, outputs, changes) -> list[dict]:
    rows = []
    for t in range(start.year - 2, end.year + 2):
        due = ob.yearly_due(o, t)
        if t < o.first_year or due < ob.LICENCE_IN_FORCE or not start <= due <= end:
            continue
        status, note = ("assumed date" if o.assumed else "due"), ""
        if o.conditional:
            made = [d for d in changes if _dt.date(t, 1, 1) <= d <= due]
            if made:
                continue  # charges changed in time: paragraph 7 asks nothing this year
            status, note = "conditional", o.conditional
        rows.append(_row(o, due, _yearly_period(o, t), status, outputs.text(o, t), note))
    return rows


def _on_event(o, outputs, period="", note="", year=None) -> dict:
    return _row(o, None, period, "on event", outputs.text(o, year), note)


def _charge_rows(o, start, end, outputs, publications) -> list[dict]:
    if not publications:
        return [_on_event(o, outputs, note="give --event charge_publication=DATE")]
    rows = []
    for p in publications:
        due = ob.shift(p, months=o.months)
        if not start <= due <= end:
            continue
        t = p.year
        statement = ob.yearly_due(ob.BY_ID["S2-10"], t - 1)
        note = (
            f"(b) is not needed if the paragraph 10/11 statement of {t - 1} (due "
            f"{statement.isoformat()}) is sent before the publication"
        )
        period = f"charges published on {p.isoformat()} (Relevant Year {t})"
        rows.append(_row(o, due, period, "due", outputs.text(o, t), note))
    return rows


def _fee_rows(o, start, end, outputs, notices) -> list[dict]:
    rows = []
    noticed = {n.year for n in notices}
    for n in notices:
        first_year = n.year == ob.FIRST_RELEVANT_YEAR
        # in the First Relevant Year the Authority sets the number of instalments: only the first
        # (within 30 days of the notice) follows from the licence
        dates = ob.instalments(n, 1 if first_year else 4)
        for k, due in enumerate(dates, start=1):
            if not start <= due <= end:
                continue
            note = f"instalment {k} of 4"
            if first_year:
                note = (
                    "first instalment; in the First Relevant Year (1 June to 31 December 2023) "
                    "the Authority determines the number of instalments"
                )
            if due.year > n.year:
                note += f"; {_late_instalment(n, due)}"
            period = f"Relevant Year {n.year} (fee notice of {n.isoformat()})"
            rows.append(_row(o, due, period, "due", outputs.text(o, n.year), note))
    for t in range(max(start.year, ob.LICENCE_IN_FORCE.year), end.year + 1):
        if t not in noticed:
            note = "give --event fee_notice=DATE"
            if t == ob.FIRST_RELEVANT_YEAR:
                note += "; in 2023 the Authority determines the number of instalments"
            rows.append(_on_event(o, outputs, f"Relevant Year {t}", note, t))
    return rows


def _late_instalment(notice: _dt.date, due: _dt.date) -> str:
    """Why an instalment after 31 December of its notice's year is worth a look.

    Condition 13 asks for payment "during the year to which it relates", a Relevant Year (a
    calendar year), yet counts its fee years from 1 June 2023.

    >>> _late_instalment(_dt.date(2027, 6, 15), _dt.date(2028, 1, 14))
    'falls after 31 December 2027, though within the fee year from 1 June 2027: Condition 13 asks for payment during the Relevant Year to which the fee relates, yet counts its years from 1 June'
    """
    june = _dt.date(notice.year if notice.month >= 6 else notice.year - 1, 6, 1)
    fee_year = ob.add_months(june, 12)
    where = "though within" if due < fee_year else "and after"
    return (
        f"falls after 31 December {notice.year}, {where} the fee year from {june.day} June "
        f"{june.year}: Condition 13 asks for payment during the Relevant Year to which the fee "
        "relates, yet counts its years from 1 June"
    )


def _report_rows(o, start, end, events, certification_due) -> list[dict]:
    rows = []
    for name, what in (("certificate", "the certificate"), ("audit_report", "an audit report")):
        dates = events.get(name, [])
        for issued in dates:
            due = ob.shift(issued, days=o.days)
            if start <= due <= end:
                period = f"{what} issued on {issued.isoformat()}"
                rows.append(_row(o, due, period, "due", ""))
        if not dates:
            hint = (
                f"the certificate is due by {certification_due.isoformat()}; "
                if name == "certificate"
                else ""
            )
            rows.append(_row(o, None, what, "on event", "", f"{hint}give --event {name}=DATE"))
    return rows


def _cyber_rows(start, end, effective_date, specified, events) -> list[dict]:
    dates = cyber_dates(effective_date, end, specified, events)
    rows = []
    for oid, (_, dues) in dates.items():
        o = ob.BY_ID[oid]
        for k, due in enumerate(dues):
            if not start <= due <= end:
                continue
            if oid == "REG-2.2.3" and "certification" in specified:
                period, status = "Specified Date of the Authority", "due"
            elif oid == "REG-2.2.7" and k == 0 and "supplier_assurance" in specified:
                period, status = "Specified Date of the Authority", "due"
            else:
                period = f"Effective Date {effective_date.isoformat()}"
                status = "due"
            rows.append(_row(o, due, period, status, o.output))
    direction = ob.BY_ID["REG-2.2.8"]
    for name, due in specified.items():
        if name.startswith(ob.DIRECTION_PREFIX) and start <= due <= end:
            label = name[len(ob.DIRECTION_PREFIX) :]
            rows.append(_row(direction, due, f"direction {label}", "due", ""))
    cert = specified.get("certification", ob.add_months(effective_date, 12))
    rows += _report_rows(ob.BY_ID["REG-2.2.5"], start, end, events, cert)
    return rows


# --------------------------------------------------------------------------- the calendar


def build_calendar(
    start,
    end,
    *,
    scenario=None,
    effective_date=None,
    specified_dates: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
    amr_plan: AmrPlan | str | Path | None = None,
) -> Calendar:
    """The obligations due from ``start`` to ``end`` (inclusive).

    Parameters
    ----------
    start, end : datetime.date or str (YYYY-MM-DD)
    scenario : Scenario, optional
        Fills the model output of each row with the scenario's values (K_Dt, MADR_t, ...) and,
        when it links an AMR plan, checks the plan's cyber costs against the calendar.
    effective_date : datetime.date or str, optional
        The Effective Date of the draft metering cyber security regulation (1.5.1). Without it
        the regulation's obligations are left out, with a note.
    specified_dates : mapping, optional
        ``certification``, ``supplier_assurance`` or ``direction:LABEL`` -> date.
    events : mapping, optional
        ``charge_publication``, ``fee_notice``, ``certificate``, ``audit_report`` -> a date or a
        list of dates.
    amr_plan : AmrPlan or path, optional
        An AMR plan whose cyber costs to check (default: the scenario's linked plan).

    Raises
    ------
    InputError
        A date that is not one, out of 2000-2100, ``start`` after ``end``, a span of more than
        60 years, an unknown Specified Date or event, Specified Dates or cyber events without an
        Effective Date, a Specified Date before the Effective Date.
    """
    start, end = parse_date(start, "--from"), parse_date(end, "--to")
    if start > end:
        raise InputError(f"--from {start} is after --to {end}", key="--to")
    if end.year - start.year > MAX_SPAN_YEARS:
        raise InputError(f"a calendar spans at most {MAX_SPAN_YEARS} years", key="--to")
    eff = None if effective_date is None else parse_date(effective_date, "--effective-date")
    specified = check_specified_dates(specified_dates)
    ev = check_events(events)
    cyber_events = [n for n in ("certificate", "audit_report") if n in ev]
    if eff is None and (specified or cyber_events):
        given = "--specified-date" if specified else f"--event {cyber_events[0]}"
        raise InputError(
            "the regulation's dates count from its Effective Date: give --effective-date too",
            key=given,
        )
    for name in ob.SPECIFIED_DATES:
        if name in specified and specified[name] < eff:
            raise InputError(
                f"{specified[name]} is before the Effective Date {eff}",
                key=f"--specified-date {name}",
            )
    outputs = _Outputs(scenario)
    rows: list[dict] = []
    changes = ev.get("charge_publication", [])
    for o in ob.OBLIGATIONS:
        if o.kind == "yearly":
            rows += _yearly_rows(o, start, end, outputs, changes)
    rows += _charge_rows(ob.BY_ID["S2-6"], start, end, outputs, changes)
    rows += _fee_rows(ob.BY_ID["C13"], start, end, outputs, ev.get("fee_notice", []))
    if eff is not None:
        rows += _cyber_rows(start, end, eff, specified, ev)

    notes = _notes(start, eff, changes)
    sources: list[Path] = list(scenario.sources) if scenario is not None else []
    plan = _plan_of(amr_plan, scenario)
    agreement = None
    if plan is not None:
        if plan.path is not None and plan.path not in sources:
            sources.append(plan.path)
        agreement, words = _plan_notes(plan, eff, specified, ev)
        notes += words
    table = _sorted(pd.DataFrame(rows, columns=list(COLUMNS)))
    return Calendar(
        table=table,
        notes=notes,
        start=start,
        end=end,
        effective_date=eff,
        specified_dates=specified,
        events=ev,
        scenario=None if scenario is None else scenario.name,
        agreement=agreement,
        sources=sources,
    )


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = {o.id: i for i, o in enumerate(ob.OBLIGATIONS)}
    key = pd.DataFrame(
        {
            "undated": table["date"].isna(),
            "date": table["date"].map(lambda d: d or _dt.date.max),
            "order": table["id"].map(order),
        }
    )
    idx = key.sort_values(["undated", "date", "order"], kind="stable").index
    return table.loc[idx].reset_index(drop=True)


def _day_of(o: ob.Obligation) -> str:
    """The day of a yearly obligation in words, e.g. "30 June of t+1".

    >>> _day_of(ob.BY_ID["C14"]), _day_of(ob.BY_ID["C33"])
    ('30 June of t+1', '1 June of each year')
    """
    due = ob.yearly_due(o, 2027)
    if o.anchor == "grant":
        return f"{due.day} {due:%B} of each year"
    shift = {0: "t", 1: "t+1", -1: "t-1"}[due.year - 2027]
    return f"{due.day} {due:%B} of {shift}"


def _notes(start, eff, changes) -> list[str]:
    notes = []
    if start < ob.LICENCE_IN_FORCE:
        notes.append(
            f"Nothing is listed before {ob.LICENCE_IN_FORCE.isoformat()}, when the licence came "
            "into force (Part I, paragraph 3)."
        )
    conditions = [o for o in ob.OBLIGATIONS if o.kind == "yearly" and o.id.startswith("C")]
    words = "; ".join(
        f"Condition {o.id[1:]} ({o.obligation}): {_day_of(o)}"
        + (" (assumed: the licence sets no date)" if o.assumed else "")
        for o in conditions
    )
    notes.append(f"Yearly obligations of the Conditions included, with their dates: {words}.")
    if eff is None:
        notes.append(
            "The obligations of the draft metering cyber security regulation are left out: no "
            "Effective Date was given (the Authority sets it by directive, 1.5.1). Give one "
            "(--effective-date DATE; effective_date= in Python) to include them."
        )
    else:
        notes.append(
            "A Specified Date of the Authority for certification (2.2.3) or supplier assurance "
            "(2.2.7) is read as the date by which it is due, not as a date 12 months are "
            "counted from (definition 1.6.1(k) gives '12 months from the Effective Date' as an "
            "example of a Specified Date)."
        )
    if changes:
        notes.append(
            "Paragraph 7's forecast is left out for a year in which changed charges were "
            "published within 3 months of 1 January (the publication taken as the change made)."
        )
    return notes


# --------------------------------------------------------------------------- the AMR plan


def linked_amr_plan(scenario) -> AmrPlan | None:
    """The AMR plan a scenario links (``amr:``), or None."""
    if scenario is None:
        return None
    name = scenario.to_dict(resolved=False).get("amr")
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute() and scenario.path is not None:
        path = Path(scenario.path).parent / path
    return load_plan(path)


def _plan_of(amr_plan, scenario) -> AmrPlan | None:
    if amr_plan is None:
        return linked_amr_plan(scenario)
    return amr_plan if isinstance(amr_plan, AmrPlan) else load_plan(Path(amr_plan))


def _years_of(first: _dt.date, dues: Iterable[_dt.date]) -> set[int]:
    """Years touched by the periods of work before each due date: [first, d1), [d1, d2), ..."""
    years: set[int] = set()
    begin = first
    for due in dues:
        if due > begin:
            last = due - _dt.timedelta(days=1)
            years.update(range(begin.year, last.year + 1))
        begin = due
    return years


def amr_cyber_agreement(
    plan: AmrPlan,
    effective_date=None,
    specified_dates: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Do the plan's cyber security costs fall in the years of the calendar's events?

    For each cost line (ISMS certification, security audit, supplier assurance), the years in
    which the plan carries it, within its programme (``first_year``..``horizon_end``), are
    compared with the years of the calendar's periods of work: each occurrence is worked on
    in the 12 months (or the time from the Effective Date) up to the day it is due, a period
    that ends the day before it (certification due on 1 January 2027 is paid for in 2026).

    Parameters
    ----------
    plan : AmrPlan
    effective_date : date or str, optional
        The calendar's Effective Date (default the plan's own).
    specified_dates, events : mapping, optional
        As :func:`build_calendar`.

    Returns
    -------
    pandas.DataFrame
        One row per cost line: ``line``, ``obligation``, ``plan_years``, ``calendar_years``
        (lists of int), ``agree`` (bool).
    """
    if plan.cyber is None:
        raise InputError("the plan has no cyber_security block to check", file=plan.file)
    eff = (
        plan.cyber.effective_date
        if effective_date is None
        else parse_date(effective_date, "--effective-date")
    )
    specified = check_specified_dates(specified_dates)
    ev = check_events(events)
    lo, hi = plan.first_year, plan.horizon_end
    # one year past the programme: a cost of its last year may be for an occurrence due after
    dates = cyber_dates(eff, _dt.date(hi + 1, 12, 31), specified, ev)
    costs = amr.table(plan).set_index("year")
    rows = []
    for line, oid in CYBER_COST_LINES.items():
        column = costs[f"opex_{line}"]
        in_plan = column[(column.index <= hi) & (column.to_numpy() > 0)]
        plan_years = sorted(int(y) for y in in_plan.index)
        first, dues = dates[oid]
        cal_years = sorted(y for y in _years_of(first, dues) if lo <= y <= hi)
        rows.append(
            {
                "line": line,
                "obligation": oid,
                "plan_years": plan_years,
                "calendar_years": cal_years,
                "agree": plan_years == cal_years,
            }
        )
    return pd.DataFrame(rows)


def _span(years: list[int]) -> str:
    if not years:
        return "no year"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(map(str, years))


def _plan_notes(plan, eff, specified, ev) -> tuple[pd.DataFrame | None, list[str]]:
    name = f"'{plan.name}' ({Path(plan.file).name})"
    if plan.cyber is None:
        return None, [f"The AMR plan {name} has no cyber security costs to check."]
    plan_eff = plan.cyber.effective_date
    if eff is None:
        return None, [
            f"The AMR plan {name} assumes an Effective Date of {plan_eff.isoformat()} for its "
            f"cyber security costs; give that Effective Date ({plan_eff.isoformat()}) to list the "
            "obligations those costs pay for."
        ]
    cyber_events = {k: v for k, v in ev.items() if k in ("certificate",)}
    agreement = amr_cyber_agreement(plan, eff, specified, cyber_events)
    if bool(np.all(agreement["agree"])):
        return agreement, [
            f"The cyber security costs of the AMR plan {name} (certification, audits, "
            "supplier assurance) fall in the same years as the calendar's events."
        ]
    words = []
    for r in agreement[~agreement["agree"]].itertuples():
        words.append(
            f"{r.line} costed in {_span(r.plan_years)}, due for work in {_span(r.calendar_years)}"
        )
    fix = (
        f"set the plan's cyber_security.effective_date to {eff.isoformat()}"
        if plan_eff != eff
        else "the plan's cost lines do not follow the Specified Dates or certificate date given"
    )
    return agreement, [
        f"The AMR plan {name} disagrees with the calendar (plan's Effective Date "
        f"{plan_eff.isoformat()}, calendar's {eff.isoformat()}): " + "; ".join(words) + f"; {fix}."
    ]

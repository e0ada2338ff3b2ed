"""calendar.csv and calendar.ics: the calendar of obligations as a table and for any calendar
program.

``calendar.ics`` is RFC 5545, written with the ``icalendar`` library: one all-day event per
dated occurrence (never a yearly repeat rule, which from 29 February would skip the years without
one), its summary the obligation, its description the paragraph, what to send, the model output
that feeds it, the rule and any note. Obligations "on event" have no date and are not in it;
calendar.csv lists them with their rule.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tariffmodel import __version__
from tariffmodel.model.calendar import Calendar, build_calendar
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output

PRODID = f"-//tariffmodel {__version__}//calendar of obligations//EN"


def _uid(row) -> str:
    """A stable UID: the same obligation on the same day and for the same period keeps it, so a
    calendar program updates an event rather than duplicating it when the file is re-imported."""
    key = f"{row.id}|{row.date.isoformat()}|{row.period}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:24]}@tariffmodel"


def _description(row) -> str:
    parts = [
        f"Source: {row.source}",
        f"What to send: {row.what_to_send}",
        f"Period: {row.period}" if row.period else "",
        f"Model output: {row.model_output}" if row.model_output else "",
        f"Rule: {row.rule}",
        f"Status: {row.status}",
        f"Note: {row.note}" if row.note else "",
    ]
    return "\n".join(p for p in parts if p)


def to_ics(cal: Calendar, stamp: _dt.datetime | None = None) -> bytes:
    """The dated rows of ``cal`` as an RFC 5545 calendar (bytes, CRLF line ends).

    ``stamp`` is every event's DTSTAMP (default now, UTC).
    """
    import icalendar  # heavy (0.2-0.8 s): only when a calendar is written, not at start-up

    stamp = stamp or _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    ics = icalendar.Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("x-wr-calname", "NEDC licence obligations")
    for row in cal.dated.itertuples(index=False):
        event = icalendar.Event()
        event.add("uid", _uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", row.date)  # a date: an all-day event
        event.add("dtend", row.date + _dt.timedelta(days=1))
        event.add("summary", f"{row.obligation} ({row.id})")
        event.add("description", _description(row))
        event.add("categories", ["cyber security" if row.id.startswith("REG") else "licence"])
        event.add("transp", "TRANSPARENT")
        ics.add_component(event)
    return ics.to_ical()


def write_calendar(
    cal: Calendar, out: str | os.PathLike, command: str | None = None, readings=None
) -> None:
    """Write ``calendar.csv``, ``calendar.ics`` and ``manifest.json`` into ``out``, all or
    nothing."""
    with staged_output(out) as stage:
        table = cal.table.copy()
        table["date"] = table["date"].map(lambda d: d.isoformat() if d else "")
        table.to_csv(stage / "calendar.csv", index=False)
        (stage / "calendar.ics").write_bytes(to_ics(cal))
        extra: dict[str, Any] = {
            "calendar": {
                **cal.inputs(),
                "occurrences": int(len(cal.dated)),
                "on_event": int(len(cal.table) - len(cal.dated)),
                "notes": list(cal.notes),
            }
        }
        if cal.agreement is not None:
            extra["calendar"]["amr_cyber_agreement"] = cal.agreement.to_dict(orient="records")
        write_manifest(
            stage,
            inputs=[Path(p) for p in cal.sources],
            readings=readings,
            command=command,
            extra=extra,
        )


def calendar(
    scenario=None,
    *,
    start,
    end,
    effective_date=None,
    specified_dates: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
    amr_plan=None,
    out: str | os.PathLike | None = None,
) -> Calendar:
    """The calendar of obligations from ``start`` to ``end``; with ``out``, also written there
    (calendar.csv, calendar.ics, manifest.json).

    Parameters
    ----------
    scenario : Scenario, optional
        Fills each row's model output with the scenario's values and checks its linked AMR
        plan's cyber costs against the calendar.
    start, end : datetime.date or str (YYYY-MM-DD)
    effective_date : datetime.date or str, optional
        The Effective Date of the draft metering cyber security regulation; without it the
        regulation's obligations are left out, with a note.
    specified_dates : mapping, optional
        ``certification``, ``supplier_assurance``, ``direction:LABEL`` -> date.
    events : mapping, optional
        ``charge_publication``, ``fee_notice``, ``certificate``, ``audit_report`` -> a date or a
        list of dates.
    amr_plan : AmrPlan or path, optional
        The AMR plan to check (default the scenario's).
    out : path, optional

    Returns
    -------
    Calendar
        ``.table`` (one row per occurrence), ``.notes``, ``.agreement``.

    Examples
    --------
    >>> import tariffmodel as tm
    >>> cal = tm.calendar(start="2027-01-01", end="2027-12-31", effective_date="2026-07-01")
    >>> cal.table.iloc[0][["date", "id"]].tolist()
    [datetime.date(2027, 2, 12), 'S2-9']
    """
    cal = build_calendar(
        start,
        end,
        scenario=scenario,
        effective_date=effective_date,
        specified_dates=specified_dates,
        events=events,
        amr_plan=amr_plan,
    )
    if out is not None:
        write_calendar(
            cal,
            out,
            command="tm.calendar(...)",
            readings=None if scenario is None else scenario.readings,
        )
    return cal

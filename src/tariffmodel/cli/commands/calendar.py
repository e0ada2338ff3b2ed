"""``tariffmodel calendar [SCENARIO] --from DATE --to DATE --out DIR``: the calendar of
obligations of the licence and of the draft metering cyber security regulation."""

from __future__ import annotations

import shlex

from tariffmodel.cli.commands.run import add_reading_option, load_with_readings
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence.obligations import EVENTS, SPECIFIED_DATES
from tariffmodel.model.calendar import build_calendar
from tariffmodel.reporting.calendar import write_calendar


def register(sub) -> None:
    p = sub.add_parser(
        "calendar",
        help="the calendar of obligations: calendar.csv and calendar.ics",
        description="List every dated obligation of the licence (Schedule 2 paragraphs 6, 7, "
        "9, 10, 11; Condition 13's fee instalments; Condition 14's regulatory accounts; the "
        "yearly statements of Conditions 17, 23, 31, 32, 33) and of the draft metering cyber "
        "security regulation (with --effective-date) from one date to another, and write "
        "DIR/calendar.csv, DIR/calendar.ics (one event per occurrence) and DIR/manifest.json. "
        "With a scenario, each row shows the model output that feeds it, and the cyber costs of "
        "its AMR plan are checked against the calendar.",
    )
    p.add_argument("scenario", nargs="?", help="a scenario file (YAML), optional")
    p.add_argument("--from", dest="start", required=True, metavar="DATE",
                   help="first day (YYYY-MM-DD)")  # fmt: skip
    p.add_argument("--to", dest="end", required=True, metavar="DATE",
                   help="last day (YYYY-MM-DD), inclusive")  # fmt: skip
    p.add_argument(
        "--effective-date",
        metavar="DATE",
        help="the Effective Date of the metering cyber security regulation (without it its "
        "obligations are left out)",
    )
    p.add_argument(
        "--specified-date",
        action="append",
        default=[],
        metavar="NAME=DATE",
        help=f"a Specified Date of the Authority: {', '.join(SPECIFIED_DATES)} or "
        "direction:LABEL (repeatable)",
    )
    p.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="NAME=DATE",
        help=f"the date of an event an obligation follows: {', '.join(EVENTS)} (repeatable)",
    )
    p.add_argument("--amr", metavar="PLAN", help="an AMR plan whose cyber costs to check "
                   "(default: the scenario's)")  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_reading_option(p)
    p.set_defaults(func=run)


def parse_pairs(items: list[str], option: str, repeat: bool) -> dict:
    """``NAME=DATE`` items as a dict; with ``repeat`` a name may come again (a list of dates)."""
    out: dict = {}
    for item in items:
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not name or not value:
            raise InputError(f"give NAME=DATE, got {item!r}", key=option)
        if repeat:
            out.setdefault(name, []).append(value)
        elif name in out:
            raise InputError(f"{name} is given twice", key=option)
        else:
            out[name] = value
    return out


def run(args) -> int:
    specified = parse_pairs(args.specified_date, "--specified-date", repeat=False)
    events = parse_pairs(args.event, "--event", repeat=True)
    if args.reading and not args.scenario:
        raise InputError("a reading changes a scenario's outputs: give a scenario", key="--reading")
    scenario = load_with_readings(args.scenario, args.reading) if args.scenario else None
    cal = build_calendar(
        args.start,
        args.end,
        scenario=scenario,
        effective_date=args.effective_date,
        specified_dates=specified,
        events=events,
        amr_plan=args.amr,
    )
    words = ["tariffmodel", "calendar", *([args.scenario] if args.scenario else [])]
    words += ["--from", args.start, "--to", args.end, "--out", str(args.out)]
    if args.effective_date:
        words += ["--effective-date", args.effective_date]
    words += [w for s in args.specified_date for w in ("--specified-date", s)]
    words += [w for e in args.event for w in ("--event", e)]
    words += ["--amr", args.amr] if args.amr else []
    words += [w for r in args.reading for w in ("--reading", r)]
    write_calendar(
        cal,
        args.out,
        command=shlex.join(words),
        readings=None if scenario is None else scenario.readings,
    )
    dated = len(cal.dated)
    print(
        f"calendar {cal.start} to {cal.end}: {dated} obligations dated, "
        f"{len(cal.table) - dated} on event; wrote {args.out}/calendar.csv and calendar.ics"
    )
    for note in cal.notes:
        print(f"note: {note}")
    return 0

"""calendar.csv, calendar.ics (parsed back with icalendar) and the manifest, from the API and
the command line; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import icalendar
import nbformat
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.batch.runner import KERNEL_NAME, _ipc_kernel_manager_class
from tariffmodel.cli.main import main
from tariffmodel.reporting.calendar import to_ics

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"


def read_events(path: Path) -> list:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(cal["VERSION"]) == "2.0" and "tariffmodel" in str(cal["PRODID"])
    return list(cal.walk("VEVENT"))


def test_api_writes_csv_ics_manifest_that_agree(tmp_path):
    out = tmp_path / "cal"
    cal = tm.calendar(
        start="2028-01-01",
        end="2032-12-31",
        effective_date="2028-02-29",
        events={"fee_notice": "2028-02-29"},
        out=out,
    )
    csv = pd.read_csv(out / "calendar.csv", keep_default_na=False)
    assert list(csv.columns[:5]) == [
        "date",
        "obligation",
        "source",
        "what_to_send",
        "model_output",
    ]
    assert len(csv) == len(cal.table)
    raw = (out / "calendar.ics").read_bytes()
    # RFC 5545 3.1: CRLF line ends, content lines folded at 75 octets
    lines = raw.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR" and lines[-1] == b""
    assert b"\n" not in raw.replace(b"\r\n", b"") and max(map(len, lines)) <= 75
    events = read_events(out / "calendar.ics")
    dated = csv[csv["date"] != ""]
    assert len(events) == len(dated) == len(cal.dated)
    # one event per occurrence, all-day, no repeat rule; the dates and summaries of the csv
    for event, row in zip(events, dated.itertuples(), strict=True):
        start = event.decoded("DTSTART")
        assert type(start) is dt.date and start.isoformat() == row.date
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert "RRULE" not in event
        assert str(event["SUMMARY"]) == f"{row.obligation} ({row.id})"
        assert row.source in str(event["DESCRIPTION"])
        assert isinstance(event.decoded("DTSTAMP"), dt.datetime)
    assert len({str(e["UID"]) for e in events}) == len(events)
    audits = [e.decoded("DTSTART") for e in events if "(REG-2.2.4)" in str(e["SUMMARY"])]
    assert audits == [D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 28)]
    fee = [e.decoded("DTSTART") for e in events if "(C13)" in str(e["SUMMARY"])]
    assert fee == [D(2028, 3, 30), D(2028, 6, 30), D(2028, 9, 30), D(2028, 12, 30)]
    # undated rows are in the csv only, with their rule
    assert set(csv.loc[csv["date"] == "", "status"]) == {"on event"}
    m = json.loads((out / "manifest.json").read_text())
    assert m["calendar"]["effective_date"] == "2028-02-29"
    assert m["calendar"]["events"] == {"fee_notice": ["2028-02-29"]}
    assert m["calendar"]["occurrences"] == len(events)
    assert m["calendar"]["notes"] == cal.notes


def test_uids_are_stable_across_runs():
    cal = tm.calendar(start="2027-01-01", end="2027-12-31")
    stamp = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert to_ics(cal, stamp) == to_ics(cal, stamp)
    again = tm.calendar(start="2026-01-01", end="2027-12-31")
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(to_ics(cal)).walk("VEVENT")}
    more = {str(e["UID"]) for e in icalendar.Calendar.from_ical(to_ics(again)).walk("VEVENT")}
    assert uids < more


def test_cli_with_scenario_checks_its_plan(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["calendar", str(BASE), "--from", "2026-01-01", "--to", "2029-12-31"]
    argv += ["--effective-date", "2026-07-01", "--event", "fee_notice=2026-02-01"]
    argv += ["--event", "fee_notice=2027-02-01", "--specified-date", "direction:patch=2027-09-30"]
    argv += ["--reading", "loss_deadband=every_year"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "fall in the same years as the calendar's events" in printed
    csv = pd.read_csv(out / "calendar.csv", keep_default_na=False)
    assert (csv["id"] == "C13").sum() == 8 + 2  # two notices, two years on event
    m = json.loads((out / "manifest.json").read_text())
    assert str(BASE) in m["inputs"] and any("nedc-amr-plan" in k for k in m["inputs"])
    assert m["readings"]["loss_deadband"] == "every_year"
    # the model outputs are those of the scenario under the reading asked for (MADR_2028 moves
    # with the dead band every year: LOSS_2028 is 0)
    base = tm.load_scenario(BASE)
    madr = tm.project(base.with_readings(loss_deadband="every_year")).set_index("year")["MADR"]
    assert madr[2028] != tm.project(base).set_index("year").at[2028, "MADR"]
    shown = csv["model_output"]
    assert shown.str.contains(f"MADR_2028 = {madr[2028]:,.2f} RO", regex=False).any()
    assert "--effective-date 2026-07-01" in m["command"]
    assert all(r["agree"] for r in m["calendar"]["amr_cyber_agreement"])


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--event", "fee_notice"], "--event.*NAME=DATE"),
        (["--event", "notice=2027-01-01"], "unknown event"),
        (["--specified-date", "certification=2028-01-01"], "give --effective-date"),
        (
            ["--effective-date", "2027-01-01", "--specified-date", "certification=2028-01-01"]
            + ["--specified-date", "certification=2028-02-01"],
            "given twice",
        ),
        (["--reading", "loss_deadband=every_year"], "give a scenario"),
        (["--amr", "missing-plan.yaml"], "missing-plan.yaml"),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, extra, words):
    out = tmp_path / "out"
    argv = ["calendar", "--from", "2027-01-01", "--to", "2028-12-31", "--out", str(out), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffmodel calendar: error:")
    assert pd.Series([err]).str.contains(words).all(), err
    assert not out.exists()


@pytest.mark.slow
def test_review_notebook_shows_the_calendar_for_a_chosen_effective_date(tmp_path):
    import papermill as pm

    notebooks = ROOT / "notebooks"
    out = tmp_path / "review.ipynb"
    pm.execute_notebook(
        str(notebooks / "price_control_review.ipynb"),
        str(out),
        parameters={"calendar_effective_date": "2028-02-29"},
        kernel_name=KERNEL_NAME,
        cwd=str(notebooks),
        progress_bar=False,
        kernel_manager_class=_ipc_kernel_manager_class(),
    )
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if "tm.calendar(" in c.source)
    shown = "\n".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    # the notes are Markdown with the input's text escaped (cyber\_security): read as shown
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in cell.outputs)
    shown += re.sub(r"\\(.)", r"\1", markdown)
    assert "ISMS certified to ISO 27001" in shown and "2029-02-28" in shown
    # the bundled plan assumes 1 July 2026: the notebook says the two disagree and what to change
    assert "set the plan's cyber_security.effective_date to 2028-02-29" in shown

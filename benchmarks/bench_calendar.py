"""Calendar of obligations: the scenario's four years with its model outputs and AMR plan check
(what the review notebook and a dashboard ask for), the longest calendar (60 years), and
writing calendar.csv, calendar.ics and the manifest."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, peak_memory, report  # noqa: E402

import tariffmodel as tm  # noqa: E402
from tariffmodel.reporting.calendar import to_ics, write_calendar  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"


def main() -> None:
    scenario = tm.load_scenario(BASE)

    def review():
        return tm.calendar(
            scenario, start="2026-01-01", end="2030-06-30", effective_date="2026-07-01"
        )

    def longest():
        return tm.calendar(start="2030-01-01", end="2090-12-31", effective_date="2030-02-28")

    cal, long = review(), longest()
    print(
        f"scenario calendar: {len(cal.dated)} dated, {len(cal.table) - len(cal.dated)} on event; "
        f"60-year calendar: {len(long.dated)} dated"
    )
    report("scenario 2026-2030 with outputs and AMR plan check [s]", best_of(review), "s", "< 0.5")
    report("60 years, no scenario [s]", best_of(longest), "s", "< 0.5")
    report("calendar.ics of the scenario calendar [s]", best_of(lambda: to_ics(cal)), "s")
    # icalendar folds long lines a character at a time: most of the time of a long calendar
    report("calendar.ics of 60 years [s]", best_of(lambda: to_ics(long), repeat=3), "s")
    with tempfile.TemporaryDirectory() as tmp:
        report(
            "write csv, ics, manifest of 60 years [s]",
            best_of(lambda: write_calendar(long, Path(tmp) / "cal"), repeat=3),
            "s",
        )
        size = sum(p.stat().st_size for p in (Path(tmp) / "cal").iterdir()) / 1e3
    report("size of the 60-year folder [kB]", size, "kB")
    report("peak memory, 60 years [MB]", peak_memory(longest), "MB")


if __name__ == "__main__":
    main()

"""What the licence's unclear text is worth: MADR under every combination of the readings R1-R8.

The readings are the named switches of :data:`tariffmodel.licence.schedule2.READINGS`. :func:`compare`
evaluates the scenario under each of the 256 combinations, keeps those that change anything, and
drops a combination whose results equal those of a combination with fewer switches changed (the
extra switch changes nothing there), so each row shows something new. :func:`register` and
:func:`errata` are the readings register: what each reading takes the text to mean, and where
the licence's own text is off (:data:`tariffmodel.licence.errata.ERRATA`).
"""

from __future__ import annotations

import itertools
import textwrap

import numpy as np
import pandas as pd

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.licence.errata import ERRATA
from tariffmodel.licence.schedule2 import READING_IDS, READING_REGISTER, READINGS
from tariffmodel.model.engine import evaluate
from tariffmodel.model.scenario import LINKED_READINGS, Scenario

COMPARED = (
    "MADR",
    "D",
    "LD",
    "LOSS",
    "CC",
    "K",
    "CPI",
    "a",
    "c",
    "p",
    "DB",
    "CS",
    "i",
    "para3",
    "para4",
    "para5",
    "SR",
    "LF",
)


def check_readings(readings, key: str = "--reading") -> dict[str, str]:
    """``readings`` (switch -> value) as a dict, every switch and value one of :data:`READINGS`;
    an unknown one is an :class:`InputError` under ``key`` with the nearest valid name."""
    for switch, value in readings.items():
        if switch not in READINGS:
            raise InputError(
                f"unknown reading switch '{switch}'{did_you_mean(switch, READINGS)}; "
                f"switches: {', '.join(READINGS)}",
                key=key,
            )
        allowed = READINGS[switch]
        if value not in allowed:
            raise InputError(
                f"unknown reading '{value}': {READING_IDS[switch]} {switch} is one of "
                f"{', '.join(allowed)}{did_you_mean(value, allowed)}",
                key=key,
            )
    return dict(readings)


def _label(changes: dict[str, str]) -> str:
    if not changes:
        return "default"
    return ", ".join(f"{READING_IDS[k]} {k}={v}" for k, v in changes.items())


def combinations(scenario: Scenario):
    """Every combination of readings as a dict of the switches that differ from the scenario."""
    switches = list(READINGS)
    for values in itertools.product(*(READINGS[s] for s in switches)):
        chosen = dict(zip(switches, values, strict=True))
        yield {k: v for k, v in chosen.items() if v != scenario.readings[k]}


def compare(scenario: Scenario) -> pd.DataFrame:
    """MADR and the affected terms under every combination of readings that changes anything.

    Returns
    -------
    DataFrame
        One row per (combination, year): ``readings`` (the switches changed from the
        scenario's own), ``year``, each compared column, and ``MADR_change`` [RO] against the
        scenario's own readings. The first rows are the scenario's own readings.
    """
    results = []
    linked: dict[tuple, Scenario] = {}  # the scenario linked once per value of R5-R7
    for changes in sorted(combinations(scenario), key=len):
        key = tuple(changes.get(k) for k in LINKED_READINGS)
        if key not in linked:
            relink = {k: v for k, v in changes.items() if k in LINKED_READINGS}
            linked[key] = scenario.with_readings(**relink) if relink else scenario
        sc = linked[key]
        rest = {k: v for k, v in changes.items() if k not in LINKED_READINGS}
        res = evaluate(sc.with_readings(**rest) if rest else sc)
        results.append((changes, res))
    base = results[0][1]
    kept = [results[0]]
    for changes, res in results[1:]:
        if _same(res, base):
            continue
        # a combination equal to one already kept (with fewer switches) adds nothing
        if any(
            _same(res, k_res)
            for k_changes, k_res in kept
            if set(k_changes.items()) < set(changes.items())
        ):
            continue
        kept.append((changes, res))
    frames = []
    for changes, res in kept:
        frame = pd.DataFrame({"readings": _label(changes), "year": scenario.years})
        for col in COMPARED:
            frame[col] = res[col][0]
        frame["MADR_change"] = res["MADR"][0] - base["MADR"][0]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _same(a: dict, b: dict) -> bool:
    return all(np.array_equal(a[c], b[c]) for c in COMPARED)


def pivot(table: pd.DataFrame, value: str = "MADR") -> pd.DataFrame:
    """One row per combination, one column per year, of ``value``."""
    out = table.pivot(index="readings", columns="year", values=value)
    order = list(dict.fromkeys(table["readings"]))
    return out.loc[order]


def register() -> pd.DataFrame:
    """The readings register: one row per value of each reading R1-R8, the default first.

    Returns
    -------
    DataFrame
        ``id``, ``switch``, ``where`` (paragraph or definition), ``text`` (the words that allow
        two answers), ``value``, ``default`` (bool), ``meaning`` (what the value takes the text
        to mean), ``applies`` (when the switch can move a number).
    """
    rows = []
    for switch, values in READINGS.items():
        entry = READING_REGISTER[switch]
        for n, (value, meaning) in enumerate(zip(values, entry.meanings, strict=True)):
            rows.append(
                {
                    "id": READING_IDS[switch],
                    "switch": switch,
                    "where": entry.where,
                    "text": entry.text,
                    "value": value,
                    "default": n == 0,
                    "meaning": meaning,
                    "applies": entry.applies,
                }
            )
    return pd.DataFrame(rows)


def errata() -> pd.DataFrame:
    """The errata of the licence: ``where``, ``says`` and ``reading`` (what the model takes it
    to mean), one row each, in the order of the text."""
    return pd.DataFrame([e._asdict() for e in ERRATA])


def register_text(width: int = 100) -> str:
    """The readings register and the errata as plain text, for the console."""

    def wrap(text: str, indent: str) -> list[str]:
        more = " " * len(indent) + "  "
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more)

    lines = ["Readings of unclear licence text (switch values, default first)", ""]
    table = register()
    for switch in READINGS:
        part = table[table["switch"] == switch]
        first = part.iloc[0]
        lines.append(f"{first['id']} {switch}: {first['where']}")
        lines += wrap(f"the text: {first['text']}", "    ")
        for rec in part.itertuples():
            mark = " (default)" if rec.default else ""
            lines += wrap(f"{rec.value}{mark}: {rec.meaning}", "  - ")
        lines += wrap(f"moves a number in: {first['applies']}", "    ")
        lines.append("")
    lines += ["Errata: the licence's own text is off (what it says -> the reading the model takes)",
              ""]  # fmt: skip
    for n, e in enumerate(ERRATA, start=1):
        lines += wrap(f"E{n} {e.where}: {e.says}", "")
        lines += wrap(f"-> {e.reading}", "    ")
    return "\n".join(lines) + "\n"

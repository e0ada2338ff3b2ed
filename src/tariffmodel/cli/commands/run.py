"""``tariffmodel run SCENARIO --out DIR``: project one scenario and write its outputs."""

from __future__ import annotations

import sys

from tariffmodel.analysis.readings import check_readings
from tariffmodel.inputs.errors import InputError
from tariffmodel.model.scenario import load_scenario
from tariffmodel.reporting.formatting import format_value
from tariffmodel.reporting.run_outputs import write_run


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="project a scenario: madr.csv, statement, bill impact, manifest",
        description="Compute every term of MADR for every modelled year of a scenario and write "
        "DIR/madr.csv, DIR/statement.md (paragraph 12 items, paragraph 9 view), "
        "DIR/bill_impact.csv and DIR/manifest.json. Bad input: exit 2, nothing written.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--out", required=True, help="output folder")
    add_reading_option(p)
    p.set_defaults(func=run)


def add_reading_option(p) -> None:
    """``--reading SWITCH=VALUE`` (repeatable): a reading R1-R8 for this run only."""
    p.add_argument(
        "--reading",
        action="append",
        default=[],
        metavar="SWITCH=VALUE",
        help="override a reading R1-R8, e.g. loss_deadband=every_year or "
        "call_centre_cap=per_kpi (repeatable; tariffmodel readings --list shows them all)",
    )


def parse_readings(items: list[str]) -> dict[str, str]:
    """``SWITCH=VALUE`` items of ``--reading`` as a dict, each switch and value checked here so
    that an error names the option, not the scenario file."""
    out = {}
    for item in items:
        switch, sep, value = (part.strip() for part in item.partition("="))
        if not sep:
            raise InputError(
                "a reading is SWITCH=VALUE, e.g. loss_deadband=every_year", key="--reading"
            )
        out[switch] = value
    return check_readings(out)


def load_with_readings(path, items: list[str]):
    """The scenario of ``path`` under the readings of ``--reading`` (checked first); its
    warnings are printed on the console (standard error)."""
    readings = parse_readings(items)
    scenario = load_scenario(path)
    scenario = scenario.with_readings(**readings) if readings else scenario
    for line in scenario.warnings:
        print(f"warning: {line}", file=sys.stderr)
    return scenario


def run(args) -> int:
    scenario = load_with_readings(args.scenario, args.reading)
    table = write_run(scenario, args.out, command=f"tariffmodel run {args.scenario}")
    last = table.iloc[-1]
    print(
        f"{scenario.name}: MADR {int(table['year'].iloc[0])}-{int(last['year'])} written to "
        f"{args.out}/madr.csv (MADR {int(last['year'])} = {format_value(last['MADR'], 'RO')})"
    )
    return 0

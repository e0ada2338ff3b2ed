"""``tariffmodel readings SCENARIO``: MADR under every combination of readings R1-R8;
``tariffmodel readings --list``: the readings register and the errata of the licence."""

from __future__ import annotations

import sys

import pandas as pd

from tariffmodel.analysis.readings import compare, errata, pivot, register_text
from tariffmodel.analysis.readings import register as reading_register
from tariffmodel.inputs.errors import InputError
from tariffmodel.model.scenario import load_scenario
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output


def register(sub) -> None:
    p = sub.add_parser(
        "readings",
        help="MADR under every combination of the readings R1-R8 that changes anything; "
        "--list: the readings register and the licence's errata",
        description="Evaluate the scenario under every combination of the readings of unclear "
        "licence text (R1-R8) and show MADR and the change against the scenario's own readings, "
        "for each combination that changes anything. With --list (no scenario needed), print "
        "the readings register (what each reading takes the text to mean) and the errata of the "
        "licence's own text, each with the reading the model takes.",
    )
    p.add_argument("scenario", nargs="?", help="the scenario file (YAML); not with --list")
    p.add_argument(
        "--list",
        action="store_true",
        help="print the readings register and the errata (with --out: readings-register.csv "
        "and errata.csv)",
    )
    p.add_argument("--out", help="also write readings.csv (every affected term) to this folder")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.list:
        if args.scenario:
            raise InputError("--list prints the register of every scenario: give no scenario",
                             key="--list")  # fmt: skip
        sys.stdout.write(register_text())
        if args.out:
            with staged_output(args.out) as stage:
                reading_register().to_csv(stage / "readings-register.csv", index=False)
                errata().to_csv(stage / "errata.csv", index=False)
                write_manifest(stage, command="tariffmodel readings --list")
        return 0
    if not args.scenario:
        raise InputError("a scenario file is due (or --list for the register)", key="scenario")
    scenario = load_scenario(args.scenario)
    for line in scenario.warnings:
        print(f"warning: {line}", file=sys.stderr)
    table = compare(scenario)
    madr = pivot(table, "MADR")
    change = pivot(table, "MADR_change")
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.max_colwidth", 90
    ):
        print(
            f"{scenario.name}: MADR [RO] under the readings (rows: switches changed from the "
            f"scenario's own)\n"
        )
        print(madr.map(lambda v: f"{v:,.2f}").to_string())
        print("\nChange of MADR against the scenario's own readings [RO]\n")
        print(change.map(lambda v: f"{v:+,.2f}").to_string())
    if len(madr) == 1:
        print("\nNo reading changes anything in this scenario.")
    if args.out:
        with staged_output(args.out) as stage:
            table.to_csv(stage / "readings.csv", index=False)
            write_manifest(
                stage,
                inputs=scenario.sources,
                command="tariffmodel readings",
                readings=scenario.readings,
            )
    return 0

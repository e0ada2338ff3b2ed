"""``tariffmodel readings SCENARIO``: MADR under every combination of readings R1-R5."""

from __future__ import annotations

import pandas as pd

from tariffmodel.analysis.readings import compare, pivot
from tariffmodel.model.scenario import load_scenario
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output


def register(sub) -> None:
    p = sub.add_parser(
        "readings",
        help="MADR under every combination of the readings R1-R5 that changes anything",
        description="Evaluate the scenario under every combination of the readings of unclear "
        "licence text (R1-R5) and show MADR and the change against the scenario's own readings, "
        "for each combination that changes anything.",
    )
    p.add_argument("scenario")
    p.add_argument("--out", help="also write readings.csv (every affected term) to this folder")
    p.set_defaults(func=run)


def run(args) -> int:
    scenario = load_scenario(args.scenario)
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

"""``tariffmodel workbook SCENARIO --out FILE.xlsx``: the live Excel model of the cap."""

from __future__ import annotations

import time

from tariffmodel.cli.commands.run import add_reading_option, load_with_readings
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.workbook import write_workbook


def register(sub) -> None:
    p = sub.add_parser(
        "workbook",
        help="write a live Excel workbook of the cap that a reviewer can audit and edit",
        description="Write FILE.xlsx: the scenario's inputs as editable cells, every term of "
        "MADR for every year as an Excel formula written as Schedule 2 writes it (with the "
        "engine's values cached), the readings R1-R4 as switches, the bill impact, checks and "
        "provenance. Bad input: exit 2, nothing written.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--out", dest="out_file", required=True, metavar="FILE.xlsx",
                   help="the workbook to write")  # fmt: skip
    add_reading_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if not args.out_file.lower().endswith(".xlsx"):
        raise InputError("the workbook's name must end in .xlsx", key="--out")
    scenario = load_with_readings(args.scenario, args.reading)
    start = time.perf_counter()
    table = write_workbook(scenario, args.out_file, command=f"tariffmodel workbook {args.scenario}")
    last = table.iloc[-1]
    print(
        f"{scenario.name}: workbook written to {args.out_file} in "
        f"{time.perf_counter() - start:.1f} s (MADR {int(last['year'])} = {last['MADR']:,.2f} RO)"
    )
    return 0

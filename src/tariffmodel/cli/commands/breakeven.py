"""``tariffmodel breakeven QUESTION SCENARIO``: break-even answers, printed (and written to
``--out DIR`` as ``breakeven_QUESTION.csv`` with ``manifest.json``).

Questions: ``losses`` (AL_{t-1} at which LOSS_t reaches its cap, either side), ``x`` (the X
factor at which MADR of a year equals ``--madr``), ``recovery`` (the ARDR/MADR ratio at which
paragraphs 3 and 5 trigger), ``kpi`` (the KPI score at which CS_t saturates).
"""

from __future__ import annotations

import pandas as pd

from tariffmodel.analysis import breakeven as be
from tariffmodel.cli.commands import _explore
from tariffmodel.licence.schedule2 import READINGS
from tariffmodel.reporting.formatting import format_frame

#: Units of the answers' columns that their names do not give (ratios of ARDR to MADR).
ANSWER_UNITS = {"para3_above": "fraction", "para5_below": "fraction", "cap": "RO"}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "breakeven",
        help="break-even questions: losses at the cap, X for a MADR, recovery ratio, KPI score",
        description="The value of one input that gives a stated result, found with "
        "scipy.optimize on the engine and checked by substituting it back.",
    )
    sub = p.add_subparsers(dest="question", metavar="QUESTION", required=True)
    for name, helptext in (
        ("losses", "AL_{t-1} at which LOSS_t reaches +cap and -cap, each year"),
        ("x", "the X factor at which MADR of a year equals --madr"),
        ("recovery", "the ARDR/MADR ratio at which paragraphs 3 and 5 trigger, each year"),
        ("kpi", "the KPI score WS_{t-1} at which CS_t saturates, each year"),
    ):
        q = sub.add_parser(name, help=helptext, description=helptext)
        q.add_argument("scenario", help="the scenario file (YAML)")
        q.add_argument("--out", default=None, help="also write breakeven_<question>.csv here")
        if name == "losses":
            q.add_argument(
                "--loss-deadband",
                choices=READINGS["loss_deadband"],
                default=None,
                help="reading R1 (default the scenario's)",
            )
        if name == "x":
            q.add_argument(
                "--madr",
                type=_explore.positive_float,
                required=True,
                help="the stated MADR [RO], above 0",
            )
            q.add_argument("--year", type=int, default=None, help="default the last year")
        q.set_defaults(func=run)


def run(args) -> int:
    sc = _explore.load_scenario(args.scenario)
    q = args.question
    if q == "losses":
        readings = {"loss_deadband": args.loss_deadband} if args.loss_deadband else None
        table = be.loss_breakeven(sc, readings=readings)
    elif q == "x":
        x = be.x_breakeven(sc, args.madr, args.year)
        year = args.year or sc.years[-1]
        table = pd.DataFrame({"year": [year], "MADR": [args.madr], "X": [x]})
    elif q == "recovery":
        table = be.recovery_breakeven(sc)
    else:
        table = be.kpi_breakeven(sc)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(f"breakeven {q}: {sc.name}")
        print(format_frame(table, ANSWER_UNITS, missing="none").to_string(index=False))
    if args.out:
        _explore.write_outputs(args.out, sc, tables={f"breakeven_{q}.csv": table})
        print(f"wrote {args.out}/breakeven_{q}.csv")
    return 0

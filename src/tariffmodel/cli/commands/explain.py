"""``tariffmodel explain SCENARIO [--year T] [--term NAME] [--format text|md|json]``: every
number of MADR_t as a hand calculation."""

from __future__ import annotations

import argparse
import os
import sys

from tariffmodel.analysis.explain import explain
from tariffmodel.cli.commands.run import add_reading_option, load_with_readings
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.explain import FORMATS, render_explanation


def register(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="every number of MADR_t as a hand calculation: formula, numbers, result, sources",
        description="Print, for each term of MADR_t in a year (or one term), the licence "
        "paragraph, the formula as the licence writes it, the same formula with the scenario's "
        "numbers in, and the result, down to the inputs, each with where its value comes from "
        "and the reading of unclear text that decided it. The numbers are those of "
        "'tariffmodel run'.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--year", type=_year, metavar="T", help="a modelled year (default: every year)")
    p.add_argument(
        "--term",
        metavar="NAME",
        help="one term or quantity, by name or licence symbol: LOSS, BL, LD, AL, D, DB, a, CS, "
        "KS, CC, K, i, AMR, LF_Dt, ... (default: MADR_t and all its terms)",
    )
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), md (Markdown, for a report) or json (for tools)")  # fmt: skip
    add_reading_option(p)
    p.set_defaults(func=run)


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None


def run(args) -> int:
    if args.term is not None and not args.term.strip():
        raise InputError("a term name is due, e.g. LOSS", key="--term")
    scenario = load_with_readings(args.scenario, args.reading)
    text = render_explanation(explain(scenario, year=args.year, term=args.term), args.format)
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # the reader stopped early (| head, | less quit): not an error; stdout closed quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0

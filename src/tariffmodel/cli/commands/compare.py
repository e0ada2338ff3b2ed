"""``tariffmodel compare BASE OTHER --out DIR``: why two caps differ.

Writes compare.csv (every term of both scenarios and their difference), attribution.csv (the
difference of MADR split among the drivers by the Shapley value), waterfall.png and
manifest.json. See docs/compare.md.
"""

from __future__ import annotations

import argparse

from tariffmodel.analysis.compare import DEFAULT_ORDERINGS, EXACT_MAX_DRIVERS, compare
from tariffmodel.cli.commands import _explore
from tariffmodel.cli.commands.run import add_reading_option, load_with_readings
from tariffmodel.reporting.comparison import summary_lines, write_comparison


def register(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="two scenarios side by side, and the difference of MADR split by driver",
        description="Evaluate BASE and OTHER (the same modelled years) and write "
        "DIR/compare.csv (MADR and the difference of every term, per year and for the period), "
        "DIR/attribution.csv (the difference of MADR split among the inputs, readings and "
        "linked files that differ, by the Shapley value: exact up to "
        f"{EXACT_MAX_DRIVERS} drivers, else estimated from sampled orderings with a standard "
        "error), DIR/waterfall.png and DIR/manifest.json. See docs/compare.md.",
    )
    p.add_argument("base", help="the base scenario file (YAML)")
    p.add_argument("other", help="the scenario compared with it (YAML)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--by",
        choices=("key", "cell"),
        default="key",
        help="one driver per input column or Notified Value (key, default) or per column and "
        "year (cell)",
    )
    p.add_argument(
        "--discount-rate",
        default=None,
        metavar="RATE",
        help="also the present values at the start of the first modelled year, at RATE per "
        "year (a fraction: 0.08 for 8 %%)",
    )
    p.add_argument(
        "--orderings",
        type=int,
        default=DEFAULT_ORDERINGS,
        help=f"sampled orderings when there are more than {EXACT_MAX_DRIVERS} drivers "
        f"(default {DEFAULT_ORDERINGS})",
    )
    p.add_argument("--seed", type=int, default=20260101, help="seed of the sampled orderings")
    add_reading_option(p, "both scenarios")
    _explore.add_plots_switch(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _explore.seed_option(args.seed)
    base = load_with_readings(args.base, args.reading)
    other = load_with_readings(args.other, args.reading)
    result = compare(
        base,
        other,
        by=args.by,
        discount_rate=args.discount_rate,
        orderings=args.orderings,
        seed=args.seed,
    )
    write_comparison(
        result, args.out, command=_explore.command_line(), plots=args.plots, seed=args.seed
    )
    print(f"compare: {base.name} -> {other.name}")
    for line in summary_lines(result):
        print(line)
    print(
        f"wrote {args.out}/compare.csv, attribution.csv" + (", waterfall.png" if args.plots else "")
    )
    return 0

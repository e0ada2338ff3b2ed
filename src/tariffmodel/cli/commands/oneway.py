"""``tariffmodel tornado`` and ``tariffmodel grid``: one-way and two-way sensitivity.

``tornado SCENARIO (--ranges FILE | --draws FILE) --out DIR`` writes ``tornado.csv`` and
``tornado.png`` (and ``spider.csv``, ``spider.png`` with ``--spider DELTA``). A ranges file is
YAML: ``ranges: {TARGET: [LOW, HIGH], ...}``; with a draws file the low and high values are each
distribution's 5th and 95th percentiles.

``grid SCENARIO --x TARGET=START:STOP:NUM --y TARGET=START:STOP:NUM --out DIR`` writes
``grid.csv`` (rows: y values; columns: x values) and ``grid.png``.
"""

from __future__ import annotations

import numpy as np

from tariffmodel.analysis import sensitivity
from tariffmodel.cli.commands import _explore
from tariffmodel.inputs.draws import load_ranges
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting import plots
from tariffmodel.reporting.formatting import format_value


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tornado",
        help="one-way sensitivity (tornado, and a spider plot with --spider)",
        description="Each target at its low and high value, the others at base, all in one "
        "engine call. See docs/sensitivity.md.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--ranges", help="YAML: ranges: {TARGET: [LOW, HIGH]}")
    src.add_argument("--draws", help="a draws file: low/high = 5th/95th percentiles")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--value", default="MADR", help="engine column (default MADR)")
    p.add_argument(
        "--year",
        type=_explore.year_or_period,
        default="period",
        help="year of the figure (default period)",
    )
    p.add_argument(
        "--spider",
        type=_explore.positive_float,
        default=None,
        metavar="DELTA",
        help="also a spider plot: each target from -DELTA to +DELTA of its base value",
    )
    _explore.add_plots_switch(p)
    p.set_defaults(func=run_tornado)

    g = subparsers.add_parser(
        "grid",
        help="two-way grid of MADR (or any term) over two targets",
        description="MADR or any term on a grid of two targets, in one engine call.",
    )
    g.add_argument("scenario", help="the scenario file (YAML)")
    g.add_argument("--x", required=True, help="TARGET=START:STOP:NUM or TARGET=V1,V2,...")
    g.add_argument("--y", required=True, help="TARGET=START:STOP:NUM or TARGET=V1,V2,...")
    g.add_argument("--out", required=True, help="output folder")
    g.add_argument("--value", default="MADR", help="engine column (default MADR)")
    g.add_argument(
        "--year",
        type=_explore.year_or_period,
        default=None,
        help="year or 'period' (default the last year)",
    )
    _explore.add_plots_switch(g)
    g.set_defaults(func=run_grid)


def parse_axis(text: str, option: str) -> tuple[str, np.ndarray]:
    """``TARGET=START:STOP:NUM`` or ``TARGET=V1,V2,...`` -> (target, values).

    >>> parse_axis("notified.X=0:0.02:3", "--x")
    ('notified.X', array([0.  , 0.01, 0.02]))
    """
    target, sep, spec = str(text).partition("=")
    rule = f"write {option} TARGET=START:STOP:NUM or TARGET=V1,V2,..."
    if not sep or not spec:
        raise InputError(rule, key=option)
    try:
        if ":" in spec:
            start, stop, num = spec.split(":")
            start, stop, num = float(start), float(stop), int(num)
        else:
            values = np.array([float(v) for v in spec.split(",")])
            num = len(values)
    except ValueError:
        raise InputError(rule, key=option) from None
    # Checked before numpy allocates the axis.
    _explore.check_count(num, option, _explore.MAX_AXIS_POINTS)
    if ":" in spec:
        values = np.linspace(start, stop, num)
    return target.strip(), values


def run_tornado(args) -> int:
    sc = _explore.load_scenario(args.scenario)
    year = _explore.year_option(args.year, sc)
    if args.ranges:
        ranges, side = load_ranges(args.ranges), args.ranges
    else:
        ranges, side = sensitivity.ranges_from_draws(args.draws), args.draws
    try:
        table = sensitivity.tornado(sc, ranges, value=args.value)
    except InputError as exc:
        exc.file = exc.file or str(side)
        raise
    tables = {"tornado.csv": table}
    figures = {}
    if args.plots:
        figures["tornado.png"] = lambda: plots.tornado_figure(table, year, args.value)
    if args.spider is not None:
        d = args.spider
        fixed = [t for t in ranges if sensitivity.base_value(sc, t) is not None]
        frame = sensitivity.spider(sc, fixed, np.linspace(-d, d, 9), value=args.value)
        tables["spider.csv"] = frame
        if args.plots:
            figures["spider.png"] = lambda: plots.spider_figure(frame, year, args.value)
    _explore.write_outputs(args.out, sc, tables=tables, figures=figures, extra_inputs=[side])
    top = table[table["year"] == str(year)].head(3)
    lead = ", ".join(f"{r.target} {format_value(r.swing, 'RO')}" for r in top.itertuples())
    print(
        f"tornado: {sc.name}: {len(ranges)} targets; largest swings of {args.value} ({year}): "
        f"{lead}; wrote {args.out}/tornado.csv"
    )
    return 0


def run_grid(args) -> int:
    sc = _explore.load_scenario(args.scenario)
    _explore.year_option(args.year, sc)
    x, xv = parse_axis(args.x, "--x")
    y, yv = parse_axis(args.y, "--y")
    if len(xv) * len(yv) > _explore.MAX_GRID_POINTS:
        raise InputError(
            f"{len(xv):,} x {len(yv):,} points are more than one grid may have "
            f"({_explore.MAX_GRID_POINTS:,})",
            key="--x, --y",
        )
    table = sensitivity.grid(sc, x, xv, y, yv, value=args.value, year=args.year)
    label = args.year or str(sc.years[-1])
    figures = {}
    if args.plots:
        figures["grid.png"] = lambda: plots.heatmap_figure(table, args.value, label)
    _explore.write_outputs(args.out, sc, tables={"grid.csv": table}, figures=figures)
    print(
        f"grid: {sc.name}: {args.value} {label} over {len(yv)} x {len(xv)} points, from "
        f"{format_value(table.to_numpy().min(), 'RO')} to "
        f"{format_value(table.to_numpy().max(), 'RO')}; wrote {args.out}/grid.csv"
    )
    return 0

"""``tariffmodel loss-incentive SCENARIO --out DIR``: the loss incentive on its own.

Writes ``loss_curve_YEAR.csv`` and ``loss_curve_YEAR.png`` (LOSS_t against AL_{t-1}, both
readings of R1, band and cap marked) for each modelled year, ``loss_point_value.csv`` (the value
of one percentage point of losses in each year), ``amr_loss_effect.csv`` with ``--amr PLAN``, and
``manifest.json``.
"""

from __future__ import annotations

from tariffmodel.analysis import loss_incentive as li
from tariffmodel.cli.commands import _explore
from tariffmodel.model import amr
from tariffmodel.reporting.formatting import format_value
from tariffmodel.reporting.plots import loss_curve_figure


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "loss-incentive",
        help="LOSS_t against actual losses (band, cap, both R1 readings), value of a point",
        description="The loss incentive of paragraph 1(b) on its own. See docs/sensitivity.md.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--year", type=int, default=None, help="only this year's curve")
    p.add_argument("--amr", default=None, help="an AMR plan: the effect of its loss reduction")
    _explore.add_plots_switch(p)
    p.set_defaults(func=run)


def run(args) -> int:
    sc = _explore.load_scenario(args.scenario)
    years = [args.year] if args.year is not None else list(sc.years)
    curves = {y: li.scenario_curve(sc, y) for y in years}
    tables = {f"loss_curve_{y}.csv": c for y, c in curves.items()}
    points = li.value_of_loss_point(sc)
    tables["loss_point_value.csv"] = points
    if args.amr:
        tables["amr_loss_effect.csv"] = li.amr_loss_effect(sc, amr.load_plan(args.amr))
    figures = {}
    if args.plots:
        figures = {
            f"loss_curve_{y}.png": (lambda c=c: loss_curve_figure(c)) for y, c in curves.items()
        }
    _explore.write_outputs(args.out, sc, tables=tables, figures=figures, extra_inputs=[args.amr])
    for r in points.itertuples():
        print(
            f"loss-incentive: {r.year}: AL_{r.year - 1} {format_value(r.AL, 'fraction')}, LOSS "
            f"{format_value(r.LOSS, 'RO')}; one point less losses is worth "
            f"{format_value(r.value_per_point, 'RO')} "
            f"(uncapped {format_value(r.uncapped_per_point, 'RO')})"
        )
    print(f"wrote {args.out}")
    return 0

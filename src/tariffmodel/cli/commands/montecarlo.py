"""``tariffmodel montecarlo SCENARIO --draws DRAWS --out DIR``: Monte Carlo of MADR and its terms.

Writes ``montecarlo.csv`` (per year: mean, std, 5th/50th/95th percentiles of MADR and each
term, probabilities of paragraphs 3-5), ``montecarlo.png`` (fan chart) and
``madr_histogram.png``, ``draws.parquet`` with ``--save-draws``, and ``manifest.json``.
"""

from __future__ import annotations

import sys

from tariffmodel.analysis import montecarlo as mc
from tariffmodel.cli.allocator import keep_freed_memory
from tariffmodel.cli.commands import _explore
from tariffmodel.reporting.formatting import format_value
from tariffmodel.reporting.plots import density_figure, fan_chart, histogram_densities


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "montecarlo",
        help="Monte Carlo of MADR and every term over uncertain inputs (draws file)",
        description="Draw the targets of a draws file (YAML: n, seed, draws, correlation), "
        "evaluate every draw with the vectorised engine and summarise MADR and its terms by "
        "year. See docs/sensitivity.md.",
    )
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--draws", required=True, help="the draws file (YAML)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--n", type=int, default=None, help="number of draws (default the file's n, else 1000)"
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default the file's)")
    p.add_argument("--save-draws", action="store_true", help="also write draws.parquet")
    _explore.add_scenario_options(p)
    _explore.add_plots_switch(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if args.n is not None:
        _explore.check_count(args.n, "--n", _explore.MAX_DRAWS)
    _explore.seed_option(args.seed)
    keep_freed_memory()  # a million draws: reuse freed pages rather than fault them in again
    sc = _explore.load_scenario(args.scenario, args.reading)
    spec = mc.load_draws(args.draws, sc)
    if args.n is None and spec.n is not None:
        _explore.check_count(spec.n, "n", _explore.MAX_DRAWS, file=args.draws)
    result = mc.monte_carlo(sc, spec, n=args.n, seed=args.seed)
    figures = {}
    if args.plots:
        densities = histogram_densities(result.madr)
        figures = {
            "montecarlo.png": lambda: fan_chart(result.summary),
            "madr_histogram.png": lambda: density_figure(densities, result.years),
        }

    def write(stage):
        if args.save_draws:
            result.draws_frame().to_parquet(
                stage / "draws.parquet", engine="fastparquet", index=False
            )

    _explore.write_outputs(
        args.out,
        sc,
        tables={"montecarlo.csv": result.summary},
        figures=figures,
        extra_inputs=[args.draws],
        seed=result.seed,
        extra={
            "draws": result.n,
            "targets": spec.targets,
            "relative": spec.relative,
            "warnings": result.warnings,
        },
        write=write,
    )
    for warning in result.warnings:
        print(f"montecarlo: warning: {warning}", file=sys.stderr)
    last = result.summary.iloc[-1]
    print(
        f"montecarlo: {sc.name}: {result.n:,} draws of {len(spec.targets)} targets "
        f"(seed {result.seed}); MADR {int(last['year'])}: mean {format_value(last['MADR_mean'], 'RO')}, "
        f"5-95 % [{format_value(last['MADR_p5'], 'RO')}, {format_value(last['MADR_p95'], 'RO')}]; "
        f"wrote {args.out}/montecarlo.csv"
    )
    return 0

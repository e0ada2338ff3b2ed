"""``tariffmodel sobol`` and ``tariffmodel morris``: global sensitivity (SALib) over the targets
and distributions of a draws file.

``sobol`` writes ``sobol.csv`` (S1, ST and their confidence intervals per output, year and
target) and ``sobol.png``; ``morris`` writes ``morris.csv`` (mu, mu*, sigma) and
``morris.png``; both write ``manifest.json``.
"""

from __future__ import annotations

from tariffmodel.analysis import montecarlo as mc
from tariffmodel.analysis import sensitivity
from tariffmodel.cli.allocator import keep_freed_memory
from tariffmodel.cli.commands import _explore
from tariffmodel.reporting import plots
from tariffmodel.reporting.formatting import format_value


def register(subparsers) -> None:
    for name, helptext in (
        ("sobol", "Sobol first- and total-order indices of MADR (SALib)"),
        ("morris", "Morris elementary-effects screening of MADR (SALib)"),
    ):
        p = subparsers.add_parser(
            name,
            help=helptext,
            description=f"{helptext} over the targets and distributions of a draws file; every "
            "sample is evaluated by the vectorised engine. See docs/sensitivity.md.",
        )
        p.add_argument("scenario", help="the scenario file (YAML)")
        p.add_argument("--draws", required=True, help="the draws file (YAML; no correlation)")
        p.add_argument("--out", required=True, help="output folder")
        p.add_argument("--seed", type=int, default=None, help="random seed (default the file's)")
        _explore.add_outputs_option(p)
        if name == "sobol":
            p.add_argument(
                "--base-samples",
                type=int,
                default=1024,
                help="N, a power of 2; N x (targets + 2) evaluations (default 1024)",
            )
        else:
            p.add_argument("--trajectories", type=int, default=20, help="default 20")
            p.add_argument("--levels", type=int, default=4, help="grid levels (even; default 4)")
        _explore.add_plots_switch(p)
        p.set_defaults(func=run, method=name)


def run(args) -> int:
    keep_freed_memory()  # many draws: reuse freed pages rather than fault them in again

    if args.method == "sobol":
        _explore.check_count(args.base_samples, "--base-samples", _explore.MAX_BASE_SAMPLES)
    else:
        _explore.check_count(args.trajectories, "--trajectories", _explore.MAX_TRAJECTORIES)
    _explore.seed_option(args.seed)
    sc = _explore.load_scenario(args.scenario)
    spec = mc.load_draws(args.draws, sc)
    outputs = args.outputs  # at least one (see _explore.output_list)
    if args.method == "sobol":
        table = sensitivity.sobol(sc, spec, args.base_samples, args.seed, outputs=outputs)
        make, col = plots.sobol_figure, "ST"
    else:
        table = sensitivity.morris(
            sc, spec, args.trajectories, args.seed, num_levels=args.levels, outputs=outputs
        )
        make, col = plots.morris_figure, "mu_star"
    figures = {}
    if args.plots:
        figures = {f"{args.method}.png": lambda: make(table, outputs[0], "period")}
    seed = args.seed if args.seed is not None else spec.seed
    _explore.write_outputs(
        args.out,
        sc,
        tables={f"{args.method}.csv": table},
        figures=figures,
        extra_inputs=[args.draws],
        seed=seed,
    )
    top = table[(table["output"] == outputs[0]) & (table["year"] == "period")]
    top = top.sort_values(col, ascending=False).head(3)
    unit = "fraction" if col == "ST" else "RO"  # a share of the variance; mu* in RO
    lead = ", ".join(f"{r.target} {format_value(getattr(r, col), unit)}" for r in top.itertuples())
    print(
        f"{args.method}: {sc.name}: {len(spec.targets)} targets; {outputs[0]} over the period, "
        f"largest {col}: {lead}; wrote {args.out}/{args.method}.csv"
    )
    return 0

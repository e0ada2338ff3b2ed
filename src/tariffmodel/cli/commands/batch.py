"""``tariffmodel batch``: the parameterised review notebook over many scenarios (Papermill)."""

from __future__ import annotations

import argparse
import sys

from tariffmodel.batch.runner import (
    DEFAULT_NOTEBOOK,
    DEFAULT_SEED,
    DEFAULT_WORKER_TIMEOUT,
    format_failures,
    run_batch,
)
from tariffmodel.cli.commands._explore import MAX_DRAWS
from tariffmodel.cli.commands.run import parse_readings
from tariffmodel.inputs.errors import InputError


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``batch`` and ``review``."""
    parser.add_argument(
        "--jobs", "-j", type=int, default=2, help="scenarios run at the same time (default 2)"
    )
    parser.add_argument(
        "--notebook",
        default=None,
        help=f"a notebook of notebooks/ by name, or the path of one (default {DEFAULT_NOTEBOOK})",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on a running dask.distributed cluster (e.g. tcp://host:8786); the workers "
        "must see the scenario files, not the output folder",
    )
    parser.add_argument(
        "--worker-timeout",
        type=float,
        default=DEFAULT_WORKER_TIMEOUT,
        metavar="SECONDS",
        help="with --scheduler: fail the scenarios left after this long without any worker "
        f"(default {DEFAULT_WORKER_TIMEOUT:g})",
    )
    parser.add_argument(
        "--reading",
        action="append",
        metavar="SWITCH=VALUE",
        default=[],
        help="impose a reading R1-R5 on every scenario, e.g. loss_deadband=every_year",
    )
    parser.add_argument(
        "--draws",
        metavar="FILE",
        default=None,
        help="a draws file of uncertain inputs: adds the Monte Carlo uncertainty section",
    )
    parser.add_argument(
        "--n-draws", type=int, default=1000, help="number of Monte Carlo draws (default 1000)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed for the draws (default {DEFAULT_SEED})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch",
        help="run the review notebook over scenarios (per-scenario reports, summary, manifest)",
        description="Run a parameterised notebook over each scenario with Papermill, in "
        "parallel. Writes DIR/<scenario>/ (executed notebook, report.html, madr.csv, "
        "results.json), DIR/summary.xlsx, DIR/summary.csv and DIR/manifest.json. Exits 1 when "
        "any scenario failed (after finishing the others), 2 on bad arguments.",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files or folders")
    p.add_argument("--out", required=True, metavar="DIR", help="the batch folder")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the batch in DIR, skipping scenarios done with identical inputs",
    )
    add_batch_options(p)
    p.set_defaults(func=run)


def execute(args: argparse.Namespace, out, *, resume: bool, command: str) -> int:
    """Run the batch of ``args`` into ``out`` and print the outcome; the exit code."""
    if args.n_draws > MAX_DRAWS:  # run_batch checks the lower bound
        raise InputError(f"must be at most {MAX_DRAWS:,}, not {args.n_draws:,}", key="--n-draws")
    result = run_batch(
        args.scenarios,
        out,
        jobs=args.jobs,
        notebook=args.notebook,
        resume=resume,
        scheduler=args.scheduler,
        readings=parse_readings(args.reading),
        draws=args.draws,
        n_draws=args.n_draws,
        seed=args.seed,
        progress=not args.quiet,
        command=command,
        worker_timeout=args.worker_timeout,
    )
    counts = result.manifest.get("counts", {})
    reused = sum(1 for s in result.scenarios if s.get("reused"))
    print(
        f"{len(result.scenarios)} scenarios: {counts.get('ok', 0)} ok"
        + (f" ({reused} reused)" if reused else "")
        + f", {counts.get('failed', 0)} failed"
    )
    print(f"summary: {result.summary_xlsx}")
    print(f"manifest: {result.out_dir / 'manifest.json'}")
    if result.failed:
        print("failed scenarios:\n" + format_failures(result), file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    return execute(
        args, args.out, resume=args.resume, command=" ".join(["tariffmodel", *sys.argv[1:]])
    )

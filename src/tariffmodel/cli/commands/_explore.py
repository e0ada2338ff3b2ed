"""Shared parts of the sensitivity subcommands (montecarlo, sobol, morris, tornado, grid,
breakeven, loss-incentive): loading, YAML side files, writing an output folder at once."""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tariffmodel.analysis.montecarlo import check_seed
from tariffmodel.analysis.sensitivity import year_key
from tariffmodel.cli.commands.run import add_reading_option, load_with_readings
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.plots import save_figure
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output


def command_line() -> str:
    """The command as typed (for the manifest)."""
    return shlex.join(["tariffmodel", *sys.argv[1:]])


def load_scenario(path, readings=()):
    """The scenario of ``path`` under the readings of ``--reading`` (checked first)."""
    return load_with_readings(path, list(readings or ()))


def scenario_inputs(sc, *others) -> list[str]:
    """Every file a result was made from: the scenario's own sources and the side files."""
    files = [str(p) for p in (getattr(sc, "sources", None) or ([sc.path] if sc.path else []))]
    return [*files, *(str(o) for o in others if o)]


def write_outputs(
    out,
    sc,
    *,
    tables: dict[str, Any],
    figures: dict[str, Callable[[], Any]] | None = None,
    extra_inputs: Iterable = (),
    seed=None,
    extra: dict | None = None,
    write: Callable[[Path], None] | None = None,
) -> None:
    """Write CSV tables, figures (file name -> function making it) and ``manifest.json`` into
    ``out``, all or nothing."""
    with staged_output(out) as stage:
        for name, frame in tables.items():
            frame.to_csv(stage / name, index=name.startswith("grid"))
        if figures:
            for name, make in figures.items():
                save_figure(make(), stage / name)
        if write is not None:
            write(stage)
        write_manifest(
            stage,
            inputs=scenario_inputs(sc, *extra_inputs),
            readings=sc.readings,
            seed=seed,
            command=command_line(),
            extra=extra,
        )


#: Upper limits of the sizes a command takes, checked before any work so that a mistyped size
#: is an error, not an hour of swapping or a process killed for want of memory. Each leaves
#: ample room above the documented uses (docs/sensitivity.md: a million draws, 2^14 Sobol
#: base samples, grids of tens of points a side).
MAX_DRAWS = 10_000_000  # Monte Carlo draws (about 8 GB of memory at this limit)
MAX_BASE_SAMPLES = 2**20  # Sobol base samples N
MAX_TRAJECTORIES = 1_000_000  # Morris trajectories
MAX_AXIS_POINTS = 10_000  # points of one grid axis
MAX_GRID_POINTS = 1_000_000  # points of a whole grid, one engine call (about 2 GB)


def check_count(value: int, option: str, maximum: int, *, minimum: int = 1, file=None) -> int:
    """``value`` if ``minimum <= value <= maximum``, else an :class:`InputError` naming the
    option (or the key of ``file``) and the limit."""
    if not minimum <= value <= maximum:
        raise InputError(
            f"must be between {minimum:,} and {maximum:,}, not {value:,}", file=file, key=option
        )
    return value


def year_option(year, sc, option: str = "--year") -> str:
    """The table column of a command-line year (see ``sensitivity.year_key``), checked against
    the scenario's years; an error names the option."""
    try:
        return year_key(year, sc.years)
    except InputError as exc:
        exc.key = option
        raise


def seed_option(seed, option: str = "--seed") -> None:
    """Check a command-line seed (None, or a whole number >= 0); an error names the option."""
    check_seed(seed, key=option)


def year_or_period(text: str) -> int | str:
    """An argparse type: a year, or ``period`` (argparse reports anything else)."""
    if text.strip() == "period":
        return "period"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a year or 'period', not {text!r}") from None


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0 (argparse reports anything else)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text!r}")
    return value


def add_scenario_options(p) -> None:
    """The options every analysis command shares: ``--reading`` (see the run command)."""
    add_reading_option(p)


def add_plots_switch(p) -> None:
    p.add_argument("--no-plots", dest="plots", action="store_false", help="write no figures")


def add_outputs_option(p, default: str = "MADR") -> None:
    p.add_argument(
        "--outputs",
        default=default,
        type=output_list,
        help=f"engine columns to analyse, comma-separated (default {default})",
    )


def output_list(text: str) -> list[str]:
    """An argparse type: comma-separated engine columns, at least one."""
    outputs = [o.strip() for o in text.split(",") if o.strip()]
    if not outputs:
        raise argparse.ArgumentTypeError("name at least one engine column, e.g. MADR")
    return outputs

"""Shared parts of the sensitivity subcommands (montecarlo, sobol, morris, tornado, grid,
breakeven, loss-incentive): loading, YAML side files, writing an output folder at once."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..outputs import staged_output
from ..provenance import write_manifest


def command_line() -> str:
    """The command as typed (for the manifest)."""
    return shlex.join(["tariffmodel", *sys.argv[1:]])


def load_scenario(path):
    import tariffmodel as tm

    return tm.load_scenario(path)


def read_yaml_mapping(path, what: str) -> dict:
    """A YAML file that must hold a mapping (read as scenario files are: ``1.3e9`` is a
    number, a duplicate key is an error)."""
    from ..scenario import read_yaml

    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"the {what} must be a mapping", file=str(path))
    return data


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
    worker=None,
    worker_figures: dict[str, Any] | None = None,
) -> None:
    """Write CSV tables, figures and ``manifest.json`` into ``out``, all or nothing.

    ``figures`` are drawn here; ``worker_figures`` (file name -> job) by ``worker``, a
    :class:`tariffmodel._figures.FigureWorker`, while the tables are written.
    """
    with staged_output(out) as stage:
        if worker_figures:
            worker.submit({stage / name: job for name, job in worker_figures.items()})
        for name, frame in tables.items():
            frame.to_csv(stage / name, index=name.startswith("grid"))
        if figures:
            from ..plots import save_figure

            for name, make in figures.items():
                save_figure(make(), stage / name)
        if write is not None:
            write(stage)
        if worker_figures:
            worker.wait()
        write_manifest(
            stage,
            inputs=scenario_inputs(sc, *extra_inputs),
            readings=sc.readings,
            seed=seed,
            command=command_line(),
            extra=extra,
        )


def add_plots_switch(p) -> None:
    p.add_argument("--no-plots", dest="plots", action="store_false", help="write no figures")


def add_outputs_option(p, default: str = "MADR") -> None:
    p.add_argument(
        "--outputs",
        default=default,
        help=f"engine columns to analyse, comma-separated (default {default})",
    )

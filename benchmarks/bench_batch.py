"""Papermill batches: wall time of twenty scenarios with one and two jobs, and where the time of
one scenario goes (kernel start and Papermill, the notebook's cells, the engine, HTML export),
with the overhead of a scenario measured alone on a notebook that does nothing.

Target: ``--jobs 2`` in at most 0.6 x the wall time of ``--jobs 1`` (on two cores or more).
The review notebook is CPU-bound (kernel start, imports, charts), so the ratio needs two cores
free; the same batch is also timed with a notebook that only waits, which shows the batch's own
parallelism whatever else the machine is doing.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _timing import report  # noqa: E402

import tariffmodel as tm  # noqa: E402
from tariffmodel.batch.runner import run_batch  # noqa: E402

N_SCENARIOS = 20


def scenarios(folder: Path) -> list[Path]:
    """N_SCENARIOS standalone scenario files: the default scenarios and variants of the base case
    with other X factors, as written by ``Scenario.to_yaml``."""
    data = sorted((HERE.parent / "data" / "scenarios").glob("*.yaml"))
    loaded = [tm.load_scenario(p) for p in data]
    base = loaded[0]
    k = 0
    while len(loaded) < N_SCENARIOS:
        k += 1
        loaded.append(base.with_values({"notified.X": 0.015 + 0.005 * k}))
    out = []
    for i, sc in enumerate(loaded[:N_SCENARIOS]):
        path = folder / f"scenario-{i + 1}.yaml"
        path.write_text(sc.to_yaml(), encoding="utf-8")
        out.append(path)
    return out


WAITING_NOTEBOOK = """\
# %% tags=["parameters"]
scenario = ""
output_dir = None
readings = {}
draws = None
n_draws = 1000
seed = None

# %%
import time

time.sleep(WAIT)
"""
WAIT = 1.0


def waiting_notebook(folder: Path, wait: float = WAIT) -> Path:
    """A notebook that only waits ``wait`` seconds: the batch's own parallelism, without CPU."""
    import jupytext

    nb = jupytext.reads(WAITING_NOTEBOOK.replace("WAIT", repr(wait)), fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / f"waiting-{wait:g}.ipynb"
    jupytext.write(nb, path)
    return path


def _cpu_seconds() -> float:
    """CPU time [s] of this process and of its finished children (the kernels of --jobs 1)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_batch(files, out: Path, jobs: int, notebook=None):
    t0 = time.perf_counter()
    result = run_batch(
        files, out, jobs=jobs, notebook=notebook, progress=False, command="bench_batch"
    )
    wall = time.perf_counter() - t0
    failed = [s["slug"] for s in result.scenarios if s["status"] != "ok"]
    if failed:
        raise RuntimeError(f"benchmark scenarios failed: {failed}")
    return wall, result


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        files = scenarios(tmp)
        # Warm the caches (imports, bytecode, fonts) so that the two timed runs compare alike.
        run_batch(files[:1], tmp / "warm", jobs=1, progress=False)
        cpu0 = _cpu_seconds()
        wall1, res1 = timed_batch(files, tmp / "jobs1", jobs=1)
        cpu1 = _cpu_seconds() - cpu0
        wall2, _ = timed_batch(files, tmp / "jobs2", jobs=2)
        report(f"batch of {N_SCENARIOS} scenarios, --jobs 1 (wall)", wall1, "s")
        report(f"batch of {N_SCENARIOS} scenarios, --jobs 2 (wall)", wall2, "s")
        report("ratio jobs 2 / jobs 1", wall2 / wall1, "x", "<= 0.6")
        report("CPU per scenario, --jobs 1 (batch and its kernels)", cpu1 / N_SCENARIOS, "s")
        report("wall per scenario, --jobs 1", wall1 / N_SCENARIOS, "s")

        print(f"(load average of the machine: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

        nb = waiting_notebook(tmp)
        idle1, _ = timed_batch(files, tmp / "wait1", jobs=1, notebook=nb)
        idle2, _ = timed_batch(files, tmp / "wait2", jobs=2, notebook=nb)
        report(f"same, a notebook that waits {WAIT:g} s (no CPU), --jobs 1", idle1, "s")
        report(f"same, a notebook that waits {WAIT:g} s (no CPU), --jobs 2", idle2, "s")
        report("ratio jobs 2 / jobs 1, waiting notebook", idle2 / idle1, "x")

        t = [s["timings"] for s in res1.scenarios]

        def mean(key):
            return statistics.fmean(x.get(key, 0.0) for x in t)

        print("per scenario, --jobs 1 (mean):")
        report("  total (validation excluded)", mean("total"), "s")
        report(
            "  kernel start and Papermill (execute - cells)", mean("execute") - mean("cells"), "s"
        )
        report("  HTML export", mean("html"), "s")
        report("  notebook cells (imports, tables, charts, readings)", mean("cells"), "s")
        report("  engine: tariffmodel.project inside the notebook", mean("engine"), "s")
        overhead = mean("execute") - mean("cells") + mean("html")
        report(
            "  overhead (kernel start + Papermill + HTML) / engine", overhead / mean("engine"), "x"
        )
        report(
            "  overhead (kernel start + Papermill + HTML) / notebook cells",
            overhead / mean("cells"),
            "x",
        )

        # A notebook that does nothing: what every scenario costs before its own work.
        empty = waiting_notebook(tmp, 0.0)
        _, res0 = timed_batch(files[:5], tmp / "empty", jobs=1, notebook=empty)
        t0 = [s["timings"] for s in res0.scenarios]
        print("per scenario, a notebook that does nothing, --jobs 1 (mean of 5):")
        report(
            "  kernel start and Papermill",
            statistics.fmean(x["execute"] - x["cells"] for x in t0),
            "s",
        )
        report(
            "  the batch's own outputs (madr.csv, workbook.xlsx, HTML, writing)",
            statistics.fmean(x["total"] - x["execute"] + x.get("write", 0.0) for x in t0),
            "s",
        )


if __name__ == "__main__":
    main()

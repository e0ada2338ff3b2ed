"""This checkout's code against a baseline commit's, measured alternately in one run.

The machine's speed drifts from hour to hour, so figures taken at different times do not
compare. Here the baseline's ``src/`` is extracted from git into a temporary folder and every
measure is taken for both codes in turn (baseline, new, baseline, new, ...), each time in a
fresh Python process whose ``PYTHONPATH`` is that code's ``src``: the two versions never share
a process, and drift hits both alike. The median over the rounds is printed for each code, with
the median of the per-round ratios new / baseline.

Only what both layouts offer is used: ``import tariffmodel as tm`` (``tm.load_scenario``,
``tm.evaluate``, ``tm.load_draws``, ``tm.monte_carlo``) and ``python -m tariffmodel``.

This file is also the measuring process: ``python _compare.py --worker KIND --src SRC`` prints
one JSON line of figures.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKED_EXAMPLE = ROOT / "tests" / "data" / "worked-example.yaml"
SCENARIO = ROOT / "data" / "scenarios" / "nedc-base.yaml"
DRAWS = ROOT / "data" / "draws" / "nedc-base.yaml"
N_ENGINE = 100_000
N_MC = 1_000_000


# --- the measuring process ------------------------------------------------------------------


def _import_tm(src: str):
    import tariffmodel as tm

    where = Path(tm.__file__).resolve()
    if not where.is_relative_to(Path(src).resolve()):
        raise SystemExit(f"tariffmodel imported from {where}, not from {src}")
    return tm


def _median_time(fn, repeat: int) -> float:
    fn()  # warm-up: lazy imports, caches, first touch of the arrays' memory
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def work_evaluate(src: str, out: Path) -> dict[str, float]:
    """One vectorised ``tm.evaluate`` of 100,000 scenarios x 4 years (as bench_engine)."""
    tm = _import_tm(src)
    import bench_engine  # after the version is imported: it uses the same tariffmodel

    sc = tm.load_scenario(WORKED_EXAMPLE)
    ov = bench_engine.overrides(sc, N_ENGINE)
    return {"evaluate": _median_time(lambda: tm.evaluate(sc, ov), repeat=5)}


def work_monte_carlo(src: str, out: Path) -> dict[str, float]:
    """``tm.monte_carlo`` with 1,000,000 draws of the default draws file (as bench_sensitivity)."""
    tm = _import_tm(src)
    sc = tm.load_scenario(SCENARIO)
    spec = tm.load_draws(DRAWS, sc)
    return {"monte_carlo": _median_time(lambda: tm.monte_carlo(sc, spec, n=N_MC), repeat=1)}


def _cli(src: str, args: list[str]) -> tuple[float, float]:
    """Wall time [s] and peak resident memory [MB] of one ``python -m tariffmodel`` command."""
    _import_tm(src)  # the command will import the same package
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tariffmodel", *args], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    # this process has had no other child: the children's peak is the command's
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def work_cli_run(src: str, out: Path) -> dict[str, float]:
    wall, rss = _cli(src, ["run", str(SCENARIO), "--out", str(out / "run")])
    return {"cli_run": wall, "cli_run_rss": rss}


def work_cli_montecarlo(src: str, out: Path) -> dict[str, float]:
    args = ["montecarlo", str(SCENARIO), "--draws", str(DRAWS), "--out", str(out / "mc")]
    wall, rss = _cli(src, [*args, "--n", str(N_MC)])
    return {"cli_montecarlo": wall, "cli_montecarlo_rss": rss}


WORKERS = {
    "evaluate": work_evaluate,
    "monte_carlo": work_monte_carlo,
    "cli_run": work_cli_run,
    "cli_montecarlo": work_cli_montecarlo,
}


# --- the comparing process ------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    worker: str  # a key of WORKERS: one fresh process gives every figure of its kind
    warm_round: bool  # a round of both codes left out before the counted ones
    figures: tuple[tuple[str, str, str], ...]  # (key, label, unit)


GROUPS: dict[str, tuple[Measure, ...]] = {
    "engine": (
        Measure(
            "evaluate",
            False,  # warmed up inside the process; the figure is the median of 5 calls
            (("evaluate", f"evaluate(): {N_ENGINE:,} scenarios x 4 years, one call", "s"),),
        ),
        Measure(
            "cli_run",
            True,
            (
                ("cli_run", "python -m tariffmodel run nedc-base.yaml (wall)", "s"),
                ("cli_run_rss", "  its peak resident memory", "MB"),
            ),
        ),
    ),
    "sensitivity": (
        Measure(
            "monte_carlo",
            False,  # warmed up inside the process by one call of the same size
            (("monte_carlo", f"monte_carlo(): {N_MC:,} draws in process", "s"),),
        ),
        Measure(
            "cli_montecarlo",
            True,
            (
                ("cli_montecarlo", f"tariffmodel montecarlo --n {N_MC:,} (wall)", "s"),
                ("cli_montecarlo_rss", "  its peak resident memory", "MB"),
            ),
        ),
    ),
}


@dataclass(frozen=True)
class Code:
    name: str
    src: Path
    commit: str


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _extract_src(ref: str, into: Path) -> None:
    """``git archive REF src | tar -x -C into``."""
    git = subprocess.Popen(["git", "archive", ref, "src"], cwd=ROOT, stdout=subprocess.PIPE)
    with tarfile.open(fileobj=git.stdout, mode="r|") as tar:
        tar.extractall(into, filter="data")
    if git.wait() != 0:
        raise RuntimeError(f"git archive {ref} src failed")


def _measure(code: Code, worker: str, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code.src)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", worker]
    cmd += ["--src", str(code.src), "--out", str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{worker} on {code.name} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(value: float) -> str:
    return f"{value:10.4g}"


def compare(names: list[str], ref: str, rounds: int) -> int:
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        print(
            f"no baseline comparison for {', '.join(unknown)} (only {', '.join(GROUPS)}); "
            "run them without --baseline",
            flush=True,
        )
    wanted = [n for n in GROUPS if not names or n in names]
    if not wanted:
        return 2
    try:
        base_commit = _git("rev-parse", "--short", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError:
        print(f"--baseline {ref}: not a commit of this repository", file=sys.stderr)
        return 2
    new_commit = _git("rev-parse", "--short", "HEAD")
    if _git("status", "--porcelain", "--", "src"):
        new_commit += " + uncommitted changes in src/"

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"tariffmodel benchmarks, baseline comparison: Python {platform.python_version()}, "
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
        f"load average {load}"
    )
    with tempfile.TemporaryDirectory(prefix="tariffmodel-baseline-") as tmp:
        tmp = Path(tmp)
        _extract_src(ref, tmp / "baseline")
        base = Code("baseline", tmp / "baseline" / "src", base_commit)
        new = Code("new", ROOT / "src", new_commit)
        for code in (base, new):  # time the code, not its compilation
            compileall.compile_dir(code.src, quiet=1)
        print(f"  baseline: {base.commit} ({ref})")
        print(f"  new:      {new.commit} (this checkout)")
        print(
            f"each figure from a fresh process per code, alternately baseline, new, ... for "
            f"{rounds} rounds; in-process figures after a warm-up call, commands after a "
            "warm-up round"
        )
        summary = []
        k = 0
        for group in wanted:
            print(f"\n== {group} (baseline comparison) ==", flush=True)
            for m in GROUPS[group]:
                values: dict[str, dict[str, list[float]]] = {
                    key: {"baseline": [], "new": []} for key, _, _ in m.figures
                }
                lead = m.figures[0][1]
                print(f"{lead}", flush=True)
                for r in range(-1 if m.warm_round else 0, rounds):
                    for code in (base, new):
                        k += 1
                        got = _measure(code, m.worker, tmp / f"out{k}")
                        if r >= 0:
                            for key in values:
                                values[key][code.name].append(got[key])
                    if r < 0:
                        print("  warm-up round (not counted)", flush=True)
                        continue
                    a, b = (
                        values[m.figures[0][0]]["baseline"][-1],
                        values[m.figures[0][0]]["new"][-1],
                    )
                    print(
                        f"  round {r + 1}: baseline {_fmt(a)}  new {_fmt(b)}  "
                        f"new/baseline {b / a:6.3f}",
                        flush=True,
                    )
                for key, label, unit in m.figures:
                    a_s, b_s = values[key]["baseline"], values[key]["new"]
                    ratio = statistics.median(b / a for a, b in zip(a_s, b_s, strict=True))
                    summary.append(
                        (label, unit, statistics.median(a_s), statistics.median(b_s), ratio)
                    )

    print(f"\n== medians over {rounds} rounds: baseline {base.commit}, new {new.commit} ==")
    print(f"{'':<52s} {'baseline':>10s} {'new':>10s}      {'new/baseline':>12s}")
    for label, unit, a, b, ratio in summary:
        print(f"{label:<52s} {_fmt(a)} {_fmt(b)} {unit:<4s} {ratio:12.3f}")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"(new/baseline: median of the per-round ratios; load average at the end {load})")
    return 0


def _worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=WORKERS, required=True)
    parser.add_argument("--src", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(WORKERS[args.worker](args.src, args.out)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))

"""What each speed workaround buys today: the code as it is against the code without it.

- ``keep_freed_memory()`` (``cli/allocator.py``: glibc's ``mallopt`` thresholds raised by the
  Monte Carlo, Sobol and Morris commands) is measured on ``tariffmodel montecarlo
  nedc-base.yaml --n 1000000``: wall time, CPU time (user + system) and peak resident memory,
  with it and with it patched to do nothing.

- The dashboards' plotly.js, the "finance" build (``dashboards/static``, 1.3 MB) is measured
  against the full plotly.js shipped by the plotly Python package (about 5 MB): the MADR
  dashboard's first render with a preheated kernel, in headless chromium, nothing cached.
  The full bundle is served by patching ``assets.plotly_js`` in the server's process.

Each variant runs in its own process (this file is also the runner: ``--run VARIANT -- ARGS``
applies the patch and calls ``tariffmodel.cli.main.main(ARGS)``), the variants alternately
(the order turned each round) so that the machine's drift hits them alike; the figures are the
medians over the rounds and the ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "data" / "scenarios" / "nedc-base.yaml"
DRAWS = ROOT / "data" / "draws" / "nedc-base.yaml"
SCENARIOS = ROOT / "data" / "scenarios"
N_MC = 1_000_000
MC_ROUNDS = 7
DASHBOARD_ROUNDS = 4  # servers per variant, two pages each

#: The variants of the Monte Carlo command (the first is the code as it is).
MC_VARIANTS = ("as is", "no mallopt")
#: The variants of the dashboard's plotly.js.
JS_VARIANTS = ("finance", "full")


# --- the runner: one variant of one command -------------------------------------------------


def _patch(variant: str) -> None:
    if variant == "no mallopt":
        from tariffmodel.cli import allocator
        from tariffmodel.cli.commands import globalsa, montecarlo

        def nothing() -> bool:
            return False

        for module in (allocator, montecarlo, globalsa):
            module.keep_freed_memory = nothing
    elif variant == "full":
        import plotly.offline

        from tariffmodel.dashboards import assets

        assets.plotly_js = plotly.offline.get_plotlyjs
    elif variant not in ("as is", "finance"):
        raise SystemExit(f"unknown variant {variant!r}")


def _run(argv: list[str]) -> int:
    """``--run VARIANT REPORT -- ARGS``: the command ARGS with VARIANT's patch; the peak
    resident memory of this process written as JSON to REPORT (unless ``-``)."""
    variant, report, sep, *args = argv
    assert sep == "--", argv
    _patch(variant)
    from tariffmodel.cli.main import main as cli_main

    status = cli_main(args)
    if report != "-":
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        Path(report).write_text(json.dumps({"rss": rss}))
    return status


def runner(variant: str, report: str = "-") -> list[str]:
    """The command line running ``tariffmodel`` with ``variant``'s patch (then the args)."""
    return [sys.executable, str(Path(__file__).resolve()), "--run", variant, report, "--"]


# --- the Monte Carlo command ----------------------------------------------------------------


def _wait(cmd: list[str]) -> tuple[float, resource.struct_rusage]:
    """Run ``cmd``; its wall time and its resource usage (with its children's times)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{cmd} failed:\n{err.read().decode()}")
    return wall, usage


def _montecarlo_once(variant: str, out: Path) -> dict[str, float]:
    report = out.with_suffix(".json")
    args = ["montecarlo", str(SCENARIO), "--draws", str(DRAWS), "--n", str(N_MC), "--seed", "1"]
    wall, usage = _wait([*runner(variant, str(report)), *args, "--out", str(out)])
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "sys": usage.ru_stime,
        # the main process's own peak (a child forked late, such as git for the manifest,
        # reports the parent's memory as its own peak)
        "rss": json.loads(report.read_text())["rss"],
    }


MC_FIGURES = (
    ("wall", "wall time", "s"),
    ("cpu", "CPU time, user + system", "s"),
    ("sys", "  of which system time", "s"),
    ("rss", "peak resident memory, main process", "MB"),
)


def bench_montecarlo(rounds: int = MC_ROUNDS) -> dict[str, dict[str, list[float]]]:
    values = {v: {key: [] for key, _, _ in MC_FIGURES} for v in MC_VARIANTS}
    with tempfile.TemporaryDirectory(prefix="bench-workarounds-") as tmp:
        k = 0
        for r in range(-1, rounds):  # round -1: a warm-up, not counted
            turn = r % len(MC_VARIANTS)
            order = MC_VARIANTS[turn:] + MC_VARIANTS[:turn]
            walls = {}
            for variant in order:
                k += 1
                got = _montecarlo_once(variant, Path(tmp) / f"mc{k}")
                walls[variant] = got["wall"]
                if r >= 0:
                    for key in got:
                        values[variant][key].append(got[key])
            tag = "warm-up" if r < 0 else f"round {r + 1}"
            shown = "  ".join(f"{v} {walls[v]:.2f} s" for v in MC_VARIANTS)
            print(f"  {tag}: {shown}", flush=True)
    return values


# --- the dashboard's first render -----------------------------------------------------------


def _render_once(browser, db, variant: str, logs: Path, pages: int = 2) -> list[float]:
    """A server with ``variant``'s plotly.js; the first render of ``pages`` pages, each from a
    preheated kernel (as bench_dashboard)."""
    seconds = []
    with db.serve(SCENARIOS, logs / f"{variant}.log", pool_size=1, command=runner(variant)) as srv:
        for k in range(pages):
            srv.wait_pool(count=k + 1)
            srv.wait_quiet(seconds=1.0)
            page, s = db.open_dashboard(browser, srv.page_url())
            page.close()
            seconds.append(s)
    return seconds


def bench_dashboard(rounds: int = DASHBOARD_ROUNDS) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))  # the browser driver lives with the browser tests
    from browser import driver as db

    values = {v: {"render": []} for v in JS_VARIANTS}
    logs = Path(tempfile.mkdtemp(prefix="bench-workarounds-"))
    # the servers write their template and plotly.js under the temporary folder: a private
    # one, so that no other dashboard server on the machine rewrites them meanwhile
    (logs / "tmp").mkdir()
    old_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(logs / "tmp")
    try:
        _pages(values, db, sync_playwright, logs, rounds)
    finally:
        if old_tmp is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = old_tmp
    return values


def _pages(values, db, sync_playwright, logs: Path, rounds: int) -> None:
    with sync_playwright() as pw:
        browser = db.launch_chromium(pw)
        for r in range(rounds):
            order = JS_VARIANTS if r % 2 == 0 else JS_VARIANTS[::-1]  # A B B A A B ...
            got = {}
            for variant in order:
                got[variant] = _render_once(browser, db, variant, logs)
            for variant in JS_VARIANTS:
                # the median of the pages of one server: one figure per server
                values[variant]["render"].append(statistics.median(got[variant]))
            shown = "  ".join(f"{v} {', '.join(f'{s:.2f}' for s in got[v])} s" for v in JS_VARIANTS)
            print(f"  round {r + 1}: {shown}", flush=True)
        browser.close()


# --- the table ------------------------------------------------------------------------------


def _table(title: str, values, figures, base: str, others) -> None:
    print(f"\n{title}")
    print(f"  {'':<44s} {base:>11s} {'':>4s}", end="")
    for other in others:
        print(f" {other:>11s} {'ratio':>7s}", end="")
    print()
    for key, label, unit in figures:
        a = values[base][key]
        print(f"  {label:<44s} {statistics.median(a):11.4g} {unit:<4s}", end="")
        for other in others:
            b = values[other][key]
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
            print(f" {statistics.median(b):11.4g} {ratio:7.3f}", end="")
        print()
    print("  (ratio: without / with the workaround, median of the per-round ratios)")


def _load() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    print(
        f"speed workarounds, each variant in a fresh process, alternately; {os.cpu_count()} "
        f"cores, load average {_load()}"
    )
    print(f"tariffmodel montecarlo nedc-base.yaml --n {N_MC:,} --seed 1 ({MC_ROUNDS} rounds)")
    mc = bench_montecarlo()
    _table(
        f"montecarlo, medians of {MC_ROUNDS} rounds (load average now {_load()}):",
        mc,
        MC_FIGURES,
        "as is",
        ("no mallopt",),
    )
    print(f"\nMADR dashboard, first render with a preheated kernel ({DASHBOARD_ROUNDS} rounds)")
    js = bench_dashboard()
    _table(
        f"first render, medians of {DASHBOARD_ROUNDS} servers per bundle (load average now "
        f"{_load()}):",
        js,
        (("render", "first render, preheated kernel", "s"),),
        "finance",
        ("full",),
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        sys.exit(_run(sys.argv[2:]))
    sys.path.insert(0, str(HERE))
    main()

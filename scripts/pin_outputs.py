"""Pin every number the commands write: SHA-256 of each numeric output file, byte for byte.

Runs the command line (``python -m tariffmodel ...``, this interpreter, this checkout's
``src``) over a fixed set of cases into a temporary folder and hashes every CSV it writes, plus
the numbers of each ``summary.json`` (its file paths left out). Manifests, statements, figures
and workbooks are not pinned: they hold paths, versions, commits or pixels.

    python scripts/pin_outputs.py            # compare with tests/data/pinned/outputs.json
    python scripts/pin_outputs.py --write    # re-pin, only when a number is meant to change

Without ``--write`` every difference is printed and the exit code is 1 if there is any.
tests/test_pinned_outputs.py runs the same comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINNED = ROOT / "tests" / "data" / "pinned" / "outputs.json"
CASES_DIR = ROOT / "tests" / "data" / "pinned" / "cases"

DATA = ROOT / "data"
BASE = DATA / "scenarios" / "nedc-base.yaml"
DRAWS = DATA / "draws" / "nedc-base.yaml"
PLAN = DATA / "amr" / "nedc-amr-plan.yaml"
WPRA = DATA / "amr" / "nedc-wpra.yaml"
WORKED_EXAMPLE = ROOT / "tests" / "data" / "worked-example.yaml"

# keys of a summary.json that name a file: left out of its hash
PATH_KEYS = frozenset({"file", "plan", "scenario", "path"})


@dataclass(frozen=True)
class Case:
    """One command run: ``name`` is the output folder, ``args`` the command without --out."""

    name: str
    args: tuple[str, ...]


def _scenarios() -> list[tuple[str, Path]]:
    bundled = sorted((DATA / "scenarios").glob("*.yaml"))
    extra = sorted(CASES_DIR.glob("*.yaml"))
    return (
        [(p.stem, p) for p in bundled]
        + [("worked-example", WORKED_EXAMPLE)]
        + [(f"case-{p.stem}", p) for p in extra]
    )


# file names in the command lines below, filled in by _case
FILES = {"BASE": BASE, "DRAWS": DRAWS, "PLAN": PLAN, "WPRA": WPRA}

# name (output folder) and command line, without --out
COMMANDS = [
    ("amr/year_end", "amr PLAN"),
    ("amr/half_year-levelised", "amr PLAN --convention half_year --levelise"),
    ("wpra/plain", "wpra WPRA"),
    ("wpra/roll-forward", "wpra WPRA --roll-forward"),
    ("montecarlo/base", "montecarlo BASE --draws DRAWS --n 20000 --seed 20260101 --no-plots"),
    ("tornado/base", "tornado BASE --draws DRAWS --spider 0.1 --no-plots"),
    (
        "grid/base",
        "grid BASE --x notified.X=0:0.03:7 --y inputs.CPI=0.005,0.01,0.02 --year period --no-plots",
    ),
    (
        "sobol/base",
        "sobol BASE --draws DRAWS --base-samples 256 --seed 7 --outputs MADR,LOSS --no-plots",
    ),
    ("morris/base", "morris BASE --draws DRAWS --trajectories 20 --seed 7 --no-plots"),
    ("loss-incentive/base", "loss-incentive BASE --amr PLAN --no-plots"),
    ("breakeven/losses", "breakeven losses BASE"),
    ("breakeven/losses-every_year", "breakeven losses BASE --loss-deadband every_year"),
    ("breakeven/x-2027", "breakeven x BASE --madr 195000000 --year 2027"),
    ("breakeven/recovery", "breakeven recovery BASE"),
    ("breakeven/kpi", "breakeven kpi BASE"),
    (
        "calendar/29-february",
        "calendar --from 2026-01-01 --to 2032-12-31 --effective-date 2028-02-29 "
        "--event fee_notice=2027-10-15 --event charge_publication=2028-03-31",
    ),
    (
        "calendar/base",
        "calendar BASE --from 2026-01-01 --to 2030-06-30 --effective-date 2026-07-01",
    ),
]


def _case(name: str, command: str) -> Case:
    return Case(name, tuple(str(FILES.get(word, word)) for word in command.split()))


def cases() -> list[Case]:
    """The fixed set of command runs whose outputs are pinned."""
    out: list[Case] = []
    for stem, path in _scenarios():
        out.append(Case(f"run/{stem}", ("run", str(path))))
        out.append(Case(f"readings/{stem}", ("readings", str(path))))
    out += [_case(name, command) for name, command in COMMANDS]
    return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # this checkout's code, whatever is installed
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "Agg"
    # The same numeric kernels on every x86-64 machine: numpy's AVX-512 loops and OpenBLAS's
    # per-CPU kernels round the last bit differently (34 of the 57 files differed between an
    # AVX2 machine and an AVX-512 one), and the pin is of the code, not of the processor.
    env["NPY_DISABLE_CPU_FEATURES"] = "X86_V4 AVX512_ICL AVX512_SPR"
    env["OPENBLAS_CORETYPE"] = "Haswell"
    return env


def _argv(case: Case, out: Path) -> list[str]:
    return [sys.executable, "-m", "tariffmodel", *case.args, "--out", str(out)]


def _summary_digest(path: Path) -> str:
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in PATH_KEYS}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    data = strip(json.loads(path.read_text(encoding="utf-8")))
    text = json.dumps(data, sort_keys=True, indent=1, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digests(case: Case, out: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".csv":
            found[f"{case.name}/{rel}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.name == "summary.json":
            found[f"{case.name}/{rel}#numbers"] = _summary_digest(path)
    if not found:
        raise RuntimeError(f"{case.name}: the command wrote no numeric output in {out}")
    return found


def _run(case: Case, tmp: Path, env: dict[str, str]) -> tuple[dict[str, str], float]:
    out = tmp / case.name
    start = time.perf_counter()
    proc = subprocess.run(
        _argv(case, out), cwd=tmp, env=env, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"{case.name}: tariffmodel {' '.join(case.args)} exited {proc.returncode}\n"
            f"{proc.stdout}{proc.stderr}"
        )
    return _digests(case, out), took


def compute(jobs: int | None = None, timings: dict[str, float] | None = None) -> dict[str, str]:
    """Run every case and return {"case/file": sha256}, sorted by key."""
    jobs = jobs or os.cpu_count() or 2
    env = _env()
    result: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tariffmodel-pin-") as d:
        tmp = Path(d)
        # the slowest first, so the workers end together
        todo = sorted(cases(), key=lambda c: {"readings": 0, "run": 2}.get(c.args[0], 1))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            done = list(pool.map(lambda c: (c, _run(c, tmp, env)), todo))
    for case, (digests, took) in done:
        result.update(digests)
        if timings is not None:
            timings[case.name] = took
    return dict(sorted(result.items()))


def load_pinned(path: Path = PINNED) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_pinned(digests: dict[str, str], path: Path = PINNED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(digests, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def differences(pinned: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per file that changed, is missing or is new."""
    lines = []
    for key in sorted(set(pinned) | set(actual)):
        if key not in actual:
            lines.append(f"missing  {key} (pinned, no longer written)")
        elif key not in pinned:
            lines.append(f"new      {key} (written, not pinned)")
        elif pinned[key] != actual[key]:
            lines.append(f"changed  {key}: {pinned[key][:12]} -> {actual[key][:12]}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the pinned hashes")
    parser.add_argument("--jobs", type=int, default=None, help="commands run at once")
    parser.add_argument("--timings", action="store_true", help="print each command's time")
    ns = parser.parse_args(argv)
    timings: dict[str, float] = {}
    actual = compute(ns.jobs, timings)
    if ns.timings:
        for name, took in sorted(timings.items(), key=lambda kv: -kv[1]):
            print(f"{took:6.2f} s  {name}")
    if ns.write:
        write_pinned(actual)
        print(f"pinned {len(actual)} files of {len(timings)} runs in {PINNED.relative_to(ROOT)}")
        return 0
    diff = differences(load_pinned(), actual)
    if diff:
        print(f"{len(diff)} of the pinned outputs differ:")
        print("\n".join(diff))
        print("If a number is meant to change, re-pin: python scripts/pin_outputs.py --write")
        return 1
    print(f"all {len(actual)} pinned outputs unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())

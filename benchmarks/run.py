"""Run every benchmark of this folder (``bench_*.py``, each with a ``main()``) and print figures.

Usage: ``make bench`` or ``python benchmarks/run.py [NAME ...]`` to run only some.

``--baseline REF`` (``make bench BASELINE=REF``) instead measures this checkout's code against
the ``src/`` of commit REF, alternately in one run (see ``_compare.py``), for the benchmarks
that have such a comparison (engine, sensitivity).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (all)")
    parser.add_argument("--baseline", metavar="REF", help="commit to measure against")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of a baseline comparison (5)")
    args = parser.parse_args(argv)
    if args.baseline:
        sys.path.insert(0, str(HERE))
        from _compare import compare

        return compare(args.names, args.baseline, args.rounds)

    wanted = set(args.names)
    print(f"tariffmodel benchmarks: Python {platform.python_version()}, {os.cpu_count()} cores")
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n== {name} ==", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

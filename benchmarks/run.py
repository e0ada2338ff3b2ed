"""Run every benchmark of this folder (``bench_*.py``, each with a ``main()``) and print figures.

Usage: ``make bench`` or ``python benchmarks/run.py [NAME ...]`` to run only some.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
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

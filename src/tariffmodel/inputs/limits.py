"""Limits of the input files: far above any real scenario, plan or table, so that a file that
passes them is read in moments and a file that does not is refused before it is read."""

from __future__ import annotations

from pathlib import Path

from tariffmodel.inputs.errors import InputError

#: The largest YAML input file read [bytes] (a real scenario is a few kB).
YAML_MAX_BYTES = 5_000_000
#: The largest CSV input file read [bytes] (a century of monthly series is a few hundred kB).
CSV_MAX_BYTES = 20_000_000
#: The deepest nesting of mappings and lists in a YAML input file (a scenario needs 4).
YAML_MAX_DEPTH = 20


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def check_size(path: Path, limit: int, cls: type[InputError] = InputError) -> None:
    """Refuse ``path`` when it is larger than ``limit`` bytes (and say so with both sizes)."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says why it cannot read the file
    if size > limit:
        raise cls(
            f"the file is {_size(size)}, larger than the {_size(limit)} an input file may be",
            file=str(path),
        )

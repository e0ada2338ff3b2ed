"""What produced an output folder: input hashes, package version, git commit, readings, seed.

Every command that writes an output folder writes ``manifest.json`` through
:func:`write_manifest`, so that a result can be traced back to exactly what made it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tariffmodel import __version__
from tariffmodel.reporting.staging import use_umask


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit(start: str | os.PathLike | None = None) -> str | None:
    """The commit of the checkout holding the package (or ``start``), with ``+dirty`` when the
    work tree has uncommitted changes; None outside a git checkout."""
    here = Path(start) if start is not None else Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(
    inputs: Iterable[str | os.PathLike] = (),
    *,
    readings: Mapping[str, str] | None = None,
    seed: int | None = None,
    command: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance record of a run."""
    record: dict[str, Any] = {
        "tool": "tariffmodel",
        "package_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "inputs": {str(p): file_sha256(p) for p in dict.fromkeys(map(str, inputs))},
        "readings": dict(readings) if readings is not None else None,
        "seed": seed,
    }
    if extra:
        record.update(extra)
    return record


def write_json_atomic(path: str | os.PathLike, data: Any) -> None:
    """Write JSON so that a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    use_umask(fd)  # 0600 from tempfile otherwise
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False, default=str)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(out_dir: str | os.PathLike, **kwargs: Any) -> dict[str, Any]:
    """Write ``out_dir/manifest.json`` (see :func:`provenance` for the arguments)."""
    record = provenance(**kwargs)
    write_json_atomic(Path(out_dir) / "manifest.json", record)
    return record

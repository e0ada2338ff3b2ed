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


def keep_earlier_manifests(stage: str | os.PathLike, out: str | os.PathLike) -> None:
    """Before the staged files of a command replace those of ``out``: the staged
    ``manifest.json`` names the files it stands for (``files``) and keeps, under
    ``earlier_runs``, the provenance of the earlier commands that wrote into ``out`` whose files
    are not all replaced now (tornado then montecarlo into one folder; the four break-even
    questions), so that every file in the folder can still be traced to what made it.

    A record without ``files`` (written before they were listed) is kept; a manifest that cannot
    be read is left out rather than stopping the command.
    """
    new_path = Path(stage) / "manifest.json"
    if not new_path.is_file():
        return
    new = json.loads(new_path.read_text(encoding="utf-8"))
    files = sorted(p.name for p in Path(stage).iterdir() if p.name != "manifest.json")
    new["files"] = files
    earlier = []
    try:
        old = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if isinstance(old, dict):
        chain = [{k: v for k, v in old.items() if k != "earlier_runs"}]
        chain += [r for r in old.get("earlier_runs") or [] if isinstance(r, dict)]
        for record in chain:
            listed = record.get("files")
            if isinstance(listed, list) and set(listed) <= set(files):
                continue  # every file it stood for is replaced now
            earlier.append(record)
    if earlier:
        new["earlier_runs"] = earlier
    write_json_atomic(new_path, new)

"""Output folders written all at once or not at all.

A command builds its files in a temporary folder beside the target and moves them in only
when every file is complete, so bad input never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.provenance import keep_earlier_manifests


def check_output_folder(out_dir: str | os.PathLike, key: str = "--out") -> Path:
    """The output folder ``out_dir`` as a path, or :class:`InputError` if it cannot be one.

    It must not be empty, must not be (or lie below) a file, and the folders it would be
    written into must be writable. ``key`` is the option the user gave it with.
    """
    if not str(os.fspath(out_dir)).strip():
        # An empty name would quietly mean the current folder.
        raise InputError("is empty; give the name of an output folder", key=key)
    out = Path(out_dir)
    try:
        # The folder itself when it exists, else the nearest folder above it that does.
        existing = next(p for p in (out, *out.absolute().parents) if p.exists())
        is_folder = existing.is_dir()
    except OSError as exc:  # a folder on the way that cannot even be looked into
        raise _write_error(out, exc, key) from None
    if not is_folder:
        where = "is" if existing == out else f"lies below {existing}, which is"
        raise InputError(f"{where} a file, not a folder", file=str(out), key=key)
    # Files are staged beside the folder, then moved into it: both places must be writable.
    places = [existing]
    if existing == out:
        places.append(out.resolve().parent)
    for place in places:
        if not os.access(place, os.W_OK | os.X_OK):
            where = "" if place == out else f" (in {place})"
            raise InputError(f"cannot be written: permission denied{where}", file=str(out), key=key)
    return out


def _write_error(out: Path, exc: OSError, key: str) -> InputError:
    """The InputError for an output folder the system refused to create or fill."""
    reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
    where = f" ({exc.filename})" if exc.filename else ""
    return InputError(f"cannot be written: {reason}{where}", file=str(out), key=key)


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this module created (deepest first) if they are still empty."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def staged_output(out_dir: str | os.PathLike, key: str = "--out") -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``.

    Files already in ``out_dir`` with other names are left alone; files of the same name are
    replaced. On any exception nothing in ``out_dir`` changes (and it is not created, nor are
    the folders above it). An output folder that cannot be written is an :class:`InputError`
    naming it as option ``key``.
    """
    out = check_output_folder(out_dir, key)
    parent = out.resolve().parent
    # The folders above the output that do not exist yet: removed again on failure.
    created = [p for p in reversed([parent, *parent.parents]) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.staging-"))
    except OSError as exc:
        _remove_empty(created)
        raise _write_error(out, exc, key) from None
    done = False
    try:
        yield stage
        keep_earlier_manifests(stage, out)  # each command's provenance survives a shared --out
        _move_into(stage, out, key)
        done = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not done:
            _remove_empty(created)


def _move_into(stage: Path, out: Path, key: str) -> None:
    """Move the staged files into ``out`` (made if missing), replacing those of the same name."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for item in sorted(stage.iterdir()):
            target = out / item.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(item, target)
    except OSError as exc:
        raise _write_error(out, exc, key) from None

"""Output folders written all at once or not at all.

A command builds its files in a temporary folder beside the target and moves them in only
when every file is complete, so bad input never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from tariffmodel.inputs.errors import InputError


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
        stage = Path(tempfile.mkdtemp(dir=parent, prefix=staging_prefix(out.name)))
    except OSError as exc:
        _remove_empty(created)
        raise _write_error(out, exc, key) from None
    done = False
    try:
        yield stage
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


# Temporary files of the summary workbook (see reporting.review), named for their suffix.
_TEMP_PREFIXES = (".summary.", ".exact.")


def staging_prefix(name: str) -> str:
    """The name every staging folder of output folder ``name`` starts with (hidden)."""
    return f".{name}.staging-"


def current_umask() -> int:
    """The process's umask (read without changing it where the system allows)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def umask_mode(folder: bool = False) -> int:
    """The permissions a new file (or folder) gets from ``open``/``mkdir`` under the umask."""
    return (0o777 if folder else 0o666) & ~current_umask()


def use_umask(fd_or_path: int | str | os.PathLike, folder: bool = False) -> None:
    """Give a file made by :mod:`tempfile` (0600, or 0700 for a folder) the umask's
    permissions, like every other file of an output folder."""
    if isinstance(fd_or_path, int):
        os.fchmod(fd_or_path, umask_mode(folder))
    else:
        os.chmod(fd_or_path, umask_mode(folder))


def remove_stale_staging(folder: str | os.PathLike) -> list[str]:
    """Remove what an interrupted writer left in ``folder``: hidden staging folders
    (``.<name>.staging-*``) and half-written temporary files (``.<name>.*.tmp``).

    Only call it while no writer can be at work in ``folder`` (a batch calls it under its lock).
    Returns the names removed, sorted.
    """
    root = Path(folder)
    removed = []
    if not root.is_dir():
        return removed
    for item in sorted(root.iterdir()):
        name = item.name
        if not name.startswith("."):
            continue
        if ".staging-" in name and item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        elif item.is_file() and (name.endswith(".tmp") or name.startswith(_TEMP_PREFIXES)):
            item.unlink(missing_ok=True)
        else:
            continue
        removed.append(name)
    return removed


def write_folder(
    out_dir: str | os.PathLike, files: Mapping[str, bytes], key: str = "--out"
) -> None:
    """Write ``out_dir`` whole from ``files`` (relative name -> content), replacing any earlier
    folder of that name at once: a reader sees the old folder or the new one, never a mix.

    The files are written into a staging folder beside ``out_dir`` which is then renamed into
    place; the earlier folder is renamed aside first and removed after.
    """
    out = check_output_folder(out_dir, key)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=parent, prefix=staging_prefix(out.name)))
    except OSError as exc:
        raise _write_error(out, exc, key) from None
    old = None
    try:
        for name, content in files.items():
            target = (stage / name).resolve()
            if stage.resolve() not in target.parents:
                raise InputError(f"a file name leaves the folder: {name}", file=str(out), key=key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        use_umask(stage, folder=True)
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=staging_prefix(out.name) + "old-"))
            os.replace(out, old / out.name)
        try:
            os.replace(stage, out)
        except OSError:
            if old is not None:  # put the earlier folder back
                os.replace(old / out.name, out)
            raise
    except OSError as exc:
        raise _write_error(out, exc, key) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

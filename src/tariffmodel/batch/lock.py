"""The lock on a batch's output folder: one batch writes into a folder at a time.

The lock is a POSIX record lock (``fcntl.lockf``) on ``DIR/.batch.lock``, held by the batch's
parent process alone: record locks belong to a process, so the pool's forked workers (and the
kernels) never hold it, and the system drops it the moment the parent dies, however it dies. The
file says who holds it (pid, host, start time, command) so that a second batch is refused with a
message naming the first. A lock file left by a process that is gone is simply taken over.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import json
import os
import socket
import threading
from pathlib import Path
from typing import Any

from tariffmodel.inputs.errors import InputError

#: Name of the lock file inside the output folder.
LOCK_NAME = ".batch.lock"

# Record locks do not exclude threads of one process from each other: folders locked by this
# process are refused here first.
_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


def _holder_of(fd: int) -> dict[str, Any]:
    """What the lock file behind ``fd`` says of its holder ({} when empty or unreadable)."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        data = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def pid_alive(pid: Any) -> bool:
    """True when a process of that id exists on this machine."""
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "a batch that has not yet said who it is"
    where = f" on {holder['host']}" if holder.get("host") else ""
    return f"pid {holder.get('pid')}{where}, started {holder.get('started_utc')}"


class BatchLock:
    """The lock on ``out_dir``; use :func:`lock_output_folder` to take it.

    ``taken_over`` describes the holder named in a lock file left by a process that is gone
    (None when the file was new or empty).
    """

    def __init__(self, out_dir: Path, fd: int, taken_over: dict[str, Any] | None):
        self.out_dir = out_dir
        self.path = out_dir / LOCK_NAME
        self._fd: int | None = fd
        self.taken_over = taken_over

    def release(self) -> None:
        """Remove the lock file and release the lock (idempotent)."""
        if self._fd is None:
            return
        # Unlinked while still held: a batch that opened the old file finds, once it has the
        # lock, that the file is no longer the one at the path, and tries again.
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None
        with _HELD_GUARD:
            _HELD.discard(str(self.out_dir))

    def __enter__(self) -> BatchLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_output_folder(
    out_dir: str | os.PathLike, *, command: str | None = None, key: str = "--out"
) -> BatchLock:
    """Take the lock of the output folder ``out_dir`` (which must exist) or refuse at once.

    Raises
    ------
    InputError
        When another batch holds the folder: the message names its pid, host and start time.
    """
    out = Path(out_dir).resolve()
    with _HELD_GUARD:
        if str(out) in _HELD:
            raise InputError(
                f"the output folder is in use by another batch of this process (pid {os.getpid()})",
                file=str(out),
                key=key,
            )
        _HELD.add(str(out))
    try:
        return _take(out, command, key)
    except BaseException:
        with _HELD_GUARD:
            _HELD.discard(str(out))
        raise


def _take(out: Path, command: str | None, key: str) -> BatchLock:
    path = out / LOCK_NAME
    mode = 0o666  # the umask decides, as for every other file of the batch
    for _ in range(20):
        try:
            # never through a symbolic link planted in the folder
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
        except OSError as exc:
            raise InputError(
                f"cannot be locked: {LOCK_NAME} cannot be opened ({exc.strerror})",
                file=str(out),
                key=key,
            ) from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder_of(fd)
            os.close(fd)
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise InputError(
                    f"cannot be locked ({exc.strerror})", file=str(out), key=key
                ) from None
            raise InputError(
                f"the output folder is in use by another batch ({_describe(holder)}); wait for "
                "it to finish, stop it, or choose another folder",
                file=str(out),
                key=key,
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the holder removed the file as we opened it: try the new one
            os.close(fd)
            continue
        earlier = _holder_of(fd)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": command,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        os.fsync(fd)
        return BatchLock(out, fd, earlier or None)
    raise InputError("cannot be locked: its lock file keeps changing", file=str(out), key=key)

"""Limits of the input files: far above any real scenario, plan or table, so that a file that
passes them is read in moments and a file that does not is refused before it is read."""

from __future__ import annotations

import os
import stat
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


def read_text_limited(path: Path, limit: int, cls: type[InputError] = InputError,
                      encoding: str = "utf-8") -> str:  # fmt: skip
    """The text of the input file ``path`` (line ends as ``Path.read_text`` gives them).

    Refused (``cls``, naming the file): a path that is not a regular file (a pipe, a device
    or a socket, whose reading could wait for ever or never end: ``/dev/zero``, a FIFO), a
    folder, a file larger than ``limit`` bytes (refused unread, with both sizes; one that grows
    past it meanwhile is read no further). The file is opened
    without waiting, so that a pipe with no writer is refused at once. Text that is not
    ``encoding`` raises ``UnicodeDecodeError``, which each reader words for its files.
    """
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise cls("file not found", file=file) from None
    except OSError as exc:
        raise cls(f"cannot read the file: {exc.strerror}", file=file) from None
    info = os.fstat(fd)
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise cls("cannot read the file: Is a directory", file=file)
        raise cls("not a regular file (a pipe, a device or a socket): an input must be a file",
                  file=file)  # fmt: skip
    if info.st_size > limit:
        os.close(fd)
        raise cls(
            f"the file is {_size(info.st_size)}, larger than the {_size(limit)} an input file "
            "may be",
            file=file,
        )
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise cls(f"cannot read the file: {exc.strerror}", file=file) from None
    if len(data) > limit:  # grown since it was looked at
        raise cls(f"the file is larger than the {_size(limit)} an input file may be", file=file)
    # as Path.read_text: universal line ends
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")

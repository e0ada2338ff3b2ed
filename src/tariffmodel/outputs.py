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


@contextlib.contextmanager
def staged_output(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``.

    Files already in ``out_dir`` with other names are left alone; files of the same name are
    replaced. On any exception nothing in ``out_dir`` changes (and it is not created).
    """
    out = Path(out_dir)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.staging-"))
    try:
        yield stage
        out.mkdir(parents=True, exist_ok=True)
        for item in sorted(stage.iterdir()):
            target = out / item.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(item, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)

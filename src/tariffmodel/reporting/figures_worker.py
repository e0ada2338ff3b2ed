"""Figures drawn in a helper process while the main process computes.

Importing matplotlib and drawing a figure hold the interpreter lock for most of a second, which
on a two-core machine is as long as the Monte Carlo arithmetic itself. A command that writes
figures starts a :class:`FigureWorker` first: a second Python process that imports
:mod:`tariffmodel.reporting.plots` and matplotlib, loads the fonts, and waits. When the numbers are
ready the command sends it the figures to draw (the name of a function of
:mod:`tariffmodel.reporting.plots`, its arguments and the file to write) and waits for it to finish.

The figures are the same as those drawn in the main process: if the helper cannot be started or
fails, :meth:`FigureWorker.draw` draws them in the main process instead, so a failure shows up
as the plotting function's own error.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tariffmodel.reporting import plots

#: A figure to draw: (function of tariffmodel.reporting.plots, positional arguments, keyword arguments).
Job = tuple[str, tuple, dict]


def _draw_here(jobs: Mapping[str | os.PathLike, Job]) -> None:
    for path, (name, args, kwargs) in jobs.items():
        plots.save_figure(getattr(plots, name)(*args, **kwargs), Path(path))


def _finish(proc: subprocess.Popen) -> None:
    """Wait for the helper (its input already closed) and close its pipes."""
    if not proc.stdin.closed:
        try:
            proc.stdin.close()
        except OSError:
            pass
    proc.stderr.read()  # drain, so that a helper with much to say never blocks on the pipe
    proc.stderr.close()
    proc.wait()


class FigureWorker:
    """A helper process that draws figures (module docstring); use it as a context manager::

    with FigureWorker() as worker:  # started first: it loads matplotlib meanwhile
        summary = ...  # the computation
        worker.draw({"fan.png": ("fan_chart", (summary,), {})})
    """

    def __init__(self) -> None:
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError:
            self._proc = None
        self._jobs: dict[str, Job] = {}

    def submit(self, jobs: Mapping[str | os.PathLike, Job]) -> None:
        """Hand ``jobs`` (file -> job) to the helper and return at once; :meth:`wait` finishes."""
        self._jobs = {str(path): job for path, job in jobs.items()}
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.stdin.write(pickle.dumps(self._jobs, protocol=pickle.HIGHEST_PROTOCOL))
            proc.stdin.close()
        except OSError:  # the helper is gone: wait() draws here
            proc.kill()

    def wait(self) -> None:
        """Return when every submitted figure is written (drawn here if the helper failed)."""
        jobs, self._jobs = self._jobs, {}
        proc, self._proc = self._proc, None
        if proc is not None:
            _finish(proc)
            if proc.returncode == 0 and all(Path(p).is_file() for p in jobs):
                return
        _draw_here(jobs)  # no helper, or it failed: the same figures, drawn here

    def draw(self, jobs: Mapping[str | os.PathLike, Job]) -> None:
        """Draw every figure of ``jobs`` (file -> job) and write it; returns when all are written."""
        self.submit(jobs)
        self.wait()

    def close(self) -> None:
        """Stop the helper if it is still waiting (nothing to draw)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # no input: the helper exits without drawing
        except OSError:
            proc.kill()
        _finish(proc)

    def __enter__(self) -> FigureWorker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def main() -> int:
    """The helper: warm up, read the jobs from standard input, draw them."""
    plots.warm_up()
    data = sys.stdin.buffer.read()
    if data:
        _draw_here(pickle.loads(data))
    return 0


if __name__ == "__main__":
    status = main()
    # the figures are written and closed: leave without tearing the interpreter down (a
    # quarter of a second with matplotlib and pandas loaded, which the command would wait for)
    sys.stderr.flush()
    os._exit(status)

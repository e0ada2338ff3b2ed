"""Processes of a batch that die with their parent, however the parent dies.

A batch is a tree: the batch's process, its pool workers, and one Jupyter kernel per scenario
under way (a Dask worker takes the pool worker's place). ``kill -9`` of a parent never lets it
clean up, so each child watches its own parent:

- a pool worker asks Linux for a signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``),
  and elsewhere runs a thread that polls its parent's pid;
- a kernel is started through a few lines of Python that ask the same of Linux, then become the
  kernel (``exec``), so a kernel dies with the worker that started it, even a Dask worker killed
  outright.

Jupyter starts each kernel in a session of its own, so a signal to the batch's process group
does not reach the kernels: only this does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

#: prctl option of Linux: the signal a process receives when its parent thread ends.
PR_SET_PDEATHSIG = 1
#: How often [s] the fallback thread looks at its parent.
POLL_SECONDS = 0.5

# Run by the kernel's own interpreter before it becomes the kernel: ask for SIGKILL when the
# process that started it dies, and give up at once if that already happened (JPY_PARENT_PID is
# the starter's pid, set by jupyter_client).
KERNEL_GUARD = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)\n"
    "parent = os.environ.get('JPY_PARENT_PID')\n"
    "if parent and os.getppid() != int(parent):\n"
    "    sys.exit(1)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)


def _prctl_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(POLL_SECONDS)


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` (the pid it was started by) ends.

    Call it first thing in a worker process (a pool initializer). If the parent is already gone,
    the process ends at once.
    """
    if not _prctl_death_signal(signal.SIGKILL):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # died before the request took effect
        os._exit(1)


def guarded_kernel_command(cmd: list[str]) -> list[str]:
    """The kernel's command line wrapped so that the kernel dies with the process starting it.

    ``cmd[0]`` must be a Python interpreter (the kernel's); elsewhere than Linux, or for a
    kernel that is not Python, the command is returned unchanged.
    """
    if not sys.platform.startswith("linux") or not cmd:
        return list(cmd)
    if "python" not in os.path.basename(cmd[0]):
        return list(cmd)
    return [cmd[0], "-c", KERNEL_GUARD, cmd[0], *cmd[1:]]

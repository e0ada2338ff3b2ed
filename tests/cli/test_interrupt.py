"""Ctrl-C while a command starts (its modules loading): a one-line message and exit status
130, never a traceback, never an output folder."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"


def loading(pid: int, library: str, timeout: float = 60.0) -> None:
    """Wait until the process ``pid`` has mapped ``library`` (it is importing it)."""
    deadline = time.monotonic() + timeout
    while library not in Path(f"/proc/{pid}/maps").read_text():
        assert time.monotonic() < deadline, f"{library} never loaded"
        time.sleep(0.005)


def test_an_interrupt_while_the_modules_load_ends_the_command_quietly(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tariffmodel", "run", str(BASE), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    # past Python's own start-up (a signal there is Python's) and into the commands' imports
    loading(proc.pid, "_multiarray_umath")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    # 130, or ended by the signal itself (CPython may re-raise SIGINT at exit once an interrupt
    # was seen): both read as 130 in a shell
    assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, err)
    assert err.strip().endswith("interrupted") and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_the_package_loads_without_numpy_or_pandas():
    code = (
        "import sys, tariffmodel.cli.main; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]

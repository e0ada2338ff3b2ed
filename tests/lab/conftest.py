"""The JupyterLab server of the Lab tests, started as ``make lab`` starts it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser.driver import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tariffmodel-test"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ and data/ (saving never touches the checkout),
    started as `make lab` starts it: from the environment's Python (so with the environment's
    Jupyter configuration, which ``make setup`` writes), in the folder it serves, with
    --allow-root when run as root."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data", root / "data")
    port = free_port()
    allow_root = ["--allow-root"] if os.geteuid() == 0 else []
    log = root / "lab.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", *allow_root, f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=None"],
        cwd=root, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=2
                )
                break
            except OSError:
                assert proc.poll() is None, f"JupyterLab exited:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"JupyterLab did not start:\n{log.read_text()}"
                time.sleep(0.5)
        yield {"url": f"http://127.0.0.1:{port}", "root": root, "token": TOKEN, "log": log}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)

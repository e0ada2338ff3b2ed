"""The notebooks in JupyterLab, in a real browser (Debian's chromium at 1440 px): the server
starts as root too, a committed notebook is not marked unsaved when it opens and its kernel
connects, and after running every cell each table fits its output area.

Slow: a JupyterLab server, a browser, two notebooks run (about a minute).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tariffmodel-test"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
TABLES = """() => [...document.querySelectorAll('.jp-OutputArea-output')].flatMap(o =>
    [...o.querySelectorAll('table')].map(t => [t.getBoundingClientRect().width, o.clientWidth]))"""

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ and data/ (saving never touches the checkout),
    started as `make lab` starts it (with --allow-root when run as root)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data", root / "data")
    port = _free_port()
    allow_root = ["--allow-root"] if os.geteuid() == 0 else []
    log = root / "lab.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", *allow_root, f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=None"],
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
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
        yield {"url": f"http://127.0.0.1:{port}", "root": root}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


@pytest.mark.parametrize("name", ["scenario_explorer", "price_control_review"])
def test_notebook_opens_clean_and_its_tables_fit(lab, browser, name):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{lab['url']}/lab/tree/notebooks/{name}.ipynb?token={TOKEN}&reset")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        time.sleep(6)  # Lab writes language_info when the kernel's info reply comes
        assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, "marked unsaved on opening"
        page.click("text=Run", timeout=10_000)
        page.click("text=Run All Cells", timeout=10_000)
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))",
            timeout=240_000,
        )
        errors = page.locator(".jp-OutputArea-output[data-mime-type*='stderr']").count()
        assert errors == 0
        widths = page.evaluate(TABLES)
        assert len(widths) >= 2
        too_wide = [(round(t), o) for t, o in widths if t > o]
        assert too_wide == [], f"tables wider than the output area (table, area) [px]: {too_wide}"
        out = ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"lab-{name}-1440.png"))
    finally:
        page.close()

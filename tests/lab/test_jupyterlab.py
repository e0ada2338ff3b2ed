"""The notebooks in JupyterLab, in a real browser (Debian's chromium at 1440 px): the server
starts as root too, a committed notebook is not marked unsaved when it opens and its kernel
connects, and after running every cell each table fits its output area.

Slow: a JupyterLab server, a browser, two notebooks run (about a minute).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
TABLES = """() => [...document.querySelectorAll('.jp-OutputArea-output')].flatMap(o =>
    [...o.querySelectorAll('table')].map(t => [t.getBoundingClientRect().width, o.clientWidth]))"""

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("name", ["scenario_explorer", "price_control_review"])
def test_notebook_opens_clean_and_its_tables_fit(lab, browser, name):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{lab['url']}/lab/tree/notebooks/{name}.ipynb?token={lab['token']}&reset")
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

"""The AMR programme dashboard in a real browser: the figures shown are those of
tariffmodel.model.amr for the plan as the controls edit it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tariffmodel.dashboards.amr import edited_plan
from tariffmodel.model import amr

from . import driver as db

PLAN = Path(__file__).resolve().parents[2] / "data" / "amr" / "nedc-amr-plan.yaml"
NPV = ".tm-amr-npv_allowance"


@pytest.fixture
def amr_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(server.page_url("amr_dashboard.ipynb"), wait_until="commit")
    page.wait_for_selector(NPV, timeout=60_000)
    page.wait_for_selector(db.FIGURE_BAR, state="attached", timeout=60_000)
    yield page
    db.leave(page)


def _npv(page) -> float:
    return float(page.get_attribute(NPV, "data-value"))


def test_amr_page_shows_the_plan_and_follows_the_wacc(amr_page, artifacts):
    page = amr_page
    plan = amr.load_plan(PLAN)
    before = amr.summary(plan)["npv_allowance"]
    assert _npv(page) == before
    db.set_slider(page, "tm-wacc", "9")
    page.wait_for_function(
        f"document.querySelector('{NPV}').dataset.value !== '{before!r}'", timeout=30_000
    )
    expected = amr.summary(edited_plan(plan, pace=1.0, unit_cost=1.0, wacc=0.09))
    assert _npv(page) == expected["npv_allowance"]
    page.screenshot(path=artifacts / "amr_dashboard.png", full_page=True)

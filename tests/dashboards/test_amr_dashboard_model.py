"""The AMR programme dashboard without a browser: the plan as its controls edit it, the figures
of tariffmodel.model.amr for that plan, plain messages for bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tariffmodel.dashboards.amr import AmrDashboard, edited_plan, list_plans
from tariffmodel.model import amr

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"


@pytest.fixture(scope="module")
def plan():
    return amr.load_plan(PLAN)


@pytest.fixture
def page():
    return AmrDashboard(PLAN.parent, PLAN.name)


def test_only_plans_are_offered(tmp_path):
    shutil.copy(PLAN, tmp_path / PLAN.name)
    (tmp_path / "other.yaml").write_text("name: not a plan\n")
    assert list_plans(tmp_path) == [PLAN.name]


def test_untouched_controls_give_the_plan(plan):
    same = edited_plan(plan, pace=1.0, unit_cost=1.0, wacc=None)
    assert same.rollout == plan.rollout and same.wacc == plan.wacc
    assert amr.summary(same) == amr.summary(plan)


def test_unit_costs_scale_per_meter_classes_only(plan):
    doubled = edited_plan(plan, pace=1.0, unit_cost=2.0, wacc=None)
    for old, new in zip(plan.capex, doubled.capex, strict=True):
        assert new.unit_cost == 2.0 * old.unit_cost
        assert new.amounts == old.amounts


def test_pace_keeps_the_meters(plan):
    fast = edited_plan(plan, pace=2.0, unit_cost=1.0, wacc=0.05)
    assert sum(fast.rollout.values()) == pytest.approx(plan.total_meters, rel=1e-12)
    assert len(fast.rollout) < len(plan.rollout)
    assert fast.wacc == 0.05


def test_page_shows_the_summary_of_the_plan(page, plan):
    assert page.summary == amr.summary(plan)
    shown = page.headline.value
    assert f'data-value="{amr.summary(plan)["npv_allowance"]!r}"' in shown
    # the default plan opens with the meters of 2020-2025, their capital recovered elsewhere
    n = sum(v.meters for v in plan.opening.vintages)
    assert f"{n:,.0f} meters of 2020-2025; their capital recovered elsewhere" in shown


def test_page_after_a_change_is_the_edited_plan(page, plan):
    page.wacc.value = 8.0
    page.pace.value = 1.5
    expected = amr.summary(edited_plan(plan, pace=1.5, unit_cost=1.0, wacc=0.08))
    assert page.summary == expected
    assert page.computations == 3  # the plan as loaded, then one per change


def test_bad_plan_gives_a_plain_message(tmp_path):
    text = PLAN.read_text().replace("wacc:", "wacc: 7.0 #", 1)
    (tmp_path / "bad.yaml").write_text(text)
    page = AmrDashboard(tmp_path, "bad.yaml")
    assert "tm-error" in page.status.value and "bad.yaml" in page.status.value
    assert page.summary is None

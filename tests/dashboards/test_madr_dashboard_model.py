"""The MADR dashboard without a browser: the edits its controls make, by hand; one engine call
per change; the numbers shown equal ``project`` of the edited scenario; plain messages for bad
input; the ``tariffmodel dashboard`` command line."""

from __future__ import annotations

import asyncio
import shutil
import threading
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import tariffmodel as tm
from tariffmodel.cli.commands.dashboard import voila_argv
from tariffmodel.cli.main import main
from tariffmodel.dashboards import view_model as dm
from tariffmodel.dashboards.madr import Debouncer, MadrDashboard, fraction_to_pct, pct_to_fraction
from tariffmodel.licence.schedule2 import bulk_supplies_for_losses
from tariffmodel.reporting.compliance import compliance_sentences

from conftest import ROOT, WORKED_EXAMPLE


@pytest.fixture
def folder(tmp_path):
    shutil.copy(WORKED_EXAMPLE, tmp_path / "worked-example.yaml")
    return tmp_path


@pytest.fixture
def page(folder):
    return MadrDashboard(folder)


# --- the edits of the controls, by hand ------------------------------------------------------


def test_untouched_controls_edit_nothing(worked_example):
    assert dm.scenario_edits(worked_example, dm.Controls()) == {}


def test_x_and_tl_replace_every_entry(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(X=0.02, TL=0.07))
    assert edits == {"notified.X": 0.02, "notified.TL": 0.07}


def test_cpi_path_edits_its_years(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(cpi={2027: 0.02, 2029: 0.0}))
    assert edits == {"inputs.CPI@2027": 0.02, "inputs.CPI@2029": 0.0}


def test_accounts_growth_scales_from_the_history_year(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(accounts_growth=0.10))
    assert edits["inputs.CA@2026"] == pytest.approx(1_300_000 * 1.1, rel=1e-15)
    assert edits["inputs.CA@2027"] == pytest.approx(1_340_000 * 1.21, rel=1e-15)
    assert edits["inputs.CA@2029"] == pytest.approx(1_420_000 * 1.1**4, rel=1e-15)
    assert len(edits) == 4


def test_actual_losses_set_rbs_from_the_history_year_on(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(AL=0.10))
    assert edits["inputs.RBS@2025"] == 30_500_000_000 / 0.9
    assert edits["inputs.RBS@2026"] == 31_400_000_000 / 0.9
    assert set(edits) == {f"inputs.RBS@{y}" for y in range(2025, 2030)}


def test_units_growth_keeps_the_history_row_and_the_losses(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(units_growth=0.10))
    assert "inputs.RUD@2025" not in edits
    assert edits["inputs.RBS@2025"] == 33_250_000_000  # factor 1 in the history year
    assert edits["inputs.RUD@2026"] == pytest.approx(31_400_000_000 * 1.1, rel=1e-15)
    assert edits["inputs.RBS@2026"] == pytest.approx(34_150_000_000 * 1.1, rel=1e-15)
    al = 1 - edits["inputs.RUD@2027"] / edits["inputs.RBS@2027"]
    assert al == pytest.approx(1 - 32_300_000_000 / 35_000_000_000, rel=1e-12)


def test_units_growth_with_losses_set(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(units_growth=0.10, AL=0.08))
    assert edits["inputs.RUD@2026"] == pytest.approx(31_400_000_000 * 1.1, rel=1e-15)
    assert edits["inputs.RBS@2026"] == edits["inputs.RUD@2026"] / 0.92


def test_recovery_only_where_ardr_is_not_reported(worked_example):
    assert dm.recovery_years(worked_example) == [2027]
    edits = dm.scenario_edits(worked_example, dm.Controls(recovery=0.95))
    assert edits == {"inputs.recovery@2027": 0.95}


def test_kpi_score_sets_every_modelled_year(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(WS=0.9))
    assert edits == {f"inputs.WS@{y}": 0.9 for y in range(2026, 2030)}


def test_amr_amounts_of_modelled_years_only(worked_example):
    edits = dm.scenario_edits(worked_example, dm.Controls(amr={2025: 1.0, 2026: 2.0, 2035: 3.0}))
    assert edits == {"inputs.AMR@2026": 2.0}


def test_bulk_supplies_without_losses_are_the_units():
    assert bulk_supplies_for_losses(100.0, 0.0) == 100.0


def test_growth_factor_zero_is_one():
    assert dm.growth_factor(0.0, [2025, 2030], 2025).tolist() == [1.0, 1.0]


# --- roll-out pace ---------------------------------------------------------------------------


def test_rollout_at_plan_pace_is_the_plan():
    plan = {2026: 150.0, 2027: 250.0, 2028: 300.0}
    assert dm.rollout_at_pace(plan, 1.0) == plan


def test_rollout_one_and_a_half_times_faster():
    # cumulative 150, 400, 700 at year ends; read at 1.5 and 3.0 years: 275, 700
    assert dm.rollout_at_pace({2026: 150.0, 2027: 250.0, 2028: 300.0}, 1.5) == {
        2026: 275.0,
        2027: 425.0,
    }


def test_rollout_pace_must_be_positive():
    with pytest.raises(ValueError, match="pace"):
        dm.rollout_at_pace({2026: 1.0}, 0.0)


@settings(deadline=None)
@given(
    st.lists(st.floats(0, 1e6), min_size=1, max_size=8),
    st.floats(0.1, 4.0),
)
def test_rollout_keeps_every_meter(installed, pace):
    plan = {2026 + k: v for k, v in enumerate(installed)}
    out = dm.rollout_at_pace(plan, pace)
    assert sum(out.values()) == pytest.approx(sum(installed), rel=1e-9, abs=1e-6)
    assert min(out.values()) >= -1e-6
    assert min(out) == 2026


# --- compliance in words ---------------------------------------------------------------------


def _flags(p3, p4, p5):
    return pd.DataFrame({"year": [2028], "MADR": [100.0], "ARDR": [104.0], "para3": [p3],
                         "para4": [p4], "para5": [p5]})  # fmt: skip


def test_compliance_none_triggered():
    out = compliance_sentences(_flags(False, False, False))
    assert [hit for _, _, hit in out] == [False, False, False]
    assert out[0][1] == "2028: revenue is 104.0 % of the cap, not more than 3 % above it."


def test_compliance_all_triggered_name_the_paragraphs():
    out = compliance_sentences(_flags(True, True, True))
    assert [hit for _, _, hit in out] == [True, True, True]
    assert "(paragraph 3)" in out[0][1] and "2029" in out[0][1]
    assert "(paragraph 4)" in out[1][1] and "2027 and 2028" in out[1][1]
    assert "(paragraph 5)" in out[2][1]


# --- percentages on the controls -------------------------------------------------------------


@given(st.integers(-10_000, 100_000))
def test_percent_to_fraction_is_the_decimal_fraction(hundredths):
    percent = hundredths / 100  # what a control holds, e.g. 2.35
    assert pct_to_fraction(percent) == float(Decimal(hundredths) / Decimal(10_000))


# --- the page in a kernel-less Python ------------------------------------------------------


def test_page_shows_project_of_the_scenario(page, worked_table):
    assert page.frame["MADR"].tolist() == worked_table["MADR"].tolist()
    # the base case, whether each year's CPI acts (one call of variants), the case shown
    assert page.engine_calls == 3


def test_one_engine_call_per_change(page):
    calls = page.engine_calls
    page.x_control.value = 2.0
    assert page.engine_calls == calls + 1
    page.reading_controls["call_centre"].value = "as_drafted"
    assert page.engine_calls == calls + 2


def _run_loop(coro):
    """Run ``coro`` on an event loop of its own thread (this thread may hold the browser's)."""
    out = []
    worker = threading.Thread(target=lambda: out.append(asyncio.run(coro)))
    worker.start()
    worker.join()
    return out[0]


def test_changes_in_a_burst_are_computed_once(folder):
    async def burst():
        page = MadrDashboard(folder, debounce=0.05)
        page._schedule.deferred = lambda: True  # as in a kernel
        calls = page.engine_calls
        for v in (1.6, 1.7, 1.8, 1.9):
            page.x_control.value = v
        await asyncio.sleep(0.2)
        return page, page.engine_calls - calls

    page, calls = _run_loop(burst())
    assert calls == 1
    assert page.controls().X == 0.019


def test_debouncer_outside_a_kernel_calls_at_once():
    seen = []
    Debouncer(lambda: seen.append(1), 10.0)()
    assert seen == [1]

    async def in_a_loop():  # an event loop that is not a kernel's: still at once
        Debouncer(lambda: seen.append(2), 10.0)()

    _run_loop(in_a_loop())
    assert seen == [1, 2]


@settings(max_examples=15, deadline=None)
@given(
    x=st.integers(0, 200).map(lambda k: k * 0.05),
    al=st.integers(0, 400).map(lambda k: k * 0.05),
    growth=st.integers(-50, 50).map(lambda k: k * 0.1),
    year=st.sampled_from(["2026", "2027", "2028", "2029"]),
)
def test_page_equals_project_of_the_edited_scenario(x, al, growth, year):
    page = _PAGE
    page.reset()
    page.year_choice.value = year
    page.x_control.value, page.al_control.value, page.units_growth.value = x, al, growth
    expected = tm.project(page.edited)
    pd.testing.assert_frame_equal(page.frame, expected, check_exact=True)
    again = tm.scenario_from_dict(yaml.safe_load(page.edited.to_yaml()))
    assert tm.project(again)["MADR"].tolist() == page.frame["MADR"].tolist()
    # the loss curve passes through the case shown
    j = page.edited.years.index(int(year))
    curve_x = np.asarray(page.fig.data[6].x)
    point = page.frame["AL"].iloc[j] * 100
    assert curve_x.min() <= point <= curve_x.max()


_PAGE = MadrDashboard(WORKED_EXAMPLE.parent, WORKED_EXAMPLE.name)


def test_unreadable_scenario_gives_a_plain_message(folder):
    bad = yaml.safe_load(WORKED_EXAMPLE.read_text())
    bad["notified"]["X"] = 1.5  # a percent where a fraction is due
    (folder / "bad.yaml").write_text(yaml.safe_dump(bad))
    page = MadrDashboard(folder, "bad.yaml")
    assert "tm-error" in page.status.value
    assert "bad.yaml" in page.status.value and "notified.X" in page.status.value
    # the file by its name only, the value as written and the percent meant, never the path
    message = page.status.value.split(">", 1)[1].rsplit("<", 1)[0]
    assert str(folder) not in message and "/" not in message
    assert "1.5 looks like a percent: write 0.015" in page.status.value
    assert page.frame is None and "data-value" not in page.headline.value
    # the choice shows the scenario that failed; no control of another scenario is left on
    assert page.scenario_choice.value == "bad.yaml"
    assert all(ctl.disabled for ctl in page._value_controls())
    assert all(len(t.x) == 0 for t in page.fig.data) and len(page.buildup.data[0].x) == 0
    page.scenario_choice.value = "worked-example.yaml"
    assert "tm-error" not in page.status.value and page.frame is not None
    assert not page.x_control.disabled and not page.reset_button.disabled


def test_scenarios_are_offered_by_their_names(folder):
    bad = yaml.safe_load(WORKED_EXAMPLE.read_text())
    bad["name"] = "Worked example, 2026-2029"  # the same name as the other file
    (folder / "copy.yaml").write_text(yaml.safe_dump(bad))
    (folder / "broken.yaml").write_text("name: [unclosed")
    page = MadrDashboard(folder, "worked-example.yaml")
    assert list(page.scenario_choice.options) == [
        ("broken.yaml", "broken.yaml"),
        ("Worked example, 2026-2029 (copy.yaml)", "copy.yaml"),
        ("Worked example, 2026-2029 (worked-example.yaml)", "worked-example.yaml"),
    ]
    assert page.scenario_choice.label == "Worked example, 2026-2029 (worked-example.yaml)"


def test_cpi_control_only_where_cpi_acts(page):
    # a, c and p of 2026 are notified in the worked example: CPI 2026 changes nothing
    assert page._cpi_acts == {2026: False, 2027: True, 2028: True, 2029: True}
    shown = [c for c in page.cpi_box.children]
    assert shown == [page.cpi_controls[y] for y in (2027, 2028, 2029)]
    assert "a, c and p of 2026 are notified" in page.cpi_note.value
    # and it is true: CPI 2026 moved by five points gives the same MADR
    sc = page.base
    moved = tm.project(sc.with_values({"inputs.CPI@2026": sc.rows[2026]["CPI"] + 0.05}))
    assert moved["MADR"].tolist() == page.base_frame["MADR"].tolist()
    assert tm.project(sc.with_values({"inputs.CPI@2027": 0.05}))["MADR"].tolist() != (
        page.base_frame["MADR"].tolist()
    )


def test_engine_error_clears_the_numbers_and_says_why(page, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise tm.InputError("must be a fraction", file="s.yaml", key="notified.X", year=2027)

    monkeypatch.setattr(page._engine, "evaluate", refuse)
    page.x_control.value = 2.0
    assert "tm-error" in page.status.value
    assert "s.yaml, key &#x27;notified.X&#x27;, year 2027: must be a fraction" in page.status.value
    assert page.frame is None and "data-value" not in page.headline.value
    assert page.downloads.value == "" and all(len(t.y) == 0 for t in page.fig.data)
    assert len(page.buildup.data[0].x) == 0
    monkeypatch.undo()
    page.x_control.value = 2.5
    assert "tm-error" not in page.status.value and len(page.fig.data[1].y) == 4


def test_print_header_names_the_scenario_the_edits_and_the_readings(page):
    page.x_control.value = 2.0
    header = page.print_header.value
    assert "Worked example, 2026-2029" in header and "notified.X = 0.02" in header
    for switch, value in page.readings().items():
        assert f"{switch} {value}" in header


def test_empty_folder_gives_a_plain_message(tmp_path):
    page = MadrDashboard(tmp_path)
    assert "No scenario files" in page.status.value


def test_downloads_hold_the_edited_scenario_and_results(page):
    page.x_control.value = 2.0
    html = page.downloads.value
    for css in ("tm-dl-yaml", "tm-dl-csv", "tm-dl-xlsx"):
        assert css in html
    assert "worked-example-2026-2029-edited.yaml" in html


# --- the command line ------------------------------------------------------------------------


def test_voila_serves_on_localhost_without_tracebacks():
    argv = voila_argv(WORKED_EXAMPLE.parent, port=9999, pool_size=2, cull_idle=300)
    assert "--Voila.ip=127.0.0.1" in argv and "--no-browser" in argv
    assert "--show_tracebacks=False" in argv
    assert "--preheat_kernel=True" in argv and "--pool_size=2" in argv
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert "--preheat_kernel=False" in voila_argv(WORKED_EXAMPLE.parent, port=1, pool_size=0)


def test_pool_is_refilled_after_the_page_has_rendered():
    # the next preheated kernel starts a few seconds after one is taken, not while the
    # browser builds the page of the one taken
    assert "--VoilaKernelManager.fill_delay=5" in voila_argv(WORKED_EXAMPLE.parent, port=1)
    argv = voila_argv(WORKED_EXAMPLE.parent, port=1, refill_delay=2.5)
    assert "--VoilaKernelManager.fill_delay=2.5" in argv
    assert not any(
        "fill_delay" in a for a in voila_argv(WORKED_EXAMPLE.parent, port=1, pool_size=0)
    )


def test_kernels_use_no_tcp_ports():
    # a served kernel's sockets are files of the server's own folder, never ports another
    # program could take
    assert "--KernelManager.transport=ipc" in voila_argv(WORKED_EXAMPLE.parent, port=1)


def test_controls_and_views_share_their_layout_and_style(page):
    # a page of few widget models shows sooner: one layout and one style per kind of widget
    assert page.x_control.layout is page.tl_control.layout is page.year_choice.layout
    assert page.x_control.style is page.cpi_controls[2027].style
    assert page.year_choice.style is page.scenario_choice.style
    assert page.headline.layout is page.status.layout and page.bills.style is page.title.style
    assert page.x_control.style.description_width == "150px"


def test_dashboard_command_rejects_a_missing_folder(tmp_path, capsys):
    assert main(["dashboard", "--scenarios", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "no such folder" in err and "Traceback" not in err


def test_cpi_sliders_follow_reading_r5_until_moved():
    page = MadrDashboard(ROOT / "data" / "scenarios", "nedc-base.yaml")
    page.cpi_controls[2027].value = 2.0
    page.reading_controls["cpi_basis"].value = "twelve_month_average"
    linked = page.base.with_readings(cpi_basis="twelve_month_average")
    assert page.cpi_controls[2026].value == fraction_to_pct(linked.rows[2026]["CPI"])
    assert page.cpi_controls[2027].value == 2.0
    assert page.controls().cpi == {2027: 0.02}
    expected = tm.project(linked.with_values({"inputs.CPI@2027": 0.02}))
    assert page.frame["MADR"].tolist() == expected["MADR"].tolist()

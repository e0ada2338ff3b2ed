"""The MADR dashboard in a real browser: what the page shows is exactly what the engine gives,
and what it downloads runs through ``tariffmodel run`` to the same numbers."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

import tariffmodel as tm
from tariffmodel.dashboards.madr import pct_to_fraction

from . import driver as db

YEARS = [2026, 2027, 2028, 2029]


def _shown(page) -> list[float]:
    return [db.madr_shown(page, y) for y in YEARS]


def _wait_change(page, year: int, old: float) -> None:
    page.wait_for_function(
        f"document.querySelector(\"{db.MADR}[data-year='{year}']\")?.dataset.value !== '{old!r}'",
        timeout=30_000,
    )


def _figure_madr(page) -> list[float]:
    """The 'this case' MADR bars of the figure [m RO], as plotly holds them in the page."""
    return page.evaluate("document.querySelector('.tm-figure .js-plotly-plot').data[1].y")


def _download(page, css: str, path):
    with page.expect_download() as info:
        page.click(css)
    info.value.save_as(path)
    return path


def test_page_shows_engine_values_and_downloads_run_to_them(
    dashboard, scenarios_dir, artifacts, tmp_path
):
    page = dashboard
    sc = tm.load_scenario(scenarios_dir / "worked-example.yaml")

    # as loaded: the engine's MADR, exactly, in the numbers and in the figure
    before = tm.project(sc)["MADR"].tolist()
    assert _shown(page) == before
    assert _figure_madr(page) == [v / 1e6 for v in before]

    # X factor 2.5 % and actual losses 9 %: the page becomes the engine's value for that input
    db.set_slider(page, "tm-x", "2.5")  # 2026 has notified a and c: X moves 2027 on
    _wait_change(page, 2027, before[1])
    db.set_slider(page, "tm-al", "9")  # AL_2025 moves LOSS_2026
    _wait_change(page, 2026, before[0])
    al = pct_to_fraction(9.0)
    edits = {"notified.X": pct_to_fraction(2.5)}
    for y in [2025, *YEARS]:
        edits[f"inputs.RBS@{y}"] = sc.rows[y]["RUD"] / (1.0 - al)
    expected = tm.project(sc.with_values(edits))["MADR"].tolist()
    assert _shown(page) == expected
    assert _figure_madr(page) == [v / 1e6 for v in expected]
    page.screenshot(path=artifacts / "madr_dashboard.png", full_page=True)

    # the edited scenario runs through `tariffmodel run` to the numbers shown
    scenario = _download(page, ".tm-dl-yaml", tmp_path / "edited.yaml")
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "tariffmodel", "run", str(scenario), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    run = pd.read_csv(out / "madr.csv")
    assert run["MADR"].tolist() == expected

    # the results downloads hold the same table as madr.csv of the run
    csv = pd.read_csv(_download(page, ".tm-dl-csv", tmp_path / "results.csv"))
    pd.testing.assert_frame_equal(csv[run.columns], run, check_exact=True)
    book = openpyxl.load_workbook(_download(page, ".tm-dl-xlsx", tmp_path / "results.xlsx"))
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["edit notified.X"] == "0.025" and about["tool"] == "tariffmodel"
    rows = list(book["madr"].iter_rows(values_only=True))
    madr_col = rows[0].index("MADR")
    # Excel files carry 16 significant digits (what xlsxwriter and openpyxl write)
    assert [r[madr_col] for r in rows[1:]] == pytest.approx(expected, rel=1e-15, abs=0)


def _engine_calls(page, at_least: int = 0) -> int:
    # the status line is a widget of its own: its message may arrive after the numbers'
    page.wait_for_function(
        f"Number(document.querySelector('.tm-status')?.dataset.engineCalls) >= {at_least}",
        timeout=10_000,
    )
    return int(page.get_attribute(".tm-status", "data-engine-calls"))


def test_one_engine_call_per_change_and_bursts_coalesce(dashboard, scenarios_dir):
    page = dashboard
    sc = tm.load_scenario(scenarios_dir / "worked-example.yaml")
    calls = _engine_calls(page)
    old = db.madr_shown(page, 2027)
    db.set_slider(page, "tm-x", "2")
    _wait_change(page, 2027, old)
    assert _engine_calls(page, calls + 1) == calls + 1
    # five key presses on the slider in a row: five values reach the kernel, fewer computations
    old = db.madr_shown(page, 2027)
    page.focus(".tm-x .noUi-handle")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.tm-x .widget-readout').textContent == '2.25'")
    _wait_change(page, 2027, old)
    page.wait_for_timeout(500)  # any late computation would show by now
    assert 1 <= _engine_calls(page, calls + 2) - (calls + 1) < 5
    expected = tm.project(sc.with_values({"notified.X": pct_to_fraction(2.25)}))
    assert _shown(page) == expected["MADR"].tolist()


def test_reading_switch_gives_the_engine_value(dashboard, scenarios_dir):
    page = dashboard
    sc = tm.load_scenario(scenarios_dir / "worked-example.yaml")
    old = db.madr_shown(page, 2026)
    # R2 as drafted: every call-centre term is zero (the example has a penalty in 2026)
    page.select_option(".tm-reading-call_centre select", label="as drafted")
    _wait_change(page, 2026, old)
    expected = tm.project(sc.with_readings(call_centre="as_drafted"))["MADR"].tolist()
    assert _shown(page) == expected


def test_bad_scenario_shows_a_plain_message(dashboard, broken_scenario, artifacts):
    page = dashboard
    # the scenarios are offered by their names
    page.select_option(".tm-scenario select", label="Broken: CPI as a percent")
    page.wait_for_selector(".tm-error", timeout=30_000)
    message = page.inner_text(".tm-error")
    # the file by its name, the value as written, the percent meant; never a path
    assert broken_scenario in message and "/" not in message
    assert "CPI" in message and "2026" in message and "90.0 looks like a percent" in message
    assert "write 0.9" in message
    assert "Traceback" not in page.content()
    # no numbers, empty figures, the controls of the other scenario off
    assert page.locator(db.MADR).count() == 0
    assert (
        page.evaluate("document.querySelector('.tm-figure .js-plotly-plot').data[1].x.length") == 0
    )
    assert page.evaluate("document.querySelector('.tm-x .slider-container .noUi-target')"
                         ".hasAttribute('disabled')")  # fmt: skip
    page.screenshot(path=artifacts / "madr_dashboard_error.png", full_page=True)
    # and back to a good scenario: numbers again, no message
    page.select_option(".tm-scenario select", label="Worked example, 2026-2029")
    page.wait_for_selector(db.MADR, timeout=30_000)
    assert page.query_selector(".tm-error") is None


def test_excel_model_is_built_on_request_for_the_case_shown(dashboard, artifacts, tmp_path):
    page = dashboard
    page.set_viewport_size({"width": 1440, "height": 1700})
    before = _shown(page)
    db.set_slider(page, "tm-x", "2.5")
    _wait_change(page, 2027, before[1])
    assert page.locator(".tm-dl-model").count() == 0  # not built on every change
    page.click(".tm-model")
    page.wait_for_selector(".tm-dl-model", timeout=30_000)
    page.screenshot(path=artifacts / "madr_dashboard_excel_model.png", full_page=True)
    path = _download(page, ".tm-dl-model", tmp_path / "model.xlsx")
    book = openpyxl.load_workbook(path, data_only=True)
    for year, shown in zip(YEARS, _shown(page), strict=True):
        ((sheet, ref),) = book.defined_names[f"MADR_{year}"].destinations
        assert book[sheet][ref.replace("$", "")].value == shown
    # a later change takes the link of the earlier case away
    shown = _shown(page)
    db.set_slider(page, "tm-x", "3")
    page.wait_for_selector(".tm-dl-model", state="detached", timeout=30_000)
    _wait_change(page, 2027, shown[1])

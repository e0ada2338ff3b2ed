"""The MADR dashboard's Excel model of the cap: built on request for the case on the page, its
cached MADR_t that of the page, its link gone at the next change of a control."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest

from tariffmodel.dashboards.madr import MODEL_BUTTON, MadrDashboard, slug

from conftest import ROOT


@pytest.fixture
def page():
    return MadrDashboard(ROOT / "data" / "scenarios", "nedc-base.yaml")


def _link(page) -> tuple[str, bytes]:
    """The file name and the bytes of the page's Excel model link."""
    m = re.search(r'class="tm-dl-model" download="([^"]+)" href="data:[^;]+;base64,([^"]+)"',
                  page.model_link.value)  # fmt: skip
    assert m, page.model_link.value
    return m.group(1), base64.b64decode(m.group(2))


def _cached_madr(data: bytes, year: int) -> float:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    ((sheet, ref),) = book.defined_names[f"MADR_{year}"].destinations
    return book[sheet][ref.replace("$", "")].value


def test_button_builds_the_model_of_the_case_on_the_page(page):
    assert page.model_button.description == MODEL_BUTTON
    assert page.model_link.value == ""  # nothing built before it is asked for
    page.x_control.value = 2.5
    page.reading_controls["loss_deadband"].value = list(
        page.reading_controls["loss_deadband"].options
    )[-1][1]
    page.model_button.click()
    name, data = _link(page)
    assert name == f"{slug(page.edited.name)}-cap-model.xlsx"
    base = page.base_frame.set_index("year")["MADR"]
    for year, madr in page.frame.set_index("year")["MADR"].items():
        shown = float(re.search(rf'data-year="{year}" data-value="([^"]+)"',
                                page.headline.value).group(1))  # fmt: skip
        assert shown == madr
        assert _cached_madr(data, int(year)) == madr
    # the edited case, not the scenario as loaded
    assert (page.frame["MADR"].to_numpy() != base.to_numpy()).any()


def test_a_later_change_removes_the_link(page):
    page.model_button.click()
    _link(page)
    page.tl_control.value = 9.0
    assert page.model_link.value == ""
    page.model_button.click()
    _link(page)
    page.reset_button.click()
    assert page.model_link.value == ""
    page.model_button.click()
    files = [f for _name, f in page.scenario_choice.options]
    page.scenario_choice.value = [f for f in files if f != "nedc-base.yaml"][0]
    assert page.model_link.value == ""

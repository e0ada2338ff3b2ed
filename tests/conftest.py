"""Shared fixtures: the worked example of the scenario-format contract, and scenario writers."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

import tariffmodel as tm
from tariffmodel.inputs.errors import InputError

# Property tests: "ci" (the default) caps every test at 40 examples, drawn the same way on every
# run so that a failure in CI fails again on a laptop; "thorough" draws 1,000 fresh examples a
# test (TARIFFMODEL_HYPOTHESIS=thorough make test). A test that sets fewer keeps its own cap:
# each of its examples is an expensive run (a LibreOffice recalculation, a dashboard build).
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("thorough", deadline=None)
settings.load_profile(os.environ.get("TARIFFMODEL_HYPOTHESIS", "ci"))

DATA = Path(__file__).parent / "data"
WORKED_EXAMPLE = DATA / "worked-example.yaml"
ROOT = Path(__file__).resolve().parents[1]


def worked_example_dict() -> dict:
    return yaml.safe_load(WORKED_EXAMPLE.read_text())


@pytest.fixture(scope="session")
def worked_example_data() -> dict:
    return worked_example_dict()


@pytest.fixture
def example_dict(worked_example_data) -> dict:
    """A fresh, editable copy of the worked example as a mapping."""
    return copy.deepcopy(worked_example_data)


@pytest.fixture
def renamed_example(example_dict, tmp_path):
    """A writer of the worked example with its name and its first KPI's name replaced (text a
    report must show as written): ``renamed_example(name, kpi)`` returns the file's path."""

    def write(name: str, kpi: str) -> Path:
        example_dict["name"] = name
        cc = example_dict["call_centre"]
        old = cc["kpis"][0]["name"]
        cc["kpis"][0]["name"] = kpi
        for actuals in cc["actuals"].values():
            actuals[kpi] = actuals.pop(old)
        path = tmp_path / "hostile.yaml"
        path.write_text(yaml.safe_dump(example_dict, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def worked_example() -> tm.Scenario:
    return tm.load_scenario(WORKED_EXAMPLE)


@pytest.fixture(scope="session")
def worked_table(worked_example):
    return tm.project(worked_example).set_index("year")


@pytest.fixture
def write_scenario(tmp_path):
    """Write a mapping as a YAML scenario file and return its path."""

    def _write(data: dict, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return _write


def expect_input_error(load, tmp_path, data, match):
    """Write ``data`` as YAML, load it with ``load``; the InputError must name the file."""
    path = tmp_path / "input.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match=match) as info:
        load(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.fixture(scope="session")
def browser():
    """One headless chromium per test worker, for the browser and JupyterLab tests alike:
    playwright's sync API allows one session per thread."""
    from browser import driver
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            chromium = driver.launch_chromium(pw)
        except Exception as exc:  # the browser tests fail, never skip, without a browser
            pytest.fail(f"chromium did not start: {exc}")
        yield chromium
        chromium.close()

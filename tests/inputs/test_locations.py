"""The bundled data and notebooks are found by a setting, the checkout by default."""

from __future__ import annotations

from pathlib import Path

from tariffmodel.inputs import locations

CHECKOUT = Path(__file__).resolve().parents[2]


def test_default_is_the_checkout_whatever_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(locations.HOME_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert locations.project_home() == CHECKOUT
    assert locations.data_dir("scenarios") == CHECKOUT / "data" / "scenarios"
    assert (locations.data_dir("scenarios") / "nedc-base.yaml").is_file()
    assert locations.notebooks_dir("dashboards") == CHECKOUT / "notebooks" / "dashboards"


def test_the_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(locations.HOME_ENV, str(tmp_path))
    assert locations.project_home() == tmp_path
    assert locations.data_dir("amr") == tmp_path / "data" / "amr"
    assert locations.notebooks_dir() == tmp_path / "notebooks"

"""Linked files of a scenario: the AMR plan (AMR_t, and the loss reduction on RBS), the WPRA file,
the CPI basket and the deposit rates; each value given one way only."""

from __future__ import annotations

import pytest

import tariffmodel as tm
from tariffmodel.model import amr, wpra

from conftest import ROOT

PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"
WPRA = ROOT / "data" / "amr" / "nedc-wpra.yaml"


@pytest.fixture
def linked(example_dict):
    for row in example_dict["inputs"][1:]:
        row.pop("AMR", None)
        row.pop("WPRA", None)
    example_dict["amr"] = str(PLAN)
    example_dict["wpra"] = str(WPRA)
    return example_dict


def test_amr_from_the_plan(linked):
    table = tm.project(tm.scenario_from_dict(linked)).set_index("year")
    expected = amr.allowance(amr.load_plan(PLAN))
    for year in (2026, 2027, 2028, 2029):
        assert table.loc[year, "AMR"] == pytest.approx(float(expected.get(year, 0.0)), rel=1e-15)


def test_wpra_from_the_file(linked):
    table = tm.project(tm.scenario_from_dict(linked)).set_index("year")
    expected = wpra.wpra_series(wpra.load_wpra(WPRA))
    for year in (2026, 2027, 2028, 2029):
        assert table.loc[year, "WPRA"] == pytest.approx(float(expected.get(year, 0.0)), rel=1e-15)


def test_amr_given_both_ways_names_both(linked):
    linked["inputs"][2]["AMR"] = 1.0
    with pytest.raises(tm.ScenarioError) as err:
        tm.scenario_from_dict(linked, file="scen.yaml")
    message = str(err.value)
    assert "inputs.AMR" in message and "2027" in message and "nedc-amr-plan.yaml" in message


def test_wpra_given_both_ways_names_both(linked):
    linked["inputs"][1]["WPRA"] = -5.0
    with pytest.raises(tm.ScenarioError) as err:
        tm.scenario_from_dict(linked, file="scen.yaml")
    assert "inputs.WPRA" in str(err.value) and "nedc-wpra.yaml" in str(err.value)


def test_loss_reduction_switch_off_by_default(linked, example_dict):
    table = tm.project(tm.scenario_from_dict(linked)).set_index("year")
    assert table.loc[2027, "AL"] == pytest.approx(1 - 31.4e9 / 34.15e9)


def test_loss_reduction_moves_loss_by_hand(linked):
    off = tm.project(tm.scenario_from_dict(linked)).set_index("year")
    linked["amr_loss_reduction"] = True
    on = tm.project(tm.scenario_from_dict(linked)).set_index("year")
    delta = float(amr.loss_reduction(amr.load_plan(PLAN)).get(2026, 0.0))
    assert delta > 0
    # AL_2026 falls by delta; LOSS_2027 = RUD_2026 x p_2027 x (TL_2026 - AL_2026) rises by
    # RUD_2026 x p_2027 x delta (D = 1, inside the cap)
    assert on.loc[2027, "AL"] == pytest.approx(off.loc[2027, "AL"] - delta, abs=1e-15)
    assert on.loc[2027, "LOSS"] - off.loc[2027, "LOSS"] == pytest.approx(
        31.4e9 * 0.020 * 1.012 * delta, rel=1e-9
    )


def test_loss_reduction_needs_a_plan(example_dict):
    example_dict["amr_loss_reduction"] = True
    with pytest.raises(tm.ScenarioError, match="needs an AMR plan"):
        tm.scenario_from_dict(example_dict)


def test_missing_plan_file(linked):
    linked["amr"] = "no-such-plan.yaml"
    with pytest.raises(tm.ScenarioError, match="file not found"):
        tm.scenario_from_dict(linked, base_dir=ROOT)


def test_cpi_given_both_ways(example_dict):
    example_dict["cpi_series"] = {
        "groups": str(ROOT / "data/cpi/sultanate-cpi-groups.csv"),
        "weights": str(ROOT / "data/cpi/sultanate-cpi-weights.csv"),
    }
    with pytest.raises(tm.ScenarioError, match="CPI is given both"):
        tm.scenario_from_dict(example_dict)


def test_cpi_basis_changes_cpi(example_dict):
    from tariffmodel.model import indices

    for row in example_dict["inputs"][1:]:
        row.pop("CPI")
    groups = ROOT / "data/cpi/sultanate-cpi-groups.csv"
    weights = ROOT / "data/cpi/sultanate-cpi-weights.csv"
    example_dict["cpi_series"] = {"groups": str(groups), "weights": str(weights)}
    sc = tm.scenario_from_dict(example_dict)
    cpi = indices.load_cpi(groups, weights)
    for basis in ("june_on_june", "twelve_month_average"):
        table = tm.project(sc.with_readings(cpi_basis=basis)).set_index("year")
        expected = indices.cpi_by_year(cpi, [2027], basis)
        assert table.loc[2027, "CPI"] == float(expected.loc[2027])


def test_resolved_scenario_is_standalone(linked, tmp_path):
    sc = tm.scenario_from_dict(linked)
    path = tmp_path / "standalone.yaml"
    path.write_text(sc.to_yaml())
    again = tm.load_scenario(path)
    assert tm.project(again)["MADR"].tolist() == tm.project(sc)["MADR"].tolist()


def test_licence_fee_with_true_up_by_hand(with_fee):
    table = tm.project(tm.scenario_from_dict(with_fee)).set_index("year")
    # 2026: part (a) 0.05 x 21 m = 1.05 m; true-up 0.045 x 24 m - 0.05 x 20 m = +0.08 m
    assert table.loc[2026, "LF"] == pytest.approx(0.75 * (1.05e6 + 0.08e6))
    # 2027: part (a) 1.1 m; true-up 0.045 x 20 m - 0.05 x 21 m = -0.15 m (a credit)
    assert table.loc[2027, "LF"] == pytest.approx(0.75 * (1.1e6 - 0.15e6))


def test_licence_fee_given_both_ways(with_fee):
    with_fee["inputs"][1]["LF"] = 450_000
    with pytest.raises(tm.ScenarioError, match="LF is given both"):
        tm.scenario_from_dict(with_fee)


def test_licence_fee_missing_year(with_fee):
    del with_fee["licence_fee"]["actual_costs"][2027]
    with pytest.raises(tm.ScenarioError, match="licence_fee.actual_costs.*2027"):
        tm.scenario_from_dict(with_fee)


def test_licence_fee_share_as_percent(with_fee):
    with_fee["licence_fee"]["share"] = 5
    with pytest.raises(tm.ScenarioError, match="fraction"):
        tm.scenario_from_dict(with_fee)

"""Readings R6-R8 through a scenario: each moves MADR by the hand-computed amount, on both sides,
and changes nothing where it cannot apply (said in the scenario's warnings)."""

from __future__ import annotations

import pytest

import tariffmodel as tm
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError

# --- R6 -----------------------------------------------------------------------------------


@pytest.fixture
def with_rates(example_dict, tmp_path):
    """The worked example with SR from a deposit-rate series rising 0.0001 a month from 0.0200
    in December 2024 (illustrative)."""
    lines = ["month,rate"]
    for k in range(61):  # December 2024 - December 2029
        year, month = divmod(2024 * 12 + 11 + k, 12)
        lines.append(f"{year}-{month + 1:02d},{0.0200 + 0.0001 * k:.4f}")
    path = tmp_path / "rates.csv"
    path.write_text("\n".join(lines) + "\n")
    for row in example_dict["inputs"][1:]:
        row.pop("SR")
    example_dict["deposit_rates"] = str(path)
    return example_dict


def test_r6_specified_rate_by_hand(with_rates):
    sc = tm.scenario_from_dict(with_rates)
    ref = tm.project(sc).set_index("year")
    pub = tm.project(sc.with_readings(specified_rate_months="published_in_year")).set_index("year")
    # i_2026: mean of 0.0201 .. 0.0212 (Jan-Dec 2025) = 0.02065; a month earlier 0.02055
    assert ref.loc[2026, "SR"] == pytest.approx(0.02065, rel=1e-12)
    assert pub.loc[2026, "SR"] == pytest.approx(0.02055, rel=1e-12)
    # K_2026 = (171 m - 168 m) x (1 + i): 300 RO less under the published months, MADR 300 more
    assert ref.loc[2026, "K"] == pytest.approx(3_000_000 * 1.02065, rel=1e-12)
    assert pub.loc[2026, "MADR"] - ref.loc[2026, "MADR"] == pytest.approx(300.0, rel=1e-6)
    # every year's SR is 0.0001 lower
    assert (ref["SR"] - pub["SR"]).tolist() == pytest.approx([0.0001] * 4, rel=1e-9)


def test_r6_named_in_the_filled_source(with_rates):
    sc = tm.scenario_from_dict(with_rates).with_readings(specified_rate_months="published_in_year")
    assert sc.filled["SR"] == "monthly deposit rates (published_in_year)"
    assert sc.warnings == []


def test_r6_needs_the_month_before_the_year(with_rates, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "\n".join(path.read_text().splitlines()[:1] + path.read_text().splitlines()[2:])
    )
    sc = tm.scenario_from_dict(with_rates)  # January 2025 on: enough for the months of t-1
    with pytest.raises(InputError, match="2024-12 missing") as err:
        sc.with_readings(specified_rate_months="published_in_year")
    assert "year 2026" in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize(
    "switch, value, why",
    [
        ("specified_rate_months", "published_in_year", "SR is given in the year table"),
        ("licence_fee_true_up", "as_drafted", "LF_Dt is given in the year table"),
    ],
)
def test_r6_r7_inert_when_the_column_is_given(worked_example, switch, value, why):
    sc = worked_example.with_readings(**{switch: value})
    assert tm.project(sc)["MADR"].tolist() == tm.project(worked_example)["MADR"].tolist()
    assert any(f"{switch}={value} changes nothing here: {why}" in w for w in sc.warnings)


# --- R7 -----------------------------------------------------------------------------------


def test_r7_licence_fee_both_sides_by_hand(with_fee):
    sc = tm.scenario_from_dict(with_fee)
    owed = tm.project(sc).set_index("year")
    literal = tm.project(sc.with_readings(licence_fee_true_up="as_drafted")).set_index("year")
    # 2026: part (a) 0.05 x 21 m = 1.05 m; (ii) - (i) = 0.045 x 24 m - 0.05 x 20 m = +80,000
    assert owed.loc[2026, "LF"] == pytest.approx(0.75 * 1_130_000)  # 847,500
    assert literal.loc[2026, "LF"] == pytest.approx(0.75 * 970_000)  # 727,500
    # 2027: (ii) - (i) = 0.045 x 20 m - 0.05 x 21 m = -150,000 (overpaid: a credit)
    assert owed.loc[2027, "LF"] == pytest.approx(0.75 * 950_000)  # 712,500
    assert literal.loc[2027, "LF"] == pytest.approx(0.75 * 1_250_000)  # 937,500
    # MADR_2026 moves by the LF difference; ARDR_2026 is given, so K_2027 carries it on
    assert owed.loc[2026, "MADR"] - literal.loc[2026, "MADR"] == pytest.approx(120_000.0)
    d2027 = -225_000.0 + 120_000.0 * (1 + owed.loc[2027, "i"])
    assert owed.loc[2027, "MADR"] - literal.loc[2027, "MADR"] == pytest.approx(d2027, rel=1e-9)


# --- R8 -----------------------------------------------------------------------------------


@pytest.fixture
def with_2028_actuals(example_dict):
    """2028 actuals beyond the cap: answered 0.45, abandonment 0.20, resolution 0.60."""
    example_dict["call_centre"]["actuals"][2028] = {
        "answered_within_60s": 0.45,
        "abandonment_rate": 0.20,
        "first_contact_resolution": 0.60,
    }
    return example_dict


def test_r8_call_centre_both_sides_by_hand(with_2028_actuals):
    sc = tm.scenario_from_dict(with_2028_actuals)
    total = tm.project(sc).set_index("year")
    per_kpi = tm.project(sc.with_readings(call_centre_cap="per_kpi")).set_index("year")
    # allowance 420,000: -105,000 - 378,000 - 16,800 = -499,800, capped at -420,000 in total;
    # per KPI the abandonment rate's -378,000 is capped at 0.3 x 420,000
    assert total.loc[2028, "CC"] == pytest.approx(-420_000.0)
    assert per_kpi.loc[2028, "CC"] == pytest.approx(-247_800.0)
    assert per_kpi.loc[2028, "MADR"] - total.loc[2028, "MADR"] == pytest.approx(172_200.0)
    # ARDR_2028 is given: K_2029 = (ARDR - MADR) x (1 + 0.025) carries the change into 2029
    assert per_kpi.loc[2029, "MADR"] - total.loc[2029, "MADR"] == pytest.approx(
        172_200.0 * 1.025, rel=1e-9
    )
    # 2026 (within every cap) is the same under both readings
    assert per_kpi.loc[2026, "CC"] == total.loc[2026, "CC"]


def test_r8_inert_under_r2_as_drafted(with_2028_actuals):
    sc = tm.scenario_from_dict(with_2028_actuals).with_readings(call_centre="as_drafted")
    both = sc.with_readings(call_centre_cap="per_kpi")
    assert tm.project(both)["CC"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert tm.project(both)["MADR"].tolist() == tm.project(sc)["MADR"].tolist()
    assert any("R8" in w and "as_drafted" in w for w in both.warnings)


def test_readings_side_by_side_show_r8(with_2028_actuals):
    from tariffmodel.analysis.readings import compare, pivot

    change = pivot(compare(tm.scenario_from_dict(with_2028_actuals)), "MADR_change")
    assert change.loc["R8 call_centre_cap=per_kpi", 2028] == pytest.approx(172_200.0)
    # R8 under R2 as_drafted adds nothing to R2 alone: not a row of its own
    assert not any("as_drafted" in i and "R8" in i for i in change.index)


# --- the switches everywhere ----------------------------------------------------------------


def test_with_readings_rejects_a_bad_value(worked_example):
    with pytest.raises(tm.ScenarioError, match="R8 must be one of total, per_kpi"):
        worked_example.with_readings(call_centre_cap="each")


def test_engine_readings_keep_the_year_table(worked_example):
    sc = worked_example.with_readings(call_centre_cap="per_kpi")
    assert sc.rows == worked_example.rows and sc.rows is not worked_example.rows
    assert sc.readings["call_centre_cap"] == "per_kpi"
    assert sc.to_dict(resolved=False)["interpretation"]["call_centre_cap"] == "per_kpi"


def test_run_records_r6_r8_and_accepts_them(tmp_path, capsys):
    from conftest import WORKED_EXAMPLE

    out = tmp_path / "run"
    argv = ["run", str(WORKED_EXAMPLE), "--out", str(out), "--reading", "call_centre_cap=per_kpi",
            "--reading", "licence_fee_true_up=as_drafted"]  # fmt: skip
    assert main(argv) == 0
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["readings"]["R6 specified_rate_months"] == "reference_year"
    assert manifest["readings"]["R7 licence_fee_true_up"] == "as_drafted"
    assert manifest["readings"]["R8 call_centre_cap"] == "per_kpi"
    statement = (out / "statement.md").read_text()
    assert "- R8 call_centre_cap: per_kpi" in statement
    # R7 cannot act (LF is given): said on the console and in the statement
    assert "R7 licence_fee_true_up=as_drafted changes nothing here" in capsys.readouterr().err
    assert "R7 licence_fee_true_up=as_drafted changes nothing here" in statement


def test_reading_option_names_the_switches(tmp_path, capsys):
    from conftest import WORKED_EXAMPLE

    argv = ["run", str(WORKED_EXAMPLE), "--out", str(tmp_path / "x"), "--reading",
            "call_centre_cap=each"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "R8 call_centre_cap is one of total, per_kpi" in err
    assert not (tmp_path / "x").exists()

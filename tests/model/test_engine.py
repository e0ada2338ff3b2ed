"""The year-by-year engine: overrides, the leading scenario axis, timing rules, readings, and
invariants over random scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tariffmodel as tm
from tariffmodel.licence.terms import MADR_TERMS

YEARS = [2026, 2027, 2028, 2029]
HIST = 2025

# money inputs of the worked example, as override targets (scaling them scales every RO output)
MONEY_TARGETS = (
    [
        "notified.a@2026",
        "notified.c@2026",
        "notified.p@2026",
        "notified.s",
        f"inputs.ARDR@{HIST}",
        f"inputs.MADR@{HIST}",
        f"inputs.DB@{HIST}",
    ]
    + [f"inputs.{c}" for c in ("C", "NPI", "FM", "OM", "AMR", "UC", "LF", "CPL", "WPRA")]
    + [f"inputs.ARDR@{y}" for y in (2026, 2028, 2029)]
)
MONEY_OUTPUTS = ("a", "DB", "BL", "LOSS", "NSF", "CS", "CC", "K", "MADR", "ARDR", "loss_cap")


def _value(sc, target):
    """The scenario's own value of a target (for the money targets above)."""
    section, key, year = target.split(".")[0], target.split(".")[1].split("@")[0], None
    if "@" in target:
        year = int(target.split("@")[1])
    if section == "notified":
        return sc.notified_value(key, year if year else sc.years[0])
    if year:
        return float(sc.rows[year].get(key, 0.0))
    return np.array([sc.rows[y].get(key, 0.0) for y in sc.years])


# ---- basic behaviour ---------------------------------------------------------------------


def test_project_columns_follow_the_contract(worked_example):
    table = tm.project(worked_example)
    assert list(table.columns[: len(tm.MADR_COLUMNS)]) == list(tm.MADR_COLUMNS)


def test_evaluate_shapes(worked_example):
    res = tm.evaluate(worked_example, {"inputs.CA": np.full(7, 1.3e6)})
    assert res["MADR"].shape == (7, 4) and res["para5"].dtype == bool


def test_evaluate_keeps_only_the_columns_asked_for(worked_example):
    draws = {"inputs.CA@2027": np.linspace(1.3e6, 1.5e6, 5)}
    full = tm.evaluate(worked_example, draws)
    some = tm.evaluate(worked_example, draws, columns=["MADR", "para5", "LOSS"])
    assert list(some) == ["MADR", "para5", "LOSS"]
    for name, value in some.items():
        assert value.shape == (5, 4) and value.dtype == full[name].dtype
        assert np.array_equal(value, full[name])


def test_evaluate_unknown_column_is_an_error_with_a_suggestion(worked_example):
    with pytest.raises(tm.ScenarioError, match=r"unknown engine column 'MADRR'.*'MADR'"):
        tm.evaluate(worked_example, columns=["MADRR"])


def test_override_one_year_moves_that_year_only(worked_example):
    base = tm.evaluate(worked_example)["DB"][0]
    res = tm.evaluate(worked_example, {"inputs.CA@2027": np.array([1_440_000.0])})["DB"][0]
    c_2027 = 85.0 * (1 + 0.012 - 0.015)
    assert res[1] - base[1] == pytest.approx(c_2027 * 100_000)


def test_override_keeps_the_roll_forward(worked_example):
    res = tm.evaluate(worked_example, {"notified.a": np.array([70e6])})
    assert res["a"][0, 1] == pytest.approx(70e6 * (1 + 0.012 - 0.015))


def test_notified_override_in_a_later_year_breaks_the_roll_forward(worked_example):
    res = tm.evaluate(worked_example, {"notified.a@2028": np.array([1e6])})
    assert res["a"][0, 2:].tolist() == pytest.approx([1e6, 1e6 * (1 + 0.010 - 0.015)])


def test_history_row_override_moves_loss_of_first_year(worked_example):
    res = tm.evaluate(worked_example, {f"inputs.RBS@{HIST}": np.array([30.5e9 / (1 - 0.085)])})
    assert res["LOSS"][0, 0] == pytest.approx(0.0, abs=1e-6)


def test_recovery_input_sets_ardr(worked_example):
    res = tm.evaluate(worked_example, {"inputs.recovery@2027": np.array([0.95])})
    assert res["ARDR"][0, 1] == pytest.approx(0.95 * res["MADR"][0, 1])


def test_unknown_target_suggests(worked_example):
    with pytest.raises(tm.ScenarioError, match="did you mean 'CA'"):
        tm.evaluate(worked_example, {"inputs.CAA": np.ones(2)})


def test_target_year_out_of_range(worked_example):
    with pytest.raises(tm.ScenarioError, match="2031"):
        tm.evaluate(worked_example, {"inputs.CA@2031": np.ones(2)})


def test_overrides_of_different_lengths(worked_example):
    with pytest.raises(tm.ScenarioError, match="disagree"):
        tm.evaluate(worked_example, {"inputs.CA": np.ones(2), "inputs.CPI": np.ones(3)})


def test_targets_listed_are_accepted(worked_example):
    for target in tm.targets(worked_example):
        tm.evaluate(worked_example, {target: np.array([0.01])})


# ---- paragraph 5 in consecutive years and reading R4 ------------------------------------


def test_para5_substitution_in_the_year_after(example_dict):
    example_dict["inputs"][3]["ARDR"] = 150_000_000
    example_dict["interpretation"]["para5_substitution"] = "cap_at_90pct"
    sc = tm.scenario_from_dict(example_dict)
    t = tm.project(sc).set_index("year")
    # para 5 holds on 2029 only (2028 and 2029 both below 90 %); nothing to substitute before 2030
    assert t["para5"].tolist() == [False, False, False, True]


def test_para5_consecutive_years_substitute(example_dict):
    # ARDR below 90 % in 2027, 2028 and 2029: para 5 holds on 2028 and 2029, so K_2029 uses
    # 0.9 x MADR_2028 in place of ARDR_2028
    example_dict["inputs"][2]["ARDR"] = 150_000_000
    example_dict["interpretation"]["para5_substitution"] = "cap_at_90pct"
    sc = tm.scenario_from_dict(example_dict)
    t = tm.project(sc).set_index("year")
    assert t["para5"].tolist() == [False, False, True, True]
    assert t.loc[2029, "ARDR_in_K"] == pytest.approx(0.9 * t.loc[2028, "MADR"])
    assert t.loc[2029, "K"] == pytest.approx(-0.1 * t.loc[2028, "MADR"] * 1.025)
    # K_2028 follows paragraph 5 on 2027, which did not hold (2026 was above 90 %)
    assert t.loc[2028, "ARDR_in_K"] == 150_000_000


def test_para5_no_substitution_by_default(example_dict):
    example_dict["inputs"][2]["ARDR"] = 150_000_000
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2029, "ARDR_in_K"] == 150_000_000


def test_penalty_rate_exactly_at_two_percent(example_dict):
    # ARDR 2025 exactly 1.02 x MADR 2025: no penalty
    example_dict["inputs"][0]["ARDR"] = 1.02 * 168_000_000
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2026, "i"] == 0.0258


def test_penalty_rate_above_two_percent(example_dict):
    example_dict["inputs"][0]["ARDR"] = 1.0201 * 168_000_000
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2026, "i"] == pytest.approx(0.0558)


def test_para3_exactly_three_percent_in_a_year(example_dict):
    example_dict["inputs"][1].pop("ARDR")
    example_dict["inputs"][1]["recovery"] = 1.03
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert not t.loc[2026, "para3"]


def test_para3_above_three_percent_in_a_year(example_dict):
    example_dict["inputs"][1].pop("ARDR")
    example_dict["inputs"][1]["recovery"] = 1.031
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2026, "para3"] and t.loc[2027, "i"] == pytest.approx(0.0262 + 0.03)


def test_para4_over_two_years(example_dict):
    example_dict["inputs"][1].pop("ARDR")
    example_dict["inputs"][1]["recovery"] = 1.025
    example_dict["inputs"][2]["recovery"] = 1.025
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    # 2025 (1.79 %) + 2026 (2.5 %) and 2026 + 2027 exceed 4 %; 2027 + 2028 (below the cap) do not
    assert t["para4"].tolist() == [True, True, False, False]


def test_loss_at_cap_in_engine(example_dict):
    # AL_2025 far below target: BL beyond the cap, LOSS = 3 % of DB
    example_dict["inputs"][0]["RBS"] = 30.5e9 / (1 - 0.0)
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2026, "LOSS"] == pytest.approx(0.03 * t.loc[2026, "DB"])


def test_loss_deadband_every_year_in_engine(example_dict):
    # AL_2025 between TL and TL + BAND: no incentive under every_year, some as drafted
    example_dict["inputs"][0]["RBS"] = 30.5e9 / (1 - 0.087)
    drafted = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    example_dict["interpretation"]["loss_deadband"] = "every_year"
    every = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert (drafted.loc[2026, "D"], every.loc[2026, "D"]) == (1, 0)
    assert every.loc[2026, "LOSS"] == 0.0


def test_first_relevant_year_rule(example_dict):
    example_dict["first_relevant_year"] = 2026
    example_dict["inputs"][0]["RBS"] = 30.5e9 / (1 - 0.087)
    t = tm.project(tm.scenario_from_dict(example_dict)).set_index("year")
    assert t.loc[2026, "D"] == 0


def test_readings_argument_equals_with_readings(worked_example):
    a = tm.evaluate(worked_example, readings={"call_centre": "as_drafted"})
    b = tm.evaluate(worked_example.with_readings(call_centre="as_drafted"))
    assert np.array_equal(a["MADR"], b["MADR"])


def test_with_values_round_trip(worked_example, tmp_path):
    edited = worked_example.with_values({"inputs.CA@2027": 1.4e6, "notified.X": 0.02})
    path = tmp_path / "edited.yaml"
    path.write_text(edited.to_yaml())
    again = tm.load_scenario(path)
    assert tm.project(again)["MADR"].tolist() == tm.project(edited)["MADR"].tolist()


def test_with_values_equals_overrides(worked_example):
    edited = tm.project(worked_example.with_values({"inputs.CA@2027": 1.4e6}))
    res = tm.evaluate(worked_example, {"inputs.CA@2027": np.array([1.4e6])})
    assert edited["MADR"].tolist() == res["MADR"][0].tolist()


# ---- invariants (hypothesis) -------------------------------------------------------------

draws = st.integers(min_value=1, max_value=12)


def _random_overrides(sc, n, seed):
    rng = np.random.default_rng(seed)
    T = len(sc.years)
    return {
        "inputs.CA": rng.uniform(1.0e6, 1.6e6, (n, T)),
        "inputs.CPI": rng.uniform(-0.02, 0.08, (n, T)),
        "inputs.RBS": rng.uniform(31e9, 40e9, (n, T)),
        f"inputs.RBS@{HIST}": rng.uniform(30.6e9, 40e9, n),
        "inputs.WS": rng.uniform(0.5, 1.2, (n, T)),
        f"inputs.WS@{HIST}": rng.uniform(0.5, 1.2, n),
        "inputs.recovery": rng.uniform(0.7, 1.3, (n, T)),
        "notified.X": rng.uniform(-0.01, 0.05, n),
        "notified.TL": rng.uniform(0.05, 0.1, n),
        "notified.BAND": rng.uniform(0.0, 0.01, n),
        "inputs.SR": rng.uniform(0.0, 0.05, (n, T)),
        f"inputs.ARDR@{HIST}": rng.uniform(150e6, 190e6, n),
    }


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=draws, seed=st.integers(0, 2**32 - 1))
def test_madr_is_the_sum_of_its_terms(worked_example, n, seed):
    res = tm.evaluate(worked_example, _random_overrides(worked_example, n, seed))
    total = sum(sign * res[term] for term, sign in MADR_TERMS.items())
    np.testing.assert_allclose(res["MADR"], total, rtol=1e-12)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=draws, seed=st.integers(0, 2**32 - 1))
def test_loss_within_cap_share_of_db(worked_example, n, seed):
    res = tm.evaluate(worked_example, _random_overrides(worked_example, n, seed))
    assert np.all(np.abs(res["LOSS"]) <= 0.03 * res["DB"] * (1 + 1e-12))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=draws, seed=st.integers(0, 2**32 - 1))
def test_cs_within_revenue_at_risk(worked_example, n, seed):
    res = tm.evaluate(worked_example, _random_overrides(worked_example, n, seed))
    db_prev = np.concatenate([np.full((res["DB"].shape[0], 1), 164e6), res["DB"][:, :-1]], axis=1)
    assert np.all(np.abs(res["CS"]) <= 0.01 * db_prev * (1 + 1e-12))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=draws, seed=st.integers(0, 2**32 - 1))
def test_cc_between_minus_allowance_and_zero(worked_example, n, seed):
    res = tm.evaluate(worked_example, _random_overrides(worked_example, n, seed))
    allowance = np.array([400_000, 410_000, 420_000, 430_000])
    assert np.all((res["CC"] >= -allowance) & (res["CC"] <= 0))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=draws, seed=st.integers(0, 2**32 - 1))
def test_k_zero_when_revenue_recovered_exactly(worked_example, n, seed):
    ov = _random_overrides(worked_example, n, seed)
    ov["inputs.recovery"] = np.ones((n, 4))
    for y in (2026, 2028, 2029):
        ov[f"inputs.ARDR@{y}"] = np.full(n, np.nan)  # absent: recovered exactly
    ov[f"inputs.ARDR@{HIST}"] = np.full(n, 168e6)
    res = tm.evaluate(worked_example, ov)
    assert np.all(res["K"] == 0.0)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# k at most 40: p [RO per kWh] times k stays within the values a scenario may hold (at most 1)
@given(k=st.floats(min_value=0.01, max_value=40.0), seed=st.integers(0, 2**32 - 1))
def test_scaling_money_scales_every_money_output(worked_example, k, seed):
    ov = _random_overrides(worked_example, 3, seed)
    base = tm.evaluate(worked_example, ov)
    scaled_ov = dict(ov)
    for target in MONEY_TARGETS:
        v = _value(worked_example, target)
        scaled_ov[target] = (
            np.broadcast_to(np.asarray(v, float) * k, (3,) + np.shape(v)).copy()
            if np.ndim(v)
            else np.full(3, v * k)
        )
    scaled_ov[f"inputs.ARDR@{HIST}"] = ov[f"inputs.ARDR@{HIST}"] * k
    d = worked_example.to_dict()
    d["call_centre"]["allowance"] = {y: v * k for y, v in d["call_centre"]["allowance"].items()}
    sc_k = tm.scenario_from_dict(d)
    scaled = tm.evaluate(sc_k, scaled_ov)
    for name in MONEY_OUTPUTS:
        np.testing.assert_allclose(
            scaled[name], k * base[name], rtol=1e-9, atol=1e-6 * k, err_msg=name
        )
    for name in ("D", "KS", "i", "AL", "para3", "para4", "para5"):
        np.testing.assert_array_equal(scaled[name], base[name], err_msg=name)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_vectorised_equals_one_by_one(worked_example, n, seed):
    ov = _random_overrides(worked_example, n, seed)
    together = tm.evaluate(worked_example, ov)
    for i in range(n):
        alone = tm.evaluate(worked_example, {k: v[i : i + 1] for k, v in ov.items()})
        for name, arr in together.items():
            np.testing.assert_array_equal(arr[i], alone[name][0], err_msg=name)


def test_vectorised_equals_project_of_edited_scenario(worked_example):
    values = [1.25e6, 1.35e6, 1.45e6]
    res = tm.evaluate(worked_example, {"inputs.CA@2028": np.array(values)})
    for i, v in enumerate(values):
        table = tm.project(worked_example.with_values({"inputs.CA@2028": v}))
        assert res["MADR"][i].tolist() == table["MADR"].tolist()


def test_history_row_may_carry_unused_columns(example_dict, worked_table):
    example_dict["inputs"][0]["CA"] = 1_250_000
    example_dict["inputs"][0]["CPI"] = 0.01
    table = tm.project(tm.scenario_from_dict(example_dict))
    assert table["MADR"].tolist() == worked_table["MADR"].tolist()


def test_quoted_year_keys(example_dict, worked_table):
    example_dict["notified"]["TL"] = {str(k): v for k, v in example_dict["notified"]["TL"].items()}
    table = tm.project(tm.scenario_from_dict(example_dict))
    assert table["MADR"].tolist() == worked_table["MADR"].tolist()


def test_own_year_key_by_modelled_year(worked_example):
    tl = np.array([[0.09, 0.08, 0.07, 0.06]])
    res = tm.evaluate(worked_example, {"notified.TL": tl})
    assert res["TL"][0].tolist() == [0.09, 0.08, 0.07, 0.06]


# --- values set by overrides obey the scenario format's rules -------------------------------


@pytest.mark.parametrize(
    ("target", "values", "words"),
    [
        ("inputs.CA@2027", [1.3e6, -5.0], ["CA must be above 0", "-5.0"]),
        ("notified.X", [0.01, 3.0], ["looks like a percent", "3.0"]),
        ("inputs.CPI@2028", [0.01, np.inf], ["must be a finite number"]),
        ("notified.p@2026", [0.01, 1.5], ["p must be at most 1"]),
    ],
)
def test_override_breaking_a_rule_is_an_error(worked_example, target, values, words):
    with pytest.raises(tm.InputError) as info:
        tm.evaluate(worked_example, {target: np.array(values)})
    assert info.value.key == target
    for word in words:
        assert word in str(info.value)


def test_override_on_a_rule_edge_is_accepted(worked_example):
    # exactly on the bounds: X of -0.2 and 0.5, CA just above 0
    res = tm.evaluate(worked_example, {"notified.X": np.array([-0.2, 0.5]),
                                       "inputs.CA@2027": np.array([1.0, 1.0])})  # fmt: skip
    assert res["MADR"].shape == (2, 4)


def test_nan_is_a_value_not_given_only_where_a_row_may_leave_it_out(worked_example):
    res = tm.evaluate(worked_example, {"inputs.ARDR@2027": np.array([np.nan])})
    assert np.isfinite(res["MADR"]).all()
    with pytest.raises(tm.InputError, match="finite"):
        tm.evaluate(worked_example, {"inputs.CA@2027": np.array([np.nan])})

"""AMR plans: the default plan, a one-vintage plan by hand, replacement, opex timing, benefits,
variants, and bad input named by file, key and year."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffmodel.inputs.errors import InputError
from tariffmodel.model import amr

from conftest import expect_input_error

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"


def tiny(**changes) -> dict:
    """One central-system vintage of RO 1,000 in 2026, life 4, WACC 10 %, nothing else."""
    d = {
        "name": "one vintage",
        "first_year": 2026,
        "horizon_end": 2026,
        "wacc": 0.1,
        "accounts": 1000,
        "rollout": {2026: 0},
        "capex": {"hes": {"amounts": {2026: 1000.0}, "life": 4}},
    }
    d.update(changes)
    return d


@pytest.fixture(scope="module")
def default_plan():
    return amr.load_plan(DEFAULT_PLAN)


@pytest.fixture(scope="module")
def one():
    return amr.table(amr.plan_from_dict(tiny())).set_index("year")


class TestOneVintagePlanByHand:
    def test_years_run_to_full_depreciation(self, one):
        assert one.index.tolist() == [2026, 2027, 2028, 2029, 2030]

    def test_capex(self, one):
        assert one["capex"].tolist() == [1000.0, 0, 0, 0, 0]

    def test_opening_rav(self, one):
        assert one["opening_rav"].tolist() == [0.0, 1000.0, 750.0, 500.0, 250.0]

    def test_depreciation(self, one):
        assert one["depreciation"].tolist() == [0.0, 250.0, 250.0, 250.0, 250.0]

    def test_return(self, one):
        assert one["return"].to_numpy() == pytest.approx([0.0, 100.0, 75.0, 50.0, 25.0])

    def test_closing_rav(self, one):
        assert one["closing_rav"].to_numpy() == pytest.approx([1000.0, 750.0, 500.0, 250.0, 0.0])

    def test_amr(self, one):
        assert one["AMR"].to_numpy() == pytest.approx([0.0, 350.0, 325.0, 300.0, 275.0])

    def test_wacc_recorded(self, one):
        assert (one["wacc"] == 0.1).all()

    def test_ro_per_account(self, one):
        assert one.loc[2027, "ro_per_account"] == pytest.approx(0.35)

    def test_allowance_series(self):
        s = amr.allowance(amr.plan_from_dict(tiny()))
        assert s.name == "AMR" and s.index.tolist() == [2026, 2027, 2028, 2029, 2030]
        assert s.to_numpy() == pytest.approx([0.0, 350.0, 325.0, 300.0, 275.0])

    def test_allowance_half_year(self):
        s = amr.allowance(amr.plan_from_dict(tiny()), convention="half_year")
        assert s[2027] == pytest.approx(1000 * math.sqrt(1.1) * (0.25 + 0.1))

    def test_levelised_same_npv(self):
        plan = amr.plan_from_dict(tiny(levelise=True))
        s = amr.allowance(plan)
        assert np.ptp(s.to_numpy()) == pytest.approx(0.0, abs=1e-9)
        assert amr.summary(plan)["npv_allowance"] == pytest.approx(1000 / 1.1)

    def test_stops_at_horizon_without_run_off(self):
        plan = amr.plan_from_dict(tiny(run_off=False, horizon_end=2028))
        t = amr.table(plan)
        assert t["year"].tolist() == [2026, 2027, 2028]
        s = amr.summary(plan)
        assert s["closing_rav_last_year"] == pytest.approx(500.0)
        assert s["npv_identity_gap"] == pytest.approx(0.0, abs=1e-9)


class TestReplacementInPlan:
    def test_replaced_inside_horizon_only(self):
        d = tiny(horizon_end=2032, capex={"hsm": {"amounts": {2026: 90.0}, "life": 3}})
        t = amr.table(amr.plan_from_dict(d)).set_index("year")
        assert t["capex"][t["capex"] > 0].index.tolist() == [2026, 2029, 2032]
        assert t.index[-1] == 2035  # the 2032 replacement depreciates over 2033-2035
        assert t.loc[2035, "closing_rav"] == pytest.approx(0.0, abs=1e-9)

    def test_per_meter_class_replaced_with_escalation(self):
        d = tiny(
            horizon_end=2029,
            escalation=0.1,
            rollout={2026: 10, 2027: 20},
            capex={"ihd": {"unit_cost": 5.0, "share": 0.5, "life": 2}},
        )
        t = amr.table(amr.plan_from_dict(d)).set_index("year")
        # 2026: 10 x 5 x 0.5 = 25; 2027: 20 x 5 x 0.5 x 1.1 = 55;
        # 2028: 25 x 1.1^2 = 30.25; 2029: 55 x 1.1^2 = 66.55
        assert t["capex"].loc[2026:2029].to_numpy() == pytest.approx([25.0, 55.0, 30.25, 66.55])


class TestOpexAndCyber:
    def plan(self):
        return amr.plan_from_dict(
            tiny(
                horizon_end=2028,
                rollout={2026: 100, 2027: 100},
                opex={
                    "comms": {"per_meter_year": 2.0},
                    "central": {"per_year": 500.0, "from": 2027},
                },
                cyber_security={
                    "effective_date": "2026-07-01",
                    "isms_certification": 365.0,
                    "security_audit": 730.0,
                    "supplier_assurance": 73.0,
                },
            )
        )

    def test_comms_on_meters_in_service(self):
        t = amr.table(self.plan()).set_index("year")
        # in service: 50 (2026), 150 (2027), 200 (2028); zero after the horizon
        assert t["opex_comms"].loc[2026:2029].tolist() == [100.0, 300.0, 400.0, 0.0]

    def test_per_year_from(self):
        t = amr.table(self.plan()).set_index("year")
        assert t["opex_central"].loc[2026:2029].tolist() == [0.0, 500.0, 500.0, 0.0]

    def test_isms_within_12_months(self):
        t = amr.table(self.plan()).set_index("year")
        # 1 July 2026: 184 days of 2026, 181 of 2027
        assert t["opex_isms_certification"].loc[2026:2028].tolist() == pytest.approx(
            [184.0, 181.0, 0.0]
        )

    def test_audit_from_certification(self):
        t = amr.table(self.plan()).set_index("year")
        assert t["opex_security_audit"].loc[2026:2028].tolist() == pytest.approx(
            [0.0, 730.0 * 184 / 365, 730.0]
        )

    def test_supplier_assurance_from_effective_date(self):
        t = amr.table(self.plan()).set_index("year")
        assert t["opex_supplier_assurance"].loc[2026:2028].tolist() == pytest.approx(
            [73.0 * 184 / 365, 73.0, 73.0]
        )

    def test_opex_in_amr(self):
        t = amr.table(self.plan())
        assert (t["AMR"] == t["depreciation"] + t["return"] + t["opex"]).all()


def _cyber_plan(effective_date: str, horizon_end: int, run_off: bool = True):
    return amr.plan_from_dict(
        tiny(
            horizon_end=horizon_end,
            run_off=run_off,
            cyber_security={
                "effective_date": effective_date,
                "isms_certification": 366.0,
                "security_audit": 366.0,
                "supplier_assurance": 0.0,
            },
        )
    )


class TestAsIncurredHasNoRunOff:
    def plan(self, levelise=False):
        # RO 1,000 spent in 2026 and 2027, life 4, horizon 2027: year end runs off to 2031
        data = tiny(horizon_end=2027, run_off=True, levelise=levelise)
        data["capex"]["hes"]["amounts"] = {2026: 1000.0, 2027: 1000.0}
        return amr.plan_from_dict(data)

    def test_table_stops_at_the_horizon(self):
        assert amr.table(self.plan(), "year_end")["year"].tolist() == list(range(2026, 2032))
        t = amr.table(self.plan(), "as_incurred")
        assert t["year"].tolist() == [2026, 2027]
        assert t["AMR"].tolist() == [1000.0, 1000.0]

    def test_levelised_over_the_horizon_only(self):
        # flat profile of the same NPV over 2026-2027 at 10 %: 1,000 a year
        t = amr.table(self.plan(levelise=True), "as_incurred")
        assert t["AMR"].to_numpy() == pytest.approx([1000.0, 1000.0], rel=1e-12)
        s = amr.summary(self.plan(levelise=True), "as_incurred")
        assert s["npv_allowance"] == pytest.approx(1000.0 / 1.1 + 1000.0 / 1.1**2, rel=1e-12)


class TestCyberByTheCalendar:
    def test_certification_across_a_leap_day(self):
        # 1 March 2027 to 29 February 2028: 366 days, 306 of them in 2027 and 60 in 2028
        t = amr.table(_cyber_plan("2027-03-01", 2029)).set_index("year")
        assert t["opex_isms_certification"].loc[2027:2029].tolist() == pytest.approx(
            [306.0, 60.0, 0.0]
        )

    def test_audit_from_certification_in_a_leap_year(self):
        # certified by 1 March 2028: 306 of the 366 days of 2028
        t = amr.table(_cyber_plan("2027-03-01", 2029)).set_index("year")
        assert t["opex_security_audit"].loc[2027:2029].tolist() == pytest.approx(
            [0.0, 306.0, 366.0]
        )

    @pytest.mark.parametrize("run_off", [True, False])
    def test_costs_end_with_the_horizon_whatever_the_run_off(self, run_off):
        # effective 1 October 2029, horizon 2029: 92 of the 365 days of the 12 months fall in
        # the horizon; the rest, and the audit from 2030, are after it
        t = amr.table(_cyber_plan("2029-10-01", 2029, run_off)).set_index("year")
        assert t.loc[2029, "opex_isms_certification"] == pytest.approx(366.0 * 92 / 365)
        after = t.loc[2030:, ["opex_isms_certification", "opex_security_audit"]]
        assert len(after) == (1 if run_off else 0) and (after == 0.0).all().all()


class TestBenefitsAndLosses:
    def plan(self, **benefits):
        b = {
            "loss_reduction": {2027: 0.004},
            "bulk_supplies_kwh": 1e9,
            "baseline_losses": 0.1,
            "loss_energy_price": 0.03,
            "p": 0.02,
        }
        b.update(benefits)
        return amr.plan_from_dict(tiny(horizon_end=2028, benefits=b))

    def test_loss_reduction_series(self):
        s = amr.loss_reduction(self.plan())
        assert s.loc[2026:2028].tolist() == [0.0, 0.004, 0.0]

    def test_delta_cpl(self):
        t = amr.table(self.plan()).set_index("year")
        assert t.loc[2027, "delta_CPL"] == pytest.approx(-(1e9 - 9e8 / 0.904) * 0.03)

    def test_delta_loss_next_year(self):
        t = amr.table(self.plan()).set_index("year")
        assert t.loc[2028, "delta_LOSS"] == pytest.approx(9e8 * 0.02 * 0.004)
        assert t.loc[2027, "delta_LOSS"] == 0.0

    def test_coverage_scaled(self):
        d = tiny(
            horizon_end=2027,
            rollout={2026: 100, 2027: 100},
            benefits={"loss_reduction": 0.004, "bulk_supplies_kwh": 1e9},
        )
        s = amr.loss_reduction(amr.plan_from_dict(d))
        # in service 50 and 150 of 200 meters
        assert s.loc[2026:2027].tolist() == pytest.approx([0.001, 0.003])

    def test_levelised_cost_per_meter_and_payback(self):
        d = tiny(
            horizon_end=2027,
            rollout={2026: 100},
            capex={"meters": {"unit_cost": 10.0, "life": 2}},
            opex={"comms": {"per_meter_year": 1.0}},
            benefits={"manual_read_per_meter_year": 8.0},
        )
        s = amr.summary(amr.plan_from_dict(d))
        npv_costs = 1000 / 1.1 + 50 / 1.1 + 100 / 1.21
        assert s["npv_costs"] == pytest.approx(npv_costs)
        assert s["levelised_cost_per_meter_year"] == pytest.approx(
            npv_costs / (50 / 1.1 + 100 / 1.21)
        )
        # benefits 400, 800 against costs 1050, 100: cumulative -650, +50 in 2027
        assert s["payback_year"] == 2027
        assert s["payback_year_discounted"] is None


class TestDefaultPlan:
    def test_about_1_2_million_meters_with_the_opening_position(self, default_plan):
        assert default_plan.opening_meters == 770_000
        assert default_plan.total_meters == 430_000
        assert sorted(default_plan.rollout) == [2026, 2027, 2028]
        assert [v.year for v in default_plan.opening.vintages] == list(range(2020, 2026))
        assert default_plan.opening.recovered_in == "elsewhere"
        statuses = {v.year: v.status for v in default_plan.opening.vintages}
        assert statuses == {
            2020: "reported",
            2021: "reported",
            2022: "estimate",
            2023: "reported",
            2024: "estimate",
            2025: "estimate",
        }

    def test_eight_asset_classes(self, default_plan):
        assert set(default_plan.class_names) == {
            "meters",
            "communications_hubs",
            "installation",
            "in_home_displays",
            "head_end_system",
            "meter_data_management",
            "hardware_security_modules",
            "utrn_generators",
        }

    def test_every_figure_sourced_or_illustrative(self, default_plan):
        for item in (
            *default_plan.capex,
            *default_plan.opex,
            default_plan.cyber,
            default_plan.benefits,
        ):
            assert item.source, item
        for key in ("rollout", "accounts", "wacc", "escalation", "exchange_rates"):
            assert default_plan.sources.get(key), key
        assert "illustrative" in DEFAULT_PLAN.read_text().lower()

    def test_npv_neutral(self, default_plan):
        s = amr.summary(default_plan)
        assert s["npv_allowance"] == pytest.approx(s["npv_costs"], rel=1e-12)
        assert s["closing_rav_last_year"] == pytest.approx(0.0, abs=1e-3)

    @pytest.mark.parametrize("convention", ["year_end", "half_year", "as_incurred"])
    def test_identity_every_convention(self, default_plan, convention):
        s = amr.summary(default_plan, convention=convention)
        assert s["npv_identity_gap"] == pytest.approx(0.0, abs=1e-6 * s["npv_costs"])

    def test_foreign_unit_cost_converted(self, default_plan):
        ihd = {c.name: c for c in default_plan.capex}["in_home_displays"]
        assert ihd.unit_cost == pytest.approx(25.0 * 0.51)

    def test_table_columns(self, default_plan):
        t = amr.table(default_plan)
        need = ["year", "capex", "opening_rav", "depreciation", "return", "closing_rav", "opex"]
        assert set(need + ["AMR", "wacc"]) <= set(t.columns)
        assert t["year"].dtype.kind == "i"

    def test_variants_linear_in_capex(self, default_plan):
        r = amr.run_variants(default_plan, capex_scale=[1.0, 2.0], opex_scale=[0.0, 0.0])
        assert r["AMR"][1] == pytest.approx(2 * r["AMR"][0])
        single = amr.table(default_plan)
        r1 = amr.run_variants(default_plan)
        assert r1["AMR"][0] == pytest.approx(single["AMR"].to_numpy(), rel=0, abs=0)

    def test_variants_by_class_and_wacc(self, default_plan):
        scale = np.ones((3, 8))
        scale[1, 0] = 0.0  # no meters
        r = amr.run_variants(default_plan, capex_scale=scale, wacc=[0.07, 0.07, 0.05])
        assert r["capex"][1].sum() < r["capex"][0].sum()
        assert r["npv_allowance"][2] != r["npv_allowance"][0]
        assert r["npv_allowance"] + r["npv_closing_rav"] == pytest.approx(r["npv_costs"])


# --------------------------------------------------------------------------- bad input


def bad(tmp_path, data, match):
    return expect_input_error(amr.load_plan, tmp_path, data, match)


@pytest.fixture
def plan_dict():
    return copy.deepcopy(yaml.safe_load(DEFAULT_PLAN.read_text()))


class TestBadInput:
    @pytest.mark.parametrize("key", ["p", "loss_energy_price"])
    def test_price_in_baisa(self, tmp_path, plan_dict, key):
        plan_dict["benefits"][key] = 20
        e = bad(tmp_path, plan_dict, "at most 1, not 20: in baisa")
        assert e.key == f"benefits.{key}"

    def test_price_of_exactly_one_ro_per_kwh_is_accepted(self, plan_dict):
        plan_dict["benefits"]["p"] = 1.0
        assert amr.plan_from_dict(plan_dict).benefits.p == 1.0

    def test_negative_unit_cost(self, tmp_path, plan_dict):
        plan_dict["capex"]["meters"]["unit_cost"] = -45.0
        e = bad(tmp_path, plan_dict, "must not be negative")
        assert e.key == "capex.meters.unit_cost"

    def test_negative_amount_names_year(self, tmp_path, plan_dict):
        plan_dict["capex"]["head_end_system"]["amounts"][2027] = -1.0
        e = bad(tmp_path, plan_dict, "must not be negative")
        assert e.key == "capex.head_end_system.amounts" and e.year == 2027

    def test_negative_opex(self, tmp_path, plan_dict):
        plan_dict["opex"]["communications"]["per_meter_year"] = -2.5
        assert bad(tmp_path, plan_dict, "negative").key == "opex.communications.per_meter_year"

    def test_negative_life(self, tmp_path, plan_dict):
        plan_dict["capex"]["meters"]["life"] = -15
        assert bad(tmp_path, plan_dict, "negative").key == "capex.meters.life"

    def test_life_zero(self, tmp_path, plan_dict):
        plan_dict["capex"]["utrn_generators"]["life"] = 0
        assert bad(tmp_path, plan_dict, "at least 1 year").key == "capex.utrn_generators.life"

    def test_fractional_life(self, tmp_path, plan_dict):
        plan_dict["capex"]["meters"]["life"] = 12.5
        assert bad(tmp_path, plan_dict, "whole number").key == "capex.meters.life"

    def test_wacc_in_percent(self, tmp_path, plan_dict):
        plan_dict["wacc"] = 7.0
        assert bad(tmp_path, plan_dict, "looks like a percent").key == "wacc"

    def test_wacc_just_below_limit_is_accepted(self, plan_dict):
        plan_dict["wacc"] = 0.2999
        assert amr.plan_from_dict(plan_dict).wacc == 0.2999

    def test_rollout_more_than_accounts(self, tmp_path, plan_dict):
        plan_dict["rollout"][2030] = 250000  # 1,450,000 installed by 2030 > 1,407,200 accounts
        e = bad(tmp_path, plan_dict, "more than the 1,407,200 customer accounts")
        assert (e.key, e.year) == ("rollout", 2030)

    def test_rollout_exactly_accounts_is_accepted(self, plan_dict):
        plan_dict["accounts"] = {2026: 1_200_000}  # 770,000 opening + 430,000 installed
        plan = amr.plan_from_dict(plan_dict)
        assert plan.total_meters + plan.opening_meters == 1_200_000

    def test_opening_counts_against_the_accounts(self, tmp_path, plan_dict):
        plan_dict["accounts"] = {2026: 900_000}  # 770,000 opening + 200,000 in 2026
        e = bad(tmp_path, plan_dict, r"\(with the opening position\) has installed 970,000")
        assert (e.key, e.year) == ("rollout", 2026)

    def test_opening_rav_under_elsewhere_is_refused(self, tmp_path, plan_dict):
        plan_dict["opening"]["vintages"][2023]["rav"] = 4_000_000
        e = bad(tmp_path, plan_dict, "recovered outside AMR_t")
        assert (e.key, e.year) == ("opening.vintages.2023.rav", 2023)

    def test_opening_amr_without_rav_is_refused(self, tmp_path, plan_dict):
        plan_dict["opening"]["recovered_in"] = "amr"
        e = bad(tmp_path, plan_dict, "every vintage needs its rav")
        assert (e.key, e.year) == ("opening.vintages.2020.rav", 2020)

    def test_opening_recovered_in_unknown(self, tmp_path, plan_dict):
        plan_dict["opening"]["recovered_in"] = "both"
        assert bad(tmp_path, plan_dict, "not one of amr, elsewhere").key == "opening.recovered_in"

    def test_opening_vintage_in_the_plan_is_refused(self, tmp_path, plan_dict):
        plan_dict["opening"]["vintages"][2026] = {"meters": 1, "status": "estimate", "source": "x"}
        e = bad(tmp_path, plan_dict, "before the first year 2026")
        assert (e.key, e.year) == ("opening.vintages.2026", 2026)

    def test_opening_vintage_needs_status_and_source(self, tmp_path, plan_dict):
        plan_dict["opening"]["vintages"][2021]["status"] = "guess"
        assert "status 'guess'" in bad(tmp_path, plan_dict, "not one of").rule
        del plan_dict["opening"]["vintages"][2021]["status"]
        e = bad(tmp_path, plan_dict, "required")
        assert (e.key, e.year) == ("opening.vintages.status", 2021)

    def test_fully_depreciated_vintage_with_rav_is_refused(self, tmp_path, plan_dict):
        o = plan_dict["opening"]
        o["recovered_in"], o["life"] = "amr", 5
        for v in o["vintages"].values():
            v["rav"] = 1000.0
        e = bad(tmp_path, plan_dict, "fully depreciated by 2026")
        assert (e.key, e.year) == ("opening.vintages.2020.rav", 2020)

    def test_loss_reduction_in_points(self, tmp_path, plan_dict):
        plan_dict["benefits"]["loss_reduction"] = 0.4
        assert bad(tmp_path, plan_dict, "percentage points").key == "benefits.loss_reduction"

    def test_unknown_key_suggests(self, tmp_path, plan_dict):
        plan_dict["capex"]["meters"]["lfie"] = 3
        bad(tmp_path, plan_dict, "did you mean 'life'")

    def test_unknown_currency(self, tmp_path, plan_dict):
        plan_dict["capex"]["meters"]["currency"] = "AUD"
        assert bad(tmp_path, plan_dict, "no rate").key == "capex.meters.currency"

    def test_rollout_year_outside_plan(self, tmp_path, plan_dict):
        plan_dict["rollout"][2045] = 10
        assert bad(tmp_path, plan_dict, "outside the years 2026-2040").year == 2045

    def test_missing_file(self, tmp_path):
        with pytest.raises(InputError, match="not found|cannot read"):
            amr.load_plan(tmp_path / "nope.yaml")

    def test_unknown_convention_in_call(self, default_plan):
        with pytest.raises(InputError, match="did you mean 'half_year'"):
            amr.allowance(default_plan, convention="half_yaer")


def test_allowance_accepts_a_path():
    s = amr.allowance(DEFAULT_PLAN)
    assert isinstance(s, pd.Series) and s.index[0] == 2026 and (s >= 0).all()


# --------------------------------------------------------------------------- property


@st.composite
def random_plans(draw):
    """Small plans: up to three classes of lumpy capex (with replacement), any convention."""
    first = 2026
    horizon = draw(st.integers(0, 12))
    classes = {}
    for k in range(draw(st.integers(1, 3))):
        years = draw(st.lists(st.integers(first, first + horizon), min_size=1, max_size=4))
        classes[f"c{k}"] = {
            "amounts": {y: draw(st.floats(0, 1e7)) for y in years},
            "life": draw(st.integers(1, 12)),
        }
    return {
        "name": "random",
        "first_year": first,
        "horizon_end": first + horizon,
        "run_off": draw(st.booleans()),
        "wacc": draw(st.floats(0.0, 0.25)),
        "escalation": draw(st.floats(0.0, 0.05)),
        "accounts": 100,
        "rollout": {first: 10},
        "capex": classes,
        "opex": {"o": {"per_year": draw(st.floats(0, 1e5))}},
    }


@settings(deadline=None)
@given(random_plans(), st.sampled_from(["year_end", "half_year", "as_incurred"]), st.booleans())
def test_plan_npv_identity(d, convention, levelise):
    plan = amr.plan_from_dict(d)
    s = amr.summary(plan, convention=convention, levelise=levelise)
    scale = max(1.0, s["npv_costs"])
    assert s["npv_identity_gap"] == pytest.approx(0.0, abs=1e-9 * scale)
    if d["run_off"]:
        assert s["closing_rav_last_year"] == pytest.approx(0.0, abs=1e-9 * scale)
    t = amr.table(plan, convention=convention)
    # capex stops at the horizon; nothing but capital recovery after it
    after = t[t["year"] > d["horizon_end"]]
    assert not after["capex"].any() and not after["opex"].any()


class TestOpeningPosition:
    """The meters installed before the first year: their capital recovered once, in one place."""

    def plans(self, plan_dict, rav=1_000_000.0):
        with_amr = copy.deepcopy(plan_dict)
        with_amr["opening"]["recovered_in"] = "amr"
        for v in with_amr["opening"]["vintages"].values():
            v["rav"] = rav
        without = copy.deepcopy(plan_dict)
        del without["opening"]
        return (
            amr.plan_from_dict(plan_dict),
            amr.plan_from_dict(with_amr),
            amr.plan_from_dict(without),
        )

    def test_never_counted_twice(self, plan_dict):
        elsewhere, in_amr, none = self.plans(plan_dict)
        a, b = amr.run_variants(elsewhere), amr.run_variants(in_amr)
        # the opening RAV is no capex of the plan under either choice
        np.testing.assert_array_equal(a["capex"], b["capex"])
        # recovered in AMR_t: the depreciation adds the opening RAV exactly once in all
        six = 6 * 1_000_000.0  # vintages 2020-2025; life 15, all still depreciating in 2026
        assert (b["depreciation"] - a["depreciation"]).sum() == pytest.approx(six, rel=1e-12)
        assert b["opening_rav"][0, 0] - a["opening_rav"][0, 0] == pytest.approx(six)
        # recovered elsewhere: before the first replacement (2027, in-home displays of 2020) the
        # capital part of AMR_t is that of the plan without the opening position
        c = amr.run_variants(none)
        assert a["years"][0] == c["years"][0] == 2026
        for key in ("capex", "depreciation", "return", "closing_rav"):
            np.testing.assert_array_equal(a[key][:, :1], c[key][:, :1])

    def test_opening_rav_by_hand(self, plan_dict):
        _, in_amr, _ = self.plans(plan_dict)
        elsewhere = amr.plan_from_dict(plan_dict)
        a, b = amr.run_variants(elsewhere), amr.run_variants(in_amr)
        # 2026: vintage v has 15 - (2026 - v) years left: 9 (2020) ... 14 (2025)
        left = [9, 10, 11, 12, 13, 14]
        dep_2026 = sum(1_000_000.0 / n for n in left)
        assert (b["depreciation"] - a["depreciation"])[0, 0] == pytest.approx(dep_2026)
        assert (b["return"] - a["return"])[0, 0] == pytest.approx(0.07 * 6_000_000.0)
        # the 2020 vintage is gone after 9 years: 2035 carries only the five others
        y2035 = list(a["years"]).index(2035)
        dep_2035 = sum(1_000_000.0 / n for n in left[1:])
        assert (b["depreciation"] - a["depreciation"])[0, y2035] == pytest.approx(dep_2035)

    def test_opening_meters_run_and_are_replaced(self, default_plan):
        t = amr.table(default_plan).set_index("year")
        assert t.loc[2026, "meters_in_service"] == 770_000 + 200_000 / 2
        # meters (life 15) of 2021 come back as capex in 2036: 38,500 at RO 45, escalated 1 %
        grow = 1.01 ** (2036 - 2026)
        assert t.loc[2036, "capex_meters"] >= 38_500 * 45.0 * grow
        # benefits count the plan's new meters only (the others are in the 2024 baseline)
        per_meter = 3.0 + 0.5
        assert t.loc[2026, "benefits"] + t.loc[2026, "delta_CPL"] == pytest.approx(
            per_meter * 100_000
        )

    def test_old_plan_without_opening_is_unchanged(self, plan_dict):
        _, _, none = self.plans(plan_dict)
        assert none.opening is None and none.opening_meters == 0.0
        t = amr.table(none).set_index("year")
        assert t.loc[2026, "meters_in_service"] == 100_000

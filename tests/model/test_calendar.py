"""The calendar of obligations against dates written by hand, for two Effective Dates (one of
them 29 February), its events and notes, bad input, and the AMR plan's cyber costs against it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tariffmodel as tm
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence import obligations as ob
from tariffmodel.licence.obligations import OBLIGATIONS
from tariffmodel.model import amr
from tariffmodel.model.calendar import amr_cyber_agreement, build_calendar

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"
BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"


def dated(cal, oid):
    t = cal.table
    return t.loc[(t["id"] == oid) & t["date"].notna(), "date"].tolist()


def on_event(cal, oid):
    t = cal.table
    return t[(t["id"] == oid) & (t["status"] == "on event")]


# --------------------------------------------------------------------------- the licence


def test_one_year_of_the_licence_by_hand():
    cal = build_calendar("2027-01-01", "2027-12-31")
    rows = [(r.date, r.id, r.period) for r in cal.dated.itertuples()]
    assert rows == [
        (D(2027, 2, 12), "S2-9", "Relevant Year 2027"),
        (D(2027, 3, 31), "S2-10", "Relevant Year 2026"),
        (D(2027, 3, 31), "S2-11", "Relevant Year 2026"),
        (D(2027, 3, 31), "C32", "Relevant Year 2026"),
        (D(2027, 4, 1), "S2-7", "Relevant Year 2027"),
        (D(2027, 5, 31), "C17", "licence year 1 June 2026 to 31 May 2027"),
        (D(2027, 5, 31), "C23", "licence year 1 June 2026 to 31 May 2027"),
        (D(2027, 5, 31), "C31", "licence year 1 June 2026 to 31 May 2027"),
        (D(2027, 6, 1), "C33", "licence year from 1 June 2027"),
        (D(2027, 6, 30), "C14", "financial year 2026"),
        (D(2027, 12, 1), "S2-DNS", "Relevant Year 2028"),
    ]
    status = dict(zip(cal.dated["id"], cal.dated["status"], strict=True))
    assert status["C17"] == status["C32"] == "assumed date"
    assert status["S2-7"] == "conditional" and status["S2-9"] == "due"
    # without their events: paragraph 6 once, the fee once for the year, "on event", with rule
    assert on_event(cal, "S2-6")["rule"].str.contains("1 month prior").all()
    assert on_event(cal, "C13")["period"].tolist() == ["Relevant Year 2027"]
    assert len(cal.table) == 13


def test_range_is_inclusive_and_nothing_before_the_licence():
    cal = build_calendar("2027-02-12", "2027-02-12")
    assert dated(cal, "S2-9") == [D(2027, 2, 12)]
    assert len(cal.dated) == 1
    early = build_calendar("2020-01-01", "2023-12-31")
    assert early.dated["date"].min() == D(2023, 12, 1)  # DNS of 2024; 2023's paragraph 9 was due
    assert any("1 June 2023" in n or "2023-06-01" in n for n in early.notes)  # before the licence


def test_conditions_with_yearly_statements_are_named_with_their_dates():
    note = next(n for n in build_calendar("2027-01-01", "2027-12-31").notes if "Condition 17" in n)
    for words in (
        "Condition 14 (Regulatory accounts and auditors' report): 30 June of t+1",
        "Condition 17 (Yearly statement on environmental guidance and standards): 31 May of "
        "each year (assumed: the licence sets no date)",
        "Condition 23 (Yearly statement on Omanisation and Omani Content): 31 May of each year "
        "(assumed",
        "Condition 31 (Revised statements of connection and use of system charges): 31 May",
        "31 March of t+1 (assumed",
        "Condition 33 (Distribution System Capability Statement): 1 June of each year.",
    ):
        assert words in note


def test_change_of_charges_paragraph_6_and_7():
    # published 31 March: the forecast is due 1 month before, 28 February (29 in a leap year)
    cal = build_calendar(
        "2027-01-01",
        "2028-12-31",
        events={"charge_publication": ["2027-03-31", "2028-03-31"]},
    )
    assert dated(cal, "S2-6") == [D(2027, 2, 28), D(2028, 2, 29)]
    # a change within 3 months of 1 January (on or before 1 April): paragraph 7 falls away
    assert dated(cal, "S2-7") == []
    assert on_event(cal, "S2-6").empty
    note = cal.table.loc[cal.table["id"] == "S2-6", "note"].iloc[0]
    assert "statement of 2026 (due 2027-03-31)" in note
    edge = build_calendar("2027-01-01", "2027-12-31", events={"charge_publication": "2027-04-01"})
    assert dated(edge, "S2-7") == []
    late = build_calendar("2027-01-01", "2027-12-31", events={"charge_publication": "2027-04-02"})
    assert dated(late, "S2-7") == [D(2027, 4, 1)]


def test_fee_of_the_first_relevant_year_has_the_authoritys_instalments():
    cal = build_calendar("2023-06-01", "2024-06-30", events={"fee_notice": "2023-07-01"})
    assert dated(cal, "C13") == [D(2023, 7, 31)]
    assert (
        "the Authority determines the number"
        in cal.table.loc[cal.table["id"] == "C13", "note"].iloc[0]
    )


def test_a_date_given_twice_is_one_event():
    cal = build_calendar("2027-01-01", "2027-12-31", events={"fee_notice": ["2027-01-01"] * 2})
    assert dated(cal, "C13") == [D(2027, 1, 31), D(2027, 4, 30), D(2027, 7, 31), D(2027, 10, 31)]


def test_docs_list_every_obligation():
    text = (ROOT / "docs" / "calendar.md").read_text()
    for o in OBLIGATIONS:
        assert f"| {o.id} |" in text, o.id


def test_fee_instalments_follow_the_notice():
    cal = build_calendar("2027-01-01", "2028-12-31", events={"fee_notice": "2027-10-15"})
    assert dated(cal, "C13") == [D(2027, 11, 14), D(2028, 2, 14), D(2028, 5, 14), D(2028, 8, 14)]
    notes = cal.table.loc[cal.table["id"] == "C13", "note"].tolist()
    assert notes[0] == "instalment 1 of 4"
    assert "falls after 31 December 2027, though within the fee year from 1 June 2027" in notes[1]
    assert "within the fee year" in notes[2]
    assert "and after the fee year from 1 June 2027" in notes[3]  # 14 August 2028
    # 2028 has no notice: listed on event
    assert on_event(cal, "C13")["period"].tolist() == ["Relevant Year 2028"]


# --------------------------------------------------------------------------- the regulation


def test_no_effective_date_leaves_the_regulation_out_with_a_note():
    cal = build_calendar("2026-01-01", "2030-12-31")
    assert not cal.table["id"].str.startswith("REG").any()
    assert any("left out" in n and "--effective-date" in n for n in cal.notes)


def test_effective_date_1_july_2026_by_hand():
    cal = build_calendar("2026-01-01", "2029-12-31", effective_date="2026-07-01")
    assert dated(cal, "REG-2.1.1") == [D(2027, 7, 1)]
    assert dated(cal, "REG-2.2.3") == [D(2027, 7, 1)]
    assert dated(cal, "REG-2.2.4") == [D(2028, 7, 1), D(2029, 7, 1)]
    assert dated(cal, "REG-2.2.7") == [D(2027, 7, 1), D(2028, 7, 1), D(2029, 7, 1)]
    assert dated(cal, "REG-2.2.5") == []
    assert on_event(cal, "REG-2.2.5")["period"].tolist() == ["the certificate", "an audit report"]
    assert "due by 2027-07-01" in on_event(cal, "REG-2.2.5")["note"].iloc[0]


def test_effective_date_29_february_2028_by_hand():
    cal = build_calendar("2028-01-01", "2032-12-31", effective_date="2028-02-29")
    # 12 months from 29 February is 28 February, and a yearly chain stays on the 28th
    assert dated(cal, "REG-2.1.1") == [D(2029, 2, 28)]
    assert dated(cal, "REG-2.2.3") == [D(2029, 2, 28)]
    assert dated(cal, "REG-2.2.4") == [D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 28)]
    assert dated(cal, "REG-2.2.7") == [
        D(2029, 2, 28),
        D(2030, 2, 28),
        D(2031, 2, 28),
        D(2032, 2, 28),
    ]


def test_specified_dates_certificate_and_directions():
    cal = build_calendar(
        "2028-01-01",
        "2031-12-31",
        effective_date="2028-02-29",
        specified_dates={
            "certification": "2029-06-30",
            "supplier_assurance": "2029-09-30",
            "direction:hsm-keys": "2028-09-30",
        },
        events={"certificate": "2029-05-10", "audit_report": ["2030-04-20", "2031-04-25"]},
    )
    assert dated(cal, "REG-2.1.1") == [D(2029, 2, 28)]  # compliance stays with the Effective Date
    assert dated(cal, "REG-2.2.3") == [D(2029, 6, 30)]
    # audits yearly from the certificate's date; each report and the certificate within 30 days
    assert dated(cal, "REG-2.2.4") == [D(2030, 5, 10), D(2031, 5, 10)]
    assert dated(cal, "REG-2.2.5") == [D(2029, 6, 9), D(2030, 5, 20), D(2031, 5, 25)]
    assert dated(cal, "REG-2.2.7") == [D(2029, 9, 30), D(2030, 9, 30), D(2031, 9, 30)]
    direction = cal.table[cal.table["id"] == "REG-2.2.8"]
    assert direction["date"].tolist() == [D(2028, 9, 30)]
    assert direction["period"].tolist() == ["direction hsm-keys"]


# --------------------------------------------------------------------------- model outputs


def test_model_outputs_come_from_the_scenario(worked_example):
    table = tm.project(worked_example).set_index("year")
    cal = build_calendar("2027-01-01", "2031-12-31", scenario=worked_example)
    t = cal.table
    k = t.loc[(t["id"] == "S2-9") & (t["period"] == "Relevant Year 2027"), "model_output"].iloc[0]
    assert f"K_2027 = {table.at[2027, 'K']:,.2f} RO" in k
    para10 = t.loc[(t["id"] == "S2-10") & (t["period"] == "Relevant Year 2027"), "model_output"]
    assert f"ARDR_2027 = {table.at[2027, 'ARDR']:,.2f} RO" in para10.iloc[0]
    late = t.loc[(t["id"] == "S2-9") & (t["period"] == "Relevant Year 2031"), "model_output"]
    assert "not modelled: the scenario covers 2026-2029" in late.iloc[0]
    assert cal.scenario == worked_example.name


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "key", "words"),
    [
        ({"start": "2027-13-01"}, "--from", "YYYY-MM-DD"),
        ({"start": "1999-12-31"}, "--from", "between 2000 and 2100"),
        ({"end": "2026-12-31"}, "--to", "after --to"),
        ({"end": "2099-12-31"}, "--to", "at most 60 years"),
        ({"effective_date": "29-02-2028"}, "--effective-date", "YYYY-MM-DD"),
        ({"specified_dates": {"certification": "2029-01-01"}}, "--specified-date", "Effective"),
        ({"events": {"certificate": "2029-01-01"}}, "--event certificate", "Effective"),
        ({"events": {"fee_notise": "2029-01-01"}}, "--event fee_notise", "fee_notice"),
        (
            {"effective_date": "2028-01-01", "specified_dates": {"certfication": "2029-01-01"}},
            "--specified-date certfication",
            "did you mean 'certification'",
        ),
        (
            {"effective_date": "2028-01-01", "specified_dates": {"direction:": "2029-01-01"}},
            "--specified-date direction:",
            "needs a label",
        ),
        (
            {"effective_date": "2028-01-01", "specified_dates": {"certification": "2027-01-01"}},
            "--specified-date certification",
            "before the Effective Date",
        ),
        ({"events": {"fee_notice": ["2027-01-01"] * 1001}}, "--event fee_notice", "at most"),
        ({"events": {"fee_notice": [True]}}, "--event fee_notice", "YYYY-MM-DD"),
        ({"events": ["fee_notice"]}, "--event", "a mapping"),
        ({"effective_date": "2028-01-01", "specified_dates": "x"}, "--specified-date", "mapping"),
    ],
)
def test_bad_input_names_the_option(kwargs, key, words):
    args = {"start": "2027-01-01", "end": "2028-12-31", **kwargs}
    with pytest.raises(InputError, match=words) as info:
        build_calendar(args.pop("start"), args.pop("end"), **args)
    assert info.value.key == key


# --------------------------------------------------------------------------- the AMR plan


def with_effective_date(plan, day):
    return dataclasses.replace(plan, cyber=dataclasses.replace(plan.cyber, effective_date=day))


def test_bundled_plan_agrees_with_the_calendar():
    plan = amr.load_plan(PLAN)
    a = amr_cyber_agreement(plan).set_index("line")
    assert a["agree"].all()
    # 1 July 2026: certification paid for in 2026-2027, due 1 July 2027; audits from then;
    # supplier assurance from the Effective Date
    assert a.at["isms_certification", "plan_years"] == [2026, 2027]
    assert a.at["security_audit", "plan_years"] == list(range(2027, 2041))
    assert a.at["supplier_assurance", "plan_years"] == list(range(2026, 2041))


@pytest.mark.parametrize(
    ("day", "isms_years"),
    [(D(2028, 2, 29), [2028, 2029]), (D(2026, 1, 1), [2026]), (D(2027, 12, 31), [2027, 2028])],
)
def test_plan_and_calendar_move_together(day, isms_years):
    plan = with_effective_date(amr.load_plan(PLAN), day)
    a = amr_cyber_agreement(plan).set_index("line")
    assert a["agree"].all(), a
    assert a.at["isms_certification", "calendar_years"] == isms_years


def test_a_plan_on_another_effective_date_disagrees_and_says_what_to_change():
    plan = amr.load_plan(PLAN)
    a = amr_cyber_agreement(plan, "2027-03-01").set_index("line")
    assert not a["agree"].any()
    assert a.at["isms_certification", "calendar_years"] == [2027, 2028]
    cal = build_calendar("2027-01-01", "2029-12-31", effective_date="2027-03-01", amr_plan=PLAN)
    note = next(n for n in cal.notes if "disagrees" in n)
    assert "isms_certification costed in 2026-2027, due for work in 2027-2028" in note
    assert "set the plan's cyber_security.effective_date to 2027-03-01" in note
    assert PLAN in cal.sources


def test_scenario_links_its_plan():
    scenario = tm.load_scenario(BASE)
    cal = build_calendar("2026-01-01", "2027-12-31", scenario=scenario)
    assert any("assumes an Effective Date of 2026-07-01" in n for n in cal.notes)
    cal = build_calendar("2026-01-01", "2027-12-31", scenario=scenario, effective_date="2026-07-01")
    assert cal.agreement is not None and cal.agreement["agree"].all()
    assert any("fall in the same years" in n for n in cal.notes)


# --------------------------------------------------------------------------- properties

days = st.dates(min_value=D(2024, 1, 1), max_value=D(2060, 12, 31))


@settings(deadline=None)
@given(days, st.integers(0, 3650), days)
def test_rows_lie_in_the_range_in_order(start, length, effective):
    end = start + dt.timedelta(days=length)
    cal = build_calendar(start, end, effective_date=effective)
    dates = cal.dated["date"].tolist()
    assert dates == sorted(dates) and all(start <= d <= end for d in dates)
    assert cal.table["date"].isna().sum() == len(cal.table) - len(dates)
    # the regulation's occurrences: none before 12 months after the Effective Date, each yearly
    # chain 12 months apart
    first = ob.add_months(effective, 12)
    for oid in ("REG-2.1.1", "REG-2.2.3", "REG-2.2.4", "REG-2.2.7"):
        chain = dated(cal, oid)
        assert all(d >= first for d in chain)
        assert all(b == ob.add_months(a, 12) for a, b in zip(chain, chain[1:], strict=False))
    # one paragraph 9 statement per Relevant Year whose 12 February is in the range
    years = [d.year for d in dated(cal, "S2-9")]
    assert years == [y for y in range(start.year, end.year + 1) if start <= D(y, 2, 12) <= end]


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=D(2026, 1, 1), max_value=D(2039, 12, 31)))
def test_the_plan_agrees_with_the_calendar_for_any_effective_date(day):
    # the plan's cost lines and the calendar's dates follow the same Effective Date
    plan = with_effective_date(amr.load_plan(PLAN), day)
    assert amr_cyber_agreement(plan)["agree"].all()

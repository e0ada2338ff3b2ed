"""Inputs that once gave a traceback, a hang or a silent wrong answer: each is refused through
the command line with exit 2, one message naming the file, the key, the year and the rule, and
nothing written."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tariffmodel.cli.main import main

from conftest import ROOT, WORKED_EXAMPLE

HUGE = 10**400  # 401 digits: too large for a float


def refused(capsys, argv, *words):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert str(word) in err, (word, err)
    return err


def run_refused(capsys, path, tmp_path, *words):
    out = tmp_path / "out"
    err = refused(capsys, ["run", path, "--out", out], *words)
    assert not out.exists()
    return err


@pytest.fixture
def plan(tmp_path):
    return yaml.safe_load((ROOT / "data" / "amr" / "nedc-amr-plan.yaml").read_text())


def write(tmp_path, data, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# 1. integers too large for a float


def test_huge_integer_in_scenario(example_dict, tmp_path, capsys):
    example_dict["inputs"][1]["CA"] = HUGE
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "inputs.CA", "2026", "401 digits")


def test_huge_integer_in_notified(example_dict, tmp_path, capsys):
    example_dict["notified"]["a"] = {2026: HUGE}
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "notified.a", "2026", "too large")


def test_huge_integer_in_csv(example_dict, tmp_path, capsys):
    import pandas as pd

    pd.DataFrame(example_dict["inputs"]).to_csv(tmp_path / "rows.csv", index=False)
    text = (tmp_path / "rows.csv").read_text().replace("1340000", str(HUGE))
    (tmp_path / "rows.csv").write_text(text)
    example_dict["inputs"] = "rows.csv"
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "rows.csv", "inputs.CA", "2027")


def test_huge_integer_in_deposit_rates(example_dict, tmp_path, capsys):
    rates = tmp_path / "rates.csv"
    rates.write_text("month,rate\n2025-01," + str(HUGE) + "\n")
    example_dict["deposit_rates"] = "rates.csv"
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "rates.csv", "rate", "too large")


def test_huge_integer_in_amr_plan(plan, tmp_path, capsys):
    plan["wacc"] = HUGE
    path = write(tmp_path, plan, "plan.yaml")
    refused(capsys, ["amr", path, "--out", tmp_path / "out"], "plan.yaml", "wacc", "401 digits")
    assert not (tmp_path / "out").exists()


def test_huge_integer_in_wpra(example_dict, tmp_path, capsys):
    wpra = {
        "name": "w",
        "period": [2026, 2029],
        "wacc": 0.07,
        "life": 20,
        "provisional_capex": {2026: HUGE},
    }
    write(tmp_path, wpra, "wpra.yaml")
    example_dict["wpra"] = "wpra.yaml"
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "wpra.yaml", "provisional_capex")


def test_huge_integer_in_draws(tmp_path, capsys):
    shutil.copy(WORKED_EXAMPLE, tmp_path / "s.yaml")
    draws = {"draws": {"notified.p": {"dist": "uniform", "loc": HUGE, "scale": 1}}}
    d = write(tmp_path, draws, "draws.yaml")
    out = tmp_path / "out"
    refused(
        capsys,
        ["montecarlo", tmp_path / "s.yaml", "--draws", d, "--n", "10", "--no-plots", "--out", out],
        "draws.yaml",
        "draws.notified.p.loc",
        "401 digits",
    )
    assert not out.exists()


# 2. numbers that overflow a term


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("inputs", 1, "CA"), "inputs.CA"),
        (("inputs", 1, "UC"), "inputs.UC"),
        (("notified", "a"), "notified.a"),
        (("inputs", 0, "MADR"), "inputs.MADR"),
    ],
)
def test_overflowing_amount(example_dict, tmp_path, capsys, path, key):
    target = example_dict
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = 1e308
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, key, "at most")


def test_overflowing_exchange_rate(plan, tmp_path, capsys):
    plan["exchange_rates"] = {"USD": 1e308}
    path = write(tmp_path, plan, "plan.yaml")
    refused(capsys, ["amr", path, "--out", tmp_path / "out"], "exchange_rates.USD", "at most")


def test_engine_refuses_non_finite_term(worked_example):
    import numpy as np

    from tariffmodel.inputs.errors import InputError
    from tariffmodel.model.engine import _refuse_non_finite

    out = {"MADR": np.array([[1.0], [np.inf]])}
    with pytest.raises(InputError, match="MADR") as info:
        _refuse_non_finite(out, [2026, 2027], "s.yaml")
    assert info.value.year == 2027


# 3. the call-centre block


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("kpis", 0, "target"), float("nan"), "call_centre.kpis[1].target"),
        (("kpis", 0, "target"), -0.9, "call_centre.kpis[1].target"),
        (("kpis", 1, "weight"), float("inf"), "call_centre.kpis[2].weight"),
        (("kpis", 1, "weight"), -0.3, "call_centre.kpis[2].weight"),
        (("allowance",), float("nan"), "call_centre.allowance"),
        (("allowance",), -5.0, "call_centre.allowance"),
    ],
)
def test_call_centre_bad_numbers(example_dict, tmp_path, capsys, path, value, key):
    target = example_dict["call_centre"]
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, key)


@pytest.mark.parametrize("value", [float("nan"), float("-inf"), -0.5])
def test_call_centre_bad_actual(example_dict, tmp_path, capsys, value):
    actuals = example_dict["call_centre"]["actuals"]
    year = next(iter(actuals))
    kpi = next(iter(actuals[year]))
    actuals[year][kpi] = value
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, f"call_centre.actuals.{kpi}", year)


# 4. a history row with MADR or DB of 0


@pytest.mark.parametrize("col", ["MADR", "DB"])
def test_history_madr_zero(example_dict, tmp_path, capsys, col):
    example_dict["inputs"][0][col] = 0
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, f"inputs.{col}", "2025", "above 0")


# 5. deep nesting, oversized files


def test_yaml_nested_deep(tmp_path, capsys):
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\ndescription: " + "[" * 500 + "]" * 500 + "\n")
    run_refused(capsys, path, tmp_path, "nested deeper than", "line 2")


def test_yaml_too_large(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + "# padding\n" * 600_000)
    run_refused(capsys, path, tmp_path, "MB", "larger than the 5.0 MB")


def test_csv_too_large(example_dict, tmp_path, capsys):
    (tmp_path / "rows.csv").write_text("year,CA\n" + "# padding line of a huge file\n" * 800_000)
    example_dict["inputs"] = "rows.csv"
    run_refused(capsys, write(tmp_path, example_dict), tmp_path, "rows.csv", "20.0 MB")


# 6. AMR plan years and opex


def test_amr_horizon_far_away(plan, tmp_path, capsys):
    plan["horizon_end"] = 99999
    path = write(tmp_path, plan, "plan.yaml")
    refused(capsys, ["amr", path, "--out", tmp_path / "out"], "horizon_end", "2000 and 2100")


@pytest.mark.parametrize("opex", [{}, []])
def test_amr_empty_opex(plan, tmp_path, capsys, opex):
    plan["opex"] = opex
    path = write(tmp_path, plan, "plan.yaml")
    refused(capsys, ["amr", path, "--out", tmp_path / "out"], "plan.yaml", "'opex'", "non-empty")


# 7. draws that break a rule between columns


def test_draws_rud_above_rbs(tmp_path, capsys):
    shutil.copy(WORKED_EXAMPLE, tmp_path / "s.yaml")
    draws = {
        "seed": 1,
        "draws": {"inputs.RUD@2027": {"dist": "uniform", "loc": 4e10, "scale": 1e9}},
    }
    d = write(tmp_path, draws, "draws.yaml")
    out = tmp_path / "out"
    refused(
        capsys,
        ["montecarlo", tmp_path / "s.yaml", "--draws", d, "--n", "20", "--no-plots", "--out", out],
        "draws.yaml",
        "draws.inputs.RUD@2027",
        "2027",
        "below RUD",
    )
    assert not out.exists()


# 8. a CSV path naming a system file


def test_csv_path_to_system_file(example_dict, tmp_path, capsys):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/bin/sh\n")
    example_dict["inputs"] = str(secret)
    err = run_refused(capsys, write(tmp_path, example_dict), tmp_path, "column 1", "unknown column")
    assert "root" not in err.replace(str(tmp_path), "") and "daemon" not in err

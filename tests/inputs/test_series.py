"""Tests of the loaders of the monthly series (the CPI group indices and weights, the deposit
rates) and of the default data files they read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tariffmodel.inputs import series as ix
from tariffmodel.inputs.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
GROUPS_CSV = DATA / "cpi" / "sultanate-cpi-groups.csv"
WEIGHTS_CSV = DATA / "cpi" / "sultanate-cpi-weights.csv"
RATES_CSV = DATA / "rates" / "deposit-rates.csv"

HAND_WEIGHTS = {1: 20.0, 2: 10.0, 3: 10.0, 4: 40.0} | {g: 2.5 for g in range(5, 13)}


# --------------------------------------------------------------------------------------------
# loaders


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GROUP_HEADER = "month," + ",".join(str(g) for g in range(1, 13)) + ",status\n"


def group_row(month, value=100.0, status="illustrative"):
    return f"{month}," + ",".join([str(value)] * 12) + f",{status}\n"


def test_load_groups_with_comments(tmp_path):
    text = "# a comment\n" + GROUP_HEADER + "  # indented comment\n"
    text += group_row("2024-07") + "\n" + group_row("2024-06", 99.0)
    frame = ix.load_cpi_groups(write(tmp_path, "g.csv", text))
    assert list(frame.columns) == list(range(1, 13))
    assert str(frame.index[0]) == "2024-06"  # sorted
    assert frame.loc[pd.Period("2024-07", "M"), 5] == 100.0
    assert frame.attrs["file"].endswith("g.csv")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (GROUP_HEADER + group_row("2024-06").replace("100.0,", "abc,", 1), "text 'abc'"),
        (GROUP_HEADER + group_row("2024-06").replace("100.0,", ",", 1), "month 2024-06: blank"),
        (GROUP_HEADER + group_row("2024-06") + group_row("2024-06"), "2024-06 appears more"),
        (GROUP_HEADER + group_row("June"), "'June' is not a month"),
        (GROUP_HEADER + group_row("2024-13"), "'2024-13' is not a month"),
        (GROUP_HEADER + group_row("2024-6"), "'2024-6' is not a month"),
        (GROUP_HEADER + group_row("2024-06", 0.0), "above zero"),
        (GROUP_HEADER + group_row("2024-06", status="publised"), "did you mean 'published'"),
        (GROUP_HEADER.replace(",status", ",staus") + group_row("2024-06"), "did you mean 'status'"),
        (GROUP_HEADER.replace(",7,", ",13,") + group_row("2024-06"), "unknown column"),
        ("month,1,2,3,5,6,7,8,9,10,11,12\n2024-06" + ",1" * 11 + "\n", None),
        ("month,1,2,3,4,5,6,8,9,10,11,12\n2024-06" + ",1" * 11 + "\n", r"7 \(Transport\)"),
        ("# only a comment\n", "holds no table"),
    ],
)
def test_load_groups_errors(tmp_path, text, pattern):
    path = write(tmp_path, "groups.csv", text)
    if pattern is None:  # group 4 may be left out
        assert 4 not in ix.load_cpi_groups(path).columns
        return
    with pytest.raises(InputError, match=pattern) as err:
        ix.load_cpi_groups(path)
    assert "groups.csv" in str(err.value)


def test_load_groups_error_names_column(tmp_path):
    text = GROUP_HEADER + group_row("2024-06") + group_row("2024-07").replace(",100.0", ",x", 3)
    with pytest.raises(InputError) as err:
        ix.load_cpi_groups(write(tmp_path, "g.csv", text))
    assert err.value.key == "1"  # the first group column with text in 2024-07
    assert "month 2024-07" in err.value.rule


WEIGHTS_TEXT = "group,name,weight\n" + "".join(
    f"{g},n{g},{HAND_WEIGHTS[g]}\n" for g in range(1, 13)
)


def test_load_weights(tmp_path):
    w = ix.load_cpi_weights(write(tmp_path, "w.csv", "# c\n" + WEIGHTS_TEXT))
    assert w[1] == 20.0 and w.index.name == "group"
    assert w.attrs["file"].endswith("w.csv")


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("7,n7,2.5", "7,n7,-2.5", "group 7: a weight must not be negative"),
        ("7,n7,2.5", "7,n7,two", "text 'two'"),
        ("7,n7,2.5\n", "", r"no weight for CPI group\(s\) 7"),
        ("7,n7,2.5", "8,n7,2.5", "group 8 appears more than once"),
        ("7,n7,2.5", "13,n7,2.5", "'13' is not a CPI group number"),
        ("group,name,weight", "group,nme,weight", "did you mean 'name'"),
    ],
)
def test_load_weights_errors(tmp_path, old, new, pattern):
    with pytest.raises(InputError, match=pattern):
        ix.load_cpi_weights(write(tmp_path, "w.csv", WEIGHTS_TEXT.replace(old, new, 1)))


RATES_TEXT = "# comment\nmonth,rate,status,source\n" + "".join(
    f"2025-{m:02d},0.025,estimate,illustrative\n" for m in range(1, 13)
)


def test_load_rates(tmp_path):
    r = ix.load_deposit_rates(write(tmp_path, "r.csv", RATES_TEXT))
    assert len(r) == 12 and r.name == "rate"
    assert r[pd.Period("2025-05", "M")] == 0.025


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("2025-05,0.025", "2025-05,2.5", "month 2025-05: rate 2.5 looks like a percent"),
        ("2025-05,0.025", "2025-05,1.0", "month 2025-05: rate 1.0 looks like a percent"),
        ("2025-05,0.025", "2025-05,-0.001", "month 2025-05: rate -0.001 is negative"),
        ("2025-05,0.025", "2025-05,2.5%", "month 2025-05: text '2.5%'"),
        ("2025-05,0.025", "2025-04,0.025", "month 2025-04 appears more than once"),
        ("month,rate", "month,rates", "did you mean 'rate'"),
        (",estimate,", ",estimated,", "did you mean 'estimate'"),
    ],
)
def test_load_rates_errors(tmp_path, old, new, pattern):
    path = write(tmp_path, "r.csv", RATES_TEXT.replace(old, new, 1))
    with pytest.raises(InputError, match=pattern) as err:
        ix.load_deposit_rates(path)
    assert "r.csv" in str(err.value)


def test_rate_just_below_one_is_accepted(tmp_path):
    r = ix.load_deposit_rates(
        write(tmp_path, "r.csv", RATES_TEXT.replace("2025-05,0.025", "2025-05,0.999"))
    )
    assert r[pd.Period("2025-05", "M")] == 0.999


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        ix.load_deposit_rates(tmp_path / "nope.csv")


# --------------------------------------------------------------------------------------------
# the default data

PUBLISHED_YOY = {  # NCSI all-items, year on year (data-sources)
    "2023-05": 0.0091,
    "2023-06": 0.0069,
    "2024-02": 0.000,
    "2024-03": 0.002,
    "2024-04": 0.004,
    "2024-05": 0.009,
    "2024-07": 0.015,
}
PUBLISHED_RATES = {  # CBO weighted average RO deposit rate (data-sources), via the press
    "2017-06": 0.01621,
    "2017-08": 0.01673,
    "2018-06": 0.01717,
    "2018-08": 0.01764,
    "2023-12": 0.02636,
    "2024-08": 0.02704,
    "2024-09": 0.02679,
    "2024-10": 0.02709,
    "2024-12": 0.02546,
    "2025-08": 0.02535,
    "2025-09": 0.02568,
    "2025-10": 0.02559,
}


@pytest.fixture(scope="module")
def default_groups():
    return ix.load_cpi_groups(GROUPS_CSV), ix.load_cpi_weights(WEIGHTS_CSV)


def test_default_groups_cover_july_2022_to_june_2029(default_groups):
    groups, weights = default_groups
    want = pd.period_range("2022-07", "2029-06", freq="M")
    assert want.isin(groups.index).all()
    assert sorted(weights.index) == list(range(1, 13))


@pytest.mark.parametrize(("month", "yoy"), sorted(PUBLISHED_YOY.items()))
def test_default_all_items_match_published(default_groups, month, yoy):
    groups, weights = default_groups
    all_items = groups[list(range(1, 13))] @ (weights / weights.sum()).to_numpy()
    m = pd.Period(month, "M")
    assert all_items[m] / all_items[m - 12] - 1 == pytest.approx(yoy, abs=0.00005)


def test_default_all_items_level_feb_2024(default_groups):
    groups, weights = default_groups
    all_items = groups[list(range(1, 13))] @ (weights / weights.sum()).to_numpy()
    assert all_items[pd.Period("2024-02", "M")] == pytest.approx(105.3, abs=0.05)


def test_default_status_labels():
    table = pd.read_csv(GROUPS_CSV, comment="#")
    forecast = table["month"] >= "2025-10"
    assert set(table.loc[forecast, "status"]) == {"illustrative"}
    assert set(table.loc[~forecast, "status"]) == {"estimate"}
    weights = pd.read_csv(WEIGHTS_CSV, comment="#").set_index("group")["status"]
    assert weights[4] == "reported" and weights[1] == weights[7] == "estimate"
    assert set(weights.drop([1, 4, 7])) == {"illustrative"}


def test_default_rates_hold_every_published_month():
    rates = ix.load_deposit_rates(RATES_CSV)
    table = pd.read_csv(RATES_CSV, comment="#", dtype={"month": str})
    reported = table[table["status"] == "reported"].set_index("month")["rate"]
    assert {m: reported[m] for m in PUBLISHED_RATES} == pytest.approx(PUBLISHED_RATES, abs=1e-12)
    assert set(table["status"]) == {"reported", "estimate", "illustrative"}  # none read at CBO
    assert pd.period_range("2021-08", "2028-12", freq="M").isin(rates.index).all()

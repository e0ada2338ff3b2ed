"""The bundled data files: every row says what it is and where it comes from, the filled series
reproduce every figure published, and data/README.md is the table of those columns."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from tariffmodel.inputs.csvio import read_csv
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.series import load_cpi_groups, load_cpi_weights, load_deposit_rates
from tariffmodel.inputs.sources import STATUSES, check_sourced, row_sources

from conftest import ROOT

DATA = ROOT / "data"
BUNDLED = sorted(DATA.rglob("*.csv"))


def test_there_are_bundled_csv_files():
    names = {p.relative_to(DATA).as_posix() for p in BUNDLED}
    assert {
        "cpi/sultanate-cpi-groups.csv",
        "cpi/sultanate-cpi-weights.csv",
        "cpi/sultanate-cpi-published.csv",
        "rates/deposit-rates.csv",
    } <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(DATA).as_posix())
def test_every_bundled_row_has_status_and_source(path):
    rows = check_sourced(path)
    assert len(rows) > 0
    assert set(rows["status"]) <= set(STATUSES)


@contextmanager
def expect_input_error(*, file, key, rule=""):
    """The block raises an InputError naming ``file`` and ``key``, its rule holding ``rule``."""
    with pytest.raises(InputError) as info:
        yield
    assert info.value.file == str(file)
    assert info.value.key == key
    assert rule in info.value.rule


def _write(tmp_path, text):
    path = tmp_path / "rates.csv"
    path.write_text(text)
    return path


HEAD = "month,rate,status,publisher,document,date,url\n"


def test_a_row_without_its_status_is_refused(tmp_path):
    path = _write(tmp_path, HEAD + "2025-01,0.02,,CBO,Bulletin,2025,https://cbo.gov.om\n")
    with expect_input_error(file=path, key="status", rule="line 2: status ''"):
        check_sourced(path)


@pytest.mark.parametrize("col", ["publisher", "document", "date", "url"])
def test_a_reported_row_without_a_source_column_is_refused(tmp_path, col):
    cells = {"publisher": "CBO", "document": "Bulletin", "date": "2025", "url": "https://x.om"}
    cells[col] = ""
    line = ",".join(["2025-01", "0.02", "reported", *cells.values()])
    path = _write(tmp_path, HEAD + line + "\n")
    with expect_input_error(file=path, key=col, rule=f"a reported row must say its {col}"):
        check_sourced(path)


def test_an_estimate_needs_who_and_how_but_no_url(tmp_path):
    path = _write(tmp_path, HEAD + "2025-01,0.02,estimate,tariffmodel,straight line,,\n")
    assert check_sourced(path)["status"].tolist() == ["estimate"]
    path = _write(tmp_path, HEAD + "2025-01,0.02,estimate,tariffmodel,,,\n")
    with expect_input_error(file=path, key="document"):
        check_sourced(path)


@pytest.mark.parametrize(
    ("cell", "key"), [("date", "2025/01/02"), ("url", "www.cbo.gov.om")], ids=["date", "url"]
)
def test_a_malformed_date_or_url_is_refused(tmp_path, cell, key):
    cells = {"date": "2025", "url": "https://cbo.gov.om"}
    cells[cell] = key
    line = f"2025-01,0.02,reported,CBO,Bulletin,{cells['date']},{cells['url']}\n"
    path = _write(tmp_path, HEAD + line)
    with expect_input_error(file=path, key=cell):
        check_sourced(path)


def test_an_old_user_file_without_the_columns_still_loads(tmp_path):
    path = _write(tmp_path, "month,rate,status,source\n2025-01,0.02,forecast,my guess\n")
    assert load_deposit_rates(path).iloc[0] == 0.02
    path = _write(tmp_path, "month,rate\n2025-01,0.02\n")
    assert load_deposit_rates(path).iloc[0] == 0.02
    assert row_sources(path)["status"].tolist() == [""]


def test_the_loaders_read_the_new_columns():
    rates = load_deposit_rates(DATA / "rates" / "deposit-rates.csv")
    assert rates[pd.Period("2024-06", "M")] == 0.02651
    weights = load_cpi_weights(DATA / "cpi" / "sultanate-cpi-weights.csv")
    assert weights.sum() == pytest.approx(100.0, abs=1e-9)
    assert weights[4] == 26.5


# ------------------------------------------------------------------ figures reproduced


def _reported_rates():
    table = read_csv(DATA / "rates" / "deposit-rates.csv").frame()
    return table[table["status"].isin(["published", "reported"])]


def test_deposit_rates_keep_every_reported_figure_and_fill_straight_between():
    rates = load_deposit_rates(DATA / "rates" / "deposit-rates.csv")
    cited = _reported_rates()
    assert len(cited) == 31
    for rec in cited.to_dict("records"):
        assert rates[pd.Period(rec["month"], "M")] == float(rec["rate"])
    known = pd.Series(
        cited["rate"].astype(float).to_numpy(), index=pd.PeriodIndex(cited["month"], freq="M")
    )
    known = known[known.index >= pd.Period("2021-08", "M")]
    inside = rates[(rates.index > known.index.min()) & (rates.index < known.index.max())]
    line = np.interp(inside.index.asi8, known.index.asi8, known.to_numpy())
    np.testing.assert_allclose(inside.to_numpy(), line, atol=5e-6)  # 5 decimals written


def test_deposit_rates_2022_are_the_reported_level_not_the_old_estimates():
    rates = load_deposit_rates(DATA / "rates" / "deposit-rates.csv")
    year_2022 = rates["2022-01":"2022-12"]
    assert len(year_2022) == 12
    assert 0.0187 <= year_2022.min() and year_2022.max() <= 0.0198  # about 1.9 %, not 2.1-2.4 %


def _all_items(groups, weights):
    w = weights.reindex(groups.columns).to_numpy(float)
    return pd.Series(groups.to_numpy() @ w / w.sum(), index=groups.index)


def _published_cpi():
    return read_csv(DATA / "cpi" / "sultanate-cpi-published.csv").frame()


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


def test_cpi_series_reproduce_every_published_figure_to_its_decimals():
    groups = load_cpi_groups(DATA / "cpi" / "sultanate-cpi-groups.csv")
    weights = load_cpi_weights(DATA / "cpi" / "sultanate-cpi-weights.csv")
    assert list(groups.columns) == list(range(1, 13))
    allitems = _all_items(groups, weights)
    figures = _published_cpi()
    assert len(figures) == 176
    for rec in figures.to_dict("records"):
        m = pd.Period(rec["month"], "M")
        series = allitems if rec["group"] == "all" else groups[int(rec["group"])]
        if rec["measure"] == "yoy":
            got = 100 * (series[m] / series[m - 12] - 1)
        elif rec["measure"] == "average_yoy":
            span = pd.period_range(rec["first_month"], m, freq="M")
            got = 100 * (series[span].mean() / series[span - 12].mean() - 1)
        else:
            got = series[m]
        d = _decimals(rec["value"])
        assert round(got, d) == pytest.approx(float(rec["value"]), abs=1e-12), rec


def test_cpi_june_2024_is_the_published_0_7_percent_not_1_2():
    groups = load_cpi_groups(DATA / "cpi" / "sultanate-cpi-groups.csv")
    weights = load_cpi_weights(DATA / "cpi" / "sultanate-cpi-weights.csv")
    allitems = _all_items(groups, weights)
    change = allitems[pd.Period("2024-06", "M")] / allitems[pd.Period("2023-06", "M")] - 1
    assert round(100 * change, 1) == 0.7


def test_cpi_rows_say_which_figures_they_reproduce():
    table = read_csv(DATA / "cpi" / "sultanate-cpi-groups.csv").frame().set_index("month")
    assert "all-items yoy 0.7" in table.loc["2024-06", "note"]
    assert table.loc["2025-09", "status"] == "estimate"
    assert table.loc["2025-10", "status"] == "illustrative"


# ------------------------------------------------------------------ data/README.md


def test_data_readme_is_the_table_of_the_status_and_source_columns():
    """data/README.md's generated part equals what the script writes from the files today."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "data_readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr

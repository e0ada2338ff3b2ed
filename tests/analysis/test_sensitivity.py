"""One-way, two-way and global sensitivity: every value checked against the engine run on an
edited scenario, or by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import tariffmodel as tm
from tariffmodel.analysis import sensitivity as sa
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError

from conftest import WORKED_EXAMPLE


def madr_of(sc, values, col="MADR"):
    return tm.project(sc.with_values(values))[col].to_numpy()


# --------------------------------------------------------------------------------------------
# base values


@pytest.mark.parametrize(
    ("target", "want"),
    [
        ("notified.X", 0.015),
        ("notified.a", 60_000_000.0),  # notified in 2026 only: the one value replaced
        ("notified.TL@2026", 0.082),
        ("notified.BAND", 0.005),
        ("inputs.CA@2027", 1_340_000.0),
        ("inputs.DNS@2028", 0.0),  # absent: its default
        ("inputs.RUD@2025", 30_500_000_000.0),
        ("notified.loss_cap_share", 0.03),
    ],
)
def test_base_value(worked_example, target, want):
    assert sa.base_value(worked_example, target) == want


@pytest.mark.parametrize("target", ["notified.TL", "inputs.ARDR@2027", "notified.a@2027"])
def test_no_fixed_base_value(worked_example, target):
    # TL differs by year; ARDR 2027 is not given (it is MADR); a 2027 rolls forward
    assert sa.base_value(worked_example, target) is None


def test_base_value_of_a_whole_column_that_differs_by_year(worked_example):
    assert sa.base_value(worked_example, "inputs.CA").tolist() == [1.3e6, 1.34e6, 1.38e6, 1.42e6]


# --------------------------------------------------------------------------------------------
# tornado


@pytest.fixture(scope="module")
def tornado_table():
    sc = tm.load_scenario(WORKED_EXAMPLE)
    ranges = {
        "notified.X": (0.0, 0.03),
        "inputs.CA@2026": (1.2e6, 1.4e6),
        "inputs.CA": (1.3e6, 1.45e6),
        "inputs.ARDR@2027": (1.8e8, 1.9e8),  # no fixed base: its own engine call
        "notified.TL": (0.07, 0.09),  # differs by year: its own call
    }
    return sc, ranges, sa.tornado(sc, ranges)


@pytest.mark.parametrize(
    "target", ["notified.X", "inputs.CA@2026", "inputs.CA", "inputs.ARDR@2027", "notified.TL"]
)
def test_tornado_matches_the_edited_scenario(tornado_table, target):
    sc, ranges, table = tornado_table
    t = table[table["target"] == target].set_index("year")
    lo, hi = ranges[target]
    at_lo = madr_of(sc, {target: lo})
    at_hi = madr_of(sc, {target: hi})
    base = tm.project(sc)["MADR"].to_numpy()
    for j, y in enumerate(sc.years):
        assert t.loc[str(y), "at_low"] == pytest.approx(at_lo[j], rel=1e-14)
        assert t.loc[str(y), "at_high"] == pytest.approx(at_hi[j], rel=1e-14)
        assert t.loc[str(y), "base"] == base[j]
    assert t.loc["period", "at_low"] == pytest.approx(at_lo.sum(), rel=1e-14)
    assert t.loc["period", "swing"] == pytest.approx(abs(at_hi.sum() - at_lo.sum()), rel=1e-12)


def test_tornado_is_sorted_by_swing_within_each_year(tornado_table):
    _, ranges, table = tornado_table
    assert len(table) == len(ranges) * 5  # four years and the period
    for _, g in table.groupby("year"):
        assert g["swing"].is_monotonic_decreasing


def test_tornado_x_by_hand_in_the_first_year(tornado_table):
    # X does not enter 2026 (a, c notified in 2026): no swing in 2026
    _, _, table = tornado_table
    row = table[(table["target"] == "notified.X") & (table["year"] == "2026")].iloc[0]
    assert row["swing"] == 0.0


def test_tornado_bad_ranges(worked_example):
    with pytest.raises(InputError, match="did you mean 'notified.X'"):
        sa.tornado(worked_example, {"notified.x": (0, 1)})
    with pytest.raises(InputError, match="a low and a high"):
        sa.tornado(worked_example, {"notified.X": (0,)})


def test_ranges_from_draws_are_the_5th_and_95th_percentiles():
    r = sa.ranges_from_draws(
        {"draws": {"notified.X": {"dist": "norm", "loc": 0.01, "scale": 0.002}}}
    )
    lo, hi = r["notified.X"]
    assert lo == pytest.approx(0.01 - 1.6448536269514722 * 0.002, rel=1e-12)
    assert hi == pytest.approx(0.01 + 1.6448536269514722 * 0.002, rel=1e-12)


# --------------------------------------------------------------------------------------------
# spider and grid


def test_spider_rows_match_the_scaled_scenario(worked_example):
    frame = sa.spider(worked_example, ["inputs.CA@2026", "notified.s"], [-0.1, 0.0, 0.1])
    base = tm.project(worked_example)["MADR"].to_numpy()
    row0 = frame[(frame["target"] == "notified.s") & (frame["delta"] == 0.0)].iloc[0]
    assert row0["2026"] == base[0]
    row = frame[(frame["target"] == "inputs.CA@2026") & (frame["delta"] == 0.1)].iloc[0]
    assert row["input"] == pytest.approx(1.43e6)
    # MADR_2026 rises by c x 10 % of CA = 85 x 130,000
    assert row["2026"] - base[0] == pytest.approx(85 * 130_000, rel=1e-9)
    assert row["2027"] == pytest.approx(
        madr_of(worked_example, {"inputs.CA@2026": 1.43e6})[1], rel=1e-14
    )


def test_spider_needs_a_fixed_base(worked_example):
    with pytest.raises(InputError, match="no fixed base value"):
        sa.spider(worked_example, ["inputs.ARDR@2027"])


def test_grid_cells_match_the_edited_scenario(worked_example):
    xs, ys = [0.0, 0.02], [0.005, 0.015, 0.02]
    g = sa.grid(worked_example, "notified.X", xs, "inputs.CPI@2027", ys, value="LOSS", year=2028)
    assert (
        g.shape == (3, 2) and g.index.name == "inputs.CPI@2027" and g.columns.name == "notified.X"
    )
    for x in xs:
        for y in ys:
            want = madr_of(worked_example, {"notified.X": x, "inputs.CPI@2027": y}, "LOSS")[2]
            assert g.loc[y, x] == pytest.approx(want, rel=1e-14)


def test_grid_over_the_period(worked_example):
    g = sa.grid(worked_example, "notified.X", [0.01], "inputs.CA@2026", [1.3e6], year="period")
    assert g.iloc[0, 0] == pytest.approx(
        madr_of(worked_example, {"notified.X": 0.01}).sum(), rel=1e-14
    )


def test_grid_bad_year_and_value(worked_example):
    with pytest.raises(InputError, match="not a modelled year"):
        sa.grid(worked_example, "notified.X", [0.01], "inputs.CPI", [0.01], year=2031)
    with pytest.raises(InputError, match="did you mean 'MADR'"):
        sa.grid(worked_example, "notified.X", [0.01], "inputs.CPI", [0.01], value="MADRR")


# --------------------------------------------------------------------------------------------
# Sobol and Morris

DRAWS = {
    "seed": 3,
    "draws": {
        "inputs.CA@2026": {"dist": "uniform", "loc": 1.25e6, "scale": 1e5},
        "notified.s": {"dist": "uniform", "loc": 10_000, "scale": 10_000},
        "notified.p": {"dist": "triang", "c": 0.5, "loc": 0.018, "scale": 0.004},
    },
}


@pytest.fixture(scope="module")
def sobol_table():
    sc = tm.load_scenario(WORKED_EXAMPLE)
    return sa.sobol(sc, DRAWS, 1024, outputs=("MADR", "NSF", "LOSS"))


def index(table, output, year, target):
    return table[(table.output == output) & (table.year == year) & (table.target == target)].iloc[0]


@pytest.mark.parametrize(
    ("output", "target"),
    [("NSF", "inputs.CA@2026"), ("NSF", "notified.p"), ("LOSS", "notified.s")],
)
def test_sobol_target_that_does_not_enter_a_term_has_zero_index(sobol_table, output, target):
    row = index(sobol_table, output, "2026", target)
    assert row["S1"] == 0.0 and row["ST"] == 0.0


def test_sobol_single_driver_takes_the_whole_variance(sobol_table):
    # NSF_2026 = DNS x s: only s drives it
    row = index(sobol_table, "NSF", "2026", "notified.s")
    assert row["S1"] == pytest.approx(1.0, abs=0.05)
    assert row["ST"] == pytest.approx(1.0, abs=0.05)


def test_sobol_additive_shares(sobol_table):
    # MADR_2026 = ... + 85 CA + 12 s + 30.5e9 p LD: variances of the three uniform/triangular parts
    var_ca = (85 * 1e5) ** 2 / 12
    var_s = (12 * 1e4) ** 2 / 12
    ld = 0.085 - (1 - 30.5e9 / 33.25e9)
    var_p = (30.5e9 * ld) ** 2 * 0.004**2 / 24  # symmetric triangular: scale^2 / 24
    total = var_ca + var_s + var_p
    row = index(sobol_table, "MADR", "2026", "inputs.CA@2026")
    assert row["S1"] == pytest.approx(var_ca / total, abs=3 * row["S1_conf"] + 0.02)


def test_sobol_output_that_does_not_vary_has_zero_indices(sobol_table):
    row = index(sobol_table, "NSF", "2027", "notified.s")  # NSF ends after 2026
    assert row["S1"] == 0.0 and row["ST"] == 0.0


def test_sobol_needs_a_power_of_two_and_no_correlation(worked_example):
    with pytest.raises(InputError, match="power of 2"):
        sa.sobol(worked_example, DRAWS, 1000)
    corr = dict(DRAWS, correlation={"matrix": np.eye(3).tolist()})
    corr["correlation"]["matrix"][0][1] = corr["correlation"]["matrix"][1][0] = 0.3
    with pytest.raises(InputError, match="independent inputs"):
        sa.sobol(worked_example, corr, 64)


def test_morris_mu_star_of_a_linear_target_is_slope_times_range(worked_example):
    m = sa.morris(worked_example, DRAWS, trajectories=10, seed=1)
    row = index(m, "MADR", "2026", "inputs.CA@2026")
    assert row["mu_star"] == pytest.approx(85 * 1e5, rel=1e-9)  # c_2026 x the uniform's width
    assert row["sigma"] == pytest.approx(0.0, abs=1e-6)
    row = index(m, "MADR", "2026", "notified.s")
    assert row["mu_star"] == pytest.approx(12 * 1e4, rel=1e-9)  # DNS_2026 x width


def test_morris_needs_two_trajectories(worked_example):
    with pytest.raises(InputError, match="at least 2"):
        sa.morris(worked_example, DRAWS, trajectories=1)


def test_sobol_seed_reproduces(worked_example):
    a = sa.sobol(worked_example, DRAWS, 64, seed=5)
    b = sa.sobol(worked_example, DRAWS, 64, seed=5)
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------------------------
# commands


def test_tornado_and_grid_commands(tmp_path):
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(
        yaml.safe_dump({"ranges": {"notified.X": [0.0, 0.03], "inputs.CA@2026": [1.2e6, 1.4e6]}})
    )
    out = tmp_path / "t"
    assert (
        main(
            [
                "tornado",
                str(WORKED_EXAMPLE),
                "--ranges",
                str(ranges),
                "--out",
                str(out),
                "--spider",
                "0.1",
            ]
        )
        == 0
    )
    assert {"tornado.csv", "tornado.png", "spider.csv", "spider.png", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    out = tmp_path / "g"
    args = [
        "grid",
        str(WORKED_EXAMPLE),
        "--x",
        "notified.X=0:0.02:3",
        "--y",
        "inputs.CPI=0.005,0.01",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    g = pd.read_csv(out / "grid.csv", index_col=0)
    assert g.shape == (2, 3)


def test_sobol_and_morris_commands(tmp_path):
    draws = tmp_path / "d.yaml"
    draws.write_text(yaml.safe_dump(DRAWS))
    for cmd, extra in (("sobol", ["--base-samples", "64"]), ("morris", ["--trajectories", "4"])):
        out = tmp_path / cmd
        assert (
            main([cmd, str(WORKED_EXAMPLE), "--draws", str(draws), "--out", str(out), *extra]) == 0
        )
        assert {f"{cmd}.csv", f"{cmd}.png", "manifest.json"} <= {p.name for p in out.iterdir()}


def test_bad_grid_axis_is_exit_2(tmp_path, capsys):
    out = tmp_path / "g"
    assert (
        main(
            [
                "grid",
                str(WORKED_EXAMPLE),
                "--x",
                "notified.X",
                "--y",
                "inputs.CPI=1,2",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "TARGET=START:STOP:NUM" in capsys.readouterr().err
    assert not out.exists()

"""Monte Carlo: draws files, distributions, the copula, statistics, the run and its CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as hst
from hypothesis.extra.numpy import arrays

import tariffmodel as tm
from tariffmodel.analysis import montecarlo as mc
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError

from conftest import ROOT, WORKED_EXAMPLE

CA_2026 = 1_300_000.0  # worked example, CA of 2026 [accounts]
C_2026 = 85.0  # c_2026 [RO per account]


def point(value):
    return {"dist": "norm", "loc": value, "scale": 0}


# --------------------------------------------------------------------------------------------
# degenerate draws reproduce the deterministic projection exactly


def test_zero_width_draws_reproduce_the_projection_exactly(worked_example, worked_table):
    draws = {
        "draws": {
            "inputs.CA@2026": point(CA_2026),
            "notified.X": {"dist": "uniform", "loc": 0.015, "scale": 0},
            "inputs.CPI@2027": {"dist": "triang", "c": 0.5, "loc": 0.012, "scale": 0},
            "inputs.RBS@2025": point(33_250_000_000.0),
        }
    }
    r = mc.monte_carlo(worked_example, draws, n=50, seed=3, keep_outputs=True)
    for col in tm.MADR_COLUMNS[1:]:
        want = worked_table[col].to_numpy()
        assert np.array_equal(r.outputs[col], np.tile(want, (50, 1))), col
    s = r.summary.set_index("year")
    for stat in ("mean", "p5", "p50", "p95"):
        assert np.array_equal(s[f"MADR_{stat}"].to_numpy(), worked_table["MADR"].to_numpy())
    assert (s["MADR_std"] == 0.0).all()


def test_the_same_value_repeated_in_many_chunks_reproduces_the_projection(
    worked_example, worked_table
):
    n = 1000
    out = mc.evaluate_chunked(
        worked_example, {"inputs.CA@2026": np.full(n, CA_2026)}, n, chunk=64, workers=2
    )
    for col in ("DB", "LOSS", "CS", "K", "MADR", "ARDR"):
        assert np.array_equal(out[col], np.tile(worked_table[col].to_numpy(), (n, 1))), col
    assert out["para5"][:, -1].all()  # 2029: paragraph 5 holds in the worked example


# --------------------------------------------------------------------------------------------
# a uniform draw of CA in one year


@pytest.fixture(scope="module")
def ca_run():
    sc = tm.load_scenario(WORKED_EXAMPLE)
    draws = {"draws": {"inputs.CA@2026": {"dist": "uniform", "loc": 1.25e6, "scale": 1e5}}}
    return sc, mc.monte_carlo(sc, draws, n=40_000, seed=11, keep_outputs=True)


def test_uniform_ca_mean_madr_is_madr_at_the_mean_ca(ca_run):
    sc, r = ca_run
    at_mean = tm.project(sc.with_values({"inputs.CA@2026": 1.3e6}))["MADR"].iloc[0]
    madr = r.madr[:, 0]
    sampling_error = madr.std() / np.sqrt(madr.size)
    assert abs(r.summary["MADR_mean"].iloc[0] - at_mean) < 4 * sampling_error
    # MADR_2026 moves by c_2026 per account
    assert np.allclose(
        np.diff(np.sort(madr))[:10] / np.diff(np.sort(r.draws["inputs.CA@2026"]))[:10], C_2026
    )


def test_uniform_ca_percentiles(ca_run):
    sc, r = ca_run
    base = tm.project(sc)["MADR"].iloc[0]
    s = r.summary.iloc[0]
    ca = r.draws["inputs.CA@2026"]
    for q in (5, 50, 95):
        # exact: MADR_2026 is affine in CA_2026, so its percentile is MADR at CA's percentile
        at_q = base + C_2026 * (np.percentile(ca, q) - CA_2026)
        assert s[f"MADR_p{q}"] == pytest.approx(at_q, rel=1e-12)
        # and CA's percentile is the uniform's, within sampling error (s.e. < 0.2 % of range)
        assert np.percentile(ca, q) == pytest.approx(1.25e6 + q / 100 * 1e5, abs=400)
    assert s["MADR_std"] == pytest.approx(C_2026 * 1e5 / np.sqrt(12), rel=0.02)


def test_paragraph_probability_of_a_uniform_ardr(worked_example, worked_table):
    madr = worked_table["MADR"].iloc[0]  # MADR_2026 does not depend on ARDR_2026
    draws = {"draws": {"inputs.ARDR@2026": {"dist": "uniform", "loc": madr, "scale": 0.06 * madr}}}
    r = mc.monte_carlo(worked_example, draws, n=20_000, seed=5)
    p = r.summary["para3_prob"].iloc[0]
    assert abs(p - 0.5) < 4 * np.sqrt(0.25 / 20_000)
    draws = {"draws": {"inputs.ARDR@2026": point(1.04 * madr)}}
    assert mc.monte_carlo(worked_example, draws, n=10, seed=1).summary["para3_prob"].iloc[0] == 1.0


# --------------------------------------------------------------------------------------------
# seeds, chunks, copula


def test_seeds_reproduce_and_differ(worked_example):
    draws = {"draws": {"inputs.CPI": {"dist": "norm", "loc": 0.01, "scale": 0.004}}}
    a = mc.monte_carlo(worked_example, draws, n=2000, seed=42).summary
    b = mc.monte_carlo(worked_example, draws, n=2000, seed=42).summary
    c = mc.monte_carlo(worked_example, draws, n=2000, seed=43).summary
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_chunks_do_not_change_the_numbers(worked_example):
    draws = {"draws": {"notified.X": {"dist": "triang", "c": 0.3, "loc": 0.0, "scale": 0.03}}}
    a = mc.monte_carlo(worked_example, draws, n=3000, seed=9, chunk=3000)
    b = mc.monte_carlo(worked_example, draws, n=3000, seed=9, chunk=250)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert np.array_equal(a.madr, b.madr)


def test_draws_made_a_block_at_a_time_are_those_of_the_whole_scores():
    # independent targets are drawn block by block; the numbers are those of transforming
    # all the normal scores at once, across block edges and in every kind of distribution
    spec = mc.parse_draws(
        {
            "draws": {
                "inputs.CPI": {"dist": "norm", "loc": 0.01, "scale": 0.004},
                "notified.X": {"dist": "triang", "c": 0.3, "loc": 0.0, "scale": 0.03},
                "inputs.CA": {"dist": "lognorm", "s": 0.1, "scale": 1.3e6},
            }
        }
    )
    n = 2 * mc.SAMPLE_BLOCK + 7
    drawn = mc.sample(spec, n, 11)
    z = mc.normal_scores(spec, n, 11)
    for j, (target, dist) in enumerate(spec.distributions.items()):
        assert np.array_equal(drawn[target], dist.from_normal(z[j]))


def test_copula_gives_the_correlation_of_the_normal_scores():
    spec = mc.parse_draws(
        {
            "draws": {
                "inputs.CPI": {"dist": "norm", "loc": 0.0, "scale": 1.0},
                "notified.X": {"dist": "norm", "loc": 0.0, "scale": 1.0},
                "inputs.SR": {"dist": "uniform", "loc": 0.0, "scale": 1.0},
            },
            "correlation": {
                "targets": ["inputs.CPI", "notified.X"],
                "matrix": [[1, 0.6], [0.6, 1]],
            },
        }
    )
    x = mc.sample(spec, 50_000, 1)
    r = np.corrcoef(x["inputs.CPI"], x["notified.X"])[0, 1]
    assert abs(r - 0.6) < 0.01
    assert abs(np.corrcoef(x["inputs.CPI"], x["inputs.SR"])[0, 1]) < 0.02


def test_a_singular_correlation_matrix_is_accepted():
    spec = mc.parse_draws(
        {
            "draws": {
                "inputs.CPI": {"dist": "uniform", "loc": 0.0, "scale": 1.0},
                "notified.X": {"dist": "uniform", "loc": 0.0, "scale": 1.0},
            },
            "correlation": {"matrix": [[1, 1], [1, 1]]},
        }
    )
    x = mc.sample(spec, 1000, 2)
    assert np.allclose(x["inputs.CPI"], x["notified.X"], rtol=0, atol=1e-12)


def test_draws_follow_their_distribution():
    x = mc.sample(
        {"draws": {"inputs.CA": {"dist": "triang", "c": 0.5, "loc": 0.07, "scale": 0.02}}},
        n=40_000,
        seed=4,
    )["inputs.CA"]
    assert x.min() >= 0.07 and x.max() <= 0.09
    assert np.median(x) == pytest.approx(0.08, abs=2e-4)


# --------------------------------------------------------------------------------------------
# statistics


def test_summarise_by_hand():
    s = mc.summarise(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0]]))
    assert s["mean"].tolist() == [2.5, 5.0]
    assert s["std"][0] == pytest.approx(np.sqrt(1.25))  # ddof 0
    assert s["p5"][0] == pytest.approx(1.15)  # h = 3 x 0.05 = 0.15
    assert s["p50"][0] == 2.5
    assert s["p95"][0] == pytest.approx(3.85)
    assert s["std"][1] == 0.0 and s["p95"][1] == 5.0


#: Tables of draws (n, T) of any size and spread.
DRAW_TABLES = arrays(
    np.float64,
    hst.tuples(hst.integers(1, 40), hst.integers(1, 3)),
    elements=hst.floats(-1e9, 1e9),
)


@settings(deadline=None)
@given(DRAW_TABLES)
def test_percentiles_are_numpys_linear_method(x):
    s = mc.summarise(x)
    want = np.percentile(x, [5, 50, 95], axis=0)
    assert np.array_equal(np.stack([s["p5"], s["p50"], s["p95"]]), want)


@settings(deadline=None)
@given(DRAW_TABLES)
def test_mean_and_std_are_numpys(x):
    # numpy's numbers for each year's draws as one contiguous array; a year whose draws are
    # all equal is exactly that value with no spread
    s = mc.summarise(x)
    for j in range(x.shape[1]):
        col = np.ascontiguousarray(x[:, j])
        if col.min() == col.max():
            assert s["mean"][j] == col[0] and s["std"][j] == 0.0
        else:
            assert s["mean"][j] == np.mean(col)
            assert s["std"][j] == np.std(col)


# --------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("draws", "words"),
    [
        (
            {"draws": {"inputs.CAA@2026": point(1.0)}},
            ["inputs.CAA@2026", "did you mean 'inputs.CA@2026'"],
        ),
        ({"draws": {"notified.Y": point(1.0)}}, ["notified.Y", "unknown target"]),
        (
            {"draws": {"inputs.CA@2026": {"dist": "nrom", "loc": 1}}},
            ["unknown distribution 'nrom'", "did you mean 'norm'"],
        ),
        (
            {"draws": {"inputs.CA@2026": {"dist": "triang", "c": 2.0}}},
            ["scipy.stats.triang rejects", "c=2"],
        ),
        (
            {"draws": {"inputs.CA@2026": {"dist": "norm", "scal": 1}}},
            ["no parameter 'scal'", "did you mean 'scale'"],
        ),
        ({"draws": {"inputs.CA@2026": {"dist": "norm", "scale": -1}}}, ["rejects scale -1"]),
        ({"draws": {"inputs.CA@2026": {"dist": "beta", "a": 1}}}, ["shape parameter(s) b"]),
        ({"draws": {"inputs.CA@2026": {"dist": "norm", "loc": "x"}}}, ["must be a finite number"]),
        (
            {"draws": {"inputs.CA": point(1.0), "inputs.CA@2027": point(1.0)}},
            ["overlaps inputs.CA"],
        ),
        ({"n": 0, "draws": {"inputs.CA@2026": point(1.0)}}, ["key 'n'", "at least 1"]),
        ({"drawz": {}}, ["did you mean 'draws'"]),
        (
            {
                "draws": {
                    "inputs.CPI": point(0.01),
                    "notified.X": point(0.01),
                    "inputs.SR": point(0.02),
                },
                "correlation": {"matrix": [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]},
            },
            ["not positive semi-definite"],
        ),
        (
            {
                "draws": {"inputs.CPI": point(0.01)},
                "correlation": {"targets": ["inputs.CP"], "matrix": [[1]]},
            },
            ["not one of the draws targets", "did you mean 'inputs.CPI'"],
        ),
        (
            {
                "draws": {"inputs.CPI": point(0.01), "notified.X": point(0.01)},
                "correlation": {"matrix": [[1, 0.2], [0.3, 1]]},
            },
            ["symmetric"],
        ),
    ],
)
def test_bad_draws_are_clear_errors(worked_example, draws, words):
    with pytest.raises(InputError) as err:
        mc.parse_draws(draws, scenario=worked_example, file="draws.yaml")
    text = str(err.value)
    assert text.startswith("draws.yaml")
    for w in words:
        assert w in text


def test_n_below_one_is_an_error(worked_example):
    draws = {"draws": {"inputs.CA@2026": point(1.0)}}
    with pytest.raises(InputError, match="at least 1"):
        mc.monte_carlo(worked_example, draws, n=0, seed=1)


# --------------------------------------------------------------------------------------------
# the command


def write_yaml(path, data):
    path.write_text(yaml.safe_dump(data))
    return path


def test_cli_writes_summary_plots_draws_and_manifest(tmp_path, capsys):
    draws = write_yaml(
        tmp_path / "draws.yaml",
        {
            "n": 500,
            "seed": 8,
            "draws": {"inputs.CA@2026": {"dist": "uniform", "loc": 1.25e6, "scale": 1e5}},
        },
    )
    out = tmp_path / "out"
    code = main(
        [
            "montecarlo",
            str(WORKED_EXAMPLE),
            "--draws",
            str(draws),
            "--out",
            str(out),
            "--save-draws",
        ]
    )
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "montecarlo.csv",
        "montecarlo.png",
        "madr_histogram.png",
        "draws.parquet",
        "manifest.json",
    } <= names
    table = pd.read_csv(out / "montecarlo.csv")
    assert table["year"].tolist() == [2026, 2027, 2028, 2029]
    assert {
        "MADR_mean",
        "MADR_std",
        "MADR_p5",
        "MADR_p50",
        "MADR_p95",
        "LOSS_p95",
        "K_mean",
        "para3_prob",
        "para4_prob",
        "para5_prob",
    } <= set(table.columns)
    drawn = pd.read_parquet(out / "draws.parquet")
    assert len(drawn) == 500 and {"inputs.CA@2026", "MADR@2029"} <= set(drawn.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 8 and str(draws) in manifest["inputs"]
    assert "500 draws" in capsys.readouterr().out


def test_cli_bad_draws_exit_2_and_write_nothing(tmp_path, capsys):
    draws = write_yaml(tmp_path / "draws.yaml", {"draws": {"inputs.CA@2026": {"dist": "gauss"}}})
    out = tmp_path / "out"
    code = main(["montecarlo", str(WORKED_EXAMPLE), "--draws", str(draws), "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "draws.yaml" in err and "unknown distribution 'gauss'" in err and "Traceback" not in err
    assert not out.exists()


def test_default_draws_file_runs_on_the_base_scenario():
    base = ROOT / "data" / "scenarios" / "nedc-base.yaml"
    spec = mc.load_draws(ROOT / "data" / "draws" / "nedc-base.yaml", tm.load_scenario(base))
    assert len(spec.targets) >= 10
    assert "ILLUSTRATIVE" in (ROOT / "data" / "draws" / "nedc-base.yaml").read_text()


def test_a_column_constant_in_early_chunks_then_varying_is_kept_whole(worked_example):
    ca = np.full(1000, CA_2026)
    ca[700:] = 1.2e6  # DB_2026 and MADR_2026 the same in chunks 1-7, then different
    whole = tm.evaluate(worked_example, overrides={"inputs.CA@2026": ca})
    out = mc.evaluate_chunked(worked_example, {"inputs.CA@2026": ca}, 1000, chunk=100, workers=2)
    for col in ("DB", "MADR", "K", "C", "para5"):
        assert np.array_equal(out[col], whole[col]), col
    s = mc.summarise(out["MADR"])
    assert np.array_equal(s["p95"], np.percentile(whole["MADR"], 95, axis=0))


def test_unknown_correlation_key_is_named_with_a_suggestion():
    with pytest.raises(InputError) as info:
        mc.parse_draws(
            {
                "draws": {"notified.X": {"dist": "norm", "loc": 0.015, "scale": 0.001}},
                "correlation": {"targets": ["notified.X"], "matrx": [[1]]},
            },
            file="d.yaml",
        )
    assert info.value.key == "correlation.matrx" and "did you mean 'matrix'" in str(info.value)


def test_a_draw_breaking_a_rule_names_the_draws_file(worked_example):
    # accounts drawn around zero: some draws are negative, which no scenario file could hold
    spec = mc.parse_draws(
        {"draws": {"inputs.CA@2027": {"dist": "norm", "loc": 0.0, "scale": 1000.0}}},
        file="d.yaml",
    )
    with pytest.raises(InputError) as info:
        mc.monte_carlo(worked_example, spec, n=200, seed=1)
    err = info.value
    assert (err.file, err.key, err.year) == ("d.yaml", "draws.inputs.CA@2027", 2027)
    assert "CA must be above 0" in str(err)

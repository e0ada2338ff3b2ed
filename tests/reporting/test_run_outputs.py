"""What ``tariffmodel run`` writes besides madr.csv: statement, bill impact, manifest."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tariffmodel.cli.main import main

from conftest import WORKED_EXAMPLE


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", str(WORKED_EXAMPLE), "--out", str(out)]) == 0
    return out


def test_bill_impact_by_hand(run_dir):
    bill = pd.read_csv(run_dir / "bill_impact.csv").set_index("year")
    madr = pd.read_csv(run_dir / "madr.csv").set_index("year")["MADR"]
    assert bill.loc[2026, "baisa_per_kWh"] == pytest.approx(1000 * madr[2026] / 31.4e9)
    assert bill.loc[2026, "RO_per_account"] == pytest.approx(madr[2026] / 1.3e6)


def test_statement_items_of_paragraph_12(run_dir):
    text = (run_dir / "statement.md").read_text()
    for item in (
        "(a) ARDR_t",
        "(b) C_t",
        "(c) LOSS_t",
        "(d) LD_t",
        "(d) AL_{t-1}",
        "(e) NSF_t",
        "(f) DNS_t",
        "(g) RUD_t",
        "(h) RBS_t",
        "(i) CA_t",
        "(j) a_t",
        "(j) c_t",
        "(k) p_t",
        "(l) s_t",
    ):
        assert item in text, item


def test_statement_paragraph_9_view(run_dir):
    text = (run_dir / "statement.md").read_text()
    assert "Best estimate of K_D2026: 3,077,400.00" in text
    assert "Paragraph 5 in consequence of 2028 and 2029" not in text  # 2030 is not modelled
    assert "Paragraph 5 (ARDR below 90 % of MADR in 2028 and 2029): yes" in text


def test_statement_says_when_ardr_is_assumed(run_dir):
    text = (run_dir / "statement.md").read_text()
    assert "(not given: taken equal to MADR_t)" in text


def test_manifest_records_what_produced_it(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["package_version"]
    assert len(manifest["inputs"][str(WORKED_EXAMPLE)]) == 64
    assert manifest["readings"]["R1 loss_deadband"] == "as_drafted"
    assert "git_commit" in manifest and "seed" in manifest


def test_madr_csv_full_precision(run_dir):
    text = (run_dir / "madr.csv").read_text()
    assert "180804465.64450338" in text


def test_a_history_madr_too_small_for_the_ratio_is_refused_before_any_file(
    tmp_path, example_dict, capsys
):
    """ARDR_2025 / MADR_2025 overflows with a history MADR of 1e-300: the statement would say
    "inf % of MADR"; the run is refused naming the file, the column, the year and the rule."""
    import yaml

    history = next(row for row in example_dict["inputs"] if row["year"] == 2025)
    history["MADR"] = 1e-300
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(example_dict, sort_keys=False))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, key 'MADR', year 2025: the history row's MADR (1e-300) is too small" in err
    assert "for ARDR/MADR to be a number" in err
    assert not out.exists()
